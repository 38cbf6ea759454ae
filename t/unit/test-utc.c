/* pfi_utc_of against the C library's own gmtime_r (glibc or musl, whichever
 * this build links): a table of moments, a sweep of days across four
 * centuries either side of the epoch, and the edges where gmtime_r stops
 * (the year no longer fits struct tm's int). */
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "tap.h"
#include "utc.h"

/* 1 when ours and gmtime_r agree on t (both fail, or the same fields). */
static int agrees(long long t, int quiet)
{
	time_t tt = (time_t)t;
	struct tm tm;
	struct pfi_utc u;
	int theirs = gmtime_r(&tt, &tm) ? 0 : -1, ours = pfi_utc_of(t, &u);

	if (ours == theirs && (ours < 0 || (u.year == tm.tm_year + 1900LL &&
					    u.month == tm.tm_mon + 1 && u.day == tm.tm_mday &&
					    u.hour == tm.tm_hour && u.minute == tm.tm_min &&
					    u.second == tm.tm_sec)))
		return 1;
	if (!quiet) {
		printf("# %lld: gmtime_r %d", t, theirs);
		if (theirs == 0)
			printf(" %lld-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900LL, tm.tm_mon + 1,
			       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		printf(", ours %d", ours);
		if (ours == 0)
			printf(" %lld-%02d-%02d %02d:%02d:%02d", u.year, u.month, u.day,
			       u.hour, u.minute, u.second);
		printf("\n");
	}
	return 0;
}

static void check_exact(long long t, long long year, int month, int day, int h, int m, int s,
			const char *name)
{
	struct pfi_utc u;

	tap_ok(pfi_utc_of(t, &u) == 0 && u.year == year && u.month == month && u.day == day &&
	       u.hour == h && u.minute == m && u.second == s, name);
}

/* Where gmtime_r stops, found with gmtime_r alone: from a moment it
 * converts (ok) towards one it does not (bad), the last it converts. */
static long long edge(long long ok, long long bad)
{
	/* Until they are neighbours (both differences may not fit a long long). */
	while ((unsigned long long)bad - (unsigned long long)ok + 1 > 2) {
		long long mid = ok + (bad - ok) / 2;
		time_t tt = (time_t)mid;
		struct tm tm;

		if (gmtime_r(&tt, &tm))
			ok = mid;
		else
			bad = mid;
	}
	return ok;
}

int main(void)
{
	static const long long moments[] = {
		0, -1, 1, 86399, 86400, -86400, -86401, 951782400 /* 2000-02-29 */,
		951868800 /* 2000-03-01 */, 1000000000, 4107542399 /* 2100-02-28 23:59:59 */,
		4107542400 /* 2100-03-01 */, 2147483647, 2147483648LL, -2147483648LL,
		-62135596800LL /* 0001-01-01 */, -62135596801LL, -62167219200LL /* 0000-01-01 */,
		253402300799LL /* 9999-12-31 23:59:59 */, 253402300800LL,
		67768036191676799LL, 67768036191676800LL, -67768040609740800LL,
		-67768040609740801LL, LLONG_MAX, LLONG_MIN, LLONG_MAX - 86399, LLONG_MIN + 86399,
	};
	long long hi, lo, failures = 0;
	unsigned long long x = 88172645463325252ULL;

	check_exact(0, 1970, 1, 1, 0, 0, 0, "the epoch");
	check_exact(-1, 1969, 12, 31, 23, 59, 59, "a second before it");
	check_exact(951782400, 2000, 2, 29, 0, 0, 0, "2000-02-29: a leap day of a 400th year");
	check_exact(4107542400, 2100, 3, 1, 0, 0, 0, "2100 has no 29 February");
	check_exact(1000000000, 2001, 9, 9, 1, 46, 40, "1000000000 s");
	for (size_t i = 0; i < sizeof moments / sizeof *moments; i++) {
		char name[64];

		snprintf(name, sizeof name, "as gmtime_r: %lld", moments[i]);
		tap_ok(agrees(moments[i], 0), name);
	}
	/* Every day from 1570 to 2370, at a second that moves with the day. */
	for (long long day = -146097; day <= 146097; day++)
		failures += !agrees(day * 86400 + (day * 7919 % 86400 + 86400) % 86400, failures > 3);
	tap_is_int(failures, 0, "as gmtime_r: every day of 1570-2370");
	/* Moments anywhere in gmtime_r's range and beyond (xorshift). */
	failures = 0;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		failures += !agrees((long long)(x >> (i % 40)) * (i & 1 ? -1 : 1), failures > 3);
	}
	tap_is_int(failures, 0, "as gmtime_r: moments of every size");
	hi = edge(0, LLONG_MAX);
	lo = edge(0, LLONG_MIN);
	tap_ok(agrees(hi, 0) && agrees(hi + 1, 0), "as gmtime_r: its last second, and the next");
	tap_ok(agrees(lo, 0) && agrees(lo - 1, 0), "as gmtime_r: its first second, and the one before");
	return tap_done();
}
