/* One MPTCP connection as the report modes read it (by socket options for
 * -c, by sock_diag for --all) and print it, as key:value text or JSON. */
#ifndef SOCKKIT_MPTCP_CONN_H
#define SOCKKIT_MPTCP_CONN_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "json.h"
#include "mptcp.h"

/* A subflow's MPTCP attributes from sock_diag (INET_DIAG_ULP_INFO). */
struct mpt_subflow_diag {
	uint32_t flags;                 /* MPTCP_SUBFLOW_FLAG_* */
	uint32_t token_local, token_remote;
	uint8_t id_local, id_remote;
};

struct mpt_subflow {
	struct sockaddr_storage local, remote;
	unsigned char ti[TI_BUF];       /* its tcp_info, as long as the kernel's */
	size_t ti_len;
	int have_diag;
	struct mpt_subflow_diag diag;
};

struct mpt_conn {
	struct sockaddr_storage local, remote;
	int state;                      /* the connection's TCP state, or -1 unknown */
	int fallback;                   /* plain TCP: the peer did not do MPTCP */
	unsigned char info[MI_BUF];
	size_t info_len;                /* 0: no mptcp_info (fallback) */
	unsigned num_subflows;          /* all of them, the first included */
	unsigned nsf;                   /* those listed in sf */
	struct mpt_subflow sf[MPT_ELEMS_MAX];
};

/* The state of the MPTCP connection with c's local and remote address,
 * from sock_diag (as --all and `ss -M` read it; TCP_INFO on the socket
 * gives its first subflow's, which stays established after the peer's
 * DATA_FIN); -1 where sock_diag cannot tell. */
int mpt_diag_state(const struct mpt_conn *c, int timeout_ms);

/* The connection's token (mptcp_info's), or 0 without mptcp_info. */
uint32_t mpt_conn_token(const struct mpt_conn *c);

/* Text: "key:value" lines; a blank line between connections or samples is
 * the caller's.  JSON: one object on one line. */
void mpt_conn_print_text(const struct mpt_conn *c, FILE *out);
void mpt_conn_print_json(const struct mpt_conn *c, FILE *out);

#endif
