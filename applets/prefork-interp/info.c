/* Info files: what a server is, written by the client that starts it, for
 * --list and for telling a live server from a stale socket.
 *
 * iNAME beside sNAME: "key=value" strings, each ended by a NUL (a script's
 * name may hold any other byte), after a first string naming the format.
 * Unknown keys are ignored.  Written to tNAME and renamed, so a reader sees
 * the old file or the new one, never half of one. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "num.h"
#include "pfi.h"

#define INFO_MAGIC "sockkit-prefork-info 1"
/* An info file beyond this is not one of ours. */
#define MAX_INFO (256 * 1024)

struct text {
	char *data;
	size_t len;
};

static void add(struct text *t, const char *key, const char *value)
{
	size_t n = strlen(key) + 1 + strlen(value) + 1;

	t->data = xrealloc(t->data, t->len + n);
	memcpy(t->data + t->len, key, strlen(key));
	t->data[t->len + strlen(key)] = '=';
	memcpy(t->data + t->len + strlen(key) + 1, value, strlen(value) + 1);
	t->len += n;
}

static void add_number(struct text *t, const char *key, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%llu", v);
	add(t, key, buf);
}

static struct text serialise(const struct pfi_info *info)
{
	struct text t = { xstrdup(INFO_MAGIC), sizeof INFO_MAGIC };

	add(&t, "interp", info->interp);
	for (char **a = info->interp_args; a && *a; a++)
		add(&t, "arg", *a);
	if (info->script)
		add(&t, "script", info->script);
	if (info->cwd)
		add(&t, "cwd", info->cwd);
	if (info->protocol)
		add(&t, "protocol", info->protocol);
	add_number(&t, "listener", info->listener);
	add_number(&t, "watcher", (unsigned long long)info->watcher);
	return t;
}

void pfi_info_write(const struct pfi_rundir *d, const char *name,
		    const struct pfi_info *info)
{
	char *tmp = xasprintf("t%s", name), *file = xasprintf("i%s", name);
	struct text t = serialise(info);
	int fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			0600);

	if (fd < 0 || write_all(fd, t.data, t.len) < 0)
		die_errno("write %s/%s", d->path, tmp);
	if (close(fd) < 0)
		die_errno("write %s/%s", d->path, tmp);
	if (renameat(d->fd, tmp, d->fd, file) < 0)
		die_errno("rename %s/%s to %s", d->path, tmp, file);
	free(t.data);
	free(tmp);
	free(file);
}

static void take(struct pfi_info *info, const char *s, size_t *nargs)
{
	const char *v = strchr(s, '=');
	size_t k;

	if (!v)
		return;
	k = (size_t)(v - s);
	v++;
	if (k == 6 && !memcmp(s, "interp", k) && !info->interp)
		info->interp = xstrdup(v);
	else if (k == 3 && !memcmp(s, "arg", k)) {
		info->interp_args = xrealloc(info->interp_args,
					     (*nargs + 2) * sizeof *info->interp_args);
		info->interp_args[(*nargs)++] = xstrdup(v);
		info->interp_args[*nargs] = NULL;
	} else if (k == 6 && !memcmp(s, "script", k) && !info->script)
		info->script = xstrdup(v);
	else if (k == 3 && !memcmp(s, "cwd", k) && !info->cwd)
		info->cwd = xstrdup(v);
	else if (k == 8 && !memcmp(s, "protocol", k) && !info->protocol)
		info->protocol = xstrdup(v);
	else if (k == 8 && !memcmp(s, "listener", k))
		num_scan(v, 10, ULLONG_MAX, &info->listener);
	else if (k == 7 && !memcmp(s, "watcher", k)) {
		unsigned long long pid;

		num_scan(v, 10, INT_MAX, &pid);
		info->watcher = (pid_t)pid;     /* 0 (none) unless a pid */
	}
}

/* 0 with info filled, -1 when there is none of ours (missing, not a
 * regular file of ours, too big, or not in this format). */
int pfi_info_read(const struct pfi_rundir *d, const char *name, struct pfi_info *info)
{
	char *file = xasprintf("i%s", name);
	int fd = openat(d->fd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n = -1;
	size_t nargs = 0;

	memset(info, 0, sizeof *info);
	free(file);
	if (fd < 0)
		return -1;
	/* In our private directory its mode does not matter; its owner does. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_size > 0 && st.st_size <= MAX_INFO) {
		buf = xmalloc((size_t)st.st_size + 1);
		n = read_full(fd, buf, (size_t)st.st_size, 0);
	}
	close(fd);
	if (n <= 0 || buf[n - 1] != '\0' || strcmp(buf, INFO_MAGIC)) {
		free(buf);
		return -1;
	}
	for (const char *s = buf + sizeof INFO_MAGIC; s < buf + n; s += strlen(s) + 1)
		take(info, s, &nargs);
	free(buf);
	if (!info->interp) {
		pfi_info_free(info);
		return -1;
	}
	return 0;
}

void pfi_info_free(struct pfi_info *info)
{
	free(info->interp);
	for (char **a = info->interp_args; a && *a; a++)
		free(*a);
	free(info->interp_args);
	free(info->script);
	free(info->cwd);
	free(info->protocol);
	memset(info, 0, sizeof *info);
}

static void remove_file(const struct pfi_rundir *d, char kind, const char *name)
{
	char *file = xasprintf("%c%s", kind, name);

	if (unlinkat(d->fd, file, 0) < 0 && errno != ENOENT)
		warn_errno("remove %s/%s", d->path, file);
	free(file);
}

/* The socket first: its watcher sees that, and the server quits. */
void pfi_remove_server(const struct pfi_rundir *d, const char *name)
{
	remove_file(d, 's', name);
	remove_file(d, 'i', name);
	remove_file(d, 't', name);
}

int pfi_remove_if_present(const struct pfi_rundir *d, const char *name)
{
	struct stat st;

	if (!name || !pfi_socket_present(d, name, &st))
		return 0;
	pfi_remove_server(d, name);
	return 1;
}
