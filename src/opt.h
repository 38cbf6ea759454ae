/* The one option parser: an applet declares its options once, in a table,
 * and the same table drives parsing and --help.
 *
 * Rules (sockkit(1), COMMAND LINE): options stop at the first operand, as an
 * interpreter needs, unless the applet sets CMD_OPTIONS_ANYWHERE; "--" ends
 * options; short options bundle (-st) and take attached values (-p9999);
 * long options take "--port=9999" or "--port 9999"; "--help" and
 * "--version" are always recognised.  Numbers are decimal, leading zeros
 * allowed ("08" is 8): no octal, no hex, no '+', no blanks.
 */
#ifndef SOCKKIT_OPT_H
#define SOCKKIT_OPT_H

#include <stddef.h>
#include <stdio.h>

enum opt_kind {
	OPT_FLAG,       /* no argument; counts occurrences */
	OPT_STRING,     /* one string argument; the last one wins */
	OPT_INT,        /* an integer in [min, max]; the last one wins */
	OPT_LIST,       /* a string argument, repeatable; all are kept in order */
};

struct opt {
	char short_name;        /* 0: long only */
	const char *long_name;  /* NULL: short only */
	enum opt_kind kind;
	const char *metavar;    /* for --help: "PORT" */
	const char *help;       /* one line */
	long long min, max;     /* OPT_INT range */
};

enum cmd_flags {
	/* Options may follow operands ("-c HOST PORT --json"): for applets whose
	 * operands are never followed by a program's own arguments. */
	CMD_OPTIONS_ANYWHERE = 1,
	/* The applet is a #! interpreter: the dispatcher passes a #! line's
	 * combined argument and the script's path on as they are. */
	CMD_INTERPRETER = 2,
};

/* An applet, declared once in its own folder as "const struct cmd
 * NAME_applet" (NAME with '-' as '_'); the applet table, --list, --help and
 * the install links all follow from it and meson's applet_names. */
struct cmd {
	const char *name;       /* the applet's name */
	const char *operands;   /* usage synopsis of the operands, "" for none */
	const char *summary;    /* one line: --list, --help, the usage */
	const struct opt *opts;
	size_t nopts;
	int min_operands;
	int max_operands;       /* -1: no limit */
	const char *footer;     /* more help text after the options, or NULL */
	int (*main)(int argc, char **argv);
	unsigned flags;         /* enum cmd_flags */
	const char *version_note;       /* after the version, or NULL */
};

struct opt_value {
	int count;              /* how many times given */
	const char *str;        /* last string (OPT_STRING, OPT_INT text) */
	long long num;          /* OPT_INT value */
	const char **list;      /* OPT_LIST values in order, NULL-terminated */
	size_t nlist;
};

/* Iterator form, for applets that need the options in their given order. */
struct opt_iter {
	const struct cmd *cmd;
	int argc;
	char **argv;
	int index;              /* next argv element */
	const char *bundle;     /* rest of a short-option bundle */
	const char *arg;        /* the current option's argument, or NULL */
	long long num;          /* the current OPT_INT's value */
	int dashdash;           /* OPT_DONE came from "--" */
	char err[256];          /* the message for OPT_ERROR */
};

enum { OPT_DONE = -1, OPT_ERROR = -2, OPT_HELP = -3, OPT_VERSION = -4 };

void opt_iter_init(struct opt_iter *it, const struct cmd *cmd, int argc, char **argv);
/* Next option: its table index, or OPT_DONE (it->index is then the first
 * operand), OPT_ERROR (it->err says why), OPT_HELP or OPT_VERSION (for
 * "--version" when the table has no option of that name). */
int opt_next(struct opt_iter *it);

/* Parse everything into vals[nopts]; returns the index of the first operand
 * or a negative code as above, with the message in err (size errsize). Also
 * checks the operand count.  With CMD_OPTIONS_ANYWHERE, argv is reordered
 * (options first, then the operands in their order). */
int opt_parse_r(const struct cmd *cmd, int argc, char **argv,
		struct opt_value *vals, char *err, size_t errsize);
void opt_values_free(const struct cmd *cmd, struct opt_value *vals);

/* opt_parse_r for applets: on error prints "APPLET: msg" and the --help hint
 * and exits 2; --help and --version print to stdout and exit 0. */
int opt_parse(const struct cmd *cmd, int argc, char **argv, struct opt_value *vals);

/* Print the generated help text, or the version line
 * "NAME (sockkit VERSION)[, version_note]". */
void opt_print_help(const struct cmd *cmd, FILE *out);
void opt_print_version(const struct cmd *cmd, FILE *out);

/* The one number syntax, for options and environment variables alike:
 * an optional '-' and decimal digits (leading zeros allowed), the whole
 * string.  0, -1 (not a decimal number) or -2 (out of [min, max]). */
int opt_parse_int(const char *s, long long min, long long max, long long *out);

#endif
