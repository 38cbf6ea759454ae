/* The kernel's MPTCP socket-option ABI, carried here because musl has no
 * linux/ headers and distribution headers lag the running kernel (Debian 12's
 * stop at csum_enabled and a 232-byte tcp_info; kernel 6.18 has 96 and 280).
 *
 * Structures the kernel grows are never read as C structs here: a reply is
 * a byte buffer and a field is read only when the kernel's reply covers it
 * (field_covered).  The versions are those of include/uapi/linux/mptcp.h and
 * include/uapi/linux/tcp.h in mainline Linux. */
#ifndef SOCKKIT_MPTCP_H
#define SOCKKIT_MPTCP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262               /* 5.6 */
#endif
#ifndef SOL_MPTCP
#define SOL_MPTCP 284                   /* 5.16 */
#endif
#ifndef SOL_TCP
#define SOL_TCP 6
#endif

#define MPTCP_INFO              1       /* 5.16 */
#define MPTCP_TCPINFO           2       /* 5.16 */
#define MPTCP_SUBFLOW_ADDRS     3       /* 5.16 */
#define MPTCP_FULL_INFO         4       /* 6.5 */

#define MPTCP_INFO_FLAG_FALLBACK                1u
#define MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED     2u

/* SOL_TCP options (include/uapi/linux/tcp.h). */
#define SK_TCP_INFO             11
#define SK_TCP_ULP              31      /* 4.13 */
#define SK_TCP_INQ              36      /* 4.18; the cmsg type is the same */
#define SK_TCP_IS_MPTCP         43      /* 6.10 */

/* ioctls (asm-generic/ioctls.h, linux/sockios.h). */
#define SK_SIOCINQ              0x541B  /* = FIONREAD */
#define SK_SIOCOUTQ             0x5411  /* = TIOCOUTQ */
#define SK_SIOCOUTQNSD          0x894B  /* 2.6.38 */

/* struct mptcp_info: byte offsets.  48 bytes on 5.14-6.4, 80 on 6.5-6.7,
 * 88 on 6.8-6.9, 96 from 6.10. */
#define MI_SIZE_MIN             48
#define MI_OFF_FLAGS            8
#define MI_OFF_TOKEN            12
#define MI_OFF_WRITE_SEQ        16
#define MI_OFF_SND_UNA          24
#define MI_OFF_RCV_NXT          32
#define MI_OFF_BYTES_SENT       56      /* 6.5 */
#define MI_OFF_BYTES_RECEIVED   64      /* 6.5 */
#define MI_OFF_BYTES_ACKED      72      /* 6.5 */
#define MI_SIZE_BYTES           80      /* a reply this long has the byte counters */

/* Reply buffers: room for more than any kernel's mptcp_info (96 bytes on
 * 6.18) and tcp_info (280) so far, so that a longer reply shows. */
#define MI_BUF                  256
#define TI_BUF                  512

struct field {
	const char *name;
	unsigned short offset;
	unsigned char size;             /* 1, 2, 4 or 8 bytes */
};

extern const struct field mptcp_info_fields[];
extern const size_t mptcp_info_nfields;

/* struct tcp_info: offsets of the fields used here.  232 bytes up to 6.1,
 * 280 on 6.18; bytes_sent needs at least 4.19. */
#define TI_OFF_RTT              68
#define TI_OFF_RTTVAR           72
#define TI_OFF_SND_CWND         80
#define TI_OFF_BYTES_ACKED      120
#define TI_OFF_BYTES_RECEIVED   128
#define TI_OFF_BYTES_SENT       200
#define TI_SIZE_BYTES_SENT      208     /* a reply this long has bytes_sent */

extern const struct field tcp_info_fields[];
extern const size_t tcp_info_nfields;

/* The request header of MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS (5.16). */
struct mptcp_subflow_data {
	uint32_t size_subflow_data;     /* set by the caller */
	uint32_t num_subflows;          /* 0 in, the subflow count out */
	uint32_t size_kernel;           /* 0 in, the kernel's element size out */
	uint32_t size_user;             /* element size wanted, min'ed by the kernel */
} __attribute__((aligned(8)));

/* One subflow's addresses: two struct __kernel_sockaddr_storage (5.16). */
struct mptcp_subflow_addrs {
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
};

/* MPTCP_FULL_INFO's element: an id then the addresses, 8-aligned (6.5). */
struct mptcp_subflow_info {
	uint32_t id;
	uint32_t pad;
	struct mptcp_subflow_addrs addrs;
};

/* MPTCP_FULL_INFO's header (6.5); mptcp_info follows at FULL_OFF_INFO. */
struct mptcp_full_info_head {
	uint32_t size_tcpinfo_kernel;   /* 0 in */
	uint32_t size_tcpinfo_user;
	uint32_t size_sfinfo_kernel;    /* 0 in */
	uint32_t size_sfinfo_user;
	uint32_t num_subflows;          /* 0 in */
	uint32_t size_arrays_user;      /* elements room in each array */
	uint64_t subflow_info;          /* user pointer */
	uint64_t tcp_info;              /* user pointer */
};
#define FULL_OFF_INFO           40

/* The sizes the kernel's ABI fixes (on 64-bit Linux; sockaddr_storage is
 * 128 bytes in glibc and musl alike). */
_Static_assert(sizeof(struct mptcp_subflow_data) == 16, "mptcp_subflow_data");
_Static_assert(sizeof(struct mptcp_subflow_addrs) == 256, "mptcp_subflow_addrs");
_Static_assert(offsetof(struct mptcp_subflow_info, addrs) == 8, "mptcp_subflow_info");
_Static_assert(sizeof(struct mptcp_full_info_head) == FULL_OFF_INFO, "mptcp_full_info");

/* A field of a reply of len bytes, or 0 when the reply stops short of it. */
uint64_t field_get(const void *reply, size_t len, size_t offset, size_t size);
int field_covered(size_t len, size_t offset, size_t size);

#endif
