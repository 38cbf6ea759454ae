/* The option parser: every value kind and every error class. */
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "tap.h"

enum { O_UDP, O_TCP, O_PORT, O_ADDR, O_ENV, O_KILL };

static const struct opt opts[] = {
	[O_UDP] = { 's', "udp", OPT_FLAG, NULL, "use UDP", 0, 0 },
	[O_TCP] = { 't', NULL, OPT_FLAG, NULL, "use TCP", 0, 0 },
	[O_PORT] = { 'p', "port", OPT_INT, "PORT", "port", 0, 65535 },
	[O_ADDR] = { 'o', "addr", OPT_STRING, "ADDR", "address", 0, 0 },
	[O_ENV] = { 'E', "env", OPT_LIST, "VAR", "variable", 0, 0 },
	[O_KILL] = { 0, "kill", OPT_FLAG, NULL, "kill", 0, 0 },
};

static const struct cmd cmd = {
	.name = "demo", .operands = "[FILE]", .summary = "A demo.",
	.opts = opts, .nopts = sizeof opts / sizeof opts[0],
	.min_operands = 0, .max_operands = 1,
};

static const struct cmd cmd_two = {
	.name = "two", .operands = "HOST PORT", .summary = "Two operands.",
	.opts = opts, .nopts = sizeof opts / sizeof opts[0],
	.min_operands = 2, .max_operands = 2,
};

static const struct cmd cmd_anywhere = {
	.name = "any", .operands = "HOST PORT", .summary = "Options anywhere.",
	.opts = opts, .nopts = sizeof opts / sizeof opts[0],
	.min_operands = 2, .max_operands = 2, .flags = CMD_OPTIONS_ANYWHERE,
};

static struct opt_value vals[sizeof opts / sizeof opts[0]];
static char err[300];

/* Parse a NULL-terminated list of words (argv[0] is "demo"). */
static int parse_with(const struct cmd *c, const char *const *words)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)"demo";
	while (*words)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	opt_values_free(c, vals);
	err[0] = '\0';
	return opt_parse_r(c, argc, argv, vals, err, sizeof err);
}

#define PARSE(...) parse_with(&cmd, (const char *const[]){ __VA_ARGS__, NULL })

static void test_values(void)
{
	tap_is_int(PARSE("-s", "-s", "x"), 3, "flags stop at the first operand");
	tap_is_int(vals[O_UDP].count, 2, "a repeated flag counts");
	tap_is_int(PARSE("-st"), 2, "bundled flags");
	tap_ok(vals[O_UDP].count == 1 && vals[O_TCP].count == 1, "both bundled flags set");
	PARSE("-p9999");
	tap_is_int(vals[O_PORT].num, 9999, "attached short value");
	PARSE("-p", "80");
	tap_is_int(vals[O_PORT].num, 80, "separate short value");
	PARSE("--port=443");
	tap_is_int(vals[O_PORT].num, 443, "--long=value");
	PARSE("--port", "22");
	tap_is_int(vals[O_PORT].num, 22, "--long value");
	PARSE("-sp7");
	tap_ok(vals[O_UDP].count == 1 && vals[O_PORT].num == 7, "flag bundled with a valued option");
	PARSE("-p", "010");
	tap_is_int(vals[O_PORT].num, 10, "leading zero is decimal: 010 is 10");
	PARSE("-p", "08");
	tap_is_int(vals[O_PORT].num, 8, "08 is 8 (no octal)");
	PARSE("-p", "0080");
	tap_is_int(vals[O_PORT].num, 80, "0080 is 80");
	PARSE("-o", "::1");
	tap_is_str(vals[O_ADDR].str, "::1", "string value");
	PARSE("-o", "-s");
	tap_is_str(vals[O_ADDR].str, "-s", "a value may start with '-'");
	PARSE("-E", "A", "--env=B", "-EC");
	tap_ok(vals[O_ENV].nlist == 3 && !strcmp(vals[O_ENV].list[0], "A") &&
	       !strcmp(vals[O_ENV].list[1], "B") && !strcmp(vals[O_ENV].list[2], "C") &&
	       vals[O_ENV].list[3] == NULL, "repeatable values kept in order");
	tap_is_int(PARSE("--kill"), 2, "long-only flag");
	tap_is_int(vals[O_KILL].count, 1, "long-only flag set");
	tap_is_int(PARSE("--", "-s"), 2, "-- ends options");
	tap_is_int(vals[O_UDP].count, 0, "no option after --");
	tap_is_int(PARSE("-", "x"), -2, "a lone - is an operand (and two operands is one too many)");
	tap_is_int(PARSE("-"), 1, "a lone - is an operand");
	tap_is_int(PARSE("file", "-s"), -2, "no permutation: -s after an operand is an operand");
}

static void expect_error(int r, const char *want, const char *name)
{
	if (r != OPT_ERROR) {
		tap_ok(0, name);
		printf("# expected OPT_ERROR, got %d\n", r);
		return;
	}
	tap_is_str(err, want, name);
}

static void test_errors(void)
{
	expect_error(PARSE("-x"), "unknown option '-x'", "unknown short option");
	expect_error(PARSE("-sx"), "unknown option '-x'", "unknown option in a bundle");
	expect_error(PARSE("--nope"), "unknown option '--nope'", "unknown long option");
	expect_error(PARSE("--nope=1"), "unknown option '--nope'", "unknown long option with value");
	expect_error(PARSE("--kill=1"), "option '--kill' takes no argument", "flag given a value");
	expect_error(PARSE("-p"), "option '-p' needs an argument", "missing short value");
	expect_error(PARSE("--port"), "option '--port' needs an argument", "missing long value");
	expect_error(PARSE("-p", "abc"), "-p: 'abc' is not a decimal number", "malformed integer");
	expect_error(PARSE("-p", ""), "-p: '' is not a decimal number", "empty integer");
	expect_error(PARSE("-p", " 1"), "-p: ' 1' is not a decimal number", "integer with a blank");
	expect_error(PARSE("-p", "12x"), "-p: '12x' is not a decimal number", "trailing garbage");
	expect_error(PARSE("-p", "0x50"), "-p: '0x50' is not a decimal number", "hex is refused");
	expect_error(PARSE("-p", "+5"), "-p: '+5' is not a decimal number", "a '+' is refused");
	expect_error(PARSE("-p", "-"), "-p: '-' is not a decimal number", "a lone '-' is refused");
	expect_error(PARSE("--port=65536"), "--port: 65536 is out of range (0-65535)", "above range");
	expect_error(PARSE("-p-1"), "-p: -1 is out of range (0-65535)", "below range");
	expect_error(PARSE("-p", "99999999999999999999999"),
		     "-p: 99999999999999999999999 is out of range (0-65535)", "overflow");
	expect_error(PARSE("a", "b"), "extra operand 'b'", "too many operands");
	expect_error(parse_with(&cmd_two, (const char *const[]){ "h", NULL }),
		     "missing operand (expected HOST PORT)", "too few operands");
	expect_error(PARSE("-\x01"), "unknown option character 0x01", "control character option");
	tap_is_int(PARSE("--help"), OPT_HELP, "--help");
	tap_is_int(PARSE("--version"), OPT_VERSION, "--version");
	tap_is_int(PARSE("-sh"), OPT_HELP, "-h in a bundle");
	tap_is_int(parse_with(&cmd_two, (const char *const[]){ "h", "p", NULL }), 1,
		   "exact operand count");
}

/* CMD_OPTIONS_ANYWHERE: argv is reordered, options first. */
static void anywhere(const char *const *words, int want_first, const char *want_ops,
		     const char *name)
{
	char *argv[16], ops[64] = "";
	int argc = 0, r;

	argv[argc++] = (char *)"any";
	while (*words)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	opt_values_free(&cmd_anywhere, vals);
	r = opt_parse_r(&cmd_anywhere, argc, argv, vals, err, sizeof err);
	if (!tap_ok(r == want_first, name)) {
		printf("# first operand: expected %d, got %d (%s)\n", want_first, r, err);
		return;
	}
	for (int i = r; r >= 0 && i < argc; i++)
		snprintf(ops + strlen(ops), sizeof ops - strlen(ops), "%s%s", i > r ? " " : "",
			 argv[i]);
	tap_is_str(ops, want_ops, name);
}

#define ANYWHERE(first, ops, name, ...) \
	anywhere((const char *const[]){ __VA_ARGS__, NULL }, first, ops, name)

static void test_anywhere(void)
{
	ANYWHERE(3, "h 80", "options before operands", "-s", "-t", "h", "80");
	ANYWHERE(3, "h 80", "options after operands", "h", "80", "-s", "-t");
	ANYWHERE(4, "h 80", "an option between, with its value", "h", "-p", "9", "80", "-s");
	tap_ok(vals[O_PORT].num == 9 && vals[O_UDP].count == 1, "... both options taken");
	ANYWHERE(3, "h -s", "-- ends options: -s after it is an operand", "h", "-t", "--", "-s");
	tap_ok(vals[O_UDP].count == 0 && vals[O_TCP].count == 1, "... and -t before it counts");
	ANYWHERE(1, "h -", "a lone - is an operand anywhere", "h", "-");
	ANYWHERE(OPT_ERROR, "", "too many operands, wherever they are", "a", "-s", "b", "c");
	tap_is_str(err, "extra operand 'c'", "... named in order");
	tap_is_int(parse_with(&cmd_anywhere, (const char *const[]){ "h", "80", "--json", NULL }),
		   OPT_ERROR, "an unknown option after operands is still an error");
	tap_is_str(err, "unknown option '--json'", "... named");
}

static void test_iterator(void)
{
	char *argv[] = { (char *)"demo", (char *)"-E", (char *)"A", (char *)"-s",
			 (char *)"--env=B", (char *)"op", NULL };
	struct opt_iter it;
	char order[16] = "";
	int id;

	opt_iter_init(&it, &cmd, 6, argv);
	while ((id = opt_next(&it)) >= 0)
		strcat(order, id == O_ENV ? it.arg : "s");
	tap_is_str(order, "AsB", "iterator keeps the given order");
	tap_is_int(id, OPT_DONE, "iterator ends with OPT_DONE");
	tap_is_int(it.index, 5, "iterator points at the first operand");
}

static void test_parse_int(void)
{
	long long v = 0;

	tap_is_int(opt_parse_int("-5", -10, 10, &v), 0, "negative in range");
	tap_is_int(v, -5, "negative value");
	tap_is_int(opt_parse_int("9223372036854775807", 0, 9223372036854775807LL, &v), 0,
		   "LLONG_MAX");
	tap_is_int(opt_parse_int("9223372036854775808", 0, 9223372036854775807LL, &v), -2,
		   "past LLONG_MAX is out of range");
	tap_is_int(opt_parse_int("0x", 0, 10, &v), -1, "bare 0x is malformed");
	tap_is_int(opt_parse_int("-9223372036854775808", -9223372036854775807LL - 1, 0, &v), 0,
		   "LLONG_MIN");
	tap_is_int(v, -9223372036854775807LL - 1, "LLONG_MIN's value");
	tap_is_int(opt_parse_int("-9223372036854775809", -9223372036854775807LL - 1, 0, &v), -2,
		   "past LLONG_MIN is out of range");
	tap_is_int(opt_parse_int("000000000000000000000000042", 0, 100, &v), 0,
		   "any number of leading zeros");
	tap_is_int(v, 42, "... is still 42");
}

static void test_help(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	opt_print_help(&cmd, f);
	fclose(f);
	tap_is_str(buf,
		   "Usage: sockkit demo [OPTION]... [FILE]\n"
		   "A demo.\n\n"
		   "Options:\n"
		   "  -s, --udp                use UDP\n"
		   "  -t                       use TCP\n"
		   "  -p, --port=PORT          port (0-65535)\n"
		   "  -o, --addr=ADDR          address\n"
		   "  -E, --env=VAR            variable (repeatable)\n"
		   "      --kill               kill\n"
		   "  -h, --help               show this help and exit\n"
		   "      --version            show the version and exit\n",
		   "help text generated from the table");
	free(buf);
}

int main(void)
{
	test_values();
	test_errors();
	test_iterator();
	test_anywhere();
	test_parse_int();
	test_help();
	opt_values_free(&cmd, vals);
	return tap_done();
}
