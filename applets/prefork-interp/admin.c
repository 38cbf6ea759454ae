/* The admin commands: --kill (one script's server), --list and --kill-all
 * (every server of ours in the run directory).
 *
 * --list learns what it shows without talking to 7.0.0 servers (Debian's
 * Perl module logs an error for a connection that sends nothing, and it
 * restarts its idle time): the info file its client wrote, the socket's
 * times (mtime: bound when the server started; atime: each call marks it)
 * and /proc for its pid.  A sockkit-x1 server is asked too: its greeting
 * may carry started=, calls= and last-call=, and a connection that sends
 * nothing is no call for it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "io.h"
#include "json.h"
#include "procscan.h"
#include "sort.h"
#include "sweep.h"
#include "text.h"
#include "utc.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434      /* Linux 5.3, the same number on every arch */
#endif

/* How long --list waits for a sockkit-x1 server's greeting. */
#define PEEK_TIMEOUT_MS 2000

/* ---- --kill ---- */

/* The servers this call could reach: the script's shared one, and this
 * directory's.  Their watchers see the sockets go, and the servers quit. */
int pfi_kill(const struct pfi_rundir *d, const struct pfi_names *n,
	     const struct pfi_config *cfg)
{
	int lock = pfi_lock(d, n->key, cfg->timeout_ms * 2);
	int found = pfi_remove_if_present(d, n->shared);

	if (n->per_dir)
		found += pfi_remove_if_present(d, n->per_dir);
	pfi_unlock(d, n->key, lock);
	if (!found)
		warnx_("--kill: no server for %s in %s", n->shown, d->path);
	return EXIT_OK;
}

/* ---- --list ---- */

struct row {
	const struct pfi_server *s;
	long long started, idle, calls;         /* calls < 0: unknown */
};

static int is_x1(const struct pfi_server *s)
{
	return s->has_info && s->info.protocol && !strcmp(s->info.protocol, PFI_EXT_WORD);
}

static struct row row_of(const struct pfi_server *s, time_t now)
{
	struct row r = { s, (long long)s->st.st_mtim.tv_sec, 0, -1 };
	long long last = s->st.st_atim.tv_sec, v;
	struct pfi_conn c;

	if (is_x1(s) && pfi_peek_server(s->name, PEEK_TIMEOUT_MS, &c)) {
		if (pfi_ext_status(&c, "started", &v) == 0)
			r.started = v;
		if (pfi_ext_status(&c, "calls", &v) == 0)
			r.calls = v;
		if (pfi_ext_status(&c, "last-call", &v) == 0)
			last = v;
		pfi_conn_close(&c);
	}
	if (last < r.started)
		last = r.started;
	r.idle = now > last ? (long long)now - last : 0;
	return r;
}

static int cmp_started(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->started != y->started)
		return x->started < y->started ? -1 : 1;
	return strcmp(x->s->name, y->s->name);
}

/* A 7.0.0 server serves the directory it started in. */
static const char *directory_of(const struct pfi_server *s)
{
	return s->has_info && !is_x1(s) ? s->info.cwd : NULL;
}

static void json_row(struct json *j, const struct row *r)
{
	const struct pfi_server *s = r->s;

	json_begin_object(j, NULL);
	if (s->pid)
		json_int(j, "pid", s->pid);
	else
		json_null(j, "pid");
	json_string(j, "ident", s->name);
	json_string(j, "protocol", s->has_info ? s->info.protocol : NULL);
	json_string(j, "interpreter", s->has_info ? s->info.interp : NULL);
	json_begin_array(j, "interpreter_args");
	for (char **a = s->has_info ? s->info.interp_args : NULL; a && *a; a++)
		json_string(j, NULL, *a);
	json_end_array(j);
	json_string(j, "script", s->has_info ? s->info.script : NULL);
	json_string(j, "directory", directory_of(s));
	json_int(j, "started", r->started);
	json_int(j, "idle", r->idle);
	if (r->calls >= 0)
		json_int(j, "calls", r->calls);
	else
		json_null(j, "calls");
	json_end_object(j);
}

/* A name as one line of a table, as ls shows names: every byte of a
 * control character (C1 included) or of what is not UTF-8 as '?'. */
static void put_text(const char *s, FILE *out)
{
	char *copy = xstrdup(s);

	text_make_printable(copy, strlen(copy));
	fputs(copy, out);
	free(copy);
}

static void put_duration(long long secs, FILE *out)
{
	char buf[32];

	if (secs < 60)
		snprintf(buf, sizeof buf, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, sizeof buf, "%lldm%02llds", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, sizeof buf, "%lldh%02lldm", secs / 3600, secs / 60 % 60);
	else
		snprintf(buf, sizeof buf, "%lldd%02lldh", secs / 86400, secs / 3600 % 24);
	fprintf(out, "%8s", buf);
}

/* The text table shows an ident as git shows a commit: each part
 * (7.0.0's per-directory idents are SCRIPT.DIRECTORY) cut to its first 12
 * hexadecimal digits, enough to tell a user's servers apart, and a line
 * that fits a terminal; --json has the whole.  Into shown, NUL-ended. */
enum { IDENT_PART_SHOWN = 12 };

static void ident_shown(const char *name, char *shown, size_t size)
{
	size_t n = 0;

	for (int part = 0; *name && n + 1 < size; name++) {
		part = *name == '.' ? 0 : part + 1;
		if (part <= IDENT_PART_SHOWN)
			shown[n++] = *name;
	}
	shown[n] = '\0';
}

static void text_row(const struct row *r, int ident_width, FILE *out)
{
	const struct pfi_server *s = r->s;
	char when[80] = "?", shown[256];
	struct pfi_utc u;

	/* UTC: a fixed width, and no time zone code in a static binary. */
	if (pfi_utc_of(r->started, &u) == 0)
		snprintf(when, sizeof when, "%04lld-%02d-%02dT%02d:%02d:%02dZ", u.year,
			 u.month, u.day, u.hour, u.minute, u.second);

	if (s->pid)
		fprintf(out, "%7d  ", (int)s->pid);
	else
		fprintf(out, "%7s  ", "-");
	fprintf(out, "%-20s  ", when);
	put_duration(r->idle, out);
	if (r->calls >= 0)
		fprintf(out, "  %6lld  ", r->calls);
	else
		fprintf(out, "  %6s  ", "-");
	ident_shown(s->name, shown, sizeof shown);
	put_text(shown, out);
	fprintf(out, "%*s  ", ident_width - (int)strlen(shown), "");
	put_text(s->has_info ? s->info.interp : "?", out);
	for (char **a = s->has_info ? s->info.interp_args : NULL; a && *a; a++) {
		putc(' ', out);
		put_text(*a, out);
	}
	if (s->has_info && s->info.script) {
		putc(' ', out);
		put_text(s->info.script, out);
	}
	if (directory_of(s)) {
		fputs("  (in ", out);
		put_text(directory_of(s), out);
		putc(')', out);
	}
	putc('\n', out);
}

static void print_table(const struct row *rows, size_t n, FILE *out)
{
	int width = (int)strlen("IDENT");
	char shown[256];

	for (size_t i = 0; i < n; i++) {
		ident_shown(rows[i].s->name, shown, sizeof shown);
		if ((int)strlen(shown) > width)
			width = (int)strlen(shown);
	}
	fprintf(out, "%7s  %-20s  %8s  %6s  %-*s  %s\n", "PID", "STARTED", "IDLE",
		"CALLS", width, "IDENT", "COMMAND");
	for (size_t i = 0; i < n; i++)
		text_row(&rows[i], width, out);
}

int pfi_list(const struct pfi_rundir *d, const struct pfi_config *cfg)
{
	struct pfi_survey s;
	struct row *rows;
	time_t now = time(NULL);

	pfi_survey(d, PFI_SURVEY_LOOK, 0, &s);
	rows = xcalloc(s.n, sizeof *rows);
	for (size_t i = 0; i < s.n; i++)
		rows[i] = row_of(&s.v[i], now);
	pfi_sort(rows, s.n, sizeof *rows, cmp_started);
	if (cfg->json) {
		struct json j;

		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		json_string(&j, "run_directory", d->path);
		json_begin_array(&j, "servers");
		for (size_t i = 0; i < s.n; i++)
			json_row(&j, &rows[i]);
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
	} else
		print_table(rows, s.n, stdout);
	free(rows);
	pfi_survey_free(&s);
	return EXIT_OK;
}

/* ---- --kill-all ---- */

/* Has pid gone by the deadline?  A pidfd turns readable when it exits. */
static int gone_by(pid_t pid, int64_t deadline)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	int r;

	if (fd < 0 && errno == ESRCH)
		return 1;
	if (fd < 0) {
		/* No pidfd (before Linux 5.3, valgrind): look every 10 ms. */
		const struct timespec tick = { 0, 10000000 };

		while (kill(pid, 0) == 0 && ms_left(deadline) > 0)
			nanosleep(&tick, NULL);
		return kill(pid, 0) < 0 && errno == ESRCH;
	}
	r = wait_readable(fd, ms_left(deadline));
	close(fd);
	return r > 0;
}

/* The watcher's pid from the info file, if that process is still one. */
static pid_t watcher_of(const struct pfi_server *s)
{
	char path[64], comm[32];
	ssize_t n = -1;
	int fd;

	if (!s->has_info || s->info.watcher <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/comm", (int)s->info.watcher);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;

		/* Anyone can name a process pfi-watcher: only ours count. */
		if (fstat(fd, &st) == 0 && st.st_uid == geteuid())
			n = read(fd, comm, sizeof comm - 1);
		close(fd);
	}
	if (n <= 0)
		return 0;
	comm[n] = '\0';
	return strcmp(comm, "pfi-watcher\n") ? 0 : s->info.watcher;
}

/* Every server's socket goes (each watcher sees it, each server quits);
 * then we wait, bounded, for the servers and their watchers to be gone.
 * The pids are those seen before the sockets went, and those of servers
 * that were still starting then. */
int pfi_kill_all(const struct pfi_rundir *d, const struct pfi_config *cfg)
{
	struct pfi_survey s;
	struct pfi_holders h;
	int64_t deadline;
	size_t left = 0;

	pfi_survey(d, PFI_SURVEY_STOP, cfg->timeout_ms * 2, &s);
	pfi_holders_scan(&h);
	deadline = now_ms() + cfg->timeout_ms;
	for (size_t i = 0; i < s.n; i++) {
		struct pfi_server *v = &s.v[i];
		pid_t late = v->has_info ? pfi_holders_server(&h, v->info.listener) : 0;
		pid_t w = watcher_of(v);

		if (!v->pid)
			v->pid = late;
		if ((v->pid && !gone_by(v->pid, deadline)) || (w && !gone_by(w, deadline))) {
			warnx_("--kill-all: the server of %s (pid %d) is still running",
			       v->has_info && v->info.script ? v->info.script : v->name,
			       (int)v->pid);
			left++;
		}
	}
	pfi_holders_free(&h);
	pfi_survey_free(&s);
	if (left)
		die("--kill-all: %zu server%s did not quit within %d ms of losing %s socket",
		    left, left == 1 ? "" : "s", cfg->timeout_ms, left == 1 ? "its" : "their");
	return EXIT_OK;
}
