/* What the harnesses share: an argv made from the input, and a trap for
 * exit() so that an applet's usage error does not end the fuzzer. */
#ifndef SOCKKIT_FUZZ_COMMON_H
#define SOCKKIT_FUZZ_COMMON_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* Set to a jmp_buf to catch the next exit(); cleared when it fires.
 * Works because every harness links with -Wl,--wrap=exit. */
extern jmp_buf *exit_trap;
extern int exit_trap_code;

#define FUZZ_MAX_ARGS 64

/* Split the input at NUL bytes into argv (argv[0] = name, NULL-terminated,
 * at most FUZZ_MAX_ARGS - 1 words).  The words live in a buffer reused by
 * the next call.  Returns argc. */
int fuzz_argv(const uint8_t *data, size_t size, const char *name,
	      char *argv[FUZZ_MAX_ARGS]);

#endif
