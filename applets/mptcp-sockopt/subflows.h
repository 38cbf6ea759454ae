/* Subflow lists from the kernel: MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS
 * replies unpacked at the stride the kernel packed them, and waiting for a
 * number of established subflows. */
#ifndef SOCKKIT_MPTCP_SUBFLOWS_H
#define SOCKKIT_MPTCP_SUBFLOWS_H

#include <stdint.h>
#include <sys/socket.h>

#include "mptcp.h"

/* One reply of MPTCP_TCPINFO or MPTCP_SUBFLOW_ADDRS. */
struct mpt_subflow_reply {
	struct mptcp_subflow_data d;    /* num_subflows, size_kernel, size_user */
	socklen_t optlen;               /* what the kernel said it wrote */
	unsigned count;                 /* elements unpacked into elem */
	/* Element i as the kernel wrote it (d.size_user bytes), zeros after. */
	_Alignas(8) unsigned char elem[MPT_ELEMS_MAX][TI_BUF];
};

/* Ask for elements of elem_size bytes (at most TI_BUF) with room for `room`
 * of them (at most MPT_ELEMS_MAX), and unpack what came: element i is
 * read at offset 16 + i * size_user, the kernel's stride, never at the
 * requested size.  0, or -1 with errno (EPROTO: the kernel claimed more
 * than the buffer it was given). */
int mpt_subflow_request(int fd, int optname, uint32_t elem_size, unsigned room,
			struct mpt_subflow_reply *r);

/* One reply of MPTCP_FULL_INFO (6.5), its arrays unpacked at the strides
 * the kernel used (size_sfinfo_user, size_tcpinfo_user). */
struct mpt_full_reply {
	struct mptcp_full_info_head h;
	_Alignas(8) unsigned char info[MI_BUF];         /* mptcp_info */
	socklen_t optlen;
	unsigned count;                                 /* elements unpacked */
	struct mptcp_subflow_info sf[MPT_ELEMS_MAX];
	_Alignas(8) unsigned char ti[MPT_ELEMS_MAX][TI_BUF];
};

/* Ask for MPTCP_FULL_INFO with arrays of `room` elements (at most
 * MPT_ELEMS_MAX) of the largest sizes we know.  0, or -1 with errno. */
int mpt_full_info_request(int fd, unsigned room, struct mpt_full_reply *r);

/* How many subflows of an MPTCP socket are established: >= 0, or -1 with
 * errno.  Reads one byte, tcpi_state, per subflow. */
int mpt_established_subflows(int fd);

/* Wait until the MPTCP socket has `want` established subflows, re-counting
 * at each event on the path manager's event socket `events` (or every 10 ms
 * when it is -1), until deadline_ms.  0, or -1 with errno (ETIMEDOUT);
 * *have is the last count. */
int mpt_wait_subflows(int fd, unsigned want, int events, int64_t deadline_ms,
		      unsigned *have);

/* Empty the event socket: only the wake-up matters, the count is re-read. */
void mpt_drain_events(int events);

#endif
