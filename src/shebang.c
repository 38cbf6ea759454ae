#include "shebang.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "split.h"

#define BLANKS " \t"

/* Whether path is a script whose first line is "#!INTERP" followed, when
 * arg is given, by blanks and arg: the line the kernel made argv from (it
 * drops the blanks around the optional argument). */
static int is_script_for(const char *path, const char *interp, const char *arg)
{
	char line[4096];
	struct stat st;
	const char *p = line;
	size_t len = strlen(interp);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return 0;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, line, sizeof line - 1) : -1;
	close(fd);
	if (n < 2)
		return 0;
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(p, "#!", 2))
		return 0;
	p += 2 + strspn(p + 2, BLANKS);
	if (strncmp(p, interp, len))
		return 0;
	p += len;
	if (arg) {
		size_t blanks = strspn(p, BLANKS), alen = strlen(arg);

		if (!blanks || strncmp(p + blanks, arg, alen))
			return 0;
		p += blanks + alen;
	}
	return p[strspn(p, BLANKS)] == '\0';
}

/* { name, the words of opts (if any), argv[from]... }. */
static void rebuild(const char *name, const char *opts, int from, int *argc, char ***argv)
{
	size_t nwords = 0;
	char **words = opts ? split_words(opts, BLANKS, &nwords) : NULL;
	char **av = xcalloc((size_t)*argc + nwords + 1, sizeof *av);
	int ac = 0;

	av[ac++] = (char *)name;
	for (size_t i = 0; i < nwords; i++)
		av[ac++] = words[i];    /* the strings live on in av */
	free(words);
	for (int i = from; i < *argc; i++)
		av[ac++] = (*argv)[i];
	av[ac] = NULL;
	*argc = ac;
	*argv = av;
}

void shebang_expand_link(int *argc, char ***argv)
{
	char **v = *argv;

	if (*argc >= 3 && is_script_for(v[2], v[0], v[1]))
		rebuild(v[0], v[1], 3, argc, argv);     /* "#!.../bindtest -n -s" */
	else if (*argc >= 2 && is_script_for(v[1], v[0], NULL))
		rebuild(v[0], NULL, 2, argc, argv);     /* no option: "#!.../bindtest" */
}

void shebang_expand_argument(const char *name, const char *rest, int *argc, char ***argv)
{
	char **v = *argv;
	int script = *argc >= 3 && is_script_for(v[2], v[0], v[1]);

	rebuild(name, rest, script ? 3 : 2, argc, argv);
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
