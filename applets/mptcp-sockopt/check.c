/* Recording check results into the shared table. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

struct check_result *check_table;

static const char *const names[CHECK_COUNT] = {
	[C_SO_PROTOCOL] = "client SO_PROTOCOL is IPPROTO_MPTCP",
	[C_IS_MPTCP] = "client TCP_IS_MPTCP is 1",
	[C_ULP_READ] = "client TCP_ULP reads mptcp",
	[C_ULP_TLS] = "client TCP_ULP refuses tls",
	[C_UNKNOWN_OPT] = "client unknown SOL_MPTCP option refused",
	[C_TOS_LEN1] = "client IP_TOS round trip with len 1",
	[C_TOS_LEN0] = "client IP_TOS with len 0",
	[C_TOS_LENNEG] = "client IP_TOS with len -1 refused",
	[C_INFO_SIZE] = "client MPTCP_INFO sizing",
	[C_INFO_WRITE_SEQ] = "client MPTCP_INFO write_seq delta",
	[C_INFO_RCV_NXT] = "client MPTCP_INFO rcv_nxt delta",
	[C_INFO_BYTES] = "client MPTCP_INFO byte counters",
	[C_TCPINFO] = "client MPTCP_TCPINFO",
	[C_TCPINFO_BOGUS] = "client MPTCP_TCPINFO malformed requests",
	[C_ADDRS] = "client MPTCP_SUBFLOW_ADDRS",
	[C_ADDRS_FAMILY] = "client MPTCP_SUBFLOW_ADDRS family only",
	[C_ADDRS_BOGUS] = "client MPTCP_SUBFLOW_ADDRS malformed requests",
	[C_FULL_INFO] = "client MPTCP_FULL_INFO",
	[C_FULL_INFO_BOGUS] = "client MPTCP_FULL_INFO malformed requests",
	[C_OUTQ] = "client TIOCOUTQ and SIOCOUTQNSD",
	[C_ECHO] = "client echo data",
	[S_INFO_LISTENER] = "server MPTCP_INFO on the listener",
	[S_INFO_WRITE_SEQ] = "server MPTCP_INFO write_seq delta",
	[S_INFO_RCV_NXT] = "server MPTCP_INFO rcv_nxt delta with FIN",
	[S_INFO_BYTES] = "server MPTCP_INFO byte counters",
	[S_TCPINFO] = "server MPTCP_TCPINFO",
	[S_TCPINFO_BOGUS] = "server MPTCP_TCPINFO malformed requests",
	[S_ADDRS] = "server MPTCP_SUBFLOW_ADDRS",
	[S_ADDRS_FAMILY] = "server MPTCP_SUBFLOW_ADDRS family only",
	[S_ADDRS_BOGUS] = "server MPTCP_SUBFLOW_ADDRS malformed requests",
	[S_FULL_INFO] = "server MPTCP_FULL_INFO",
	[S_FIONREAD] = "server FIONREAD",
	[S_TCP_INQ] = "server TCP_INQ",
};

const char *check_name(enum check_id id)
{
	return names[id];
}

enum side check_side(enum check_id id)
{
	return id >= S_INFO_LISTENER ? SIDE_SERVER : SIDE_CLIENT;
}

void check_pass(enum check_id id)
{
	if (check_table[id].state == CHECK_UNRUN)
		check_table[id].state = CHECK_PASS;
}

static void add_diag(struct check_result *r, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void vfail(enum check_id id, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

/* Append one line to the check's diagnostics, as far as it fits. */
static void add_diag(struct check_result *r, const char *fmt, va_list ap)
{
	size_t used = strlen(r->diag);

	if (used + 2 >= sizeof r->diag)
		return;
	if (used)
		r->diag[used++] = '\n';
	vsnprintf(r->diag + used, sizeof r->diag - used, fmt, ap);
}

static void vfail(enum check_id id, const char *fmt, va_list ap)
{
	struct check_result *r = &check_table[id];

	if (r->state != CHECK_FAIL)
		r->diag[0] = '\0';      /* a skip reason gives way to the failure */
	r->state = CHECK_FAIL;
	add_diag(r, fmt, ap);
}

void check_fail(enum check_id id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(id, fmt, ap);
	va_end(ap);
}

void check_skip(enum check_id id, const char *fmt, ...)
{
	struct check_result *r = &check_table[id];
	va_list ap;

	if (r->state == CHECK_FAIL || r->state == CHECK_SKIP)
		return;
	r->state = CHECK_SKIP;
	r->diag[0] = '\0';
	va_start(ap, fmt);
	add_diag(r, fmt, ap);
	va_end(ap);
}

int check_that(enum check_id id, int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		check_pass(id);
		return 1;
	}
	va_start(ap, fmt);
	vfail(id, fmt, ap);
	va_end(ap);
	return 0;
}

int check_eq(enum check_id id, const char *what, unsigned long long got,
	     unsigned long long want)
{
	return check_that(id, got == want, "%s: expected %llu, got %llu",
			  what, want, got);
}

void check_sockopt_error(enum check_id id, const char *what, int errnum)
{
	if (errnum == EOPNOTSUPP || errnum == ENOPROTOOPT)
		check_skip(id, "%s not supported by this kernel (%s)", what,
			   strerror(errnum));
	else
		check_fail(id, "%s: expected success, got error %s", what,
			   strerror(errnum));
}
