/* prefork-interp: the servers in the run directory, live or stale. */
#ifndef SOCKKIT_PFI_SWEEP_H
#define SOCKKIT_PFI_SWEEP_H

#include <sys/stat.h>
#include <sys/types.h>

#include "pfi.h"

struct pfi_server {
	char *name;             /* the socket is "s" name */
	struct stat st;         /* the socket file */
	int has_info;
	struct pfi_info info;   /* when has_info */
	pid_t pid;              /* the server process; 0: not seen */
};

struct pfi_survey {
	struct pfi_server *v;
	size_t n;
};

enum pfi_survey_mode {
	PFI_SURVEY_START,       /* before a start: pass over servers another
				 * client is busy with, and sockets without an
				 * info file (taken as live, not probed) */
	PFI_SURVEY_LOOK,        /* --list: the same, probing those sockets */
	PFI_SURVEY_STOP,        /* --kill-all: wait for busy ones, and remove
				 * every server */
};

/* Every socket of ours in the run directory, each under its lock: a stale
 * one is removed, a live one (removed too with PFI_SURVEY_STOP) listed in
 * out.  Then the info and lock files that belong to no socket go. */
void pfi_survey(const struct pfi_rundir *d, enum pfi_survey_mode mode, int timeout_ms,
		struct pfi_survey *out);
void pfi_survey_free(struct pfi_survey *s);

#endif
