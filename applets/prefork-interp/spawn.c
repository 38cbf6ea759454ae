/* Starting a server (the caller holds the ident's lock).
 *
 * Bind the socket (0600 whatever the umask), fork the watcher, make the
 * "fake" first call as a socketpair, and run the script's setup with
 *   PREFORK_INTERP="v1,MTIME LISTEN,CALL,WATCHI,WATCHE"
 * (MTIME: the socket's mtime after bind, SECONDS.NANOSECONDS; LISTEN: the
 * listening socket; CALL: the server's end of the fake call; WATCHI: the
 * write end of the watcher's stdin; WATCHE: the read end of its stdout and
 * stderr).  The setup runs with stdin /dev/null and stdout on our stderr,
 * and only the interpreter, its own arguments and the script as arguments:
 * the caller's arguments reach the script through the fake call, and do not
 * stay on show in ps for the server's lifetime.  Every child gets only the
 * fds meant for it: none of the caller's fds above 2 leaks anywhere. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "io.h"
#include "pfi.h"

#ifndef SYS_close_range
#define SYS_close_range 436     /* Linux 5.9, the same number on every arch */
#endif

static _Noreturn void fail_errno(const char *what)
{
	die_code(PFI_EXIT_INTERNAL, "%s: %s", what, strerror(errno));
}

/* A server that failed to start must not leave its socket behind. */
static _Noreturn void abandon(const struct pfi_paths *p, const char *why)
{
	unlink(p->socket);
	die_code(PFI_EXIT_INTERNAL, "%s", why);
}

/* Once the socket is bound, a failure (e.g. out of fds) abandons it. */
static _Noreturn void abandon_errno(const struct pfi_paths *p, const char *what)
{
	abandon(p, xasprintf("%s: %s", what, strerror(errno)));
}

static void close_range_fallback(unsigned lo, unsigned hi)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 1 << 20)
		max = 1 << 20;
	for (unsigned fd = lo; fd <= hi && fd < (unsigned)max; fd++)
		close((int)fd);
}

static void close_between(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return;
	if (syscall(SYS_close_range, lo, hi, 0) < 0)
		close_range_fallback(lo, hi);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* In a child: close every fd above 2 except those in keep. */
void pfi_close_fds_except(const int *keep, size_t nkeep)
{
	int sorted[8];
	unsigned next = 3;

	if (nkeep > sizeof sorted / sizeof sorted[0])
		die("close_fds_except: too many fds to keep");
	if (nkeep)
		memcpy(sorted, keep, nkeep * sizeof *keep);
	qsort(sorted, nkeep, sizeof *sorted, cmp_int);
	for (size_t i = 0; i < nkeep; i++) {
		if (sorted[i] < (int)next)
			continue;
		close_between(next, (unsigned)sorted[i] - 1);
		next = (unsigned)sorted[i] + 1;
	}
	close_between(next, UINT_MAX);
}

/* Give back what the caller had before we exec something of theirs. */
void pfi_restore_for_exec(void)
{
	sigaction(SIGPIPE, &pfi_saved.sigpipe, NULL);
	umask(pfi_saved.umask);
}

static int make_listener(const struct pfi_paths *p, struct stat *bound)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old;
	int r;

	if (fd < 0)
		fail_errno("socket");
	if (unlink(p->socket) < 0 && errno != ENOENT)
		die_code(PFI_EXIT_INTERNAL, "remove stale %s: %s", p->socket, strerror(errno));
	old = umask(0177);
	r = bind(fd, (const struct sockaddr *)&p->addr, sizeof p->addr);
	umask(old);
	if (r < 0)
		die_code(PFI_EXIT_INTERNAL, "bind %s: %s", p->socket, strerror(errno));
	if (stat(p->socket, bound) < 0)
		abandon_errno(p, "stat of the new socket");
	if (listen(fd, INT_MAX) < 0)
		abandon_errno(p, "listen");
	/* The Perl server accepts after select and expects EAGAIN, not a block. */
	if (set_nonblock(fd, 1) < 0)
		abandon_errno(p, "fcntl O_NONBLOCK");
	return fd;
}

static void start_watcher(const struct pfi_paths *p, const struct pfi_config *cfg,
			  const struct stat *bound, int watch_in, int watch_out)
{
	pid_t pid = fork();

	if (pid < 0)
		abandon_errno(p, "fork watcher");
	if (pid > 0)
		return;
	if (dup2(watch_in, 0) < 0 || dup2(watch_out, 1) < 0 || dup2(watch_out, 2) < 0)
		_exit(PFI_EXIT_INTERNAL);
	pfi_close_fds_except(NULL, 0);
	setsid();
	if (chdir("/") < 0)
		_exit(PFI_EXIT_INTERNAL);
	pfi_become_watcher(p->socket, bound, cfg->an_arg);
}

struct setup_fds {
	int listener, call, watch_in, watch_out;
};

static _Noreturn void exec_setup(const struct pfi_config *cfg, const struct stat *bound,
				 struct setup_fds *f)
{
	int keep[4] = { f->listener, f->call, f->watch_in, f->watch_out };
	size_t n = 0, nia = 0;
	char **argv;
	int nul;

	/* fd 2 may be the close-on-exec O_PATH stand-in for a closed one:
	 * keep it across the exec all the same, so nothing else lands there. */
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(2, 1) < 0 || set_cloexec(2, 0) < 0) {
		warn_errno("server setup: stdio");
		_exit(PFI_EXIT_INTERNAL);
	}
	for (int i = 0; i < 4; i++)
		if (set_cloexec(keep[i], 0) < 0)
			_exit(PFI_EXIT_INTERNAL);
	pfi_close_fds_except(keep, 4);
	/* The third word: we read xdata, so a server may offer sockkit-x1. */
	char *env = xasprintf("v1,%lld.%09ld %d,%d,%d,%d " PFI_EXT_WORD,
			      (long long)bound->st_mtim.tv_sec, (long)bound->st_mtim.tv_nsec,
			      f->listener, f->call, f->watch_in, f->watch_out);
	if (setenv("PREFORK_INTERP", env, 1) < 0)
		_exit(PFI_EXIT_INTERNAL);
	free(env);
	while (cfg->interp_args[nia])
		nia++;
	argv = xcalloc(nia + 3, sizeof *argv);
	argv[n++] = (char *)cfg->interp;
	for (size_t i = 0; i < nia; i++)
		argv[n++] = cfg->interp_args[i];
	if (cfg->script)
		argv[n++] = (char *)cfg->script;
	pfi_restore_for_exec();
	execvp(argv[0], argv);
	warn_errno("cannot run %s", argv[0]);
	free(argv);
	_exit(PFI_EXIT_INTERNAL);
}

static pid_t start_setup(const struct pfi_paths *p, const struct pfi_config *cfg,
			 const struct stat *bound, struct setup_fds *f)
{
	pid_t pid = fork();

	if (pid < 0)
		abandon_errno(p, "fork server setup");
	if (pid == 0)
		exec_setup(cfg, bound, f);
	return pid;
}

static void wait_setup(const struct pfi_paths *p, const struct pfi_config *cfg, pid_t pid)
{
	int status;
	pid_t r = waitpid_timeout(pid, &status, cfg->timeout_ms);

	if (r < 0)
		abandon_errno(p, "wait for server setup");
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		abandon(p, xasprintf("server setup (%s) did not finish within %d ms; "
				     "killed it", cfg->interp, cfg->timeout_ms));
	}
	if (status != 0) {
		unlink(p->socket);
		pfi_exit_like(status, "server setup");
	}
}

void pfi_spawn_server(const struct pfi_paths *p, const struct pfi_config *cfg,
		      struct pfi_conn *c)
{
	struct stat bound;
	struct setup_fds f;
	int watch_in[2], watch_out[2], pair[2];
	pid_t setup;

	f.listener = make_listener(p, &bound);
	if (pipe2(watch_in, O_CLOEXEC) < 0 || pipe2(watch_out, O_CLOEXEC) < 0)
		abandon_errno(p, "pipe");
	start_watcher(p, cfg, &bound, watch_in[0], watch_out[1]);
	close(watch_in[0]);
	close(watch_out[1]);
	if (set_nonblock(watch_out[0], 1) < 0)
		abandon_errno(p, "fcntl O_NONBLOCK");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		abandon_errno(p, "socketpair");
	f.call = pair[1];
	f.watch_in = watch_in[1];
	f.watch_out = watch_out[0];
	setup = start_setup(p, cfg, &bound, &f);
	close(f.listener);
	close(f.call);
	close(f.watch_in);
	close(f.watch_out);
	wait_setup(p, cfg, setup);
	c->fd = pair[0];
	pfi_bound_sends(c->fd, cfg->timeout_ms);
	switch (pfi_read_greeting(c, cfg->timeout_ms, "new server")) {
	case PFI_GREETED:
		return;
	case PFI_GREETING_SILENT:
		abandon(p, xasprintf("new server (%s): no greeting within %d ms",
				     cfg->script ? cfg->script : cfg->interp, cfg->timeout_ms));
	case PFI_GREETING_BAD:
		abandon(p, xasprintf("server setup of %s ended without starting a "
				     "server (does the script hand over to prefork-interp?)",
				     cfg->script ? cfg->script : cfg->interp));
	}
}
