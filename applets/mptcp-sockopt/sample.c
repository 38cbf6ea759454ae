/* What both sides sample before and after the transfer: MPTCP_INFO,
 * MPTCP_TCPINFO, MPTCP_SUBFLOW_ADDRS and MPTCP_FULL_INFO, compared with
 * what was written and read and with each other. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "conform.h"

#define HDR ((uint32_t)sizeof(struct mptcp_subflow_data))
#define ADDRS_ELEM ((uint32_t)sizeof(struct mptcp_subflow_addrs))
#define SFINFO_ELEM ((uint32_t)sizeof(struct mptcp_subflow_info))

/* ---- MPTCP_INFO ---- */

static void sample_info(struct mpt_side *st, int fd, const struct mpt_expect *ex)
{
	const struct mpt_side_ids *ids = st->ids;
	unsigned char buf[MI_BUF];
	socklen_t len = sizeof buf;
	uint64_t wdelta, rdelta, want_r;
	int err;

	memset(buf, 0, sizeof buf);
	err = mpt_gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);
	if (err) {
		mpt_sockopt_error(ids->write_seq, "MPTCP_INFO", err);
		mpt_sockopt_error(ids->rcv_nxt, "MPTCP_INFO", err);
		mpt_sockopt_error(ids->bytes, "MPTCP_INFO", err);
		return;
	}
	mpt_verbose_fields(st, ex->after ? "after MPTCP_INFO" : "before MPTCP_INFO",
			   mpt_info_fields, mpt_info_nfields, buf, len);
	if (!mpt_that(ids->write_seq, len >= MI_SIZE_MIN && len < sizeof buf,
		      "MPTCP_INFO length: expected %d to %zu, got %u",
		      MI_SIZE_MIN, sizeof buf - 1, (unsigned)len))
		return;
	if (!st->info0_len) {
		memcpy(st->info0, buf, len);
		st->info0_len = len;
	}
	memcpy(st->info, buf, len);
	st->info_len = len;

	wdelta = mpt_field_get(buf, len, MI_OFF_WRITE_SEQ, 8) -
		 mpt_field_get(st->info0, st->info0_len, MI_OFF_WRITE_SEQ, 8);
	rdelta = mpt_field_get(buf, len, MI_OFF_RCV_NXT, 8) -
		 mpt_field_get(st->info0, st->info0_len, MI_OFF_RCV_NXT, 8);
	want_r = ex->read + (ex->fin ? 1 : 0);
	mpt_eq(ids->write_seq, "write_seq advance", wdelta, ex->written);
	mpt_eq(ids->rcv_nxt, ex->fin ? "rcv_nxt advance (data + 1 for FIN)"
				     : "rcv_nxt advance", rdelta, want_r);
}

/* The 6.5+ byte counters of the latest sample, after the transfer. */
static void check_info_bytes(struct mpt_side *st, const struct mpt_expect *ex)
{
	enum mpt_check id = st->ids->bytes;
	const void *b = st->info;
	size_t len = st->info_len;

	if (!len)
		return;                 /* sample_info failed and said why */
	if (len < MI_SIZE_BYTES) {
		mpt_skip(id, "this kernel's mptcp_info is %zu bytes: no byte counters (6.5+)", len);
		return;
	}
	mpt_eq(id, "bytes_sent", mpt_field_get(b, len, MI_OFF_BYTES_SENT, 8), ex->written);
	mpt_eq(id, "bytes_received", mpt_field_get(b, len, MI_OFF_BYTES_RECEIVED, 8), ex->read);
	mpt_eq(id, "bytes_acked", mpt_field_get(b, len, MI_OFF_BYTES_ACKED, 8), ex->written);
}

/* ---- MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS ---- */

/* The checks every well-formed subflow request shares: the kernel says
 * how many subflows exist and fills one element per subflow. */
static void check_sf_reply(enum mpt_check id, const char *opt,
			   const struct mpt_subflow_reply *r, uint32_t asked, unsigned subflows)
{
	uint32_t want = r->d.size_kernel < asked ? r->d.size_kernel : asked;

	mpt_that(id, r->d.size_kernel > 0, "%s size_kernel: expected > 0, got 0", opt);
	mpt_eq(id, "size_user (min of size_kernel and the request)", r->d.size_user, want);
	mpt_eq(id, "num_subflows", r->d.num_subflows, subflows);
	mpt_eq(id, subflows == 1 ? "optlen (header + one element)"
				 : "optlen (header + one element per subflow)",
	       r->optlen, (unsigned long long)HDR + (unsigned long long)subflows * r->d.size_user);
}

static void verbose_tcpinfo(const struct mpt_side *st, const struct mpt_expect *ex)
{
	char what[64];

	mpt_verbose(st, "%s MPTCP_TCPINFO: num_subflows=%u size_kernel=%u size_user=%u",
		    ex->after ? "after" : "before", st->ti.d.num_subflows,
		    st->ti.d.size_kernel, st->ti.d.size_user);
	for (unsigned i = 0; i < st->ti.count; i++) {
		snprintf(what, sizeof what, "subflow %u tcp_info", i);
		mpt_verbose_fields(st, what, mpt_tcpinfo_fields, mpt_tcpinfo_nfields,
				   st->ti.elem[i], st->ti.d.size_user);
	}
}

static void sample_tcpinfo(struct mpt_side *st, int fd, const struct mpt_expect *ex)
{
	enum mpt_check id = st->ids->tcpinfo;
	const unsigned char *ti = st->ti.elem[0];
	size_t len;

	st->have_ti = 0;
	if (mpt_subflow_request(fd, MPTCP_TCPINFO, TI_BUF, MPT_ELEMS_MAX, &st->ti) < 0) {
		mpt_sockopt_error(id, "MPTCP_TCPINFO (5.16+)", errno);
		return;
	}
	st->have_ti = 1;
	verbose_tcpinfo(st, ex);
	check_sf_reply(id, "MPTCP_TCPINFO", &st->ti, TI_BUF, st->run->subflows);
	len = st->ti.d.size_user;
	if (!mpt_that(id, mpt_field_covered(len, TI_OFF_BYTES_SENT, 8),
		      "tcp_info of %zu bytes lacks tcpi_bytes_sent", len))
		return;
	/* With one subflow its counters are the connection's; with several,
	 * "byte counters across subflows" adds them up. */
	if (st->run->subflows > 1)
		return;
	mpt_eq(id, "tcpi_bytes_sent", mpt_field_get(ti, len, TI_OFF_BYTES_SENT, 8), ex->written);
	mpt_eq(id, "tcpi_bytes_received", mpt_field_get(ti, len, TI_OFF_BYTES_RECEIVED, 8),
	       ex->read);
}

static void verbose_addrs(const struct mpt_side *st)
{
	char t1[80], t2[80];

	for (unsigned i = 0; i < st->addrs.count; i++) {
		const struct mptcp_subflow_addrs *a = (const void *)st->addrs.elem[i];

		mpt_verbose(st, "MPTCP_SUBFLOW_ADDRS: num_subflows=%u size_kernel=%u subflow %u local=%s remote=%s",
			    st->addrs.d.num_subflows, st->addrs.d.size_kernel, i,
			    mpt_addr_text(&a->local, t1, sizeof t1),
			    mpt_addr_text(&a->remote, t2, sizeof t2));
	}
}

/* Ask for the address family only: two bytes of each element. */
static void sample_addrs_family(struct mpt_side *st, int fd,
				const struct sockaddr_storage *local,
				const struct sockaddr_storage *remote)
{
	enum mpt_check id = st->ids->addrs_family;
	struct mpt_subflow_reply r;
	const struct mptcp_subflow_addrs *a = (const void *)r.elem[0];

	if (mpt_subflow_request(fd, MPTCP_SUBFLOW_ADDRS, sizeof(sa_family_t), 1, &r) < 0) {
		mpt_fail(id, "family-only request: %s", strerror(errno));
		return;
	}
	mpt_eq(id, "optlen", r.optlen, HDR + sizeof(sa_family_t));
	mpt_eq(id, "sa_family", a->local.ss_family, (unsigned)st->run->family);
	mpt_that(id, memcmp(local, &a->local, sizeof *local) != 0,
		 "more than the family was written for the local address");
	mpt_that(id, memcmp(remote, &a->remote, sizeof *remote) != 0,
		 "the remote address was written");
}

static void sample_addrs(struct mpt_side *st, int fd)
{
	const struct mpt_side_ids *ids = st->ids;
	const struct mptcp_subflow_addrs *a0 = (const void *)st->addrs.elem[0];
	struct sockaddr_storage local, remote;
	socklen_t llen = sizeof local, rlen = sizeof remote;
	char t1[80], t2[80];

	st->have_addrs = 0;
	memset(&local, 0, sizeof local);
	memset(&remote, 0, sizeof remote);
	if (mpt_subflow_request(fd, MPTCP_SUBFLOW_ADDRS, ADDRS_ELEM, MPT_ELEMS_MAX,
				&st->addrs) < 0) {
		mpt_sockopt_error(ids->addrs, "MPTCP_SUBFLOW_ADDRS (5.16+)", errno);
		mpt_sockopt_error(ids->addrs_family, "MPTCP_SUBFLOW_ADDRS (5.16+)", errno);
		return;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0 ||
	    getpeername(fd, (struct sockaddr *)&remote, &rlen) < 0) {
		mpt_fail(ids->addrs, "getsockname/getpeername: %s", strerror(errno));
		return;
	}
	st->have_addrs = 1;
	verbose_addrs(st);
	check_sf_reply(ids->addrs, "MPTCP_SUBFLOW_ADDRS", &st->addrs, ADDRS_ELEM,
		       st->run->subflows);
	/* The first subflow is the connection's own. */
	mpt_that(ids->addrs, !memcmp(&local, &a0->local, sizeof local),
		 "subflow 0 local address: expected %s (getsockname), got %s",
		 mpt_addr_text(&local, t1, sizeof t1), mpt_addr_text(&a0->local, t2, sizeof t2));
	mpt_that(ids->addrs, !memcmp(&remote, &a0->remote, sizeof remote),
		 "subflow 0 remote address: expected %s (getpeername), got %s",
		 mpt_addr_text(&remote, t1, sizeof t1), mpt_addr_text(&a0->remote, t2, sizeof t2));
	sample_addrs_family(st, fd, &local, &remote);
}

/* ---- MPTCP_FULL_INFO (6.5+) ---- */

/* The first subflow of a FULL_INFO reply against the other samples. */
static void full_info_first(const struct mpt_side *st, enum mpt_check id,
			    const struct mpt_full_reply *r)
{
	const unsigned char *ti = r->ti[0], *want_ti = st->ti.elem[0];
	size_t ti_len = st->ti.d.size_user;

	mpt_eq(id, "subflow 0 id", r->sf[0].id, 1);
	if (st->have_ti && ti_len >= TI_SIZE_BYTES_SENT) {
		mpt_eq(id, "tcp_info[0].tcpi_bytes_sent (as MPTCP_TCPINFO)",
		       mpt_field_get(ti, TI_BUF, TI_OFF_BYTES_SENT, 8),
		       mpt_field_get(want_ti, ti_len, TI_OFF_BYTES_SENT, 8));
		mpt_eq(id, "tcp_info[0].tcpi_bytes_received (as MPTCP_TCPINFO)",
		       mpt_field_get(ti, TI_BUF, TI_OFF_BYTES_RECEIVED, 8),
		       mpt_field_get(want_ti, ti_len, TI_OFF_BYTES_RECEIVED, 8));
	}
	if (st->have_addrs)
		mpt_that(id, !memcmp(&r->sf[0].addrs, st->addrs.elem[0], ADDRS_ELEM),
			 "subflow 0 addresses differ from MPTCP_SUBFLOW_ADDRS's");
}

static void sample_full_info(struct mpt_side *st, int fd)
{
	enum mpt_check id = st->ids->full_info;
	static struct mpt_full_reply r;
	unsigned n = st->run->subflows;
	uint32_t want;

	if (mpt_full_info_request(fd, MPT_ELEMS_MAX, &r) < 0) {
		mpt_sockopt_error(id, "MPTCP_FULL_INFO (6.5+)", errno);
		return;
	}
	mpt_verbose(st, "MPTCP_FULL_INFO: optlen=%u num_subflows=%u size_tcpinfo_kernel=%u size_sfinfo_kernel=%u subflow 0 id=%u",
		    (unsigned)r.optlen, r.h.num_subflows, r.h.size_tcpinfo_kernel,
		    r.h.size_sfinfo_kernel, r.sf[0].id);
	mpt_eq(id, "optlen (header + this kernel's mptcp_info)", r.optlen,
	       FULL_OFF_INFO + (unsigned long long)st->info_len);
	mpt_that(id, r.h.size_tcpinfo_kernel > 0, "size_tcpinfo_kernel: expected > 0, got 0");
	want = r.h.size_tcpinfo_kernel < TI_BUF ? r.h.size_tcpinfo_kernel : TI_BUF;
	mpt_eq(id, "size_tcpinfo_user", r.h.size_tcpinfo_user, want);
	mpt_that(id, r.h.size_sfinfo_kernel > 0, "size_sfinfo_kernel: expected > 0, got 0");
	want = r.h.size_sfinfo_kernel < SFINFO_ELEM ? r.h.size_sfinfo_kernel : SFINFO_ELEM;
	mpt_eq(id, "size_sfinfo_user", r.h.size_sfinfo_user, want);
	mpt_eq(id, "num_subflows", r.h.num_subflows, n);
	mpt_eq(id, "mptcp_info.subflows (additional subflows)", r.info[MI_OFF_SUBFLOWS], n - 1);
	if (st->info_len >= MI_SIZE_BYTES && r.optlen >= FULL_OFF_INFO + MI_SIZE_BYTES) {
		mpt_eq(id, "mptcp_info.bytes_sent (as MPTCP_INFO)",
		       mpt_field_get(r.info, MI_BUF, MI_OFF_BYTES_SENT, 8),
		       mpt_field_get(st->info, st->info_len, MI_OFF_BYTES_SENT, 8));
		mpt_eq(id, "mptcp_info.bytes_received (as MPTCP_INFO)",
		       mpt_field_get(r.info, MI_BUF, MI_OFF_BYTES_RECEIVED, 8),
		       mpt_field_get(st->info, st->info_len, MI_OFF_BYTES_RECEIVED, 8));
	}
	full_info_first(st, id, &r);
}

/* Everything a side samples at one moment. */
void mpt_sample_all(struct mpt_side *st, int fd, const struct mpt_expect *ex)
{
	sample_info(st, fd, ex);
	sample_tcpinfo(st, fd, ex);
	mpt_sample_bogus(fd, MPTCP_TCPINFO, st->ids->tcpinfo_bogus, st->run->subflows);
	sample_addrs(st, fd);
	mpt_sample_bogus(fd, MPTCP_SUBFLOW_ADDRS, st->ids->addrs_bogus, st->run->subflows);
	if (ex->after) {
		check_info_bytes(st, ex);
		sample_full_info(st, fd);
	}
	if (st->run->subflows > 1)
		mpt_sample_multi(st, fd, ex);
}
