#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "io.h"
#include "num.h"

static void close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* The interface ioctl request on ifr (zeroed, with the name): the control
 * socket's fd, or -1 with errno; ENODEV for a name too long to be an
 * interface's, which the kernel would cut short and may then find. */
static int iface_ioctl(const char *name, int request, struct ifreq *ifr)
{
	size_t len = strlen(name);
	int fd;

	memset(ifr, 0, sizeof *ifr);
	if (len >= sizeof ifr->ifr_name) {
		errno = ENODEV;
		return -1;
	}
	memcpy(ifr->ifr_name, name, len);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (ioctl(fd, request, ifr) < 0) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

/* "fe80::1%eth0": the scope is an interface name or index, as getaddrinfo's
 * numeric form takes it; 0 when it is neither.  (Not if_nametoindex: the
 * same ioctl as iface_ioctl's, and musl's copies the name with strncpy,
 * which brings 0.25 KB of its own into the static binary.) */
static uint32_t scope_id(const char *scope)
{
	unsigned long long n;
	struct ifreq ifr;
	int fd;

	if (*scope >= '0' && *scope <= '9')
		return *num_scan(scope, 10, UINT32_MAX, &n) ? 0 : (uint32_t)n;
	if ((fd = iface_ioctl(scope, SIOCGIFINDEX, &ifr)) < 0)
		return 0;
	close(fd);
	return (uint32_t)ifr.ifr_ifindex;
}

static int parse_ipv6(const char *text, struct sockaddr_in6 *sin6)
{
	char host[INET6_ADDRSTRLEN];
	const char *scope = strchr(text, '%');
	size_t n = scope ? (size_t)(scope - text) : strlen(text);

	if (n >= sizeof host)
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
		return -1;
	if (scope && (sin6->sin6_scope_id = scope_id(scope + 1)) == 0)
		return -1;
	return 0;
}

/* inet_pton rather than getaddrinfo(AI_NUMERICHOST): the same addresses, but
 * getaddrinfo brings the whole resolver (DNS, /etc/hosts, services) into a
 * static binary, some 16 KB of musl, to parse a number. */
int parse_numeric_addr(const char *text, int family, unsigned port,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof *ss);
	if (family != AF_INET6 && inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof *sin;
		return 0;
	}
	if (family != AF_INET && parse_ipv6(text, sin6) == 0) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof *sin6;
		return 0;
	}
	return EAI_NONAME;
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

static int connect_unix(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		return -1;
	while (connect(fd, sa, len) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			errno = ETIMEDOUT;
		return -1;
	}
	return 0;
}

int net_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms)
{
	int err = 0, r;
	socklen_t elen = sizeof err;

	if (sa->sa_family == AF_UNIX)
		return connect_unix(fd, sa, len, timeout_ms);
	if (set_nonblock(fd, 1) < 0)
		return -1;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		r = wait_writable(fd, timeout_ms);
		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			return -1;
		if (err) {
			errno = err;
			return -1;
		}
	}
	return set_nonblock(fd, 0);
}

int net_listener(int family, int type, int protocol, const struct sockaddr *sa,
		 socklen_t len, int backlog, const char **failed_step)
{
	int one = 1;
	int fd = socket(family, type | SOCK_CLOEXEC, protocol);

	*failed_step = "socket";
	if (fd < 0)
		return -1;
	if (family != AF_UNIX)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	*failed_step = "bind";
	if (bind(fd, sa, len) < 0) {
		close_keep_errno(fd);
		return -1;
	}
	*failed_step = "listen";
	if (listen(fd, backlog) < 0) {
		close_keep_errno(fd);
		return -1;
	}
	*failed_step = NULL;
	return fd;
}

static int iface_flags(const char *name, struct ifreq *ifr)
{
	return iface_ioctl(name, SIOCGIFFLAGS, ifr);
}

int iface_is_up(const char *name)
{
	struct ifreq ifr;
	int fd = iface_flags(name, &ifr);

	if (fd < 0)
		return -1;
	close(fd);
	return (ifr.ifr_flags & IFF_UP) != 0;
}

int iface_up(const char *name)
{
	struct ifreq ifr;
	int fd = iface_flags(name, &ifr);
	int r;

	if (fd < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close_keep_errno(fd);
	return r;
}

/* "net.ipv4.ip_nonlocal_bind" -> "net/ipv4/ip_nonlocal_bind".  As in
 * sysctl(8), a name with a '/' is taken as a path whose dots are literal
 * ("net/ipv4/conf/eth0.5/forwarding").  Refused, so that nothing outside
 * /proc/sys is reached: empty components, "." and "..". */
static int sysctl_path(const char *name, char *path, size_t size)
{
	size_t n = strlen(name);
	int slash_form = strchr(name, '/') != NULL;

	if (n == 0 || n >= size) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i <= n; i++)
		path[i] = !slash_form && name[i] == '.' ? '/' : name[i];
	for (const char *p = path;;) {
		size_t len = strcspn(p, "/");

		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			errno = EINVAL;
			return -1;
		}
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int sysctl_open(const char *name, int flags)
{
	char path[256];
	int dir, fd;

	if (sysctl_path(name, path, sizeof path) < 0)
		return -1;
	dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -1;
	fd = openat(dir, path, flags | O_CLOEXEC | O_NOFOLLOW);
	close_keep_errno(dir);
	return fd;
}

int sysctl_read(const char *name, char *buf, size_t size)
{
	int fd = sysctl_open(name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read_full(fd, buf, size - 1, 1000);
	close_keep_errno(fd);
	if (n < 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

int sysctl_write(const char *name, const char *value)
{
	int fd = sysctl_open(name, O_WRONLY);
	int r;

	if (fd < 0)
		return -1;
	/* The kernel checks the value when it is written: its errno is the answer. */
	r = write_all(fd, value, strlen(value));
	close_keep_errno(fd);
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
