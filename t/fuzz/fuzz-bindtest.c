/* libFuzzer harness: bindtest's command line, i.e. its option table, the
 * checks of which options need or exclude which, and the parsing of the
 * -o and -b addresses.  The input is an argv, words separated by NULs.
 * A usage error exits 2 (caught by the exit trap); any other exit status, a
 * crash or a sanitizer report is a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindtest.h"
#include "err.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS];
	int argc = fuzz_argv(data, size, "bindtest", argv);
	jmp_buf back;
	struct bt_request rq;

	err_prog = "bindtest";
	if (setjmp(back) == 0) {
		exit_trap = &back;
		bt_parse_request(argc, argv, &rq);
		exit_trap = NULL;
		/* Accepted: what it accepted must be coherent. */
		if (rq.base.port > 65535 || rq.base.wait_ms < 1)
			abort();
		if (rq.base.socktype != SOCK_DGRAM && rq.base.socktype != SOCK_STREAM)
			abort();
	} else if (exit_trap_code != 2 && exit_trap_code != 0) {
		abort();        /* only usage errors, --help and -v may exit */
	}
	return 0;
}
