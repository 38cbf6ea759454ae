/* Locks: one file lKEY per script in the run directory, held with flock
 * while a client starts (or stops) that script's server, so that however
 * many cold calls race, one server starts.
 *
 * The holder deletes the file before it lets go, so lock files do not pile
 * up.  A client that was waiting then holds a lock on a deleted file: after
 * each flock it checks that the name still leads to the file it locked, and
 * starts again if not.  A client that dies holding the lock of a start
 * (a failed start ends in die()) removes it at exit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "pfi.h"

static int open_lock_file(const struct pfi_rundir *d, const char *file)
{
	int fd = openat(d->fd, file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;

	if (fd < 0)
		die_errno("lock file %s/%s", d->path, file);
	if (fstat(fd, &st) < 0)
		die_errno("lock file %s/%s", d->path, file);
	/* In our private directory: its mode does not matter. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
		die("refusing lock file %s/%s: not a file of ours", d->path, file);
	return fd;
}

/* Does the name still lead to the file fd locked? */
static int still_named(const struct pfi_rundir *d, const char *file, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0)
		die_errno("lock file %s/%s", d->path, file);
	if (fstatat(d->fd, file, &b, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		die_errno("lock file %s/%s", d->path, file);
	}
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
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
 * needs no polling.  0 locked, -1 with errno (EINTR: timed out). */
static int flock_until(int fd, int64_t deadline)
{
	struct sigaction on_timer = { .sa_handler = on_lock_timer }, saved;
	int r, err;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return -1;
	if (ms_left(deadline) == 0) {
		errno = EINTR;
		return -1;
	}
	sigemptyset(&on_timer.sa_mask);
	sigaction(SIGALRM, &on_timer, &saved);
	set_lock_timer(ms_left(deadline));
	/* Another signal may interrupt too: go on while time is left. */
	while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR && ms_left(deadline) > 0)
		continue;
	err = errno;
	set_lock_timer(0);
	sigaction(SIGALRM, &saved, NULL);
	errno = err;
	return r;
}

/* The holder is a client starting the server, itself bounded by its
 * timeout: ours waits twice that. */
int pfi_lock(const struct pfi_rundir *d, const char *key, int timeout_ms)
{
	char *file = xasprintf("l%s", key);
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		int fd = open_lock_file(d, file);

		if (flock_until(fd, deadline) < 0) {
			if (errno == EINTR)
				die("timed out after %d ms waiting for the lock %s/%s "
				    "(another client starting the server)",
				    timeout_ms, d->path, file);
			die_errno("lock %s/%s", d->path, file);
		}
		if (still_named(d, file, fd)) {
			pfi_undo_push(file);
			free(file);
			return fd;
		}
		close(fd);      /* its holder deleted it: take the new one */
	}
}

int pfi_trylock(const struct pfi_rundir *d, const char *key)
{
	char *file = xasprintf("l%s", key);
	int fd = open_lock_file(d, file);

	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || !still_named(d, file, fd)) {
		close(fd);
		fd = -1;
	}
	free(file);
	return fd;
}

void pfi_unlock(const struct pfi_rundir *d, const char *key, int fd)
{
	char *file = xasprintf("l%s", key);

	pfi_undo_drop(file);

	if (unlinkat(d->fd, file, 0) < 0 && errno != ENOENT)
		warn_errno("remove the lock %s/%s", d->path, file);
	close(fd);
	free(file);
}
