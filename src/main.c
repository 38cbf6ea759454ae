/* sockkit: the multicall entry point.
 *
 * An applet is found by argv[0]'s basename (a symlink or hard link), by the
 * first argument ("sockkit bindtest -s"), or by the front of the first
 * argument when Linux passes a whole #! line tail as one argument
 * ("#!/usr/bin/sockkit bindtest -n -s" gives argv[1] = "bindtest -n -s").
 * shebang.c turns a #! call into the command line it stands for. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets.h"
#include "err.h"
#include "io.h"
#include "shebang.h"

/* exit() rather than a return from main: the argument vector the #! rules
 * rebuilt stays reachable to the end (LeakSanitizer reported it lost). */
static int run_applet(const struct cmd *a, int argc, char **argv)
{
	err_prog = a->name;
	exit(a->main(argc, argv));
}

static void print_applets(FILE *out, int with_summary)
{
	for (size_t i = 0; i < applet_count; i++) {
		if (with_summary)
			fprintf(out, "  %-16s %s\n", applets[i]->name, applets[i]->summary);
		else
			fprintf(out, "%s\n", applets[i]->name);
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
	const struct cmd *a;

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

/* Whether NAME in dir is a symbolic link that leads to the running binary
 * (by any path: absolute, relative, through other links). */
static int leads_to_us(int dir, const char *name, const struct stat *self)
{
	struct stat l, st;

	return fstatat(dir, name, &l, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(l.st_mode) &&
	       fstatat(dir, name, &st, 0) == 0 &&
	       st.st_dev == self->st_dev && st.st_ino == self->st_ino;
}

/* One link in dir: 0 absent or already right, 1 refused (reported). */
static int check_link(int dir, const char *dirname, const char *name,
		      const char *target, const struct stat *self, int force)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		warn_errno("%s/%s", dirname, name);
		return 1;
	}
	if (leads_to_us(dir, name, self) || (force && !S_ISDIR(st.st_mode)))
		return 0;
	warnx_("%s/%s: exists and is not a link to %s%s", dirname, name, target,
	       S_ISDIR(st.st_mode) ? "" : " (use -f to replace it)");
	return 1;
}

static int make_link(int dir, const char *dirname, const char *name, const char *target,
		     const struct stat *self)
{
	if (leads_to_us(dir, name, self))
		return 0;       /* already one of ours: leave it alone */
	if (unlinkat(dir, name, 0) < 0 && errno != ENOENT) {
		warn_errno("%s/%s: cannot replace", dirname, name);
		return -1;
	}
	if (symlinkat(target, dir, name) < 0) {
		warn_errno("%s/%s: cannot create link", dirname, name);
		return -1;
	}
	return 0;
}

static int cmd_install(int argc, char **argv)
{
	char target[PATH_MAX];
	int force = 0, bad = 0, dir;
	const char *dirname;
	struct stat self;
	ssize_t n;

	dirname = NULL;
	for (int i = 2, opts = 1; i < argc; i++) {
		if (opts && !strcmp(argv[i], "-f"))
			force = 1;
		else if (opts && !strcmp(argv[i], "--"))
			opts = 0;
		else if (opts && argv[i][0] == '-' && argv[i][1])
			die_usage("--install: unknown option '%s'", argv[i]);
		else if (dirname)
			die_usage("--install takes [-f] and one directory");
		else
			dirname = argv[i];
	}
	if (!dirname)
		die_usage("--install takes [-f] and one directory");
	n = readlink("/proc/self/exe", target, sizeof target - 1);
	if (n < 0 || stat("/proc/self/exe", &self) < 0)
		die_errno("cannot find the running binary (/proc/self/exe)");
	target[n] = '\0';
	/* One look at the directory; every link is made relative to it. */
	dir = open(dirname, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		die_errno("%s", dirname);
	/* Check every name first, so that a refusal leaves nothing half done. */
	for (size_t i = 0; i < applet_count; i++)
		bad |= check_link(dir, dirname, applets[i]->name, target, &self, force);
	for (size_t i = 0; !bad && i < applet_count; i++)
		if (make_link(dir, dirname, applets[i]->name, target, &self) < 0)
			bad = 1;
	close(dir);
	return bad ? EXIT_FAIL : EXIT_OK;
}

static int run_sockkit_option(int argc, char **argv)
{
	const char *opt = argv[1];
	int list = !strcmp(opt, "--list"), version = !strcmp(opt, "--version");

	if (!strcmp(opt, "--help") || !strcmp(opt, "-h"))
		return cmd_help(argc, argv);
	if (!strcmp(opt, "--install"))
		return cmd_install(argc, argv);
	if (!list && !version)
		die_usage("unknown option '%s'", opt);
	if (argc > 2)
		die_usage("%s takes no argument", opt);
	if (list)
		print_applets(stdout, 0);
	else
		printf("sockkit %s\n", SOCKKIT_VERSION);
	return EXIT_OK;
}

/* The applet named by argv[1] ("bindtest", or "bindtest -n -s" from a #!
 * line): the table entry, and in *rest what follows the name, if anything. */
static const struct cmd *applet_of_argument(const char *arg, const char **rest)
{
	size_t n = strcspn(arg, SHEBANG_SEPS);
	char name[64];

	*rest = arg[n] ? arg + n + 1 : NULL;
	if (n >= sizeof name)
		return NULL;
	memcpy(name, arg, n);
	name[n] = '\0';
	return applet_find(name);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct cmd *a;
	const char *rest;

	reserve_std_fds();
	err_check_stdout_at_exit();
	base = base ? base + 1 : argc > 0 ? argv[0] : "sockkit";
	if (*base == '-')
		base++;         /* a login shell's argv[0] */
	a = applet_find(base);
	if (a) {
		if (!(a->flags & CMD_INTERPRETER))
			shebang_expand_link(&argc, &argv);
		return run_applet(a, argc, argv);
	}
	/* "sockkit -- APPLET ...": "--" ends sockkit's own options. */
	int dashdash = argc >= 2 && !strcmp(argv[1], "--");

	if (dashdash) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (argv[1][0] == '-' && !dashdash)
		return run_sockkit_option(argc, argv);
	a = applet_of_argument(argv[1], &rest);
	if (!a) {
		err_prog = "sockkit";
		die_code(EXIT_NOAPPLET, "%.*s: applet not found",
			 (int)strcspn(argv[1], SHEBANG_SEPS), argv[1]);
	}
	if (a->flags & CMD_INTERPRETER)
		shebang_pass_combined(a->name, rest, &argc, &argv);
	else
		shebang_expand_argument(a->name, rest, &argc, &argv);
	return run_applet(a, argc, argv);
}
