/* I/O and process helpers: every blocking wait here takes a bound. */
#ifndef SOCKKIT_IO_H
#define SOCKKIT_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic clock. */
int64_t now_ns(void);
int64_t now_ms(void);

/* Milliseconds left until deadline (a now_ms() value), never negative. */
int ms_left(int64_t deadline_ms);

/* Wait until fd is readable (or writable): 1 ready, 0 timed out, -1 error.
 * timeout_ms < 0 waits forever; EINTR is retried with the time left. */
int wait_readable(int fd, int timeout_ms);
int wait_writable(int fd, int timeout_ms);

/* poll(2) until deadline_ms (a now_ms() value; < 0: no deadline), retrying
 * EINTR with the time left: poll's count, 0 at the deadline, -1 on error. */
struct pollfd;
int poll_until(struct pollfd *fds, unsigned long nfds, int64_t deadline_ms);

/* Read exactly n bytes unless EOF comes first.  Returns the count read
 * (< n only at EOF), or -1 with errno (ETIMEDOUT when the bound passed). */
ssize_t read_full(int fd, void *buf, size_t n, int timeout_ms);
/* Write all n bytes (retrying short writes and EINTR): 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t n);


/* Occupy each closed fd of 0, 1, 2 with an O_PATH descriptor (close-on-exec)
 * so that no socket or file we open can land there: reads and writes on it
 * still fail with EBADF, as on a closed fd. */
void reserve_std_fds(void);

int set_cloexec(int fd, int on);
int set_nonblock(int fd, int on);

/* Wait for a child with a bound: the pid, 0 on timeout, -1 with errno. */
pid_t waitpid_timeout(pid_t pid, int *status, int timeout_ms);

/* Reap a child within timeout_ms, or kill it (SIGKILL) and reap it then:
 * 1 it ended in time, 0 it was killed (status is then the kill's), -1 with
 * errno when it could not be waited for. */
int reap_or_kill(pid_t pid, int *status, int timeout_ms);

/* Big-endian 32-bit encoding, as the wire protocols use. */
void put_be32(unsigned char *p, uint32_t v);
uint32_t get_be32(const unsigned char *p);

#endif
