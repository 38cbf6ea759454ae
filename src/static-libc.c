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
 * getpwuid: musl's reads /etc/passwd through stdio (5.5 KB with it);
 * passwd.c reads it with read(2), then asks nscd as musl does.
 *
 * fork, putchar and putc: below. */
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "fmt.h"
#include "passwd.h"

/* A bound for an nscd that never answers (musl's would wait forever). */
#define NSCD_TIMEOUT_MS 5000

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(f, fmt, ap);
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
 * do (0.6 KB).  Not only sockkit's source calls them: the compiler turns
 * printf("x") into putchar('x'). */
int putchar(int c)
{
	return fputc(c, stdout);
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}
