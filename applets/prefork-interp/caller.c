/* The caller's side of things: what the client keeps of the process that
 * ran it (to give back to the children that run the caller's programs, and
 * to pass on to sockkit-x1 servers), and leaving as the script left. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "pfi.h"

/* Writes to a server that died must be errors, not our death by SIGPIPE
 * (which would pass for the script's).  Every file we make is ours alone
 * (umask 077).  The caller's directory is kept open: the client itself
 * moves into the run directory. */
void pfi_caller_save(struct pfi_caller *c)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &c->sigpipe) < 0)
		die_errno("sigaction SIGPIPE");
	c->umask = umask(077);
	/* O_PATH: a directory we may not read, or one deleted since, still
	 * has a descriptor. */
	c->cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c->cwd < 0)
		die_errno("open the current directory");
	c->cwd_path = getcwd(NULL, 0);
}

int pfi_caller_restore(const struct pfi_caller *c)
{
	if (sigaction(SIGPIPE, &c->sigpipe, NULL) < 0)
		return -1;
	umask(c->umask);
	return fchdir(c->cwd);
}

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
	die("still alive after raising signal %d", sig);
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
		die("%s died by signal %d (%s)%s", what, sig, strsignal(sig),
		    WCOREDUMP(status) ? " (core dumped)" : "");
	}
	die("%s gave a strange wait status 0x%x", what, (unsigned)status);
}
