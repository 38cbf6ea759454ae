/* Netlink requests and attributes: the bytes we build, the attributes we
 * read (hostile lengths included), and the kernel's own answers. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "tap.h"

static void test_build(void)
{
	struct ifinfomsg ifi = { .ifi_index = 7 };
	struct nl_msg m;
	const struct nlattr *tb[IFLA_LINKINFO + 1], *info[IFLA_INFO_DATA + 1];
	const struct nlmsghdr *h = (const void *)m.buf;
	size_t nest;

	nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE, &ifi, sizeof ifi);
	tap_is_int((long long)m.len, 16 + 16, "header and ifinfomsg: 32 bytes");
	nl_put_str(&m, IFLA_IFNAME, "veth0");
	tap_is_int((long long)m.len, 32 + 12, "\"veth0\" attribute padded to 12");
	nest = nl_nest_begin(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	nl_nest_end(&m, nest);
	nl_put_u32(&m, IFLA_MTU, 1400);
	tap_is_int(h->nlmsg_len, (long long)m.len, "nlmsg_len follows the attributes");
	tap_is_int(h->nlmsg_type, RTM_NEWLINK, "type");
	tap_is_int(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE, "flags gain NLM_F_REQUEST");
	tap_ok(!m.overflow, "no overflow");

	tap_is_int(nl_parse_msg(h, sizeof ifi, tb, IFLA_LINKINFO), 0, "parses back");
	tap_is_str(nl_attr_str(tb[IFLA_IFNAME]), "veth0", "IFLA_IFNAME");
	tap_is_int(nl_attr_u32(tb[IFLA_MTU]), 1400, "IFLA_MTU");
	tap_ok(tb[IFLA_LINKINFO] && (tb[IFLA_LINKINFO]->nla_type & NLA_F_NESTED),
	       "nest marked NLA_F_NESTED");
	tap_is_int(nl_attr_len(tb[IFLA_LINKINFO]), 12, "nest length covers its attribute");
	nl_parse_attrs(nl_attr_data(tb[IFLA_LINKINFO]), nl_attr_len(tb[IFLA_LINKINFO]),
		       info, IFLA_INFO_DATA);
	tap_is_str(nl_attr_str(info[IFLA_INFO_KIND]), "veth", "nested IFLA_INFO_KIND");
	tap_ok(info[IFLA_INFO_DATA] == NULL, "absent attribute is NULL");
}

static void test_overflow(void)
{
	static char big[NL_MSG_MAX];
	struct nl_msg m;

	nl_msg_init(&m, RTM_GETLINK, 0, NULL, 0);
	nl_put(&m, 1, big, 100);
	tap_ok(!m.overflow, "100 bytes fit");
	nl_put(&m, 2, big, sizeof big);
	tap_ok(m.overflow, "a request past the buffer is marked");
	errno = 0;
	tap_is_int(nl_ack(-1, &m, 100, NULL, 0), -1, "an overflowed request is not sent");
	tap_is_int(errno, EMSGSIZE, "... with EMSGSIZE");
}

static void test_hostile_attrs(void)
{
	const struct nlattr *tb[4];
	_Alignas(4) unsigned char buf[16] = { 0 };
	struct nlattr a = { 40, 1 };            /* claims more than there is */
	struct nlattr tiny = { 2, 1 };          /* shorter than its own header */
	struct nlattr s = { 8, 3 };             /* a "string" without its NUL */

	memcpy(buf, &a, sizeof a);
	tap_is_int(nl_parse_attrs(buf, sizeof buf, tb, 3), -1, "length past the end refused");
	memcpy(buf, &tiny, sizeof tiny);
	tap_is_int(nl_parse_attrs(buf, sizeof buf, tb, 3), -1, "length under the header refused");
	memcpy(buf, &s, sizeof s);
	memcpy(buf + 4, "abcd", 4);
	tap_is_int(nl_parse_attrs(buf, 8, tb, 3), 0, "a well-formed attribute parses");
	tap_ok(nl_attr_str(tb[3]) == NULL, "a string without NUL reads as NULL");
	tap_is_int(nl_attr_u64(tb[3]), 0, "a u64 from 4 bytes reads as 0, not past the end");
	tap_is_int(nl_parse_attrs(buf, 3, tb, 3), 0, "a tail under one header is ignored");
	tap_ok(tb[3] == NULL, "... and yields nothing");
}

static void test_kernel(void)
{
	int fd = nl_open(NETLINK_GENERIC);

	if (!tap_ok(fd >= 0, "nl_open(NETLINK_GENERIC)"))
		return;
	tap_is_int(genl_family_id(fd, "nlctrl", 2000), GENL_ID_CTRL, "nlctrl's id is 0x10");
	errno = 0;
	tap_is_int(genl_family_id(fd, "sockkit-nofam", 2000), -1, "unknown family");
	tap_is_int(errno, ENOENT, "... is ENOENT");
	close(fd);

	fd = nl_open(NETLINK_ROUTE);
	if (!tap_ok(fd >= 0, "nl_open(NETLINK_ROUTE)"))
		return;
	struct ifinfomsg ifi = { .ifi_index = 0x7fffffff };
	struct nl_msg m;
	char why[256];

	nl_msg_init(&m, RTM_DELLINK, 0, &ifi, sizeof ifi);
	errno = 0;
	tap_is_int(nl_ack(fd, &m, 2000, why, sizeof why), -1, "deleting no link fails");
	tap_ok(errno == ENODEV || errno == EPERM, "... with the kernel's errno (ENODEV or EPERM)");
	close(fd);
}

int main(void)
{
	test_build();
	test_overflow();
	test_hostile_attrs();
	test_kernel();
	return tap_done();
}
