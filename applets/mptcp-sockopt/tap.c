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

int mpt_tap_results(const char *tag, const struct mpt_result *results, unsigned subflows,
		    const char *server_note, const char *client_note, int *n)
{
	int failed = 0;

	for (int id = 0; id < MPT_CHECK_COUNT; id++) {
		const struct mpt_result *r = &results[id];
		const char *side = mpt_check_side_word(id), *name = mpt_check_name(id);
		const char *note = mpt_check_side(id) == MPT_SERVER ? server_note : client_note;

		if (!mpt_check_in_run(id, subflows))
			continue;
		++*n;
		switch (r->state) {
		case MPT_PASS:
			printf("ok %d - %s %s %s\n", *n, tag, side, name);
			break;
		case MPT_SKIP:
			printf("ok %d - %s %s %s # SKIP %s\n", *n, tag, side, name, r->diag);
			break;
		case MPT_FAIL:
			printf("not ok %d - %s %s %s\n", *n, tag, side, name);
			print_diag(tag, id, r->diag);
			failed++;
			break;
		default:
			printf("not ok %d - %s %s %s\n", *n, tag, side, name);
			print_diag(tag, id, *note ? note
				   : "not reached: an earlier step of this side failed");
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
