#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434      /* Linux 5.3, the same number on every arch */
#endif

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

int ms_left(int64_t deadline_ms)
{
	int64_t left = deadline_ms - now_ms();

	if (left < 0)
		return 0;
	return left > 0x7fffffff ? 0x7fffffff : (int)left;
}

int poll_until(struct pollfd *fds, unsigned long nfds, int64_t deadline_ms)
{
	for (;;) {
		int r = poll(fds, (nfds_t)nfds, deadline_ms < 0 ? -1 : ms_left(deadline_ms));

		if (r >= 0 || errno != EINTR)
			return r;
	}
}

static int wait_events(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll_until(&p, 1, timeout_ms < 0 ? -1 : now_ms() + timeout_ms);

	return r < 0 ? -1 : r > 0;
}

int wait_readable(int fd, int timeout_ms)
{
	return wait_events(fd, POLLIN, timeout_ms);
}

int wait_writable(int fd, int timeout_ms)
{
	return wait_events(fd, POLLOUT, timeout_ms);
}

ssize_t read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t got = 0;

	while (got < n) {
		int r = wait_readable(fd, timeout_ms < 0 ? -1 : ms_left(deadline));
		ssize_t k;

		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		k = read(fd, (char *)buf + got, n - got);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

int write_all(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = write(fd, (const char *)buf + done, n - done);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)k;
	}
	return 0;
}

void reserve_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* open() returns the lowest free number: this one. */
		int got = open("/dev/null", O_PATH | O_CLOEXEC);

		if (got >= 0 && got != fd)
			close(got);
	}
}

static int set_fd_flag(int fd, int get, int set, int flag, int on)
{
	int flags = fcntl(fd, get);

	if (flags < 0)
		return -1;
	flags = on ? flags | flag : flags & ~flag;
	return fcntl(fd, set, flags);
}

int set_cloexec(int fd, int on)
{
	return set_fd_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, on);
}

int set_nonblock(int fd, int on)
{
	return set_fd_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on);
}

/* For kernels before 5.3 (and valgrind, which lacks pidfd_open): check
 * every millisecond.  Used only where the event cannot be waited on. */
static pid_t waitpid_polling(pid_t pid, int *status, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	const struct timespec tick = { 0, 1000000 };
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) == 0) {
		if (timeout_ms >= 0 && ms_left(deadline) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	return r;
}

pid_t waitpid_timeout(pid_t pid, int *status, int timeout_ms)
{
	pid_t r;
	int pfd;

	r = waitpid(pid, status, WNOHANG);
	if (r != 0 || timeout_ms == 0)
		return r;
	/* A pidfd becomes readable when the child exits: no polling loop. */
	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return errno == ENOSYS ? waitpid_polling(pid, status, timeout_ms) : -1;
	r = wait_readable(pfd, timeout_ms);
	close(pfd);
	if (r < 0)
		return -1;
	return waitpid(pid, status, WNOHANG);
}

int reap_or_kill(pid_t pid, int *status, int timeout_ms)
{
	pid_t r = waitpid_timeout(pid, status, timeout_ms);

	if (r != 0)
		return r < 0 ? -1 : 1;
	kill(pid, SIGKILL);
	/* SIGKILL cannot be caught: the bound only covers a stuck kernel. */
	r = waitpid_timeout(pid, status, 10000);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
