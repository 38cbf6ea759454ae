/* atexit for sockkit's static builds with musl (meson.build,
 * static-libc.c): musl's takes any number of functions, the 33rd and
 * later in blocks from a calloc of libc's own, which brings a second
 * allocator into the binary with it (1.3 KB in all); sockkit registers
 * two (err.c's stdout check, prefork-interp's undo).
 *
 * musl's exit() runs its atexit functions, then the program's
 * destructors, then flushes stdio: these run as a destructor, so still
 * before the flush, last registered first, including any registered
 * meanwhile (as C asks). */
#include "onexit.h"

static void (*funcs[ONEXIT_MAX])(void);
static int nfuncs;

int onexit_add(void (*fn)(void))
{
	if (nfuncs == ONEXIT_MAX)
		return -1;
	funcs[nfuncs++] = fn;
	return 0;
}

__attribute__((destructor)) static void onexit_run(void)
{
	while (nfuncs > 0)
		funcs[--nfuncs]();
}
