/* The in-kernel path manager's limits and endpoints, and its events. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "genl.h"
#include "nl.h"
#include "pm.h"

/* "what: the kernel's text or strerror", for a failed request. */
static int failed(const char *what, const char *text, char *why, size_t whysize)
{
	snprintf(why, whysize, "%s: %s", what, text && *text ? text : strerror(errno));
	return -1;
}

int mpt_pm_open(struct mpt_pm *pm, int timeout_ms, char *why, size_t whysize)
{
	pm->fd = nl_open(NETLINK_GENERIC);
	if (pm->fd < 0)
		return failed("generic netlink socket", NULL, why, whysize);
	pm->family_id = genl_family_id(pm->fd, MPTCP_PM_NAME, timeout_ms);
	if (pm->family_id < 0) {
		failed("the MPTCP path manager (generic netlink family mptcp_pm)",
		       NULL, why, whysize);
		mpt_pm_close(pm);
		return -1;
	}
	return 0;
}

void mpt_pm_close(struct mpt_pm *pm)
{
	if (pm->fd >= 0)
		close(pm->fd);
	pm->fd = -1;
}

static void pm_request(const struct mpt_pm *pm, struct nl_msg *m, uint8_t cmd)
{
	struct genlmsghdr g = { .cmd = cmd, .version = MPTCP_PM_VER };

	nl_msg_init(m, (uint16_t)pm->family_id, 0, &g, sizeof g);
}

int mpt_pm_limits(struct mpt_pm *pm, unsigned subflows, unsigned add_addr_accepted,
		  int timeout_ms, char *why, size_t whysize)
{
	char text[200];
	struct nl_msg m;

	pm_request(pm, &m, MPTCP_PM_CMD_SET_LIMITS);
	nl_put_u32(&m, MPTCP_PM_ATTR_RCV_ADD_ADDRS, add_addr_accepted);
	nl_put_u32(&m, MPTCP_PM_ATTR_SUBFLOWS, subflows);
	if (nl_ack(pm->fd, &m, timeout_ms, text, sizeof text) < 0)
		return failed("setting the MPTCP limits", text, why, whysize);
	return 0;
}

int mpt_pm_endpoint(struct mpt_pm *pm, const struct sockaddr *addr, int ifindex,
		    unsigned flags, int timeout_ms, char *why, size_t whysize)
{
	char text[200];
	struct nl_msg m;
	size_t nest;

	pm_request(pm, &m, MPTCP_PM_CMD_ADD_ADDR);
	nest = nl_nest_begin(&m, MPTCP_PM_ATTR_ADDR);
	nl_put_u16(&m, MPTCP_PM_ADDR_ATTR_FAMILY, addr->sa_family);
	if (addr->sa_family == AF_INET)
		nl_put(&m, MPTCP_PM_ADDR_ATTR_ADDR4,
		       &((const struct sockaddr_in *)(const void *)addr)->sin_addr, 4);
	else
		nl_put(&m, MPTCP_PM_ADDR_ATTR_ADDR6,
		       &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr, 16);
	nl_put_u32(&m, MPTCP_PM_ADDR_ATTR_FLAGS, flags);
	if (ifindex > 0)
		nl_put_u32(&m, MPTCP_PM_ADDR_ATTR_IF_IDX, (uint32_t)ifindex);
	nl_nest_end(&m, nest);
	if (nl_ack(pm->fd, &m, timeout_ms, text, sizeof text) < 0)
		return failed("adding an MPTCP endpoint", text, why, whysize);
	return 0;
}

int mpt_pm_events(int timeout_ms)
{
	return genl_subscribe(MPTCP_PM_NAME, MPTCP_PM_EV_GRP_NAME, timeout_ms);
}
