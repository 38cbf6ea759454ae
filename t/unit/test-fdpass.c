/* prefork-interp's fd passing, read back as a server (Perl's IO::FDPass,
 * our Python module) reads it: one byte 0x00 and one SCM_RIGHTS fd. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pfi.h"
#include "tap.h"

/* The fd of one message and its payload byte; -1 when none came. */
static int take_fd(int sock, char *byte)
{
	struct iovec iov = { .iov_base = byte, .iov_len = 1 };
	_Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof control,
	};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

int main(void)
{
	int sv[2], p[2], fd;
	char byte = 1, c = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(p) < 0)
		exit(99);
	tap_is_int(pfi_send_fd(sv[0], p[1]), 0, "pfi_send_fd");
	fd = take_fd(sv[1], &byte);
	tap_ok(fd >= 0, "one SCM_RIGHTS fd arrives");
	tap_is_int(byte, 0, "with the payload byte 0x00");
	tap_ok(write(fd, "x", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'x',
	       "the passed fd is the same pipe");
	close(sv[1]);
	errno = 0;
	tap_is_int(pfi_send_fd(sv[0], p[1]), -1, "a closed peer: -1, no SIGPIPE");
	tap_is_int(errno, EPIPE, "... with EPIPE");
	return tap_done();
}
