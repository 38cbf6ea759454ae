/* A small atexit: sockkit's in static builds with musl (see onexit.c). */
#ifndef SOCKKIT_ONEXIT_H
#define SOCKKIT_ONEXIT_H

#define ONEXIT_MAX 32

/* As atexit(fn): 0, or -1 when ONEXIT_MAX functions are registered. */
int onexit_add(void (*fn)(void));

#endif
