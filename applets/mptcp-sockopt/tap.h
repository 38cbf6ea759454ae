/* The TAP stream of a conformance run. */
#ifndef SOCKKIT_MPTCP_TAP_H
#define SOCKKIT_MPTCP_TAP_H

#include "conform.h"

/* Print one family's results, numbering from *n.  notes[side] says how
 * that side's process ended when it did not end by itself ("" when it
 * did): the reason its unfinished checks give, before its own reason
 * (shared->stopped).  only_finished (an interrupted run): the checks
 * whose result stands, and no others.  Returns how many failed. */
int mpt_tap_results(const char *tag, const struct mpt_shared *sh, unsigned subflows,
		    const char *const notes[2], int only_finished, int *n);
/* Every check of a family skipped with the reason (the family cannot run
 * here, e.g. no ::1). */
void mpt_tap_skip_family(const char *tag, unsigned subflows, const char *why, int *n);
/* "Bail out! TAG setup: WHY", and the same on stderr. */
void mpt_tap_bail_out(const char *tag, const char *why);

#endif
