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
 * than its clock_gettime system call's). */
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
