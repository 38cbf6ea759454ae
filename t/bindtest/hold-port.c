/* hold-port udp|tcp CMD...: bind a free port of that type on every address
 * (AF_INET6 without IPV6_V6ONLY), then run CMD with each argument "PORT"
 * replaced by its number while the socket stays open: a port in use. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	socklen_t len = sizeof sin6;
	char port[8];
	int fd, off = 0;

	if (argc < 3 || (strcmp(argv[1], "udp") && strcmp(argv[1], "tcp"))) {
		fprintf(stderr, "usage: hold-port udp|tcp CMD...\n");
		return 2;
	}
	fd = socket(AF_INET6, strcmp(argv[1], "udp") ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0 ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof sin6) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin6, &len) < 0) {
		perror("hold-port");
		return 1;
	}
	snprintf(port, sizeof port, "%u", ntohs(sin6.sin6_port));
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "PORT"))
			argv[i] = port;
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
