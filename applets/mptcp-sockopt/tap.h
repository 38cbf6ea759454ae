/* The TAP stream of a conformance run. */
#ifndef SOCKKIT_MPTCP_TAP_H
#define SOCKKIT_MPTCP_TAP_H

#include "checks.h"

/* Print one family's results, numbering from *n; the notes say why a side
 * stopped early ("" when it did not).  Returns how many failed. */
int mpt_tap_results(const char *tag, const struct mpt_result *results, unsigned subflows,
		    const char *server_note, const char *client_note, int *n);
/* Every check of a family skipped with the reason (the family cannot run
 * here, e.g. no ::1). */
void mpt_tap_skip_family(const char *tag, unsigned subflows, const char *why, int *n);
/* "Bail out! TAG setup: WHY", and the same on stderr. */
void mpt_tap_bail_out(const char *tag, const char *why);

#endif
