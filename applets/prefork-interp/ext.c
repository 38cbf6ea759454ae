/* prefork-interp: the sockkit-x1 extension, client side.
 *
 * After the 7.0.0 request (whose first byte is then 0x01, not 0x00) the
 * client sends the caller's working directory as an O_PATH fd and its
 * umask; while the script runs it forwards the signals below as one byte
 * each, and reads 5-byte records: 'T' (the script stopped: stop too) and
 * 'X' (the final wait status).  Full byte layout: prefork-interp(1). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "io.h"
#include "opt.h"

enum {
	REC_STATUS = 'X',       /* u32 wait status; the last record */
	REC_STOPPED = 'T',      /* u32 wire code of the stop signal */
	REC_LEN = 5,
	RECORD_TIMEOUT_MS = 10000,      /* the rest of a record, once begun */
};

/* Wire codes are fixed numbers (Linux x86/arm numbering), mapped to this
 * system's signals, so that both ends agree whatever the architecture. */
static const struct {
	int sig;
	unsigned char code;
} forwarded[] = {
	{ SIGHUP, 1 }, { SIGINT, 2 }, { SIGQUIT, 3 }, { SIGUSR1, 10 },
	{ SIGUSR2, 12 }, { SIGTERM, 15 }, { SIGCONT, 18 }, { SIGTSTP, 20 },
	{ SIGWINCH, 28 },
};
#define NFORWARDED (sizeof forwarded / sizeof forwarded[0])

/* Handlers only write the code here; the relay loop sends it on. */
static int sig_pipe[2] = { -1, -1 };

/* xdata: NUL-terminated words; unknown words are ignored.  Calls each(word)
 * until it returns non-zero; returns that, or 0. */
static int each_word(const struct pfi_conn *c, int (*each)(const char *, void *), void *arg)
{
	const char *p = (const char *)c->xdata;
	const char *end = p ? p + c->xdata_len : NULL;

	while (p && p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		int r;

		if (!nul)
			return 0;       /* an unterminated last word is no word */
		if ((r = each(p, arg)))
			return r;
		p = nul + 1;
	}
	return 0;
}

static int is_ext_word(const char *word, void *arg)
{
	(void)arg;
	return !strcmp(word, PFI_EXT_WORD);
}

int pfi_ext_offered(const struct pfi_conn *c)
{
	return each_word(c, is_ext_word, NULL);
}

struct wanted {
	const char *key;
	long long value;
};

static int is_wanted(const char *word, void *arg)
{
	struct wanted *w = arg;
	size_t k = strlen(w->key);

	return !strncmp(word, w->key, k) && word[k] == '=' &&
	       opt_parse_int(word + k + 1, 0, INT64_MAX, &w->value) == 0;
}

int pfi_ext_status(const struct pfi_conn *c, const char *key, long long *value)
{
	struct wanted w = { key, 0 };

	if (!each_word(c, is_wanted, &w))
		return -1;
	*value = w.value;
	return 0;
}

static unsigned char code_of(int sig)
{
	for (size_t i = 0; i < NFORWARDED; i++)
		if (forwarded[i].sig == sig)
			return forwarded[i].code;
	return 0;
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char code = code_of(sig);

	/* A full pipe drops the code: 64 KiB of pending signals is plenty. */
	ssize_t r = write(sig_pipe[1], &code, 1);

	(void)r;
	errno = saved;
}

/* One sigaction per signal on a warm call's path (ours in, the caller's
 * out), not a look and then a set: the signals are held meanwhile, so one
 * that the caller ignores and that comes just then stays ignored (putting
 * SIG_IGN back discards it). */
static void install_forwarding(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigset_t held, saved;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		die_errno("pipe");
	sigemptyset(&sa.sa_mask);
	sigemptyset(&held);
	for (size_t i = 0; i < NFORWARDED; i++)
		sigaddset(&held, forwarded[i].sig);
	if (sigprocmask(SIG_BLOCK, &held, &saved) < 0)
		die_errno("sigprocmask");
	for (size_t i = 0; i < NFORWARDED; i++) {
		struct sigaction old;

		if (sigaction(forwarded[i].sig, &sa, &old) < 0)
			die_errno("sigaction");
		/* What the caller ignores, a direct run would ignore too (e.g.
		 * INT and QUIT in a background job of a non-interactive shell). */
		if (old.sa_handler == SIG_IGN && sigaction(forwarded[i].sig, &old, NULL) < 0)
			die_errno("sigaction");
	}
	if (sigprocmask(SIG_SETMASK, &saved, NULL) < 0)
		die_errno("sigprocmask");
}

/* 01-request tail: the cwd fd (payload byte 00), u32 M = 4, u32 umask.
 * 0, or -1 with errno. */
int pfi_ext_send(const struct pfi_conn *c, const struct pfi_caller *caller)
{
	unsigned char block[8];

	install_forwarding();
	if (pfi_send_fd(c->fd, caller->cwd) < 0)
		return -1;
	put_be32(block, 4);
	put_be32(block + 4, (uint32_t)caller->umask);
	return write_all(c->fd, block, sizeof block);
}

/* The script stopped (it got our TSTP): stop as the shell expects, and
 * when continued our SIGCONT handler tells the server to continue it. */
static void stop_like_the_script(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, mine;
	sigset_t set;

	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &mine);
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGTSTP);
	sigaction(SIGTSTP, &mine, NULL);
}

static void relay_signals(int sock)
{
	unsigned char codes[64];
	ssize_t n;

	while ((n = read(sig_pipe[0], codes, sizeof codes)) > 0)
		if (write_all(sock, codes, (size_t)n) < 0 && errno != EPIPE)
			die_errno("forward signal");
}

/* Returns when a record other than the final status was handled. */
static void read_record(int sock)
{
	unsigned char rec[REC_LEN];
	ssize_t n = read_full(sock, rec, sizeof rec, RECORD_TIMEOUT_MS);
	uint32_t value;

	if (n < 0 && errno != ECONNRESET)
		die_errno("read from server");
	if (n != REC_LEN)
		pfi_die_no_status();
	value = get_be32(rec + 1);
	switch (rec[0]) {
	case REC_STATUS:
		if (value > 0x7fffffff)
			die("exit status 0x%x out of range", (unsigned)value);
		pfi_exit_like((int)value, "script");
	case REC_STOPPED:
		stop_like_the_script();
		return;
	default:
		die("unknown record 0x%02x from server", rec[0]);
	}
}

/* Like pfi_finish, this wait is bounded by the script, not by us: a
 * server that dies closes the socket and ends it. */
_Noreturn void pfi_ext_finish(const struct pfi_conn *c)
{
	struct pollfd p[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = sig_pipe[0], .events = POLLIN },
	};

	for (;;) {
		if (poll_until(p, 2, -1) < 0)
			die_errno("poll");
		if (p[1].revents)
			relay_signals(c->fd);
		if (p[0].revents)
			read_record(c->fd);
	}
}
