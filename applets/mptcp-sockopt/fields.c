/* The kernel structures' fields by name, and how each reads. */
#include <stdio.h>
#include <string.h>

#include "mptcp.h"

/* struct mptcp_info, in layout order, with the kernel that added each.
 * mptcpi_subflows counts the subflows beyond the first, so it is named
 * for what it counts; subflows_total (6.8) counts them all. */
const struct mpt_field mpt_info_fields[] = {
	{ "additional_subflows", MI_OFF_SUBFLOWS, 1, MPT_NUM },        /* 5.9 */
	{ "add_addr_signal", MI_OFF_ADD_ADDR_SIGNAL, 1, MPT_NUM },
	{ "add_addr_accepted", MI_OFF_ADD_ADDR_ACCEPTED, 1, MPT_NUM },
	{ "subflows_max", MI_OFF_SUBFLOWS_MAX, 1, MPT_NUM },
	{ "add_addr_signal_max", 4, 1, MPT_NUM },
	{ "add_addr_accepted_max", 5, 1, MPT_NUM },
	{ "flags", MI_OFF_FLAGS, 4, MPT_INFO_FLAGS },
	{ "token", MI_OFF_TOKEN, 4, MPT_TOKEN },
	{ "write_seq", MI_OFF_WRITE_SEQ, 8, MPT_SEQ },
	{ "snd_una", MI_OFF_SND_UNA, 8, MPT_SEQ },
	{ "rcv_nxt", MI_OFF_RCV_NXT, 8, MPT_SEQ },
	{ "local_addr_used", 40, 1, MPT_NUM },                         /* 5.12 */
	{ "local_addr_max", 41, 1, MPT_NUM },
	{ "csum_enabled", 42, 1, MPT_NUM },                            /* 5.14 */
	{ "retransmits", 44, 4, MPT_NUM },                             /* 6.5 */
	{ "bytes_retrans", 48, 8, MPT_NUM },
	{ "bytes_sent", MI_OFF_BYTES_SENT, 8, MPT_NUM },
	{ "bytes_received", MI_OFF_BYTES_RECEIVED, 8, MPT_NUM },
	{ "bytes_acked", MI_OFF_BYTES_ACKED, 8, MPT_NUM },
	{ "subflows_total", MI_OFF_SUBFLOWS_TOTAL, 1, MPT_NUM },       /* 6.8 */
	{ "endp_laminar_max", 81, 1, MPT_NUM },                        /* 6.18 */
	{ "last_data_sent", 84, 4, MPT_NUM },                          /* 6.10, ms */
	{ "last_data_recv", 88, 4, MPT_NUM },
	{ "last_ack_recv", 92, 4, MPT_NUM },
};
const size_t mpt_info_nfields = sizeof mpt_info_fields / sizeof mpt_info_fields[0];

/* The struct tcp_info fields shown per subflow. */
const struct mpt_field mpt_tcpinfo_fields[] = {
	{ "state", TI_OFF_STATE, 1, MPT_STATE },
	{ "rtt_us", TI_OFF_RTT, 4, MPT_NUM },
	{ "rttvar_us", TI_OFF_RTTVAR, 4, MPT_NUM },
	{ "snd_cwnd", TI_OFF_SND_CWND, 4, MPT_NUM },
	{ "bytes_acked", TI_OFF_BYTES_ACKED, 8, MPT_NUM },
	{ "bytes_received", TI_OFF_BYTES_RECEIVED, 8, MPT_NUM },
	{ "bytes_sent", TI_OFF_BYTES_SENT, 8, MPT_NUM },              /* 4.19 */
	{ "bytes_retrans", TI_OFF_BYTES_RETRANS, 8, MPT_NUM },        /* 4.19 */
};
const size_t mpt_tcpinfo_nfields = sizeof mpt_tcpinfo_fields / sizeof mpt_tcpinfo_fields[0];

const char *const mpt_info_flag_names[] = { "fallback", "remote_key" };
const size_t mpt_info_nflag_names = sizeof mpt_info_flag_names / sizeof mpt_info_flag_names[0];

/* include/net/tcp_states.h, as ss's names in lower case. */
static const char *const tcp_states[] = {
	NULL, "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
	"time_wait", "close", "close_wait", "last_ack", "listen", "closing",
	"new_syn_recv", "bound_inactive",
};

const char *mpt_tcp_state_name(unsigned state, char *buf, size_t size)
{
	if (state < sizeof tcp_states / sizeof tcp_states[0] && tcp_states[state])
		return tcp_states[state];
	snprintf(buf, size, "%u", state);
	return buf;
}

const char *mpt_flag_names(uint32_t flags, const char *const *names, size_t nnames,
			   char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < 32 && used < size; bit++) {
		int n;

		if (!(flags & (1u << bit)))
			continue;
		if (bit < nnames && names[bit])
			n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", names[bit]);
		else
			n = snprintf(buf + used, size - used, "%sbit%u", used ? "," : "", bit);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

int mpt_field_covered(size_t len, size_t offset, size_t size)
{
	return offset + size <= len;
}

uint64_t mpt_field_get(const void *reply, size_t len, size_t offset, size_t size)
{
	const unsigned char *p = (const unsigned char *)reply + offset;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (!mpt_field_covered(len, offset, size))
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

const char *mpt_field_text(const struct mpt_field *f, const void *reply, size_t len,
			   char *buf, size_t size)
{
	uint64_t v = mpt_field_get(reply, len, f->offset, f->size);

	if (!mpt_field_covered(len, f->offset, f->size)) {
		buf[0] = '\0';
		return buf;
	}
	switch (f->kind) {
	case MPT_STATE:
		return mpt_tcp_state_name((unsigned)v, buf, size);
	case MPT_INFO_FLAGS:
		return mpt_flag_names((uint32_t)v, mpt_info_flag_names,
				      mpt_info_nflag_names, buf, size);
	case MPT_TOKEN:
		snprintf(buf, size, "%llx", (unsigned long long)v);
		return buf;
	default:
		snprintf(buf, size, "%llu", (unsigned long long)v);
		return buf;
	}
}
