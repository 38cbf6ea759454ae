/* The server and client of one family's run and every check they make.
 *
 * Both sides sample MPTCP_INFO, MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS
 * before and after one echo transfer of a random 128..4095-byte message,
 * and MPTCP_FULL_INFO after it; the deltas must match what was written
 * and read.  The sides take turns over a control socketpair, so each
 * sample is taken at a moment when the counters cannot be moving:
 *   server: accept, sample, send 'x'          client: connect, sample
 *   client: wait 'x', send the length, write the message
 *   server: wait until FIONREAD shows it all, read it, echo it
 *   client: read the echo, sample, close      server: read EOF, sample
 * Every wait ends by run->deadline_ms. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"
#include "io.h"
#include "mptcp.h"
#include "net.h"
#include "session.h"

#define MSG_MIN 128
#define MSG_MAX 4095
#define ADDRS_ELEM ((uint32_t)sizeof(struct mptcp_subflow_addrs))
#define SFINFO_ELEM ((uint32_t)sizeof(struct mptcp_subflow_info))
#define HDR ((uint32_t)sizeof(struct mptcp_subflow_data))

/* Which checks a side's samples feed. */
struct side_ids {
	enum check_id write_seq, rcv_nxt, bytes, tcpinfo, tcpinfo_bogus,
		addrs, addrs_family, addrs_bogus, full_info;
};

static const struct side_ids client_ids = {
	C_INFO_WRITE_SEQ, C_INFO_RCV_NXT, C_INFO_BYTES, C_TCPINFO,
	C_TCPINFO_BOGUS, C_ADDRS, C_ADDRS_FAMILY, C_ADDRS_BOGUS, C_FULL_INFO,
};

static const struct side_ids server_ids = {
	S_INFO_WRITE_SEQ, S_INFO_RCV_NXT, S_INFO_BYTES, S_TCPINFO,
	S_TCPINFO_BOGUS, S_ADDRS, S_ADDRS_FAMILY, S_ADDRS_BOGUS, S_FULL_INFO,
};

/* What one side has read so far. */
struct side_state {
	const struct run *run;
	const char *who;
	const struct side_ids *ids;
	unsigned rng;
	unsigned char info0[MI_BUF];    /* the first MPTCP_INFO sample */
	size_t info0_len;
	unsigned char info[MI_BUF];     /* the latest one */
	size_t info_len;
	unsigned char ti[TI_BUF];       /* the latest subflow tcp_info */
	size_t ti_len;
	struct mptcp_subflow_addrs addrs;       /* the latest subflow addresses */
	int have_addrs;
};

/* The totals a sample is compared with. */
struct expect {
	uint64_t written, read;
	int fin;                        /* the peer's FIN has been read */
	int after;                      /* after the transfer */
};

static unsigned next_random(unsigned *state)
{
	/* xorshift32: the message length and TOS need no better */
	unsigned x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* getsockopt returning 0 or the errno, with len in and out. */
static int gso(int fd, int level, int name, void *buf, socklen_t *len)
{
	return getsockopt(fd, level, name, buf, len) < 0 ? errno : 0;
}

static void verbose(const struct side_state *st, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void verbose(const struct side_state *st, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (!st->run->verbose)
		return;
	n = snprintf(line, sizeof line, "# %s %s ", st->run->tag, st->who);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line: the two children share stdout */
	fprintf(stdout, "%s\n", line);
	fflush(stdout);
}

void print_fields(FILE *out, const char *sep, const struct field *f, size_t n,
		  const void *reply, size_t len)
{
	const char *between = "";

	for (size_t i = 0; i < n; i++) {
		if (!field_covered(len, f[i].offset, f[i].size))
			continue;
		fprintf(out, "%s%s%s%llu", between, f[i].name, sep,
			(unsigned long long)field_get(reply, len, f[i].offset, f[i].size));
		between = " ";
	}
}

static void verbose_fields(const struct side_state *st, const char *what,
			   const struct field *f, size_t n, const void *reply,
			   size_t len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *mem;

	if (!st->run->verbose)
		return;
	mem = open_memstream(&text, &size);
	if (!mem)
		return;
	print_fields(mem, "=", f, n, reply, len);
	fclose(mem);
	verbose(st, "%s (%zu bytes): %s", what, len, text);
	free(text);
}

static const char *addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	return sockaddr_text((const struct sockaddr *)ss, 1, buf, size);
}

/* ---- MPTCP_INFO ---- */

static void sample_info(struct side_state *st, int fd, const struct expect *ex)
{
	const struct side_ids *ids = st->ids;
	unsigned char buf[MI_BUF];
	socklen_t len = sizeof buf;
	uint64_t wdelta, rdelta, want_r;
	int err;

	memset(buf, 0, sizeof buf);
	err = gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);
	if (err) {
		check_sockopt_error(ids->write_seq, "MPTCP_INFO", err);
		check_sockopt_error(ids->rcv_nxt, "MPTCP_INFO", err);
		check_sockopt_error(ids->bytes, "MPTCP_INFO", err);
		return;
	}
	verbose_fields(st, ex->after ? "after MPTCP_INFO" : "before MPTCP_INFO",
		       mptcp_info_fields, mptcp_info_nfields, buf, len);
	if (!check_that(ids->write_seq, len >= MI_SIZE_MIN && len < sizeof buf,
			"MPTCP_INFO length: expected %d to %zu, got %u",
			MI_SIZE_MIN, sizeof buf - 1, (unsigned)len))
		return;
	if (!st->info0_len) {
		memcpy(st->info0, buf, len);
		st->info0_len = len;
	}
	memcpy(st->info, buf, len);
	st->info_len = len;

	wdelta = field_get(buf, len, MI_OFF_WRITE_SEQ, 8) -
		 field_get(st->info0, st->info0_len, MI_OFF_WRITE_SEQ, 8);
	rdelta = field_get(buf, len, MI_OFF_RCV_NXT, 8) -
		 field_get(st->info0, st->info0_len, MI_OFF_RCV_NXT, 8);
	want_r = ex->read + (ex->fin ? 1 : 0);
	check_eq(ids->write_seq, "write_seq advance", wdelta, ex->written);
	check_eq(ids->rcv_nxt, ex->fin ? "rcv_nxt advance (data + 1 for FIN)"
				       : "rcv_nxt advance", rdelta, want_r);
}

/* The 6.5+ byte counters of the latest sample, after the transfer. */
static void check_info_bytes(struct side_state *st, const struct expect *ex)
{
	enum check_id id = st->ids->bytes;
	const void *b = st->info;
	size_t len = st->info_len;

	if (!len)
		return;                 /* sample_info failed and said why */
	if (len < MI_SIZE_BYTES) {
		check_skip(id, "this kernel's mptcp_info is %zu bytes: no byte counters (6.5+)", len);
		return;
	}
	check_eq(id, "bytes_sent", field_get(b, len, MI_OFF_BYTES_SENT, 8), ex->written);
	check_eq(id, "bytes_received", field_get(b, len, MI_OFF_BYTES_RECEIVED, 8), ex->read);
	check_eq(id, "bytes_acked", field_get(b, len, MI_OFF_BYTES_ACKED, 8), ex->written);
}

/* ---- MPTCP_TCPINFO ---- */

/* The checks every well-formed subflow request shares. */
static void check_sf_reply(enum check_id id, const char *opt,
			   const struct mptcp_subflow_data *d, socklen_t len,
			   uint32_t asked)
{
	uint32_t want = d->size_kernel < asked ? d->size_kernel : asked;

	check_that(id, d->size_kernel > 0, "%s size_kernel: expected > 0, got 0", opt);
	check_eq(id, "size_user (min of size_kernel and the request)", d->size_user, want);
	check_eq(id, "num_subflows", d->num_subflows, 1);
	check_eq(id, "optlen (header + one element)", len, (unsigned long long)HDR + d->size_user);
}

static void sample_tcpinfo(struct side_state *st, int fd, const struct expect *ex)
{
	enum check_id id = st->ids->tcpinfo;
	struct {
		struct mptcp_subflow_data d;
		unsigned char ti[2][TI_BUF];
	} req;
	socklen_t len = sizeof req;
	int err;

	memset(&req, 0, sizeof req);
	req.d.size_subflow_data = HDR;
	req.d.size_user = TI_BUF;
	err = gso(fd, SOL_MPTCP, MPTCP_TCPINFO, &req, &len);
	if (err) {
		check_sockopt_error(id, "MPTCP_TCPINFO (5.16+)", err);
		return;
	}
	verbose(st, "%s MPTCP_TCPINFO: num_subflows=%u size_kernel=%u size_user=%u",
		ex->after ? "after" : "before", req.d.num_subflows,
		req.d.size_kernel, req.d.size_user);
	verbose_fields(st, "subflow 0 tcp_info", tcp_info_fields, tcp_info_nfields,
		       req.ti[0], req.d.size_user);
	check_sf_reply(id, "MPTCP_TCPINFO", &req.d, len, TI_BUF);
	if (req.d.size_user > TI_BUF)
		return;
	st->ti_len = req.d.size_user;
	memcpy(st->ti, req.ti[0], st->ti_len);
	if (!check_that(id, field_covered(st->ti_len, TI_OFF_BYTES_SENT, 8),
			"tcp_info of %zu bytes lacks tcpi_bytes_sent", st->ti_len))
		return;
	check_eq(id, "tcpi_bytes_sent",
		 field_get(st->ti, st->ti_len, TI_OFF_BYTES_SENT, 8), ex->written);
	check_eq(id, "tcpi_bytes_received",
		 field_get(st->ti, st->ti_len, TI_OFF_BYTES_RECEIVED, 8), ex->read);
}

/* ---- malformed mptcp_subflow_data requests ---- */

static void bogus_expect_error(enum check_id id, const char *what, int fd,
			       int optname, void *buf, socklen_t len)
{
	socklen_t got = len;

	if (getsockopt(fd, SOL_MPTCP, optname, buf, &got) == 0)
		check_fail(id, "%s: expected an error, got success (optlen %u)",
			   what, (unsigned)got);
	else
		check_eq(id, "optlen after the refused request", got, len);
}

/* The header and room for a short element, as the malformed requests use. */
struct bogus {
	struct mptcp_subflow_data d;
	unsigned char buf[2];
};

/* A header-only request first: where the option is missing, the errors
 * expected of the malformed requests would prove nothing.  0 when it works. */
static int bogus_header_only(int fd, int optname, enum check_id id)
{
	struct bogus bd;
	socklen_t len = HDR;

	memset(&bd, 0, sizeof bd);
	bd.d.size_subflow_data = HDR;
	if (getsockopt(fd, SOL_MPTCP, optname, &bd, &len) < 0) {
		check_sockopt_error(id, optname == MPTCP_TCPINFO ? "MPTCP_TCPINFO (5.16+)"
				    : "MPTCP_SUBFLOW_ADDRS (5.16+)", errno);
		return -1;
	}
	check_eq(id, "header-only request: optlen", len, HDR);
	check_eq(id, "header-only request: num_subflows", bd.d.num_subflows, 1);
	check_that(id, bd.d.size_kernel > 0,
		   "header-only request: size_kernel: expected > 0, got 0");
	check_eq(id, "header-only request: size_user", bd.d.size_user, 0);
	return 0;
}

/* The requests the kernel must refuse, leaving optlen as it was. */
static void bogus_refused(int fd, int optname, enum check_id id,
			  const struct mptcp_subflow_data *good)
{
	static const socklen_t short_lens[] = { 0, 4, HDR - 1 };
	struct bogus bd;

	memset(&bd, 0, sizeof bd);
	bogus_expect_error(id, "size_subflow_data 0", fd, optname, &bd, HDR);

	for (size_t i = 0; i < sizeof short_lens / sizeof short_lens[0]; i++) {
		char what[64];

		bd.d = *good;
		snprintf(what, sizeof what, "optlen %u", (unsigned)short_lens[i]);
		bogus_expect_error(id, what, fd, optname, &bd, short_lens[i]);
	}

	bd.d = *good;
	bd.d.size_kernel = 1;
	bogus_expect_error(id, "size_kernel 1 on input", fd, optname, &bd, HDR);

	bd.d = *good;
	bd.d.num_subflows = 1;
	bogus_expect_error(id, "num_subflows 1 on input", fd, optname, &bd, HDR);
}

/* Headers of other sizes the kernel must accept. */
static void bogus_accepted(int fd, int optname, enum check_id id,
			   const struct mptcp_subflow_data *good)
{
	struct bogus bd;
	socklen_t len;

	/* A newer program's larger header: accepted, optlen cut to the
	 * header the kernel knows. */
	memset(&bd, 0, sizeof bd);
	bd.d = *good;
	bd.d.size_subflow_data = sizeof bd;
	len = sizeof bd;
	if (getsockopt(fd, SOL_MPTCP, optname, &bd, &len) < 0) {
		check_fail(id, "larger header: expected success, got %s", strerror(errno));
	} else {
		check_eq(id, "larger header: optlen", len, HDR);
		check_eq(id, "larger header: size_subflow_data kept", bd.d.size_subflow_data,
			 sizeof bd);
	}

	/* An odd header and a one-byte element: the element's first byte
	 * (tcpi_state, or the low byte of the family) lands right after the
	 * caller's 17-byte header, the byte before it stays untouched. */
	memset(&bd, 0, sizeof bd);
	bd.d = *good;
	bd.d.size_subflow_data = HDR + 1;
	bd.d.size_user = 1;
	len = HDR + 2;
	if (getsockopt(fd, SOL_MPTCP, optname, &bd, &len) < 0) {
		check_fail(id, "odd header, size_user 1: expected success, got %s",
			   strerror(errno));
	} else {
		check_eq(id, "odd header, size_user 1: optlen", len, HDR + 2);
		check_eq(id, "odd header: size_subflow_data kept", bd.d.size_subflow_data,
			 HDR + 1);
		check_eq(id, "odd header: the byte before the element", bd.buf[0], 0);
		check_that(id, bd.buf[1] != 0,
			   "odd header: the one-byte element: expected non-zero, got 0");
	}
}

static void sample_bogus(int fd, int optname, enum check_id id)
{
	struct mptcp_subflow_data good;

	memset(&good, 0, sizeof good);
	good.size_subflow_data = HDR;
	if (bogus_header_only(fd, optname, id) < 0)
		return;
	bogus_refused(fd, optname, id, &good);
	bogus_accepted(fd, optname, id, &good);
}

/* ---- MPTCP_SUBFLOW_ADDRS ---- */

static void sample_addrs(struct side_state *st, int fd)
{
	const struct side_ids *ids = st->ids;
	struct {
		struct mptcp_subflow_data d;
		struct mptcp_subflow_addrs a[2];
	} req;
	struct sockaddr_storage local, remote;
	socklen_t len = sizeof req, llen = sizeof local, rlen = sizeof remote;
	char t1[80], t2[80];
	int err;

	memset(&req, 0, sizeof req);
	memset(&local, 0, sizeof local);
	memset(&remote, 0, sizeof remote);
	req.d.size_subflow_data = HDR;
	req.d.size_user = ADDRS_ELEM;
	err = gso(fd, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, &req, &len);
	if (err) {
		check_sockopt_error(ids->addrs, "MPTCP_SUBFLOW_ADDRS (5.16+)", err);
		check_sockopt_error(ids->addrs_family, "MPTCP_SUBFLOW_ADDRS (5.16+)", err);
		return;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0 ||
	    getpeername(fd, (struct sockaddr *)&remote, &rlen) < 0) {
		check_fail(ids->addrs, "getsockname/getpeername: %s", strerror(errno));
		return;
	}
	verbose(st, "MPTCP_SUBFLOW_ADDRS: num_subflows=%u size_kernel=%u subflow 0 local=%s remote=%s",
		req.d.num_subflows, req.d.size_kernel,
		addr_text(&req.a[0].local, t1, sizeof t1),
		addr_text(&req.a[0].remote, t2, sizeof t2));
	check_sf_reply(ids->addrs, "MPTCP_SUBFLOW_ADDRS", &req.d, len, ADDRS_ELEM);
	check_that(ids->addrs, !memcmp(&local, &req.a[0].local, sizeof local),
		   "subflow local address: expected %s (getsockname), got %s",
		   addr_text(&local, t1, sizeof t1), addr_text(&req.a[0].local, t2, sizeof t2));
	check_that(ids->addrs, !memcmp(&remote, &req.a[0].remote, sizeof remote),
		   "subflow remote address: expected %s (getpeername), got %s",
		   addr_text(&remote, t1, sizeof t1), addr_text(&req.a[0].remote, t2, sizeof t2));
	st->addrs = req.a[0];
	st->have_addrs = 1;

	/* Ask for the address family only. */
	memset(&req, 0, sizeof req);
	req.d.size_subflow_data = HDR;
	req.d.size_user = sizeof(sa_family_t);
	len = HDR + sizeof(sa_family_t);
	err = gso(fd, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, &req, &len);
	if (err) {
		check_fail(ids->addrs_family, "family-only request: %s", strerror(err));
		return;
	}
	check_eq(ids->addrs_family, "optlen", len, HDR + sizeof(sa_family_t));
	check_eq(ids->addrs_family, "sa_family", req.a[0].local.ss_family,
		 (unsigned)st->run->family);
	check_that(ids->addrs_family, memcmp(&local, &req.a[0].local, sizeof local) != 0,
		   "more than the family was written for the local address");
	check_that(ids->addrs_family, memcmp(&remote, &req.a[0].remote, sizeof remote) != 0,
		   "the remote address was written");
}

/* ---- MPTCP_FULL_INFO (6.5+) ---- */

struct full_reply {
	struct mptcp_full_info_head h;
	unsigned char info[MI_BUF];
};

static void sample_full_info(struct side_state *st, int fd)
{
	enum check_id id = st->ids->full_info;
	struct full_reply r;
	struct mptcp_subflow_info sf[2];
	unsigned char ti[2][TI_BUF];
	socklen_t len = sizeof r;
	socklen_t want_len;
	uint32_t want;
	int err;

	memset(&r, 0, sizeof r);
	memset(sf, 0, sizeof sf);
	memset(ti, 0, sizeof ti);
	r.h.size_tcpinfo_user = TI_BUF;
	r.h.size_sfinfo_user = SFINFO_ELEM;
	r.h.size_arrays_user = 2;
	r.h.subflow_info = (uint64_t)(uintptr_t)sf;
	r.h.tcp_info = (uint64_t)(uintptr_t)ti;
	err = gso(fd, SOL_MPTCP, MPTCP_FULL_INFO, &r, &len);
	if (err) {
		check_sockopt_error(id, "MPTCP_FULL_INFO (6.5+)", err);
		return;
	}
	verbose(st, "MPTCP_FULL_INFO: optlen=%u num_subflows=%u size_tcpinfo_kernel=%u size_sfinfo_kernel=%u subflow 0 id=%u",
		(unsigned)len, r.h.num_subflows, r.h.size_tcpinfo_kernel,
		r.h.size_sfinfo_kernel, sf[0].id);
	want_len = FULL_OFF_INFO + (socklen_t)st->info_len;
	check_eq(id, "optlen (header + this kernel's mptcp_info)", len, want_len);
	check_that(id, r.h.size_tcpinfo_kernel > 0, "size_tcpinfo_kernel: expected > 0, got 0");
	want = r.h.size_tcpinfo_kernel < TI_BUF ? r.h.size_tcpinfo_kernel : TI_BUF;
	check_eq(id, "size_tcpinfo_user", r.h.size_tcpinfo_user, want);
	check_that(id, r.h.size_sfinfo_kernel > 0, "size_sfinfo_kernel: expected > 0, got 0");
	want = r.h.size_sfinfo_kernel < SFINFO_ELEM ? r.h.size_sfinfo_kernel : SFINFO_ELEM;
	check_eq(id, "size_sfinfo_user", r.h.size_sfinfo_user, want);
	check_eq(id, "num_subflows", r.h.num_subflows, 1);
	check_eq(id, "mptcp_info.subflows (extra subflows)", r.info[0], 0);
	if (st->info_len >= MI_SIZE_BYTES && len >= FULL_OFF_INFO + MI_SIZE_BYTES) {
		check_eq(id, "mptcp_info.bytes_sent (as MPTCP_INFO)",
			 field_get(r.info, MI_BUF, MI_OFF_BYTES_SENT, 8),
			 field_get(st->info, st->info_len, MI_OFF_BYTES_SENT, 8));
		check_eq(id, "mptcp_info.bytes_received (as MPTCP_INFO)",
			 field_get(r.info, MI_BUF, MI_OFF_BYTES_RECEIVED, 8),
			 field_get(st->info, st->info_len, MI_OFF_BYTES_RECEIVED, 8));
	}
	check_eq(id, "subflow 0 id", sf[0].id, 1);
	if (st->ti_len >= TI_SIZE_BYTES_SENT) {
		check_eq(id, "tcp_info[0].tcpi_bytes_sent (as MPTCP_TCPINFO)",
			 field_get(ti[0], TI_BUF, TI_OFF_BYTES_SENT, 8),
			 field_get(st->ti, st->ti_len, TI_OFF_BYTES_SENT, 8));
		check_eq(id, "tcp_info[0].tcpi_bytes_received (as MPTCP_TCPINFO)",
			 field_get(ti[0], TI_BUF, TI_OFF_BYTES_RECEIVED, 8),
			 field_get(st->ti, st->ti_len, TI_OFF_BYTES_RECEIVED, 8));
	}
	if (st->have_addrs)
		check_that(id, !memcmp(&sf[0].addrs, &st->addrs, sizeof st->addrs),
			   "subflow 0 addresses differ from MPTCP_SUBFLOW_ADDRS's");
}

static void full_info_expect_error(int fd, const char *what, struct full_reply *r,
				   socklen_t len)
{
	socklen_t got = len;

	if (getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, r, &got) == 0)
		check_fail(C_FULL_INFO_BOGUS, "%s: expected EINVAL, got success", what);
	else if (errno == EOPNOTSUPP || errno == ENOPROTOOPT)
		check_sockopt_error(C_FULL_INFO_BOGUS, "MPTCP_FULL_INFO (6.5+)", errno);
	else
		check_eq(C_FULL_INFO_BOGUS, what, (unsigned)errno, EINVAL);
}

static void check_full_info_bogus(int fd)
{
	struct mptcp_subflow_info sf[1];
	unsigned char ti[TI_BUF];
	struct full_reply r;

	memset(&r, 0, sizeof r);
	r.h.size_tcpinfo_user = TI_BUF;
	r.h.size_sfinfo_user = SFINFO_ELEM;
	r.h.size_arrays_user = 1;
	r.h.subflow_info = (uint64_t)(uintptr_t)sf;
	r.h.tcp_info = (uint64_t)(uintptr_t)ti;
	full_info_expect_error(fd, "optlen 8 (errno)", &r, 8);
	r.h.size_tcpinfo_kernel = 1;
	full_info_expect_error(fd, "size_tcpinfo_kernel 1 on input (errno)", &r, sizeof r);
	r.h.size_tcpinfo_kernel = 0;
	r.h.size_sfinfo_kernel = 1;
	full_info_expect_error(fd, "size_sfinfo_kernel 1 on input (errno)", &r, sizeof r);
	r.h.size_sfinfo_kernel = 0;
	r.h.num_subflows = 1;
	full_info_expect_error(fd, "num_subflows 1 on input (errno)", &r, sizeof r);
}

/* Everything a side samples at one moment. */
static void sample_all(struct side_state *st, int fd, const struct expect *ex)
{
	sample_info(st, fd, ex);
	sample_tcpinfo(st, fd, ex);
	sample_bogus(fd, MPTCP_TCPINFO, st->ids->tcpinfo_bogus);
	sample_addrs(st, fd);
	sample_bogus(fd, MPTCP_SUBFLOW_ADDRS, st->ids->addrs_bogus);
	if (ex->after) {
		check_info_bytes(st, ex);
		sample_full_info(st, fd);
	}
}

/* ---- client-only option checks ---- */

static void check_so_protocol(int fd)
{
	int proto = 0;
	socklen_t len = sizeof proto;
	int err = gso(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);

	if (err)
		check_fail(C_SO_PROTOCOL, "getsockopt SO_PROTOCOL: %s", strerror(err));
	else
		check_eq(C_SO_PROTOCOL, "SO_PROTOCOL", (unsigned)proto, IPPROTO_MPTCP);
}

static void check_is_mptcp(int fd)
{
	int v = -1;
	socklen_t len = sizeof v;
	int err = gso(fd, SOL_TCP, SK_TCP_IS_MPTCP, &v, &len);

	if (err)
		check_sockopt_error(C_IS_MPTCP, "TCP_IS_MPTCP (6.10+)", err);
	else
		check_eq(C_IS_MPTCP, "TCP_IS_MPTCP", (unsigned)v, 1);
}

static void check_ulp(int fd)
{
	char name[16];
	socklen_t len = sizeof name;
	int err;

	memset(name, 0, sizeof name);
	err = gso(fd, SOL_TCP, SK_TCP_ULP, name, &len);
	if (err) {
		check_sockopt_error(C_ULP_READ, "TCP_ULP", err);
	} else {
		name[sizeof name - 1] = '\0';
		check_that(C_ULP_READ, !strcmp(name, "mptcp"),
			   "TCP_ULP: expected \"mptcp\", got \"%s\"", name);
	}
	if (setsockopt(fd, SOL_TCP, SK_TCP_ULP, "tls", 3) == 0)
		check_fail(C_ULP_TLS, "setting TCP_ULP \"tls\": expected an error, got success");
	else
		check_pass(C_ULP_TLS);
}

static void check_unknown_option(int fd)
{
	unsigned char buf[64];
	socklen_t len = sizeof buf;
	int err = gso(fd, SOL_MPTCP, 99, buf, &len);

	if (!err)
		check_fail(C_UNKNOWN_OPT, "SOL_MPTCP option 99: expected EOPNOTSUPP, got success");
	else
		check_that(C_UNKNOWN_OPT, err == EOPNOTSUPP,
			   "SOL_MPTCP option 99: expected EOPNOTSUPP, got %s", strerror(err));
}

static void check_info_sizing(struct side_state *st, int fd)
{
	unsigned char buf[MI_BUF];
	socklen_t len = sizeof buf, kernel;
	int err = gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);

	if (err) {
		check_sockopt_error(C_INFO_SIZE, "MPTCP_INFO (5.16+)", err);
		return;
	}
	kernel = len;
	verbose(st, "MPTCP_INFO: the kernel's mptcp_info is %u bytes", (unsigned)kernel);
	check_that(C_INFO_SIZE, kernel >= MI_SIZE_MIN && kernel < sizeof buf && kernel % 8 == 0,
		   "length for a %zu-byte buffer: expected a multiple of 8 from %d to %zu, got %u",
		   sizeof buf, MI_SIZE_MIN, sizeof buf - 8, (unsigned)kernel);
	len = 40;
	err = gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);
	if (err)
		check_fail(C_INFO_SIZE, "MPTCP_INFO with optlen 40: %s", strerror(err));
	else
		check_eq(C_INFO_SIZE, "optlen after asking 40 bytes", len, 40);
	len = 0;
	err = gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);
	if (err)
		check_fail(C_INFO_SIZE, "MPTCP_INFO with optlen 0: %s", strerror(err));
	else
		check_eq(C_INFO_SIZE, "optlen after asking 0 bytes", len, 0);
}

static void check_ip_tos(struct side_state *st, int fd)
{
	uint8_t in = next_random(&st->rng) & 0xfc, out = 0;
	socklen_t len = 1;

	if (setsockopt(fd, SOL_IP, IP_TOS, &in, 1) < 0) {
		check_fail(C_TOS_LEN1, "setsockopt IP_TOS 0x%x: %s", in, strerror(errno));
	} else if (getsockopt(fd, SOL_IP, IP_TOS, &out, &len) < 0) {
		check_fail(C_TOS_LEN1, "getsockopt IP_TOS: %s", strerror(errno));
	} else {
		check_that(C_TOS_LEN1, out == in, "IP_TOS: expected 0x%x, got 0x%x", in, out);
		check_eq(C_TOS_LEN1, "optlen", len, 1);
	}

	len = 0;
	if (getsockopt(fd, SOL_IP, IP_TOS, &out, &len) < 0)
		check_fail(C_TOS_LEN0, "getsockopt IP_TOS with len 0: expected success, got %s",
			   strerror(errno));
	else
		check_eq(C_TOS_LEN0, "optlen", len, 0);

	len = (socklen_t)-1;
	if (getsockopt(fd, SOL_IP, IP_TOS, &out, &len) == 0)
		check_fail(C_TOS_LENNEG, "getsockopt IP_TOS with len -1: expected EINVAL, got success");
	else
		check_that(C_TOS_LENNEG, errno == EINVAL,
			   "getsockopt IP_TOS with len -1: expected EINVAL, got %s", strerror(errno));
	check_that(C_TOS_LENNEG, len == (socklen_t)-1,
		   "optlen after the refused call: expected -1 (unchanged), got %d", (int)len);
}

/* ---- the sender's queue (TIOCOUTQ, SIOCOUTQNSD) ---- */

static void check_outq(int fd, uint64_t bound, int must_be_empty, const char *when)
{
	int queued = -1, nsd = -1;

	if (ioctl(fd, SK_SIOCOUTQ, &queued) < 0) {
		check_fail(C_OUTQ, "%s: TIOCOUTQ: %s", when, strerror(errno));
		return;
	}
	if (ioctl(fd, SK_SIOCOUTQNSD, &nsd) < 0) {
		check_fail(C_OUTQ, "%s: SIOCOUTQNSD: %s", when, strerror(errno));
		return;
	}
	check_that(C_OUTQ, queued >= 0 && (uint64_t)queued <= bound,
		   "%s: TIOCOUTQ: expected 0 to %llu, got %d", when,
		   (unsigned long long)bound, queued);
	check_that(C_OUTQ, nsd >= 0 && nsd <= queued,
		   "%s: SIOCOUTQNSD: expected 0 to TIOCOUTQ (%d), got %d", when, queued, nsd);
	if (must_be_empty)
		check_that(C_OUTQ, queued == 0,
			   "%s: TIOCOUTQ: expected 0 (all acknowledged), got %d", when, queued);
}

/* ---- control messages between the sides ---- */

static int ctl_send(int ctl, const void *buf, size_t n)
{
	return write_all(ctl, buf, n);
}

/* Read exactly n bytes; a message saying what was awaited otherwise. */
static int ctl_recv(const struct side_state *st, int ctl, void *buf, size_t n,
		    const char *what, enum check_id blame)
{
	ssize_t got = read_full(ctl, buf, n, ms_left(st->run->deadline_ms));

	if (got == (ssize_t)n)
		return 0;
	if (got < 0 && errno == ETIMEDOUT)
		check_fail(blame, "timed out waiting for %s", what);
	else if (got < 0)
		check_fail(blame, "waiting for %s: %s", what, strerror(errno));
	else
		check_fail(blame, "the peer process ended before %s", what);
	return -1;
}

int connect_bounded(int fd, const struct sockaddr *sa, socklen_t len,
		    int64_t deadline_ms)
{
	int err = 0, r;
	socklen_t elen = sizeof err;

	if (set_nonblock(fd, 1) < 0)
		return -1;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS)
			return -1;
		r = wait_writable(fd, ms_left(deadline_ms));
		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			return -1;
		if (err) {
			errno = err;
			return -1;
		}
	}
	return set_nonblock(fd, 0);
}

/* ---- the client ---- */

static void client_transfer(struct side_state *st, int fd, int ctl)
{
	unsigned char msg[MSG_MAX], echo[MSG_MAX];
	uint32_t len = MSG_MIN + next_random(&st->rng) % (MSG_MAX - MSG_MIN + 1);
	unsigned char lenbuf[4], go;
	struct expect ex = { 0, 0, 0, 0 };
	ssize_t got;

	for (uint32_t i = 0; i < len; i++)
		msg[i] = (unsigned char)('A' + next_random(&st->rng) % 26);
	sample_all(st, fd, &ex);

	if (ctl_recv(st, ctl, &go, 1, "the server's go-ahead", C_ECHO) < 0)
		return;
	put_be32(lenbuf, len);
	if (ctl_send(ctl, lenbuf, sizeof lenbuf) < 0 || write_all(fd, msg, len) < 0) {
		check_fail(C_ECHO, "sending %u bytes: %s", len, strerror(errno));
		return;
	}
	verbose(st, "wrote %u bytes", len);
	check_outq(fd, len, 0, "after the write");

	got = read_full(fd, echo, len, ms_left(st->run->deadline_ms));
	if (got != (ssize_t)len) {
		if (got < 0)
			check_fail(C_ECHO, "reading the echo: %s", strerror(errno));
		else
			check_fail(C_ECHO, "echo length: expected %u, got %zd (EOF)", len, got);
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		if (msg[i] != echo[i]) {
			check_fail(C_ECHO, "echo byte %u of %u: expected 0x%02x, got 0x%02x",
				   i, len, msg[i], echo[i]);
			break;
		}
	}
	check_pass(C_ECHO);
	check_outq(fd, len, 1, "after the echo");

	ex.written = ex.read = len;
	ex.after = 1;
	sample_all(st, fd, &ex);
}

int run_client(const struct run *run, int ctl)
{
	struct side_state *st = calloc(1, sizeof *st);
	int fd;

	if (!st)
		return 1;
	st->run = run;
	st->who = "client";
	st->ids = &client_ids;
	st->rng = run->seed;
	fd = socket(run->family, SOCK_STREAM, IPPROTO_MPTCP);
	if (fd < 0 || connect_bounded(fd, (const struct sockaddr *)&run->addr,
				      run->addrlen, run->deadline_ms) < 0) {
		check_fail(C_ECHO, "connecting: %s", strerror(errno));
		free(st);
		return 1;
	}
	check_so_protocol(fd);
	check_is_mptcp(fd);
	check_ulp(fd);
	check_unknown_option(fd);
	check_ip_tos(st, fd);
	check_info_sizing(st, fd);
	client_transfer(st, fd, ctl);
	check_full_info_bogus(fd);
	close(fd);
	free(st);
	return 0;
}

/* ---- the server ---- */

static void check_listener_info(int lfd)
{
	unsigned char buf[MI_BUF];
	socklen_t len = sizeof buf;
	int err = gso(lfd, SOL_MPTCP, MPTCP_INFO, buf, &len);

	if (err)
		check_sockopt_error(S_INFO_LISTENER, "MPTCP_INFO on a listener", err);
	else
		check_that(S_INFO_LISTENER, len >= MI_SIZE_MIN && len < sizeof buf,
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
static int wait_queued(struct side_state *st, int fd, uint32_t len)
{
	int lowat = (int)len, queued = -1;

	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	for (;;) {
		struct pollfd p = { fd, POLLIN | POLLRDHUP, 0 };
		int r = poll(&p, 1, ms_left(st->run->deadline_ms));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			check_fail(S_FIONREAD, "%s with %d of %u bytes queued",
				   r == 0 ? "timed out" : strerror(errno), queued, len);
			return -1;
		}
		if (ioctl(fd, SK_SIOCINQ, &queued) < 0) {
			check_fail(S_FIONREAD, "FIONREAD: %s", strerror(errno));
			return -1;
		}
		if (queued < 0 || (uint32_t)queued > len) {
			check_fail(S_FIONREAD, "FIONREAD: expected at most %u, got %d",
				   len, queued);
			return -1;
		}
		if ((uint32_t)queued == len)
			break;
		if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			check_fail(S_FIONREAD, "the client closed with %d of %u bytes queued",
				   queued, len);
			return -1;
		}
	}
	lowat = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
	verbose(st, "FIONREAD: %d bytes queued", queued);
	check_pass(S_FIONREAD);
	return 0;
}

/* Read the message as mptcp_inq does: one byte, then the rest. */
static ssize_t server_read(struct side_state *st, int fd, unsigned char *buf, uint32_t len)
{
	ssize_t first, rest;
	long inq;

	first = recv_inq(fd, buf, 1, &inq);
	if (first != 1) {
		check_fail(S_TCP_INQ, "reading 1 byte: got %zd (%s)", first,
			   first < 0 ? strerror(errno) : "EOF");
		return -1;
	}
	verbose(st, "TCP_INQ after reading 1 byte: %ld", inq);
	check_eq(S_TCP_INQ, "TCP_INQ after reading 1 byte", (unsigned long long)inq, len - 1);
	rest = recv_inq(fd, buf + 1, len - 1, &inq);
	if (rest < 0) {
		check_fail(S_TCP_INQ, "reading the rest: %s", strerror(errno));
		return -1;
	}
	check_eq(S_TCP_INQ, "bytes read after the first (the queue TCP_INQ showed)",
		 (unsigned long long)rest, len - 1);
	check_eq(S_TCP_INQ, "TCP_INQ once drained", (unsigned long long)inq, 0);
	return 1 + rest;
}

/* Wait for the client's FIN; TCP_INQ reads 1 for it. */
static int server_await_eof(struct side_state *st, int fd)
{
	unsigned char b;
	long inq;
	ssize_t got;
	int r = wait_readable(fd, ms_left(st->run->deadline_ms));

	if (r <= 0) {
		check_fail(S_INFO_RCV_NXT, "timed out waiting for the client's FIN");
		return -1;
	}
	got = recv_inq(fd, &b, 1, &inq);
	if (got != 0) {
		check_fail(S_INFO_RCV_NXT, "waiting for EOF: got %zd (%s)", got,
			   got < 0 ? strerror(errno) : "data");
		return -1;
	}
	verbose(st, "TCP_INQ at EOF: %ld", inq);
	check_eq(S_TCP_INQ, "TCP_INQ at EOF (the FIN)", (unsigned long long)inq, 1);
	return 0;
}

static void server_transfer(struct side_state *st, int fd, int ctl)
{
	unsigned char buf[MSG_MAX], lenbuf[4];
	struct expect ex = { 0, 0, 0, 0 };
	uint32_t len;
	ssize_t got;

	sample_all(st, fd, &ex);
	if (ctl_send(ctl, "x", 1) < 0) {
		check_fail(S_FIONREAD, "signalling the client: %s", strerror(errno));
		return;
	}
	if (ctl_recv(st, ctl, lenbuf, sizeof lenbuf, "the message length", S_FIONREAD) < 0)
		return;
	len = get_be32(lenbuf);
	if (len < MSG_MIN || len > MSG_MAX) {
		check_fail(S_FIONREAD, "message length from the client: %u", len);
		return;
	}
	if (wait_queued(st, fd, len) < 0)
		return;
	got = server_read(st, fd, buf, len);
	if (got != (ssize_t)len)
		return;
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		check_fail(S_INFO_WRITE_SEQ, "echoing %u bytes: %s", len, strerror(errno));
		return;
	}
	if (server_await_eof(st, fd) < 0)
		return;
	ex.written = ex.read = len;
	ex.fin = ex.after = 1;
	sample_all(st, fd, &ex);
}

/* Wait for a connection, or for the client's end of ctl to close (it
 * failed before connecting): 1 ready, 0 timed out, -2 client gone, -1. */
static int wait_client(const struct run *run, int lfd, int ctl)
{
	struct pollfd p[2] = { { lfd, POLLIN, 0 }, { ctl, POLLIN, 0 } };

	for (;;) {
		int r = poll(p, 2, ms_left(run->deadline_ms));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		if (p[0].revents)
			return 1;
		return -2;
	}
}

int run_server(const struct run *run, int lfd, int ctl)
{
	struct side_state *st = calloc(1, sizeof *st);
	int on = 1, fd, r;

	if (!st)
		return 1;
	st->run = run;
	st->who = "server";
	st->ids = &server_ids;
	check_listener_info(lfd);
	r = wait_client(run, lfd, ctl);
	fd = r > 0 ? accept(lfd, NULL, NULL) : -1;
	if (fd < 0) {
		check_fail(S_INFO_WRITE_SEQ, "accepting the client: %s",
			   r == 0 ? "timed out" : r == -2 ? "the client process ended first"
			   : strerror(errno));
		free(st);
		return 1;
	}
	close(lfd);
	if (setsockopt(fd, SOL_TCP, SK_TCP_INQ, &on, sizeof on) < 0)
		check_sockopt_error(S_TCP_INQ, "setsockopt TCP_INQ", errno);
	server_transfer(st, fd, ctl);
	close(fd);
	free(st);
	return 0;
}
