/* Netlink with libc only: building requests, waiting for the kernel's
 * answers with a bound, and reading attributes.
 *
 * The kernel's definitions are carried here, because musl has no linux/ headers
 * (do not include <linux/netlink.h> or <linux/rtnetlink.h> next to this).
 * They come from include/uapi/linux/{netlink,genetlink,rtnetlink,if_link,
 * if_addr,veth}.h; the kernel version that introduced each is noted where it
 * is later than 2.6. */
#ifndef SOCKKIT_NL_H
#define SOCKKIT_NL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ---- netlink (linux/netlink.h) ---- */

#define NETLINK_ROUTE           0
#define NETLINK_SOCK_DIAG       4
#define NETLINK_GENERIC         16
#ifndef SOL_NETLINK
#define SOL_NETLINK             270
#endif
#define NETLINK_CAP_ACK         10      /* 4.3: acks without the request */
#define NETLINK_EXT_ACK         11      /* 4.12: error messages in acks */

struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct nlmsgerr {
	int error;                      /* 0 (an ack) or -errno */
	struct nlmsghdr msg;
};

struct nlattr {
	uint16_t nla_len;
	uint16_t nla_type;
};

#define NLMSG_NOOP              1
#define NLMSG_ERROR             2
#define NLMSG_DONE              3

#define NLM_F_REQUEST           0x001
#define NLM_F_MULTI             0x002
#define NLM_F_ACK               0x004
#define NLM_F_DUMP              0x300
#define NLM_F_REPLACE           0x100   /* with NEW requests */
#define NLM_F_EXCL              0x200
#define NLM_F_CREATE            0x400
#define NLM_F_CAPPED            0x100   /* in acks: the request is not echoed */
#define NLM_F_ACK_TLVS          0x200   /* in acks: extended ack follows */

#define NLA_F_NESTED            0x8000
#define NLA_TYPE_MASK           0x3fff

#define NLMSGERR_ATTR_MSG       1       /* 4.12: the kernel's error text */

#define NL_ALIGN(n)             (((n) + 3u) & ~3u)
#define NL_HDRLEN               NL_ALIGN(sizeof(struct nlmsghdr))
#define NLA_HDRLEN              NL_ALIGN(sizeof(struct nlattr))

/* ---- generic netlink (linux/genetlink.h) ---- */

struct genlmsghdr {
	uint8_t cmd;
	uint8_t version;
	uint16_t reserved;
};

#define GENL_ID_CTRL            0x10
#define CTRL_CMD_GETFAMILY      3
#define CTRL_ATTR_FAMILY_ID     1
#define CTRL_ATTR_FAMILY_NAME   2

/* ---- rtnetlink (linux/rtnetlink.h, if_link.h, if_addr.h, veth.h) ---- */

#define RTM_NEWLINK             16
#define RTM_DELLINK             17
#define RTM_GETLINK             18
#define RTM_NEWADDR             20
#define RTM_DELADDR             21
#define RTM_GETADDR             22
#define RTM_NEWROUTE            24
#define RTM_DELROUTE            25
#define RTM_GETROUTE            26

struct ifinfomsg {
	unsigned char ifi_family;
	unsigned char ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags;
	unsigned ifi_change;
};

struct ifaddrmsg {
	uint8_t ifa_family;
	uint8_t ifa_prefixlen;
	uint8_t ifa_flags;
	uint8_t ifa_scope;
	uint32_t ifa_index;
};

struct rtmsg {
	unsigned char rtm_family;
	unsigned char rtm_dst_len;
	unsigned char rtm_src_len;
	unsigned char rtm_tos;
	unsigned char rtm_table;
	unsigned char rtm_protocol;
	unsigned char rtm_scope;
	unsigned char rtm_type;
	unsigned rtm_flags;
};

#define IFLA_ADDRESS            1
#define IFLA_IFNAME             3
#define IFLA_MTU                4
#define IFLA_LINK               5
#define IFLA_LINKINFO           18
#define IFLA_NET_NS_PID         19
#define IFLA_NET_NS_FD          28      /* 3.0 */
#define IFLA_INFO_KIND          1
#define IFLA_INFO_DATA          2
#define VETH_INFO_PEER          1

#define IFA_ADDRESS             1
#define IFA_LOCAL               2
#define IFA_FLAGS               8       /* 3.14 */
#define IFA_F_NODAD             0x02

#define RTA_DST                 1
#define RTA_SRC                 2
#define RTA_IIF                 3
#define RTA_OIF                 4
#define RTA_GATEWAY             5
#define RTA_PREFSRC             7
#define RTA_TABLE               15

#define RTN_UNICAST             1
#define RTN_LOCAL               2
#define RTN_BROADCAST           3
#define RTN_UNREACHABLE         7
#define RT_TABLE_MAIN           254
#define RT_TABLE_LOCAL          255
#define RTM_F_LOOKUP_TABLE      0x1000  /* 4.4 */

/* ---- building requests ---- */

#define NL_MSG_MAX              4096

/* One request under construction; nl_put and friends append attributes.
 * A request that outgrows the buffer is marked, and nl_ack/nl_dump refuse
 * it with EMSGSIZE rather than send it cut. */
struct nl_msg {
	_Alignas(8) unsigned char buf[NL_MSG_MAX];
	size_t len;
	int overflow;
};

/* A bound, cloexec netlink socket of this protocol (NETLINK_ROUTE ...), with
 * extended acks where the kernel has them: the fd, or -1 with errno. */
int nl_open(int protocol);

/* Start a request: the netlink header, then hdrlen bytes of the family's own
 * header (struct ifinfomsg, genlmsghdr ...), which may be NULL for zeros. */
void nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags,
		 const void *hdr, size_t hdrlen);
void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len);
void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v);
void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v);
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v);
void nl_put_str(struct nl_msg *m, uint16_t type, const char *s);
/* A nested attribute: nl_nest_begin returns the offset nl_nest_end needs. */
size_t nl_nest_begin(struct nl_msg *m, uint16_t type);
void nl_nest_end(struct nl_msg *m, size_t start);

/* ---- talking to the kernel ---- */

/* Send the request with NLM_F_ACK and wait, at most timeout_ms, for the
 * kernel's answer: 0, or -1 with errno (the kernel's error, ETIMEDOUT,
 * EMSGSIZE for an overflowed request, EPROTO for a reply that makes no
 * sense).  The kernel's error text, when it gives one, is left in why (which
 * may be NULL) and otherwise why is "". */
int nl_ack(int fd, struct nl_msg *m, int timeout_ms, char *why, size_t whysize);

/* Send the request and hand every reply message to each() until the kernel
 * says it is done (a dump's NLMSG_DONE, or the ack that follows a single
 * reply: the request is sent with NLM_F_ACK unless it is a dump).  each()
 * returns 0 to go on, or non-zero to stop; that value is then returned.
 * Returns 0, or -1 with errno as nl_ack. */
int nl_dump(int fd, struct nl_msg *m, int timeout_ms,
	    int (*each)(const struct nlmsghdr *h, void *arg), void *arg);

/* The family's payload after the netlink header, and its length. */
const void *nl_payload(const struct nlmsghdr *h);
size_t nl_payload_len(const struct nlmsghdr *h);

/* ---- reading attributes ---- */

/* Index the attributes in [data, data + len) by type: tb[0..max] are set to
 * the last attribute of each type, or NULL.  Types above max are ignored.
 * Returns 0, or -1 (EPROTO) when an attribute's length runs past the end. */
int nl_parse_attrs(const void *data, size_t len, const struct nlattr **tb, int max);
/* The attributes after a message's family header of hdrlen bytes. */
int nl_parse_msg(const struct nlmsghdr *h, size_t hdrlen,
		 const struct nlattr **tb, int max);

const void *nl_attr_data(const struct nlattr *a);
size_t nl_attr_len(const struct nlattr *a);
/* Integer readers check the attribute's length: a short one reads as 0. */
uint8_t nl_attr_u8(const struct nlattr *a);
uint16_t nl_attr_u16(const struct nlattr *a);
uint32_t nl_attr_u32(const struct nlattr *a);
uint64_t nl_attr_u64(const struct nlattr *a);
/* The attribute as a C string, or NULL when it is not NUL-terminated. */
const char *nl_attr_str(const struct nlattr *a);

/* ---- generic netlink ---- */

/* The id of a generic netlink family ("mptcp_pm" ...): > 0, or -1 with
 * errno (ENOENT: the kernel has no such family). */
int genl_family_id(int fd, const char *name, int timeout_ms);

#endif
