/* -b: is the address one the kernel treats as broadcast, in the namespace the
 * test runs in?  The kernel's own route lookup answers (RTM_GETROUTE): its
 * type is RTN_BROADCAST for 255.255.255.255 and for each broadcast route of
 * the local table, such as lo's 127.255.255.255 and every interface's
 * broadcast address, and only for those.  A list of interfaces
 * (getifaddrs) misses lo's, whose interface has no IFF_BROADCAST. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindtest.h"
#include "err.h"
#include "nl.h"

#define ROUTE_TIMEOUT_MS 2000

static int take_route_type(const struct nlmsghdr *h, void *arg)
{
	const struct rtmsg *r = nl_payload(h);

	if (h->nlmsg_type == RTM_NEWROUTE && nl_payload_len(h) >= sizeof *r)
		*(int *)arg = r->rtm_type;
	return 0;
}

static const char *route_type_name(int type)
{
	switch (type) {
	case RTN_UNICAST: return "a unicast address";
	case RTN_LOCAL: return "a local address";
	case RTN_BROADCAST: return "a broadcast address";
	case 4: return "an anycast address";          /* RTN_ANYCAST */
	case 5: return "a multicast address";         /* RTN_MULTICAST */
	case 6: return "a blackhole";                 /* RTN_BLACKHOLE */
	case RTN_UNREACHABLE: return "unreachable";
	case 8: return "prohibited";                  /* RTN_PROHIBIT */
	default: return "an address of another type";
	}
}

/* The type of the kernel's route to a, or -1 with errno. */
static int route_type(struct in_addr a)
{
	struct rtmsg rt = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	struct nl_msg m;
	int fd, type = -1, r, saved;

	fd = nl_open(NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	nl_msg_init(&m, RTM_GETROUTE, 0, &rt, sizeof rt);
	nl_put(&m, RTA_DST, &a, sizeof a);
	r = nl_dump(fd, &m, ROUTE_TIMEOUT_MS, take_route_type, &type);
	saved = errno;
	close(fd);
	if (r < 0 || type < 0) {
		errno = r < 0 ? saved : EPROTO;
		return -1;
	}
	return type;
}

void bt_check_broadcast(struct in_addr a, const char *text)
{
	int type;

	/* The limited broadcast address needs no route to be one (the kernel's
	 * inet_addr_type() says so); a namespace with only lo has none. */
	if (a.s_addr == htonl(INADDR_BROADCAST))
		return;
	type = route_type(a);
	if (type == RTN_BROADCAST)
		return;
	if (type >= 0)
		die_usage("-b: %s is not a broadcast address here: the kernel routes it as %s",
			  text, route_type_name(type));
	if (errno == ENETUNREACH || errno == EHOSTUNREACH || errno == EINVAL)
		die_usage("-b: %s is not a broadcast address here: the kernel has no route "
			  "to it (%s)", text, strerror(errno));
	bt_fail("-b: cannot ask the kernel how it routes %s: %s", text, strerror(errno));
}
