/* SIGINT and SIGTERM during a conformance run: the parent notices them
 * while it waits for its children, kills and reaps those, prints what had
 * finished and a TAP "Bail out!", then ends by the same signal. */
#ifndef SOCKKIT_MPTCP_INTERRUPT_H
#define SOCKKIT_MPTCP_INTERRUPT_H

#include <stdint.h>
#include <sys/types.h>

/* Block SIGINT and SIGTERM (unless ignored when the program started, as
 * a shell's background job has SIGINT) and SIGCHLD, for the waits below
 * to take. */
void mpt_interrupt_arm(void);
/* In a child: those signals unblocked again. */
void mpt_interrupt_disarm(void);
/* The signal that came (SIGINT, SIGTERM), or 0. */
int mpt_interrupted(void);

/* Wait for child pid until deadline_ms (now_ms() clock) or a signal:
 * 1 it exited (*status set), 0 the deadline passed, -1 interrupted,
 * -2 an error (errno). */
int mpt_wait_child(pid_t pid, int *status, int64_t deadline_ms);

/* End the process by the signal that came, its default action restored
 * (a shell then sees 128 + the signal, and stops a script as it should). */
_Noreturn void mpt_interrupt_end(void);

#endif
