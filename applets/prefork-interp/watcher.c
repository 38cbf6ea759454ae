/* The watcher: lives as long as the server's socket has a name in the run
 * directory.  When the socket is deleted or replaced (--kill, -f, cleaning,
 * a user's rm) it exits; its stdout is a pipe to the server, whose EOF
 * tells the server to quit.  When the server exits first, the watcher's
 * stdin (the other pipe) reaches EOF and the watcher goes too.
 *
 * Its working directory is the run directory itself, so a directory moved
 * or replaced on its path changes nothing.  inotify says when to look; the
 * look is a stat of the name compared with the bound socket's device and
 * inode.  When the name no longer leads there, the socket may have been
 * renamed (a new sockkit-x1 server moves to its script's shared name): the
 * watcher looks for it under another name and follows it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "num.h"
#include "pfi.h"

#define WATCH_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
		      IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)
/* A look now and then even without an event: a bound on a missed one. */
#define RECHECK_MS 60000
#define WATCHER_TITLE "sockkit prefork-interp [watcher]"

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int is_bound(const char *name, const struct stat *bound)
{
	struct stat now;

	if (fstatat(AT_FDCWD, name, &now, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		warn_errno("watcher: stat %s", name);
		_exit(EXIT_FAIL);
	}
	return same_file(&now, bound);
}

/* The socket's name now, in name (NAME_MAX + 1 bytes): 1, or 0 when it
 * has none left. */
static int find_name(char *name, const struct stat *bound)
{
	DIR *d;
	struct dirent *e;
	int found = 0;

	if (is_bound(name, bound))
		return 1;
	d = opendir(".");
	if (!d)
		return 0;       /* the directory itself is gone */
	while (!found && (e = readdir(d)))
		if (e->d_name[0] == 's' && is_bound(e->d_name, bound)) {
			snprintf(name, NAME_MAX + 1, "%s", e->d_name);
			found = 1;
		}
	closedir(d);
	return found;
}

static int watch_directory(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0 || inotify_add_watch(fd, ".", WATCH_EVENTS) < 0) {
		warn_errno("watcher: inotify on the run directory");
		_exit(EXIT_FAIL);
	}
	return fd;
}

static void drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

_Noreturn void pfi_become_watcher(const char *file, const struct stat *bound,
				  const char *an_arg)
{
	char name[NAME_MAX + 1];
	struct pollfd pfd[2];

	snprintf(name, sizeof name, "%s", file);
	pfi_set_proc_title(WATCHER_TITLE, an_arg);
	pfd[0] = (struct pollfd){ .fd = 0, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = watch_directory(), .events = POLLIN };
	for (;;) {
		if (!find_name(name, bound))
			_exit(EXIT_OK);
		int r = poll(pfd, 2, RECHECK_MS);

		if (r < 0 && errno != EINTR) {
			warn_errno("watcher: poll");
			_exit(EXIT_FAIL);
		}
		/* Anything on stdin, or its EOF: the server is gone. */
		if (r > 0 && pfd[0].revents)
			_exit(EXIT_OK);
		if (r > 0 && pfd[1].revents)
			drain(pfd[1].fd);
	}
}

/* Overwrite our command line in place (it is what ps shows), so that the
 * first caller's arguments do not stay on show for the server's lifetime.
 * /proc/self/stat fields 48 and 49 give where the kernel reads it from. */
static int arg_area(unsigned long *start, unsigned long *end)
{
	char buf[2048];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	char *p;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');  /* the name (field 2) may hold anything */
	if (!p)
		return -1;
	p++;
	for (int field = 3; field < 48; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	/* Not sscanf: scanf's float scanning weighs ~10 KB static. */
	unsigned long long a, b;
	const char *after_start = num_scan(p, 10, ULONG_MAX, &a);
	const char *after_end = num_scan(after_start, 10, ULONG_MAX, &b);

	*start = (unsigned long)a;
	*end = (unsigned long)b;
	return after_start != p && after_end != after_start && *end > *start ? 0 : -1;
}

void pfi_set_proc_title(const char *title, const char *an_arg)
{
	unsigned long start, end;

	prctl(PR_SET_NAME, "pfi-watcher", 0, 0, 0);
	/* Only where our argv really is the kernel's (not under valgrind,
	 * which builds its own copy elsewhere). */
	if (arg_area(&start, &end) < 0 || (uintptr_t)an_arg < start ||
	    (uintptr_t)an_arg >= end)
		return;
	char *area = (char *)(uintptr_t)start;
	size_t size = end - start;
	size_t len = strlen(title) < size - 1 ? strlen(title) : size - 1;

	memset(area, 0, size);
	memcpy(area, title, len);
}
