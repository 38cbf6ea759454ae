/* Report mode (-c HOST PORT): connect with MPTCP, optionally wait for
 * subflows and move data, then describe the connection, once or at an
 * interval. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "err.h"
#include "io.h"
#include "modes.h"
#include "net.h"
#include "pm.h"
#include "subflows.h"

/* Acknowledgements and (without the event socket) subflows give no event
 * to wait on: they are looked at again this often. */
#define RECHECK_MS 2

_Noreturn void mpt_skip_unavailable(int errnum)
{
	printf("1..0 # SKIP MPTCP is unavailable: %s\n", strerror(errnum));
	fflush(stdout);
	mpt_die_unavailable(errnum);
}

_Noreturn void mpt_die_unavailable(int errnum)
{
	die_code(EXIT_SKIP, "MPTCP is unavailable (socket: %s); "
		 "is net.mptcp.enabled 0 or the kernel built without MPTCP?", strerror(errnum));
}

/* ---- reading the connection ---- */

static void read_names(int fd, struct sockaddr_storage *local, struct sockaddr_storage *remote)
{
	socklen_t len = sizeof *local;

	memset(local, 0, sizeof *local);
	memset(remote, 0, sizeof *remote);
	getsockname(fd, (struct sockaddr *)local, &len);
	len = sizeof *remote;
	getpeername(fd, (struct sockaddr *)remote, &len);
}

/* Fallback to TCP: TCP_IS_MPTCP reads 0 (6.10+); before that, MPTCP_INFO
 * is refused after fallback, or its flags say so. */
static void read_mptcp_state(int fd, struct mpt_conn *c)
{
	socklen_t len = sizeof c->info;
	int is_mptcp = -1;
	socklen_t ilen = sizeof is_mptcp;

	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, c->info, &len) == 0) {
		c->info_len = len;
		c->fallback = (mpt_field_get(c->info, len, MI_OFF_FLAGS, 4) &
			       MPTCP_INFO_FLAG_FALLBACK) != 0;
	} else if (errno == EOPNOTSUPP || errno == ENOPROTOOPT) {
		c->fallback = 1;
	} else {
		die_errno("getsockopt MPTCP_INFO");
	}
	if (getsockopt(fd, SOL_TCP, SK_TCP_IS_MPTCP, &is_mptcp, &ilen) == 0 && is_mptcp == 0)
		c->fallback = 1;
	if (c->fallback)
		c->info_len = 0;
}

/* The subflows at the kernel's stride, addresses and tcp_info paired. */
static void read_subflows(int fd, struct mpt_conn *c)
{
	static struct mpt_subflow_reply ti, addrs;

	if (mpt_subflow_request(fd, MPTCP_TCPINFO, TI_BUF, MPT_ELEMS_MAX, &ti) < 0)
		die_errno("getsockopt MPTCP_TCPINFO");
	if (mpt_subflow_request(fd, MPTCP_SUBFLOW_ADDRS, sizeof(struct mptcp_subflow_addrs),
				MPT_ELEMS_MAX, &addrs) < 0)
		die_errno("getsockopt MPTCP_SUBFLOW_ADDRS");
	c->num_subflows = ti.d.num_subflows;
	c->nsf = ti.count < addrs.count ? ti.count : addrs.count;
	for (unsigned i = 0; i < c->nsf; i++) {
		const struct mptcp_subflow_addrs *a = (const void *)addrs.elem[i];

		c->sf[i].ti_len = ti.d.size_user;
		memcpy(c->sf[i].ti, ti.elem[i], ti.d.size_user);
		c->sf[i].local = a->local;
		c->sf[i].remote = a->remote;
	}
}

/* After fallback the socket is one plain TCP connection: its own subflow. */
static void read_tcp(int fd, struct mpt_conn *c)
{
	struct mpt_subflow *s = &c->sf[0];
	socklen_t len = sizeof s->ti;

	if (getsockopt(fd, SOL_TCP, SK_TCP_INFO, s->ti, &len) < 0) {
		/* Before 5.16 an MPTCP socket answers neither MPTCP_INFO nor
		 * TCP_INFO: nothing to report with. */
		if (errno == EOPNOTSUPP || errno == ENOPROTOOPT)
			die_code(EXIT_SKIP, "this kernel answers neither MPTCP_INFO nor TCP_INFO "
				 "on MPTCP sockets (5.16+)");
		die_errno("getsockopt TCP_INFO");
	}
	s->ti_len = len;
	read_names(fd, &s->local, &s->remote);
	c->nsf = c->num_subflows = 1;
}

static void read_conn(int fd, struct mpt_conn *c)
{
	memset(c, 0, sizeof *c);
	read_names(fd, &c->local, &c->remote);
	read_mptcp_state(fd, c);
	/* The connection's own state is sock_diag's (5.9, which every kernel
	 * this supports has).  TCP_INFO on the MPTCP socket is its first
	 * subflow's, which stays established after the peer has closed. */
	c->state = mpt_diag_state(c, 1000);
	if (c->fallback)
		read_tcp(fd, c);
	else
		read_subflows(fd, c);
}

/* ---- before sampling: data and subflows ---- */

struct progress {
	unsigned long long sent, total;
	unsigned subflows, want;
	int acked;
};

/* Write what the socket takes now, without blocking. */
static void send_some(int fd, struct progress *p)
{
	/* Not const: zeros in .bss cost nothing, while a const array puts
	 * 64 KiB of zeros into the file (.rodata). */
	static unsigned char chunk[65536];

	while (p->sent < p->total) {
		size_t n = p->total - p->sent < sizeof chunk ? (size_t)(p->total - p->sent)
							     : sizeof chunk;
		ssize_t w = send(fd, chunk, n, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w < 0)
			die_errno("sending %llu bytes", p->total);
		p->sent += (unsigned long long)w;
	}
}

/* The bytes written and not yet acknowledged at the data level
 * (TIOCOUTQ on an MPTCP socket: write_seq - snd_una). */
static unsigned long long unacked(int fd)
{
	int queued = -1;

	if (ioctl(fd, SK_SIOCOUTQ, &queued) < 0)
		die_errno("ioctl TIOCOUTQ");
	return queued > 0 ? (unsigned long long)queued : 0;
}

/* All of it written and acknowledged. */
static int all_acked(int fd, const struct progress *p)
{
	/* Nothing to send, nothing to wait for (and after a fallback at
	 * connect, 6.18 reads 1 here until data has moved). */
	if (p->total == 0)
		return 1;
	if (p->sent < p->total)
		return 0;
	return unacked(fd) == 0;
}

#define MI_OFF_LOCAL_ADDR_MAX 41        /* 5.12: this host's `subflow` endpoints */

/* Why the subflows did not come, as far as this side can tell from its
 * mptcp_info: announcements it took, its limit, its own endpoints. */
static const char *subflow_hint(int fd, const struct progress *p)
{
	unsigned char info[MI_BUF];
	socklen_t len = sizeof info;

	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, info, &len) < 0 ||
	    len <= MI_OFF_LOCAL_ADDR_MAX)
		return "";
	if (info[MI_OFF_ADD_ADDR_ACCEPTED])
		return " (an announced address was taken, no join came up: a server on one "
		       "address (-l HOST) refuses joins to others; use 0.0.0.0 or ::)";
	if (!info[MI_OFF_LOCAL_ADDR_MAX])
		return " (no `subflow` endpoint, no announced address taken: none came, or "
		       "the add_addr_accepted limit refused it)";
	return p->total ? "" : " (`subflow` endpoints open subflows once data is "
			       "acknowledged: try --send)";
}

static _Noreturn void missed_deadline(int fd, const struct progress *p, int timeout_s)
{
	if (p->subflows < p->want)
		die("%u of %u subflows established within %d s%s", p->subflows, p->want,
		    timeout_s, subflow_hint(fd, p));
	unsigned long long pending = unacked(fd);

	die("%llu of %llu bytes acknowledged within %d s (%llu written; a peer that "
	    "does not read stops acknowledging)",
	    pending < p->sent ? p->sent - pending : 0, p->total, timeout_s, p->sent);
}

/* Send, and wait for the subflows, until both are done. */
static void prepare_sample(int fd, int events, const struct mpt_report_opts *o,
			   int64_t deadline)
{
	struct progress p = { 0, o->send_bytes, 0, o->subflows, 0 };

	for (;;) {
		struct pollfd pf[2];
		nfds_t n = 0;
		int n_est, busy;
		int64_t until = deadline;

		send_some(fd, &p);
		n_est = p.want > 1 ? mpt_established_subflows(fd) : 1;
		if (n_est < 0)
			die_errno("counting the subflows (getsockopt MPTCP_TCPINFO)");
		p.subflows = (unsigned)n_est;
		p.acked = all_acked(fd, &p);
		if (p.acked && p.subflows >= p.want)
			return;
		if (now_ms() >= deadline)
			missed_deadline(fd, &p, o->timeout_s);
		if (p.sent < p.total)
			pf[n++] = (struct pollfd){ fd, POLLOUT, 0 };
		if (events >= 0 && p.subflows < p.want)
			pf[n++] = (struct pollfd){ events, POLLIN, 0 };
		busy = (p.sent == p.total && !p.acked) || (events < 0 && p.subflows < p.want);
		if (busy && now_ms() + RECHECK_MS < deadline)
			until = now_ms() + RECHECK_MS;
		if (poll_until(pf, n, until) < 0)
			die_errno("poll");
		for (nfds_t i = 0; i < n; i++)
			if (pf[i].fd == events && pf[i].revents)
				mpt_drain_events(events);
	}
}

/* ---- the mode ---- */

static int connect_mptcp(const struct mpt_report_opts *o, int64_t deadline)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	int fd;

	if (parse_numeric_addr(o->host, o->family, o->port, &peer, &plen))
		die_usage("%s: not a numeric %saddress", o->host, o->family == AF_INET ? "IPv4 "
			  : o->family == AF_INET6 ? "IPv6 " : "");
	fd = socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0) {
		if (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT)
			mpt_die_unavailable(errno);
		die_errno("socket");
	}
	if (net_connect(fd, (struct sockaddr *)&peer, plen, ms_left(deadline)) < 0)
		die_errno("connect to %s port %u", o->host, o->port);
	return fd;
}

int mpt_report_mode(const struct mpt_report_opts *o)
{
	static struct mpt_conn c;
	int64_t deadline = now_ms() + (int64_t)o->timeout_s * 1000;
	/* Subscribed before connecting, so that no subflow goes unseen; a
	 * process without the privilege to join falls back to looking. */
	int events = o->subflows > 1 ? mpt_pm_events(1000) : -1;
	int fd = connect_mptcp(o, deadline);

	if (o->subflows > 1) {
		read_conn(fd, &c);
		if (c.fallback)
			die("the connection fell back to TCP: it has no subflows to wait for");
	}
	prepare_sample(fd, events, o, deadline);
	for (unsigned k = 0; k < o->count; k++) {
		if (k > 0) {
			poll_until(NULL, 0, now_ms() + o->interval_ms);
			if (!o->json)
				putchar('\n');
		}
		read_conn(fd, &c);
		if (o->json)
			mpt_conn_print_json(&c, stdout);
		else
			mpt_conn_print_text(&c, stdout);
		if (fflush(stdout) == EOF)
			die_errno("stdout");
	}
	if (events >= 0)
		close(events);
	close(fd);
	return EXIT_OK;
}
