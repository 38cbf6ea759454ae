/* Talking to a server: connect, greeting, request, exit status.
 *
 * The chiark-utils 7.0.0 protocol (all integers big-endian):
 *   server: "PFI\n", u32 N, N bytes of xdata          (pfi_read_greeting)
 *   client: one byte 0x00; fds 0, 1, 2 as three sendmsg calls, each with a
 *           one-byte 0x00 payload; u32 L, L bytes: every environ entry that
 *           holds '=', NUL-terminated, an empty string, then argv
 *           (interpreter, script, arguments), each NUL-terminated
 *                                                      (pfi_send_request)
 *   client: anything an extension negotiated in xdata  (pfi_send_request_extra)
 *   server: u32 wait status of the executor            (pfi_finish)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "io.h"
#include "pfi.h"

extern char **environ;

static const unsigned char greeting_magic[4] = { 'P', 'F', 'I', '\n' };
/* A greeting's xdata beyond this is garbage, not something to allocate. */
#define MAX_XDATA (1u << 20)

static _Noreturn void fail_errno(const char *what)
{
	die_code(PFI_EXIT_INTERNAL, "%s: %s", what, strerror(errno));
}

/* The greeting's extra data, after its big-endian length (7.0.0 read the
 * length in host order).  Debian's Proc::Prefork::Interp sends none.  A
 * protocol extension advertised by the server is read and recognised here,
 * and only here; pfi_send_request_extra acts on it. */
static enum pfi_greeting read_greeting_xdata(struct pfi_conn *c, const unsigned char len[4],
					     int timeout_ms, const char *what)
{
	ssize_t n;

	c->xdata_len = get_be32(len);
	if (c->xdata_len > MAX_XDATA) {
		warnx_("%s: greeting announces %u bytes of extra data, replacing the server",
		       what, (unsigned)c->xdata_len);
		return PFI_GREETING_BAD;
	}
	c->xdata = xmalloc(c->xdata_len);
	n = read_full(c->fd, c->xdata, c->xdata_len, timeout_ms);
	if (n == (ssize_t)c->xdata_len)
		return PFI_GREETED;
	free(c->xdata);
	c->xdata = NULL;
	c->xdata_len = 0;
	return n < 0 && errno == ETIMEDOUT ? PFI_GREETING_SILENT : PFI_GREETING_BAD;
}

/* Returns PFI_GREETED with the greeting in c; PFI_GREETING_BAD if the peer
 * went away first or sent garbage (it is then replaced); PFI_GREETING_SILENT
 * when nothing came within timeout_ms. */
enum pfi_greeting pfi_read_greeting(struct pfi_conn *c, int timeout_ms, const char *what)
{
	unsigned char head[8];
	ssize_t n = read_full(c->fd, head, sizeof head, timeout_ms);

	if (n < 0 && errno == ETIMEDOUT)
		return PFI_GREETING_SILENT;
	if (n < 0 && errno != ECONNRESET)
		fail_errno(what);
	if (n != (ssize_t)sizeof head)
		return PFI_GREETING_BAD;
	if (memcmp(head, greeting_magic, sizeof greeting_magic)) {
		warnx_("%s: bad greeting %02x %02x %02x %02x, replacing the server", what,
		       head[0], head[1], head[2], head[3]);
		return PFI_GREETING_BAD;
	}
	return read_greeting_xdata(c, head + 4, timeout_ms, what);
}

/* Every send on the call then fails with EAGAIN instead of blocking when
 * the server takes nothing for timeout_ms: one that stops reading is a
 * bound wait, one that reads slowly is not an error. */
void pfi_bound_sends(int fd, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (timeout_ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		fail_errno("setsockopt SO_SNDTIMEO");
}

/* connect(2) on a unix socket whose backlog is full sleeps with the
 * socket's send timeout, so that a stuck server is a bound wait too. */
static int connect_bounded(const struct pfi_paths *p, int timeout_ms)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fail_errno("socket");
	pfi_bound_sends(fd, timeout_ms);
	while (connect(fd, (const struct sockaddr *)&p->addr, sizeof p->addr) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return -1;
		if (e == EAGAIN)
			die_code(PFI_EXIT_INTERNAL, "connect %s: timed out after %d ms "
				 "(server not accepting; -f replaces it)", p->socket, timeout_ms);
		errno = e;
		die_code(PFI_EXIT_INTERNAL, "connect %s: %s", p->socket, strerror(e));
	}
	return fd;
}

/* Only a process of our own user gets our environment and fds. */
static void check_peer(int fd, const char *path)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		fail_errno("getsockopt SO_PEERCRED");
	if (cred.uid != geteuid())
		die_code(PFI_EXIT_INTERNAL, "refusing server at %s: it runs as uid %u, "
			 "not as us (uid %u)", path, (unsigned)cred.uid, (unsigned)geteuid());
}

/* Mark the socket used now, for the cleaning of the least used ones.
 * Only the atime: the mtime is the server's start time (PREFORK_INTERP). */
static void touch_atime(const char *path)
{
	const struct timespec ts[2] = { { .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_OMIT } };

	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

enum pfi_found pfi_connect(const struct pfi_paths *p, const struct pfi_config *cfg,
			   struct pfi_conn *c)
{
	pfi_check_socket_safe(p);
	c->fd = connect_bounded(p, cfg->timeout_ms);
	if (c->fd < 0)
		return PFI_FOUND_NOTHING;
	check_peer(c->fd, p->socket);
	switch (pfi_read_greeting(c, cfg->timeout_ms, p->socket)) {
	case PFI_GREETED:
		break;
	case PFI_GREETING_SILENT:
		/* Perhaps only busy: not ours to replace, unless -f. */
		die_code(PFI_EXIT_INTERNAL, "%s: no greeting within %d ms "
			 "(server silent or overloaded; -f replaces it)",
			 p->socket, cfg->timeout_ms);
	case PFI_GREETING_BAD:
		close(c->fd);
		c->fd = -1;
		return PFI_FOUND_GARBAGE;
	}
	touch_atime(p->socket);
	return PFI_FOUND_SERVER;
}

/* ---- the request ---- */

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
	if (n > UINT32_MAX - b->len)
		die_code(PFI_EXIT_INTERNAL, "request too large (over 4 GiB)");
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
}

static void buf_add_string(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s) + 1);
}

/* u32 length, environment, empty string, argv: one buffer, one write. */
static void build_message(struct buf *b, const struct pfi_config *cfg)
{
	unsigned char len[4] = { 0 };

	buf_add(b, len, sizeof len);
	for (char **e = environ; e && *e; e++)
		if (strchr(*e, '='))
			buf_add_string(b, *e);
	buf_add_string(b, "");
	buf_add_string(b, cfg->interp);
	if (cfg->script)
		buf_add_string(b, cfg->script);
	for (char **a = cfg->args; *a; a++)
		buf_add_string(b, *a);
	put_be32((unsigned char *)b->data, (uint32_t)(b->len - sizeof len));
}

static _Noreturn void fail_send(const char *what, const struct pfi_config *cfg)
{
	if (errno == EAGAIN)
		die_code(PFI_EXIT_INTERNAL, "%s: the server took nothing for %d ms",
			 what, cfg->timeout_ms);
	fail_errno(what);
}

void pfi_send_request(const struct pfi_conn *c, const struct pfi_config *cfg)
{
	const unsigned char signalling = pfi_ext_signalling_byte(c);
	struct buf b = { 0 };

	if (write_all(c->fd, &signalling, 1) < 0)
		fail_send("send request", cfg);
	for (int fd = 0; fd <= 2; fd++)
		if (pfi_send_fd(c->fd, fd) < 0)
			fail_send(fd == 0 ? "send fd 0" : fd == 1 ? "send fd 1" : "send fd 2", cfg);
	build_message(&b, cfg);
	if (write_all(c->fd, b.data, b.len) < 0)
		fail_send("send request", cfg);
	free(b.data);
}

/* Data a protocol extension negotiated in the greeting's xdata goes here.
 * A 7.0.0 server (Debian's Proc::Prefork::Interp) sends no xdata and gets
 * nothing more. */
void pfi_send_request_extra(const struct pfi_conn *c, const struct pfi_config *cfg)
{
	(void)cfg;
	pfi_ext_send(c);       /* sockkit-x1, when offered: ext.c */
}

/* ---- the exit status ---- */

static int is_relayed_signal(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP ||
	       sig == SIGPIPE || sig == SIGKILL;
}

static _Noreturn void die_by_signal(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t set;

	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	fflush(stdout);
	raise(sig);
	die_code(PFI_EXIT_INTERNAL, "still alive after raising signal %d", sig);
}

/* Leave as the script left: its exit code, or its death by a signal the
 * caller's shell expects; anything else is reported (as 7.0.0 does). */
_Noreturn void pfi_exit_like(int status, const char *what)
{
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		if (!WCOREDUMP(status) && is_relayed_signal(sig))
			die_by_signal(sig);
		die_code(PFI_EXIT_INTERNAL, "%s died by signal %d (%s)%s", what, sig,
			 strsignal(sig), WCOREDUMP(status) ? " (core dumped)" : "");
	}
	die_code(PFI_EXIT_INTERNAL, "%s gave a strange wait status 0x%x", what,
		 (unsigned)status);
}

/* The script runs as long as it runs: this one wait is bounded by the
 * script, not by us (as waitpid for a direct child would be).  A server
 * that dies closes the socket and ends it. */
_Noreturn void pfi_finish(const struct pfi_conn *c)
{
	if (pfi_ext_offered(c))
		pfi_ext_finish(c);      /* records and signals: ext.c */
	unsigned char st[4];
	ssize_t n = read_full(c->fd, st, sizeof st, -1);
	uint32_t status;

	if (n < 0)
		fail_errno("read exit status");
	if (n != (ssize_t)sizeof st)
		die_code(PFI_EXIT_INTERNAL, "server closed the call without an exit status");
	status = get_be32(st);
	if (status > 0x7fffffff)
		die_code(PFI_EXIT_INTERNAL, "exit status 0x%x out of range", (unsigned)status);
	pfi_exit_like((int)status, "script");
}
