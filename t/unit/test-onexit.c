/* onexit.c (the static build's atexit) against the C library's atexit:
 * child processes register functions that write a letter each to a pipe,
 * then exit; ours and the library's must leave the same letters, in the
 * same order, and the same status.  Then what is ours alone: the limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "onexit.h"
#include "tap.h"

static int out = -1;                    /* the pipe, in the child */
static int (*add)(void (*)(void));      /* onexit_add or atexit */

static void say(const char *s)
{
	if (write(out, s, strlen(s)) < 0)
		_exit(99);
}

static void fa(void) { say("a"); }
static void fb(void) { say("b"); }
static void fc(void) { say("c"); }
static void fd_late(void) { say("d"); }
static void fe_adds(void) { say("e"); add(fd_late); }
static void ff_flushes(void) { printf("f"); }

static void three(void) { add(fa), add(fb), add(fc); exit(3); }
static void adds_at_exit(void) { add(fa), add(fe_adds), add(fb); exit(0); }
static void none_on__exit(void) { add(fa); _exit(5); }
static void stdout_after(void)
{
	/* The functions run before stdio is flushed: their output comes. */
	dup2(out, STDOUT_FILENO);
	add(ff_flushes);
	exit(0);
}

/* The letters a child running scenario with registrar r writes, and its
 * exit status. */
static int run(void (*scenario)(void), int (*r)(void (*)(void)), char *buf, size_t size)
{
	int p[2], status;
	ssize_t n, len = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(p) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		out = p[1], add = r;
		scenario();
		_exit(98);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, size - 1 - (size_t)len)) > 0)
		len += n;
	buf[len] = '\0';
	close(p[0]);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void same_as_atexit(void (*scenario)(void), const char *want, int want_status,
			   const char *name)
{
	char ours[64], theirs[64];
	int so = run(scenario, onexit_add, ours, sizeof ours);
	int st = run(scenario, atexit, theirs, sizeof theirs);

	if (!tap_ok(so == st && so == want_status && !strcmp(ours, theirs) && !strcmp(ours, want),
		    name))
		printf("# ours \"%s\" status %d, atexit's \"%s\" status %d, expected \"%s\" %d\n",
		       ours, so, theirs, st, want, want_status);
}

static void fill_up(void)
{
	for (int i = 0; i < ONEXIT_MAX; i++)
		if (onexit_add(fa) != 0)
			_exit(10);
	if (onexit_add(fb) != -1)
		_exit(11);
	exit(0);
}

int main(void)
{
	char buf[64];

	fflush(stdout);
	same_as_atexit(three, "cba", 3, "last registered runs first; exit's status kept");
	same_as_atexit(adds_at_exit, "beda", 0, "one registered while exiting runs next");
	same_as_atexit(none_on__exit, "", 5, "_exit runs none");
	same_as_atexit(stdout_after, "f", 0, "they run before stdout is flushed");
	tap_is_int(run(fill_up, onexit_add, buf, sizeof buf), 0,
		   "ONEXIT_MAX functions are taken, one more is refused with -1");
	tap_is_str(buf, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "and each of them runs");
	return tap_done();
}
