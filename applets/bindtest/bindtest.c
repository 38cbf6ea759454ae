/* bindtest: KAME's dual-stack bind(2) test (revision 1.51, the one its manual
 * describes), with the original's output, its defects fixed, no fixed waits,
 * and -j, -a, -n beyond it.  See bindtest(1).  This file reads the command
 * line and chooses the tables; table.c runs one. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindtest.h"
#include "err.h"
#include "json.h"
#include "net.h"
#include "opt.h"

enum {
	O_CONNECT1, O_CONNECT2, O_V6ONLY, O_REUSEADDR, O_REUSEPORT, O_BCAST,
	O_DELAYED, O_OTHER, O_PORT, O_SUMMARY, O_TCP, O_VERSION,
	O_JSON, O_ALL, O_NETNS, O_WAIT, O_FULLWAIT, O_SYSCTL, O_EXPECT, O_COUNT
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
		"UDP: also send to ::ffff:ADDR, ADDR an IPv4 broadcast address", 0, 0 },
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
		"run every table: UDP/TCP x none/-A/-P x !V6ONLY/V6ONLY, and for TCP "
		"with -A or -P also -1 and -2, each without and with -l", 0, 0 },
	[O_NETNS] = { 'n', "netns", OPT_FLAG, NULL,
		"run in a private network namespace (exit 4 where none can be made)", 0, 0 },
	[O_WAIT] = { 'w', "wait", OPT_INT, "MS",
		"the bound on each probe's wait, in milliseconds (default 1000)", 1, 600000 },
	[O_FULLWAIT] = { 0, "full-wait", OPT_FLAG, NULL,
		"wait the whole bound after every probe, as the original did (slow)", 0, 0 },
	[O_SYSCTL] = { 0, "sysctl", OPT_LIST, "NAME=VALUE",
		"with -n: set this net.* sysctl in the private namespace first", 0, 0 },
	[O_EXPECT] = { 0, "expect", OPT_STRING, "FILE",
		"compare with the tables of an earlier -s or -j run; print TAP", 0, 0 },
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

/* ---- checking the command line -------------------------------------------- */

static void check_exclusions(const struct opt_value *v)
{
	static const int all_excludes[] = { O_TCP, O_REUSEADDR, O_REUSEPORT, O_V6ONLY,
					    O_CONNECT1, O_CONNECT2, O_DELAYED, O_BCAST };
	int connects = (v[O_CONNECT1].count > 0) + (v[O_CONNECT2].count > 0) +
		       (v[O_OTHER].count > 0);

	if (v[O_EXPECT].count && v[O_JSON].count)
		die_usage("--expect prints TAP: it cannot be combined with -j");
	if (v[O_SYSCTL].count && !v[O_NETNS].count)
		die_usage("--sysctl needs -n: the host's settings are not bindtest's to change");
	if (v[O_ALL].count) {
		for (size_t i = 0; i < sizeof all_excludes / sizeof all_excludes[0]; i++)
			if (v[all_excludes[i]].count)
				die_usage("-a runs every table (socket type, reuse option, connect, "
					  "delayed listen, V6ONLY): it cannot be combined with -%c",
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
}

/* ::ffff:A, port 0 (each table sets its port). */
static socklen_t mapped_sockaddr(struct in_addr a4, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof *ss);
	s6->sin6_family = AF_INET6;
	s6->sin6_addr.s6_addr[10] = s6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&s6->sin6_addr.s6_addr[12], &a4, sizeof a4);
	return sizeof *s6;
}

/* -o as an IPv4 address: itself and, for UDP, ::ffff:ADDR from an AF_INET6
 * socket. */
static void set_other4(struct bt_config *cfg, struct in_addr a4)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)&cfg->other4;

	memset(&cfg->other4, 0, sizeof cfg->other4);
	s4->sin_family = AF_INET;
	s4->sin_addr = a4;
	cfg->other4_len = sizeof *s4;
	cfg->have_other4 = 1;
	cfg->have_other6 = cfg->socktype == SOCK_DGRAM;
	if (cfg->have_other6)
		cfg->other6_len = mapped_sockaddr(a4, &cfg->other6);
}

/* -o: an IPv4 address, or an IPv4-mapped one, which counts as its IPv4
 * address (1.51 resolved -o with getaddrinfo(AF_INET) first, and glibc
 * answers that for ::ffff:a.b.c.d); any other IPv6 address is probed once. */
static void parse_other(struct bt_config *cfg, const char *text)
{
	struct sockaddr_storage ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)&ss;
	struct in_addr a4;
	socklen_t len;

	cfg->have_other4 = cfg->have_other6 = 0;
	if (inet_pton(AF_INET, text, &a4) == 1) {
		set_other4(cfg, a4);
	} else if (parse_numeric_addr(text, AF_INET6, 0, &ss, &len) != 0) {
		die_usage("-o: '%s' is not a numeric IPv4 or IPv6 address", text);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(&a4, &s6->sin6_addr.s6_addr[12], sizeof a4);
		set_other4(cfg, a4);
	} else {
		cfg->other6 = ss;
		cfg->other6_len = len;
		cfg->have_other6 = 1;
	}
}

/* -b: the datagram goes to ::ffff:ADDR (1.51 sent it from an AF_INET6
 * socket); whether ADDR is a broadcast address is checked in the namespace
 * of the test, once it is entered. */
static void parse_broadcast(struct bt_config *cfg, const char *text)
{
	struct in_addr a;

	if (inet_pton(AF_INET, text, &a) != 1)
		die_usage("-b: '%s' is not a numeric IPv4 address", text);
	cfg->have_bcast = 1;
	cfg->bcast4 = a;
	cfg->bcast6_len = mapped_sockaddr(a, &cfg->bcast6);
}

void bt_parse_request(int argc, char **argv, struct bt_request *rq)
{
	struct opt_value v[O_COUNT];
	struct bt_config *c = &rq->base;

	const char *sysctls[BT_MAX_SYSCTL + 1];
	size_t nsysctl;

	opt_parse(&bindtest_applet, argc, argv, v);
	/* The values are argv's; only the list is ours, freed before anything
	 * can exit. */
	nsysctl = v[O_SYSCTL].nlist;
	for (size_t i = 0; i < nsysctl && i <= BT_MAX_SYSCTL; i++)
		sysctls[i] = v[O_SYSCTL].list[i];
	opt_values_free(&bindtest_applet, v);
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
	c->quiet = c->summary || v[O_JSON].count || v[O_EXPECT].count;
	c->wait_ms = v[O_WAIT].count ? (int)v[O_WAIT].num : BT_DEFAULT_WAIT_MS;
	c->full_wait = v[O_FULLWAIT].count > 0;
	c->port = v[O_PORT].count ? (unsigned)v[O_PORT].num : 0;
	c->fence4 = c->fence6 = -1;
	rq->output = v[O_EXPECT].count ? BT_EXPECT : v[O_JSON].count ? BT_JSON :
		     c->summary ? BT_SUMMARY : BT_VERBOSE;
	rq->expect = v[O_EXPECT].str;
	rq->port_given = c->port != 0;
	rq->all = v[O_ALL].count > 0;
	rq->netns = v[O_NETNS].count > 0;
	rq->other = v[O_OTHER].str;
	rq->bcast = v[O_BCAST].str;
	if (rq->other)
		parse_other(c, rq->other);
	if (rq->bcast)
		parse_broadcast(c, rq->bcast);
	for (size_t i = 0; i < nsysctl; i++)
		bt_sysctl_parse(rq, sysctls[i]);   /* dies past BT_MAX_SYSCTL */
	c->sysctl = rq->sysctl;
	c->nsysctl = rq->nsysctl;
}

/* --expect: a failure is said in TAP too (bt_fail). */
static int bail_out;

_Noreturn void bt_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (bail_out) {
		printf("Bail out! %s\n", msg);
		fflush(stdout);
	}
	die("%s", msg);
}

/* One table of -a: the request's settings with these. */
static void add_table(const struct bt_request *rq, struct bt_config *t, size_t *n,
		      int socktype, int reuse, int connect, int delayed, int v6only)
{
	struct bt_config *c = &t[(*n)++];

	*c = rq->base;
	c->socktype = socktype;
	c->reuseaddr = reuse == 'A';
	c->reuseport = reuse == 'P';
	c->connect1st = connect == 1;
	c->connect2nd = connect == 2;
	c->delayed_listen = delayed;
	c->v6only = v6only;
	if (rq->other)
		parse_other(c, rq->other);      /* its probes depend on the socket type */
}

size_t bt_table_list(const struct bt_request *rq, struct bt_config *t)
{
	static const int reuses[] = { 0, 'A', 'P' };
	size_t n = 0;

	if (!rq->all) {
		t[n++] = rq->base;
		return n;
	}
	/* UDP then TCP; no reuse option, -A, -P; TCP with one of them also
	 * connects (to -o when given, else with -1, then -2), listening at
	 * once and then with -l; each table with V6ONLY off, then on. */
	for (int tcp = 0; tcp < 2; tcp++) {
		for (int r = 0; r < 3; r++) {
			int probes = tcp && reuses[r];
			int connects = !probes ? 1 : rq->other ? 1 : 3;

			for (int conn = 0; conn < connects; conn++) {
				int listens = probes && (conn > 0 || rq->other) ? 2 : 1;

				for (int late = 0; late < listens; late++)
					for (int v6 = 0; v6 < 2; v6++)
						add_table(rq, t, &n, tcp ? SOCK_STREAM : SOCK_DGRAM,
							  reuses[r], conn, late, v6);
			}
		}
	}
	return n;
}

/* --expect: the saved tables must be this run's, header for header (the
 * header names every option that shapes a table). */
static void check_expected(const struct bt_request *rq, const struct bt_config *tables,
			   size_t n, const struct bt_expect *e)
{
	char header[BT_HEADER_MAX], which[32] = "", why[256];

	if (e->ntables != n)
		die_code(EXIT_USAGE, "--expect: %s was saved with other options: it has %zu "
			 "table%s, this run has %zu", rq->expect, e->ntables,
			 e->ntables == 1 ? "" : "s", n);
	for (size_t t = 0; t < n; t++) {
		bt_header(&tables[t], header, sizeof header);
		if (n > 1)
			snprintf(which, sizeof which, " (table %zu)", t + 1);
		if (strcmp(header, e->table[t].header) != 0)
			die_code(EXIT_USAGE, "--expect: %s was saved with other options: it has "
				 "'%s' where this run has '%s'%s", rq->expect, e->table[t].header,
				 header, which);
		if (bt_expect_check_slots(e, t, &tables[t], why, sizeof why) < 0)
			die_code(EXIT_USAGE, "--expect: %s was saved with other options: %s%s",
				 rq->expect, why, which);
	}
}

/* -j's document, from the results of every table. */
static void print_json(const struct bt_config *tables, size_t n,
		       const struct bt_addr *addrs, const struct bt_pair *pairs)
{
	char header[BT_HEADER_MAX];
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j, NULL);
	json_string(&j, "applet", "bindtest");
	json_string(&j, "version", SOCKKIT_VERSION);
	json_begin_array(&j, "tables");
	for (size_t t = 0; t < n; t++) {
		bt_header(&tables[t], header, sizeof header);
		bt_json_table(&j, &tables[t], header, addrs + t * BT_NADDR,
			      pairs + t * BT_NADDR * BT_NADDR);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

/* Run every table, with its output: the lines as they come, the -j
 * document, or --expect's TAP.  The exit status. */
static int run_tables(const struct bt_request *rq, struct bt_config *tables, size_t n,
		      const struct bt_expect *e)
{
	/* -j's document is printed whole or not at all: a run that stops
	 * (the port taken meanwhile) leaves no JSON cut short.  So with -j
	 * every table keeps its results until the last has run. */
	size_t kept = rq->output == BT_JSON ? n : 1;
	struct bt_addr *addrs = xcalloc(kept * BT_NADDR, sizeof *addrs);
	struct bt_pair *pairs = xcalloc(kept * BT_NADDR * BT_NADDR, sizeof *pairs);
	unsigned tap_num = 0;
	int failed = 0;

	if (rq->output == BT_EXPECT)
		printf("1..%zu\n", n * BT_NADDR * BT_NADDR);
	for (size_t t = 0; t < n; t++) {
		size_t k = kept > 1 ? t : 0;

		bt_run_table(rq, &tables[t], addrs + k * BT_NADDR,
			     pairs + k * BT_NADDR * BT_NADDR);
		if (rq->output == BT_EXPECT)
			failed += bt_expect_report(e, t, &tables[t], pairs, &tap_num);
	}
	if (rq->output == BT_JSON)
		print_json(tables, n, addrs, pairs);
	free(addrs);
	free(pairs);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int bindtest_main(int argc, char **argv)
{
	struct bt_request rq;
	struct bt_config tables[BT_MAX_TABLES];
	struct bt_expect e;
	size_t n;
	int status;
	char why[256];

	bt_parse_request(argc, argv, &rq);
	n = bt_table_list(&rq, tables);
	if (rq.expect) {
		/* 1 means a pair did not match: every other failure is 2. */
		err_set_status(EXIT_USAGE);
		bail_out = 1;
	}
	if (rq.expect && bt_expect_load(&e, rq.expect, why, sizeof why) < 0)
		die_code(EXIT_USAGE, "--expect: %s: %s", rq.expect, why);
	if (rq.netns && netns_enter_private(why, sizeof why) < 0)
		die_code(EXIT_SKIP, "--netns: %s", why);
	bt_sysctl_apply(&rq);
	if (rq.expect)
		check_expected(&rq, tables, n, &e);
	if (rq.bcast)
		bt_check_broadcast(rq.base.bcast4, rq.bcast);
	bt_check_ports(&rq, tables, n);
	bt_prepare(tables, n);
	status = run_tables(&rq, tables, n, rq.expect ? &e : NULL);
	if (rq.expect)
		bt_expect_free(&e);
	return status;
}
