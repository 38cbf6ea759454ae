#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "io.h"

int parse_numeric_addr(const char *text, int family, unsigned port,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	char serv[8];
	int r;

	snprintf(serv, sizeof serv, "%u", port & 0xffff);
	r = getaddrinfo(text, serv, &hints, &res);
	if (r != 0)
		return r;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

unsigned sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
	return 0;
}

const char *sockaddr_text(const struct sockaddr *sa, int with_port,
			  char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const void *addr = NULL;

	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (addr)
		inet_ntop(sa->sa_family, addr, host, sizeof host);
	if (!with_port)
		snprintf(buf, size, "%s", host);
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", host, sockaddr_port(sa));
	else
		snprintf(buf, size, "%s:%u", host, sockaddr_port(sa));
	return buf;
}

int iface_up(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* Map our uid and gid to root in a new user namespace, so that the network
 * namespace made next may be configured. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = write_all(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

static int enter_user_namespace(char *why, size_t whysize)
{
	char map[64];
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();

	if (unshare(CLONE_NEWUSER) < 0) {
		snprintf(why, whysize, "cannot create a user namespace: %s", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof map, "0 %u 1\n", uid);
	if (write_file("/proc/self/uid_map", map) < 0 ||
	    write_file("/proc/self/setgroups", "deny\n") < 0) {
		snprintf(why, whysize, "cannot map uid in the user namespace: %s",
			 strerror(errno));
		return -1;
	}
	snprintf(map, sizeof map, "0 %u 1\n", gid);
	if (write_file("/proc/self/gid_map", map) < 0) {
		snprintf(why, whysize, "cannot map gid in the user namespace: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int netns_enter_private(char *why, size_t whysize)
{
	if (unshare(CLONE_NEWNET) < 0) {
		if (errno != EPERM) {
			snprintf(why, whysize, "cannot create a network namespace: %s",
				 strerror(errno));
			return -1;
		}
		if (enter_user_namespace(why, whysize) < 0)
			return -1;
		if (unshare(CLONE_NEWNET) < 0) {
			snprintf(why, whysize, "cannot create a network namespace: %s",
				 strerror(errno));
			return -1;
		}
	}
	if (iface_up("lo") < 0) {
		snprintf(why, whysize, "cannot bring lo up in the new namespace: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}
