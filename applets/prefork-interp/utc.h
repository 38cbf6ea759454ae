/* A UTC calendar date from seconds since the epoch (see utc.c for why). */
#ifndef SOCKKIT_PFI_UTC_H
#define SOCKKIT_PFI_UTC_H

struct pfi_utc {
	long long year;         /* the year itself: 1970, not 70 */
	int month, day;         /* 1-12, 1-31 */
	int hour, minute, second;
};

/* 0 with *u filled, or -1 where gmtime_r fails too: the year minus 1900
 * does not fit an int (struct tm's tm_year). */
int pfi_utc_of(long long t, struct pfi_utc *u);

#endif
