/* Printing a conformance run as TAP. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tap.h"

static void print_diag(const char *tag, enum mpt_check id, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("# %s %s %s: %.*s\n", tag, mpt_check_side_word(id),
		       mpt_check_name(id), (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

/* Why a check has no result that counts: the side never got to the stage
 * of its last evaluation (and why not), or got there without evaluating
 * it (a sample it reads had failed). */
static void why_unfinished(const char *tag, enum mpt_check id, const struct mpt_shared *sh,
			   const char *const notes[2])
{
	enum mpt_role side = mpt_check_side(id);
	enum mpt_stage stage = mpt_check_stage(id);
	int stop = sh->stop_check[side] - 1;

	printf("# %s %s %s: not reached (%s): ", tag, mpt_check_side_word(id),
	       mpt_check_name(id), mpt_stage_words(stage));
	if (*notes[side]) {
		puts(notes[side]);
	} else if (sh->reached[side] >= (int)stage) {
		puts("a sample it reads failed");
	} else if (stop >= 0) {
		/* the stop's message: the last line of that check's */
		const char *diag = sh->results[stop].diag, *last = strrchr(diag, '\n');

		printf("the %s stopped at %s: %s\n", mpt_check_side_word(stop),
		       mpt_check_name(stop), last ? last + 1 : diag);
	} else {
		puts("an earlier step of this side failed");
	}
}

/* A result that stands: passed at its last stage, skipped, or failed. */
static int finished(enum mpt_check id, const struct mpt_result *r)
{
	return r->state == MPT_SKIP || r->state == MPT_FAIL || mpt_result_passed(id, r);
}

int mpt_tap_results(const char *tag, const struct mpt_shared *sh, unsigned subflows,
		    const char *const notes[2], int only_finished, int *n)
{
	int failed = 0;

	for (int id = 0; id < MPT_CHECK_COUNT; id++) {
		const struct mpt_result *r = &sh->results[id];
		const char *side = mpt_check_side_word(id), *name = mpt_check_name(id);

		if (!mpt_check_in_run(id, subflows) || (only_finished && !finished(id, r)))
			continue;
		++*n;
		if (r->state == MPT_SKIP) {
			printf("ok %d - %s %s %s # SKIP %s\n", *n, tag, side, name, r->diag);
		} else if (mpt_result_passed(id, r)) {
			printf("ok %d - %s %s %s\n", *n, tag, side, name);
		} else {
			printf("not ok %d - %s %s %s\n", *n, tag, side, name);
			if (r->state == MPT_FAIL) {
				print_diag(tag, id, r->diag);
			} else {
				why_unfinished(tag, id, sh, notes);
			}
			failed++;
		}
	}
	return failed;
}

void mpt_tap_skip_family(const char *tag, unsigned subflows, const char *why, int *n)
{
	for (int id = 0; id < MPT_CHECK_COUNT; id++)
		if (mpt_check_in_run(id, subflows))
			printf("ok %d - %s %s %s # SKIP %s\n", ++*n, tag,
			       mpt_check_side_word(id), mpt_check_name(id), why);
}

void mpt_tap_bail_out(const char *tag, const char *why)
{
	printf("Bail out! %s setup: %s\n", tag, why);
	fflush(stdout);
	warnx_("%s setup: %s", tag, why);
}
