/* Building the private network of a --subflows run (see topology.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "nl.h"
#include "topology.h"

/* Interface indexes are chosen, not looked up: the namespaces are new and
 * hold nothing else.  The two ends differ so that the kernel sees each as
 * a link to another device, whose carrier change is handled at once
 * (linkwatch delays others by up to a second). */
#define SERVER_IFINDEX(i)       (100 + (int)(i))
#define CLIENT_IFINDEX(i)       (200 + (int)(i))

static void link_address(struct sockaddr_storage *ss, int family, unsigned link,
			 unsigned host)
{
	char text[64];
	socklen_t len;

	if (family == AF_INET)
		snprintf(text, sizeof text, "198.18.%u.%u", link, host);
	else
		snprintf(text, sizeof text, "2001:db8:%x::%x", link, host);
	memset(ss, 0, sizeof *ss);
	/* The text is ours and numeric: it always parses. */
	parse_numeric_addr(text, family, 0, ss, &len);
}

void mpt_topology_plan(struct mpt_topology *t, int family, unsigned links)
{
	memset(t, 0, sizeof *t);
	t->family = family;
	t->links = links;
	t->addrlen = family == AF_INET ? sizeof(struct sockaddr_in)
				       : sizeof(struct sockaddr_in6);
	t->server.route = t->client.route = -1;
	t->server.pm.fd = t->client.pm.fd = -1;
	for (unsigned i = 0; i < links; i++) {
		link_address(&t->server_addr[i], family, i, 1);
		link_address(&t->client_addr[i], family, i, 2);
	}
}

int mpt_netns_enter(struct mpt_netns *ns, int timeout_ms, char *why, size_t whysize)
{
	ns->route = -1;
	ns->pm.fd = -1;
	if (netns_enter_private(why, whysize) < 0)
		return -1;
	ns->route = nl_open(NETLINK_ROUTE);
	if (ns->route < 0) {
		snprintf(why, whysize, "rtnetlink socket: %s", strerror(errno));
		return -1;
	}
	return mpt_pm_open(&ns->pm, timeout_ms, why, whysize);
}

void mpt_netns_close(struct mpt_netns *ns)
{
	if (ns->route >= 0)
		close(ns->route);
	ns->route = -1;
	mpt_pm_close(&ns->pm);
}

/* Raw bytes into a request: the peer's struct ifinfomsg heads the
 * VETH_INFO_PEER nest, where nl_put would add an attribute header. */
static void put_header(struct nl_msg *m, const void *data, size_t len)
{
	size_t need = NL_ALIGN(len);

	if (m->overflow || need > sizeof m->buf - m->len) {
		m->overflow = 1;
		return;
	}
	memset(m->buf + m->len, 0, need);
	memcpy(m->buf + m->len, data, len);
	m->len += need;
	((struct nlmsghdr *)(void *)m->buf)->nlmsg_len = (uint32_t)m->len;
}

static int route_failed(const char *what, unsigned link, const char *text,
			char *why, size_t whysize)
{
	snprintf(why, whysize, "%s of link %u: %s", what, link,
		 *text ? text : strerror(errno));
	return -1;
}

/* veth pair `link`: its server end made up in the server's namespace, its
 * client end in this process's.  The client end cannot be brought up in
 * the same request: the kernel opens the peer before pairing it. */
static int make_link(struct mpt_topology *t, unsigned link, int timeout_ms,
		     char *why, size_t whysize)
{
	struct ifinfomsg ifi = { .ifi_index = SERVER_IFINDEX(link),
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct ifinfomsg peer = { .ifi_index = CLIENT_IFINDEX(link) };
	size_t info, data, nest;
	char name[IFNAMSIZ], text[200];
	struct nl_msg m;

	snprintf(name, sizeof name, "mpt%u", link);
	nl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
	nl_put_str(&m, IFLA_IFNAME, name);
	info = nl_nest_begin(&m, IFLA_LINKINFO);
	nl_put_str(&m, IFLA_INFO_KIND, "veth");
	data = nl_nest_begin(&m, IFLA_INFO_DATA);
	nest = nl_nest_begin(&m, VETH_INFO_PEER);
	put_header(&m, &peer, sizeof peer);
	nl_put_str(&m, IFLA_IFNAME, name);
	nl_put_u32(&m, IFLA_NET_NS_PID, (uint32_t)getpid());
	nl_nest_end(&m, nest);
	nl_nest_end(&m, data);
	nl_nest_end(&m, info);
	if (nl_ack(t->server.route, &m, timeout_ms, text, sizeof text) < 0)
		return route_failed("creating the veth pair", link, text, why, whysize);

	memset(&ifi, 0, sizeof ifi);
	ifi.ifi_index = CLIENT_IFINDEX(link);
	ifi.ifi_flags = ifi.ifi_change = IFF_UP;
	nl_msg_init(&m, RTM_NEWLINK, 0, &ifi, sizeof ifi);
	if (nl_ack(t->client.route, &m, timeout_ms, text, sizeof text) < 0)
		return route_failed("bringing up the client end", link, text, why, whysize);
	return 0;
}

/* An address on an interface; IPv6 ones skip duplicate address detection,
 * which would hold them unusable for a second or more. */
static int add_address(int route, const struct sockaddr_storage *ss, int ifindex,
		       int timeout_ms, char *text, size_t textsize)
{
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)ss->ss_family,
				 .ifa_index = (uint32_t)ifindex };
	const void *addr;
	size_t len;
	struct nl_msg m;

	if (ss->ss_family == AF_INET) {
		addr = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
		len = 4;
		ifa.ifa_prefixlen = 24;
	} else {
		addr = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
		len = 16;
		ifa.ifa_prefixlen = 64;
		ifa.ifa_flags = IFA_F_NODAD;
	}
	nl_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
	nl_put(&m, IFA_LOCAL, addr, len);
	nl_put(&m, IFA_ADDRESS, addr, len);
	return nl_ack(route, &m, timeout_ms, text, textsize);
}

/* The server announces its other addresses (ADD_ADDR); the client, allowed
 * to accept them, opens one subflow to each, over that address's link. */
static int configure_pm(struct mpt_topology *t, int timeout_ms, char *why, size_t whysize)
{
	unsigned extra = t->links - 1;

	if (mpt_pm_limits(&t->server.pm, extra, 0, timeout_ms, why, whysize) < 0 ||
	    mpt_pm_limits(&t->client.pm, extra, extra, timeout_ms, why, whysize) < 0)
		return -1;
	for (unsigned i = 1; i < t->links; i++)
		if (mpt_pm_endpoint(&t->server.pm, (const struct sockaddr *)&t->server_addr[i],
				    SERVER_IFINDEX(i), MPTCP_PM_ADDR_FLAG_SIGNAL, timeout_ms,
				    why, whysize) < 0)
			return -1;
	return 0;
}

int mpt_topology_wire(struct mpt_topology *t, int timeout_ms, char *why, size_t whysize)
{
	char text[200];

	for (unsigned i = 0; i < t->links; i++) {
		if (make_link(t, i, timeout_ms, why, whysize) < 0)
			return -1;
		if (add_address(t->server.route, &t->server_addr[i], SERVER_IFINDEX(i),
				timeout_ms, text, sizeof text) < 0)
			return route_failed("the server's address", i, text, why, whysize);
		if (add_address(t->client.route, &t->client_addr[i], CLIENT_IFINDEX(i),
				timeout_ms, text, sizeof text) < 0)
			return route_failed("the client's address", i, text, why, whysize);
	}
	return configure_pm(t, timeout_ms, why, whysize);
}
