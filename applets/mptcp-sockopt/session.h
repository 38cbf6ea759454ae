/* One family's run: the server and client processes and what they share. */
#ifndef SOCKKIT_MPTCP_SESSION_H
#define SOCKKIT_MPTCP_SESSION_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "mptcp.h"

struct run {
	int family;
	const char *tag;                /* "v4" or "v6", the TAP prefix */
	int verbose;
	int64_t deadline_ms;            /* now_ms() value every wait ends by */
	struct sockaddr_storage addr;   /* the listener's address */
	socklen_t addrlen;
	unsigned seed;                  /* for the message length and the TOS */
};

/* The children's bodies; they return the exit status of the child. */
int run_server(const struct run *run, int listen_fd, int ctl_fd);
int run_client(const struct run *run, int ctl_fd);

/* Connect with a bounded wait; the fd, or -1 with errno. */
int connect_bounded(int fd, const struct sockaddr *sa, socklen_t len,
		    int64_t deadline_ms);

/* "name=value" pairs of a reply, space separated, for -v. */
void print_fields(FILE *out, const char *sep, const struct field *f, size_t n,
		  const void *reply, size_t len);

#endif
