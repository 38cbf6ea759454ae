/* The UTC date and time of a moment, for --list's STARTED column.
 *
 * gmtime_r would do, but in a static musl binary it brings the time zone
 * code along (__tz, which maps /etc/localtime and takes rwlocks: some 6 KB)
 * only to print a "Z".  The proleptic Gregorian calendar, which gmtime_r
 * uses too, is simple enough to count ourselves. */
#include <limits.h>

#include "utc.h"

#define SECS_PER_DAY 86400LL
/* The calendar repeats every 400 years: 97 of them leap years. */
#define DAYS_PER_400Y (400 * 365 + 97)
#define DAYS_PER_100Y (100 * 365 + 24)
#define DAYS_PER_4Y (4 * 365 + 1)
/* From 0000-03-01 to 1970-01-01.  Years are counted from March here, so
 * that a leap day is the last day of its year and moves no month's start. */
#define DAYS_0000_03_TO_EPOCH 719468LL

/* How many whole spans of span days fit in *days (at most most of them),
 * *days keeping the rest. */
static long long take(long long *days, long long span, long long most)
{
	long long n = *days / span;

	if (n > most)
		n = most;       /* the extra day a longer last span has */
	*days -= n * span;
	return n;
}

int pfi_utc_of(long long t, struct pfi_utc *u)
{
	/* March to February: the days of each month of a March-based year. */
	static const unsigned char month_days[12] = { 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 29 };
	long long days = t / SECS_PER_DAY, secs = t % SECS_PER_DAY;
	long long cycles, d, year;
	int m = 0;

	if (secs < 0) {         /* before the epoch: round the day down */
		secs += SECS_PER_DAY;
		days--;
	}
	days += DAYS_0000_03_TO_EPOCH;
	cycles = days / DAYS_PER_400Y - (days % DAYS_PER_400Y < 0);
	d = days - cycles * DAYS_PER_400Y;      /* 0 to 146096 */
	year = cycles * 400;
	year += take(&d, DAYS_PER_100Y, 3) * 100;
	year += take(&d, DAYS_PER_4Y, 24) * 4;
	year += take(&d, 365, 3);
	while (d >= month_days[m])      /* d: 0 to 365, the day of the year */
		d -= month_days[m++];
	u->month = m < 10 ? m + 3 : m - 9;
	u->year = year + (u->month <= 2);       /* January and February end it */
	if (u->year - 1900 > INT_MAX || u->year - 1900 < INT_MIN)
		return -1;
	u->day = (int)d + 1;
	u->hour = (int)(secs / 3600);
	u->minute = (int)(secs / 60 % 60);
	u->second = (int)(secs % 60);
	return 0;
}
