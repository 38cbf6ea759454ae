/* mptcp-sockopt: check the kernel's MPTCP socket options over loopback,
 * or report on one MPTCP connection (-c), or serve one (-l).
 *
 * Test mode runs, per address family, a server and a client process that
 * exchange one message and check every answer the kernel gives (see
 * session.c); the results come back through shared memory and are printed
 * here as TAP, one line per check and family. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "io.h"
#include "mptcp.h"
#include "net.h"
#include "opt.h"
#include "report.h"
#include "session.h"

enum { O_V4, O_V6, O_PORT, O_TIMEOUT, O_VERBOSE, O_CONNECT, O_JSON, O_LISTEN,
       O_TCP, O_COUNT };

static const struct opt opts[O_COUNT] = {
	[O_V4] = { '4', NULL, OPT_FLAG, NULL, "IPv4 only", 0, 0 },
	[O_V6] = { '6', NULL, OPT_FLAG, NULL, "IPv6 only", 0, 0 },
	[O_PORT] = { 'p', "port", OPT_INT, "PORT",
		     "listen on PORT (default: an ephemeral port)", 0, 65535 },
	[O_TIMEOUT] = { 't', "timeout", OPT_INT, "SECONDS",
			"bound of every wait (default 15)", 1, 3600 },
	[O_VERBOSE] = { 'v', "verbose", OPT_FLAG, NULL,
			"print every value read as TAP comments", 0, 0 },
	[O_CONNECT] = { 'c', "connect", OPT_FLAG, NULL,
			"report mode: connect to HOST PORT (numeric) and describe it", 0, 0 },
	[O_JSON] = { 0, "json", OPT_FLAG, NULL, "with -c: print JSON", 0, 0 },
	[O_LISTEN] = { 'l', "listen", OPT_FLAG, NULL,
		       "listen on loopback, print \"port:N\", serve one connection", 0, 0 },
	[O_TCP] = { 0, "tcp", OPT_FLAG, NULL, "with -l: listen with plain TCP", 0, 0 },
};

static int mptcp_sockopt_main(int argc, char **argv);

const struct cmd mptcp_sockopt_applet = {
	.name = "mptcp-sockopt",
	.operands = "[HOST PORT]",
	.summary = "Check the kernel's MPTCP socket options over loopback (TAP), "
		   "or report on an MPTCP connection.",
	.opts = opts,
	.nopts = O_COUNT,
	.min_operands = 0,
	.max_operands = 2,
	.footer = "Exit status: 0 all checks passed, 1 a check failed, 2 usage,\n"
		  "4 MPTCP is unavailable (disabled or not built in).\n",
	.main = mptcp_sockopt_main,
	.flags = CMD_OPTIONS_ANYWHERE,
};

/* How one child of a family's run ended, for checks it never reached. */
struct child {
	const char *who;
	pid_t pid;
	char note[160];
};

/* ---- the preconditions ---- */

/* socket(..., IPPROTO_MPTCP) fails this way when MPTCP is off or absent. */
static int mptcp_unavailable(int family, int *errnum)
{
	int fd = socket(family, SOCK_STREAM, IPPROTO_MPTCP);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	*errnum = errno;
	return errno == ENOPROTOOPT || errno == EPROTONOSUPPORT;
}

/* 1 when the loopback interface exists and is down. */
static int loopback_down(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int down = 0;

	if (fd < 0)
		return 0;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		down = !(ifr.ifr_flags & IFF_UP);
	close(fd);
	return down;
}

/* The MPTCP listener of a run on the loopback address.  Returns the fd,
 * or -1 with a reason and *skip set when the family is unusable here. */
static int make_listener(struct run *run, unsigned port, char *why, size_t whysize,
			 int *skip)
{
	const char *host = run->family == AF_INET ? "127.0.0.1" : "::1";
	int one = 1, fd;

	*skip = 0;
	if (parse_numeric_addr(host, run->family, port, &run->addr, &run->addrlen)) {
		snprintf(why, whysize, "cannot parse %s", host);
		return -1;
	}
	fd = socket(run->family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0) {
		*skip = errno == EAFNOSUPPORT;
		snprintf(why, whysize, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&run->addr, run->addrlen) < 0) {
		*skip = errno == EADDRNOTAVAIL;
		snprintf(why, whysize, "%s on %s: %s", *skip ? "no loopback address" : "bind",
			 host, strerror(errno));
		close(fd);
		return -1;
	}
	run->addrlen = sizeof run->addr;
	if (listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&run->addr, &run->addrlen) < 0) {
		snprintf(why, whysize, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the children ---- */

static pid_t spawn(struct child *c, const char *who, int (*body)(const struct run *, int, int),
		   const struct run *run, int keep_fd, int ctl, int close1, int close2,
		   struct check_result *table)
{
	pid_t pid;

	c->who = who;
	c->note[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		/* Never outlive the parent, even if it is killed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* A peer that died is an EPIPE to report, not a death here. */
		signal(SIGPIPE, SIG_IGN);
		if (close1 >= 0)
			close(close1);
		if (close2 >= 0)
			close(close2);
		check_table = table;
		if (run->verbose)
			setvbuf(stdout, NULL, _IOLBF, 0);
		int status = body(run, keep_fd, ctl);
		fflush(stdout);
		_exit(status);
	}
	c->pid = pid;
	return pid;
}

static int server_body(const struct run *run, int lfd, int ctl)
{
	return run_server(run, lfd, ctl);
}

static int client_body(const struct run *run, int unused, int ctl)
{
	(void)unused;
	return run_client(run, ctl);
}

/* Reap a child by the deadline, killing it past that; notes how it ended
 * when that was not a clean exit. */
static void reap(struct child *c, const struct run *run, int grace_ms, int timeout_s)
{
	int status = 0;
	pid_t r = waitpid_timeout(c->pid, &status, ms_left(run->deadline_ms) + grace_ms);

	if (r == 0) {
		kill(c->pid, SIGKILL);
		waitpid_timeout(c->pid, &status, 5000);
		snprintf(c->note, sizeof c->note, "the %s process did not finish within %d s and was killed",
			 c->who, timeout_s);
	} else if (r < 0) {
		snprintf(c->note, sizeof c->note, "waiting for the %s process: %s", c->who,
			 strerror(errno));
	} else if (WIFSIGNALED(status)) {
		snprintf(c->note, sizeof c->note, "the %s process was killed by signal %d",
			 c->who, WTERMSIG(status));
	} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
		snprintf(c->note, sizeof c->note, "the %s process stopped early (exit status %d)",
			 c->who, WEXITSTATUS(status));
	}
	if (c->note[0])
		warnx_("%s: %s", run->tag, c->note);
}

/* ---- TAP ---- */

static void print_diag(const char *tag, enum check_id id, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("# %s %s: %.*s\n", tag, check_name(id), (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

/* Print one family's results; returns how many failed. */
static int print_results(const struct run *run, const struct check_result *table,
			 const struct child *server, const struct child *client, int *n)
{
	int failed = 0;

	for (int id = 0; id < CHECK_COUNT; id++) {
		const struct check_result *r = &table[id];
		const struct child *c = check_side(id) == SIDE_SERVER ? server : client;
		const char *name = check_name(id);

		++*n;
		switch (r->state) {
		case CHECK_PASS:
			printf("ok %d - %s %s\n", *n, run->tag, name);
			break;
		case CHECK_SKIP:
			printf("ok %d - %s %s # SKIP %s\n", *n, run->tag, name, r->diag);
			break;
		case CHECK_FAIL:
			printf("not ok %d - %s %s\n", *n, run->tag, name);
			print_diag(run->tag, id, r->diag);
			failed++;
			break;
		default:
			printf("not ok %d - %s %s\n", *n, run->tag, name);
			print_diag(run->tag, id, c->note[0] ? c->note
				   : "not reached: an earlier step of this side failed");
			failed++;
		}
	}
	return failed;
}

static int print_family_skip(const struct run *run, const char *why, int *n)
{
	for (int id = 0; id < CHECK_COUNT; id++)
		printf("ok %d - %s %s # SKIP %s\n", ++*n, run->tag, check_name(id), why);
	return 0;
}

static int print_family_fail(const struct run *run, const char *why, int *n)
{
	for (int id = 0; id < CHECK_COUNT; id++) {
		printf("not ok %d - %s %s\n", ++*n, run->tag, check_name(id));
		print_diag(run->tag, id, why);
	}
	warnx_("%s: %s", run->tag, why);
	return CHECK_COUNT;
}

/* ---- the families ---- */

/* One family's run, started, then finished (reaped and printed). */
struct family_run {
	struct run run;
	struct child server, client;
	struct check_result *table;     /* NULL: it could not start */
	int skip;                       /* ... because the family is unusable here */
	char why[200];
};

static void start_family(struct family_run *f, unsigned port)
{
	int lfd, ctl[2];

	f->table = NULL;
	lfd = make_listener(&f->run, port, f->why, sizeof f->why, &f->skip);
	if (lfd < 0)
		return;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0)
		die_errno("socketpair");
	f->table = mmap(NULL, sizeof *f->table * CHECK_COUNT, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f->table == MAP_FAILED)
		die_errno("mmap");
	memset(f->table, 0, sizeof *f->table * CHECK_COUNT);
	spawn(&f->server, "server", server_body, &f->run, lfd, ctl[0], ctl[1], -1, f->table);
	spawn(&f->client, "client", client_body, &f->run, -1, ctl[1], ctl[0], lfd, f->table);
	close(lfd);
	close(ctl[0]);
	close(ctl[1]);
}

/* Returns how many checks failed. */
static int finish_family(struct family_run *f, int timeout_s, int *n)
{
	int failed;

	if (!f->table)
		return f->skip ? print_family_skip(&f->run, f->why, n)
			       : print_family_fail(&f->run, f->why, n);
	/* The children bound their own waits by the deadline; a second more
	 * lets them report before they are killed. */
	reap(&f->client, &f->run, 1000, timeout_s);
	reap(&f->server, &f->run, 1000, timeout_s);
	failed = print_results(&f->run, f->table, &f->server, &f->client, n);
	munmap(f->table, sizeof *f->table * CHECK_COUNT);
	return failed;
}

static unsigned random_seed(void)
{
	return (unsigned)now_ns() ^ (unsigned)getpid() * 2654435761u;
}

static int test_mode(const struct opt_value *v)
{
	struct family_run runs[2];
	int families[2], nfam = 0, err = 0, n = 0, failed = 0;
	int timeout_s = v[O_TIMEOUT].count ? (int)v[O_TIMEOUT].num : 15;
	unsigned port = v[O_PORT].count ? (unsigned)v[O_PORT].num : 0;
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;

	if (!v[O_V6].count || v[O_V4].count)
		families[nfam++] = AF_INET;
	if (!v[O_V4].count || v[O_V6].count)
		families[nfam++] = AF_INET6;
	if (mptcp_unavailable(families[0], &err)) {
		printf("1..0 # SKIP MPTCP is unavailable: %s\n", strerror(err));
		die_mptcp_unavailable(err);
	}
	if (loopback_down()) {
		printf("Bail out! the loopback interface lo is down\n");
		die("the loopback interface lo is down: no loopback connection is possible");
	}
	printf("TAP version 13\n1..%d\n", CHECK_COUNT * nfam);
	/* The families run at the same time, each on its own address; the
	 * results are printed in order once each is done. */
	for (int i = 0; i < nfam; i++) {
		struct run *run = &runs[i].run;

		memset(run, 0, sizeof *run);
		run->family = families[i];
		run->tag = families[i] == AF_INET ? "v4" : "v6";
		run->verbose = v[O_VERBOSE].count > 0;
		run->seed = random_seed() + (unsigned)i;
		run->deadline_ms = deadline;
		start_family(&runs[i], port);
	}
	for (int i = 0; i < nfam; i++)
		failed += finish_family(&runs[i], timeout_s, &n);
	fflush(stdout);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static int mptcp_sockopt_main(int argc, char **argv)
{
	struct opt_value v[O_COUNT];
	int first = opt_parse(&mptcp_sockopt_applet, argc, argv, v);
	int nops = argc - first;
	int timeout_s = v[O_TIMEOUT].count ? (int)v[O_TIMEOUT].num : 15;
	int family = v[O_V6].count && !v[O_V4].count ? AF_INET6
		   : v[O_V4].count && !v[O_V6].count ? AF_INET : AF_UNSPEC;

	if (v[O_CONNECT].count && v[O_LISTEN].count)
		die_usage("-c and -l exclude each other");
	if (v[O_CONNECT].count && v[O_PORT].count)
		die_usage("-p is not for -c: the port to connect to is the PORT operand");
	if (v[O_VERBOSE].count && (v[O_CONNECT].count || v[O_LISTEN].count))
		die_usage("-v goes with the checks, not with -%c", v[O_CONNECT].count ? 'c' : 'l');
	if (v[O_CONNECT].count) {
		long long port;

		if (nops != 2)
			die_usage("-c takes HOST and PORT");
		if (opt_parse_int(argv[first + 1], 1, 65535, &port) < 0)
			die_usage("bad port '%s'", argv[first + 1]);
		return report_mode(argv[first], (unsigned)port, family, timeout_s,
				   v[O_JSON].count > 0);
	}
	if (nops)
		die_usage("operands are for -c HOST PORT only");
	if (v[O_JSON].count)
		die_usage("--json goes with -c");
	if (v[O_TCP].count && !v[O_LISTEN].count)
		die_usage("--tcp goes with -l");
	if (v[O_LISTEN].count)
		return listen_mode(family == AF_UNSPEC ? AF_INET : family,
				   v[O_PORT].count ? (unsigned)v[O_PORT].num : 0,
				   v[O_TCP].count > 0, timeout_s);
	return test_mode(v);
}
