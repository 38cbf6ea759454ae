/* The client's checks of single options: SO_PROTOCOL, TCP_IS_MPTCP,
 * TCP_ULP, an unknown SOL_MPTCP option, IP_TOS, MPTCP_INFO's sizing, and
 * the sender's queue ioctls. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "conform.h"

static void check_so_protocol(int fd)
{
	int proto = 0;
	socklen_t len = sizeof proto;
	int err = mpt_gso(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len);

	if (err)
		mpt_fail(MPT_C_SO_PROTOCOL, "getsockopt SO_PROTOCOL: %s", strerror(err));
	else
		mpt_eq(MPT_C_SO_PROTOCOL, "SO_PROTOCOL", (unsigned)proto, IPPROTO_MPTCP);
}

static void check_is_mptcp(int fd)
{
	int v = -1;
	socklen_t len = sizeof v;
	int err = mpt_gso(fd, SOL_TCP, SK_TCP_IS_MPTCP, &v, &len);

	if (err)
		mpt_sockopt_error(MPT_C_IS_MPTCP, "TCP_IS_MPTCP (6.10+)", err);
	else
		mpt_eq(MPT_C_IS_MPTCP, "TCP_IS_MPTCP", (unsigned)v, 1);
}

static void check_ulp(int fd)
{
	char name[16];
	socklen_t len = sizeof name;
	int err;

	memset(name, 0, sizeof name);
	err = mpt_gso(fd, SOL_TCP, SK_TCP_ULP, name, &len);
	if (err) {
		mpt_sockopt_error(MPT_C_ULP_READ, "TCP_ULP", err);
	} else {
		name[sizeof name - 1] = '\0';
		mpt_that(MPT_C_ULP_READ, !strcmp(name, "mptcp"),
			 "TCP_ULP: expected \"mptcp\", got \"%s\"", name);
	}
	if (setsockopt(fd, SOL_TCP, SK_TCP_ULP, "tls", 3) == 0)
		mpt_fail(MPT_C_ULP_TLS, "setting TCP_ULP \"tls\": expected an error, got success");
	else
		mpt_pass(MPT_C_ULP_TLS);
}

static void check_unknown_option(int fd)
{
	unsigned char buf[64];
	socklen_t len = sizeof buf;
	int err = mpt_gso(fd, SOL_MPTCP, 99, buf, &len);

	if (!err)
		mpt_fail(MPT_C_UNKNOWN_OPT, "SOL_MPTCP option 99: expected EOPNOTSUPP, got success");
	else
		mpt_that(MPT_C_UNKNOWN_OPT, err == EOPNOTSUPP,
			 "SOL_MPTCP option 99: expected EOPNOTSUPP, got %s", strerror(err));
}

static void check_info_sizing(struct mpt_side *st, int fd)
{
	static const socklen_t short_asks[] = { 40, 0 };
	unsigned char buf[MI_BUF];
	socklen_t len = sizeof buf, kernel;
	int err = mpt_gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);

	if (err) {
		mpt_sockopt_error(MPT_C_INFO_SIZE, "MPTCP_INFO (5.16+)", err);
		return;
	}
	kernel = len;
	mpt_verbose(st, "MPTCP_INFO: the kernel's mptcp_info is %u bytes", (unsigned)kernel);
	mpt_that(MPT_C_INFO_SIZE, kernel >= MI_SIZE_MIN && kernel < sizeof buf && kernel % 8 == 0,
		 "length for a %zu-byte buffer: expected a multiple of 8 from %d to %zu, got %u",
		 sizeof buf, MI_SIZE_MIN, sizeof buf - 8, (unsigned)kernel);
	/* A shorter buffer gets what fits, and says so. */
	for (size_t i = 0; i < sizeof short_asks / sizeof short_asks[0]; i++) {
		socklen_t ask = short_asks[i];

		len = ask;
		err = mpt_gso(fd, SOL_MPTCP, MPTCP_INFO, buf, &len);
		if (err)
			mpt_fail(MPT_C_INFO_SIZE, "MPTCP_INFO with optlen %u: %s", (unsigned)ask,
				 strerror(err));
		else
			mpt_that(MPT_C_INFO_SIZE, len == ask,
				 "optlen after asking %u bytes: expected %u, got %u",
				 (unsigned)ask, (unsigned)ask, (unsigned)len);
	}
}

static void check_ip_tos(struct mpt_side *st, int fd)
{
	uint8_t in = mpt_random(&st->rng) & 0xfc, out = 0;
	socklen_t len = 1;

	if (setsockopt(fd, SOL_IP, IP_TOS, &in, 1) < 0) {
		mpt_fail(MPT_C_TOS_LEN1, "setsockopt IP_TOS 0x%x: %s", in, strerror(errno));
	} else if (getsockopt(fd, SOL_IP, IP_TOS, &out, &len) < 0) {
		mpt_fail(MPT_C_TOS_LEN1, "getsockopt IP_TOS: %s", strerror(errno));
	} else {
		mpt_that(MPT_C_TOS_LEN1, out == in, "IP_TOS: expected 0x%x, got 0x%x", in, out);
		mpt_eq(MPT_C_TOS_LEN1, "optlen", len, 1);
	}

	len = 0;
	if (getsockopt(fd, SOL_IP, IP_TOS, &out, &len) < 0)
		mpt_fail(MPT_C_TOS_LEN0, "getsockopt IP_TOS with len 0: expected success, got %s",
			 strerror(errno));
	else
		mpt_eq(MPT_C_TOS_LEN0, "optlen", len, 0);

	len = (socklen_t)-1;
	if (getsockopt(fd, SOL_IP, IP_TOS, &out, &len) == 0)
		mpt_fail(MPT_C_TOS_LENNEG, "getsockopt IP_TOS with len -1: expected EINVAL, got success");
	else
		mpt_that(MPT_C_TOS_LENNEG, errno == EINVAL,
			 "getsockopt IP_TOS with len -1: expected EINVAL, got %s", strerror(errno));
	mpt_that(MPT_C_TOS_LENNEG, len == (socklen_t)-1,
		 "optlen after the refused call: expected -1 (unchanged), got %d", (int)len);
}

void mpt_client_options(struct mpt_side *st, int fd)
{
	check_so_protocol(fd);
	check_is_mptcp(fd);
	check_ulp(fd);
	check_unknown_option(fd);
	check_ip_tos(st, fd);
	check_info_sizing(st, fd);
}

void mpt_check_outq(int fd, uint64_t bound, int must_be_empty, const char *when)
{
	int queued = -1, nsd = -1;

	if (ioctl(fd, SK_SIOCOUTQ, &queued) < 0) {
		mpt_fail(MPT_C_OUTQ, "%s: TIOCOUTQ: %s", when, strerror(errno));
		return;
	}
	if (ioctl(fd, SK_SIOCOUTQNSD, &nsd) < 0) {
		mpt_fail(MPT_C_OUTQ, "%s: SIOCOUTQNSD: %s", when, strerror(errno));
		return;
	}
	mpt_that(MPT_C_OUTQ, queued >= 0 && (uint64_t)queued <= bound,
		 "%s: TIOCOUTQ: expected 0 to %llu, got %d", when,
		 (unsigned long long)bound, queued);
	mpt_that(MPT_C_OUTQ, nsd >= 0 && nsd <= queued,
		 "%s: SIOCOUTQNSD: expected 0 to TIOCOUTQ (%d), got %d", when, queued, nsd);
	if (must_be_empty)
		mpt_that(MPT_C_OUTQ, queued == 0,
			 "%s: TIOCOUTQ: expected 0 (all acknowledged), got %d", when, queued);
}
