/* Message formatting: one line, prefixed, with strerror. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "err.h"
#include "tap.h"

static size_t fmt(char *buf, size_t size, int errnum, const char *f, ...) PRINTF_LIKE(4, 5);
static size_t fmt(char *buf, size_t size, int errnum, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = err_format(buf, size, errnum, f, ap);
	va_end(ap);
	return n;
}

int main(void)
{
	char buf[64], small[16];
	size_t n;

	err_prog = "bindtest";
	fmt(buf, sizeof buf, -1, "bad port %d", 7);
	tap_is_str(buf, "bindtest: bad port 7\n", "prefix and newline");
	fmt(buf, sizeof buf, ENOENT, "open %s", "x");
	tap_is_str(buf, "bindtest: open x: No such file or directory\n", "with strerror");
	n = fmt(small, sizeof small, ENOENT, "%s", "a very long message indeed");
	tap_is_int((long long)n, 15, "truncated to the buffer");
	tap_ok(small[n - 1] == '\n' && small[n] == '\0', "a truncated message still ends the line");
	return tap_done();
}
