/* Talking to a server: connect, greeting, request, exit status.
 *
 * The chiark-utils 7.0.0 protocol (all integers big-endian):
 *   server: "PFI\n", u32 N, N bytes of xdata          (pfi_read_greeting)
 *   client: one byte 0x00; fds 0, 1, 2 as three sendmsg calls, each with a
 *           one-byte 0x00 payload; u32 L, L bytes: every environ entry that
 *           holds '=', NUL-terminated, an empty string, then argv
 *           (interpreter, script, arguments), each NUL-terminated
 *                                                      (pfi_send_request)
 *   server: u32 wait status of the executor            (pfi_finish)
 * and the sockkit-x1 extension when the greeting offers it (ext.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "io.h"
#include "net.h"
#include "pfi.h"

extern char **environ;

static const unsigned char greeting_magic[4] = { 'P', 'F', 'I', '\n' };
/* A greeting's xdata beyond this is garbage, not something to allocate. */
#define MAX_XDATA (1u << 20)

/* The greeting's extra data, after its big-endian length (7.0.0 read the
 * length in host order).  Debian's Proc::Prefork::Interp sends none. */
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

	c->xdata = NULL;
	c->xdata_len = 0;
	if (n < 0 && errno == ETIMEDOUT)
		return PFI_GREETING_SILENT;
	if (n < 0 && errno != ECONNRESET)
		die_errno("%s", what);
	if (n != (ssize_t)sizeof head)
		return PFI_GREETING_BAD;
	if (memcmp(head, greeting_magic, sizeof greeting_magic)) {
		warnx_("%s: bad greeting %02x %02x %02x %02x, replacing the server", what,
		       head[0], head[1], head[2], head[3]);
		return PFI_GREETING_BAD;
	}
	return read_greeting_xdata(c, head + 4, timeout_ms, what);
}

void pfi_conn_close(struct pfi_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->xdata);
	c->fd = -1;
	c->xdata = NULL;
	c->xdata_len = 0;
}

/* Every send on the call then fails with EAGAIN instead of blocking when
 * the server takes nothing for timeout_ms: one that stops reading is a
 * bound wait, one that reads slowly is not an error. */
void pfi_bound_sends(int fd, int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (timeout_ms % 1000) * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		die_errno("setsockopt SO_SNDTIMEO");
}

/* connect(2) on a unix socket whose backlog is full sleeps, bounded by the
 * socket's send timeout (net_connect), which also bounds every send of the
 * call: a stuck server is a bound wait.  The name is relative: our
 * working directory is the run directory.  The connected fd, or -1 with
 * errno (ETIMEDOUT past the bound). */
static int connect_bounded(const char *file, int timeout_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlen(file) >= sizeof addr.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(addr.sun_path, file, strlen(file) + 1);
	fd = xsocket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (net_connect(fd, (const struct sockaddr *)&addr, sizeof addr, timeout_ms) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int connect_to_server(const struct pfi_rundir *d, const char *file, int timeout_ms)
{
	int fd = connect_bounded(file, timeout_ms);

	if (fd >= 0 || errno == ENOENT || errno == ECONNREFUSED)
		return fd;
	if (errno == ETIMEDOUT)
		die("connect %s/%s: timed out after %d ms "
		    "(server not accepting; -f replaces it)", d->path, file, timeout_ms);
	die_errno("connect %s/%s", d->path, file);
}

/* Only a process of our own user gets our environment and fds. */
static int peer_is_us(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		die_errno("getsockopt SO_PEERCRED");
	return cred.uid == geteuid() ? 1 : -(int)cred.uid - 1;
}

static void check_peer(int fd, const struct pfi_rundir *d, const char *file)
{
	int r = peer_is_us(fd);

	if (r < 0)
		die("refusing server at %s/%s: it runs as uid %u, not as us (uid %u)",
		    d->path, file, (unsigned)(-(r + 1)), (unsigned)geteuid());
}

/* Mark the socket used now, for the idle time in --list and the cleaning
 * of the least used.  Only the atime: the mtime is the server's start.
 * Calls in a row update it once a second, not each time: on a disk
 * filesystem every update is an inode written back, on the call's path
 * and then by the kernel's writeback. */
static void touch_atime(const struct pfi_rundir *d, const char *file, const struct stat *st)
{
	const struct timespec ts[2] = { { .tv_nsec = UTIME_NOW }, { .tv_nsec = UTIME_OMIT } };
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) == 0 && now.tv_sec >= st->st_atim.tv_sec &&
	    now.tv_sec - st->st_atim.tv_sec < 1)
		return;
	utimensat(d->fd, file, ts, AT_SYMLINK_NOFOLLOW);
}

static int greeted(const struct pfi_rundir *d, const char *file, int need_x1,
		   int timeout_ms, struct pfi_conn *c)
{
	char *what = xasprintf("%s/%s", d->path, file);
	enum pfi_greeting g = pfi_read_greeting(c, timeout_ms, what);

	free(what);
	if (g == PFI_GREETING_SILENT)
		/* Perhaps only busy: not ours to replace, unless -f. */
		die("%s/%s: no greeting within %d ms "
		    "(server silent or overloaded; -f replaces it)", d->path, file, timeout_ms);
	if (g == PFI_GREETING_BAD || (need_x1 && !pfi_ext_offered(c))) {
		pfi_conn_close(c);
		return 0;
	}
	return 1;
}

int pfi_try_server(const struct pfi_rundir *d, const char *name, int need_x1,
		   int timeout_ms, struct pfi_conn *c)
{
	char *file = xasprintf("s%s", name);
	struct stat st;
	int found = 0;

	c->fd = -1;
	if (pfi_socket_present(d, name, &st) &&
	    (c->fd = connect_to_server(d, file, timeout_ms)) >= 0) {
		check_peer(c->fd, d, file);
		found = greeted(d, file, need_x1, timeout_ms, c);
		if (found)
			touch_atime(d, file, &st);
	}
	free(file);
	return found;
}

/* For --list: NAME's greeting, and nothing sent (the server sees the
 * connection close).  1 greeted (c ready), 0 not: never fatal. */
int pfi_peek_server(const char *name, int timeout_ms, struct pfi_conn *c)
{
	char *file = xasprintf("s%s", name);

	c->fd = connect_bounded(file, timeout_ms);
	free(file);
	if (c->fd < 0)
		return 0;
	if (peer_is_us(c->fd) < 0 || pfi_read_greeting(c, timeout_ms, "--list") != PFI_GREETED) {
		pfi_conn_close(c);
		return 0;
	}
	return 1;
}

/* A sockkit-x1 server for the script, then a 7.0.0 one for this directory. */
int pfi_find_server(const struct pfi_rundir *d, const struct pfi_names *n,
		    int timeout_ms, struct pfi_conn *c)
{
	if (pfi_try_server(d, n->shared, n->per_dir != NULL, timeout_ms, c))
		return 1;
	return n->per_dir && pfi_try_server(d, n->per_dir, 0, timeout_ms, c);
}

/* ---- the request ---- */

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
	if (n > UINT32_MAX - b->len)
		die("request too large (over 4 GiB)");
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
		die("%s: the server took nothing for %d ms", what, cfg->timeout_ms);
	if (errno == EPIPE || errno == ECONNRESET)
		pfi_die_no_status();    /* it gave up on the call before reading it */
	die_errno("%s", what);
}

void pfi_send_request(const struct pfi_conn *c, const struct pfi_config *cfg,
		      const struct pfi_caller *caller)
{
	const unsigned char signalling = pfi_ext_offered(c) ? 1 : 0;
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
	if (signalling && pfi_ext_send(c, caller) < 0)
		fail_send("send request", cfg);
}

/* The connection ended (closed or reset) before the script's status: the
 * server died, or gave up on the call; what it knows is in its log. */
_Noreturn void pfi_die_no_status(void)
{
	die("server closed the call without an exit status (its log may say why: "
	    "prefork-interp(1), FILES)");
}

/* The script runs as long as it runs: this one wait is bounded by the
 * script, not by us (as waitpid for a direct child would be).  A server
 * that dies closes the socket and ends it. */
_Noreturn void pfi_finish(const struct pfi_conn *c)
{
	unsigned char st[4];
	ssize_t n;
	uint32_t status;

	if (pfi_ext_offered(c))
		pfi_ext_finish(c);      /* records and signals: ext.c */
	n = read_full(c->fd, st, sizeof st, -1);
	if (n < 0 && errno != ECONNRESET)
		die_errno("read exit status");
	if (n != (ssize_t)sizeof st)
		pfi_die_no_status();
	status = get_be32(st);
	if (status > 0x7fffffff)
		die("exit status 0x%x out of range", (unsigned)status);
	pfi_exit_like((int)status, "script");
}
