/* getpwuid without stdio, for the static binary (-Dstatic=true with musl;
 * src/static-libc.c makes it libc's getpwuid there).
 *
 * musl's getpwuid reads /etc/passwd through fopen and getline, then asks
 * nscd: with the stdio it brings, 5.5 KB of a static sockkit, for
 * prefork-interp's one question (our home directory, a place for the run
 * directory).  This does the same two steps with read(2) and a socket,
 * and gives the same answers as musl 1.2.3's, for malformed lines and
 * nscd's bad answers too.  It differs in three ways: nscd gets a bound
 * (musl would wait for one that never answers; this fails with
 * ETIMEDOUT), the file is read whole before its lines are looked at (a
 * read error past the line musl stops at fails here), and errno after a
 * failure is the failure's (musl's fclose of the nscd socket may leave
 * ESPIPE instead).  t/unit/test-passwd.c holds it to the rest, and the
 * answers of its fake nscd were checked against musl's own getpwuid. */
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "io.h"
#include "net.h"

/* nscd's protocol (glibc's nscd-client.h, version 2): a request is three
 * int32s and the key; a passwd answer nine int32s, then the strings. */
enum { NSCD_VERSION = 2, NSCD_GETPWBYUID = 1 };
enum { PW_VERSION, PW_FOUND, PW_NAMELEN, PW_PASSWDLEN, PW_UID, PW_GID, PW_GECOSLEN,
       PW_DIRLEN, PW_SHELLLEN, PW_HEAD };

static struct passwd entry;
static char *entry_text;        /* what entry's strings point into */

/* The whole file, a NUL after it; NULL with errno. */
static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n = 1;

	*len = 0;
	if (fd < 0)
		return NULL;
	while (n > 0) {
		if (cap - *len < 4096) {
			char *more = realloc(buf, cap = cap * 2 + 4096);

			if (!more)
				break;
			buf = more;
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n > 0)
			*len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			n = 1;
	}
	if (n != 0) {           /* a read error, or out of memory */
		int e = n < 0 ? errno : ENOMEM;

		free(buf);
		close(fd);
		errno = e;
		return NULL;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* Decimal digits at *s, wrapping as musl's do (no sign, no bound). */
static unsigned scan_id(char **s)
{
	unsigned v = 0;

	for (; **s >= '0' && **s <= '9'; ++*s)
		v = v * 10 + (unsigned)(**s - '0');
	return v;
}

/* The field that ends at the next ':', cut there; NULL when no ':'. */
static char *cut_field(char **s)
{
	char *field = *s, *colon = strchr(*s, ':');

	if (!colon)
		return NULL;
	*colon = '\0';
	*s = colon + 1;
	return field;
}

/* "name:passwd:uid:gid:gecos:dir:shell" into entry: 1, or 0 when the line
 * is not of that form.  The name has a character at least: a ':' first
 * is part of it. */
static int parse_line(char *line)
{
	char *s = line + 1;

	if (!*line)
		return 0;
	entry.pw_name = line;
	if (!(s = strchr(s, ':')))
		return 0;
	*s++ = '\0';
	entry.pw_passwd = s;
	if (!(cut_field(&s)))
		return 0;
	entry.pw_uid = scan_id(&s);
	if (*s != ':')
		return 0;
	*s++ = '\0';
	entry.pw_gid = scan_id(&s);
	if (*s != ':')
		return 0;
	*s++ = '\0';
	if (!(entry.pw_gecos = cut_field(&s)) || !(entry.pw_dir = cut_field(&s)))
		return 0;
	entry.pw_shell = s;
	return 1;
}

/* The first line for uid in text (len bytes): 1 found, 0 not.  A line
 * ends at its newline, and, as musl's getline loop has it, the last line
 * without one loses its last byte instead. */
static int find_in_file(char *text, size_t len, uid_t uid)
{
	for (char *line = text, *end = text + len; line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *next;

		if (nl) {
			*nl = '\0';
			next = nl + 1;
		} else {
			end[-1] = '\0';
			next = end;
		}
		if (parse_line(line) && entry.pw_uid == uid)
			return 1;
		line = next;
	}
	return 0;
}

/* One request to nscd, its answer's head in head: 1 answered, 0 no
 * account known (no nscd listening, sockets unavailable, or a hang-up
 * before a whole head: musl 1.2.3 means to ask once more in the other
 * byte order then, but its second request never leaves, as its length
 * field, swapped, fails its own bound), -1 with errno. */
static int nscd_ask(const char *path, const char *key, int timeout_ms, int32_t head[PW_HEAD],
		    int *fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int32_t req[3] = { NSCD_VERSION, NSCD_GETPWBYUID, (int32_t)strlen(key) + 1 };
	char msg[sizeof req + 16];
	size_t len = sizeof req + strlen(key) + 1;
	ssize_t n;

	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, path);
	memcpy(msg, req, sizeof req);
	memcpy(msg + sizeof req, key, strlen(key) + 1);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return errno == EAFNOSUPPORT ? 0 : -1;
	if (net_connect(*fd, (struct sockaddr *)&sun, sizeof sun, timeout_ms) < 0)
		return errno == EACCES || errno == ECONNREFUSED || errno == ENOENT ? 0 : -1;
	n = send(*fd, msg, len, MSG_NOSIGNAL);
	if (n >= 0 && (size_t)n != len)
		errno = EIO;    /* a short send on a fresh socket: nscd gone */
	if (n < 0 || (size_t)n != len)
		return -1;
	n = read_full(*fd, head, PW_HEAD * sizeof *head, timeout_ms);
	if (n < 0)
		return -1;
	if ((size_t)n < PW_HEAD * sizeof *head)
		return 0;
	if (head[PW_VERSION] != NSCD_VERSION) {
		errno = EIO;
		return -1;
	}
	return 1;
}

/* The strings of an nscd answer into entry: 0, or -1 with errno. */
static int nscd_strings(int fd, const int32_t head[PW_HEAD], uid_t uid, int timeout_ms)
{
	/* In the order nscd sends them: where each length is, which field. */
	static const unsigned char order[5][2] = {
		{ PW_NAMELEN, offsetof(struct passwd, pw_name) },
		{ PW_PASSWDLEN, offsetof(struct passwd, pw_passwd) },
		{ PW_GECOSLEN, offsetof(struct passwd, pw_gecos) },
		{ PW_DIRLEN, offsetof(struct passwd, pw_dir) },
		{ PW_SHELLLEN, offsetof(struct passwd, pw_shell) },
	};
	size_t total = 0;
	int empty = 0, negative = 0;
	ssize_t got;
	char *p;

	for (int i = 0; i < 5; i++) {
		empty |= head[order[i][0]] == 0;
		negative |= head[order[i][0]] < 0;
		total += (size_t)(uint32_t)head[order[i][0]];
	}
	if (empty || negative) {
		/* An empty string cannot even hold its NUL. */
		errno = empty ? EIO : ENOMEM;
		return -1;
	}
	free(entry_text);
	if (!(entry_text = malloc(total)))
		return -1;
	got = read_full(fd, entry_text, total, timeout_ms);
	if (got >= 0 && (size_t)got != total)
		errno = EIO;
	if (got < 0 || (size_t)got != total)
		return -1;
	errno = EIO;
	p = entry_text;
	for (int i = 0; i < 5; i++) {
		*(char **)(void *)((char *)&entry + order[i][1]) = p;
		p += head[order[i][0]];
		if (p[-1])      /* each must end in its NUL */
			return -1;
	}
	entry.pw_uid = (uid_t)head[PW_UID];
	entry.pw_gid = (gid_t)head[PW_GID];
	return entry.pw_uid == uid ? 0 : -1;
}

/* 1 found, 0 not known, -1 with errno. */
static int ask_nscd(uid_t uid, const char *path, int timeout_ms)
{
	char key[16];
	int32_t head[PW_HEAD];
	int fd = -1, r;

	snprintf(key, sizeof key, "%u", (unsigned)uid);
	r = nscd_ask(path, key, timeout_ms, head, &fd);
	if (r == 1)
		r = !head[PW_FOUND] ? 0 : nscd_strings(fd, head, uid, timeout_ms) < 0 ? -1 : 1;
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return r;
}

struct passwd *passwd_by_uid(uid_t uid, const char *passwd_file, const char *nscd_socket,
			     int timeout_ms)
{
	int saved = errno, r;
	size_t len;
	char *text = read_file(passwd_file, &len);

	if (!text)
		return NULL;
	free(entry_text);
	entry_text = text;
	if (find_in_file(text, len, uid))
		return &entry;
	r = ask_nscd(uid, nscd_socket, timeout_ms);
	if (r == 0)
		errno = saved;
	return r == 1 ? &entry : NULL;
}
