/* passwd_by_uid (the static build's getpwuid): the C library's own
 * getpwuid for every account of this system's /etc/passwd; a table of
 * passwd files, malformed lines as musl reads them included; and a table
 * of answers from a fake nscd, which also checks each request it gets.
 * (Each answer's outcome is musl 1.2.3's own getpwuid's, observed with
 * this fake at /var/run/nscd/socket, except for errno after a failure:
 * musl's fclose may turn EIO into ESPIPE.) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "passwd.h"
#include "tap.h"

static char dir[] = "/tmp/sockkit-test-passwd-XXXXXX", file[64], sock[64], none[64];

static int same_entry(const struct passwd *a, const struct passwd *b)
{
	return a->pw_uid == b->pw_uid && a->pw_gid == b->pw_gid &&
	       !strcmp(a->pw_name, b->pw_name) && !strcmp(a->pw_passwd, b->pw_passwd) &&
	       !strcmp(a->pw_gecos, b->pw_gecos) && !strcmp(a->pw_dir, b->pw_dir) &&
	       !strcmp(a->pw_shell, b->pw_shell);
}

/* The uid of a passwd line (its third field), or -1. */
static long long uid_of(const char *line)
{
	const char *colon = strchr(line, ':');

	if (!colon || !(colon = strchr(colon + 1, ':')) || colon[1] < '0' || colon[1] > '9')
		return -1;
	return strtoll(colon + 1, NULL, 10);
}

/* Every uid of /etc/passwd, as the C library's getpwuid gives it. */
static void check_system(void)
{
	char *line = NULL;
	size_t cap = 0, checked = 0, differ = 0;
	FILE *f = fopen("/etc/passwd", "r");

	if (!f) {
		tap_ok(1, "# SKIP no /etc/passwd");
		return;
	}
	while (getline(&line, &cap, f) >= 0) {
		long long uid = uid_of(line);
		struct passwd theirs, *t = uid < 0 ? NULL : getpwuid((uid_t)uid), *ours;

		if (!t)
			continue;
		theirs = *t;    /* strings too: the next call may reuse its buffer */
		theirs.pw_name = strdup(t->pw_name);
		theirs.pw_passwd = strdup(t->pw_passwd);
		theirs.pw_gecos = strdup(t->pw_gecos);
		theirs.pw_dir = strdup(t->pw_dir);
		theirs.pw_shell = strdup(t->pw_shell);
		ours = passwd_by_uid((uid_t)uid, "/etc/passwd", none, 1000);
		checked++;
		if (!ours || !same_entry(ours, &theirs)) {
			differ++;
			printf("# uid %lld: getpwuid %s:%s, ours %s\n", uid, theirs.pw_name,
			       theirs.pw_dir, ours ? ours->pw_dir : "(none)");
		}
		free(theirs.pw_name);
		free(theirs.pw_passwd);
		free(theirs.pw_gecos);
		free(theirs.pw_dir);
		free(theirs.pw_shell);
	}
	free(line);
	fclose(f);
	tap_ok(checked > 0 && differ == 0, "as getpwuid: every account of /etc/passwd");
}

/* A passwd file, a uid, and the home directory the lookup must find
 * (NULL: none). */
static const struct {
	const char *text;
	unsigned uid;
	const char *dir;
	const char *name;
} files[] = {
	{ "root:x:0:0:root:/root:/bin/sh\n", 0, "/root", "one line" },
	{ "a:x:1:1::/first:/bin/sh\nb:x:1:1::/second:/bin/sh\n", 1, "/first", "the first line of a uid" },
	{ "a:x:1:1::/first:/bin/sh\n", 2, NULL, "an unknown uid" },
	{ "", 0, NULL, "an empty file" },
	{ "garbage\n\n:\nu:x:3x:3::/bad:/s\nu:x:3:3:/bad\nu:x:3:3::/good:/bin/sh\n", 3, "/good",
	  "malformed lines are skipped" },
	{ "u:x:4:4::/h4:/bin/sh", 4, "/h4", "a last line without its newline" },
	{ "u:x:4:4::/h4:", 4, NULL, "... loses its last byte, as musl's getline loop has it" },
	{ "u:x:5:5::/h5:/bin/sh\r\n", 5, "/h5", "a CRLF line" },
	{ ":x:7:7::/h7:/s\n", 7, NULL, "an empty name: the first ':' is part of the name" },
	{ "w:x:4294967297:6::/wrapped:/s\n", 1, "/wrapped", "a uid past 32 bits wraps, as musl's" },
	{ "u:x::8::/h8:/s\n", 0, "/h8", "no digits: uid 0" },
	{ "u:x:9:9:a:b:c:/h9:/s\n", 9, "b", "extra colons go to the shell" },
	{ "u\0x:10:10::/nul:/s\nu:x:10:10::/h10:/s\n", 10, "/h10", "a line with a NUL byte is cut there" },
};

static void check_files(void)
{
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		size_t len = strlen(files[i].text);
		struct passwd *pw;

		if (i == sizeof files / sizeof *files - 1)
			len = sizeof "u\0x:10:10::/nul:/s\nu:x:10:10::/h10:/s\n" - 1;
		if (fd < 0 || write(fd, files[i].text, len) != (ssize_t)len || close(fd) < 0) {
			perror(file);
			exit(1);
		}
		errno = 1234;
		pw = passwd_by_uid(files[i].uid, file, none, 1000);
		if (files[i].dir)
			tap_ok(pw && !strcmp(pw->pw_dir, files[i].dir), files[i].name);
		else
			tap_ok(!pw && errno == 1234, files[i].name);
	}
	errno = 0;
	tap_ok(!passwd_by_uid(0, none, none, 1000) && errno == ENOENT,
	       "no passwd file: ENOENT, and nscd is not asked");
	errno = 0;
	tap_ok(!passwd_by_uid(0, dir, none, 1000) && errno == EISDIR,
	       "a passwd file that cannot be read: its errno");
}

/* ---- nscd ---- */

enum reply { ANSWER, NOT_FOUND, BAD_VERSION, EMPTY_FIELD, NEGATIVE_LEN, NO_NUL, OTHER_UID,
	     SHORT_STRINGS, HANG_UP, HALF_HEAD, SILENT };

/* In the child: one connection.  The request must be nscd's for uid 1000;
 * the answer is what reply says.  0, or 1 when the request was not as it
 * should be. */
static int serve_one(int lfd, enum reply reply)
{
	char strings[] = "nscduser\0*\0Nscd User\0/nscd/home\0/bin/sh";
	int32_t want[3] = { 2, 1, 5 }, req[3];
	int32_t head[9] = { 2, 1, 9, 2, 1000, 100, 10, 11, 8 };
	char key[5];
	int c = accept(lfd, NULL, NULL);

	if (c < 0 || read(c, req, sizeof req) != sizeof req || read(c, key, 5) != 5)
		return 1;
	if (memcmp(req, want, sizeof want) || memcmp(key, "1000", 5))
		return 1;
	if (reply == SILENT) {
		char b;

		return read(c, &b, 1) < 0;      /* until the client gives up */
	}
	if (reply == HANG_UP)
		return close(c) < 0;
	head[1] = reply != NOT_FOUND;
	head[0] = reply == BAD_VERSION ? 3 : 2;
	if (reply == EMPTY_FIELD)
		head[6] = 0;
	if (reply == NEGATIVE_LEN)
		head[7] = -11;
	if (reply == OTHER_UID)
		head[4] = 1001;
	if (reply == NO_NUL)
		strings[sizeof strings - 1] = 'h';
	/* The client may stop reading early (after a head that says not
	 * found, or another version): what it leaves unread is not an error. */
	if (write(c, head, reply == HALF_HEAD ? sizeof head / 2 : sizeof head) >= 0 &&
	    reply != HALF_HEAD)
		(void)!write(c, strings, sizeof strings - (reply == SHORT_STRINGS));
	close(c);
	return 0;
}

static const struct {
	enum reply reply;
	int want;               /* 1 found, 0 none, or the errno */
	const char *name;
} answers[] = {
	{ ANSWER, 1, "nscd: the account it gives, when the file has none" },
	{ NOT_FOUND, 0, "nscd: not found is none, errno unchanged" },
	{ BAD_VERSION, EIO, "nscd: an answer of another version is EIO" },
	{ EMPTY_FIELD, EIO, "nscd: an empty string is EIO" },
	{ NEGATIVE_LEN, ENOMEM, "nscd: a negative length is ENOMEM" },
	{ NO_NUL, EIO, "nscd: a string without its NUL is EIO" },
	{ OTHER_UID, EIO, "nscd: another uid's account is EIO" },
	{ SHORT_STRINGS, EIO, "nscd: strings cut short are EIO" },
	{ HANG_UP, 0, "nscd: hung up on before an answer is none known, as musl's" },
	{ HALF_HEAD, 0, "nscd: half an answer's head is none known, as musl's" },
	{ SILENT, ETIMEDOUT, "nscd: no answer within the bound is ETIMEDOUT" },
};

static void check_nscd(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), fd, status;

	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "root:x:0:0::/root:/bin/sh\n", 26) != 26 || close(fd) < 0)
		exit(1);
	strcpy(sun.sun_path, sock);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(lfd, 4) < 0) {
		perror(sock);
		exit(1);
	}
	for (size_t i = 0; i < sizeof answers / sizeof *answers; i++) {
		pid_t pid = fork();
		struct passwd *pw;
		int got;

		if (pid == 0) {
			alarm(10);      /* a client that never comes or goes */
			signal(SIGPIPE, SIG_IGN);
			_exit(serve_one(lfd, answers[i].reply));
		}
		errno = 1234;
		pw = passwd_by_uid(1000, file, sock, answers[i].reply == SILENT ? 300 : 5000);
		got = pw ? 1 : errno == 1234 ? 0 : errno;
		/* The child ends by itself: after its answer, or, SILENT, when
		 * the client gives up and closes (killing it here raced with
		 * its own exit). */
		tap_ok(pid > 0 && waitpid(pid, &status, 0) == pid &&
		       WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "... the request as nscd's protocol has it");
		if (!tap_ok(got == answers[i].want &&
			    (!pw || (!strcmp(pw->pw_name, "nscduser") && !strcmp(pw->pw_dir, "/nscd/home") &&
				     !strcmp(pw->pw_gecos, "Nscd User") && pw->pw_gid == 100 &&
				     !strcmp(pw->pw_shell, "/bin/sh"))),
			    answers[i].name))
			printf("# expected %d, got %d\n", answers[i].want, got);
	}
	close(lfd);
	errno = 1234;
	tap_ok(!passwd_by_uid(1000, file, sock, 1000) && errno == 1234,
	       "nscd: a socket no one listens on means none known");
	unlink(sock);
	tap_ok(!passwd_by_uid(1000, file, sock, 1000) && errno == 1234,
	       "nscd: no socket means none known");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	snprintf(file, sizeof file, "%s/passwd", dir);
	snprintf(sock, sizeof sock, "%s/socket", dir);
	snprintf(none, sizeof none, "%s/none", dir);
	check_system();
	check_files();
	check_nscd();
	unlink(file);
	rmdir(dir);
	return tap_done();
}
