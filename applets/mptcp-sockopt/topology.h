/* The private network of a run with several subflows: two network
 * namespaces, the server's and the client's, joined by one veth link per
 * subflow, with an address on each end, the MPTCP limits, and the server's
 * extra addresses announced (`signal` endpoints).
 *
 * Nothing is named: the namespaces live only as long as sockets made in
 * them (and the processes that hold them), so they die with the run
 * however it ends, SIGKILL included, and their links with them. */
#ifndef SOCKKIT_MPTCP_TOPOLOGY_H
#define SOCKKIT_MPTCP_TOPOLOGY_H

#include <sys/socket.h>

#include "mptcp.h"
#include "pm.h"

/* One side's namespace, reached through sockets made in it. */
struct mpt_netns {
	int route;                      /* NETLINK_ROUTE */
	struct mpt_pm pm;               /* the path manager */
};

struct mpt_topology {
	int family;
	unsigned links;
	/* Each link's address on either end (port 0). */
	struct sockaddr_storage server_addr[MPT_SUBFLOWS_MAX];
	struct sockaddr_storage client_addr[MPT_SUBFLOWS_MAX];
	socklen_t addrlen;
	struct mpt_netns server, client;
};

/* Fill in the addresses of a topology of `links` links (1 to
 * MPT_SUBFLOWS_MAX) for family: 198.18.I.1 and .2 (/24), or 2001:db8:I::1
 * and ::2 (/64), documentation and benchmarking prefixes. */
void mpt_topology_plan(struct mpt_topology *t, int family, unsigned links);

/* Move this process into a new, private network namespace and open its
 * route and path manager sockets into ns.  0, or -1 with why. */
int mpt_netns_enter(struct mpt_netns *ns, int timeout_ms, char *why, size_t whysize);
void mpt_netns_close(struct mpt_netns *ns);

/* With this process in the client's namespace (the last one entered):
 * the links, their addresses, the limits and the server's endpoints.
 * 0, or -1 with why. */
int mpt_topology_wire(struct mpt_topology *t, int timeout_ms, char *why, size_t whysize);

#endif
