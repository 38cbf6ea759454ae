/* A vfprintf of our own for the static binary (-Dstatic=true with musl).
 *
 * musl's vfprintf is the largest piece of libc in a static sockkit: 10 KB,
 * half of it for floating point (and wide characters) that sockkit never
 * formats.  This one does what sockkit's format strings use, and the
 * standard integer conversions besides:
 *   d i u o x X p c s %%, with the length modifiers hh h l ll j z t on the
 *   integer ones, the flags - 0 + space #, a width and a precision, each
 *   also as '*'.
 * Anything else (floating point, %n, %lc, %ls, %m, n$ positions) is
 * written out as it stands in the format, so that a conversion this
 * formatter lacks shows, instead of printing something plausible but
 * wrong; the compiler's format checks keep sockkit's own calls within the
 * list.  Where C leaves the output to the library, it is musl's, so that
 * the static binary prints what it printed with musl's own: %p is
 * 0x and 16 hex digits (0 without 0x), a null %s is "(null)" cut to the
 * precision, and the 0 flag pads only numbers.
 *
 * src/vfprintf.c makes it libc's vfprintf, so that musl's snprintf,
 * fprintf and vasprintf use it too; only static builds compile that (a
 * dynamic libc would not call it, and glibc's printf family does not go
 * through vfprintf).  t/unit/test-fmt.c compares it with the C library's
 * own vsnprintf in every build. */
#include "fmt.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "num.h"

enum { LEFT = 1, ZERO = 2, PLUS = 4, SPACE = 8, ALT = 16 };     /* as in "-0+ #" */

/* Output collects in buf: one fwrite per 256 bytes at most, so that a
 * message to an unbuffered stderr is still one write when it can be. */
struct sink {
	FILE *f;
	size_t used;
	long long total;        /* bytes of the result so far */
	int failed;
	char buf[256];
};

static void flush(struct sink *s)
{
	if (s->used && fwrite(s->buf, 1, s->used, s->f) != s->used)
		s->failed = 1;
	s->used = 0;
}

/* Whether n more bytes keep the result within INT_MAX bytes.  Past that
 * nothing more is written and the call fails with EOVERFLOW, as musl's. */
static int fits(struct sink *s, long long n)
{
	if (n <= INT_MAX - s->total)
		return 1;
	s->total = INT_MAX + 1LL;
	return 0;
}

/* n bytes of text, or n copies of c when text is NULL. */
static void put(struct sink *s, const char *text, char c, long long n)
{
	if (n <= 0 || !fits(s, n))
		return;
	s->total += n;
	while (n > 0) {
		size_t k = sizeof s->buf - s->used;

		if ((long long)k > n)
			k = (size_t)n;
		if (text) {
			memcpy(s->buf + s->used, text, k);
			text += k;
		} else
			memset(s->buf + s->used, c, k);
		s->used += k;
		n -= (long long)k;
		if (s->used == sizeof s->buf)
			flush(s);
	}
}

/* One converted field: spaces to the width (before, or after for '-'),
 * a prefix (sign, 0x), zeros, then the text. */
static void put_field(struct sink *s, long long width, unsigned flags, const char *prefix,
		      long long zeros, const char *text, long long n)
{
	long long body = (long long)strlen(prefix) + zeros + n, gap = width - body;

	if (!fits(s, gap > 0 ? width : body))
		return;         /* before a first byte of it */
	if (!(flags & LEFT))
		put(s, NULL, ' ', gap);
	put(s, prefix, 0, (long long)strlen(prefix));
	put(s, NULL, '0', zeros);
	put(s, text, 0, n);
	if (flags & LEFT)
		put(s, NULL, ' ', gap);
}

/* An integer argument as its length modifier says (H: hh, L: ll), in a
 * uintmax_t: sign-extended for d and i, so that a negative one is
 * negative again as an intmax_t. */
static uintmax_t int_arg(va_list *ap, char len, int is_signed)
{
	switch (len) {
	case 'L':
		return is_signed ? (uintmax_t)va_arg(*ap, long long) : va_arg(*ap, unsigned long long);
	case 'l':
		return is_signed ? (uintmax_t)va_arg(*ap, long) : va_arg(*ap, unsigned long);
	case 'j':
		return is_signed ? (uintmax_t)va_arg(*ap, intmax_t) : va_arg(*ap, uintmax_t);
	case 'z':       /* %zd: the signed type of size_t's size */
		return is_signed ? (uintmax_t)(intmax_t)(ptrdiff_t)va_arg(*ap, size_t)
				 : va_arg(*ap, size_t);
	case 't':       /* %tu: the unsigned type of ptrdiff_t's size */
		return is_signed ? (uintmax_t)(intmax_t)va_arg(*ap, ptrdiff_t)
				 : (size_t)va_arg(*ap, ptrdiff_t);
	}
	if (is_signed) {
		int v = va_arg(*ap, int);

		return (uintmax_t)(intmax_t)(len == 'H' ? (signed char)v : len == 'h' ? (short)v : v);
	}
	unsigned v = va_arg(*ap, unsigned);

	return len == 'H' ? (unsigned char)v : len == 'h' ? (unsigned short)v : v;
}

/* d i u o x X p.  prec < 0: none given. */
static void put_int(struct sink *s, char conv, char len, unsigned flags, long long width,
		    long long prec, va_list *ap)
{
	int is_signed = conv == 'd' || conv == 'i';
	unsigned base = conv == 'o' ? 8 : conv == 'x' || conv == 'X' || conv == 'p' ? 16 : 10;
	uintmax_t v = conv == 'p' ? (uintptr_t)va_arg(*ap, void *) : int_arg(ap, len, is_signed);
	const char *digit = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	const char *prefix = "";
	char buf[3 * sizeof v], *end = buf + sizeof buf, *p = end;
	long long zeros;

	if (prec >= 0 || flags & LEFT)
		flags &= ~ZERO; /* a precision says how many zeros */
	if (is_signed && (intmax_t)v < 0) {
		v = -v;
		prefix = "-";
	} else if (is_signed)
		prefix = flags & PLUS ? "+" : flags & SPACE ? " " : "";
	if (conv == 'p') {      /* musl's: %#.16lx, on 64 bits */
		flags |= ALT;
		if (prec < (long long)(2 * sizeof(void *)))
			prec = 2 * sizeof(void *);
	}
	for (uintmax_t rest = v; rest; rest /= base)
		*--p = digit[rest % base];
	if (flags & ALT && base == 16 && v)
		prefix = conv == 'X' ? "0X" : "0x";
	if (flags & ALT && base == 8 && prec <= end - p)
		prec = end - p + 1;     /* the first digit a 0 */
	zeros = (prec < 0 ? 1 : prec) - (end - p);     /* 0 shows as "0" without a precision */
	if (zeros < 0)
		zeros = 0;
	if (flags & ZERO && width > (long long)strlen(prefix) + zeros + (end - p))
		zeros = width - (long long)strlen(prefix) - (end - p);
	put_field(s, width, flags, prefix, zeros, p, end - p);
}

/* A width or a precision: digits at *fmt, or '*' for the next argument
 * (an int, maybe negative); none when neither is there.  LLONG_MIN for
 * digits past INT_MAX. */
static long long field_size(const char **fmt, va_list *ap, long long none)
{
	unsigned long long n;
	const char *end;

	if (**fmt == '*') {
		++*fmt;
		return va_arg(*ap, int);
	}
	if (**fmt < '0' || **fmt > '9')
		return none;
	end = num_scan(*fmt, 10, INT_MAX, &n);
	if (end == *fmt)
		return LLONG_MIN;
	*fmt = end;
	return (long long)n;
}

/* One conversion, fmt just past its '%'.  Returns where the format goes
 * on, or NULL for a conversion this formatter lacks. */
static const char *convert(struct sink *s, const char *fmt, va_list *ap)
{
	static const char flag_chars[] = "-0+ #";
	const char *f;
	unsigned flags = 0;
	long long width, prec = -1;
	char len = 0, conv;

	while (*fmt && (f = strchr(flag_chars, *fmt))) {
		flags |= 1u << (f - flag_chars);
		fmt++;
	}
	if ((width = field_size(&fmt, ap, 0)) == LLONG_MIN)
		return NULL;
	if (width < 0) {        /* from '*': left-justified */
		flags |= LEFT;
		width = -width;
	}
	if (*fmt == '.') {
		fmt++;
		if ((prec = field_size(&fmt, ap, 0)) == LLONG_MIN)
			return NULL;
		if (prec < 0)
			prec = -1;      /* from '*': as if none */
	}
	if (*fmt == 'h' || *fmt == 'l') {
		len = *fmt++;
		if (*fmt == len) {
			len = len == 'h' ? 'H' : 'L';
			fmt++;
		}
	} else if (*fmt && strchr("jzt", *fmt))
		len = *fmt++;
	conv = *fmt++;
	if ((conv && strchr("diouxX", conv)) || (conv == 'p' && !len))
		put_int(s, conv, len, flags, width, prec, ap);
	else if (conv == 'c' && !len) {
		char c = (char)va_arg(*ap, int);

		put_field(s, width, flags, "", 0, &c, 1);
	} else if (conv == 's' && !len) {
		const char *str = va_arg(*ap, const char *);

		if (!str)
			str = "(null)";
		put_field(s, width, flags, "", 0, str,
			  (long long)strnlen(str, prec < 0 ? SIZE_MAX : (size_t)prec));
	} else
		return NULL;
	return fmt;
}

int fmt_vfprintf(FILE *f, const char *fmt, va_list ap_in)
{
	struct sink s = { .f = f };
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		const char *pct = strchrnul(fmt, '%'), *next;

		put(&s, fmt, 0, pct - fmt);
		if (!*pct)
			break;
		if (pct[1] == '%')
			next = pct + 2, put(&s, "%", 0, 1);
		else if (!(next = convert(&s, pct + 1, &ap))) {
			/* Not ours to convert: the conversion as written. */
			next = pct + 1 + strspn(pct + 1, "-0+ #*.0123456789hlLjzt");
			next += *next != '\0';
			put(&s, pct, 0, next - pct);
		}
		fmt = next;
	}
	va_end(ap);
	flush(&s);
	if (s.total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return s.failed ? -1 : (int)s.total;
}
