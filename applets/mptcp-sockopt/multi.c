/* The checks only several subflows can make: the subflow counters, every
 * element of the subflow lists at the kernel's stride, a request with room
 * for fewer elements than subflows, MPTCP_FULL_INFO for every subflow, and
 * the byte counters of data that crossed several subflows. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "conform.h"
#include "net.h"

#define HDR ((uint32_t)sizeof(struct mptcp_subflow_data))
#define ADDRS_ELEM ((uint32_t)sizeof(struct mptcp_subflow_addrs))
#define CANARY 0xa5

/* ---- where a subflow runs ---- */

static int same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
			       &((const struct sockaddr_in *)(const void *)b)->sin_addr, 4);
	return !memcmp(&((const struct sockaddr_in6 *)(const void *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr, 16);
}

/* The link an address of one side is on, or -1. */
static int link_of(const struct mpt_run *run, enum mpt_role side,
		   const struct sockaddr_storage *ss)
{
	const struct sockaddr_storage *addrs = side == MPT_SERVER ? run->server_addr
								  : run->client_addr;

	for (unsigned i = 0; i < run->subflows; i++)
		if (same_host(ss, &addrs[i]))
			return (int)i;
	return -1;
}

static const struct mptcp_subflow_addrs *addrs_at(const struct mpt_side *st, unsigned i)
{
	return (const void *)st->addrs.elem[i];
}

/* ---- MPTCP_INFO's subflow counters ---- */

static void check_counts(struct mpt_side *st)
{
	enum mpt_check id = st->ids->subflow_counts;
	const unsigned char *b = st->info;
	size_t len = st->info_len;
	unsigned extra = st->run->subflows - 1;

	if (!len)
		return;                 /* sample_info failed and said why */
	mpt_eq(id, "additional subflows (mptcpi_subflows)", b[MI_OFF_SUBFLOWS], extra);
	mpt_eq(id, "subflows_max (the limit set)", b[MI_OFF_SUBFLOWS_MAX], extra);
	if (st->side == MPT_SERVER)
		mpt_eq(id, "add_addr_signal (addresses announced)",
		       b[MI_OFF_ADD_ADDR_SIGNAL], extra);
	else
		mpt_eq(id, "add_addr_accepted (announcements taken)",
		       b[MI_OFF_ADD_ADDR_ACCEPTED], extra);
	if (mpt_field_covered(len, MI_OFF_SUBFLOWS_TOTAL, 1))
		mpt_eq(id, "subflows_total (6.8+: the first one included)",
		       b[MI_OFF_SUBFLOWS_TOTAL], st->run->subflows);
}

/* ---- every element, at the kernel's stride ---- */

static void check_tcpinfo_each(struct mpt_side *st)
{
	enum mpt_check id = st->ids->tcpinfo_each;
	size_t len = st->ti.d.size_user;

	if (!st->have_ti)
		return;                 /* MPTCP_TCPINFO failed and said why */
	mpt_eq(id, "elements in the reply", st->ti.count, st->run->subflows);
	for (unsigned i = 0; i < st->ti.count; i++) {
		const unsigned char *ti = st->ti.elem[i];
		char state[16];

		mpt_that(id, ti[TI_OFF_STATE] == MPT_TCP_ESTABLISHED,
			 "subflow %u tcpi_state: expected established, got %s", i,
			 mpt_tcp_state_name(ti[TI_OFF_STATE], state, sizeof state));
		mpt_that(id, mpt_field_get(ti, len, TI_OFF_RTT, 4) > 0,
			 "subflow %u tcpi_rtt: expected > 0, got 0", i);
	}
}

/* Element i's addresses: this side's and the peer's address on one link,
 * the port of the connection on the server's end. */
static void check_addrs_element(struct mpt_side *st, unsigned i, unsigned *seen)
{
	enum mpt_check id = st->ids->addrs_each;
	enum mpt_role peer = st->side == MPT_SERVER ? MPT_CLIENT : MPT_SERVER;
	const struct mptcp_subflow_addrs *a = addrs_at(st, i);
	const struct sockaddr_storage *server_end = st->side == MPT_SERVER ? &a->local
									   : &a->remote;
	int local = link_of(st->run, st->side, &a->local);
	int remote = link_of(st->run, peer, &a->remote);
	char t1[80], t2[80];

	if (!mpt_that(id, local >= 0 && remote >= 0 && local == remote,
		      "subflow %u: expected this side's and the peer's address on one link, got local %s remote %s",
		      i, mpt_addr_text(&a->local, t1, sizeof t1),
		      mpt_addr_text(&a->remote, t2, sizeof t2)))
		return;
	mpt_that(id, !(*seen & (1u << local)), "subflow %u: link %d has two subflows", i, local);
	*seen |= 1u << local;
	mpt_eq(id, "the server end's port", sockaddr_port((const struct sockaddr *)server_end),
	       sockaddr_port((const struct sockaddr *)&st->run->addr));
}

static void check_addrs_each(struct mpt_side *st)
{
	unsigned seen = 0;

	if (!st->have_addrs)
		return;
	mpt_eq(st->ids->addrs_each, "elements in the reply", st->addrs.count, st->run->subflows);
	for (unsigned i = 0; i < st->addrs.count; i++)
		check_addrs_element(st, i, &seen);
}

/* ---- room for one element of several ---- */

/* Elements of the kernel's size, room for one and all but a byte of a
 * second: the kernel fills the one, counts them all, writes nothing more. */
static void room_for_one(struct mpt_side *st, int fd, int optname, const char *opt,
			 uint32_t size)
{
	enum mpt_check id = st->ids->room_for_one;
	_Alignas(8) unsigned char buf[sizeof(struct mptcp_subflow_data) + 2 * TI_BUF];
	struct mptcp_subflow_data d = { HDR, 0, 0, size };
	socklen_t len = HDR + 2 * size - 1;

	if (size == 0 || size > TI_BUF)
		return;                 /* the sample failed and said why */
	memset(buf, CANARY, sizeof buf);
	memcpy(buf, &d, HDR);
	if (getsockopt(fd, SOL_MPTCP, optname, buf, &len) < 0) {
		mpt_sockopt_error(id, opt, errno);
		return;
	}
	memcpy(&d, buf, HDR);
	mpt_that(id, d.num_subflows == st->run->subflows,
		 "%s num_subflows (all of them, though one fits): expected %u, got %u",
		 opt, st->run->subflows, d.num_subflows);
	mpt_that(id, len == HDR + size,
		 "%s optlen (header + the one element that fits): expected %u, got %u",
		 opt, HDR + size, (unsigned)len);
	for (size_t i = HDR + size; i < HDR + 2 * size - 1; i++) {
		if (buf[i] != CANARY) {
			mpt_fail(id, "%s: expected nothing written past the one element that fits, got byte %zu", opt, i);
			break;
		}
	}
}

/* ---- MPTCP_FULL_INFO for every subflow ---- */

static void full_info_element(struct mpt_side *st, const struct mpt_full_reply *r,
			      unsigned i, unsigned *ids)
{
	enum mpt_check id = st->ids->full_info_each;
	size_t ti_len = st->ti.d.size_user;

	mpt_that(id, r->sf[i].id >= 1 && r->sf[i].id <= st->run->subflows &&
		 !(*ids & (1u << r->sf[i].id)),
		 "subflow %u id: expected a distinct one of 1 to %u, got %u", i,
		 st->run->subflows, r->sf[i].id);
	if (r->sf[i].id < 32)
		*ids |= 1u << r->sf[i].id;
	if (st->have_addrs && i < st->addrs.count)
		mpt_that(id, !memcmp(&r->sf[i].addrs, addrs_at(st, i), ADDRS_ELEM),
			 "subflow %u addresses differ from MPTCP_SUBFLOW_ADDRS's", i);
	if (st->have_ti && i < st->ti.count && ti_len >= TI_SIZE_BYTES_SENT) {
		mpt_eq(id, "tcp_info tcpi_bytes_sent (as MPTCP_TCPINFO)",
		       mpt_field_get(r->ti[i], TI_BUF, TI_OFF_BYTES_SENT, 8),
		       mpt_field_get(st->ti.elem[i], ti_len, TI_OFF_BYTES_SENT, 8));
		mpt_eq(id, "tcp_info tcpi_bytes_received (as MPTCP_TCPINFO)",
		       mpt_field_get(r->ti[i], TI_BUF, TI_OFF_BYTES_RECEIVED, 8),
		       mpt_field_get(st->ti.elem[i], ti_len, TI_OFF_BYTES_RECEIVED, 8));
	}
}

static void check_full_info_each(struct mpt_side *st, int fd)
{
	enum mpt_check id = st->ids->full_info_each;
	static struct mpt_full_reply r;
	unsigned ids = 0;

	if (mpt_full_info_request(fd, MPT_ELEMS_MAX, &r) < 0) {
		mpt_sockopt_error(id, "MPTCP_FULL_INFO (6.5+)", errno);
		return;
	}
	mpt_eq(id, "elements in the reply", r.count, st->run->subflows);
	for (unsigned i = 0; i < r.count; i++)
		full_info_element(st, &r, i, &ids);
	/* Room for one: the kernel counts them all and fills one. */
	if (mpt_full_info_request(fd, 1, &r) < 0) {
		mpt_fail(id, "MPTCP_FULL_INFO with room for one: %s", strerror(errno));
		return;
	}
	mpt_eq(id, "num_subflows with room for one", r.h.num_subflows, st->run->subflows);
	mpt_eq(id, "elements with room for one", r.count, 1);
}

/* ---- byte counters across subflows ---- */

static uint64_t ti_u64(const struct mpt_side *st, unsigned i, size_t off)
{
	return mpt_field_get(st->ti.elem[i], st->ti.d.size_user, off, 8);
}

/* This side's subflows add up to at least what crossed the connection
 * (more where the kernel sent data again on another subflow). */
static void check_sums(struct mpt_side *st, const struct mpt_expect *ex)
{
	enum mpt_check id = st->ids->subflow_bytes;
	uint64_t sent = 0, retrans = 0, received = 0;

	if (!st->have_ti || !st->have_addrs || st->ti.d.size_user < TI_SIZE_BYTES_RETRANS)
		return;
	for (unsigned i = 0; i < st->ti.count; i++) {
		char t1[80];

		sent += ti_u64(st, i, TI_OFF_BYTES_SENT);
		retrans += ti_u64(st, i, TI_OFF_BYTES_RETRANS);
		received += ti_u64(st, i, TI_OFF_BYTES_RECEIVED);
		mpt_verbose(st, "subflow %u from %s carried bytes_sent=%llu bytes_received=%llu",
			    i, mpt_addr_text(&addrs_at(st, i)->local, t1, sizeof t1),
			    (unsigned long long)ti_u64(st, i, TI_OFF_BYTES_SENT),
			    (unsigned long long)ti_u64(st, i, TI_OFF_BYTES_RECEIVED));
	}
	mpt_that(id, sent - retrans >= ex->written,
		 "tcpi_bytes_sent - tcpi_bytes_retrans over the subflows: expected at least %llu, got %llu",
		 (unsigned long long)ex->written, (unsigned long long)(sent - retrans));
	mpt_that(id, received >= ex->read,
		 "tcpi_bytes_received over the subflows: expected at least %llu, got %llu",
		 (unsigned long long)ex->read, (unsigned long long)received);
}

void mpt_sample_multi(struct mpt_side *st, int fd, const struct mpt_expect *ex)
{
	check_counts(st);
	check_tcpinfo_each(st);
	check_addrs_each(st);
	room_for_one(st, fd, MPTCP_TCPINFO, "MPTCP_TCPINFO", st->ti.d.size_kernel);
	room_for_one(st, fd, MPTCP_SUBFLOW_ADDRS, "MPTCP_SUBFLOW_ADDRS",
		     st->addrs.d.size_kernel);
	if (ex->after) {
		check_full_info_each(st, fd);
		check_sums(st, ex);
	}
}

/* ---- the two sides' subflows against each other ---- */

void mpt_share_links(struct mpt_side *st)
{
	struct mpt_shared *sh = st->run->shared;

	if (!st->have_ti || !st->have_addrs || st->ti.d.size_user < TI_SIZE_BYTES_RETRANS)
		return;
	for (unsigned i = 0; i < st->ti.count && i < st->addrs.count; i++) {
		struct mpt_link_bytes *l = &sh->client_links[i];
		int link = link_of(st->run, MPT_CLIENT, &addrs_at(st, i)->local);

		l->link = link < 0 ? ~0u : (unsigned)link;
		l->sent = ti_u64(st, i, TI_OFF_BYTES_SENT);
		l->retrans = ti_u64(st, i, TI_OFF_BYTES_RETRANS);
		l->received = ti_u64(st, i, TI_OFF_BYTES_RECEIVED);
		sh->client_nlinks = i + 1;
	}
	__atomic_store_n(&sh->client_links_ready, 1, __ATOMIC_RELEASE);
}

/* No subflow receives more new bytes than its other end sent new. */
static void compare_link(struct mpt_side *st, const struct mpt_link_bytes *c, unsigned i)
{
	enum mpt_check id = st->ids->subflow_bytes;
	uint64_t received = ti_u64(st, i, TI_OFF_BYTES_RECEIVED);
	uint64_t sent = ti_u64(st, i, TI_OFF_BYTES_SENT);
	uint64_t retrans = ti_u64(st, i, TI_OFF_BYTES_RETRANS);

	mpt_that(id, received <= c->sent - c->retrans,
		 "link %u: the server received %llu bytes, the client sent %llu new",
		 c->link, (unsigned long long)received,
		 (unsigned long long)(c->sent - c->retrans));
	mpt_that(id, c->received <= sent - retrans,
		 "link %u: the client received %llu bytes, the server sent %llu new",
		 c->link, (unsigned long long)c->received,
		 (unsigned long long)(sent - retrans));
}

void mpt_compare_links(struct mpt_side *st)
{
	enum mpt_check id = st->ids->subflow_bytes;
	const struct mpt_shared *sh = st->run->shared;

	if (!st->have_ti || !st->have_addrs || st->ti.d.size_user < TI_SIZE_BYTES_RETRANS)
		return;
	if (!__atomic_load_n(&sh->client_links_ready, __ATOMIC_ACQUIRE)) {
		mpt_fail(id, "the client's subflow counters never came");
		return;
	}
	for (unsigned i = 0; i < st->ti.count && i < st->addrs.count; i++) {
		int link = link_of(st->run, MPT_SERVER, &addrs_at(st, i)->local);
		unsigned j = 0;

		while (j < sh->client_nlinks && (int)sh->client_links[j].link != link)
			j++;
		if (mpt_that(id, link >= 0 && j < sh->client_nlinks,
			     "server subflow %u: no client subflow on its link", i))
			compare_link(st, &sh->client_links[j], i);
	}
}
