/* Listen mode (-l [HOST]): serve one connection, the peer the tests and a
 * quick look with -c need. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "modes.h"
#include "net.h"

/* Accept one connection and read it, discarding, until the peer closes;
 * every wait ends by -t. */
int mpt_listen_mode(int family, const char *host, unsigned port, int plain_tcp,
		    int timeout_s)
{
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	struct sockaddr_storage ss;
	socklen_t len;
	const char *step;
	char buf[65536];
	int fd, c;

	if (!host)
		host = family == AF_INET6 ? "::1" : "127.0.0.1";
	if (parse_numeric_addr(host, family, port, &ss, &len))
		die_usage("%s: not a numeric %saddress", host, family == AF_INET ? "IPv4 "
			  : family == AF_INET6 ? "IPv6 " : "");
	fd = net_listener(ss.ss_family, SOCK_STREAM, plain_tcp ? IPPROTO_TCP : IPPROTO_MPTCP,
			  (struct sockaddr *)&ss, len, 1, &step);
	if (fd < 0) {
		if (!plain_tcp && !strcmp(step, "socket") &&
		    (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT))
			mpt_die_unavailable(errno);
		die_errno("%s %s port %u", step, host, port);
	}
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die_errno("getsockname");
	printf("port:%u\n", sockaddr_port((struct sockaddr *)&ss));
	if (fflush(stdout) == EOF)
		die_errno("stdout");
	if (wait_readable(fd, ms_left(deadline)) <= 0)
		die("no connection within %d s", timeout_s);
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		die_errno("accept");
	/* The listener stays open: an MPTCP peer's additional subflows
	 * (MP_JOIN) come to it, and without it they are refused. */
	for (;;) {
		ssize_t n;

		if (wait_readable(c, ms_left(deadline)) <= 0)
			die("the peer did not close within %d s", timeout_s);
		n = read(c, buf, sizeof buf);
		if (n < 0 && errno != EINTR)
			die_errno("read");
		if (n == 0)
			break;
	}
	close(c);
	close(fd);
	return EXIT_OK;
}
