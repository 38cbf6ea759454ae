#include "opt.h"
#include "err.h"
#include "num.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int opt_parse_int(const char *s, long long min, long long max, long long *out)
{
	const char *digits = s + (*s == '-');
	unsigned long long v;
	int negative = digits != s;

	if (!*digits || strspn(digits, "0123456789") != strlen(digits))
		return -1;
	/* Any run of digits is a number, however long: one past what a long
	 * long holds is out of range, not garbage. */
	if (num_scan(digits, 10, negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX,
		     &v) == digits)
		return -2;
	long long n = negative ? (v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v)
			       : (long long)v;
	if (n < min || n > max)
		return -2;
	*out = n;
	return 0;
}

static int iter_error(struct opt_iter *it, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int iter_error(struct opt_iter *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->err, sizeof it->err, fmt, ap);
	va_end(ap);
	return OPT_ERROR;
}

void opt_iter_init(struct opt_iter *it, const struct cmd *cmd, int argc, char **argv)
{
	memset(it, 0, sizeof *it);
	it->cmd = cmd;
	it->argc = argc;
	it->argv = argv;
	it->index = 1;
}

static int find_short(const struct cmd *cmd, char c)
{
	for (size_t i = 0; i < cmd->nopts; i++)
		if (cmd->opts[i].short_name == c)
			return (int)i;
	return -1;
}

static int find_long(const struct cmd *cmd, const char *name, size_t len)
{
	for (size_t i = 0; i < cmd->nopts; i++) {
		const char *l = cmd->opts[i].long_name;

		if (l && strlen(l) == len && !memcmp(l, name, len))
			return (int)i;
	}
	return -1;
}

/* Check the argument of option id, spelled as "spelling" by the user. */
static int take_value(struct opt_iter *it, int id, const char *spelling, const char *val)
{
	const struct opt *o = &it->cmd->opts[id];
	int r;

	it->arg = val;
	if (o->kind != OPT_INT)
		return id;
	r = opt_parse_int(val, o->min, o->max, &it->num);
	if (r == -1)
		return iter_error(it, "%s: '%s' is not a decimal number", spelling, val);
	if (r == -2)
		return iter_error(it, "%s: %s is out of range (%lld-%lld)",
				  spelling, val, o->min, o->max);
	return id;
}

static int next_long(struct opt_iter *it, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int id = find_long(it->cmd, name, len);

	if (id < 0) {
		if (len == 4 && !memcmp(name, "help", 4))
			return OPT_HELP;
		if (len == 7 && !memcmp(name, "version", 7))
			return OPT_VERSION;
		return iter_error(it, "unknown option '--%.*s'", (int)len, name);
	}
	char spelling[64];
	snprintf(spelling, sizeof spelling, "--%s", it->cmd->opts[id].long_name);
	if (it->cmd->opts[id].kind == OPT_FLAG) {
		if (eq)
			return iter_error(it, "option '%s' takes no argument", spelling);
		return id;
	}
	if (eq)
		return take_value(it, id, spelling, eq + 1);
	if (it->index >= it->argc)
		return iter_error(it, "option '%s' needs an argument", spelling);
	return take_value(it, id, spelling, it->argv[it->index++]);
}

static int next_short(struct opt_iter *it)
{
	char c = *it->bundle++;
	int id = find_short(it->cmd, c);
	char spelling[3] = { '-', c, '\0' };

	if (id < 0) {
		if (c == 'h')
			return OPT_HELP;
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
			return iter_error(it, "unknown option character 0x%02x",
					  (unsigned char)c);
		return iter_error(it, "unknown option '-%c'", c);
	}
	if (it->cmd->opts[id].kind == OPT_FLAG)
		return id;
	if (*it->bundle) {
		const char *val = it->bundle;

		it->bundle = NULL;
		return take_value(it, id, spelling, val);
	}
	it->bundle = NULL;
	if (it->index >= it->argc)
		return iter_error(it, "option '%s' needs an argument", spelling);
	return take_value(it, id, spelling, it->argv[it->index++]);
}

int opt_next(struct opt_iter *it)
{
	const char *arg;

	it->arg = NULL;
	if (it->bundle && *it->bundle)
		return next_short(it);
	it->bundle = NULL;
	if (it->index >= it->argc)
		return OPT_DONE;
	arg = it->argv[it->index];
	if (arg[0] != '-' || arg[1] == '\0')
		return OPT_DONE;
	it->index++;
	if (arg[1] == '-') {
		if (arg[2] == '\0') {
			it->dashdash = 1;
			return OPT_DONE;
		}
		return next_long(it, arg);
	}
	it->bundle = arg + 1;
	return next_short(it);
}

static void store(struct opt_value *v, const struct opt *o, const struct opt_iter *it)
{
	v->count++;
	switch (o->kind) {
	case OPT_FLAG:
		break;
	case OPT_INT:
		v->num = it->num;
		v->str = it->arg;
		break;
	case OPT_STRING:
		v->str = it->arg;
		break;
	case OPT_LIST:
		v->list = xrealloc(v->list, (v->nlist + 2) * sizeof *v->list);
		v->list[v->nlist++] = it->arg;
		v->list[v->nlist] = NULL;
		v->str = it->arg;
		break;
	}
}

/* CMD_OPTIONS_ANYWHERE: parse past operands, then reorder argv so that
 * the options come first and the operands follow in their order.  Returns
 * opt_next's final code; it->index is then the first operand. */
static int parse_anywhere(struct opt_iter *it, struct opt_value *vals)
{
	char **operands = xcalloc((size_t)it->argc + 1, sizeof *operands);
	size_t nops = 0;
	int id, out;

	for (;;) {
		while ((id = opt_next(it)) >= 0)
			store(&vals[id], &it->cmd->opts[id], it);
		if (id != OPT_DONE || it->dashdash || it->index >= it->argc)
			break;
		operands[nops++] = it->argv[it->index];
		/* Take it out: the arguments after it move up one place. */
		memmove(&it->argv[it->index], &it->argv[it->index + 1],
			(size_t)(it->argc - it->index - 1) * sizeof *it->argv);
		it->argc--;
	}
	/* After "--" or the last option: the moved operands come first. */
	out = it->argc;
	memmove(&it->argv[it->index + (int)nops], &it->argv[it->index],
		(size_t)(out - it->index) * sizeof *it->argv);
	memcpy(&it->argv[it->index], operands, nops * sizeof *operands);
	it->argc += (int)nops;
	free(operands);
	return id;
}

int opt_parse_r(const struct cmd *cmd, int argc, char **argv,
		struct opt_value *vals, char *err, size_t errsize)
{
	struct opt_iter it;
	int id, operands;

	memset(vals, 0, cmd->nopts * sizeof *vals);
	opt_iter_init(&it, cmd, argc, argv);
	if (cmd->flags & CMD_OPTIONS_ANYWHERE) {
		id = parse_anywhere(&it, vals);
	} else {
		while ((id = opt_next(&it)) >= 0)
			store(&vals[id], &cmd->opts[id], &it);
	}
	if (id == OPT_ERROR || id == OPT_HELP || id == OPT_VERSION) {
		snprintf(err, errsize, "%s", id == OPT_ERROR ? it.err : "");
		return id;
	}
	operands = argc - it.index;
	if (operands < cmd->min_operands) {
		snprintf(err, errsize, "missing operand (expected %s)", cmd->operands);
		return OPT_ERROR;
	}
	if (cmd->max_operands >= 0 && operands > cmd->max_operands) {
		snprintf(err, errsize, "extra operand '%s'",
			 argv[it.index + cmd->max_operands]);
		return OPT_ERROR;
	}
	return it.index;
}

void opt_values_free(const struct cmd *cmd, struct opt_value *vals)
{
	for (size_t i = 0; i < cmd->nopts; i++) {
		free(vals[i].list);
		vals[i].list = NULL;
		vals[i].nlist = 0;
	}
}

void opt_print_help(const struct cmd *cmd, FILE *out)
{
	fprintf(out, "Usage: sockkit %s [OPTION]...%s%s\n%s\n\nOptions:\n",
		cmd->name, *cmd->operands ? " " : "", cmd->operands, cmd->summary);
	for (size_t i = 0; i < cmd->nopts; i++) {
		const struct opt *o = &cmd->opts[i];
		char left[64];
		int n = 0;

		if (o->short_name)
			n = snprintf(left, sizeof left, "-%c%s", o->short_name,
				     o->long_name ? ", " : "");
		else
			n = snprintf(left, sizeof left, "    ");
		if (o->long_name)
			n += snprintf(left + n, sizeof left - (size_t)n, "--%s%s%s",
				      o->long_name, o->kind == OPT_FLAG ? "" : "=",
				      o->kind == OPT_FLAG ? "" : o->metavar);
		else if (o->kind != OPT_FLAG)
			snprintf(left + n, sizeof left - (size_t)n, " %s", o->metavar);
		fprintf(out, "  %-24s %s", left, o->help);
		if (o->kind == OPT_INT)
			fprintf(out, " (%lld-%lld)", o->min, o->max);
		if (o->kind == OPT_LIST)
			fprintf(out, " (repeatable)");
		fputc('\n', out);
	}
	fprintf(out, "  %-24s %s\n", find_short(cmd, 'h') < 0 ? "-h, --help" : "    --help",
		"show this help and exit");
	if (find_long(cmd, "version", 7) < 0)
		fprintf(out, "  %-24s %s\n", "    --version", "show the version and exit");
	if (cmd->footer)
		fprintf(out, "\n%s", cmd->footer);
}

void opt_print_version(const struct cmd *cmd, FILE *out)
{
	fprintf(out, "%s (sockkit %s)%s%s\n", cmd->name, SOCKKIT_VERSION,
		cmd->version_note ? ", " : "", cmd->version_note ? cmd->version_note : "");
}

int opt_parse(const struct cmd *cmd, int argc, char **argv, struct opt_value *vals)
{
	char err[300];
	int r = opt_parse_r(cmd, argc, argv, vals, err, sizeof err);

	/* Leaving: a repeatable option's list is freed (the fuzz harnesses
	 * catch the exit and would see it leak). */
	if (r < 0)
		opt_values_free(cmd, vals);
	if (r == OPT_HELP) {
		opt_print_help(cmd, stdout);
		exit(EXIT_OK);
	}
	if (r == OPT_VERSION) {
		opt_print_version(cmd, stdout);
		exit(EXIT_OK);
	}
	if (r == OPT_ERROR)
		die_usage("%s", err);
	return r;
}
