/* Socket and network-namespace helpers. */
#ifndef SOCKKIT_NET_H
#define SOCKKIT_NET_H

#include <stddef.h>
#include <sys/socket.h>

/* Parse a numeric address (no DNS) of the given family (AF_UNSPEC: either)
 * with the given port: inet_pton's forms (a.b.c.d; RFC 4291 IPv6 text), an
 * IPv6 one with an optional %scope (interface name or index).  Returns 0, or
 * EAI_NONAME (a getaddrinfo error code, for gai_strerror). */
int parse_numeric_addr(const char *text, int family, unsigned port,
		       struct sockaddr_storage *ss, socklen_t *len);

/* "127.0.0.1:80", "[::1]:80"; with_port 0 leaves the port off. */
const char *sockaddr_text(const struct sockaddr *sa, int with_port,
			  char *buf, size_t size);
unsigned sockaddr_port(const struct sockaddr *sa);

/* connect(2) bounded by timeout_ms, for any family: 0, or -1 with errno
 * (ETIMEDOUT past the bound).  An AF_UNIX connect to a full backlog sleeps
 * with the socket's send timeout, so that is the bound used there (and left
 * set); other families connect without blocking and wait for the answer.
 * The socket is left in blocking mode. */
int net_connect(int fd, const struct sockaddr *sa, socklen_t len, int timeout_ms);

/* A listening socket: socket (cloexec), SO_REUSEADDR for IP families, bind,
 * listen.  Returns the fd, or -1 with errno and *failed_step ("socket",
 * "bind", "listen") saying which call failed. */
int net_listener(int family, int type, int protocol, const struct sockaddr *sa,
		 socklen_t len, int backlog, const char **failed_step);

/* Whether an interface is up: 1, 0, or -1 with errno (ENODEV: none such). */
int iface_is_up(const char *name);

/* Bring an interface up (SIOCSIFFLAGS); 0 or -1 with errno. */
int iface_up(const char *name);

/* Read or write a sysctl of this process's namespaces, named as sysctl(8)
 * names it ("net.ipv4.ip_nonlocal_bind"): 0, or -1 with errno (EINVAL for a
 * malformed name, ENOENT for an unknown one, the kernel's errno for a value
 * it refuses).  sysctl_read leaves the value without its newline. */
int sysctl_read(const char *name, char *buf, size_t size);
int sysctl_write(const char *name, const char *value);

/* Move this process into a new, private network namespace with lo up:
 * CLONE_NEWNET, adding CLONE_NEWUSER when not privileged.  Returns 0, or -1
 * with a reason in why. */
int netns_enter_private(char *why, size_t whysize);

#endif
