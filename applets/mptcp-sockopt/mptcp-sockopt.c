/* mptcp-sockopt: check the kernel's MPTCP socket options (the default
 * mode, run.c), or report on an MPTCP connection (-c, describe.c), on
 * every one of the namespace (--all, diag.c), or serve one (-l, listen.c).
 * This file reads the command line and picks the mode. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "modes.h"
#include "mptcp.h"
#include "net.h"
#include "opt.h"

enum { O_V4, O_V6, O_PORT, O_TIMEOUT, O_VERBOSE, O_SUBFLOWS, O_LIST, O_CONNECT,
       O_JSON, O_SEND, O_INTERVAL, O_COUNT_, O_ALL, O_LISTEN, O_TCP, O_N };

static const struct opt opts[O_N] = {
	[O_V4] = { '4', NULL, OPT_FLAG, NULL, "IPv4 only", 0, 0 },
	[O_V6] = { '6', NULL, OPT_FLAG, NULL, "IPv6 only", 0, 0 },
	[O_PORT] = { 'p', "port", OPT_INT, "PORT",
		     "listen on PORT (default: an ephemeral port)", 0, 65535 },
	[O_TIMEOUT] = { 't', "timeout", OPT_INT, "SECONDS",
			"bound of every wait (default 15)", 1, 3600 },
	[O_VERBOSE] = { 'v', "verbose", OPT_FLAG, NULL,
			"print every value read as TAP comments", 0, 0 },
	[O_SUBFLOWS] = { 'n', "subflows", OPT_INT, "N",
			 "checks: over N subflows in private namespaces; -c: wait for N", 1,
			 MPT_SUBFLOWS_MAX },
	[O_LIST] = { 0, "list", OPT_FLAG, NULL, "list the checks a run makes", 0, 0 },
	[O_CONNECT] = { 'c', "connect", OPT_FLAG, NULL,
			"report mode: connect to HOST PORT (numeric) and describe it", 0, 0 },
	[O_JSON] = { 0, "json", OPT_FLAG, NULL, "with -c or --all: JSON, one object a line",
		     0, 0 },
	[O_SEND] = { 0, "send", OPT_INT, "BYTES",
		     "with -c: send BYTES, acknowledged, before describing", 1,
		     1LL << 40 },
	[O_INTERVAL] = { 0, "interval", OPT_STRING, "SECONDS",
			 "with -c: time between samples (default 1; 0.001 to 3600)", 0, 0 },
	[O_COUNT_] = { 0, "count", OPT_INT, "K", "with -c: take K samples (default 1)",
		       1, 1000000 },
	[O_ALL] = { 'a', "all", OPT_FLAG, NULL,
		    "describe every MPTCP connection of the namespace", 0, 0 },
	[O_LISTEN] = { 'l', "listen", OPT_FLAG, NULL,
		       "listen (on HOST, default loopback), print \"port:N\", serve one connection",
		       0, 0 },
	[O_TCP] = { 0, "tcp", OPT_FLAG, NULL, "with -l: listen with plain TCP", 0, 0 },
};

static int mptcp_sockopt_main(int argc, char **argv);

const struct cmd mptcp_sockopt_applet = {
	.name = "mptcp-sockopt",
	.operands = "[HOST [PORT]]",
	.summary = "Check the kernel's MPTCP socket options (TAP), "
		   "or report on MPTCP connections.",
	.opts = opts,
	.nopts = O_N,
	.min_operands = 0,
	.max_operands = 2,
	.footer = "Exit status: 0 all checks passed, 1 a check failed, 2 usage,\n"
		  "4 MPTCP (or a namespace for --subflows) is unavailable.\n",
	.main = mptcp_sockopt_main,
	.flags = CMD_OPTIONS_ANYWHERE,
};

/* ---- values ---- */

/* SECONDS with up to three decimals ("0.25"), as milliseconds. */
static int parse_interval(const char *s, int *ms)
{
	const char *dot = strchr(s, '.');
	char whole[16];
	long long sec, frac = 0;
	size_t nw = dot ? (size_t)(dot - s) : strlen(s);

	if (nw == 0 || nw >= sizeof whole)
		return -1;
	memcpy(whole, s, nw);
	whole[nw] = '\0';
	if (opt_parse_int(whole, 0, 3600, &sec) < 0 || whole[0] == '-')
		return -1;
	if (dot) {
		size_t nd = strlen(dot + 1);

		if (nd == 0 || nd > 3 || opt_parse_int(dot + 1, 0, 999, &frac) < 0 ||
		    dot[1] == '-')
			return -1;
		while (nd++ < 3)
			frac *= 10;
	}
	*ms = (int)(sec * 1000 + frac);
	return *ms >= 1 && *ms <= 3600 * 1000 ? 0 : -1;
}

static int picked_family(const struct opt_value *v)
{
	if (v[O_V6].count && !v[O_V4].count)
		return AF_INET6;
	if (v[O_V4].count && !v[O_V6].count)
		return AF_INET;
	return AF_UNSPEC;
}

/* ---- one mode each ---- */

/* Options that belong to another mode: a usage error naming them. */
static void refuse(const struct opt_value *v, const int *ids, size_t n, const char *mode)
{
	for (size_t i = 0; i < n; i++) {
		const struct opt *o = &opts[ids[i]];

		if (!v[ids[i]].count)
			continue;
		if (o->long_name)
			die_usage("--%s is not for %s", o->long_name, mode);
		die_usage("-%c is not for %s", o->short_name, mode);
	}
}

static int report(const struct opt_value *v, char **operands, int nops, int timeout_s)
{
	static const int not_here[] = { O_PORT, O_VERBOSE, O_LIST, O_ALL, O_LISTEN, O_TCP };
	struct mpt_report_opts o = {
		.family = picked_family(v), .timeout_s = timeout_s,
		.json = v[O_JSON].count > 0, .subflows = 1, .interval_ms = 1000, .count = 1,
	};
	long long port;

	if (v[O_PORT].count)
		die_usage("-p is not for -c: the port to connect to is the PORT operand");
	if (v[O_VERBOSE].count)
		die_usage("-v goes with the checks, not with -c");
	refuse(v, not_here, sizeof not_here / sizeof not_here[0], "-c");
	if (nops != 2)
		die_usage("-c takes HOST and PORT");
	if (opt_parse_int(operands[1], 1, 65535, &port) < 0)
		die_usage("bad port '%s'", operands[1]);
	if (v[O_INTERVAL].count && parse_interval(v[O_INTERVAL].str, &o.interval_ms) < 0)
		die_usage("--interval: '%s' is not a number of seconds from 0.001 to 3600",
			  v[O_INTERVAL].str);
	o.host = operands[0];
	o.port = (unsigned)port;
	if (v[O_SUBFLOWS].count)
		o.subflows = (unsigned)v[O_SUBFLOWS].num;
	if (v[O_SEND].count)
		o.send_bytes = (unsigned long long)v[O_SEND].num;
	if (v[O_COUNT_].count)
		o.count = (unsigned)v[O_COUNT_].num;
	return mpt_report_mode(&o);
}

static void refuse_report_options(const struct opt_value *v, const char *mode)
{
	static const int report_only[] = { O_SEND, O_INTERVAL, O_COUNT_ };

	refuse(v, report_only, sizeof report_only / sizeof report_only[0], mode);
}

static int all(const struct opt_value *v, int nops, int timeout_s)
{
	static const int not_here[] = { O_PORT, O_VERBOSE, O_SUBFLOWS, O_LIST, O_LISTEN, O_TCP };

	refuse(v, not_here, sizeof not_here / sizeof not_here[0], "--all");
	refuse_report_options(v, "--all");
	if (nops)
		die_usage("--all takes no operand");
	return mpt_all_mode(picked_family(v), v[O_JSON].count > 0, timeout_s);
}

static int listen_one(const struct opt_value *v, char **operands, int nops, int timeout_s)
{
	static const int not_here[] = { O_JSON, O_SUBFLOWS, O_LIST };
	int family = picked_family(v);

	if (v[O_VERBOSE].count)
		die_usage("-v goes with the checks, not with -l");
	refuse(v, not_here, sizeof not_here / sizeof not_here[0], "-l");
	refuse_report_options(v, "-l");
	if (nops > 1)
		die_usage("-l takes at most HOST");
	if (family == AF_UNSPEC && !nops)
		family = AF_INET;
	return mpt_listen_mode(family, nops ? operands[0] : NULL,
			       v[O_PORT].count ? (unsigned)v[O_PORT].num : 0,
			       v[O_TCP].count > 0, timeout_s);
}

static int checks(const struct opt_value *v, int nops, int timeout_s)
{
	struct mpt_test_opts o = { .timeout_s = timeout_s, .subflows = 1 };
	int err;

	if (nops)
		die_usage("operands are for -c HOST PORT and -l HOST only");
	if (v[O_JSON].count)
		die_usage("--json goes with -c or --all");
	if (v[O_TCP].count)
		die_usage("--tcp goes with -l");
	refuse_report_options(v, "the checks (they go with -c)");
	if (v[O_SUBFLOWS].count)
		o.subflows = (unsigned)v[O_SUBFLOWS].num;
	if (v[O_LIST].count)
		return mpt_list_checks(o.subflows);
	if (!v[O_V6].count || v[O_V4].count)
		o.families[o.nfamilies++] = AF_INET;
	if (!v[O_V4].count || v[O_V6].count)
		o.families[o.nfamilies++] = AF_INET6;
	o.port = v[O_PORT].count ? (unsigned)v[O_PORT].num : 0;
	o.verbose = v[O_VERBOSE].count > 0;
	/* Several subflows run in namespaces of their own, which have MPTCP
	 * whatever this one says: the run asks there. */
	if (o.subflows == 1 && (err = mpt_mptcp_missing(o.families[0])) != 0)
		mpt_skip_unavailable(err);
	if (o.subflows == 1 && iface_is_up("lo") == 0) {
		printf("Bail out! the loopback interface lo is down\n");
		fflush(stdout);
		die("the loopback interface lo is down: no loopback connection is possible");
	}
	return mpt_test_mode(&o);
}

static int mptcp_sockopt_main(int argc, char **argv)
{
	struct opt_value v[O_N];
	int first = opt_parse(&mptcp_sockopt_applet, argc, argv, v);
	int nops = argc - first;
	int timeout_s = v[O_TIMEOUT].count ? (int)v[O_TIMEOUT].num : 15;

	if (v[O_CONNECT].count + v[O_LISTEN].count + v[O_ALL].count > 1)
		die_usage("-c, -l and --all exclude each other");
	if (v[O_CONNECT].count)
		return report(v, argv + first, nops, timeout_s);
	if (v[O_ALL].count)
		return all(v, nops, timeout_s);
	if (v[O_LISTEN].count)
		return listen_one(v, argv + first, nops, timeout_s);
	return checks(v, nops, timeout_s);
}
