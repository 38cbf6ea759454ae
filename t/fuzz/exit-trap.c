/* Linked into every harness with -Wl,--wrap=exit: an applet's usage error
 * calls exit(2), which would end the fuzzer; while a harness has armed the
 * trap, exit() jumps back to it instead. */
#include <setjmp.h>
#include <stdlib.h>

#include "exit-trap.h"

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
