/* The I/O helpers: bounded reads and polls, child waits, byte order. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io.h"
#include "tap.h"

static void test_be32(void)
{
	unsigned char b[4];

	put_be32(b, 0x01020304);
	tap_ok(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4, "put_be32 is big-endian");
	tap_is_int(get_be32((const unsigned char *)"\x00\x00\x03\x00"), 0x300,
		   "get_be32 reads a wait status");
	tap_is_int(get_be32((const unsigned char *)"\xff\xff\xff\xff"), 0xffffffffLL,
		   "get_be32 high bit");
}

static void test_read_full(void)
{
	int p[2];
	char buf[8];
	int64_t t0;
	ssize_t n;

	if (pipe(p) < 0)
		exit(99);
	write_all(p[1], "abc", 3);
	t0 = now_ms();
	n = read_full(p[0], buf, 8, 100);
	tap_ok(n < 0 && errno == ETIMEDOUT, "short data and no EOF times out");
	tap_ok(now_ms() - t0 >= 90 && now_ms() - t0 < 2000, "the bound holds");
	write_all(p[1], "de", 2);
	close(p[1]);
	n = read_full(p[0], buf, 8, 1000);
	tap_is_int(n, 2, "EOF gives a short count");
	close(p[0]);
}

static void test_waitpid_timeout(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	tap_is_int(waitpid_timeout(pid, &status, 50), 0, "a live child times out");
	kill(pid, SIGTERM);
	tap_is_int(waitpid_timeout(pid, &status, 5000), pid, "a dead child is reaped");
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "its status");
}

static void test_reap_or_kill(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		_exit(3);
	tap_is_int(reap_or_kill(pid, &status, 5000), 1, "a child that ends in time: 1");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 3, "... with its status");
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	tap_is_int(reap_or_kill(pid, &status, 50), 0, "a child past the bound is killed: 0");
	tap_ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "... by SIGKILL, and reaped");
	errno = 0;
	tap_is_int(reap_or_kill(pid, &status, 50), -1, "no such child: -1");
	tap_is_int(errno, ECHILD, "... with ECHILD");
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_poll_until(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct pollfd p;
	int fds[2];
	int64_t t0 = now_ms();

	if (pipe(fds) < 0)
		exit(99);
	p = (struct pollfd){ .fd = fds[0], .events = POLLIN };
	sigaction(SIGALRM, &sa, NULL);  /* no SA_RESTART: poll sees EINTR */
	ualarm(20000, 0);
	tap_is_int(poll_until(&p, 1, now_ms() + 150), 0, "nothing by the deadline: 0");
	tap_ok(now_ms() - t0 >= 140, "EINTR does not end the wait early");
	write_all(fds[1], "x", 1);
	tap_is_int(poll_until(&p, 1, -1), 1, "readable: 1");
	tap_is_int(poll_until(&p, 1, now_ms() - 10), 1, "a past deadline still reports what is ready");
	close(fds[0]);
	close(fds[1]);
}

/* In a child: with fd 1 closed, a new socket must not become stdout. */
static void test_reserve_std_fds(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		close(1);
		reserve_std_fds();
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		errno = 0;
		ssize_t w = write(1, "x", 1);
		_exit(s == 1 ? 1 : w >= 0 || errno != EBADF ? 2 : 0);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a closed stdout stays unusable and no socket takes its number");
}

int main(void)
{
	test_reserve_std_fds();
	test_be32();
	test_read_full();
	test_waitpid_timeout();
	test_reap_or_kill();
	test_poll_until();
	tap_is_int(ms_left(now_ms() - 5), 0, "ms_left is never negative");
	return tap_done();
}
