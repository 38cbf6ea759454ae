/* Report mode (-c HOST PORT) and the one-connection listener (-l). */
#ifndef SOCKKIT_MPTCP_REPORT_H
#define SOCKKIT_MPTCP_REPORT_H

/* Exit 4: socket() with IPPROTO_MPTCP failed with errnum (ENOPROTOOPT,
 * EPROTONOSUPPORT).  The same words for every mode. */
_Noreturn void die_mptcp_unavailable(int errnum);

int report_mode(const char *host, unsigned port, int family, int timeout_s, int json);
int listen_mode(int family, unsigned port, int plain_tcp, int timeout_s);

#endif
