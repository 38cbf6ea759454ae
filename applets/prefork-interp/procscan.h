/* prefork-interp: which processes of ours hold which sockets (/proc). */
#ifndef SOCKKIT_PFI_PROCSCAN_H
#define SOCKKIT_PFI_PROCSCAN_H

#include <stddef.h>
#include <sys/types.h>

struct pfi_holder {
	unsigned long long ino; /* the socket's inode, as /proc/PID/fd shows it */
	pid_t pid, ppid;
};

struct pfi_holders {
	struct pfi_holder *v;
	size_t n;
};

/* Every socket held by a process of our user, at this moment. */
void pfi_holders_scan(struct pfi_holders *h);
/* The server of the listening socket ino: its topmost holder, or 0. */
pid_t pfi_holders_server(const struct pfi_holders *h, unsigned long long ino);
void pfi_holders_free(struct pfi_holders *h);

/* The listening unix sockets of this network namespace (their inodes, in
 * v[].ino; no pids): one read of /proc/self/net/unix, where the holder scan
 * walks every fd of every process.  Empty when it cannot be read. */
void pfi_listeners_scan(struct pfi_holders *h);
int pfi_is_listening(const struct pfi_holders *h, unsigned long long ino);

#endif
