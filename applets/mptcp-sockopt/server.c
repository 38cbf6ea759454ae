/* The server side of a conformance run (see client.c for the turns). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conform.h"
#include "io.h"

#define MSG_MAX 65535

static void check_listener_info(int lfd)
{
	unsigned char buf[MI_BUF];
	socklen_t len = sizeof buf;
	int err = mpt_gso(lfd, SOL_MPTCP, MPTCP_INFO, buf, &len);

	if (err)
		mpt_sockopt_error(MPT_S_INFO_LISTENER, "MPTCP_INFO on a listener", err);
	else
		mpt_that(MPT_S_INFO_LISTENER, len >= MI_SIZE_MIN && len < sizeof buf,
			 "length: expected %d to %zu, got %u", MI_SIZE_MIN,
			 sizeof buf - 1, (unsigned)len);
}

/* The TCP_INQ value of a recvmsg's control data, or -1 without one. */
static long inq_of(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_TCP && c->cmsg_type == SK_TCP_INQ &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof v);
			return v;
		}
	}
	return -1;
}

/* recvmsg of up to n bytes with its TCP_INQ; the count or -1. */
static ssize_t recv_inq(int fd, void *buf, size_t n, long *inq)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int)) * 2];
	} control;
	struct iovec iov = { buf, n };
	struct msghdr mh;
	ssize_t got;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof control.buf;
	got = recvmsg(fd, &mh, 0);
	*inq = got < 0 ? -1 : inq_of(&mh);
	return got;
}

/* Wait until the whole message is queued, as FIONREAD tells.  SO_RCVLOWAT
 * makes poll wake only then; where it is not honoured, every wake-up is a
 * new arrival, so the loop still waits on events, never on a clock. */
static int wait_queued(struct mpt_side *st, int fd, uint32_t len)
{
	int lowat = (int)len, queued = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	for (;;) {
		struct pollfd p = { fd, POLLIN | POLLRDHUP, 0 };
		int r = poll_until(&p, 1, st->run->deadline_ms);

		/* At the deadline too: the message says how much had come.
		 * (poll fails only without memory: its errno says so.) */
		if (r < 0 || ioctl(fd, SK_SIOCINQ, &queued) < 0) {
			mpt_stop(st, MPT_S_FIONREAD, "FIONREAD: %s", strerror(errno));
			return -1;
		}
		if (queued < 0 || (uint32_t)queued > len) {
			mpt_stop(st, MPT_S_FIONREAD, "FIONREAD: expected at most %u, got %d",
				 len, queued);
			return -1;
		}
		if ((uint32_t)queued == len)
			break;
		if (r == 0) {
			mpt_stop(st, MPT_S_FIONREAD, "timed out with %d of %u bytes queued",
				 queued, len);
			return -1;
		}
		if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			mpt_stop(st, MPT_S_FIONREAD, "the client closed with %d of %u bytes queued",
				 queued, len);
			return -1;
		}
	}
	lowat = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	mpt_verbose(st, "FIONREAD: %d bytes queued", queued);
	mpt_pass(MPT_S_FIONREAD);
	return 0;
}

/* Read the message as mptcp_inq does: one byte, then the rest. */
static ssize_t server_read(struct mpt_side *st, int fd, unsigned char *buf, uint32_t len)
{
	ssize_t first, rest;
	long inq;

	first = recv_inq(fd, buf, 1, &inq);
	if (first != 1) {
		mpt_stop(st, MPT_S_TCP_INQ, "reading 1 byte: got %zd (%s)", first,
			 first < 0 ? strerror(errno) : "EOF");
		return -1;
	}
	mpt_verbose(st, "TCP_INQ after reading 1 byte: %ld", inq);
	mpt_eq(MPT_S_TCP_INQ, "TCP_INQ after reading 1 byte", (unsigned long long)inq, len - 1);
	rest = recv_inq(fd, buf + 1, len - 1, &inq);
	if (rest < 0) {
		mpt_stop(st, MPT_S_TCP_INQ, "reading the rest: %s", strerror(errno));
		return -1;
	}
	mpt_eq(MPT_S_TCP_INQ, "bytes read after the first (the queue TCP_INQ showed)",
	       (unsigned long long)rest, len - 1);
	mpt_eq(MPT_S_TCP_INQ, "TCP_INQ once drained", (unsigned long long)inq, 0);
	return 1 + rest;
}

/* Wait for the client's FIN; TCP_INQ reads 1 for it. */
static int server_await_eof(struct mpt_side *st, int fd)
{
	unsigned char b;
	long inq;
	ssize_t got;
	int r = wait_readable(fd, ms_left(st->run->deadline_ms));

	if (r <= 0) {
		mpt_stop(st, MPT_S_INFO_RCV_NXT, "%s waiting for the client's FIN",
			 r == 0 ? "timed out" : strerror(errno));
		return -1;
	}
	got = recv_inq(fd, &b, 1, &inq);
	if (got != 0) {
		mpt_stop(st, MPT_S_INFO_RCV_NXT, "waiting for EOF: got %zd (%s)", got,
			 got < 0 ? strerror(errno) : "data");
		return -1;
	}
	mpt_reach(st, MPT_END);
	mpt_verbose(st, "TCP_INQ at EOF: %ld", inq);
	mpt_eq(MPT_S_TCP_INQ, "TCP_INQ at EOF (the FIN)", (unsigned long long)inq, 1);
	return 0;
}

/* send(2) all of it: the echo goes through send, as a test shim expects. */
static int send_all(int fd, const unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The client's message length, after the server's go-ahead. */
static int await_length(struct mpt_side *st, int ctl, uint32_t *len)
{
	unsigned char lenbuf[4];
	ssize_t got;

	if (write_all(ctl, "x", 1) < 0) {
		mpt_stop(st, MPT_S_FIONREAD, "signalling the client: %s", strerror(errno));
		return -1;
	}
	got = read_full(ctl, lenbuf, sizeof lenbuf, ms_left(st->run->deadline_ms));
	if (got != (ssize_t)sizeof lenbuf) {
		mpt_stop(st, MPT_S_FIONREAD, "waiting for the message length: %s",
			 got < 0 ? strerror(errno) : "the client process ended first");
		return -1;
	}
	*len = get_be32(lenbuf);
	if (*len < 1 || *len > MSG_MAX) {
		mpt_stop(st, MPT_S_FIONREAD, "message length from the client: %u", *len);
		return -1;
	}
	return 0;
}

static void server_transfer(struct mpt_side *st, int fd, int ctl, unsigned char *buf)
{
	struct mpt_expect ex = { 0, 0, 0, 0 };
	uint32_t len;
	ssize_t got;

	mpt_sample_all(st, fd, &ex);
	mpt_reach(st, MPT_TRANSFER);
	if (await_length(st, ctl, &len) < 0 || wait_queued(st, fd, len) < 0)
		return;
	got = server_read(st, fd, buf, len);
	if (got < 0)
		return;
	if (got != (ssize_t)len) {
		mpt_stop(st, MPT_S_TCP_INQ, "read %zd of %u bytes", got, len);
		return;
	}
	if (send_all(fd, buf, len) < 0) {
		mpt_stop(st, MPT_S_INFO_WRITE_SEQ, "echoing %u bytes: %s", len, strerror(errno));
		return;
	}
	if (server_await_eof(st, fd) < 0)
		return;
	ex.written = ex.read = len;
	ex.fin = ex.after = 1;
	mpt_sample_all(st, fd, &ex);
	if (st->run->subflows > 1)
		mpt_compare_links(st);
}

/* Wait for a connection, or for the client's end of ctl to close (it
 * failed before connecting): the accepted fd, or -1 with the setup
 * failure recorded. */
static int accept_client(struct mpt_side *st, int lfd, int ctl)
{
	struct pollfd p[2] = { { lfd, POLLIN, 0 }, { ctl, POLLIN, 0 } };
	int r = poll_until(p, 2, st->run->deadline_ms);
	int fd;

	if (r > 0 && !p[0].revents) {
		mpt_setup_failed(st, "the client process ended before connecting");
		return -1;
	}
	if (r <= 0) {
		mpt_setup_failed(st, "waiting for the client: %s",
				 r == 0 ? "timed out (-t)" : strerror(errno));
		return -1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		mpt_setup_failed(st, "accept: %s", strerror(errno));
	return fd;
}

static const struct mpt_side_ids server_ids = MPT_SIDE_IDS(S);

int mpt_server(const struct mpt_run *run, int ctl)
{
	struct mpt_side *st = xcalloc(1, sizeof *st);
	unsigned char *buf = xmalloc(MSG_MAX);
	int on = 1, fd;

	st->run = run;
	st->side = MPT_SERVER;
	st->who = "server";
	st->ids = &server_ids;
	mpt_reach(st, MPT_OPEN);
	check_listener_info(run->listen_fd);
	fd = accept_client(st, run->listen_fd, ctl);
	if (fd < 0 || mpt_await_subflows(st, fd, run->server_events) < 0)
		return 1;
	close(run->listen_fd);
	if (setsockopt(fd, SOL_TCP, SK_TCP_INQ, &on, sizeof on) < 0)
		mpt_sockopt_error(MPT_S_TCP_INQ, "setsockopt TCP_INQ", errno);
	server_transfer(st, fd, ctl, buf);
	close(fd);
	free(buf);
	free(st);
	return 0;
}
