/* --all: every MPTCP connection of this network namespace, with its
 * subflows, from sock_diag.  The connections come from inet_diag with
 * IPPROTO_MPTCP (5.9; their mptcp_info as INET_DIAG_INFO), the subflows
 * from the TCP sockets whose INET_DIAG_ULP_INFO is MPTCP's (5.7), joined
 * by the connection's token.  `ss -Mi` shows the first half only.
 *
 * Definitions from include/uapi/linux/{sock_diag,inet_diag}.h, carried
 * for musl. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "err.h"
#include "modes.h"
#include "nl.h"

#define SOCK_DIAG_BY_FAMILY     20
#define INET_DIAG_INFO          2
#define INET_DIAG_ULP_INFO      19      /* 5.3 */
#define INET_DIAG_MAX_USED      INET_DIAG_ULP_INFO
#define INET_DIAG_REQ_PROTOCOL  3       /* 5.9: protocols above 255 */
#define INET_ULP_INFO_NAME      1
#define INET_ULP_INFO_MPTCP     3       /* 5.7 */
#define MPTCP_SUBFLOW_ATTR_TOKEN_REM    1
#define MPTCP_SUBFLOW_ATTR_TOKEN_LOC    2
#define MPTCP_SUBFLOW_ATTR_FLAGS        8
#define MPTCP_SUBFLOW_ATTR_ID_REM       9
#define MPTCP_SUBFLOW_ATTR_ID_LOC       10
#define MPTCP_SUBFLOW_ATTR_MAX_USED     10
#define TCP_LISTEN_STATE        10

struct inet_diag_sockid {
	uint16_t sport, dport;          /* network order */
	uint32_t src[4], dst[4];
	uint32_t ifindex;
	uint32_t cookie[2];
};

struct inet_diag_req_v2 {
	uint8_t family, protocol, ext, pad;
	uint32_t states;
	struct inet_diag_sockid id;
};

struct inet_diag_msg {
	uint8_t family, state, timer, retrans;
	struct inet_diag_sockid id;
	uint32_t expires, rqueue, wqueue, uid, inode;
};

/* A subflow found in the TCP dump, and the token of its connection. */
struct found_subflow {
	struct mpt_subflow sf;
	int first;                      /* the 4-tuple is its connection's own */
};

struct walk {
	struct found_subflow *sf;
	size_t nsf, cap;
	int json;
	unsigned printed;
};

static void sockaddr_of(const struct inet_diag_msg *m, int local, struct sockaddr_storage *ss)
{
	const uint32_t *addr = local ? m->id.src : m->id.dst;
	uint16_t port = local ? m->id.sport : m->id.dport;

	memset(ss, 0, sizeof *ss);
	if (m->family == AF_INET) {
		struct sockaddr_in *in = (void *)ss;

		in->sin_family = AF_INET;
		in->sin_port = port;
		memcpy(&in->sin_addr, addr, 4);
	} else {
		struct sockaddr_in6 *in6 = (void *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = port;
		memcpy(&in6->sin6_addr, addr, 16);
	}
}

/* The MPTCP nest of a TCP socket's ULP info; 0 when it has none. */
static int take_ulp(const struct nlattr *ulp, struct mpt_subflow_diag *d)
{
	const struct nlattr *u[INET_ULP_INFO_MPTCP + 1], *a[MPTCP_SUBFLOW_ATTR_MAX_USED + 1];
	const char *name;

	if (!ulp || nl_parse_attrs(nl_attr_data(ulp), nl_attr_len(ulp), u,
				   INET_ULP_INFO_MPTCP) < 0)
		return 0;
	name = nl_attr_str(u[INET_ULP_INFO_NAME]);
	if (!name || strcmp(name, "mptcp") || !u[INET_ULP_INFO_MPTCP] ||
	    nl_parse_attrs(nl_attr_data(u[INET_ULP_INFO_MPTCP]),
			   nl_attr_len(u[INET_ULP_INFO_MPTCP]), a,
			   MPTCP_SUBFLOW_ATTR_MAX_USED) < 0 ||
	    !a[MPTCP_SUBFLOW_ATTR_TOKEN_LOC])
		return 0;
	d->token_local = nl_attr_u32(a[MPTCP_SUBFLOW_ATTR_TOKEN_LOC]);
	d->token_remote = nl_attr_u32(a[MPTCP_SUBFLOW_ATTR_TOKEN_REM]);
	d->flags = nl_attr_u32(a[MPTCP_SUBFLOW_ATTR_FLAGS]);
	d->id_local = nl_attr_u8(a[MPTCP_SUBFLOW_ATTR_ID_LOC]);
	d->id_remote = nl_attr_u8(a[MPTCP_SUBFLOW_ATTR_ID_REM]);
	return 1;
}

/* The message's family header and attributes: 0, or -1 for a bad one. */
static int parse_diag(const struct nlmsghdr *h, const struct inet_diag_msg **m,
		      const struct nlattr **tb)
{
	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nl_payload_len(h) < sizeof(struct inet_diag_msg) ||
	    nl_parse_msg(h, sizeof(struct inet_diag_msg), tb, INET_DIAG_MAX_USED) < 0)
		return -1;
	*m = nl_payload(h);
	return (*m)->family == AF_INET || (*m)->family == AF_INET6 ? 0 : -1;
}

static size_t copy_attr(void *dst, size_t size, const struct nlattr *a)
{
	size_t n = a ? nl_attr_len(a) : 0;

	if (n > size)
		n = size;
	if (n)
		memcpy(dst, nl_attr_data(a), n);
	return n;
}

/* A TCP socket: kept when it is an MPTCP subflow. */
static int take_subflow(const struct nlmsghdr *h, void *arg)
{
	struct walk *w = arg;
	const struct nlattr *tb[INET_DIAG_MAX_USED + 1];
	const struct inet_diag_msg *m;
	struct found_subflow *f;

	if (parse_diag(h, &m, tb) < 0)
		return 0;
	if (w->nsf == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->sf = xrealloc(w->sf, w->cap * sizeof *w->sf);
	}
	f = &w->sf[w->nsf];
	memset(f, 0, sizeof *f);
	if (!take_ulp(tb[INET_DIAG_ULP_INFO], &f->sf.diag))
		return 0;
	f->sf.have_diag = 1;
	sockaddr_of(m, 1, &f->sf.local);
	sockaddr_of(m, 0, &f->sf.remote);
	f->sf.ti_len = copy_attr(f->sf.ti, sizeof f->sf.ti, tb[INET_DIAG_INFO]);
	w->nsf++;
	return 0;
}

static int same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return a->ss_family == b->ss_family && !memcmp(a, b, sizeof *a);
}

/* The connection's subflows, its own 4-tuple's first, then in the order
 * the kernel listed them. */
static void gather_subflows(const struct walk *w, struct mpt_conn *c)
{
	uint32_t token = mpt_conn_token(c);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < w->nsf; i++) {
			const struct mpt_subflow *s = &w->sf[i].sf;
			int own = same_endpoint(&s->local, &c->local) &&
				  same_endpoint(&s->remote, &c->remote);

			if (!c->info_len || s->diag.token_local != token || own != !pass)
				continue;
			c->num_subflows++;
			if (c->nsf < MPT_ELEMS_MAX)
				c->sf[c->nsf++] = *s;
		}
	}
}

/* An MPTCP connection: printed with its subflows. */
static int take_connection(const struct nlmsghdr *h, void *arg)
{
	static struct mpt_conn c;
	struct walk *w = arg;
	const struct nlattr *tb[INET_DIAG_MAX_USED + 1];
	const struct inet_diag_msg *m;

	if (parse_diag(h, &m, tb) < 0)
		return 0;
	memset(&c, 0, sizeof c);
	sockaddr_of(m, 1, &c.local);
	sockaddr_of(m, 0, &c.remote);
	c.state = m->state;
	c.info_len = copy_attr(c.info, sizeof c.info, tb[INET_DIAG_INFO]);
	c.fallback = (mpt_field_get(c.info, c.info_len, MI_OFF_FLAGS, 4) &
		      MPTCP_INFO_FLAG_FALLBACK) != 0;
	gather_subflows(w, &c);
	if (!w->json && w->printed)
		putchar('\n');
	if (w->json)
		mpt_conn_print_json(&c, stdout);
	else
		mpt_conn_print_text(&c, stdout);
	w->printed++;
	return 0;
}

static int dump(int fd, int family, uint32_t protocol, int timeout_ms,
		int (*each)(const struct nlmsghdr *, void *), void *arg)
{
	struct inet_diag_req_v2 req;
	struct nl_msg m;

	memset(&req, 0, sizeof req);
	req.family = (uint8_t)family;
	/* MPTCP's number does not fit this byte: INET_DIAG_REQ_PROTOCOL
	 * carries it, and the byte must still name a known protocol. */
	req.protocol = IPPROTO_TCP;
	req.ext = 1u << (INET_DIAG_INFO - 1);
	req.states = ~(1u << TCP_LISTEN_STATE);
	nl_msg_init(&m, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof req);
	if (protocol != IPPROTO_TCP)
		nl_put_u32(&m, INET_DIAG_REQ_PROTOCOL, protocol);
	return nl_dump(fd, &m, timeout_ms, each, arg);
}

/* -c's connection among the MPTCP sockets: its state as --all reads it. */
struct state_search {
	const struct mpt_conn *c;
	int state;
};

static int take_state(const struct nlmsghdr *h, void *arg)
{
	struct state_search *s = arg;
	const struct nlattr *tb[INET_DIAG_MAX_USED + 1];
	const struct inet_diag_msg *m;
	struct sockaddr_storage local, remote;

	if (parse_diag(h, &m, tb) < 0)
		return 0;
	sockaddr_of(m, 1, &local);
	sockaddr_of(m, 0, &remote);
	if (same_endpoint(&local, &s->c->local) && same_endpoint(&remote, &s->c->remote))
		s->state = m->state;
	return 0;
}

int mpt_diag_state(const struct mpt_conn *c, int timeout_ms)
{
	static int fd = -1;
	struct state_search s = { c, -1 };

	if (fd < 0 && (fd = nl_open(NETLINK_SOCK_DIAG)) < 0)
		return -1;
	if (dump(fd, c->local.ss_family, IPPROTO_MPTCP, timeout_ms, take_state, &s) < 0)
		return -1;
	return s.state;
}

/* A kernel without IPv6 has no sock_diag for it: nothing to list there. */
static int no_family(int family)
{
	return family == AF_INET6 && (errno == ENOENT || errno == EAFNOSUPPORT);
}

int mpt_all_mode(int family, int json, int timeout_s)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct walk w = { NULL, 0, 0, json, 0 };
	int fd = nl_open(NETLINK_SOCK_DIAG);
	int timeout_ms = timeout_s * 1000;

	if (fd < 0)
		die_errno("sock_diag socket");
	/* Subflows of every family: an IPv6 connection may have IPv4 ones. */
	for (size_t i = 0; i < 2; i++)
		if (dump(fd, families[i], IPPROTO_TCP, timeout_ms, take_subflow, &w) < 0 &&
		    !no_family(families[i]))
			die_errno("sock_diag: listing the TCP sockets");
	for (size_t i = 0; i < 2; i++) {
		if (family != AF_UNSPEC && family != families[i])
			continue;
		if (dump(fd, families[i], IPPROTO_MPTCP, timeout_ms, take_connection, &w) < 0) {
			if (errno == ENOENT && families[i] == AF_INET)
				die_code(EXIT_SKIP, "sock_diag: this kernel cannot list MPTCP "
					 "connections (5.9+, module mptcp_diag)");
			if (!no_family(families[i]))
				die_errno("sock_diag: listing the MPTCP connections");
		}
	}
	free(w.sf);
	if (fflush(stdout) == EOF)
		die_errno("stdout");
	return EXIT_OK;
}
