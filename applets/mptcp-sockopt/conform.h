/* A conformance run of one address family: what the parent prepares, what
 * the server and client processes share, and the steps each side takes. */
#ifndef SOCKKIT_MPTCP_CONFORM_H
#define SOCKKIT_MPTCP_CONFORM_H

#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "checks.h"
#include "mptcp.h"
#include "subflows.h"

/* One subflow's byte counters, and the link it runs on. */
struct mpt_link_bytes {
	unsigned link;
	uint64_t sent, retrans, received;
};

/* Shared memory between the parent and a family's two processes. */
struct mpt_shared {
	struct mpt_result results[MPT_CHECK_COUNT];
	/* A setup step a side could not take ("" when none): the run is then
	 * a TAP "Bail out!", not a check's failure. */
	char setup_error[2][240];
	unsigned setup_order[2];        /* which side failed first (1, 2) */
	unsigned setup_failures;
	/* Each side's stage (enum mpt_stage), and the check where it stopped
	 * short of its end (+1; 0 when it did not): the last line of that
	 * check's diagnostics is the reason its later checks give. */
	int reached[2];
	int stop_check[2];
	/* The client's subflows after the transfer, for the server's
	 * comparison (several subflows); ready is set last. */
	struct mpt_link_bytes client_links[MPT_ELEMS_MAX];
	unsigned client_nlinks;
	int client_links_ready;
};

struct mpt_run {
	int family;
	const char *tag;                /* "v4" or "v6", the TAP prefix */
	int verbose;
	unsigned subflows;              /* 1, or the links of a private network */
	int64_t deadline_ms;            /* now_ms() value every wait ends by */
	unsigned seed;                  /* for the message length and the TOS */
	struct sockaddr_storage addr;   /* where the client connects */
	socklen_t addrlen;
	/* Several subflows: each link's address on either side (port 0). */
	struct sockaddr_storage server_addr[MPT_SUBFLOWS_MAX];
	struct sockaddr_storage client_addr[MPT_SUBFLOWS_MAX];
	int listen_fd, client_fd;       /* made in each side's namespace */
	int server_events, client_events;       /* path manager events, or -1 */
	/* -v: both sides' lines, gathered for the parent to print with the
	 * family's results (the families run at once); -1 without -v. */
	int vlog;
	struct mpt_shared *shared;
};

/* Which checks a side's samples feed. */
struct mpt_side_ids {
	enum mpt_check write_seq, rcv_nxt, bytes, subflow_counts, tcpinfo, tcpinfo_each,
		tcpinfo_bogus, addrs, addrs_each, addrs_family, addrs_bogus, room_for_one,
		full_info, full_info_each, subflow_bytes;
};

/* The checks of side P (C or S), whose ids differ by their prefix only. */
#define MPT_SIDE_IDS(P) { \
	.write_seq = MPT_##P##_INFO_WRITE_SEQ, .rcv_nxt = MPT_##P##_INFO_RCV_NXT, \
	.bytes = MPT_##P##_INFO_BYTES, .subflow_counts = MPT_##P##_INFO_SUBFLOWS, \
	.tcpinfo = MPT_##P##_TCPINFO, .tcpinfo_each = MPT_##P##_TCPINFO_EACH, \
	.tcpinfo_bogus = MPT_##P##_TCPINFO_BOGUS, .addrs = MPT_##P##_ADDRS, \
	.addrs_each = MPT_##P##_ADDRS_EACH, .addrs_family = MPT_##P##_ADDRS_FAMILY, \
	.addrs_bogus = MPT_##P##_ADDRS_BOGUS, .room_for_one = MPT_##P##_ROOM_FOR_ONE, \
	.full_info = MPT_##P##_FULL_INFO, .full_info_each = MPT_##P##_FULL_INFO_EACH, \
	.subflow_bytes = MPT_##P##_SUBFLOW_BYTES, \
}

/* What one side has read so far. */
struct mpt_side {
	const struct mpt_run *run;
	enum mpt_role side;
	const char *who;                /* "client", "server" */
	const struct mpt_side_ids *ids;
	unsigned rng;
	unsigned char info0[MI_BUF];    /* the first MPTCP_INFO sample */
	size_t info0_len;
	unsigned char info[MI_BUF];     /* the latest one */
	size_t info_len;
	struct mpt_subflow_reply ti;    /* the latest MPTCP_TCPINFO */
	struct mpt_subflow_reply addrs; /* the latest MPTCP_SUBFLOW_ADDRS */
	int have_ti, have_addrs;
};

/* The totals a sample is compared with. */
struct mpt_expect {
	uint64_t written, read;
	int fin;                        /* the peer's FIN has been read */
	int after;                      /* after the transfer */
};

/* The children's bodies; they return the exit status of the child. */
int mpt_server(const struct mpt_run *run, int ctl);
int mpt_client(const struct mpt_run *run, int ctl);

/* This side has reached a stage: its checks record there from now on. */
void mpt_reach(const struct mpt_side *st, enum mpt_stage stage);
/* This side cannot go on: check id fails with the message, which is also
 * why the checks of its later stages were not reached. */
void mpt_stop(const struct mpt_side *st, enum mpt_check id, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/* A setup step of this side failed: recorded for the parent's Bail out. */
void mpt_setup_failed(const struct mpt_side *st, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The side's failure that came first (the other's is often its echo:
 * "the client process ended before connecting"), or "". */
const char *mpt_first_setup_error(const struct mpt_shared *sh);
/* Wait, bounded by the run, for every subflow of the connection;
 * 0, or -1 with the setup failure recorded. */
int mpt_await_subflows(struct mpt_side *st, int fd, int events);

/* Every sample of one moment (sample.c), and the checks of several
 * subflows that read them (multi.c). */
void mpt_sample_all(struct mpt_side *st, int fd, const struct mpt_expect *ex);
void mpt_sample_multi(struct mpt_side *st, int fd, const struct mpt_expect *ex);
void mpt_compare_links(struct mpt_side *st);
void mpt_share_links(struct mpt_side *st);
/* The malformed requests (malformed.c). */
void mpt_sample_bogus(int fd, int optname, enum mpt_check id, unsigned subflows);
void mpt_full_info_bogus(int fd, enum mpt_check id);
/* The client's socket option checks (sockopts.c). */
void mpt_client_options(struct mpt_side *st, int fd);
void mpt_check_outq(int fd, uint64_t bound, int must_be_empty, const char *when);

/* -v lines: "# v4 client ..." (one write per line: the sides share the log). */
void mpt_verbose(const struct mpt_side *st, const char *fmt, ...) PRINTF_LIKE(2, 3);
void mpt_verbose_fields(const struct mpt_side *st, const char *what,
			const struct mpt_field *f, size_t n, const void *reply, size_t len);
/* getsockopt returning 0 or the errno, with len in and out. */
int mpt_gso(int fd, int level, int name, void *buf, socklen_t *len);
unsigned mpt_random(unsigned *state);
const char *mpt_addr_text(const struct sockaddr_storage *ss, char *buf, size_t size);

#endif
