/* The checks of one family's run and where their results go.
 *
 * The server and client processes record each check's outcome in a table
 * in shared memory; the parent prints the TAP lines once both are reaped,
 * so the numbering is stable and a check a dead child never reached is
 * reported as such.  A check may be evaluated several times (before and
 * after the transfer): any failure makes it fail, and the first
 * diagnostics are kept. */
#ifndef SOCKKIT_MPTCP_CHECK_H
#define SOCKKIT_MPTCP_CHECK_H

#include "err.h"

enum side { SIDE_CLIENT, SIDE_SERVER };

enum check_id {
	/* client */
	C_SO_PROTOCOL,
	C_IS_MPTCP,
	C_ULP_READ,
	C_ULP_TLS,
	C_UNKNOWN_OPT,
	C_TOS_LEN1,
	C_TOS_LEN0,
	C_TOS_LENNEG,
	C_INFO_SIZE,
	C_INFO_WRITE_SEQ,
	C_INFO_RCV_NXT,
	C_INFO_BYTES,
	C_TCPINFO,
	C_TCPINFO_BOGUS,
	C_ADDRS,
	C_ADDRS_FAMILY,
	C_ADDRS_BOGUS,
	C_FULL_INFO,
	C_FULL_INFO_BOGUS,
	C_OUTQ,
	C_ECHO,
	/* server */
	S_INFO_LISTENER,
	S_INFO_WRITE_SEQ,
	S_INFO_RCV_NXT,
	S_INFO_BYTES,
	S_TCPINFO,
	S_TCPINFO_BOGUS,
	S_ADDRS,
	S_ADDRS_FAMILY,
	S_ADDRS_BOGUS,
	S_FULL_INFO,
	S_FIONREAD,
	S_TCP_INQ,
	CHECK_COUNT
};

enum check_state { CHECK_UNRUN, CHECK_PASS, CHECK_FAIL, CHECK_SKIP };

#define CHECK_DIAG_SIZE 480

struct check_result {
	int state;
	char diag[CHECK_DIAG_SIZE];     /* failure lines, or the skip reason */
};

/* The check's TAP description, e.g. "client MPTCP_INFO write_seq delta". */
const char *check_name(enum check_id id);
enum side check_side(enum check_id id);

/* The table the current process records into (set in each child). */
extern struct check_result *check_table;

void check_pass(enum check_id id);
void check_fail(enum check_id id, const char *fmt, ...) PRINTF_LIKE(2, 3);
void check_skip(enum check_id id, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Record cond; on failure the message.  Returns cond. */
int check_that(enum check_id id, int cond, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* got == want, else "what: expected W, got G".  Returns the comparison. */
int check_eq(enum check_id id, const char *what, unsigned long long got,
	     unsigned long long want);
/* A getsockopt that failed; a missing option (EOPNOTSUPP, ENOPROTOOPT)
 * skips the check, anything else fails it. */
void check_sockopt_error(enum check_id id, const char *what, int errnum);

#endif
