/* The conformance run: per address family, a server and a client process
 * over loopback (one subflow) or over a private network of their own
 * (several), their results printed as TAP. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conform.h"
#include "interrupt.h"
#include "io.h"
#include "modes.h"
#include "net.h"
#include "pm.h"
#include "tap.h"
#include "topology.h"

#define PM_TIMEOUT_MS 2000

/* How one child of a family's run ended, for checks it never reached. */
struct child {
	const char *who;
	pid_t pid;
	int reaped;
	char note[160];
};

/* One family's run, prepared, started, then finished (reaped, printed). */
struct family_run {
	struct mpt_run run;
	struct child server, client;
	int state;                      /* FAMILY_* */
	char why[240];
};

/* FAMILY_NO_NETWORK: the kernel cannot give it a private network, which
 * makes the whole run a skip. */
enum { FAMILY_READY, FAMILY_SKIP, FAMILY_BAIL, FAMILY_NO_NETWORK };

/* ---- preparing a family ---- */

/* The listener, in the current namespace.  With host NULL it takes the
 * wildcard address (joins come to each of the server's addresses). */
static int make_listener(struct family_run *f, const char *host, unsigned port)
{
	struct mpt_run *run = &f->run;
	struct sockaddr_storage ss;
	socklen_t len;
	const char *step;
	int big = 1 << 20;

	parse_numeric_addr(host ? host : run->family == AF_INET ? "0.0.0.0" : "::",
			   run->family, port, &ss, &len);
	run->listen_fd = net_listener(run->family, SOCK_STREAM, IPPROTO_MPTCP,
				      (struct sockaddr *)&ss, len, 4, &step);
	if (run->listen_fd < 0) {
		f->state = errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL ? FAMILY_SKIP
									     : FAMILY_BAIL;
		/* A bail out names the side the step was for, as
		 * mptcp-sockopt(1) documents: "server: bind on ...". */
		snprintf(f->why, sizeof f->why, "%s%s on %s: %s",
			 f->state == FAMILY_BAIL ? "server: " : "",
			 errno == EADDRNOTAVAIL ? "no loopback address" : step,
			 host ? host : "the wildcard address", strerror(errno));
		return -1;
	}
	/* Room for the whole message while the server lets it queue. */
	setsockopt(run->listen_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	run->addrlen = sizeof run->addr;
	getsockname(run->listen_fd, (struct sockaddr *)&run->addr, &run->addrlen);
	return 0;
}

/* The client's socket, in the current namespace. */
static int make_client_socket(struct family_run *f)
{
	struct mpt_run *run = &f->run;

	run->client_fd = socket(run->family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (run->client_fd < 0) {
		f->state = FAMILY_BAIL;
		snprintf(f->why, sizeof f->why, "client: socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int prepare_loopback(struct family_run *f, unsigned port)
{
	if (make_listener(f, f->run.family == AF_INET ? "127.0.0.1" : "::1", port) < 0)
		return -1;
	return make_client_socket(f);
}

/* A private network failed to build: the kernel lacks something (the
 * run is a skip) or something else went wrong (a bail out). */
static int network_failed(struct family_run *f, int lacks)
{
	f->state = lacks ? FAMILY_NO_NETWORK : FAMILY_BAIL;
	return -1;
}

static int lacks_feature(int err)
{
	return err == EPERM || err == EOPNOTSUPP || err == ENOENT || err == EINVAL ||
	       err == ENOSYS || err == EACCES;
}

static int client_events(struct family_run *f, int timeout_ms)
{
	f->run.client_events = mpt_pm_events(timeout_ms);
	if (f->run.client_events >= 0)
		return 0;
	snprintf(f->why, sizeof f->why, "client: the path manager's events: %s", strerror(errno));
	return -1;
}

/* The links: a failure is the network's, not a side's. */
static int wire(struct family_run *f, struct mpt_topology *t, int timeout_ms)
{
	static const char who[] = "network: ";

	memcpy(f->why, who, sizeof who - 1);
	return mpt_topology_wire(t, timeout_ms, f->why + sizeof who - 1,
				 sizeof f->why - (sizeof who - 1));
}

static int prepare_private(struct family_run *f, unsigned port, int timeout_ms)
{
	struct mpt_run *run = &f->run;
	struct mpt_topology t;
	int err;

	mpt_topology_plan(&t, run->family, run->subflows);
	if (mpt_netns_enter(&t.server, timeout_ms, f->why, sizeof f->why) < 0)
		return network_failed(f, 1);
	/* MPTCP as the run's own namespaces have it, whatever the caller's
	 * net.mptcp.enabled says. */
	if ((err = mpt_mptcp_missing(run->family)) != 0)
		mpt_skip_unavailable(err);      /* a new namespace has it on: the kernel lacks it */
	run->server_events = mpt_pm_events(timeout_ms);
	if (run->server_events < 0) {
		snprintf(f->why, sizeof f->why, "server: the path manager's events: %s",
			 strerror(errno));
		mpt_netns_close(&t.server);
		return network_failed(f, lacks_feature(errno));
	}
	if (make_listener(f, NULL, port) < 0) {
		mpt_netns_close(&t.server);
		return -1;              /* make_listener said skip or bail */
	}
	if (mpt_netns_enter(&t.client, timeout_ms, f->why, sizeof f->why) < 0 ||
	    client_events(f, timeout_ms) < 0 || wire(f, &t, timeout_ms) < 0 ||
	    make_client_socket(f) < 0) {
		int lacks = f->state != FAMILY_BAIL && lacks_feature(errno);

		mpt_netns_close(&t.server);
		mpt_netns_close(&t.client);
		return network_failed(f, lacks);
	}
	/* The namespaces live on in the sockets made in them. */
	mpt_netns_close(&t.server);
	mpt_netns_close(&t.client);
	memcpy(run->server_addr, t.server_addr, sizeof run->server_addr);
	memcpy(run->client_addr, t.client_addr, sizeof run->client_addr);
	/* The client connects to the server's first link. */
	port = sockaddr_port((struct sockaddr *)&run->addr);
	run->addr = t.server_addr[0];
	run->addrlen = t.addrlen;
	if (run->family == AF_INET)
		((struct sockaddr_in *)(void *)&run->addr)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)(void *)&run->addr)->sin6_port = htons((uint16_t)port);
	return 0;
}

/* ---- the children ---- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Fork one side; the child runs body and exits with its status. */
static void spawn(struct child *c, const char *who, int (*body)(const struct mpt_run *, int),
		  struct mpt_run *run, int ctl, int other_ctl)
{
	pid_t parent = getpid();
	pid_t pid;

	c->who = who;
	c->reaped = 0;
	c->note[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	pid = xfork();
	if (pid == 0) {
		/* Never outlive the parent, even if it is killed (and close the
		 * race of a parent killed before prctl). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		/* The parent answers SIGINT and SIGTERM; a child just ends. */
		mpt_interrupt_disarm();
		/* A peer that died is an EPIPE to report, not a death here. */
		signal(SIGPIPE, SIG_IGN);
		close(other_ctl);
		/* Each side keeps its own sockets only. */
		if (body == mpt_client) {
			close_fd(&run->listen_fd);
			close_fd(&run->server_events);
		} else {
			close_fd(&run->client_fd);
			close_fd(&run->client_events);
		}
		mpt_results = run->shared->results;
		int status = body(run, ctl);
		fflush(stdout);
		_exit(status);
	}
	c->pid = pid;
}

/* Reap a child by the deadline (a second more lets it report), killing
 * it past that; notes how it ended when that was not a clean exit.
 * 0, or -1 when a signal came first (the child still runs). */
static int reap(struct child *c, enum mpt_role side, const struct mpt_run *run,
		int timeout_s)
{
	int status = 0;
	int r = mpt_wait_child(c->pid, &status, run->deadline_ms + 1000);

	if (r == -1)
		return -1;
	if (r == 0)
		r = reap_or_kill(c->pid, &status, 0) == 0 ? 0 : -2;
	c->reaped = 1;
	if (r == 0)
		snprintf(c->note, sizeof c->note,
			 "the %s process did not finish within %d s and was killed",
			 c->who, timeout_s);
	else if (r < 0)
		snprintf(c->note, sizeof c->note, "waiting for the %s process: %s", c->who,
			 strerror(errno));
	else if (WIFSIGNALED(status))
		snprintf(c->note, sizeof c->note, "the %s process was killed by signal %d",
			 c->who, WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		snprintf(c->note, sizeof c->note, "the %s process stopped early (exit status %d)",
			 c->who, WEXITSTATUS(status));
	/* A side that stopped at a setup step says so in the bail out. */
	if (c->note[0] && !run->shared->setup_error[side][0] && !mpt_interrupted())
		warnx_("%s: %s", run->tag, c->note);
	return 0;
}

/* The family's -v lines, before its results. */
static void print_vlog(struct mpt_run *run)
{
	char buf[4096];
	ssize_t got;

	if (run->vlog < 0)
		return;
	/* read and fwrite, not sendfile: that refuses an O_APPEND stdout
	 * (-v >> FILE), and the lines would be lost. */
	if (lseek(run->vlog, 0, SEEK_SET) == 0)
		while ((got = read(run->vlog, buf, sizeof buf)) > 0)
			fwrite(buf, 1, (size_t)got, stdout);
	close(run->vlog);
	run->vlog = -1;
}

static void start_family(struct family_run *f)
{
	struct mpt_run *run = &f->run;
	int ctl[2];

	xsocketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl);
	spawn(&f->server, "server", mpt_server, run, ctl[0], ctl[1]);
	spawn(&f->client, "client", mpt_client, run, ctl[1], ctl[0]);
	close(ctl[0]);
	close(ctl[1]);
	close_fd(&run->listen_fd);
	close_fd(&run->client_fd);
	close_fd(&run->server_events);
	close_fd(&run->client_events);
}

#define FINISH_INTERRUPTED (-2)

/* Returns how many checks failed, -1 after a bail out, or
 * FINISH_INTERRUPTED when a signal came first. */
static int finish_family(struct family_run *f, int timeout_s, int *n)
{
	struct mpt_run *run = &f->run;
	const char *setup, *notes[2];

	if (f->state == FAMILY_SKIP) {
		mpt_tap_skip_family(run->tag, run->subflows, f->why, n);
		return 0;
	}
	if (f->state == FAMILY_BAIL) {
		mpt_tap_bail_out(run->tag, f->why);
		return -1;
	}
	if (reap(&f->client, MPT_CLIENT, run, timeout_s) < 0 ||
	    reap(&f->server, MPT_SERVER, run, timeout_s) < 0 || mpt_interrupted())
		return FINISH_INTERRUPTED;
	print_vlog(run);
	setup = mpt_first_setup_error(run->shared);
	if (*setup) {
		mpt_tap_bail_out(run->tag, setup);
		return -1;
	}
	notes[MPT_CLIENT] = f->client.note;
	notes[MPT_SERVER] = f->server.note;
	return mpt_tap_results(run->tag, run->shared, run->subflows, notes, 0, n);
}

/* A signal came: every child still running is killed and reaped, what
 * had finished is printed, family by family, then the bail out. */
static _Noreturn void interrupted(struct family_run *runs, int from, int nfamilies, int *n)
{
	const char *why = mpt_interrupted() == SIGINT ? "interrupted by SIGINT"
						      : "interrupted by SIGTERM";

	for (int i = from; i < nfamilies; i++) {
		struct family_run *f = &runs[i];
		struct child *c[2] = { &f->client, &f->server };
		const char *notes[2] = { "", "" };
		int status;

		if (f->state != FAMILY_READY)
			continue;
		for (int k = 0; k < 2; k++)
			if (!c[k]->reaped)
				reap_or_kill(c[k]->pid, &status, 0);
		print_vlog(&f->run);
		if (!*mpt_first_setup_error(f->run.shared))
			mpt_tap_results(f->run.tag, f->run.shared, f->run.subflows, notes, 1, n);
	}
	printf("Bail out! %s\n", why);
	fflush(stdout);
	warnx_("%s", why);
	mpt_interrupt_end();
}

/* ---- the run ---- */

static unsigned random_seed(void)
{
	return (unsigned)now_ns() ^ (unsigned)getpid() * 2654435761u;
}

static void init_family(struct family_run *f, int family, const struct mpt_test_opts *o,
			int64_t deadline, unsigned seed)
{
	struct mpt_run *run = &f->run;

	memset(f, 0, sizeof *f);
	run->family = family;
	run->tag = family == AF_INET ? "v4" : "v6";
	run->verbose = o->verbose;
	run->subflows = o->subflows;
	run->seed = seed;
	run->deadline_ms = deadline;
	run->listen_fd = run->client_fd = run->server_events = run->client_events = -1;
	run->shared = mmap(NULL, sizeof *run->shared, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (run->shared == MAP_FAILED)
		die_errno("mmap");
	memset(run->shared, 0, sizeof *run->shared);
	mpt_results_init(run->shared->results);
	run->vlog = -1;
	if (o->verbose) {
		run->vlog = memfd_create("mptcp-sockopt -v", MFD_CLOEXEC);
		if (run->vlog < 0 || fcntl(run->vlog, F_SETFL, O_APPEND) < 0)
			die_errno("memfd_create");
	}
}

/* A private network that cannot be made: the whole run is a skip. */
static _Noreturn void skip_run(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	die_code(EXIT_SKIP, "--subflows: %s", why);
}

int mpt_test_mode(const struct mpt_test_opts *o)
{
	struct family_run runs[2];
	int64_t deadline = now_ms() + (int64_t)o->timeout_s * 1000;
	int n = 0, failed = 0, bailed = 0;
	int timeout_ms = PM_TIMEOUT_MS;

	mpt_interrupt_arm();
	for (int i = 0; i < o->nfamilies; i++) {
		struct family_run *f = &runs[i];

		init_family(f, o->families[i], o, deadline, random_seed() + (unsigned)i);
		if (o->subflows > 1)
			prepare_private(f, o->port, timeout_ms);
		else
			prepare_loopback(f, o->port);
		if (f->state == FAMILY_NO_NETWORK)
			skip_run(f->why);
	}
	printf("TAP version 13\n1..%d\n", mpt_checks_in_run(o->subflows) * o->nfamilies);
	/* The families run at the same time; the results are printed in
	 * order once each is done. */
	for (int i = 0; i < o->nfamilies; i++)
		if (runs[i].state == FAMILY_READY)
			start_family(&runs[i]);
	for (int i = 0; i < o->nfamilies && !bailed; i++) {
		int r = finish_family(&runs[i], o->timeout_s, &n);

		if (r == FINISH_INTERRUPTED)
			interrupted(runs, i, o->nfamilies, &n);
		if (r < 0)
			bailed = 1;
		else
			failed += r;
	}
	fflush(stdout);
	return failed || bailed ? EXIT_FAIL : EXIT_OK;
}

int mpt_list_checks(unsigned subflows)
{
	for (int id = 0; id < MPT_CHECK_COUNT; id++)
		if (mpt_check_in_run(id, subflows))
			printf("%s %s\n", mpt_check_side_word(id), mpt_check_name(id));
	return EXIT_OK;
}

int mpt_mptcp_missing(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ENOPROTOOPT || errno == EPROTONOSUPPORT ? errno : 0;
}
