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

/* Bring an interface up (SIOCSIFFLAGS); 0 or -1 with errno. */
int iface_up(const char *name);

/* Move this process into a new, private network namespace with lo up:
 * CLONE_NEWNET, adding CLONE_NEWUSER when not privileged.  Returns 0, or -1
 * with a reason in why. */
int netns_enter_private(char *why, size_t whysize);

#endif
