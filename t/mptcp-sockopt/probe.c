/* What this kernel answers, asked the way mptcp-sockopt asks, so that the
 * tests expect a skip exactly where an option is missing.  Prints shell
 * assignments: mptcp_info_size (0: no MPTCP_INFO), tcp_info_size (the
 * MPTCP_TCPINFO element), full_info and is_mptcp (1 or 0).  Built with
 * sockkit's compiler and libc, so that the test shim, preloaded, gives it
 * the answers it gives sockkit.  Exit 1 when it cannot ask. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SOL_MPTCP_ 284
#define IPPROTO_MPTCP_ 262
#define TCP_IS_MPTCP_ 43

static int ask(int fd, int level, int name, void *buf, socklen_t *len)
{
	return getsockopt(fd, level, name, buf, len) == 0;
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t salen = sizeof sa, len;
	uint32_t req[4 + 128] = { 16, 0, 0, 512 };
	unsigned char buf[512];
	int l = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP_);
	int c = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP_);

	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(l, 1) < 0 || getsockname(l, (struct sockaddr *)&sa, &salen) < 0 ||
	    connect(c, (struct sockaddr *)&sa, salen) < 0) {
		perror("probe: an MPTCP connection over loopback");
		return 1;
	}
	memset(buf, 0, sizeof buf);
	len = 256;
	printf("mptcp_info_size=%u\n", ask(c, SOL_MPTCP_, 1, buf, &len) ? (unsigned)len : 0);
	len = sizeof req;
	printf("tcp_info_size=%u\n", ask(c, SOL_MPTCP_, 2, req, &len) ? req[2] : 0);
	/* Arrays of no element: the kernel fills the header and mptcp_info. */
	memset(buf, 0, sizeof buf);
	len = 40 + 256;
	printf("full_info=%d\n", ask(c, SOL_MPTCP_, 4, buf, &len));
	len = 4;
	printf("is_mptcp=%d\n", ask(c, IPPROTO_TCP, TCP_IS_MPTCP_, buf, &len));
	close(c);
	close(l);
	return 0;
}
