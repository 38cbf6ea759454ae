/* Which of our processes hold which listening sockets: one pass over
 * /proc/PID/fd of every process of our user.
 *
 * The server of a socket is the process that holds its listening socket
 * (the client that bound it handed it over in PREFORK_INTERP); when several
 * do (a server and spares it forked), the one whose parent does not hold
 * it.  This needs no connection to the server: connecting to a 7.0.0 one
 * (Debian's Perl module) makes it fork a process that logs an error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "num.h"
#include "procscan.h"

/* The parent of the process whose /proc directory is dir, or 0. */
static pid_t parent_of(int dir)
{
	char buf[1024];
	int fd = openat(dir, "stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	const char *p, *end;
	unsigned long long ppid;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');  /* the name (field 2) may hold anything */
	if (!p || strlen(p) < 5)
		return 0;
	end = num_scan(p + 4, 10, INT_MAX, &ppid);     /* ") S PPID": state, then parent */
	return end > p + 4 && *end == ' ' ? (pid_t)ppid : 0;
}

static void add_holder(struct pfi_holders *h, unsigned long long ino, pid_t pid, pid_t ppid)
{
	h->v = xrealloc(h->v, (h->n + 1) * sizeof *h->v);
	h->v[h->n++] = (struct pfi_holder){ ino, pid, ppid };
}

static void scan_fds(struct pfi_holders *h, int dir, pid_t pid)
{
	int fdd = openat(dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdd < 0 ? NULL : fdopendir(fdd);
	struct dirent *e;
	pid_t ppid = -1;

	if (!d) {
		if (fdd >= 0)
			close(fdd);
		return;         /* gone meanwhile, or not ours to read */
	}
	while ((e = readdir(d))) {
		char link[64];
		const char *end;
		unsigned long long ino;
		ssize_t n = readlinkat(fdd, e->d_name, link, sizeof link - 1);

		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "socket:[", 8))
			continue;
		end = num_scan(link + 8, 10, ULLONG_MAX, &ino);
		if (end == link + 8 || strcmp(end, "]"))
			continue;
		if (ppid < 0)
			ppid = parent_of(dir);
		add_holder(h, ino, pid, ppid);
	}
	closedir(d);
}

void pfi_holders_scan(struct pfi_holders *h)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;

	h->v = NULL;
	h->n = 0;
	if (!proc)
		return;         /* no /proc: every server's pid unknown */
	while ((e = readdir(proc))) {
		unsigned long long pid;
		struct stat st;
		int dir;

		if (*num_scan(e->d_name, 10, INT_MAX, &pid) || pid == 0)
			continue;
		dir = openat(dirfd(proc), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			continue;
		if (fstat(dir, &st) == 0 && st.st_uid == geteuid())
			scan_fds(h, dir, (pid_t)pid);
		close(dir);
	}
	closedir(proc);
}

static int holds(const struct pfi_holders *h, unsigned long long ino, pid_t pid)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].ino == ino && h->v[i].pid == pid)
			return 1;
	return 0;
}

pid_t pfi_holders_server(const struct pfi_holders *h, unsigned long long ino)
{
	pid_t best = 0;

	for (size_t i = 0; i < h->n; i++) {
		const struct pfi_holder *x = &h->v[i];

		if (x->ino != ino || holds(h, ino, x->ppid))
			continue;
		if (!best || x->pid < best)
			best = x->pid;
	}
	return best;
}

void pfi_holders_free(struct pfi_holders *h)
{
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

/* One line of /proc/net/unix: "Num: RefCount Protocol Flags Type St Inode
 * [Path]", hexadecimal but for the inode.  A listening socket has the flag
 * __SO_ACCEPTCON (0x10000). */
static int parse_listener(const char *line, unsigned long long *ino)
{
	const char *p = strchr(line, ':');
	unsigned long long field[5];    /* RefCount Protocol Flags Type St */

	if (!p)
		return 0;
	p++;
	for (int i = 0; i < 5; i++)
		p = num_scan(p, 16, ULLONG_MAX, &field[i]);
	p = num_scan(p, 10, ULLONG_MAX, ino);
	return (field[2] & 0x10000) && *ino && (*p == ' ' || *p == '\n' || !*p);
}

void pfi_listeners_scan(struct pfi_holders *h)
{
	int fd = open("/proc/self/net/unix", O_RDONLY | O_CLOEXEC);
	char *buf = NULL, *line, *nl;
	size_t len = 0, cap = 0;
	ssize_t n = 1;

	h->v = NULL;
	h->n = 0;
	if (fd < 0)
		return;
	while (n > 0) {
		if (cap - len < 4096)
			buf = xrealloc(buf, cap = cap * 2 + 4096);
		n = read(fd, buf + len, cap - len - 1);
		if (n > 0)
			len += (size_t)n;
	}
	close(fd);
	if (!buf)
		return;
	buf[len] = '\0';
	for (line = buf; line && *line; line = nl ? nl + 1 : NULL) {
		unsigned long long ino;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (parse_listener(line, &ino))
			add_holder(h, ino, 0, 0);
	}
	free(buf);
}

int pfi_is_listening(const struct pfi_holders *h, unsigned long long ino)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].ino == ino)
			return 1;
	return 0;
}
