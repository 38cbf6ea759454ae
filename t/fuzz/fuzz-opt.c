/* libFuzzer harness: the option parser.  The input is an argv, its words
 * separated by NUL bytes, parsed against a table with every option kind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "opt.h"

static const struct opt opts[] = {
	{ 's', "udp", OPT_FLAG, NULL, "flag", 0, 0 },
	{ 'p', "port", OPT_INT, "PORT", "integer", 0, 65535 },
	{ 'n', "neg", OPT_INT, "N", "signed integer", -9223372036854775807LL - 1,
	  9223372036854775807LL },
	{ 'o', "addr", OPT_STRING, "ADDR", "string", 0, 0 },
	{ 'E', "env", OPT_LIST, "VAR", "list", 0, 0 },
	{ 0, "kill", OPT_FLAG, NULL, "long only", 0, 0 },
};

static const struct cmd cmd = {
	.name = "fuzz", .operands = "[A [B]]", .summary = "fuzz",
	.opts = opts, .nopts = sizeof opts / sizeof opts[0],
	.min_operands = 0, .max_operands = 2,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS];
	int argc = fuzz_argv(data, size, "fuzz", argv);
	struct opt_value vals[sizeof opts / sizeof opts[0]];
	char err[300];
	int r = opt_parse_r(&cmd, argc, argv, vals, err, sizeof err);
	if (r >= 0 && r > argc)
		abort();        /* the operand index must lie inside argv */
	if (r == OPT_ERROR && !err[0])
		abort();        /* every error has a message */
	opt_values_free(&cmd, vals);
	return 0;
}
