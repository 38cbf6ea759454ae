/* Minimal TAP for the C unit tests: "ok N - name", the plan at the end. */
#ifndef SOCKKIT_TAP_H
#define SOCKKIT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_ok(int cond, const char *name)
{
	tap_count++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline void tap_is_str(const char *got, const char *want, const char *name)
{
	int same = got && want ? !strcmp(got, want) : got == want;

	if (!tap_ok(same, name))
		printf("# expected: \"%s\"\n#      got: \"%s\"\n",
		       want ? want : "(null)", got ? got : "(null)");
}

static inline void tap_is_int(long long got, long long want, const char *name)
{
	if (!tap_ok(got == want, name))
		printf("# expected: %lld\n#      got: %lld\n", want, got);
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
