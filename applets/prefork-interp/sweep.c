/* Cleaning the run directory: stale sockets (their server died without
 * removing them, e.g. killed by SIGKILL), the files that belong to no
 * socket, and, when a client is about to start a server, the least used
 * servers beyond MAX_SOCKETS.
 *
 * Only sockets of ours are ever removed, each under its lock, and only
 * after checking that it is still the socket we looked at.  A socket is
 * stale when its listening socket (the inode in its info file) is not
 * listening any more (procscan.c) and a connection to it is refused; the
 * connection is tried only then, as it is not harmless for a live 7.0.0
 * server. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "err.h"
#include "procscan.h"
#include "sort.h"
#include "sweep.h"

/* At most this many servers stay in the run directory. */
#define MAX_SOCKETS 100

enum liveness { GONE, STALE, LIVE };

/* Every directory entry whose name starts with kind, without it. */
static char **names_of(const struct pfi_rundir *d, char kind, size_t *count)
{
	int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;

	if (!dir)
		die_errno("read the run directory %s", d->path);
	while ((e = readdir(dir)))
		if (e->d_name[0] == kind && e->d_name[1]) {
			v = xrealloc(v, (n + 1) * sizeof *v);
			v[n++] = xstrdup(e->d_name + 1);
		}
	closedir(dir);
	*count = n;
	return v;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Is anyone listening at NAME?  Only for a socket whose server we did not
 * see: a live one gets a connection it will see closed at once. */
static enum liveness probe(const char *name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, r, e;

	if (strlen(name) + 2 > sizeof addr.sun_path)
		return LIVE;    /* not a name of ours: leave it be */
	addr.sun_path[0] = 's';
	memcpy(addr.sun_path + 1, name, strlen(name) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die_errno("socket");
	r = connect(fd, (const struct sockaddr *)&addr, sizeof addr);
	e = errno;
	close(fd);
	if (r < 0 && e == ENOENT)
		return GONE;
	return r < 0 && e == ECONNREFUSED ? STALE : LIVE;
}

/* Look at the socket NAME (its lock held): fills s, says what it is.
 * Before a start only whether anyone listens matters (h: the listening
 * sockets); --list and --kill-all want the server's pid too (h: the
 * holders).  A socket without an info file (an older client's, or one
 * whose client died right after bind) is probed only for those: a cold
 * start leaves it be rather than connect to whatever listens there. */
static enum liveness examine(const struct pfi_rundir *d, const char *name,
			     const struct pfi_holders *h, enum pfi_survey_mode mode,
			     struct pfi_server *s)
{
	char *file = xasprintf("s%s", name);
	int r = fstatat(d->fd, file, &s->st, AT_SYMLINK_NOFOLLOW);
	enum liveness what = LIVE;

	/* Not a socket of ours: never touched. */
	if (r < 0 || !S_ISSOCK(s->st.st_mode) || !pfi_is_ours(&s->st)) {
		free(file);
		return GONE;
	}
	s->name = xstrdup(name);
	s->has_info = pfi_info_read(d, name, &s->info) == 0;
	if (s->has_info && mode == PFI_SURVEY_START && pfi_is_listening(h, s->info.listener))
		what = LIVE;
	else if (s->has_info && mode != PFI_SURVEY_START &&
		 (s->pid = pfi_holders_server(h, s->info.listener)))
		what = LIVE;
	else if (s->has_info || mode != PFI_SURVEY_START) {
		what = probe(name);
		/* connect(2) marks the socket used (its atime): our own look
		 * is no use, the socket is taken as it is now. */
		if (what == LIVE && fstatat(d->fd, file, &s->st, AT_SYMLINK_NOFOLLOW) < 0)
			what = GONE;
	}
	free(file);
	return what;
}

static void server_free(struct pfi_server *s)
{
	free(s->name);
	if (s->has_info)
		pfi_info_free(&s->info);
	memset(s, 0, sizeof *s);
}

static int lock_for(const struct pfi_rundir *d, const char *key,
		    enum pfi_survey_mode mode, int timeout_ms)
{
	return mode == PFI_SURVEY_STOP ? pfi_lock(d, key, timeout_ms) : pfi_trylock(d, key);
}

static void survey_one(const struct pfi_rundir *d, const char *name, enum pfi_survey_mode mode,
		       int timeout_ms, const struct pfi_holders *h, struct pfi_survey *out)
{
	char *key = pfi_key_of(name);
	int lock = lock_for(d, key, mode, timeout_ms);
	struct pfi_server s = { 0 };
	enum liveness what;

	if (lock < 0) {
		free(key);
		return;         /* a client is starting or stopping it */
	}
	what = examine(d, name, h, mode, &s);
	if (what == STALE || (what == LIVE && mode == PFI_SURVEY_STOP))
		pfi_remove_server(d, name);
	if (what == LIVE) {
		out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
		out->v[out->n++] = s;
	} else
		server_free(&s);
	pfi_unlock(d, key, lock);
	free(key);
}

/* iNAME and tNAME without sNAME: left by a client that died while starting
 * or stopping NAME's server, or by a server removed by hand. */
static void remove_orphans_of(const struct pfi_rundir *d, char kind)
{
	size_t n;
	char **names = names_of(d, kind, &n);

	for (size_t i = 0; i < n; i++) {
		char *key = pfi_key_of(names[i]), *sock = xasprintf("s%s", names[i]);
		char *file = xasprintf("%c%s", kind, names[i]);
		int lock = pfi_trylock(d, key);
		struct stat st;

		if (lock >= 0) {
			if (fstatat(d->fd, sock, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
			    fstatat(d->fd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    st.st_uid == geteuid())
				unlinkat(d->fd, file, 0);
			pfi_unlock(d, key, lock);
		}
		free(key);
		free(sock);
		free(file);
	}
	free_names(names, n);
}

/* A lock nobody holds is left by a client that died: taking and letting
 * go of it removes it. */
static void remove_unheld_locks(const struct pfi_rundir *d)
{
	size_t n;
	char **keys = names_of(d, 'l', &n);

	for (size_t i = 0; i < n; i++) {
		int lock = pfi_trylock(d, keys[i]);

		if (lock >= 0)
			pfi_unlock(d, keys[i], lock);
	}
	free_names(keys, n);
}

void pfi_survey(const struct pfi_rundir *d, enum pfi_survey_mode mode, int timeout_ms,
		struct pfi_survey *out)
{
	struct pfi_holders h;
	size_t n;
	char **names = names_of(d, 's', &n);

	out->v = NULL;
	out->n = 0;
	if (mode == PFI_SURVEY_START)
		pfi_listeners_scan(&h);
	else
		pfi_holders_scan(&h);
	for (size_t i = 0; i < n; i++)
		survey_one(d, names[i], mode, timeout_ms, &h, out);
	pfi_holders_free(&h);
	free_names(names, n);
	remove_orphans_of(d, 'i');
	remove_orphans_of(d, 't');
	remove_unheld_locks(d);
}

void pfi_survey_free(struct pfi_survey *s)
{
	for (size_t i = 0; i < s->n; i++)
		server_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int cmp_atime(const void *a, const void *b)
{
	const struct timespec *x = &((const struct pfi_server *)a)->st.st_atim;
	const struct timespec *y = &((const struct pfi_server *)b)->st.st_atim;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	if (x->tv_nsec != y->tv_nsec)
		return x->tv_nsec < y->tv_nsec ? -1 : 1;
	return 0;
}

/* Remove a live server unless a client is busy with it, or it was used
 * (or replaced) since we looked. */
static void remove_unused(const struct pfi_rundir *d, const struct pfi_server *s)
{
	char *key = pfi_key_of(s->name), *file = xasprintf("s%s", s->name);
	int lock = pfi_trylock(d, key);
	struct stat now;

	if (lock >= 0) {
		if (fstatat(d->fd, file, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now.st_ino == s->st.st_ino && now.st_dev == s->st.st_dev &&
		    !cmp_atime(&(struct pfi_server){ .st = now }, s))
			pfi_remove_server(d, s->name);
		pfi_unlock(d, key, lock);
	}
	free(key);
	free(file);
}

/* Before a start: the stale go, and of the live ones, the least used
 * beyond MAX_SOCKETS - 1, to leave room for the new one. */
void pfi_sweep(const struct pfi_rundir *d)
{
	struct pfi_survey s;

	pfi_survey(d, PFI_SURVEY_START, 0, &s);
	if (s.n + 1 > MAX_SOCKETS) {
		pfi_sort(s.v, s.n, sizeof *s.v, cmp_atime);
		for (size_t i = 0; i < s.n + 1 - MAX_SOCKETS; i++)
			remove_unused(d, &s.v[i]);
	}
	pfi_survey_free(&s);
}
