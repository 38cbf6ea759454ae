/* One table: the port, the eight addresses, the fences of the fast probes,
 * the header, and the 64 pairs printed as the original did (or kept for -j
 * and --expect). */
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindtest.h"
#include "err.h"
#include "net.h"

/* The eight addresses, in the original's order. */
static const struct {
	const char *name;
	int family;
	const char *host;       /* NULL: wildcard */
} address_list[BT_NADDR] = {
	{ "wild4", AF_INET, NULL },
	{ "wild6", AF_INET6, NULL },
	{ "loop4", AF_INET, "127.0.0.1" },
	{ "loop6", AF_INET6, "::1" },
	{ "wildm", AF_INET6, "::ffff:0.0.0.0" },
	{ "loopm", AF_INET6, "::ffff:127.0.0.1" },
	{ "onem", AF_INET6, "::ffff:0.0.0.1" },
	{ "one4", AF_INET, "0.0.0.1" },
};

/* ---- ports, addresses, fences --------------------------------------------- */

const char *bt_address_name(int i)
{
	return address_list[i].name;
}

static const char *socktype_name(int socktype)
{
	return socktype == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM";
}

/* A socket bound to the wildcard of both families (AF_INET6 without
 * V6ONLY conflicts with every IPv4 and IPv6 bind), or to 0.0.0.0 where
 * there is no IPv6.  Returns the bind's errno, 0 on success. */
static int bind_everywhere(int socktype, unsigned port, unsigned *got)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, off = 0, err = 0;

	fd = socket(AF_INET6, socktype | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
		parse_numeric_addr("::", AF_INET6, port, &ss, &len);
	} else {
		fd = socket(AF_INET, socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			bt_fail("cannot make a %s socket to check the port: %s",
				socktype_name(socktype), strerror(errno));
		parse_numeric_addr("0.0.0.0", AF_INET, port, &ss, &len);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		err = errno;
	len = sizeof ss;
	if (!err && got && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		*got = sockaddr_port((struct sockaddr *)&ss);
	close(fd);
	return err;
}

static unsigned choose_port(const struct bt_request *rq, int socktype)
{
	unsigned port = 0;
	int err;

	if (rq->port_given) {
		err = bind_everywhere(socktype, rq->base.port, NULL);
		if (err == EADDRINUSE)
			bt_fail("port %u is in use for %s: choose a free one, or leave -p out",
				rq->base.port, socktype_name(socktype));
		if (err)
			bt_fail("cannot bind port %u for %s: %s", rq->base.port,
				socktype_name(socktype), strerror(err));
		return rq->base.port;
	}
	err = bind_everywhere(socktype, 0, &port);
	if (err || port == 0)
		bt_fail("cannot find a free port for %s: %s", socktype_name(socktype),
			strerror(err ? err : EADDRNOTAVAIL));
	return port;
}

void bt_check_ports(const struct bt_request *rq, const struct bt_config *tables, size_t n)
{
	static const int socktypes[] = { SOCK_DGRAM, SOCK_STREAM };

	if (!rq->port_given)
		return;         /* each table picks a port that is free then */
	for (size_t i = 0; i < sizeof socktypes / sizeof socktypes[0]; i++)
		for (size_t t = 0; t < n; t++)
			if (tables[t].socktype == socktypes[i]) {
				choose_port(rq, socktypes[i]);
				break;
			}
}

void bt_addresses(struct bt_addr *addrs, unsigned port)
{
	for (int i = 0; i < BT_NADDR; i++) {
		struct bt_addr *a = &addrs[i];
		const char *host = address_list[i].host;

		a->name = address_list[i].name;
		a->family = address_list[i].family;
		a->host = host;
		if (!host)
			host = a->family == AF_INET ? "0.0.0.0" : "::";
		if (parse_numeric_addr(host, a->family, port, &a->ss, &a->len) != 0)
			bt_fail("cannot make the address %s", host);
	}
}

/* A UDP socket on loopback that only ever receives our fences; -1 if none. */
static int open_fence(int family, struct sockaddr_storage *ss, socklen_t *len)
{
	int on = 1, fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	parse_numeric_addr(family == AF_INET ? "127.0.0.1" : "::1", family, 0, ss, len);
	*len = sizeof *ss;
	if (bind(fd, (struct sockaddr *)ss,
		 family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0 ||
	    getsockname(fd, (struct sockaddr *)ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Keep on one CPU, so that a probe and its fence share one backlog queue
 * and are processed in order.  Failing that, the bounded wait still holds. */
static void pin_to_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* ---- one table ------------------------------------------------------------ */

/* 1.51's header, then ", NAME=VALUE" for each --sysctl (1.51 had none). */
void bt_header(const struct bt_config *c, char *buf, size_t size)
{
	const char *target = bt_connect_target(c);
	size_t len;

	len = (size_t)snprintf(buf, size, "starting tests, socktype = %s%s%s%s%s%s%s",
			       socktype_name(c->socktype),
			       c->reuseaddr ? ", SO_REUSEADDR" : "",
			       c->reuseport ? ", SO_REUSEPORT" : "",
			       c->v6only ? ", V6ONLY" : ", !V6ONLY",
			       target ? ", connect to " : "", target ? target : "",
			       c->socktype == SOCK_STREAM && c->delayed_listen ?
			       ", delayed listen" : "");
	for (size_t i = 0; i < c->nsysctl && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, ", %s=%s",
					c->sysctl[i].name, c->sysctl[i].value);
}

void bt_prepare(struct bt_config *tables, size_t n)
{
	struct bt_config *c = &tables[0];

	pin_to_this_cpu();
	c->fence4 = open_fence(AF_INET, &c->fence4_ss, &c->fence4_len);
	c->fence6 = open_fence(AF_INET6, &c->fence6_ss, &c->fence6_len);
	for (size_t t = 1; t < n; t++) {
		tables[t].fence4 = c->fence4;
		tables[t].fence4_ss = c->fence4_ss;
		tables[t].fence4_len = c->fence4_len;
		tables[t].fence6 = c->fence6;
		tables[t].fence6_ss = c->fence6_ss;
		tables[t].fence6_len = c->fence6_len;
	}
}

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)(void *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons((uint16_t)port);
}

/* The table's port, in every address it tests. */
static void choose_table_port(const struct bt_request *rq, struct bt_config *c,
			      struct bt_addr *addrs)
{
	c->port = choose_port(rq, c->socktype);
	bt_addresses(addrs, c->port);
	set_port(&c->other4, c->port);
	set_port(&c->other6, c->port);
	set_port(&c->bcast6, c->port);
}

void bt_run_table(const struct bt_request *rq, struct bt_config *c, struct bt_addr *addrs,
		  struct bt_pair *pairs)
{
	int text = rq->output == BT_VERBOSE || rq->output == BT_SUMMARY;
	char header[BT_HEADER_MAX];

	choose_table_port(rq, c, addrs);
	bt_header(c, header, sizeof header);
	if (text && !rq->port_given)
		printf("port = %u\n", c->port);
	if (text)
		printf("%s\n", header);
	if (rq->output == BT_SUMMARY) {
		for (int i = 0; i < BT_NADDR; i++)
			printf("\t%s", addrs[i].name);
		printf("\n");
	}
	/* Printed as they come, as the original did: a slow table shows
	 * progress, and what was printed stays if it is interrupted. */
	for (int i = 0; i < BT_NADDR; i++) {
		if (rq->output == BT_SUMMARY)
			printf("%s:", addrs[i].name);
		for (int k = 0; k < BT_NADDR; k++) {
			struct bt_pair *p = &pairs[i * BT_NADDR + k];

			bt_run_pair(c, &addrs[i], &addrs[k], p);
			if (rq->output == BT_SUMMARY)
				printf("\t%s", p->cell);
		}
		if (rq->output == BT_SUMMARY)
			printf("\n");
		if (text)
			fflush(stdout);
	}
}
