/* Generic netlink beyond the family id: multicast groups.
 *
 * Definitions from include/uapi/linux/genetlink.h and netlink.h, carried
 * for musl (which has no linux/ headers). */
#ifndef SOCKKIT_GENL_H
#define SOCKKIT_GENL_H

#define CTRL_ATTR_MCAST_GROUPS          7       /* 2.6.23 */
#define CTRL_ATTR_MCAST_GRP_NAME        1
#define CTRL_ATTR_MCAST_GRP_ID          2
#define NETLINK_ADD_MEMBERSHIP          1

/* The id of multicast group `group` of generic netlink family `family`
 * (asked on fd, a NETLINK_GENERIC socket): > 0, or -1 with errno (ENOENT:
 * the kernel has no such family or the family no such group). */
int genl_group_id(int fd, const char *family, const char *group, int timeout_ms);

/* A NETLINK_GENERIC socket that receives group `group` of `family`: the
 * fd, or -1 with errno (EPERM when joining the group needs a privilege). */
int genl_subscribe(const char *family, const char *group, int timeout_ms);

#endif
