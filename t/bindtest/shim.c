/* An LD_PRELOAD shim that makes bindtest's socket calls fail, to reach the
 * cells a healthy kernel never shows (!1 !2 ?A !A ?P !P ?6 L1?(), and the
 * letter l).  BINDTEST_SHIM names the failure; unset, every call passes
 * through unchanged. */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int is(const char *mode)
{
	const char *m = getenv("BINDTEST_SHIM");

	return m && !strcmp(m, mode);
}

/* The libc function a wrapper passes on to.  ISO C has no conversion
 * from dlsym's object pointer to a function pointer; copy the bits. */
#define REAL(fp, name) do { \
		void *sym_ = dlsym(RTLD_NEXT, name); \
		memcpy(&(fp), &sym_, sizeof(fp)); \
	} while (0)

int socket(int family, int type, int protocol)
{
	int (*real)(int, int, int);

	REAL(real, "socket");
	/* An IPv4-only kernel, as the !1 and !2 cells are meant for. */
	if (family == AF_INET6 && is("no_inet6")) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return real(family, type, protocol);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static unsigned long reuseaddr_calls;
	int (*real)(int, int, int, const void *, socklen_t);

	REAL(real, "setsockopt");
	if (level == SOL_SOCKET && name == SO_REUSEPORT && is("reuseport")) {
		errno = ENOPROTOOPT;
		return -1;
	}
	/* bindtest sets it on the first socket, then the second: fail every
	 * second call, so the first always succeeds. */
	if (level == SOL_SOCKET && name == SO_REUSEADDR && is("reuseaddr_2nd") &&
	    ++reuseaddr_calls % 2 == 0) {
		errno = ENOMEM;
		return -1;
	}
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY && is("v6only")) {
		errno = EINVAL;
		return -1;
	}
	return real(fd, level, name, val, len);
}

int listen(int fd, int backlog)
{
	int (*real)(int, int);

	REAL(real, "listen");
	if (is("listen")) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return real(fd, backlog);
}
