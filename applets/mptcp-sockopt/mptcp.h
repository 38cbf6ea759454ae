/* The kernel's MPTCP socket-option ABI, carried here because musl has no
 * linux/ headers and distribution headers lag the running kernel (Debian 12's
 * stop at csum_enabled and a 232-byte tcp_info; kernel 6.18 has 96 and 280).
 *
 * Structures the kernel grows are never read as C structs here: a reply is
 * a byte buffer and a field is read only when the kernel's reply covers it
 * (mpt_field_covered).  The versions are those of include/uapi/linux/mptcp.h and
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

/* The most subflows a conformance run makes (--subflows), and the most
 * elements a request reads: the in-kernel path manager allows 8 beyond
 * the first (MPTCP_PM_ADDR_MAX), a userspace one may make more; the
 * kernel's count says how many there are. */
#define MPT_SUBFLOWS_MAX        8
#define MPT_ELEMS_MAX           16

/* SOL_TCP options (include/uapi/linux/tcp.h). */
#define SK_TCP_INFO             11
#define SK_TCP_ULP              31      /* 4.13 */
#define SK_TCP_INQ              36      /* 4.18; the cmsg type is the same */
#define SK_TCP_IS_MPTCP         43      /* 6.10 */

/* ioctls (asm-generic/ioctls.h, linux/sockios.h). */
#define SK_SIOCINQ              0x541B  /* = FIONREAD */
#define SK_SIOCOUTQ             0x5411  /* = TIOCOUTQ */
#define SK_SIOCOUTQNSD          0x894B  /* 2.6.38 */

/* TCP states (include/net/tcp_states.h), as tcpi_state and sock_diag say. */
#define MPT_TCP_ESTABLISHED     1

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
#define MI_OFF_SUBFLOWS         0       /* additional subflows: the first is not counted */
#define MI_OFF_ADD_ADDR_SIGNAL  1
#define MI_OFF_ADD_ADDR_ACCEPTED 2
#define MI_OFF_SUBFLOWS_MAX     3
#define MI_OFF_SUBFLOWS_TOTAL   80      /* 6.8: every subflow, the first included */

/* Reply buffers: room for more than any kernel's mptcp_info (96 bytes on
 * 6.18) and tcp_info (280) so far, so that a longer reply shows. */
#define MI_BUF                  256
#define TI_BUF                  512

/* How a field reads to a person and to a JSON parser. */
enum mpt_field_kind {
	MPT_NUM,                /* a count or size: a JSON number */
	MPT_SEQ,                /* a 64-bit sequence number: JSON digits in a string,
				 * as a double would round it */
	MPT_TOKEN,              /* a connection token: hex in text, as ss prints it;
				 * digits in a string in JSON, as an identifier */
	MPT_INFO_FLAGS,         /* mptcp_info's flags, by name */
	MPT_STATE,              /* a TCP state, by name */
};

struct mpt_field {
	const char *name;
	unsigned short offset;
	unsigned char size;     /* 1, 2, 4 or 8 bytes */
	unsigned char kind;     /* enum mpt_field_kind */
};

extern const struct mpt_field mpt_info_fields[];
extern const size_t mpt_info_nfields;

/* struct tcp_info: offsets of the fields used here.  232 bytes up to 6.1,
 * 280 on 6.18; bytes_sent needs at least 4.19. */
#define TI_OFF_STATE            0
#define TI_OFF_RTT              68
#define TI_OFF_RTTVAR           72
#define TI_OFF_SND_CWND         80
#define TI_OFF_BYTES_ACKED      120
#define TI_OFF_BYTES_RECEIVED   128
#define TI_OFF_BYTES_SENT       200     /* 4.19 */
#define TI_OFF_BYTES_RETRANS    208     /* 4.19 */
#define TI_SIZE_BYTES_SENT      208     /* a reply this long has bytes_sent */
#define TI_SIZE_BYTES_RETRANS   216

extern const struct mpt_field mpt_tcpinfo_fields[];
extern const size_t mpt_tcpinfo_nfields;

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
uint64_t mpt_field_get(const void *reply, size_t len, size_t offset, size_t size);
int mpt_field_covered(size_t len, size_t offset, size_t size);

/* A field of a reply as text ("established", "a1b2c3d4", "12"); "" when the
 * reply stops short of it. */
const char *mpt_field_text(const struct mpt_field *f, const void *reply, size_t len,
			   char *buf, size_t size);
/* A TCP state's name ("established"), or its number for one not known. */
const char *mpt_tcp_state_name(unsigned state, char *buf, size_t size);
/* Names of the set bits of flags, comma separated; names[i] is bit i's
 * (NULL: unknown, written as "bitI").  "" for none. */
const char *mpt_flag_names(uint32_t flags, const char *const *names, size_t nnames,
			   char *buf, size_t size);
extern const char *const mpt_info_flag_names[];
extern const size_t mpt_info_nflag_names;

#endif
