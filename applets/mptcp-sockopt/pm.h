/* The in-kernel MPTCP path manager, through its generic netlink family
 * "mptcp_pm" (5.7; events 5.12): limits, endpoints, events.
 *
 * Definitions from include/uapi/linux/mptcp_pm.h, carried for musl and
 * for distributions whose headers lag the kernel. */
#ifndef SOCKKIT_MPTCP_PM_H
#define SOCKKIT_MPTCP_PM_H

#include <sys/socket.h>

#define MPTCP_PM_NAME                   "mptcp_pm"
#define MPTCP_PM_EV_GRP_NAME            "mptcp_pm_events"
#define MPTCP_PM_VER                    1

#define MPTCP_PM_CMD_ADD_ADDR           1
#define MPTCP_PM_CMD_SET_LIMITS         5

#define MPTCP_PM_ATTR_ADDR              1       /* nested */
#define MPTCP_PM_ATTR_RCV_ADD_ADDRS     2       /* u32 */
#define MPTCP_PM_ATTR_SUBFLOWS          3       /* u32 */

#define MPTCP_PM_ADDR_ATTR_FAMILY       1       /* u16 */
#define MPTCP_PM_ADDR_ATTR_ADDR4        3       /* struct in_addr */
#define MPTCP_PM_ADDR_ATTR_ADDR6        4       /* struct in6_addr */
#define MPTCP_PM_ADDR_ATTR_FLAGS        6       /* u32 */
#define MPTCP_PM_ADDR_ATTR_IF_IDX       7       /* s32 */

#define MPTCP_PM_ADDR_FLAG_SIGNAL       1u
#define MPTCP_PM_ADDR_FLAG_SUBFLOW      2u

/* Path manager requests of one network namespace: the one its socket
 * (NETLINK_GENERIC, made there) belongs to. */
struct mpt_pm {
	int fd;
	int family_id;
};

/* Open the path manager of the current namespace: 0, or -1 with why. */
int mpt_pm_open(struct mpt_pm *pm, int timeout_ms, char *why, size_t whysize);
void mpt_pm_close(struct mpt_pm *pm);

/* `ip mptcp limits set subflows S add_addr_accepted A`: 0 or -1 with why. */
int mpt_pm_limits(struct mpt_pm *pm, unsigned subflows, unsigned add_addr_accepted,
		  int timeout_ms, char *why, size_t whysize);
/* `ip mptcp endpoint add ADDR dev IFINDEX FLAGS`: 0 or -1 with why. */
int mpt_pm_endpoint(struct mpt_pm *pm, const struct sockaddr *addr, int ifindex,
		    unsigned flags, int timeout_ms, char *why, size_t whysize);

/* A socket that receives the path manager's events of the current
 * namespace (subflows established ...): the fd, or -1 with errno. */
int mpt_pm_events(int timeout_ms);

#endif
