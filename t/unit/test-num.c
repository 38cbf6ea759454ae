/* num_scan: a table of texts, and where it must agree with strtoull (digits
 * after spaces, in range) a comparison with the C library's own. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "tap.h"

struct num_case {
	const char *text;
	unsigned base;
	unsigned long long max;
	unsigned long long value;
	int used;               /* characters consumed; 0: no number */
};

static const struct num_case cases[] = {
	{ "0", 10, ULLONG_MAX, 0, 1 },
	{ "42", 10, ULLONG_MAX, 42, 2 },
	{ "007", 10, ULLONG_MAX, 7, 3 },
	{ "12 34", 10, ULLONG_MAX, 12, 2 },
	{ "   12]", 10, ULLONG_MAX, 12, 5 },
	{ "", 10, ULLONG_MAX, 0, 0 },
	{ "   ", 10, ULLONG_MAX, 0, 0 },
	{ "x1", 10, ULLONG_MAX, 0, 0 },
	{ "-1", 10, ULLONG_MAX, 0, 0 },         /* no sign */
	{ "+1", 10, ULLONG_MAX, 0, 0 },
	{ "\t1", 10, ULLONG_MAX, 0, 0 },        /* spaces only */
	{ "1a", 10, ULLONG_MAX, 1, 1 },
	{ "18446744073709551615", 10, ULLONG_MAX, ULLONG_MAX, 20 },
	{ "18446744073709551616", 10, ULLONG_MAX, 0, 0 },
	{ "99999999999999999999999", 10, ULLONG_MAX, 0, 0 },
	{ "4294967295", 10, 4294967295ULL, 4294967295ULL, 10 },
	{ "4294967296", 10, 4294967295ULL, 0, 0 },
	{ "9223372036854775808", 10, 9223372036854775808ULL, 9223372036854775808ULL, 19 },
	{ "9223372036854775809", 10, 9223372036854775808ULL, 0, 0 },
	{ "5", 10, 4, 0, 0 },                   /* one digit past a small max */
	{ "0", 10, 0, 0, 1 },
	{ "00010000", 16, ULLONG_MAX, 0x10000, 8 },
	{ " 0001 01 12345", 16, ULLONG_MAX, 1, 5 },
	{ "aBcDeF", 16, ULLONG_MAX, 0xabcdef, 6 },
	{ "fg", 16, ULLONG_MAX, 15, 1 },
	{ "0x10", 16, ULLONG_MAX, 0, 1 },       /* no "0x": the 0, then x */
	{ "ffffffffffffffff", 16, ULLONG_MAX, ULLONG_MAX, 16 },
	{ "10000000000000000", 16, ULLONG_MAX, 0, 0 },
	{ "ab", 10, ULLONG_MAX, 0, 0 },         /* hex digits are not decimal */
};

/* Digits after spaces, within range: strtoull must say the same. */
static int agrees_with_strtoull(const char *text, unsigned base)
{
	unsigned long long ours, theirs;
	const char *end = num_scan(text, base, ULLONG_MAX, &ours);
	char *their_end;

	errno = 0;
	theirs = strtoull(text, &their_end, (int)base);
	return errno == 0 && ours == theirs && end == their_end;
}

int main(void)
{
	static const struct { const char *text; unsigned base; } same[] = {
		{ "0", 10 }, { "1", 10 }, { "9", 10 }, { "10", 10 }, { "255", 10 },
		{ " 65535 x", 10 }, { "   4294967296", 10 }, { "18446744073709551614", 10 },
		{ "123456789]", 10 }, { "0", 16 }, { "ff", 16 }, { "FF", 16 }, { " 00010000 ", 16 },
		{ "7fffffffffffffff", 16 }, { "8000000000000000", 16 }, { "123456789abcdef0", 16 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct num_case *c = &cases[i];
		unsigned long long v = 12345;
		const char *end = num_scan(c->text, c->base, c->max, &v);
		char name[96];

		snprintf(name, sizeof name, "\"%s\" in base %u up to %llu", c->text, c->base, c->max);
		if (!tap_ok(end - c->text == c->used && v == c->value, name))
			printf("# expected %llu, %d used; got %llu, %d used\n", c->value, c->used,
			       v, (int)(end - c->text));
	}
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		char name[96];

		snprintf(name, sizeof name, "as strtoull: \"%s\" in base %u", same[i].text, same[i].base);
		tap_ok(agrees_with_strtoull(same[i].text, same[i].base), name);
	}
	return tap_done();
}
