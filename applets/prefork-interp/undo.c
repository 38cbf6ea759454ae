/* What a failed start must not leave behind: the lock file, the new
 * server's socket and its info file.  They are removed at exit however the
 * client leaves (die() exits, and SIGHUP, SIGINT, SIGQUIT or SIGTERM, such
 * as timeout(1) sends the client alone, removes them before it kills: a
 * server whose socket is gone quits), unless the start succeeded and
 * forgot them.
 * Only the process that registered a file removes it, not a child forked
 * meanwhile that exits.  Names are relative: the client's working
 * directory is the run directory for its whole life. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "pfi.h"

#define MAX_UNDO 8

static struct {
	char *file[MAX_UNDO];
	pid_t owner;
} undo;

static const int undo_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
static struct sigaction undo_saved[sizeof undo_signals / sizeof *undo_signals];
static int undo_catching;

static void undo_at_exit(void)
{
	if (undo.owner != getpid())
		return;
	for (size_t i = 0; i < MAX_UNDO; i++)
		if (undo.file[i])
			unlink(undo.file[i]);
}

/* unlink and getpid are async-signal-safe; then the signal's own end. */
static void undo_on_signal(int sig)
{
	undo_at_exit();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* While files wait to be undone; a signal the caller ignores stays
 * ignored, and what was there before comes back after (the sockkit-x1
 * call forwards signals and must find the caller's dispositions). */
static void undo_catch_signals(int on)
{
	struct sigaction sa = { .sa_handler = undo_on_signal };

	if (on == undo_catching)
		return;
	undo_catching = on;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof undo_signals / sizeof *undo_signals; i++) {
		if (!on)
			sigaction(undo_signals[i], &undo_saved[i], NULL);
		else if (sigaction(undo_signals[i], NULL, &undo_saved[i]) == 0 &&
			 undo_saved[i].sa_handler != SIG_IGN)
			sigaction(undo_signals[i], &sa, NULL);
	}
}

void pfi_undo_push(const char *file)
{
	static int registered;

	if (!registered && atexit(undo_at_exit) == 0)
		registered = 1;
	undo.owner = getpid();
	for (size_t i = 0; i < MAX_UNDO; i++)
		if (!undo.file[i]) {
			undo.file[i] = xstrdup(file);
			undo_catch_signals(1);
			return;
		}
	die("internal error: more than %d files to remove on failure", MAX_UNDO);
}

void pfi_undo_drop(const char *file)
{
	int left = 0;

	for (size_t i = 0; i < MAX_UNDO; i++) {
		if (undo.file[i] && !strcmp(undo.file[i], file)) {
			free(undo.file[i]);
			undo.file[i] = NULL;
		}
		left += undo.file[i] != NULL;
	}
	if (!left)
		undo_catch_signals(0);
}
