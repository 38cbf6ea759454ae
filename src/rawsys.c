/* Four C library functions as the system calls they wrap, for sockkit's
 * static builds with musl (meson.build, static-libc.c).  musl reads the
 * clock and the CPU number through the kernel's vDSO, whose lookup code is
 * 1.3 KB of the binary, and its utimensat carries a fallback for kernels
 * older than 2.6.22; sockkit reads the clock to bound its waits and to
 * mark a socket used, where a system call's extra tenth of a microsecond
 * does not show, and runs on kernels from 5.15 on.
 *
 * Only where a timespec is what the kernel's older system calls take:
 * 64-bit targets (meson.build checks; a 32-bit target's time_t is wider
 * than its clock_gettime system call's).
 *
 * fcntl too: musl's maps F_GETOWN through F_GETOWN_EX (a process group
 * is negative, which looks like an error), carries F_DUPFD_CLOEXEC for
 * kernels before 2.6.24 and adds O_LARGEFILE to F_SETFL, which the kernel
 * ignores there (0.3 KB); sockkit asks for none of F_GETOWN's answers.
 *
 * On x86-64 also fstatat, fstat, stat and lstat: there the C library's
 * struct stat is the kernel's, so the system call fills it directly,
 * where musl's goes through a copy and carries fallbacks for kernels
 * before 2.6.39 (0.6 KB). */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rawsys.h"

int rawsys_clock_gettime(clockid_t clock, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clock, ts);
}

time_t rawsys_time(time_t *t)
{
	struct timespec ts;

	rawsys_clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

int rawsys_sched_getcpu(void)
{
	unsigned cpu;

	return syscall(SYS_getcpu, &cpu, NULL, NULL) < 0 ? -1 : (int)cpu;
}

int rawsys_utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	return (int)syscall(SYS_utimensat, dirfd, path, times, flags);
}

/* The argument, an int or a pointer, as the kernel takes it (and musl's
 * fcntl reads it). */
int rawsys_vfcntl(int fd, int cmd, va_list ap)
{
	unsigned long arg = va_arg(ap, unsigned long);

	return (int)syscall(SYS_fcntl, fd, cmd, arg);
}

int rawsys_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int r;

	va_start(ap, cmd);
	r = rawsys_vfcntl(fd, cmd, ap);
	va_end(ap);
	return r;
}

#ifdef __x86_64__
/* The kernel's struct stat (arch/x86/include/uapi/asm/stat.h) */
_Static_assert(sizeof(struct stat) == 144 && offsetof(struct stat, st_mode) == 24 &&
	       offsetof(struct stat, st_size) == 48 && offsetof(struct stat, st_atim) == 72 &&
	       offsetof(struct stat, st_ctim) == 104, "struct stat is not the kernel's");

int rawsys_fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	return (int)syscall(SYS_newfstatat, dirfd, path, st, flags);
}

int rawsys_fstat(int fd, struct stat *st)
{
	return (int)syscall(SYS_fstat, fd, st);
}

int rawsys_stat(const char *path, struct stat *st)
{
	return rawsys_fstatat(AT_FDCWD, path, st, 0);
}

int rawsys_lstat(const char *path, struct stat *st)
{
	return rawsys_fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}
#endif
