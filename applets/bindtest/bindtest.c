/* bindtest: KAME's dual-stack bind(2) test (revision 1.51, the one its manual
 * describes), with the original's output, its defects fixed, no fixed waits,
 * and -j, -a, -n beyond it.  See bindtest(1); pair.c runs one pair. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bindtest.h"
#include "err.h"
#include "io.h"
#include "json.h"
#include "net.h"
#include "opt.h"

enum {
	O_CONNECT1, O_CONNECT2, O_V6ONLY, O_REUSEADDR, O_REUSEPORT, O_BCAST,
	O_DELAYED, O_OTHER, O_PORT, O_SUMMARY, O_TCP, O_VERSION,
	O_JSON, O_ALL, O_NETNS, O_WAIT, O_FULLWAIT, O_COUNT
};

static const struct opt opts[] = {
	[O_CONNECT1] = { '1', "connect-1st", OPT_FLAG, NULL,
		"TCP: connect to the first socket (needs -t)", 0, 0 },
	[O_CONNECT2] = { '2', "connect-2nd", OPT_FLAG, NULL,
		"TCP: connect to the second socket (needs -t)", 0, 0 },
	[O_V6ONLY] = { '6', "v6only", OPT_FLAG, NULL,
		"set IPV6_V6ONLY on every AF_INET6 socket (else it is cleared)", 0, 0 },
	[O_REUSEADDR] = { 'A', "reuseaddr", OPT_FLAG, NULL,
		"set SO_REUSEADDR on the bound sockets", 0, 0 },
	[O_REUSEPORT] = { 'P', "reuseport", OPT_FLAG, NULL,
		"set SO_REUSEPORT on the bound sockets", 0, 0 },
	[O_BCAST] = { 'b', "broadcast", OPT_STRING, "ADDR",
		"UDP: also send to ::ffff:ADDR, ADDR an IPv4 broadcast address (not with -s)", 0, 0 },
	[O_DELAYED] = { 'l', "delayed-listen", OPT_FLAG, NULL,
		"TCP: bind both sockets, then listen on both (needs -t)", 0, 0 },
	[O_OTHER] = { 'o', "other", OPT_STRING, "ADDR",
		"also send (UDP) or connect (TCP) to this local address", 0, 0 },
	[O_PORT] = { 'p', "port", OPT_INT, "PORT",
		"the port to test (default or 0: pick a free one and print it)", 0, 65535 },
	[O_SUMMARY] = { 's', "summary", OPT_FLAG, NULL,
		"print the summary table instead of the verbose lines", 0, 0 },
	[O_TCP] = { 't', "tcp", OPT_FLAG, NULL, "test SOCK_STREAM instead of SOCK_DGRAM", 0, 0 },
	[O_VERSION] = { 'v', "version", OPT_FLAG, NULL, "print the version and exit", 0, 0 },
	[O_JSON] = { 'j', "json", OPT_FLAG, NULL, "print the results as one JSON document", 0, 0 },
	[O_ALL] = { 'a', "all", OPT_FLAG, NULL,
		"run all 12 tables: UDP/TCP x none/-A/-P x !V6ONLY/V6ONLY", 0, 0 },
	[O_NETNS] = { 'n', "netns", OPT_FLAG, NULL,
		"run in a private network namespace (exit 4 where none can be made)", 0, 0 },
	[O_WAIT] = { 'w', "wait", OPT_INT, "MS",
		"the bound on each probe's wait, in milliseconds (default 1000)", 1, 600000 },
	[O_FULLWAIT] = { 0, "full-wait", OPT_FLAG, NULL,
		"wait the whole bound after every probe, as the original did (slow)", 0, 0 },
};

static int bindtest_main(int argc, char **argv);

const struct cmd bindtest_applet = {
	.name = "bindtest",
	.operands = "",
	.summary = "Test how bind(2) treats IPv4, IPv6 and IPv4-mapped addresses on one port.",
	.opts = opts,
	.nopts = O_COUNT,
	.min_operands = 0,
	.max_operands = 0,
	.footer = "Cells: x (2nd bind EADDRINUSE), ?1(errno) ?2(errno) (a bind failed),\n"
		  "!1 !2 (socket failed), o[...] (both bound; one letter per probe:\n"
		  "- not tried, 0 nobody, 1 first, 2 second, b both, x send failed,\n"
		  "c connect failed).  Exit: 0 done, 1 failure, 2 usage, 4 no namespace.\n",
	.main = bindtest_main,
	.flags = CMD_OPTIONS_ANYWHERE,
	.version_note = "after KAME bindtest.c 1.51",
};

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

/* ---- checking the command line -------------------------------------------- */

static void check_exclusions(const struct opt_value *v)
{
	static const int all_excludes[] = { O_TCP, O_REUSEADDR, O_REUSEPORT, O_V6ONLY,
					    O_CONNECT1, O_CONNECT2, O_DELAYED, O_BCAST };
	int connects = (v[O_CONNECT1].count > 0) + (v[O_CONNECT2].count > 0) +
		       (v[O_OTHER].count > 0);

	if (v[O_ALL].count) {
		for (size_t i = 0; i < sizeof all_excludes / sizeof all_excludes[0]; i++)
			if (v[all_excludes[i]].count)
				die_usage("-a runs every socket type, reuse option and V6ONLY "
					  "setting: it cannot be combined with -%c",
					  opts[all_excludes[i]].short_name);
		return;
	}
	if (v[O_TCP].count && connects > 1)
		die_usage("-1, -2 and -o exclude each other with -t");
	if ((v[O_CONNECT1].count || v[O_CONNECT2].count) && !v[O_TCP].count)
		die_usage("-%c needs -t (it connects to a TCP socket)",
			  v[O_CONNECT1].count ? '1' : '2');
	if (v[O_DELAYED].count && !v[O_TCP].count)
		die_usage("-l needs -t (it delays TCP's listen)");
	if (v[O_BCAST].count && v[O_TCP].count)
		die_usage("-b works only for UDP: it cannot be combined with -t");
	if (v[O_BCAST].count && v[O_SUMMARY].count)
		die_usage("-b and -s cannot be combined: the table has no slot for -b");
}

static void parse_other(struct bt_config *cfg, const char *text)
{
	struct in_addr a4;
	struct in6_addr a6;
	struct sockaddr_storage ss;
	socklen_t len;

	if (inet_pton(AF_INET, text, &a4) == 1) {
		cfg->have_other4 = 1;
		/* UDP also tries it as a mapped address from an AF_INET6 socket. */
		cfg->have_other6 = cfg->socktype == SOCK_DGRAM;
	} else if (inet_pton(AF_INET6, text, &a6) == 1) {
		cfg->have_other6 = 1;
	} else {
		die_usage("-o: '%s' is not a numeric IPv4 or IPv6 address", text);
	}
	if (cfg->have_other4) {
		parse_numeric_addr(text, AF_INET, cfg->port, &ss, &len);
		cfg->other4 = ss;
		cfg->other4_len = len;
	}
	if (cfg->have_other6) {
		char mapped[INET6_ADDRSTRLEN + 8];

		snprintf(mapped, sizeof mapped, "%s%s", cfg->have_other4 ? "::ffff:" : "", text);
		if (parse_numeric_addr(mapped, AF_INET6, cfg->port, &ss, &len) != 0)
			die_usage("-o: '%s' is not a numeric IPv4 or IPv6 address", text);
		cfg->other6 = ss;
		cfg->other6_len = len;
	}
}

/* 255.255.255.255 or the broadcast address of one of this host's interfaces
 * (in the namespace the test runs in). */
static int is_broadcast(struct in_addr a)
{
	struct ifaddrs *list, *i;
	int found = a.s_addr == htonl(INADDR_BROADCAST);

	if (found || getifaddrs(&list) < 0)
		return found;
	for (i = list; i && !found; i = i->ifa_next) {
		const struct sockaddr *b = i->ifa_broadaddr;

		if ((i->ifa_flags & IFF_BROADCAST) && b && b->sa_family == AF_INET &&
		    ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr == a.s_addr)
			found = 1;
	}
	freeifaddrs(list);
	return found;
}

static void check_broadcast(const char *text)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		die_usage("-b: '%s' is not a numeric IPv4 address", text);
	if (!is_broadcast(a))
		die_usage("-b: %s is not a broadcast address here "
			  "(255.255.255.255 or an interface's broadcast address)", text);
}

void bt_parse_request(int argc, char **argv, struct bt_request *rq)
{
	struct opt_value v[O_COUNT];
	struct bt_config *c = &rq->base;

	opt_parse(&bindtest_applet, argc, argv, v);
	if (v[O_VERSION].count) {
		opt_print_version(&bindtest_applet, stdout);
		exit(EXIT_OK);
	}
	check_exclusions(v);
	memset(rq, 0, sizeof *rq);
	c->socktype = v[O_TCP].count ? SOCK_STREAM : SOCK_DGRAM;
	c->reuseaddr = v[O_REUSEADDR].count > 0;
	c->reuseport = v[O_REUSEPORT].count > 0;
	c->v6only = v[O_V6ONLY].count > 0;
	c->connect1st = v[O_CONNECT1].count > 0;
	c->connect2nd = v[O_CONNECT2].count > 0;
	c->delayed_listen = v[O_DELAYED].count > 0;
	c->summary = v[O_SUMMARY].count > 0;
	c->json = rq->json = v[O_JSON].count > 0;
	c->wait_ms = v[O_WAIT].count ? (int)v[O_WAIT].num : BT_DEFAULT_WAIT_MS;
	c->full_wait = v[O_FULLWAIT].count > 0;
	c->port = v[O_PORT].count ? (unsigned)v[O_PORT].num : 0;
	c->fence4 = c->fence6 = -1;
	rq->port_given = c->port != 0;
	rq->all = v[O_ALL].count > 0;
	rq->netns = v[O_NETNS].count > 0;
	rq->other = v[O_OTHER].str;
	rq->bcast = v[O_BCAST].str;
	if (rq->other)
		parse_other(c, rq->other);     /* checked now, set per table */
	opt_values_free(&bindtest_applet, v);
}

/* ---- ports, addresses, fences --------------------------------------------- */

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
			die_errno("socket");
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

static const char *socktype_name(int socktype)
{
	return socktype == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM";
}

static unsigned choose_port(const struct bt_request *rq, int socktype)
{
	unsigned port = 0;
	int err;

	if (rq->port_given) {
		err = bind_everywhere(socktype, rq->base.port, NULL);
		if (err == EADDRINUSE)
			die("port %u is in use for %s: choose a free one, or leave -p out",
			    rq->base.port, socktype_name(socktype));
		if (err)
			die("cannot bind port %u for %s: %s", rq->base.port,
			    socktype_name(socktype), strerror(err));
		return rq->base.port;
	}
	err = bind_everywhere(socktype, 0, &port);
	if (err || port == 0)
		die("cannot find a free port for %s: %s", socktype_name(socktype),
		    strerror(err ? err : EADDRNOTAVAIL));
	return port;
}

static void resolve_addresses(struct bt_addr *addrs, unsigned port)
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
			die("cannot make the address %s", host);
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

static void make_header(const struct bt_config *c, char *buf, size_t size)
{
	const char *target = bt_connect_target(c);

	snprintf(buf, size, "starting tests, socktype = %s%s%s%s%s%s%s",
		 socktype_name(c->socktype),
		 c->reuseaddr ? ", SO_REUSEADDR" : "",
		 c->reuseport ? ", SO_REUSEPORT" : "",
		 c->v6only ? ", V6ONLY" : ", !V6ONLY",
		 target ? ", connect to " : "", target ? target : "",
		 c->socktype == SOCK_STREAM && c->delayed_listen ? ", delayed listen" : "");
}

/* The settings of one table: the request's, with the port, the -o and -b
 * addresses for that port, and the -a combination. */
static void table_config(const struct bt_request *rq, struct bt_config *c)
{
	c->port = choose_port(rq, c->socktype);
	c->have_other4 = c->have_other6 = 0;
	if (rq->other)
		parse_other(c, rq->other);
	c->have_bcast = rq->bcast != NULL;
	if (c->have_bcast) {
		char mapped[INET_ADDRSTRLEN + 8];

		snprintf(mapped, sizeof mapped, "::ffff:%s", rq->bcast);
		if (parse_numeric_addr(mapped, AF_INET6, c->port, &c->bcast6, &c->bcast6_len) != 0)
			die_usage("-b: '%s' is not a numeric IPv4 address", rq->bcast);
	}
}

static void print_table(const struct bt_request *rq, const struct bt_config *c,
			const struct bt_addr *addrs, const char *header)
{
	struct bt_pair pair;

	if (!rq->port_given)
		printf("port = %u\n", c->port);
	printf("%s\n", header);
	if (c->summary) {
		for (int i = 0; i < BT_NADDR; i++)
			printf("\t%s", addrs[i].name);
		printf("\n");
	}
	for (int i = 0; i < BT_NADDR; i++) {
		if (c->summary)
			printf("%s:", addrs[i].name);
		for (int k = 0; k < BT_NADDR; k++) {
			bt_run_pair(c, &addrs[i], &addrs[k], &pair);
			if (c->summary)
				printf("\t%s", pair.cell);
		}
		if (c->summary)
			printf("\n");
		fflush(stdout);
	}
}

static void run_table(const struct bt_request *rq, struct bt_config *c, struct json *j,
		      struct bt_pair *pairs)
{
	struct bt_addr addrs[BT_NADDR];
	char header[256];

	table_config(rq, c);
	resolve_addresses(addrs, c->port);
	make_header(c, header, sizeof header);
	if (!rq->json) {
		print_table(rq, c, addrs, header);
		return;
	}
	for (int i = 0; i < BT_NADDR; i++)
		for (int k = 0; k < BT_NADDR; k++)
			bt_run_pair(c, &addrs[i], &addrs[k], &pairs[i * BT_NADDR + k]);
	bt_json_table(j, c, header, addrs, pairs);
}

static int bindtest_main(int argc, char **argv)
{
	struct bt_request rq;
	struct bt_config c;
	struct bt_pair *pairs;
	struct json j;
	char why[256];

	bt_parse_request(argc, argv, &rq);
	if (rq.netns && netns_enter_private(why, sizeof why) < 0)
		die_code(EXIT_SKIP, "--netns: %s", why);
	if (rq.bcast)
		check_broadcast(rq.bcast);
	pin_to_this_cpu();
	rq.base.fence4 = open_fence(AF_INET, &rq.base.fence4_ss, &rq.base.fence4_len);
	rq.base.fence6 = open_fence(AF_INET6, &rq.base.fence6_ss, &rq.base.fence6_len);
	pairs = xcalloc(BT_NADDR * BT_NADDR, sizeof *pairs);
	json_init(&j, stdout);
	if (rq.json) {
		json_begin_object(&j, NULL);
		json_string(&j, "applet", "bindtest");
		json_string(&j, "version", SOCKKIT_VERSION);
		json_begin_array(&j, "tables");
	}
	for (int t = 0; t < (rq.all ? 12 : 1); t++) {
		c = rq.base;
		if (rq.all) {   /* UDP then TCP; none, -A, -P; !V6ONLY, V6ONLY */
			c.socktype = t < 6 ? SOCK_DGRAM : SOCK_STREAM;
			c.reuseaddr = t % 6 / 2 == 1;
			c.reuseport = t % 6 / 2 == 2;
			c.v6only = t % 2;
		}
		run_table(&rq, &c, &j, pairs);
	}
	if (rq.json) {
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	}
	free(pairs);
	return EXIT_OK;
}
