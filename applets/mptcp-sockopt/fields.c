/* Field tables of the kernel structures read by name (for -v and -c). */
#include <string.h>

#include "mptcp.h"

/* struct mptcp_info, in layout order, with the kernel that added each. */
const struct field mptcp_info_fields[] = {
	{ "subflows", 0, 1 },                   /* 5.9 */
	{ "add_addr_signal", 1, 1 },
	{ "add_addr_accepted", 2, 1 },
	{ "subflows_max", 3, 1 },
	{ "add_addr_signal_max", 4, 1 },
	{ "add_addr_accepted_max", 5, 1 },
	{ "flags", MI_OFF_FLAGS, 4 },
	{ "token", MI_OFF_TOKEN, 4 },
	{ "write_seq", MI_OFF_WRITE_SEQ, 8 },
	{ "snd_una", MI_OFF_SND_UNA, 8 },
	{ "rcv_nxt", MI_OFF_RCV_NXT, 8 },
	{ "local_addr_used", 40, 1 },           /* 5.12 */
	{ "local_addr_max", 41, 1 },
	{ "csum_enabled", 42, 1 },              /* 5.14 */
	{ "retransmits", 44, 4 },               /* 6.5 */
	{ "bytes_retrans", 48, 8 },
	{ "bytes_sent", MI_OFF_BYTES_SENT, 8 },
	{ "bytes_received", MI_OFF_BYTES_RECEIVED, 8 },
	{ "bytes_acked", MI_OFF_BYTES_ACKED, 8 },
	{ "subflows_total", 80, 1 },            /* 6.8 */
	{ "endp_laminar_max", 81, 1 },          /* 6.18 */
	{ "last_data_sent", 84, 4 },            /* 6.10, milliseconds */
	{ "last_data_recv", 88, 4 },
	{ "last_ack_recv", 92, 4 },
};
const size_t mptcp_info_nfields = sizeof mptcp_info_fields / sizeof mptcp_info_fields[0];

/* The struct tcp_info fields shown per subflow. */
const struct field tcp_info_fields[] = {
	{ "state", 0, 1 },
	{ "rtt_us", TI_OFF_RTT, 4 },
	{ "rttvar_us", TI_OFF_RTTVAR, 4 },
	{ "snd_cwnd", TI_OFF_SND_CWND, 4 },
	{ "bytes_acked", TI_OFF_BYTES_ACKED, 8 },
	{ "bytes_received", TI_OFF_BYTES_RECEIVED, 8 },
	{ "bytes_sent", TI_OFF_BYTES_SENT, 8 },
};
const size_t tcp_info_nfields = sizeof tcp_info_fields / sizeof tcp_info_fields[0];

int field_covered(size_t len, size_t offset, size_t size)
{
	return offset + size <= len;
}

uint64_t field_get(const void *reply, size_t len, size_t offset, size_t size)
{
	const unsigned char *p = (const unsigned char *)reply + offset;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (!field_covered(len, offset, size))
		return 0;
	switch (size) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}
