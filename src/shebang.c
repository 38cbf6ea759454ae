#include "shebang.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "split.h"

#define BLANKS " \t"
/* The script's path comes at most this far along: #! lines are short. */
#define MAX_SCRIPT_INDEX 8

/* The words of a script's first line after "#!", or NULL when path is not
 * a regular file that starts with "#!". */
static char **first_line_words(const char *path, size_t *n)
{
	char line[4096];
	struct stat st;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	got = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, line, sizeof line - 1) : -1;
	close(fd);
	if (got < 2 || line[0] != '#' || line[1] != '!')
		return NULL;
	line[got] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return split_words(line + 2, BLANKS, n);
}

/* Whether the line's words are the words of argv[0..k-1] (the kernel's argv:
 * the interpreter, then the rest of the line as one argument), or end with
 * them after an env that split the line itself ("#!/usr/bin/env -S APPLET
 * ..."). */
static int line_made(char **line, size_t nline, char **argv, int k)
{
	size_t at = nline;
	const char *env;

	for (int i = k - 1; i >= 0; i--) {
		size_t n;
		char **w = split_words(argv[i], BLANKS, &n);
		int same = n <= at;

		for (size_t j = 0; same && j < n; j++)
			same = !strcmp(line[at - n + j], w[j]);
		split_free(w);
		if (!same)
			return 0;
		at -= n;
	}
	if (at == 0)
		return 1;
	env = strrchr(line[0], '/');
	return !strcmp(env ? env + 1 : line[0], "env");
}

/* Where the script's path is in a #! call's argv (0: not a #! call). */
static int script_index(int argc, char **argv)
{
	for (int k = 1; k < argc && k <= MAX_SCRIPT_INDEX; k++) {
		size_t n;
		char **line = first_line_words(argv[k], &n);
		int made = line && line_made(line, n, argv, k);

		split_free(line);
		if (made)
			return k;
	}
	return 0;
}

/* { name, the words of head (may be NULL), the words of argv[from..to),
 * argv[rest]... }: the strings live on in the new vector. */
static void rebuild(const char *name, const char *head, int from, int to, int rest,
		    int *argc, char ***argv)
{
	char **v = *argv, **av;
	size_t cap = (size_t)*argc + 2, ac = 0;

	av = xcalloc(cap, sizeof *av);
	av[ac++] = (char *)name;
	for (int i = from - 1; i < to; i++) {
		const char *text = i < from ? head : v[i];
		size_t n;
		char **w;

		if (!text)
			continue;
		w = split_words(text, BLANKS, &n);
		av = xrealloc(av, (cap += n) * sizeof *av);
		memcpy(av + ac, w, n * sizeof *w);
		ac += n;
		free(w);
	}
	for (int i = rest; i < *argc; i++)
		av[ac++] = v[i];
	av[ac] = NULL;
	*argc = (int)ac;
	*argv = av;
}

void shebang_expand_link(int *argc, char ***argv)
{
	int k = script_index(*argc, *argv);

	if (k)
		rebuild((*argv)[0], NULL, 1, k, k + 1, argc, argv);
}

void shebang_expand_argument(const char *name, const char *rest, int *argc, char ***argv)
{
	int k = script_index(*argc, *argv);

	if (k)
		rebuild(name, rest, 2, k, k + 1, argc, argv);
	else
		shebang_pass_combined(name, rest, argc, argv);  /* typed: never split */
}

void shebang_pass_combined(const char *name, const char *rest, int *argc, char ***argv)
{
	char **v = *argv;
	char **av = xcalloc((size_t)*argc + 1, sizeof *av);
	int ac = 0;

	av[ac++] = (char *)name;
	if (rest && rest[strspn(rest, BLANKS)])
		av[ac++] = (char *)rest + strspn(rest, BLANKS);
	for (int i = 2; i < *argc; i++)
		av[ac++] = v[i];
	av[ac] = NULL;
	*argc = ac;
	*argv = av;
}
