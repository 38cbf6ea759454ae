/* The run directory: where the sockets, info files and locks live.
 *
 * The first usable of
 *   $XDG_RUNTIME_DIR/sockkit-prefork   XDG_RUNTIME_DIR trusted as /run/user/UID is:
 *   /run/user/UID/sockkit-prefork      ours, mode 0700, not a symbolic link
 *   HOME/.sockkit-prefork/HOST         HOME from the password database (root
 *                                      after su keeps another user's $HOME and
 *                                      $XDG_RUNTIME_DIR); a home may be shared
 *                                      between hosts
 *   /tmp/sockkit-prefork-UID           /tmp sticky or not writable by others
 * where the last directory is ours, mode 0700 and not a symbolic link (made
 * so if missing).  Someone else's directory at one of these (a squatter) is
 * passed over; when every one is, the client fails naming each.
 *
 * The chosen directory is opened once and becomes our working directory:
 * every later step goes through that descriptor or by a relative name, so
 * a directory renamed or replaced on its path meanwhile changes nothing. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "err.h"
#include "pfi.h"

#define RUN_DIR_NAME "sockkit-prefork"

/* Why a directory is not ours alone, or NULL when it is. */
static char *why_not_private(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return xstrdup(strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return xstrdup("not a directory");
	if (st.st_uid != geteuid())
		return xasprintf("owned by uid %u, not by us (uid %u)",
				 (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return xasprintf("mode %04o is open to group or others",
				 (unsigned)(st.st_mode & 07777));
	return NULL;
}

/* A parent nobody else can rearrange: ours or root's, and writable by
 * nobody else unless sticky (like /tmp). */
static char *why_not_safe_parent(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return xstrdup(strerror(errno));
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return xasprintf("owned by uid %u, neither us (uid %u) nor root",
				 (unsigned)st.st_uid, (unsigned)geteuid());
	if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		return xasprintf("mode %04o lets others rename what is in it",
				 (unsigned)(st.st_mode & 07777));
	return NULL;
}

/* Our own shortage is not the directory's fault: no falling back then
 * (to another directory, where other servers live). */
static void die_if_ours(const char *path)
{
	if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
		die_errno("run directory %s", path);
}

/* Why opening PARENT/NAME failed: in its owner's or its type's words when
 * those explain it (another user's 0700 directory: EACCES). */
static char *why_open_failed(int parent, const char *name)
{
	int e = errno;
	struct stat st;

	die_if_ours(name);
	if ((e == EACCES || e == ELOOP || e == ENOTDIR) &&
	    fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return xstrdup("a symbolic link");
		if (!S_ISDIR(st.st_mode))
			return xstrdup("not a directory");
		if (st.st_uid != geteuid())
			return xasprintf("owned by uid %u, not by us (uid %u)",
					 (unsigned)st.st_uid, (unsigned)geteuid());
	}
	return xstrdup(strerror(e));
}

/* PARENT/NAME, made 0700 when missing, opened without following a link,
 * and ours alone: its descriptor, or -1 with *why.  Opened first: on every
 * warm call it is there, and a mkdirat that fails with EEXIST is one more
 * path lookup on the call's path. */
static int private_subdir(int parent, const char *name, char **why)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(parent, name, flags);

	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST) {
			die_if_ours(name);
			*why = xasprintf("cannot create it: %s", strerror(errno));
			return -1;
		}
		fd = openat(parent, name, flags);
	}
	if (fd < 0) {
		*why = why_open_failed(parent, name);
		return -1;
	}
	if ((*why = why_not_private(fd))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A base directory PATH (NULL: passed over) opened by the rule CHECK,
 * then each of SUBDIRS (NULL-terminated) in it as private_subdir: the last
 * one's descriptor, or -1 with what went wrong added to *why. */
static int candidate(const char *path, int follow, char *(*check)(int),
		     const char *const *subdirs, char **full, char **why)
{
	char *reason = NULL;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));

	*full = xstrdup(path);
	if (fd < 0)
		reason = why_open_failed(AT_FDCWD, path);
	else if ((reason = check(fd))) {
		close(fd);
		fd = -1;
	}
	for (const char *const *s = subdirs; fd >= 0 && *s; s++) {
		int next = private_subdir(fd, *s, &reason);
		char *longer = xasprintf("%s/%s", *full, *s);

		close(fd);
		fd = next;
		free(*full);
		*full = longer;
	}
	if (fd < 0) {
		char *more = xasprintf("%s%s%s: %s", *why ? *why : "", *why ? "; " : "",
				       *full, reason);

		free(*why);
		*why = more;
		free(reason);
	}
	return fd;
}

/* The host's name as one path component. */
static char *host_component(void)
{
	struct utsname u;

	if (uname(&u) < 0 || !u.nodename[0] || !strcmp(u.nodename, ".") ||
	    !strcmp(u.nodename, "..") || strchr(u.nodename, '/'))
		return xstrdup("localhost");
	return xstrdup(u.nodename);
}

static int choose(struct pfi_rundir *d, char **why)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *const run_sub[] = { RUN_DIR_NAME, NULL };
	unsigned uid = (unsigned)geteuid();
	struct passwd *pw;
	int fd = -1;

	if (xdg && xdg[0] == '/') {
		/* "DIR/" would follow a link DIR in spite of O_NOFOLLOW. */
		char *bare = xstrdup(xdg);
		size_t n = strlen(bare);

		while (n > 1 && bare[n - 1] == '/')
			bare[--n] = '\0';
		fd = candidate(bare, 0, why_not_private, run_sub, &d->path, why);
		free(bare);
	}
	if (fd < 0) {
		char *run_user = xasprintf("/run/user/%u", uid);

		free(d->path);
		fd = candidate(run_user, 0, why_not_private, run_sub, &d->path, why);
		free(run_user);
	}
	/* Only now: the password database may be slow to read (NSS). */
	if (fd < 0 && (pw = getpwuid(geteuid())) && pw->pw_dir && pw->pw_dir[0] == '/') {
		char *host = host_component();
		const char *const home_sub[] = { "." RUN_DIR_NAME, host, NULL };

		free(d->path);
		fd = candidate(pw->pw_dir, 1, why_not_safe_parent, home_sub, &d->path, why);
		free(host);
	}
	if (fd < 0) {
		char *tmp_name = xasprintf(RUN_DIR_NAME "-%u", uid);
		const char *const tmp_sub[] = { tmp_name, NULL };

		free(d->path);
		fd = candidate("/tmp", 0, why_not_safe_parent, tmp_sub, &d->path, why);
		free(tmp_name);
	}
	return fd;
}

void pfi_rundir_open(struct pfi_rundir *d)
{
	char *why = NULL;
	int fd = choose(d, &why);

	if (fd < 0)
		die("no run directory that is ours alone: %s", why);
	free(why);
	/* Our working directory from now on: relative names in bind and
	 * connect, and AT_FDCWD in the *at calls, mean this directory, found
	 * once; the descriptor itself is no longer needed (one fd fewer for a
	 * caller short of them). */
	if (fchdir(fd) < 0)
		die_errno("enter the run directory %s", d->path);
	close(fd);
	d->fd = AT_FDCWD;
}

int pfi_is_ours(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & 077);
}

int pfi_socket_present(const struct pfi_rundir *d, const char *name, struct stat *st)
{
	char *file = xasprintf("s%s", name);

	if (fstatat(d->fd, file, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			die_errno("%s/%s", d->path, file);
		free(file);
		return 0;
	}
	if (!S_ISSOCK(st->st_mode))
		die("refusing %s/%s: not a socket", d->path, file);
	if (st->st_uid != geteuid())
		die("refusing socket %s/%s: owned by uid %u, not by us (uid %u)",
		    d->path, file, (unsigned)st->st_uid, (unsigned)geteuid());
	if (st->st_mode & 077)
		die("refusing socket %s/%s: mode %04o is open to group or others",
		    d->path, file, (unsigned)(st->st_mode & 07777));
	free(file);
	return 1;
}
