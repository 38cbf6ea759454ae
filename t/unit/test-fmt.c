/* fmt_vfprintf (the static build's vfprintf) against the C library's own
 * vsnprintf, glibc's or musl's, whichever this build links: tables of
 * formats crossed with tables of values, each value type with its length
 * modifier, edge values included; then what the library leaves to the
 * implementation (fmt_vfprintf does as musl does), what fmt_vfprintf does
 * not convert, output past its buffer, overflow and a failing stream. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "tap.h"

/* The formats come from the tables below, so no compiler checks them. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static int failures;

/* Our output of fmt with ap: its length (or -1), the bytes in *out. */
static int ours(char **out, size_t *size, const char *fmt, va_list ap)
{
	FILE *m = open_memstream(out, size);
	int n;

	if (!m) {
		perror("open_memstream");
		exit(1);
	}
	n = fmt_vfprintf(m, fmt, ap);
	fclose(m);
	return n;
}

/* 1 when fmt_vfprintf and vsnprintf agree on fmt and its arguments: the
 * same count, the same bytes (a %c of 0 included), the same errno on
 * failure.  The first few disagreements are shown. */
static int agree(const char *fmt, ...)
{
	char theirs[4096], *mine = NULL;
	size_t size = 0;
	int n_theirs, n_ours, e_theirs, e_ours, same;
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	errno = 0;
	n_theirs = vsnprintf(theirs, sizeof theirs, fmt, ap);
	e_theirs = errno;
	errno = 0;
	n_ours = ours(&mine, &size, fmt, ap2);
	e_ours = errno;
	va_end(ap2);
	va_end(ap);
	same = n_ours == n_theirs && (n_ours < 0 ? e_ours == e_theirs :
				      (size_t)n_ours == size && n_ours < (int)sizeof theirs &&
				      !memcmp(mine, theirs, size));
	if (!same && ++failures <= 10)
		printf("# \"%s\": the C library %d \"%.*s\" (errno %d), ours %d \"%.*s\" (errno %d)\n",
		       fmt, n_theirs, n_theirs < 0 ? 0 : n_theirs, theirs, e_theirs,
		       n_ours, (int)size, mine ? mine : "", e_ours);
	free(mine);
	return same;
}

/* 1 when fmt_vfprintf fails on fmt with EOVERFLOW, having written nothing. */
static int overflows(const char *fmt, ...)
{
	char *mine = NULL;
	size_t size = 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	errno = 0;
	n = ours(&mine, &size, fmt, ap);
	va_end(ap);
	if (n != -1 || errno != EOVERFLOW || size > 1)
		printf("# \"%s\": expected -1, EOVERFLOW and at most the 1 byte before the field, got %d, errno %d, %zu bytes\n",
		       fmt, n, errno, size);
	free(mine);
	return n == -1 && errno == EOVERFLOW && size <= 1;
}

/* Our output must be want, exactly. */
static void is_ours(const char *want, const char *name, const char *fmt, ...)
{
	char *mine = NULL;
	size_t size = 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = ours(&mine, &size, fmt, ap);
	va_end(ap);
	if (!tap_ok(n == (int)strlen(want) && size == strlen(want) && !memcmp(mine, want, size), name))
		printf("# expected %zu \"%s\", got %d \"%.*s\"\n", strlen(want), want, n,
		       (int)size, mine ? mine : "");
	free(mine);
}

static int print_to(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

#define N(a) (sizeof (a) / sizeof *(a))

static const char *const signed_formats[] = {
	"%d", "%i", "%1d", "%12d", "%-12d|", "%012d", "%-012d|", "%+d", "% d", "%+ d", "% 05d",
	"%+012d", "%.0d", "%.1d", "%.3d", "%.12d", "%12.3d", "%-12.3d|", "%012.3d", "%+.0d",
	"% .0d", "%5.0d", "[%d]",
};
static const int signed_values[] = {
	0, 1, -1, 7, -7, 42, -42, 999, 1000, -1000, 123456789, INT_MAX, INT_MIN, INT_MIN + 1,
};

static const char *const unsigned_formats[] = {
	"%u", "%x", "%X", "%o", "%#x", "%#X", "%#o", "%12u", "%-12x|", "%012X", "%#012x",
	"%#-12o|", "%.0u", "%.0x", "%#.0x", "%#.0o", "%.5x", "%#.5x", "%#.5o", "%#8.5o",
	"%012.5u", "%#12.0x", "%#3o",
};
static const unsigned unsigned_values[] = {
	0, 1, 7, 8, 9, 10, 15, 16, 255, 256, 0777, 01000, 0xdeadbeef, 1000000000, UINT_MAX,
};

static const char *const string_formats[] = {
	"%s", "[%s]", "%10s|", "%-10s|", "%.0s|", "%.1s|", "%.2s|", "%.12s|", "%5.2s|",
	"%-5.2s|", "%0.3s|", "%1s|",
};
static const char *const string_values[] = {
	"", "a", "ab", "abc", "hello, world", "caf\xc3\xa9", "tab\there",
};

static const char *const char_formats[] = { "%c", "[%c]", "%3c|", "%-3c|", "%1c|" };
static const int char_values[] = { 'A', ' ', '%', 0, 0x7f, 0xe9, -1 };

/* One value of each type, with the length modifier that takes it. */
enum kind { HH, H, L, LL, J, Z, T, UL, ULL, UJ, UZ };
static const struct {
	const char *fmt;
	enum kind kind;
	long long s;                    /* the value, for signed kinds */
	unsigned long long u;           /* for unsigned ones */
} typed[] = {
	{ "%hhd", HH, 300, 0 }, { "%hhd", HH, -129, 0 }, { "%hhd", HH, 127, 0 },
	{ "%hhu", HH, -1, 0 }, { "%hhx", HH, 0x1ff, 0 }, { "%5hhd", HH, -128, 0 },
	{ "%hd", H, 70000, 0 }, { "%hd", H, -32768, 0 }, { "%hu", H, -1, 0 }, { "%#hx", H, 0x12345, 0 },
	{ "%ld", L, LONG_MIN, 0 }, { "%ld", L, LONG_MAX, 0 }, { "%-22ld|", L, LONG_MIN, 0 },
	{ "%lld", LL, LLONG_MIN, 0 }, { "%lld", LL, LLONG_MAX, 0 }, { "%+lld", LL, 0, 0 },
	{ "%025lld", LL, LLONG_MIN, 0 }, { "%.20lld", LL, -1, 0 },
	{ "%jd", J, INTMAX_MIN, 0 }, { "%jd", J, INTMAX_MAX, 0 },
	{ "%zd", Z, -1, 0 }, { "%zd", Z, PTRDIFF_MAX, 0 }, { "%zd", Z, PTRDIFF_MIN, 0 },
	{ "%td", T, PTRDIFF_MIN, 0 }, { "%td", T, 12345, 0 }, { "%tx", T, -1, 0 }, { "%tu", T, -2, 0 },
	{ "%lu", UL, 0, ULONG_MAX }, { "%lx", UL, 0, ULONG_MAX }, { "%#lo", UL, 0, ULONG_MAX },
	{ "%llu", ULL, 0, ULLONG_MAX }, { "%llx", ULL, 0, 0x0123456789abcdefULL },
	{ "%#llX", ULL, 0, ULLONG_MAX }, { "%#llo", ULL, 0, ULLONG_MAX }, { "%.0llu", ULL, 0, 0 },
	{ "%ju", UJ, 0, UINTMAX_MAX }, { "%jx", UJ, 0, UINTMAX_MAX },
	{ "%zu", UZ, 0, SIZE_MAX }, { "%zx", UZ, 0, SIZE_MAX }, { "%8zu", UZ, 0, 0 },
};

static int typed_agrees(size_t i)
{
	const char *f = typed[i].fmt;
	long long s = typed[i].s;
	unsigned long long u = typed[i].u;

	switch (typed[i].kind) {
	case HH: case H: return agree(f, (int)s);
	case L: return agree(f, (long)s);
	case LL: return agree(f, s);
	case J: return agree(f, (intmax_t)s);
	case Z: return agree(f, (size_t)(ptrdiff_t)s);
	case T: return agree(f, (ptrdiff_t)s);
	case UL: return agree(f, (unsigned long)u);
	case ULL: return agree(f, u);
	case UJ: return agree(f, (uintmax_t)u);
	case UZ: return agree(f, (size_t)u);
	}
	return 0;
}

/* '*' widths and precisions, negative ones included. */
static const char *const star_formats[] = { "%*d|", "%-*d|", "%0*d|", "%.*d|", "%*x|", "%.*u|" };
static const int star_values[] = { 0, 1, 5, 12, -1, -5, -12 };

static void cross_checks(void)
{
	char name[64];
	int f0;

#define CROSS(formats, values, what)                                            \
	do {                                                                    \
		f0 = failures;                                                  \
		for (size_t i = 0; i < N(formats); i++)                        \
			for (size_t j = 0; j < N(values); j++)                 \
				agree(formats[i], values[j]);                    \
		snprintf(name, sizeof name, "as vsnprintf: %zu %s formats x %zu values", \
			 N(formats), what, N(values));                          \
		tap_is_int(failures - f0, 0, name);                             \
	} while (0)
	CROSS(signed_formats, signed_values, "int");
	CROSS(unsigned_formats, unsigned_values, "unsigned");
	CROSS(string_formats, string_values, "string");
	CROSS(char_formats, char_values, "char");

	f0 = failures;
	for (size_t i = 0; i < N(typed); i++)
		typed_agrees(i);
	snprintf(name, sizeof name, "as vsnprintf: %zu typed values (hh h l ll j z t)", N(typed));
	tap_is_int(failures - f0, 0, name);

	f0 = failures;
	for (size_t i = 0; i < N(star_formats); i++)
		for (size_t j = 0; j < N(star_values); j++)
			for (size_t k = 0; k < N(signed_values); k++)
				agree(star_formats[i], star_values[j], signed_values[k] & 0xffff);
	for (size_t j = 0; j < N(star_values); j++)
		for (size_t k = 0; k < N(string_values); k++) {
			agree("%.*s|", star_values[j], string_values[k]);
			agree("%*s|", star_values[j], string_values[k]);
			agree("%-*.*s|", star_values[j], star_values[N(star_values) - 1 - j],
			      string_values[k]);
			agree("%*.*d|", star_values[j], star_values[N(star_values) - 1 - j], -42);
		}
	tap_is_int(failures - f0, 0, "as vsnprintf: '*' widths and precisions, negative ones too");
}

int main(void)
{
	char long_text[1000], pointer[64];
	void *p = &failures;
	const char *volatile null = NULL;
	FILE *full;

	cross_checks();
	tap_ok(agree("plain text, no conversion"), "as vsnprintf: text alone");
	tap_ok(agree(""), "as vsnprintf: an empty format");
	tap_ok(agree("100%% sure, %d%%", 5), "as vsnprintf: %%");
	tap_ok(agree("%s: %s=%d (%u, %#x) %c%-6s|%5.1s|%zu %lld %llu", "prog", "key", -3, 7u, 255u,
		     'Q', "ok", "xyz", (size_t)12, LLONG_MIN, ULLONG_MAX),
	       "as vsnprintf: many conversions in one format");
	memset(long_text, 'x', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	long_text[500] = 'y';
	tap_ok(agree("[%s] [%300d] [%-300s] %s", long_text, -1, "left", "end"),
	       "as vsnprintf: output past the 256-byte buffer");
	tap_ok(agree("%s", null), "as vsnprintf: a null %s is (null)");
	/* Past INT_MAX bytes: -1 and EOVERFLOW, as C requires, found before
	 * anything is written (glibc writes the 2 GB first: seconds a case,
	 * so it is not the reference here). */
	tap_ok(overflows("%s%*d", "x", INT_MAX, 1) && overflows("%s%2147483647d", "x", 1) &&
	       overflows("%s%.*d", "x", INT_MAX, 1), "past INT_MAX bytes: -1 and EOVERFLOW, nothing written");

	/* What C leaves to the library: musl's choices. */
	is_ours("(nu", "a null %.3s: \"(null)\" cut to the precision, as musl", "%.3s", null);
	snprintf(pointer, sizeof pointer, "0x%0*llx", (int)(2 * sizeof p),
		 (unsigned long long)(uintptr_t)p);
	is_ours(pointer, "%p: 0x and two hex digits a byte, as musl", "%p", p);
	snprintf(pointer, sizeof pointer, "%0*d|", (int)(2 * sizeof p), 0);
	is_ours(pointer, "%p of NULL: zeros, no 0x, as musl", "%p|", (void *)NULL);
	is_ours("    A|", "%05c: no zeros for a char, as musl", "%05c|", 'A');

	/* What it does not convert shows as written. */
	is_ours("pi is %f", "%f: written as it stands", "pi is %f", 3.14);
	is_ours("[%-8.3e]", "%-8.3e: written as it stands", "[%-8.3e]", 3.14);
	is_ours("%Lf|%lc|%ls|%n", "%Lf %lc %ls %n: written as they stand", "%Lf|%lc|%ls|%n",
		(long double)1, 'x', L"x", (int *)NULL);
	is_ours("5 %1$d", "n$ positions: written as they stand", "%d %1$d", 5);
	is_ours("%", "a lone % at the end", "%");

	full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		tap_is_int(print_to(full, "%s", "x"), -1, "a write that fails: -1");
		fclose(full);
	} else
		tap_ok(1, "# SKIP no /dev/full");
	return tap_done();
}
