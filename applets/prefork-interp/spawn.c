/* Starting a server (the caller holds the lock of the script's key).
 *
 * Bind the socket (0600 whatever the umask), fork the watcher, write the
 * info file, make the "fake" first call as a socketpair, and run the
 * script's setup with
 *   PREFORK_INTERP="v1,MTIME LISTEN,CALL,WATCHI,WATCHE,RUNDIR sockkit-x1"
 * (MTIME: the socket's mtime after bind, SECONDS.NANOSECONDS; LISTEN: the
 * listening socket; CALL: the server's end of the fake call; WATCHI: the
 * write end of the watcher's stdin; WATCHE: the read end of its stdout and
 * stderr; RUNDIR: the run directory, for a server's own files there
 * (Debian's module uses the first four); the third word: this client reads
 * the greeting's xdata).  The
 * setup runs in the caller's directory with stdin /dev/null and stdout on
 * our stderr, and only the interpreter, its own arguments and the script's
 * canonical name as arguments: the caller's arguments reach the script
 * through the fake call, and do not stay on show in ps for the server's
 * lifetime.  Every child gets only the fds meant for it: none of the
 * caller's fds above 2 leaks anywhere.
 *
 * The socket is bound under the per-directory name (a 7.0.0 server serves
 * only the directory it started in); when the greeting offers sockkit-x1,
 * it is renamed to the script's shared name, and the watcher follows. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "io.h"
#include "pfi.h"
#include "sort.h"

#ifndef SYS_close_range
#define SYS_close_range 436     /* Linux 5.9, the same number on every arch */
#endif

/* What a start is about: the run directory and the name bound. */
struct start {
	const struct pfi_rundir *d;
	const char *name;
	struct pfi_info info;
};

/* Until the start succeeds, a failure (die() included) removes what it
 * made: the socket and the info file (undo.c). */
static void undo_on_failure(const char *name, int on)
{
	const char kinds[] = { 's', 'i', 't' };

	for (size_t i = 0; i < sizeof kinds; i++) {
		char *file = xasprintf("%c%s", kinds[i], name);

		if (on)
			pfi_undo_push(file);
		else
			pfi_undo_drop(file);
		free(file);
	}
}

/* Before Linux 5.9: one close per possible fd (getrlimit rather than
 * sysconf, whose table weighs in a static build). */
static void close_range_fallback(unsigned lo, unsigned hi)
{
	struct rlimit rl;
	rlim_t max = 1 << 20;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < max)
		max = rl.rlim_cur;
	for (unsigned fd = lo; fd <= hi && fd < max; fd++)
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
	pfi_sort(sorted, nkeep, sizeof *sorted, cmp_int);
	for (size_t i = 0; i < nkeep; i++) {
		if (sorted[i] < (int)next)
			continue;
		close_between(next, (unsigned)sorted[i] - 1);
		next = (unsigned)sorted[i] + 1;
	}
	close_between(next, UINT_MAX);
}

/* The environment for the exec: ours, with entry ("NAME=VALUE") in place
 * of NAME's first entry or after the last, as setenv would leave it.
 * (setenv, putenv and unsetenv weigh 1 KB in the static binary, for one
 * variable set just before an exec.) */
static void exec_env_set(char *entry)
{
	size_t n = 0, name_len = (size_t)(strchr(entry, '=') - entry) + 1;
	char **env;

	while (environ && environ[n])
		n++;
	env = xcalloc(n + 2, sizeof *env);
	for (size_t i = 0; i < n; i++) {
		env[i] = environ[i];
		if (entry && !strncmp(env[i], entry, name_len))
			env[i] = entry, entry = NULL;
	}
	env[n] = entry;
	environ = env;
}

/* A stale socket of ours at the name goes first (pfi_socket_present
 * refuses anything else there). */
static int make_listener(struct start *s, struct stat *bound)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char *file = xasprintf("s%s", s->name);
	struct stat st, sock;
	int fd = xsocket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old;
	int r;

	if (pfi_socket_present(s->d, s->name, &st) && unlinkat(s->d->fd, file, 0) < 0 &&
	    errno != ENOENT)
		die_errno("remove stale %s/%s", s->d->path, file);
	memcpy(addr.sun_path, file, strlen(file) + 1);  /* pfi_names_init checked */
	old = umask(0177);
	r = bind(fd, (const struct sockaddr *)&addr, sizeof addr);
	umask(old);
	if (r < 0)
		die_errno("bind %s/%s", s->d->path, file);
	free(file);
	undo_on_failure(s->name, 1);
	if (pfi_socket_present(s->d, s->name, bound) != 1 || fstat(fd, &sock) < 0)
		die_errno("stat of the new socket");
	s->info.listener = (unsigned long long)sock.st_ino;
	xlisten(fd, INT_MAX);
	/* The Perl server accepts after select and expects EAGAIN, not a block. */
	if (set_nonblock(fd, 1) < 0)
		die_errno("fcntl O_NONBLOCK");
	return fd;
}

static void start_watcher(struct start *s, const struct pfi_config *cfg,
			  const struct stat *bound, int watch_in, int watch_out)
{
	char *file = xasprintf("s%s", s->name);
	pid_t pid = xfork();

	if (pid > 0) {
		s->info.watcher = pid;
		free(file);
		return;
	}
	if (dup2(watch_in, 0) < 0 || dup2(watch_out, 1) < 0 || dup2(watch_out, 2) < 0)
		_exit(PFI_EXIT_INTERNAL);
	pfi_close_fds_except(NULL, 0);
	setsid();
	/* Its working directory stays the run directory, whose changes it
	 * watches, whatever happens to the directory's path. */
	pfi_become_watcher(file, bound, cfg->an_arg);
}

struct setup_fds {
	int listener, call, watch_in, watch_out;
};

static char **setup_argv(const struct pfi_config *cfg, const struct pfi_names *n)
{
	size_t nia = 0, i = 0;
	char **argv;

	while (cfg->interp_args[nia])
		nia++;
	argv = xcalloc(nia + 3, sizeof *argv);
	argv[i++] = (char *)cfg->interp;
	for (size_t k = 0; k < nia; k++)
		argv[i++] = cfg->interp_args[k];
	if (n->script)
		argv[i++] = n->script;
	return argv;
}

static _Noreturn void exec_setup(const struct pfi_config *cfg, const struct pfi_names *n,
				 const struct pfi_caller *caller, const struct stat *bound,
				 struct setup_fds *f)
{
	/* The run directory, checked once, for a server's files there
	 * (sockkit_prefork's log): opened while it is still our directory. */
	int rundir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int keep[5] = { f->listener, f->call, f->watch_in, f->watch_out, rundir };
	char **argv;
	int nul;

	if (rundir < 0) {
		warn_errno("server setup: the run directory");
		_exit(PFI_EXIT_INTERNAL);
	}
	if (pfi_caller_restore(caller) < 0) {
		warn_errno("server setup: back to the caller's directory");
		_exit(PFI_EXIT_INTERNAL);
	}
	/* fd 2 may be the close-on-exec O_PATH stand-in for a closed one:
	 * keep it across the exec all the same, so nothing else lands there. */
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nul < 0 || dup2(nul, 0) < 0 || dup2(2, 1) < 0 || set_cloexec(2, 0) < 0) {
		warn_errno("server setup: stdio");
		_exit(PFI_EXIT_INTERNAL);
	}
	for (int i = 0; i < 5; i++)
		if (set_cloexec(keep[i], 0) < 0)
			_exit(PFI_EXIT_INTERNAL);
	pfi_close_fds_except(keep, 5);
	char *env = xasprintf("PREFORK_INTERP=v1,%lld.%09ld %d,%d,%d,%d,%d " PFI_EXT_WORD,
			      (long long)bound->st_mtim.tv_sec, (long)bound->st_mtim.tv_nsec,
			      f->listener, f->call, f->watch_in, f->watch_out, rundir);
	exec_env_set(env);
	argv = setup_argv(cfg, n);
	execvp(argv[0], argv);
	warn_errno("cannot run %s", argv[0]);
	free(argv);
	_exit(PFI_EXIT_INTERNAL);
}

static void wait_setup(const struct start *s, const struct pfi_config *cfg, pid_t pid)
{
	int status;
	int r = reap_or_kill(pid, &status, cfg->timeout_ms);

	if (r < 0)
		die_errno("wait for server setup");
	if (r == 0)
		die("server setup (%s) did not finish within %d ms; killed it",
		    cfg->interp, cfg->timeout_ms);
	if (status != 0) {
		/* It may die by a signal: the files go before that is raised. */
		pfi_remove_server(s->d, s->name);
		pfi_exit_like(status, "server setup");
	}
}

/* Bind, watcher, info, setup: the client's end of the first call. */
static int start_server(struct start *s, const struct pfi_config *cfg,
			const struct pfi_names *n, const struct pfi_caller *caller)
{
	struct stat bound;
	struct setup_fds f;
	int watch_in[2], watch_out[2], pair[2];
	pid_t setup;

	f.listener = make_listener(s, &bound);
	xpipe2(watch_in, O_CLOEXEC);
	xpipe2(watch_out, O_CLOEXEC);
	start_watcher(s, cfg, &bound, watch_in[0], watch_out[1]);
	close(watch_in[0]);
	close(watch_out[1]);
	pfi_info_write(s->d, s->name, &s->info);
	if (set_nonblock(watch_out[0], 1) < 0)
		die_errno("fcntl O_NONBLOCK");
	xsocketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
	f.call = pair[1];
	f.watch_in = watch_in[1];
	f.watch_out = watch_out[0];
	setup = xfork();
	if (setup == 0)
		exec_setup(cfg, n, caller, &bound, &f);
	close(f.listener);
	close(f.call);
	close(f.watch_in);
	close(f.watch_out);
	wait_setup(s, cfg, setup);
	return pair[0];
}

/* A sockkit-x1 server serves every directory: under the shared name. */
static void promote(struct start *s, const struct pfi_names *n)
{
	char *from = xasprintf("s%s", s->name), *to = xasprintf("s%s", n->shared);

	undo_on_failure(n->shared, 1);
	pfi_info_write(s->d, n->shared, &s->info);
	if (renameat(s->d->fd, from, s->d->fd, to) < 0)
		die_errno("rename the new socket");
	pfi_remove_server(s->d, s->name);       /* its info file; the socket moved */
	undo_on_failure(s->name, 0);
	s->name = n->shared;
	free(from);
	free(to);
}

void pfi_spawn_server(const struct pfi_rundir *d, const struct pfi_names *n,
		      const struct pfi_config *cfg, const struct pfi_caller *caller,
		      struct pfi_conn *c)
{
	struct start s = { .d = d, .name = n->per_dir ? n->per_dir : n->shared };

	s.info.interp = (char *)cfg->interp;
	s.info.interp_args = cfg->interp_args;
	s.info.script = n->script;
	s.info.cwd = caller->cwd_path;
	c->fd = start_server(&s, cfg, n, caller);
	pfi_bound_sends(c->fd, cfg->timeout_ms);
	switch (pfi_read_greeting(c, cfg->timeout_ms, "new server")) {
	case PFI_GREETED:
		break;
	case PFI_GREETING_SILENT:
		die("new server (%s): no greeting within %d ms", n->shown, cfg->timeout_ms);
	case PFI_GREETING_BAD:
		die("server setup of %s ended without starting a server "
		    "(does the script hand over to prefork-interp?)", n->shown);
	}
	s.info.protocol = (char *)(pfi_ext_offered(c) ? PFI_EXT_WORD : "7.0.0");
	if (n->per_dir && pfi_ext_offered(c))
		promote(&s, n);
	else
		pfi_info_write(d, s.name, &s.info);
	undo_on_failure(s.name, 0);
}
