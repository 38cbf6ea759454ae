/* rawsys.c (the static build's clock_gettime, time, sched_getcpu,
 * utimensat, fcntl and, on x86-64, stat family) against the C library's own: the
 * clocks read between two readings of the library's; the same CPU on a
 * pinned thread; the same times left on files, symlinks included; every
 * field of the same files' stat; the same errors. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rawsys.h"
#include "tap.h"

static int before_or_same(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec <= b->tv_nsec);
}

static void clock_between(clockid_t clock, const char *name)
{
	struct timespec a, b, c;
	int ra = clock_gettime(clock, &a), rb = rawsys_clock_gettime(clock, &b);
	int rc = clock_gettime(clock, &c);

	if (!tap_ok(ra == 0 && rb == 0 && rc == 0 && before_or_same(&a, &b) &&
		    before_or_same(&b, &c) && b.tv_nsec >= 0 && b.tv_nsec < 1000000000, name))
		printf("# %lld.%09ld <= %lld.%09ld <= %lld.%09ld?\n", (long long)a.tv_sec,
		       a.tv_nsec, (long long)b.tv_sec, b.tv_nsec, (long long)c.tv_sec, c.tv_nsec);
}

/* -1 and the library's errno, or both succeed. */
static void same_result(int ours, int ours_errno, int theirs, int theirs_errno, const char *name)
{
	if (!tap_ok(ours == theirs && (ours == 0 || ours_errno == theirs_errno), name))
		printf("# ours %d (errno %d), the library's %d (errno %d)\n", ours, ours_errno,
		       theirs, theirs_errno);
}

static void clock_errors(void)
{
	struct timespec ts;
	int r1, e1, r2, e2;

	errno = 0, r1 = rawsys_clock_gettime((clockid_t)12345, &ts), e1 = errno;
	errno = 0, r2 = clock_gettime((clockid_t)12345, &ts), e2 = errno;
	same_result(r1, e1, r2, e2, "clock_gettime of an unknown clock: -1 EINVAL, as the library");
}

static void time_between(void)
{
	time_t a = time(NULL), stored = 0, b = rawsys_time(&stored), c = time(NULL);

	tap_ok(a <= b && b <= c && stored == b, "time: between the library's, stored as returned");
	tap_ok(rawsys_time(NULL) >= b, "time(NULL)");
}

/* Pinned to one CPU, both must name it. */
static void cpu_pinned(void)
{
	cpu_set_t set, one;
	int cpu = -1;

	if (sched_getaffinity(0, sizeof set, &set) < 0) {
		tap_ok(0, "sched_getaffinity");
		return;
	}
	for (int i = CPU_SETSIZE - 1; i >= 0; i--)
		if (CPU_ISSET(i, &set))
			cpu = i;                /* the lowest allowed */
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	tap_ok(sched_setaffinity(0, sizeof one, &one) == 0, "pinned to one CPU");
	tap_is_int(rawsys_sched_getcpu(), sched_getcpu(), "sched_getcpu: the library's CPU");
	tap_is_int(rawsys_sched_getcpu(), cpu, "sched_getcpu: the CPU pinned to");
	sched_setaffinity(0, sizeof set, &set);
}

struct times_case {
	const char *name;
	struct timespec t[2];
	int flags;
	const char *file;               /* in the test directory */
};

static int stat_at(int dir, const char *file, int flags, struct stat *st)
{
	return fstatat(dir, file, st, flags & AT_SYMLINK_NOFOLLOW);
}

/* The case applied by ours to "ours-FILE" and by the library to
 * "lib-FILE": the same result, and the same times where they are set. */
static void utimensat_case(int dir, const struct times_case *c)
{
	char ours[64], theirs[64], name[128];
	struct stat so, st;
	int r1, e1, r2, e2;

	snprintf(ours, sizeof ours, "ours-%s", c->file);
	snprintf(theirs, sizeof theirs, "lib-%s", c->file);
	errno = 0, r1 = rawsys_utimensat(dir, ours, c->t, c->flags), e1 = errno;
	errno = 0, r2 = utimensat(dir, theirs, c->t, c->flags), e2 = errno;
	same_result(r1, e1, r2, e2, c->name);
	snprintf(name, sizeof name, "%s: the same times", c->name);
	if (r1 == 0 && c->t[0].tv_nsec != UTIME_NOW)
		tap_ok(stat_at(dir, ours, c->flags, &so) == 0 &&
		       stat_at(dir, theirs, c->flags, &st) == 0 &&
		       so.st_atim.tv_sec == st.st_atim.tv_sec &&
		       so.st_atim.tv_nsec == st.st_atim.tv_nsec &&
		       so.st_mtim.tv_sec == st.st_mtim.tv_sec &&
		       so.st_mtim.tv_nsec == st.st_mtim.tv_nsec, name);
	else if (r1 == 0)
		tap_ok(stat_at(dir, ours, c->flags, &so) == 0 && so.st_atim.tv_sec >= 1000000000,
		       name);
}

static void utimensat_cases(void)
{
	static const struct times_case cases[] = {
		{ "utimensat: both times", { { 123, 456 }, { 789, 12 } }, 0, "f" },
		{ "utimensat: atime only (mtime UTIME_OMIT)",
		  { { 1000, 0 }, { 0, UTIME_OMIT } }, 0, "f" },
		{ "utimensat: atime now", { { 0, UTIME_NOW }, { 0, UTIME_OMIT } }, 0, "f" },
		{ "utimensat: the symlink's own times (AT_SYMLINK_NOFOLLOW)",
		  { { 5, 6 }, { 7, 8 } }, AT_SYMLINK_NOFOLLOW, "link" },
		{ "utimensat: through the symlink", { { 50, 60 }, { 70, 80 } }, 0, "link" },
		{ "utimensat: a missing file: ENOENT", { { 1, 0 }, { 1, 0 } }, 0, "missing" },
		{ "utimensat: nanoseconds out of range: EINVAL",
		  { { 1, 1000000000 }, { 1, 0 } }, 0, "f" },
		{ "utimensat: an unknown flag: EINVAL", { { 1, 0 }, { 1, 0 } }, 0x40000, "f" },
	};
	char dir_name[] = "/tmp/test-rawsys.XXXXXX";
	int dir;

	if (!mkdtemp(dir_name) || (dir = open(dir_name, O_RDONLY | O_DIRECTORY)) < 0) {
		tap_ok(0, "a test directory");
		return;
	}
	for (const char *const *p = (const char *const[]){ "ours-", "lib-", NULL }; *p; p++) {
		char name[64], target[64];

		snprintf(name, sizeof name, "%sf", *p);
		close(openat(dir, name, O_CREAT | O_WRONLY, 0600));
		snprintf(target, sizeof target, "%sf", *p);
		snprintf(name, sizeof name, "%slink", *p);
		symlinkat(target, dir, name);
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		utimensat_case(dir, &cases[i]);
	{
		const struct timespec t[2] = { { 1, 0 }, { 1, 0 } };
		int r1, e1, r2, e2;

		errno = 0, r1 = rawsys_utimensat(-7, "f", t, 0), e1 = errno;
		errno = 0, r2 = utimensat(-7, "f", t, 0), e2 = errno;
		same_result(r1, e1, r2, e2, "utimensat: a bad directory fd: EBADF");
	}
	for (const char *const *p = (const char *const[]){ "ours-f", "lib-f", "ours-link",
							  "lib-link", NULL }; *p; p++)
		unlinkat(dir, *p, 0);
	close(dir);
	rmdir(dir_name);
}

/* fcntl: each command sockkit uses, a lock (a pointer argument), the
 * errors; ours and the library's on twin pipes end in the same state. */
static void fcntl_cases(void)
{
	int a[2], b[2], r1, e1, r2, e2;
	struct flock l1 = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 }, l2 = l1;
	FILE *t1 = tmpfile(), *t2 = tmpfile();

	if (pipe(a) < 0 || pipe(b) < 0 || !t1 || !t2) {
		tap_ok(0, "pipes and files");
		return;
	}
#define BOTH(name, ...) do {							\
		errno = 0, r1 = rawsys_fcntl(a[0], __VA_ARGS__), e1 = errno;	\
		errno = 0, r2 = fcntl(b[0], __VA_ARGS__), e2 = errno;		\
		if (!tap_ok(r1 == r2 && (r1 != -1 || e1 == e2), name))		\
			printf("# ours %d (errno %d), the library's %d (errno %d)\n", \
			       r1, e1, r2, e2);					\
	} while (0)
	BOTH("fcntl F_GETFD", F_GETFD);
	BOTH("fcntl F_SETFD FD_CLOEXEC", F_SETFD, FD_CLOEXEC);
	BOTH("fcntl F_GETFD after it", F_GETFD);
	BOTH("fcntl F_GETFL", F_GETFL);
	BOTH("fcntl F_SETFL O_NONBLOCK", F_SETFL, O_NONBLOCK);
	BOTH("fcntl F_GETFL after it", F_GETFL);
	BOTH("fcntl of an unknown command: EINVAL", 0x7fff);
	BOTH("fcntl F_SETLK without write access: EBADF", F_SETLK, &l1);
#undef BOTH
	errno = 0, r1 = rawsys_fcntl(fileno(t1), F_SETLK, &l1), e1 = errno;
	errno = 0, r2 = fcntl(fileno(t2), F_SETLK, &l2), e2 = errno;
	same_result(r1, e1, r2, e2, "fcntl F_SETLK of a file (a pointer argument)");
	r1 = rawsys_fcntl(fileno(t1), F_DUPFD_CLOEXEC, 100);
	r2 = fcntl(fileno(t2), F_DUPFD_CLOEXEC, 100);
	tap_ok(r1 >= 100 && r2 >= 100 && fcntl(r1, F_GETFD) == FD_CLOEXEC,
	       "fcntl F_DUPFD_CLOEXEC: at least the minimum, close-on-exec");
	close(r1), close(r2);
	errno = 0, r1 = rawsys_fcntl(999, F_GETFD), e1 = errno;
	errno = 0, r2 = fcntl(999, F_GETFD), e2 = errno;
	same_result(r1, e1, r2, e2, "fcntl of a closed fd: EBADF");
	close(a[0]), close(a[1]), close(b[0]), close(b[1]);
	fclose(t1), fclose(t2);
}

#ifdef __x86_64__
static int same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
	       a->st_nlink == b->st_nlink && a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       a->st_rdev == b->st_rdev && a->st_size == b->st_size &&
	       a->st_blksize == b->st_blksize && a->st_blocks == b->st_blocks &&
	       a->st_atim.tv_sec == b->st_atim.tv_sec && a->st_atim.tv_nsec == b->st_atim.tv_nsec &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

enum stat_call { FSTATAT, FSTAT, STAT, LSTAT };

static int call_stat(int ours, enum stat_call c, int fd, const char *path, int flags,
		     struct stat *st)
{
	switch (c) {
	case FSTATAT: return ours ? rawsys_fstatat(fd, path, st, flags) : fstatat(fd, path, st, flags);
	case FSTAT: return ours ? rawsys_fstat(fd, st) : fstat(fd, st);
	case STAT: return ours ? rawsys_stat(path, st) : stat(path, st);
	default: return ours ? rawsys_lstat(path, st) : lstat(path, st);
	}
}

/* Ours and the library's: the same result, errno, and every field. */
static void stat_case(const char *name, enum stat_call c, int fd, const char *path, int flags)
{
	struct stat so, st;
	int r1, e1, r2, e2;

	memset(&so, 0xa5, sizeof so), memset(&st, 0x5a, sizeof st);
	errno = 0, r1 = call_stat(1, c, fd, path, flags, &so), e1 = errno;
	errno = 0, r2 = call_stat(0, c, fd, path, flags, &st), e2 = errno;
	if (!tap_ok(r1 == r2 && (r1 != 0 ? e1 == e2 : same_stat(&so, &st)), name))
		printf("# ours %d (errno %d), the library's %d (errno %d)\n", r1, e1, r2, e2);
}

static void stat_cases(void)
{
	char dir_name[] = "/tmp/test-rawsys.XXXXXX", path[128];
	int dir, file, p[2];

	if (!mkdtemp(dir_name) || (dir = open(dir_name, O_RDONLY | O_DIRECTORY)) < 0 ||
	    (file = openat(dir, "f", O_CREAT | O_RDWR, 0640)) < 0 || pipe(p) < 0) {
		tap_ok(0, "a test directory");
		return;
	}
	if (write(file, "twelve bytes", 12) != 12 || symlinkat("f", dir, "link") < 0 ||
	    symlinkat("nowhere", dir, "dangling") < 0)
		tap_ok(0, "test files");
	stat_case("fstat of a file", FSTAT, file, NULL, 0);
	stat_case("fstat of a directory", FSTAT, dir, NULL, 0);
	stat_case("fstat of a pipe", FSTAT, p[0], NULL, 0);
	stat_case("fstat of a closed fd: EBADF", FSTAT, 999, NULL, 0);
	stat_case("fstatat of a file in a directory fd", FSTATAT, dir, "f", 0);
	stat_case("fstatat through a symlink", FSTATAT, dir, "link", 0);
	stat_case("fstatat of the symlink itself", FSTATAT, dir, "link", AT_SYMLINK_NOFOLLOW);
	stat_case("fstatat of a dangling symlink: ENOENT", FSTATAT, dir, "dangling", 0);
	stat_case("fstatat of a dangling symlink itself", FSTATAT, dir, "dangling",
		  AT_SYMLINK_NOFOLLOW);
	stat_case("fstatat AT_EMPTY_PATH of a file fd", FSTATAT, file, "", AT_EMPTY_PATH);
	stat_case("fstatat of \"\" without AT_EMPTY_PATH: ENOENT", FSTATAT, file, "", 0);
	stat_case("fstatat relative to a file: ENOTDIR", FSTATAT, file, "x", 0);
	stat_case("fstatat with an unknown flag: EINVAL", FSTATAT, dir, "f", 0x40000);
	stat_case("fstatat AT_FDCWD of /dev/null (a device)", FSTATAT, AT_FDCWD, "/dev/null", 0);
	snprintf(path, sizeof path, "%s/link", dir_name);
	stat_case("stat through a symlink", STAT, -1, path, 0);
	stat_case("lstat of the symlink", LSTAT, -1, path, 0);
	stat_case("stat of /", STAT, -1, "/", 0);
	stat_case("stat of a missing file: ENOENT", STAT, -1, "/nonexistent/x", 0);
	stat_case("lstat of \"\": ENOENT", LSTAT, -1, "", 0);
	snprintf(path, sizeof path, "%s/f/x", dir_name);
	stat_case("stat under a file: ENOTDIR", STAT, -1, path, 0);
	close(p[0]), close(p[1]), close(file);
	unlinkat(dir, "f", 0), unlinkat(dir, "link", 0), unlinkat(dir, "dangling", 0);
	close(dir);
	rmdir(dir_name);
}
#endif

int main(void)
{
	clock_between(CLOCK_REALTIME, "clock_gettime CLOCK_REALTIME: between the library's");
	clock_between(CLOCK_MONOTONIC, "clock_gettime CLOCK_MONOTONIC: between the library's");
	clock_between(CLOCK_BOOTTIME, "clock_gettime CLOCK_BOOTTIME: between the library's");
	clock_between(CLOCK_MONOTONIC_COARSE, "clock_gettime CLOCK_MONOTONIC_COARSE");
	clock_errors();
	time_between();
	cpu_pinned();
	utimensat_cases();
	fcntl_cases();
#ifdef __x86_64__
	stat_cases();
#endif
	return tap_done();
}
