/* prefork-interp: passing the caller's descriptors to the server, as the
 * 7.0.0 protocol does: one sendmsg per fd, each with a one-byte 0x00
 * payload and one SCM_RIGHTS descriptor. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "pfi.h"

int pfi_send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	_Alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof control,
	};
	struct cmsghdr *c;

	memset(control, 0, sizeof control);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	for (;;) {
		ssize_t r = sendmsg(sock, &msg, MSG_NOSIGNAL);

		if (r == 1)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r >= 0)
			errno = EIO;
		return -1;
	}
}
