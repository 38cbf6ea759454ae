/* Linked into every harness with -Wl,--wrap=exit: an applet's usage error
 * calls exit(2), which would end the fuzzer; while a harness has armed the
 * trap, exit() jumps back to it instead. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

int fuzz_argv(const uint8_t *data, size_t size, const char *name,
	      char *argv[FUZZ_MAX_ARGS])
{
	static char *buf;
	int argc = 0;

	buf = realloc(buf, size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)name;
	for (size_t i = 0; i <= size && argc < FUZZ_MAX_ARGS - 1; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;
	return argc;
}

jmp_buf *exit_trap;
int exit_trap_code;

void __real_exit(int code);
void __wrap_exit(int code);

void __wrap_exit(int code)
{
	if (exit_trap) {
		jmp_buf *back = exit_trap;

		exit_trap = NULL;
		exit_trap_code = code;
		longjmp(*back, 1);
	}
	__real_exit(code);
	abort();        /* not reached; tells the compiler exit does not return */
}
