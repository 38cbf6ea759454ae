/* The applet's modes, as the command line selects them. */
#ifndef SOCKKIT_MPTCP_MODES_H
#define SOCKKIT_MPTCP_MODES_H

#include <sys/socket.h>

/* Exit 4: socket() with IPPROTO_MPTCP failed with errnum (ENOPROTOOPT,
 * EPROTONOSUPPORT).  The same words for every mode. */
_Noreturn void mpt_die_unavailable(int errnum);
/* The same for the checks, after a TAP skip-all plan saying it. */
_Noreturn void mpt_skip_unavailable(int errnum);

/* socket(family, SOCK_STREAM, IPPROTO_MPTCP) fails as it does where MPTCP
 * is off or absent: that errno (ENOPROTOOPT, EPROTONOSUPPORT), else 0. */
int mpt_mptcp_missing(int family);

/* The conformance run (the default mode). */
struct mpt_test_opts {
	int families[2];
	int nfamilies;
	unsigned port;                  /* 0: ephemeral */
	int timeout_s;
	int verbose;
	unsigned subflows;
};
int mpt_test_mode(const struct mpt_test_opts *o);
/* --list: the checks such a run makes, one name a line. */
int mpt_list_checks(unsigned subflows);

/* Report mode (-c HOST PORT). */
struct mpt_report_opts {
	const char *host;
	unsigned port;
	int family;                     /* AF_UNSPEC: the host's */
	int timeout_s;
	int json;
	unsigned subflows;              /* wait for this many established */
	unsigned long long send_bytes;  /* send and have acknowledged first */
	int interval_ms;                /* between samples */
	unsigned count;                 /* samples */
};
int mpt_report_mode(const struct mpt_report_opts *o);

/* --all: every MPTCP connection of the namespace, with its subflows. */
int mpt_all_mode(int family, int json, int timeout_s);

/* -l: serve one connection. */
int mpt_listen_mode(int family, const char *host, unsigned port, int plain_tcp,
		    int timeout_s);

#endif
