/* sockkit: the multicall entry point.
 *
 * An applet is found by argv[0]'s basename (a symlink or hard link), by the
 * first argument ("sockkit bindtest -s"), or by the front of the first
 * argument when Linux passes a whole #! line tail as one argument
 * ("#!/usr/bin/sockkit prefork-interp -U perl" gives
 * argv[1] = "prefork-interp -U perl"). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets.h"
#include "err.h"
#include "io.h"
#include "split.h"

/* What separates the applet name from the rest of a #! line tail. */
#define SHEBANG_SEPS " \t,"

static int run_applet(const struct applet *a, int argc, char **argv)
{
	err_prog = a->name;
	return a->main(argc, argv);
}

static void print_applets(FILE *out, int with_summary)
{
	for (size_t i = 0; i < applet_count; i++) {
		if (with_summary)
			fprintf(out, "  %-16s %s\n", applets[i].name, applets[i].summary);
		else
			fprintf(out, "%s\n", applets[i].name);
	}
}

static void print_usage(FILE *out)
{
	fprintf(out,
		"Usage: sockkit APPLET [ARGUMENT]...\n"
		"   or: APPLET [ARGUMENT]...      (through a link named after the applet)\n"
		"   or: sockkit --list | --help [APPLET] | --version | --install [-f] DIR\n"
		"\nApplets:\n");
	print_applets(out, 1);
}

static int cmd_help(int argc, char **argv)
{
	const struct applet *a;

	if (argc == 2) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (argc > 3)
		die_usage("--help takes at most one applet name");
	a = applet_find(argv[2]);
	if (!a)
		die_code(EXIT_NOAPPLET, "%s: applet not found", argv[2]);
	char *help_argv[] = { (char *)a->name, (char *)"--help", NULL };
	return run_applet(a, 2, help_argv);
}

/* One link: 0 made or already right, 1 refused, -1 failed (reported). */
static int check_link(const char *path, const char *target, int force)
{
	char have[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		warn_errno("%s", path);
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlink(path, have, sizeof have - 1);
		if (n >= 0) {
			have[n] = '\0';
			if (!strcmp(have, target))
				return 0;
		}
	}
	if (force && !S_ISDIR(st.st_mode))
		return 0;
	warnx_("%s: exists and is not a link to %s%s", path, target,
	       S_ISDIR(st.st_mode) ? "" : " (use -f to replace it)");
	return 1;
}

static int make_link(const char *path, const char *target)
{
	char have[PATH_MAX];
	ssize_t n = readlink(path, have, sizeof have - 1);

	if (n >= 0) {
		have[n] = '\0';
		if (!strcmp(have, target))
			return 0;       /* identical: leave it alone */
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		warn_errno("%s: cannot replace", path);
		return -1;
	}
	if (symlink(target, path) < 0) {
		warn_errno("%s: cannot create link", path);
		return -1;
	}
	return 0;
}

static int cmd_install(int argc, char **argv)
{
	char target[PATH_MAX];
	int force = 0, bad = 0;
	const char *dir;
	ssize_t n;

	if (argc > 2 && !strcmp(argv[2], "-f"))
		force = 1;
	if (argc != 3 + force)
		die_usage("--install takes [-f] and one directory");
	dir = argv[2 + force];
	n = readlink("/proc/self/exe", target, sizeof target - 1);
	if (n < 0)
		die_errno("cannot find the running binary (/proc/self/exe)");
	target[n] = '\0';
	/* Check every name first, so that a refusal leaves nothing half done. */
	for (size_t i = 0; i < applet_count; i++) {
		char *path = xasprintf("%s/%s", dir, applets[i].name);

		if (check_link(path, target, force))
			bad = 1;
		free(path);
	}
	if (bad)
		return EXIT_FAIL;
	for (size_t i = 0; i < applet_count; i++) {
		char *path = xasprintf("%s/%s", dir, applets[i].name);

		if (make_link(path, target) < 0)
			bad = 1;
		free(path);
	}
	return bad ? EXIT_FAIL : EXIT_OK;
}

static int run_sockkit_option(int argc, char **argv)
{
	const char *opt = argv[1];

	if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
		return cmd_help(argc, argv);
	if (!strcmp(opt, "--install"))
		return cmd_install(argc, argv);
	if (argc > 2)
		die_usage("%s takes no argument", opt);
	if (!strcmp(opt, "--list")) {
		print_applets(stdout, 0);
		return EXIT_OK;
	}
	if (!strcmp(opt, "--version")) {
		printf("sockkit %s\n", SOCKKIT_VERSION);
		return EXIT_OK;
	}
	die_usage("unknown option '%s'", opt);
}

/* "#!/usr/bin/sockkit APPLET REST": argv[1] is "APPLET REST" in one piece.
 * Give the applet [APPLET, REST, argv[2]...], as a link named APPLET gets. */
static int run_shebang(int argc, char **argv)
{
	const char *rest;
	char *name = split_first(argv[1], SHEBANG_SEPS, &rest);
	const struct applet *a = applet_find(name);
	char **av;
	int ac = 0;

	if (!a)
		die_code(EXIT_NOAPPLET, "%s: applet not found", name);
	free(name);
	av = xcalloc((size_t)argc + 1, sizeof *av);
	av[ac++] = (char *)a->name;
	rest += strspn(rest, " \t");
	if (*rest)
		av[ac++] = (char *)rest;
	for (int i = 2; i < argc; i++)
		av[ac++] = argv[i];
	av[ac] = NULL;
	return run_applet(a, ac, av);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct applet *a;

	reserve_std_fds();
	err_check_stdout_at_exit();
	base = base ? base + 1 : argc > 0 ? argv[0] : "sockkit";
	if (*base == '-')
		base++;         /* a login shell's argv[0] */
	a = applet_find(base);
	if (a)
		return run_applet(a, argc, argv);
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (argv[1][0] == '-')
		return run_sockkit_option(argc, argv);
	a = applet_find(argv[1]);
	if (a)
		return run_applet(a, argc - 1, argv + 1);
	if (strpbrk(argv[1], SHEBANG_SEPS))
		return run_shebang(argc, argv);
	die_code(EXIT_NOAPPLET, "%s: applet not found", argv[1]);
}
