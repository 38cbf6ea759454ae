/* SIGINT and SIGTERM: a self-pipe the waits of the parent poll with the
 * children's pidfds, so that a signal ends the wait at once however long
 * -t is (the shared waits retry EINTR, as they should elsewhere). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "interrupt.h"
#include "io.h"

static int sig_pipe[2] = { -1, -1 };
static int caught;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (write(sig_pipe[1], &b, 1) < 0) {
		/* full: an earlier signal is already there */
	}
	errno = saved;
}

static void catch(int sig)
{
	struct sigaction sa, old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(sig, &sa, NULL);
}

void mpt_interrupt_arm(void)
{
	xpipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK);
	catch(SIGINT);
	catch(SIGTERM);
}

static void restore(int sig)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == on_signal) {
		sa.sa_handler = SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
}

void mpt_interrupt_disarm(void)
{
	restore(SIGINT);
	restore(SIGTERM);
	for (int i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
}

int mpt_interrupted(void)
{
	unsigned char b;

	if (!caught && sig_pipe[0] >= 0 && read(sig_pipe[0], &b, 1) == 1)
		caught = b;
	return caught;
}

int mpt_wait_child(pid_t pid, int *status, int64_t deadline_ms)
{
	struct pollfd p[2];
	pid_t r = waitpid(pid, status, WNOHANG);
	int pfd, n;

	if (r != 0)
		return r > 0 ? 1 : -2;
	if (mpt_interrupted())
		return -1;
	/* Without pidfds (before Linux 5.3) the wait cannot be cut short. */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		r = waitpid_timeout(pid, status, ms_left(deadline_ms));
		return r > 0 ? 1 : r == 0 ? 0 : -2;
	}
	p[0] = (struct pollfd){ pfd, POLLIN, 0 };
	p[1] = (struct pollfd){ sig_pipe[0], POLLIN, 0 };
	n = poll_until(p, sig_pipe[0] >= 0 ? 2 : 1, deadline_ms);
	close(pfd);
	if (n < 0)
		return -2;
	r = waitpid(pid, status, WNOHANG);
	if (r != 0)
		return r > 0 ? 1 : -2;
	return mpt_interrupted() ? -1 : 0;
}

_Noreturn void mpt_interrupt_end(void)
{
	int sig = mpt_interrupted();

	fflush(stdout);
	mpt_interrupt_disarm();
	if (sig)
		raise(sig);
	_exit(EXIT_FAIL);
}
