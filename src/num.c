/* One digit scanner for every number sockkit reads: option values (through
 * opt_parse_int) and the kernel's numbers in /proc and addresses.
 *
 * Not strtoul: in a static musl binary the strtol family brings musl's
 * general scanner (__intscan, shgetc: 2.5 KB) for what is only ever a run
 * of digits here, and its clamping at ULONG_MAX turns garbage into a
 * number. */
#include "num.h"

/* The value of a digit of base 16 or less, or 16 for any other character. */
static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (unsigned)((c | 0x20) - 'a' + 10);
	return 16;
}

const char *num_scan(const char *s, unsigned base, unsigned long long max,
		     unsigned long long *value)
{
	const char *p = s, *digits;
	unsigned long long v = 0;
	unsigned d;

	while (*p == ' ')
		p++;
	for (digits = p; (d = digit_value(*p)) < base; p++) {
		/* v * base + d would pass max: checked without overflowing. */
		if (d > max || v > (max - d) / base) {
			*value = 0;
			return s;
		}
		v = v * base + d;
	}
	*value = v;
	return p == digits ? s : p;
}
