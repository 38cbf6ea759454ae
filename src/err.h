/* Error reporting and exit codes shared by every applet.
 *
 * Every message is one line, "APPLET: text[: strerror]\n", written with a
 * single write(2) so that lines from concurrent processes never interleave. */
#ifndef SOCKKIT_ERR_H
#define SOCKKIT_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_SKIP = 4,          /* the kernel lacks what is tested */
	EXIT_NOAPPLET = 127,
};

/* The name errors are prefixed with: the applet's, or "sockkit". */
extern const char *err_prog;

/* The status die(), die_errno() and the x-wrappers exit with: EXIT_FAIL
 * unless an applet says otherwise (prefork-interp: 127, as chiark's). */
void err_set_status(int code);

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

void warnx_(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warn_errno(const char *fmt, ...) PRINTF_LIKE(1, 2);
_Noreturn void die(const char *fmt, ...) PRINTF_LIKE(1, 2);
_Noreturn void die_errno(const char *fmt, ...) PRINTF_LIKE(1, 2);
_Noreturn void die_code(int code, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* "APPLET: text" then "Try 'sockkit APPLET --help'." and exit 2. */
_Noreturn void die_usage(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Format one message into buf as "prog: text[: strerror(errnum)]\n";
 * errnum < 0 means none.  Returns the length (truncated to fit). */
size_t err_format(char *buf, size_t size, int errnum, const char *fmt, va_list ap)
	PRINTF_LIKE(4, 0);

/* Make a failed write to stdout an error at exit (exit status 1). */
void err_check_stdout_at_exit(void);

/* Setup-time calls that can only die: on failure, "APPLET: CALL: strerror"
 * and the status set by err_set_status. */
int xsocket(int domain, int type, int protocol);
void xsetsockopt(int fd, int level, int name, const void *value, socklen_t len);
void xbind(int fd, const struct sockaddr *sa, socklen_t len);
void xlisten(int fd, int backlog);
void xpipe2(int fds[2], int flags);
void xsocketpair(int domain, int type, int protocol, int fds[2]);
pid_t xfork(void);
void xdup2(int from, int to);
int xopenat(int dirfd, const char *path, int flags, mode_t mode);

/* Allocation wrappers that die on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
