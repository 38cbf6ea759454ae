#include "genl.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"

struct group_query {
	const char *name;
	int id;
};

/* CTRL_ATTR_MCAST_GROUPS is a list of nests, each a group's name and id. */
static int take_group_id(const struct nlmsghdr *h, void *arg)
{
	struct group_query *q = arg;
	const struct nlattr *tb[CTRL_ATTR_MCAST_GROUPS + 1];
	const unsigned char *p;
	size_t left;

	if (nl_parse_msg(h, sizeof(struct genlmsghdr), tb, CTRL_ATTR_MCAST_GROUPS) < 0 ||
	    !tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	p = nl_attr_data(tb[CTRL_ATTR_MCAST_GROUPS]);
	left = nl_attr_len(tb[CTRL_ATTR_MCAST_GROUPS]);
	while (left >= NLA_HDRLEN) {
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_ID + 1];
		struct nlattr a;
		const char *name;

		memcpy(&a, p, sizeof a);
		if (a.nla_len < NLA_HDRLEN || a.nla_len > left)
			break;
		if (nl_parse_attrs(p + NLA_HDRLEN, a.nla_len - NLA_HDRLEN, g,
				   CTRL_ATTR_MCAST_GRP_ID) == 0) {
			name = nl_attr_str(g[CTRL_ATTR_MCAST_GRP_NAME]);
			if (name && !strcmp(name, q->name) && g[CTRL_ATTR_MCAST_GRP_ID])
				q->id = (int)nl_attr_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
		}
		if (NL_ALIGN(a.nla_len) >= left)
			break;
		p += NL_ALIGN(a.nla_len);
		left -= NL_ALIGN(a.nla_len);
	}
	return 0;
}

int genl_group_id(int fd, const char *family, const char *group, int timeout_ms)
{
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	struct group_query q = { group, 0 };
	struct nl_msg m;

	nl_msg_init(&m, GENL_ID_CTRL, 0, &g, sizeof g);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, family);
	if (nl_dump(fd, &m, timeout_ms, take_group_id, &q) < 0)
		return -1;
	if (q.id <= 0) {
		errno = ENOENT;
		return -1;
	}
	return q.id;
}

int genl_subscribe(const char *family, const char *group, int timeout_ms)
{
	int fd = nl_open(NETLINK_GENERIC);
	int id, saved;

	if (fd < 0)
		return -1;
	id = genl_group_id(fd, family, group, timeout_ms);
	if (id > 0 &&
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &id, sizeof id) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
