/* clock_gettime, time, sched_getcpu, utimensat and fcntl as bare system
 * calls, and on x86-64 the stat family: sockkit's in static builds with musl on
 * 64-bit targets (see rawsys.c). */
#ifndef SOCKKIT_RAWSYS_H
#define SOCKKIT_RAWSYS_H

#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

/* As the C library's functions of the same name without the prefix. */
int rawsys_clock_gettime(clockid_t clock, struct timespec *ts);
time_t rawsys_time(time_t *t);
int rawsys_sched_getcpu(void);
int rawsys_utimensat(int dirfd, const char *path, const struct timespec times[2], int flags);
int rawsys_fcntl(int fd, int cmd, ...);
int rawsys_vfcntl(int fd, int cmd, va_list ap);

#ifdef __x86_64__
int rawsys_fstatat(int dirfd, const char *path, struct stat *st, int flags);
int rawsys_fstat(int fd, struct stat *st);
int rawsys_stat(const char *path, struct stat *st);
int rawsys_lstat(const char *path, struct stat *st);
#endif

#endif
