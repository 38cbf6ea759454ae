/* SIGINT and SIGTERM: the parent keeps them blocked, with SIGCHLD, and
 * its waits for the children take whichever comes first with
 * sigtimedwait, so that a signal ends a wait at once however long -t is
 * (the shared waits retry EINTR, as they should elsewhere).  No handler
 * runs: nothing can happen half-way. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "interrupt.h"
#include "io.h"

static sigset_t waited;
static int caught;

/* A signal ignored when the program started stays so (a shell's
 * background job ignores SIGINT). */
static void take(int sig)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaddset(&waited, sig);
}

void mpt_interrupt_arm(void)
{
	sigemptyset(&waited);
	take(SIGINT);
	take(SIGTERM);
	sigaddset(&waited, SIGCHLD);
	/* A caller that ignores SIGCHLD would have the children reaped
	 * before the parent could see how they ended. */
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_BLOCK, &waited, NULL);
}

void mpt_interrupt_disarm(void)
{
	sigprocmask(SIG_UNBLOCK, &waited, NULL);
}

int mpt_interrupted(void)
{
	return caught;
}

int mpt_wait_child(pid_t pid, int *status, int64_t deadline_ms)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		int left = ms_left(deadline_ms), sig;
		struct timespec ts = { left / 1000, (long)(left % 1000) * 1000000 };

		if (r != 0)
			return r > 0 ? 1 : -2;
		if (caught)
			return -1;
		if (left <= 0)
			return 0;
		/* SIGCHLD: some child ended (maybe the other): look again. */
		sig = sigtimedwait(&waited, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			caught = sig;
		else if (sig < 0 && errno != EAGAIN && errno != EINTR)
			return -2;
	}
}

_Noreturn void mpt_interrupt_end(void)
{
	fflush(stdout);
	signal(caught, SIG_DFL);
	mpt_interrupt_disarm();
	kill(getpid(), caught);
	_exit(EXIT_FAIL);
}
