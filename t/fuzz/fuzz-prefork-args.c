/* libFuzzer harness: prefork-interp's command line, i.e. the splitting of a
 * combined #! argument (the first one, when it starts with '-' and holds
 * spaces, tabs or commas) followed by the option table and the operands.
 * The input is an argv, words separated by NULs.  A usage error exits 2 and
 * --help exits 0 (both caught by the exit trap); any other exit, a crash or
 * a sanitizer report is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fuzz-common.h"
#include "pfi.h"

static size_t count(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

/* What an accepted command line decided must be coherent. */
static void check_accepted(const struct pfi_config *cfg, int argc)
{
	size_t operands;

	if (cfg->json && cfg->action != PFI_LIST)
		abort();
	/* --list and --kill-all take no operand at all. */
	if (cfg->action == PFI_LIST || cfg->action == PFI_KILL_ALL) {
		if (cfg->interp || cfg->script)
			abort();
		return;
	}
	if (!cfg->interp || !cfg->interp_args || !cfg->args)
		abort();
	/* The interpreter's own arguments come from the combined argument,
	 * which was split at every separator. */
	for (char **a = cfg->interp_args; *a; a++)
		if (!**a || strpbrk(*a, " \t,"))
			abort();
	if (!cfg->script && cfg->args[0])
		abort();        /* arguments without a script */
	operands = 1 + count(cfg->interp_args) + (cfg->script ? 1 : 0) + count(cfg->args);
	/* Every operand is a word of the flattened vector, which is argv
	 * with at most one argument split into words. */
	if (operands > count(cfg->flat) - 1)
		abort();
	if (!cfg->words && operands > (size_t)argc - 1)
		abort();
	if (cfg->timeout_ms < 1000)
		abort();
	for (size_t i = 0; i < cfg->nitems; i++)
		if ((cfg->items[i].kind != 'E' && cfg->items[i].kind != 'G') ||
		    !cfg->items[i].text)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS];
	int argc = fuzz_argv(data, size, "prefork-interp", argv);
	static struct pfi_config cfg;   /* static: setjmp may not keep a local */
	jmp_buf back;

	err_prog = "prefork-interp";
	unsetenv("SOCKKIT_PREFORK_TIMEOUT");
	memset(&cfg, 0, sizeof cfg);
	if (setjmp(back) == 0) {
		exit_trap = &back;
		pfi_parse_command_line(argc, argv, &cfg);
		exit_trap = NULL;
		check_accepted(&cfg, argc);
	} else if (exit_trap_code != 2 && exit_trap_code != 0) {
		abort();        /* only usage errors and --help may exit */
	}
	pfi_config_free(&cfg);
	return 0;
}
