/* Every check of a conformance run, declared once.
 *
 * MPT_CHECKS is the one table: the enum, the names, each check's side, the
 * TAP plan (mpt_check_in_run) and `--list` (which the manual's list is
 * tested against) all follow from it.  ALL checks run in every run, MULTI
 * ones only with --subflows 2 or more.
 *
 * The server and client processes record each check's outcome in a table
 * in shared memory; the parent prints the TAP lines once both are reaped,
 * so the numbering is stable.  Every check starts "not reached", and the
 * table names the stage of its side where its last evaluation happens:
 * it is ok only if its code ran there and passed.  A check evaluated
 * before and after the transfer may pass the first time; if the second
 * never comes (the data never arrived, the process was killed) it is
 * "not ok" with the reason, never a silent ok.  Any failure fails it, and
 * the first diagnostics are kept. */
#ifndef SOCKKIT_MPTCP_CHECKS_H
#define SOCKKIT_MPTCP_CHECKS_H

#include <stdarg.h>

#include "err.h"

#define MPT_CHECKS(X) \
	X(C_SO_PROTOCOL,      CLIENT, ALL,   OPEN,      "SO_PROTOCOL is IPPROTO_MPTCP") \
	X(C_IS_MPTCP,         CLIENT, ALL,   OPEN,      "TCP_IS_MPTCP is 1") \
	X(C_ULP_READ,         CLIENT, ALL,   OPEN,      "TCP_ULP reads mptcp") \
	X(C_ULP_TLS,          CLIENT, ALL,   OPEN,      "TCP_ULP refuses tls") \
	X(C_UNKNOWN_OPT,      CLIENT, ALL,   OPEN,      "unknown SOL_MPTCP option refused") \
	X(C_TOS_LEN1,         CLIENT, ALL,   OPEN,      "IP_TOS round trip with len 1") \
	X(C_TOS_LEN0,         CLIENT, ALL,   OPEN,      "IP_TOS with len 0") \
	X(C_TOS_LENNEG,       CLIENT, ALL,   OPEN,      "IP_TOS with len -1 refused") \
	X(C_INFO_SIZE,        CLIENT, ALL,   OPEN,      "MPTCP_INFO sizing") \
	X(C_INFO_WRITE_SEQ,   CLIENT, ALL,   END,       "MPTCP_INFO write_seq delta") \
	X(C_INFO_RCV_NXT,     CLIENT, ALL,   END,       "MPTCP_INFO rcv_nxt delta") \
	X(C_INFO_BYTES,       CLIENT, ALL,   END,       "MPTCP_INFO byte counters") \
	X(C_INFO_SUBFLOWS,    CLIENT, MULTI, END,       "MPTCP_INFO subflow counters") \
	X(C_TCPINFO,          CLIENT, ALL,   END,       "MPTCP_TCPINFO") \
	X(C_TCPINFO_EACH,     CLIENT, MULTI, END,       "MPTCP_TCPINFO each subflow at the kernel's stride") \
	X(C_TCPINFO_BOGUS,    CLIENT, ALL,   END,       "MPTCP_TCPINFO malformed requests") \
	X(C_ADDRS,            CLIENT, ALL,   END,       "MPTCP_SUBFLOW_ADDRS") \
	X(C_ADDRS_EACH,       CLIENT, MULTI, END,       "MPTCP_SUBFLOW_ADDRS each subflow at the kernel's stride") \
	X(C_ADDRS_FAMILY,     CLIENT, ALL,   END,       "MPTCP_SUBFLOW_ADDRS family only") \
	X(C_ADDRS_BOGUS,      CLIENT, ALL,   END,       "MPTCP_SUBFLOW_ADDRS malformed requests") \
	X(C_ROOM_FOR_ONE,     CLIENT, MULTI, END,       "room for one subflow of several") \
	X(C_FULL_INFO,        CLIENT, ALL,   END,       "MPTCP_FULL_INFO") \
	X(C_FULL_INFO_EACH,   CLIENT, MULTI, END,       "MPTCP_FULL_INFO each subflow") \
	X(C_FULL_INFO_BOGUS,  CLIENT, ALL,   OPEN,      "MPTCP_FULL_INFO malformed requests") \
	X(C_SUBFLOW_BYTES,    CLIENT, MULTI, END,       "byte counters across subflows") \
	X(C_OUTQ,             CLIENT, ALL,   END,       "TIOCOUTQ and SIOCOUTQNSD") \
	X(C_ECHO,             CLIENT, ALL,   TRANSFER,  "echo data") \
	X(S_INFO_LISTENER,    SERVER, ALL,   OPEN,      "MPTCP_INFO on the listener") \
	X(S_INFO_WRITE_SEQ,   SERVER, ALL,   END,       "MPTCP_INFO write_seq delta") \
	X(S_INFO_RCV_NXT,     SERVER, ALL,   END,       "MPTCP_INFO rcv_nxt delta with FIN") \
	X(S_INFO_BYTES,       SERVER, ALL,   END,       "MPTCP_INFO byte counters") \
	X(S_INFO_SUBFLOWS,    SERVER, MULTI, END,       "MPTCP_INFO subflow counters") \
	X(S_TCPINFO,          SERVER, ALL,   END,       "MPTCP_TCPINFO") \
	X(S_TCPINFO_EACH,     SERVER, MULTI, END,       "MPTCP_TCPINFO each subflow at the kernel's stride") \
	X(S_TCPINFO_BOGUS,    SERVER, ALL,   END,       "MPTCP_TCPINFO malformed requests") \
	X(S_ADDRS,            SERVER, ALL,   END,       "MPTCP_SUBFLOW_ADDRS") \
	X(S_ADDRS_EACH,       SERVER, MULTI, END,       "MPTCP_SUBFLOW_ADDRS each subflow at the kernel's stride") \
	X(S_ADDRS_FAMILY,     SERVER, ALL,   END,       "MPTCP_SUBFLOW_ADDRS family only") \
	X(S_ADDRS_BOGUS,      SERVER, ALL,   END,       "MPTCP_SUBFLOW_ADDRS malformed requests") \
	X(S_ROOM_FOR_ONE,     SERVER, MULTI, END,       "room for one subflow of several") \
	X(S_FULL_INFO,        SERVER, ALL,   END,       "MPTCP_FULL_INFO") \
	X(S_FULL_INFO_EACH,   SERVER, MULTI, END,       "MPTCP_FULL_INFO each subflow") \
	X(S_SUBFLOW_BYTES,    SERVER, MULTI, END,       "byte counters across subflows") \
	X(S_FIONREAD,         SERVER, ALL,   TRANSFER,  "FIONREAD") \
	X(S_TCP_INQ,          SERVER, ALL,   END,       "TCP_INQ")

enum mpt_check {
#define MPT_CHECK_ENUM(id, side, scope, stage, name) MPT_##id,
	MPT_CHECKS(MPT_CHECK_ENUM)
#undef MPT_CHECK_ENUM
	MPT_CHECK_COUNT
};

enum mpt_role { MPT_CLIENT, MPT_SERVER };
enum mpt_scope { MPT_ALL, MPT_MULTI };

/* The stages of a side, in the order it reaches them.  OPEN: its sockets
 * are open and connected (the listener's check, the client's option
 * checks, the samples before the transfer); TRANSFER: the message is on
 * its way (the client writes it and waits for the echo, the server waits
 * for it, reads it and echoes it); END: it has gone both ways (the client
 * has read the whole echo, the server the client's FIN): the samples after
 * the transfer. */
enum mpt_stage { MPT_NOWHERE, MPT_OPEN, MPT_TRANSFER, MPT_END };

/* The check's name without its side ("MPTCP_INFO write_seq delta"), its
 * side's word ("client"), its side, and the stage its last evaluation
 * happens at. */
const char *mpt_check_name(enum mpt_check id);
const char *mpt_check_side_word(enum mpt_check id);
enum mpt_role mpt_check_side(enum mpt_check id);
enum mpt_stage mpt_check_stage(enum mpt_check id);
/* "after the transfer" ...: what a stage is, for messages. */
const char *mpt_stage_words(enum mpt_stage stage);
/* Whether a run with this many subflows makes the check, and how many
 * checks such a run makes per family (the TAP plan's share). */
int mpt_check_in_run(enum mpt_check id, unsigned subflows);
int mpt_checks_in_run(unsigned subflows);

/* MPT_NOT_REACHED is every check's state until its code records one. */
enum mpt_check_state { MPT_NOT_REACHED, MPT_PASS, MPT_FAIL, MPT_SKIP };

#define MPT_DIAG_SIZE 480

struct mpt_result {
	int state;
	int stage;                      /* the latest stage it was recorded at */
	char diag[MPT_DIAG_SIZE];       /* failure lines, or the skip reason */
};

/* Every result "not reached", at no stage. */
void mpt_results_init(struct mpt_result *results);
/* A pass that counts: recorded at the check's last stage, with no failure
 * before.  A skip stands whenever it came (the kernel lacks the option). */
int mpt_result_passed(enum mpt_check id, const struct mpt_result *r);

/* The table the current process records into (set in each child), and
 * the stage it has reached: what it records is recorded at that stage. */
extern struct mpt_result *mpt_results;
void mpt_set_stage(enum mpt_stage stage);

void mpt_pass(enum mpt_check id);
void mpt_fail(enum mpt_check id, const char *fmt, ...) PRINTF_LIKE(2, 3);
void mpt_vfail(enum mpt_check id, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
void mpt_skip(enum mpt_check id, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Record cond; on failure the message.  Returns cond. */
int mpt_that(enum mpt_check id, int cond, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* got == want, else "what: expected W, got G".  Returns the comparison. */
int mpt_eq(enum mpt_check id, const char *what, unsigned long long got,
	   unsigned long long want);
/* A getsockopt that failed; a missing option (EOPNOTSUPP, ENOPROTOOPT)
 * skips the check, anything else fails it. */
void mpt_sockopt_error(enum mpt_check id, const char *what, int errnum);

#endif
