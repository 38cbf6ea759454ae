/* The run directory: where the sockets and lock files live, who may use
 * it, and the cleaning of sockets nobody uses any more.
 *
 * $XDG_RUNTIME_DIR/sockkit-prefork, else /run/user/UID/sockkit-prefork,
 * else ~/.sockkit-prefork/HOST (a home may be shared between hosts).  It is
 * made 0700, and refused, before anything is sent, when it is not ours or
 * is open to group or others: whoever can write there can pose as the
 * server and receive the caller's environment and fds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "pfi.h"

#define RUN_DIR_NAME "sockkit-prefork"
/* Shorter than this many hex digits the ident would be too easy to collide. */
#define MIN_IDENT_HEX 16
/* At most this many sockets stay in the run directory. */
#define MAX_SOCKETS 100

int pfi_max_sockets(void)
{
	return MAX_SOCKETS;
}

static _Noreturn void refuse_unsafe(const char *what, const char *path,
				    const struct stat *st)
{
	if (st->st_uid != geteuid())
		die_code(PFI_EXIT_INTERNAL,
			 "refusing %s %s: owned by uid %u, not by us (uid %u)",
			 what, path, (unsigned)st->st_uid, (unsigned)geteuid());
	die_code(PFI_EXIT_INTERNAL,
		 "refusing %s %s: mode %04o is open to group or others",
		 what, path, (unsigned)(st->st_mode & 07777));
}

static int owned_and_private(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 077);
}

/* Make (or find) a directory that only we can use. */
static void make_private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		die_code(PFI_EXIT_INTERNAL, "create run directory %s: %s",
			 path, strerror(errno));
	if (lstat(path, &st) < 0)
		die_code(PFI_EXIT_INTERNAL, "run directory %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die_code(PFI_EXIT_INTERNAL, "refusing run directory %s: not a directory", path);
	if (!owned_and_private(&st))
		refuse_unsafe("run directory", path, &st);
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && home[0] == '/')
		return home;
	pw = getpwuid(geteuid());
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	die_code(PFI_EXIT_INTERNAL, "no run directory: XDG_RUNTIME_DIR and HOME unset, "
		 "/run/user/%u missing", (unsigned)geteuid());
}

static char *choose_run_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *user_run;
	struct stat st;
	struct utsname u;

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/" RUN_DIR_NAME, xdg);
	user_run = xasprintf("/run/user/%u", (unsigned)geteuid());
	if (stat(user_run, &st) == 0 && S_ISDIR(st.st_mode) && owned_and_private(&st)) {
		char *dir = xasprintf("%s/" RUN_DIR_NAME, user_run);

		free(user_run);
		return dir;
	}
	free(user_run);
	char *base = xasprintf("%s/." RUN_DIR_NAME, home_dir());

	make_private_dir(base);
	if (uname(&u) < 0)
		die_code(PFI_EXIT_INTERNAL, "uname: %s", strerror(errno));
	char *dir = xasprintf("%s/%s", base, u.nodename);

	free(base);
	return dir;
}

/* The ident, cut to fit sun_path next to the directory and the "s". */
static char *fit_ident(const char *dir, const struct pfi_config *cfg)
{
	size_t room = sizeof ((struct sockaddr_un *)0)->sun_path - 1 - strlen(dir) - 2;

	if (cfg->ident_override) {
		const char *g = cfg->ident_override;

		if (!*g || strchr(g, '/'))
			die_usage("-g %s: an ident must be non-empty, without '/'", g);
		if (strlen(g) > room)
			die_code(PFI_EXIT_INTERNAL, "-g %s: too long for a socket in %s "
				 "(at most %zu characters)", g, dir, room);
		return xstrdup(g);
	}
	if (strlen(dir) + 2 + MIN_IDENT_HEX >= sizeof ((struct sockaddr_un *)0)->sun_path)
		die_code(PFI_EXIT_INTERNAL, "run directory %s: path too long for a socket", dir);
	char *hex = pfi_ident_hash(cfg);

	if (strlen(hex) > room)
		hex[room] = '\0';
	return hex;
}

void pfi_paths_init(struct pfi_paths *p, const struct pfi_config *cfg)
{
	p->dir = choose_run_dir();
	make_private_dir(p->dir);
	p->ident = fit_ident(p->dir, cfg);
	p->socket = xasprintf("%s/s%s", p->dir, p->ident);
	p->lock = xasprintf("%s/l%s", p->dir, p->ident);
	memset(&p->addr, 0, sizeof p->addr);
	p->addr.sun_family = AF_UNIX;
	memcpy(p->addr.sun_path, p->socket, strlen(p->socket) + 1);
}

/* Before connecting: the socket, if there is one, is ours and private. */
void pfi_check_socket_safe(const struct pfi_paths *p)
{
	struct stat st;

	if (lstat(p->socket, &st) < 0) {
		if (errno == ENOENT)
			return;
		die_code(PFI_EXIT_INTERNAL, "%s: %s", p->socket, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		die_code(PFI_EXIT_INTERNAL, "refusing %s: not a socket", p->socket);
	if (!owned_and_private(&st))
		refuse_unsafe("socket", p->socket, &st);
}

static int open_lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		die_code(PFI_EXIT_INTERNAL, "lock file %s: %s", path, strerror(errno));
	return fd;
}

static void on_lock_timer(int sig)
{
	(void)sig;      /* only here to make the blocking flock return EINTR */
}

/* Arm (ms > 0) or disarm (ms == 0) the one-shot ITIMER_REAL. */
static void set_lock_timer(int ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* flock cannot take a timeout: a one-shot timer interrupts the blocking
 * flock (SIGALRM without SA_RESTART) when the bound passes, so the wait
 * needs no polling.  The holder is a client starting the server, itself
 * bounded by timeout_ms. */
int pfi_lock(const struct pfi_paths *p, int timeout_ms)
{
	int fd = open_lock_file(p->lock);
	int64_t deadline = now_ms() + timeout_ms;
	struct sigaction on_timer = { .sa_handler = on_lock_timer }, saved;
	int r, err;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno != EWOULDBLOCK)
		die_code(PFI_EXIT_INTERNAL, "lock %s: %s", p->lock, strerror(errno));
	sigemptyset(&on_timer.sa_mask);
	sigaction(SIGALRM, &on_timer, &saved);
	set_lock_timer(timeout_ms > 0 ? timeout_ms : 1);
	/* Another signal may interrupt too: go on while time is left. */
	while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR && ms_left(deadline) > 0)
		continue;
	err = errno;
	set_lock_timer(0);
	sigaction(SIGALRM, &saved, NULL);
	if (r == 0)
		return fd;
	if (err == EINTR)
		die_code(PFI_EXIT_INTERNAL, "timed out after %d ms waiting for "
			 "the lock %s (another client starting the server)",
			 timeout_ms, p->lock);
	die_code(PFI_EXIT_INTERNAL, "lock %s: %s", p->lock, strerror(err));
}

/* ---- cleaning: at most MAX_SOCKETS sockets stay, the least used go ---- */

struct stale {
	char *ident;
	struct timespec atime;
};

static int cmp_atime(const void *a, const void *b)
{
	const struct timespec *x = &((const struct stale *)a)->atime;
	const struct timespec *y = &((const struct stale *)b)->atime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	if (x->tv_nsec != y->tv_nsec)
		return x->tv_nsec < y->tv_nsec ? -1 : 1;
	return 0;
}

/* Every socket in the directory but our own ident's. */
static struct stale *list_sockets(const struct pfi_paths *p, size_t *count)
{
	DIR *d = opendir(p->dir);
	struct stale *v = NULL;
	size_t n = 0;
	struct dirent *e;

	if (!d)
		die_code(PFI_EXIT_INTERNAL, "read %s: %s", p->dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] != 's' || !e->d_name[1] || !strcmp(e->d_name + 1, p->ident))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISSOCK(st.st_mode))
			continue;
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].ident = xstrdup(e->d_name + 1);
		v[n].atime = st.st_atim;
		n++;
	}
	closedir(d);
	*count = n;
	return v;
}

/* Remove one ident's socket and lock, unless a client is busy with it or
 * it was used since we looked. */
static void remove_stale(const struct pfi_paths *p, const struct stale *s)
{
	char *sock = xasprintf("%s/s%s", p->dir, s->ident);
	char *lock = xasprintf("%s/l%s", p->dir, s->ident);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct stat st;

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    lstat(sock, &st) == 0 && !cmp_atime(&(struct stale){ .atime = st.st_atim }, s)) {
		if (unlink(sock) < 0 && errno != ENOENT)
			warn_errno("clean stale %s", sock);
		if (unlink(lock) < 0 && errno != ENOENT)
			warn_errno("clean stale %s", lock);
	}
	if (fd >= 0)
		close(fd);
	free(sock);
	free(lock);
}

void pfi_preclean(const struct pfi_paths *p)
{
	size_t n, excess;
	struct stale *v = list_sockets(p, &n);

	/* Room for the one we may be about to make. */
	excess = n + 1 > MAX_SOCKETS ? n + 1 - MAX_SOCKETS : 0;
	if (excess) {
		qsort(v, n, sizeof *v, cmp_atime);
		for (size_t i = 0; i < excess; i++)
			remove_stale(p, &v[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].ident);
	free(v);
}
