#include "err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

const char *err_prog = "sockkit";
static int err_status = EXIT_FAIL;

void err_set_status(int code)
{
	err_status = code;
}

size_t err_format(char *buf, size_t size, int errnum, const char *fmt, va_list ap)
{
	size_t len = 0;
	int n = snprintf(buf, size, "%s: ", err_prog);

	if (n > 0)
		len = (size_t)n < size ? (size_t)n : size - 1;
	n = vsnprintf(buf + len, size - len, fmt, ap);
	if (n > 0)
		len += (size_t)n < size - len ? (size_t)n : size - len - 1;
	if (errnum >= 0) {
		n = snprintf(buf + len, size - len, ": %s", strerror(errnum));
		if (n > 0)
			len += (size_t)n < size - len ? (size_t)n : size - len - 1;
	}
	/* Always end with the newline, even if the text was cut. */
	if (len >= size - 1)
		len = size - 2;
	/* One line, whatever it quotes (an option value, a file's bytes),
	 * and nothing in it that a terminal would act on. */
	text_make_printable(buf, len);
	buf[len++] = '\n';
	buf[len] = '\0';
	return len;
}

static void vreport(int errnum, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
static void vreport(int errnum, const char *fmt, va_list ap)
{
	char buf[1024];
	int saved = errno;
	size_t len = err_format(buf, sizeof buf, errnum, fmt, ap);

	/* One write per message; a failure here has nowhere to be reported. */
	if (write(STDERR_FILENO, buf, len) < 0)
		(void)0;
	errno = saved;
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(-1, fmt, ap);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(errnum, fmt, ap);
	va_end(ap);
}

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(-1, fmt, ap);
	va_end(ap);
	exit(err_status);
}

_Noreturn void die_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(errnum, fmt, ap);
	va_end(ap);
	exit(err_status);
}

_Noreturn void die_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(-1, fmt, ap);
	va_end(ap);
	exit(code);
}

_Noreturn void die_usage(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t len;
	int n;

	/* Leave room for the hint however long the message. */
	va_start(ap, fmt);
	len = err_format(buf, sizeof buf - 128, -1, fmt, ap);
	va_end(ap);
	n = snprintf(buf + len, sizeof buf - len, "Try 'sockkit%s%s --help'.\n",
		     strcmp(err_prog, "sockkit") ? " " : "",
		     strcmp(err_prog, "sockkit") ? err_prog : "");
	if (n > 0)
		len += (size_t)n < sizeof buf - len ? (size_t)n : sizeof buf - len - 1;
	if (write(STDERR_FILENO, buf, len) < 0)
		(void)0;
	exit(EXIT_USAGE);
}

static void check_stdout(void)
{
	/* Flush and close: a full disk or a closed pipe shows up only here. */
	/* A reader that has gone (EPIPE, SIGPIPE ignored) is said too, as
	 * coreutils say it: the output is incomplete either way. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		warn_errno("write error on standard output");
		_exit(err_status);
	}
}

void err_check_stdout_at_exit(void)
{
	atexit(check_stdout);
}

int xsocket(int domain, int type, int protocol)
{
	int fd = socket(domain, type, protocol);

	if (fd < 0)
		die_errno("socket");
	return fd;
}

void xsetsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	if (setsockopt(fd, level, name, value, len) < 0)
		die_errno("setsockopt(%d, %d)", level, name);
}

void xbind(int fd, const struct sockaddr *sa, socklen_t len)
{
	if (bind(fd, sa, len) < 0)
		die_errno("bind");
}

void xlisten(int fd, int backlog)
{
	if (listen(fd, backlog) < 0)
		die_errno("listen");
}

void xpipe2(int fds[2], int flags)
{
	if (pipe2(fds, flags) < 0)
		die_errno("pipe");
}

void xsocketpair(int domain, int type, int protocol, int fds[2])
{
	if (socketpair(domain, type, protocol, fds) < 0)
		die_errno("socketpair");
}

pid_t xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork");
	return pid;
}

void xdup2(int from, int to)
{
	while (dup2(from, to) < 0)
		if (errno != EINTR)
			die_errno("dup2(%d, %d)", from, to);
}

int xopenat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd;

	do
		fd = openat(dirfd, path, flags, mode);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die_errno("%s", path);
	return fd;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory (%zu bytes)", strlen(s) + 1);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return p;
}
