/* Malformed requests: the kernel must refuse them and leave optlen alone,
 * or accept the forms its ABI promises to accept. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conform.h"

#define HDR ((uint32_t)sizeof(struct mptcp_subflow_data))
#define SFINFO_ELEM ((uint32_t)sizeof(struct mptcp_subflow_info))

/* The header and room for a short element, as the malformed requests use. */
struct bogus {
	struct mptcp_subflow_data d;
	unsigned char buf[2];
};

static void expect_error(enum mpt_check id, const char *what, int fd,
			 int optname, void *buf, socklen_t len)
{
	socklen_t got = len;

	if (getsockopt(fd, SOL_MPTCP, optname, buf, &got) == 0)
		mpt_fail(id, "%s: expected an error, got success (optlen %u)",
			 what, (unsigned)got);
	else
		mpt_eq(id, "optlen after the refused request", got, len);
}

/* A header-only request first: where the option is missing, the errors
 * expected of the malformed requests would prove nothing.  0 when it works. */
static int header_only(int fd, int optname, enum mpt_check id, unsigned subflows)
{
	struct bogus bd;
	socklen_t len = HDR;

	memset(&bd, 0, sizeof bd);
	bd.d.size_subflow_data = HDR;
	if (getsockopt(fd, SOL_MPTCP, optname, &bd, &len) < 0) {
		mpt_sockopt_error(id, optname == MPTCP_TCPINFO ? "MPTCP_TCPINFO (5.16+)"
				  : "MPTCP_SUBFLOW_ADDRS (5.16+)", errno);
		return -1;
	}
	mpt_eq(id, "header-only request: optlen", len, HDR);
	mpt_eq(id, "header-only request: num_subflows", bd.d.num_subflows, subflows);
	mpt_that(id, bd.d.size_kernel > 0,
		 "header-only request: size_kernel: expected > 0, got 0");
	mpt_eq(id, "header-only request: size_user", bd.d.size_user, 0);
	return 0;
}

/* The requests the kernel must refuse, leaving optlen as it was. */
static void refused(int fd, int optname, enum mpt_check id,
		    const struct mptcp_subflow_data *good)
{
	static const socklen_t short_lens[] = { 0, 4, HDR - 1 };
	struct bogus bd;

	memset(&bd, 0, sizeof bd);
	expect_error(id, "size_subflow_data 0", fd, optname, &bd, HDR);

	for (size_t i = 0; i < sizeof short_lens / sizeof short_lens[0]; i++) {
		char what[64];

		bd.d = *good;
		snprintf(what, sizeof what, "optlen %u", (unsigned)short_lens[i]);
		expect_error(id, what, fd, optname, &bd, short_lens[i]);
	}

	bd.d = *good;
	bd.d.size_kernel = 1;
	expect_error(id, "size_kernel 1 on input", fd, optname, &bd, HDR);

	bd.d = *good;
	bd.d.num_subflows = 1;
	expect_error(id, "num_subflows 1 on input", fd, optname, &bd, HDR);
}

/* Headers of other sizes the kernel must accept. */
static void accepted(int fd, int optname, enum mpt_check id,
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
		mpt_fail(id, "larger header: expected success, got %s", strerror(errno));
	} else {
		mpt_eq(id, "larger header: optlen", len, HDR);
		mpt_eq(id, "larger header: size_subflow_data kept", bd.d.size_subflow_data,
		       sizeof bd);
	}

	/* An odd header and a one-byte element: the element's first byte
	 * (tcpi_state, or the low byte of the family) lands right after the
	 * caller's 17-byte header, the byte before it stays untouched; there
	 * is room for that one element only, whatever the subflow count. */
	memset(&bd, 0, sizeof bd);
	bd.d = *good;
	bd.d.size_subflow_data = HDR + 1;
	bd.d.size_user = 1;
	len = HDR + 2;
	if (getsockopt(fd, SOL_MPTCP, optname, &bd, &len) < 0) {
		mpt_fail(id, "odd header, size_user 1: expected success, got %s",
			 strerror(errno));
	} else {
		mpt_eq(id, "odd header, size_user 1: optlen", len, HDR + 2);
		mpt_eq(id, "odd header: size_subflow_data kept", bd.d.size_subflow_data,
		       HDR + 1);
		mpt_eq(id, "odd header: the byte before the element", bd.buf[0], 0);
		mpt_that(id, bd.buf[1] != 0,
			 "odd header: the one-byte element: expected non-zero, got 0");
	}
}

void mpt_sample_bogus(int fd, int optname, enum mpt_check id, unsigned subflows)
{
	struct mptcp_subflow_data good;

	memset(&good, 0, sizeof good);
	good.size_subflow_data = HDR;
	if (header_only(fd, optname, id, subflows) < 0)
		return;
	refused(fd, optname, id, &good);
	accepted(fd, optname, id, &good);
}

/* ---- MPTCP_FULL_INFO ---- */

struct full_request {
	struct mptcp_full_info_head h;
	unsigned char info[MI_BUF];
};

static void full_expect_error(int fd, enum mpt_check id, const char *what,
			      struct full_request *r, socklen_t len)
{
	socklen_t got = len;

	if (getsockopt(fd, SOL_MPTCP, MPTCP_FULL_INFO, r, &got) == 0)
		mpt_fail(id, "%s: expected EINVAL, got success", what);
	else if (errno == EOPNOTSUPP || errno == ENOPROTOOPT)
		mpt_sockopt_error(id, "MPTCP_FULL_INFO (6.5+)", errno);
	else
		mpt_eq(id, what, (unsigned)errno, EINVAL);
}

void mpt_full_info_bogus(int fd, enum mpt_check id)
{
	struct mptcp_subflow_info sf[1];
	unsigned char ti[TI_BUF];
	struct full_request r;

	memset(&r, 0, sizeof r);
	r.h.size_tcpinfo_user = TI_BUF;
	r.h.size_sfinfo_user = SFINFO_ELEM;
	r.h.size_arrays_user = 1;
	r.h.subflow_info = (uint64_t)(uintptr_t)sf;
	r.h.tcp_info = (uint64_t)(uintptr_t)ti;
	full_expect_error(fd, id, "optlen 8 (errno)", &r, 8);
	r.h.size_tcpinfo_kernel = 1;
	full_expect_error(fd, id, "size_tcpinfo_kernel 1 on input (errno)", &r, sizeof r);
	r.h.size_tcpinfo_kernel = 0;
	r.h.size_sfinfo_kernel = 1;
	full_expect_error(fd, id, "size_sfinfo_kernel 1 on input (errno)", &r, sizeof r);
	r.h.size_sfinfo_kernel = 0;
	r.h.num_subflows = 1;
	full_expect_error(fd, id, "num_subflows 1 on input (errno)", &r, sizeof r);
}
