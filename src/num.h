/* Numbers at the front of text, as the kernel writes them in /proc (see
 * num.c for why not strtoul). */
#ifndef SOCKKIT_NUM_H
#define SOCKKIT_NUM_H

/* The digits of base (10 or 16) at the front of s, after any spaces: their
 * value goes to *value, and it returns where they end.  When there is no
 * digit, or the value exceeds max, *value is 0 and it returns s itself,
 * as for no number.  Unlike strtoul: no sign, no "0x", no clamping. */
const char *num_scan(const char *s, unsigned base, unsigned long long max,
		     unsigned long long *value);

#endif
