/* What a failed start must not leave behind: the lock file, the new
 * server's socket and its info file.  They are removed at exit however the
 * client leaves (die() exits), unless the start succeeded and forgot them.
 * Only the process that registered a file removes it, not a child forked
 * meanwhile that exits.  Names are relative: the client's working
 * directory is the run directory for its whole life. */
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

static void undo_at_exit(void)
{
	if (undo.owner != getpid())
		return;
	for (size_t i = 0; i < MAX_UNDO; i++)
		if (undo.file[i])
			unlink(undo.file[i]);
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
			return;
		}
	die("internal error: more than %d files to remove on failure", MAX_UNDO);
}

void pfi_undo_drop(const char *file)
{
	for (size_t i = 0; i < MAX_UNDO; i++)
		if (undo.file[i] && !strcmp(undo.file[i], file)) {
			free(undo.file[i]);
			undo.file[i] = NULL;
		}
}
