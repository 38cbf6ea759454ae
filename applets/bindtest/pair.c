/* One ordered pair of addresses: the original's sequence of socket,
 * setsockopt, bind, listen, probe and close, with its verbose lines and its
 * summary cell.
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
#define LISTEN_BACKLOG 5

/* The probe's payload: fixed bytes (the original sent uninitialised ones). */
static const char payload[PAYLOAD_LEN] = "bindtest";

/* Verbose lines are printed as the steps happen, as the original did. */
static void vsay(const struct bt_config *cfg, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void vsay(const struct bt_config *cfg, const char *fmt, va_list ap)
{
	if (!cfg->summary && !cfg->json)
		vprintf(fmt, ap);
}

static void say(const struct bt_config *cfg, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void say(const struct bt_config *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(cfg, fmt, ap);
	va_end(ap);
}

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
	vsay(cfg, fmt, ap);
	va_end(ap);
	return letter;
}

const char *bt_sockaddr_slash(const struct sockaddr *sa, socklen_t len,
			      char *buf, size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strcpy(host, "?");
		strcpy(serv, "?");
	}
	snprintf(buf, size, "%s/%s", host, serv);
	return buf;
}

static const char *addr_text(const struct bt_addr *a, char *buf, size_t size)
{
	return bt_sockaddr_slash((const struct sockaddr *)&a->ss, a->len, buf, size);
}

static void cell_add(struct bt_pair *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void cell_add(struct bt_pair *p, const char *fmt, ...)
{
	size_t used = strlen(p->cell);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->cell + used, sizeof p->cell - used, fmt, ap);
	va_end(ap);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* poll() on two descriptors for reading, retrying EINTR with the time left:
 * the number ready (with *ra, *rb set), 0 on timeout, -1 on error. */
static int poll_two(int a, int b, int timeout_ms, int *ra, int *rb)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct pollfd pfd[2] = { { .fd = a, .events = POLLIN }, { .fd = b, .events = POLLIN } };
	int n;

	*ra = *rb = 0;
	for (;;) {
		n = poll(pfd, 2, ms_left(deadline));
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n > 0) {
		*ra = !!(pfd[0].revents & (POLLIN | POLLERR | POLLHUP));
		*rb = !!(pfd[1].revents & (POLLIN | POLLERR | POLLHUP));
	}
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

static const char *nth(int which)
{
	return which == 0 ? "1st" : "2nd";
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
			say(cfg, "\tfailed to recvfrom on the %s socket: %s\n",
			    nth(which), strerror(errno));
		return 0;
	}
	say(cfg, "\trecv %zd bytes from %s on the %s socket\n", n,
	    bt_sockaddr_slash((struct sockaddr *)&from, fromlen, from_text, sizeof from_text),
	    nth(which));
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

/* Wait, with the bound, until this probe's fence has come. */
static void wait_fence(const struct bt_config *cfg, int fence)
{
	int64_t deadline = now_ms() + cfg->wait_ms;
	unsigned got;

	for (;;) {
		while (recv(fence, &got, sizeof got, MSG_DONTWAIT) == (ssize_t)sizeof got)
			if (got == fence_seq)
				return;
		if (wait_readable(fence, ms_left(deadline)) <= 0)
			return;
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
	int ra, rb;

	if (fence >= 0) {
		/* Bounded: a lost fence only costs the bound, not the verdict. */
		wait_fence(cfg, fence);
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
	drain(sa);
	drain(sb);
	return 0;
}

static int set_v6only(int fd, int on)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
}

static char udp_probe(const struct bt_config *cfg, int sa, int sb,
		      const struct sockaddr *dst, socklen_t len, struct bt_probe *p)
{
	int s, got1 = 0, got2 = 0, on = 1;
	char letter;

	s = socket(dst->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return probe_failed(cfg, p, "socket", 's',
				    "\tfailed to open a socket for sending: %s\n", strerror(errno));
	if (cfg->have_bcast && setsockopt(s, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0)
		say(cfg, "\tfailed setsockopt(SO_BROADCAST) for %s, %s\n",
		    p->address, strerror(errno));
	if (dst->sa_family == AF_INET6 && set_v6only(s, cfg->v6only) < 0) {
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
	say(cfg, "\tsend %d bytes to %s\n", PAYLOAD_LEN, p->address);
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
		say(cfg, "\tfailed to accept on the %s socket: %s\n", nth(which), strerror(errno));
		return -1;
	}
	say(cfg, "\taccepted a connection from %s on the %s socket\n",
	    bt_sockaddr_slash((struct sockaddr *)&from, fromlen, from_text, sizeof from_text),
	    nth(which));
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

static char tcp_probe(const struct bt_config *cfg, int sa, int sb,
		      const struct sockaddr *dst, socklen_t len, struct bt_probe *p)
{
	int s = -1, c1 = -1, c2 = -1, ra, rb, got1 = 0, got2 = 0;
	char letter;

	s = socket(dst->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return probe_failed(cfg, p, "socket", 's',
				    "\tfailed to open a socket for connecting: %s\n", strerror(errno));
	if (dst->sa_family == AF_INET6 && set_v6only(s, cfg->v6only) < 0) {
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
	say(cfg, "\ttried to connect to %s\n", p->address);
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

/* ---- the pair ------------------------------------------------------------ */

/* Probe one slot of the cell: dst NULL means not tried ('-'). */
static void probe_slot(const struct bt_config *cfg, struct bt_pair *out, int sa, int sb,
		       const char *target, const struct sockaddr_storage *dst, socklen_t len)
{
	struct bt_probe *p = &out->probe[out->nprobes++];

	memset(p, 0, sizeof *p);
	p->target = target;
	if (!dst) {
		p->letter = '-';
	} else if (out->listen_failed) {
		/* A probe of 1.51's would have tried the listen, and failed. */
		int which = out->listen_failed == 'L';

		bt_sockaddr_slash((const struct sockaddr *)dst, len, p->address, sizeof p->address);
		p->letter = out->listen_failed;
		p->failed_step = which ? "listen(2nd)" : "listen(1st)";
		p->err = out->side[which].listen.err;
		say(cfg, "\tfailed to listen for the %s socket: %s\n", nth(which),
		    strerror(p->err));
	} else {
		bt_sockaddr_slash((const struct sockaddr *)dst, len, p->address, sizeof p->address);
		p->letter = (cfg->socktype == SOCK_DGRAM ? udp_probe : tcp_probe)
			(cfg, sa, sb, (const struct sockaddr *)dst, len, p);
	}
	cell_add(out, "%c", p->letter);
}

static void probe_pair(const struct bt_config *cfg, struct bt_pair *out, int sa, int sb)
{
	const struct bt_addr *a = out->first, *b = out->second;

	if (cfg->socktype == SOCK_DGRAM) {
		probe_slot(cfg, out, sa, sb, "1st", a->host ? &a->ss : NULL, a->len);
		probe_slot(cfg, out, sa, sb, "2nd", b->host ? &b->ss : NULL, b->len);
		if (cfg->have_other4)
			probe_slot(cfg, out, sa, sb, "other", &cfg->other4, cfg->other4_len);
		if (cfg->have_other6)
			probe_slot(cfg, out, sa, sb, "other6", &cfg->other6, cfg->other6_len);
		/* 1.51 keeps the broadcast slot ('-') without -b, unlike -o's. */
		probe_slot(cfg, out, sa, sb, "broadcast",
			   cfg->have_bcast ? &cfg->bcast6 : NULL, cfg->bcast6_len);
	} else if (cfg->reuseaddr || cfg->reuseport) {
		/* Without a reuse option the original connects nowhere: the
		 * TIME_WAIT left behind would fail the following binds. */
		probe_slot(cfg, out, sa, sb, "1st",
			   a->host && cfg->connect1st ? &a->ss : NULL, a->len);
		probe_slot(cfg, out, sa, sb, "2nd",
			   b->host && cfg->connect2nd ? &b->ss : NULL, b->len);
		probe_slot(cfg, out, sa, sb, "other",
			   cfg->have_other4 ? &cfg->other4 : NULL, cfg->other4_len);
		probe_slot(cfg, out, sa, sb, "other6",
			   cfg->have_other6 ? &cfg->other6 : NULL, cfg->other6_len);
	}
}

static int step(struct bt_step *st, int r)
{
	st->tried = 1;
	st->err = r < 0 ? errno : 0;
	return r;
}

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof value);
}

/* SO_REUSEADDR ('A') or SO_REUSEPORT ('P') on both sockets: 0, or -1 with
 * the cell ?X (first) or !X (second) set. */
static int set_reuse(const struct bt_config *cfg, struct bt_pair *out, const int fd[2],
		     int optname)
{
	const struct bt_addr *ad[2] = { out->first, out->second };
	int addr = optname == SO_REUSEADDR;
	char text[80];

	for (int i = 0; i < 2; i++) {
		struct bt_side *side = &out->side[i];

		if (step(addr ? &side->reuseaddr : &side->reuseport,
			 set_int(fd[i], SOL_SOCKET, optname, 1)) < 0) {
			say(cfg, "\tfailed setsockopt(%s) for %s, %s\n",
			    addr ? "SO_REUSEADDR" : "SO_REUSEPORT",
			    addr_text(ad[i], text, sizeof text), strerror(errno));
			cell_add(out, "%c%c", i == 0 ? '?' : '!', addr ? 'A' : 'P');
			return -1;
		}
	}
	return 0;
}

/* The socket options, in the original's order: 0, or -1 with the cell set. */
static int set_options(const struct bt_config *cfg, struct bt_pair *out, int sa, int sb)
{
	const struct bt_addr *ad[2] = { out->first, out->second };
	const int fd[2] = { sa, sb };
	char text[80];

	if (cfg->reuseaddr && set_reuse(cfg, out, fd, SO_REUSEADDR) < 0)
		return -1;
	if (cfg->reuseport && set_reuse(cfg, out, fd, SO_REUSEPORT) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (ad[i]->family != AF_INET6)
			continue;
		if (step(&out->side[i].v6only, set_v6only(fd[i], cfg->v6only)) < 0) {
			say(cfg, "\tfailed setsockopt(IPV6_V6ONLY, %d) for %s, %s\n", cfg->v6only,
			    addr_text(ad[i], text, sizeof text), strerror(errno));
			cell_add(out, "?6");
			return -1;
		}
	}
	return 0;
}

/* bind(), and listen() for TCP unless delayed: 0, or -1 with the cell set. */
static int bind_one(const struct bt_config *cfg, struct bt_pair *out, int which, int fd)
{
	const struct bt_addr *ad = which == 0 ? out->first : out->second;
	struct bt_side *side = &out->side[which];
	char text[80];

	addr_text(ad, text, sizeof text);
	say(cfg, "\tbind socket for %s\n", text);
	if (step(&side->bind, bind(fd, (const struct sockaddr *)&ad->ss, ad->len)) < 0) {
		say(cfg, "\tfailed bind for %s, %s\n", text, strerror(errno));
		if (which == 0)
			cell_add(out, "?1(%d)", errno);
		else if (errno == EADDRINUSE)
			cell_add(out, "x");
		else
			cell_add(out, "?2(%d)", errno);
		return -1;
	}
	if (cfg->socktype == SOCK_STREAM && !cfg->delayed_listen &&
	    step(&side->listen, listen(fd, LISTEN_BACKLOG)) < 0) {
		say(cfg, "\tfailed listen on for %s: %s\n", text, strerror(errno));
		cell_add(out, "L%d?(%d)", which + 1, errno);
		return -1;
	}
	return 0;
}

/* -l: both sockets listen once both are bound, as 1.51's manual says.
 * 1.51 itself listened only right before a connect, so that without one
 * nothing listened: the outcome is kept for -j, and a failure is shown,
 * with 1.51's letter and line, only by a probe (probe_slot).  0, or the
 * letter of the listen that failed: 'l' the first socket's (the second is
 * then not tried), 'L' the second's. */
static char listen_both(struct bt_pair *out, int sa, int sb)
{
	const int fd[2] = { sa, sb };

	for (int i = 0; i < 2; i++)
		if (step(&out->side[i].listen, listen(fd[i], LISTEN_BACKLOG)) < 0)
			return i == 0 ? 'l' : 'L';
	return 0;
}

static int open_one(const struct bt_config *cfg, struct bt_pair *out, int which)
{
	const struct bt_addr *ad = which == 0 ? out->first : out->second;
	char text[80];
	int fd = socket(ad->family, cfg->socktype | SOCK_CLOEXEC, 0);

	step(&out->side[which].socket, fd);
	if (fd < 0) {
		/* The original printed these two the wrong way round. */
		say(cfg, "\tfailed socket for %s, %s\n", addr_text(ad, text, sizeof text),
		    strerror(errno));
		cell_add(out, "!%d", which + 1);
	}
	return fd;
}

void bt_run_pair(const struct bt_config *cfg, const struct bt_addr *a,
		 const struct bt_addr *b, struct bt_pair *out)
{
	int sa = -1, sb = -1;

	memset(out, 0, sizeof *out);
	out->first = a;
	out->second = b;
	say(cfg, "%s then %s\n", a->name, b->name);
	/* Both sockets exist before either is bound. */
	if ((sa = open_one(cfg, out, 0)) < 0 || (sb = open_one(cfg, out, 1)) < 0)
		goto done;
	if (set_options(cfg, out, sa, sb) < 0)
		goto done;
	if (bind_one(cfg, out, 0, sa) < 0 || bind_one(cfg, out, 1, sb) < 0)
		goto done;
	out->bound = 1;
	if (cfg->socktype == SOCK_STREAM && cfg->delayed_listen)
		out->listen_failed = listen_both(out, sa, sb);
	cell_add(out, "o[");
	probe_pair(cfg, out, sa, sb);
	cell_add(out, "]");
done:
	close_fd(&sa);
	close_fd(&sb);
}
