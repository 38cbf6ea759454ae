/* Static builds with musl only (meson.build): functions of libc replaced
 * by lighter ones of ours, so that the linker never takes musl's.  Each
 * behaves as musl 1.2.3's does for sockkit (which creates no thread), and
 * none is compiled into any other build: a dynamic libc would not call
 * them, and glibc's printf family, fork and getpwuid work otherwise.
 *
 * vfprintf: musl's printf, fprintf, snprintf and vasprintf all format
 * through it; musl's is 10 KB, most of it floating point that sockkit
 * never prints.  fmt.c says what fmt_vfprintf formats.
 *
 * malloc, free, realloc and calloc: musl's mallocng is 8 KB; alloc.c says
 * why sockkit can do with less.
 *
 * getpwuid: musl's reads /etc/passwd through stdio (5.5 KB with it);
 * passwd.c reads it with read(2), then asks nscd as musl does.
 *
 * atexit: onexit.c says why.
 *
 * clock_gettime, time, sched_getcpu, utimensat and fcntl (64-bit
 * targets), and the stat family (x86-64): rawsys.c says why.
 *
 * fork, putchar, putc and puts: below. */
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "fmt.h"
#include "onexit.h"
#include "passwd.h"
#include "rawsys.h"

/* A bound for an nscd that never answers (musl's would wait forever). */
#define NSCD_TIMEOUT_MS 5000

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(f, fmt, ap);
}

void *malloc(size_t n)
{
	return alloc_malloc(n);
}

void free(void *p)
{
	alloc_free(p);
}

void *realloc(void *p, size_t n)
{
	return alloc_realloc(p, n);
}

void *calloc(size_t count, size_t n)
{
	return alloc_calloc(count, n);
}

int atexit(void (*fn)(void))
{
	return onexit_add(fn);
}

struct passwd *getpwuid(uid_t uid)
{
	return passwd_by_uid(uid, "/etc/passwd", "/var/run/nscd/socket", NSCD_TIMEOUT_MS);
}

/* musl's fork differs from its _Fork only in a process that has created
 * threads (it then takes and resets libc's locks around it) or has
 * pthread_atfork handlers: sockkit has neither, and those locks weigh
 * 1.6 KB.  Should sockkit ever start a thread, this must go. */
pid_t fork(void)
{
	return _Fork();
}

/* musl has three copies of the same locked character output: one will
 * do (0.6 KB); and puts locks stdout around fputs and a newline of its
 * own (0.2 KB).  Not only sockkit's source calls them: the compiler turns
 * printf("x") into putchar('x'), printf("text\n") into puts("text"). */
int putchar(int c)
{
	return fputc(c, stdout);
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int puts(const char *s)
{
	return fputs(s, stdout) < 0 || fputc('\n', stdout) < 0 ? EOF : 0;
}

#ifdef SOCKKIT_RAWSYS
int clock_gettime(clockid_t clock, struct timespec *ts)
{
	return rawsys_clock_gettime(clock, ts);
}

time_t time(time_t *t)
{
	return rawsys_time(t);
}

int sched_getcpu(void)
{
	return rawsys_sched_getcpu();
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	return rawsys_utimensat(dirfd, path, times, flags);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	int r;

	va_start(ap, cmd);
	r = rawsys_vfcntl(fd, cmd, ap);
	va_end(ap);
	return r;
}

#ifdef __x86_64__
int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
	return rawsys_fstatat(dirfd, path, st, flags);
}

int fstat(int fd, struct stat *st)
{
	return rawsys_fstat(fd, st);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return rawsys_stat(path, st);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return rawsys_lstat(path, st);
}
#endif
#endif
