#ifndef SOCKKIT_EXIT_TRAP_H
#define SOCKKIT_EXIT_TRAP_H

#include <setjmp.h>

/* Set to a jmp_buf to catch the next exit(); cleared when it fires. */
extern jmp_buf *exit_trap;
extern int exit_trap_code;

#endif
