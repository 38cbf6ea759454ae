/* The probes of a pair whose two sockets are bound: a UDP datagram or a TCP
 * connect to one address, and which of the two sockets gets it.
 *
 * Speed: the original waited in select() for up to a second after every
 * probe.  On loopback the kernel has delivered a datagram, or queued a
 * connection, by the time the sending call returns (the softirq runs when
 * that call re-enables bottom halves), so here a probe only waits, with a
 * bound, for the event that proves the probe is over:
 *  - UDP: a "fence" datagram sent from the same socket right after the probe
 *    to a loopback socket of our own.  Both go through this CPU's backlog
 *    queue in order (bindtest.c pins the process to one CPU), so when the
 *    fence has arrived the probe has been delivered to every socket that
 *    will ever get it, or dropped.
 *  - TCP: the connecting socket becomes writable (connected) or reports an
 *    error (refused); only a connection that was made is then waited for.
 * --full-wait restores the original's fixed wait, for the benchmark. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindtest.h"
#include "err.h"
#include "io.h"

#define PAYLOAD_LEN 10

/* The probe's payload: fixed bytes (the original sent uninitialised ones). */
static const char payload[PAYLOAD_LEN] = "bindtest";

/* A probe's step failed with errno: keep it for -j, say the verbose line,
 * and return the probe's letter. */
static char probe_failed(const struct bt_config *cfg, struct bt_probe *p, const char *step,
			 char letter, const char *fmt, ...) PRINTF_LIKE(5, 6);
static char probe_failed(const struct bt_config *cfg, struct bt_probe *p, const char *step,
			 char letter, const char *fmt, ...)
{
	va_list ap;

	p->err = errno;
	p->failed_step = step;
	va_start(ap, fmt);
	bt_vsay(cfg, fmt, ap);
	va_end(ap);
	return letter;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Wait, at most timeout_ms, until one of the two bound sockets is
 * readable: the number ready (with *ra, *rb set), 0 on timeout, -1 on
 * error. */
static int poll_two(int a, int b, int timeout_ms, int *ra, int *rb)
{
	struct pollfd pfd[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
	int n = poll_until(pfd, 2, now_ms() + timeout_ms);

	*ra = n > 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP));
	*rb = n > 0 && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP));
	return n;
}

static char verdict(int got1, int got2)
{
	if (got1 && got2)
		return 'b';
	if (got1)
		return '1';
	if (got2)
		return '2';
	return '0';
}

/* ---- UDP ---------------------------------------------------------------- */

/* Read one datagram from a bound socket: 1 if one came. */
static int take_datagram(const struct bt_config *cfg, int fd, int which)
{
	char buf[128], from_text[NI_MAXHOST + NI_MAXSERV + 2];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;
	ssize_t n;

	n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			bt_say(cfg, "\tfailed to recvfrom on the %s socket: %s\n",
			    bt_nth(which), strerror(errno));
		return 0;
	}
	bt_say(cfg, "\trecv %zd bytes from %s on the %s socket\n", n,
	    bt_sockaddr_slash((struct sockaddr *)&from, fromlen, from_text, sizeof from_text),
	    bt_nth(which));
	return 1;
}

/* Throw away whatever is still queued, so that probes stay independent. */
static void drain(int fd)
{
	char buf[128];

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
		;
}

/* Each fence carries its own number, so that a late fence of an earlier
 * probe is never taken for this one's. */
static unsigned fence_seq;

/* Send the fence from the probe's socket; the fence socket, or -1. */
static int send_fence(const struct bt_config *cfg, int s, int family)
{
	int fence = family == AF_INET ? cfg->fence4 : cfg->fence6;
	const struct sockaddr_storage *ss = family == AF_INET ? &cfg->fence4_ss : &cfg->fence6_ss;
	socklen_t len = family == AF_INET ? cfg->fence4_len : cfg->fence6_len;

	if (fence < 0)
		return -1;
	fence_seq++;
	if (sendto(s, &fence_seq, sizeof fence_seq, 0, (const struct sockaddr *)ss, len) < 0)
		return -1;
	return fence;
}

/* Wait, with the bound, until this probe's fence has come: 1 if it did. */
static int wait_fence(const struct bt_config *cfg, int fence)
{
	int64_t deadline = now_ms() + cfg->wait_ms;
	unsigned got;

	for (;;) {
		while (recv(fence, &got, sizeof got, MSG_DONTWAIT) == (ssize_t)sizeof got)
			if (got == fence_seq)
				return 1;
		if (wait_readable(fence, ms_left(deadline)) <= 0)
			return 0;
	}
}

/* The original: up to two select() calls sharing one timeout. */
static int collect_full_wait(const struct bt_config *cfg, int sa, int sb,
			     int *got1, int *got2)
{
	int64_t deadline = now_ms() + cfg->wait_ms;
	int ra, rb;

	for (int i = 0; i < 2; i++) {
		int n = poll_two(sa, sb, ms_left(deadline), &ra, &rb);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		if (ra)
			*got1 += take_datagram(cfg, sa, 0);
		if (rb)
			*got2 += take_datagram(cfg, sb, 1);
	}
	return 0;
}

static int collect_fast(const struct bt_config *cfg, int s, int family, int sa, int sb,
			int *got1, int *got2)
{
	int fence = send_fence(cfg, s, family);
	int ra, rb, fenced = 0;

	if (fence >= 0) {
		/* Bounded: a lost fence only costs the bound, not the verdict. */
		fenced = wait_fence(cfg, fence);
		if (poll_two(sa, sb, 0, &ra, &rb) < 0)
			return -1;
	} else {
		/* No fence: wait while nothing has arrived; one delivery pass
		 * reaches every receiver, so then a look at both is enough. */
		if (poll_two(sa, sb, cfg->wait_ms, &ra, &rb) < 0)
			return -1;
		if (ra || rb)
			poll_two(sa, sb, 0, &ra, &rb);
	}
	if (ra)
		*got1 += take_datagram(cfg, sa, 0);
	if (rb)
		*got2 += take_datagram(cfg, sb, 1);
	/* A probe's datagram reaches a socket once, so behind its fence
	 * nothing is left; without that proof, a late one is thrown away
	 * rather than counted for the next probe. */
	if (!fenced) {
		drain(sa);
		drain(sb);
	}
	return 0;
}

int bt_set_v6only(int fd, int on)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
}

char bt_udp_probe(const struct bt_config *cfg, int sa, int sb,
		      const struct sockaddr *dst, socklen_t len, struct bt_probe *p)
{
	int s, got1 = 0, got2 = 0, on = 1;
	char letter;

	s = socket(dst->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return probe_failed(cfg, p, "socket", 's',
				    "\tfailed to open a socket for sending: %s\n", strerror(errno));
	if (cfg->have_bcast && setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0)
		bt_say(cfg, "\tfailed setsockopt(SO_BROADCAST) for %s, %s\n",
		    p->address, strerror(errno));
	if (dst->sa_family == AF_INET6 && bt_set_v6only(s, cfg->v6only) < 0) {
		letter = probe_failed(cfg, p, "setsockopt(IPV6_V6ONLY)", '6',
				      "\tfailed setsockopt(IPV6_V6ONLY) for %s, %s\n",
				      p->address, strerror(errno));
		close(s);
		return letter;
	}
	if (sendto(s, payload, sizeof payload, 0, dst, len) < 0) {
		letter = probe_failed(cfg, p, "sendto", 'x',
				      "\tfailed to send a packet to %s: %s\n",
				      p->address, strerror(errno));
		close(s);
		return letter;
	}
	bt_say(cfg, "\tsend %d bytes to %s\n", PAYLOAD_LEN, p->address);
	if ((cfg->full_wait ? collect_full_wait(cfg, sa, sb, &got1, &got2)
	     : collect_fast(cfg, s, dst->sa_family, sa, sb, &got1, &got2)) < 0) {
		letter = probe_failed(cfg, p, "select", 'x', "\tfailed to select: %s\n",
				      strerror(errno));
	} else {
		letter = verdict(got1, got2);
	}
	close(s);
	return letter;
}

/* ---- TCP ---------------------------------------------------------------- */

static int take_connection(const struct bt_config *cfg, int fd, int which)
{
	char from_text[NI_MAXHOST + NI_MAXSERV + 2];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof from;
	int c = accept4(fd, (struct sockaddr *)&from, &fromlen, SOCK_CLOEXEC);

	if (c < 0) {
		bt_say(cfg, "\tfailed to accept on the %s socket: %s\n", bt_nth(which), strerror(errno));
		return -1;
	}
	bt_say(cfg, "\taccepted a connection from %s on the %s socket\n",
	    bt_sockaddr_slash((struct sockaddr *)&from, fromlen, from_text, sizeof from_text),
	    bt_nth(which));
	return c;
}

/* Wait for the listeners: in the fast way, first for the connecting
 * socket's own verdict, then only for a connection that was made. */
static int wait_listeners(const struct bt_config *cfg, int s, int sa, int sb, int *ra, int *rb)
{
	int64_t deadline = now_ms() + cfg->wait_ms;
	int err = 0;
	socklen_t len = sizeof err;

	if (!cfg->full_wait) {
		wait_writable(s, cfg->wait_ms);
		if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0)
			return poll_two(sa, sb, 0, ra, rb);    /* refused: nobody has it */
	}
	return poll_two(sa, sb, ms_left(deadline), ra, rb);
}

char bt_tcp_probe(const struct bt_config *cfg, int sa, int sb,
		      const struct sockaddr *dst, socklen_t len, struct bt_probe *p)
{
	int s = -1, c1 = -1, c2 = -1, ra, rb, got1 = 0, got2 = 0;
	char letter;

	s = socket(dst->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return probe_failed(cfg, p, "socket", 's',
				    "\tfailed to open a socket for connecting: %s\n", strerror(errno));
	if (dst->sa_family == AF_INET6 && bt_set_v6only(s, cfg->v6only) < 0) {
		letter = probe_failed(cfg, p, "setsockopt(IPV6_V6ONLY)", '6',
				      "\tfailed setsockopt(IPV6_V6ONLY) for %s, %s\n",
				      p->address, strerror(errno));
		goto done;
	}
	if (set_nonblock(s, 1) < 0) {
		letter = probe_failed(cfg, p, "fcntl(O_NONBLOCK)", 'f',
				      "\tfailed to make connecting socket non-blocking: %s\n",
				      strerror(errno));
		goto done;
	}
	if (connect(s, dst, len) < 0 && errno != EINPROGRESS) {
		letter = probe_failed(cfg, p, "connect", 'c',
				      "\tfailed to connect a packet to %s: %s\n",
				      p->address, strerror(errno));
		goto done;
	}
	bt_say(cfg, "\ttried to connect to %s\n", p->address);
	if (wait_listeners(cfg, s, sa, sb, &ra, &rb) < 0) {
		letter = probe_failed(cfg, p, "select", 'x', "\tfailed to select: %s\n",
				      strerror(errno));
		goto done;
	}
	if (ra && (c1 = take_connection(cfg, sa, 0)) >= 0)
		got1 = 1;
	if (rb && (c2 = take_connection(cfg, sb, 1)) >= 0)
		got2 = 1;
	letter = verdict(got1, got2);
done:
	close_fd(&s);
	close_fd(&c1);
	close_fd(&c2);
	return letter;
}
