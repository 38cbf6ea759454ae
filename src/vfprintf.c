/* Static builds with musl only (meson.build): fmt_vfprintf as libc's own
 * vfprintf.  musl's printf, fprintf, snprintf and vasprintf all format
 * through vfprintf, so with this definition the linker never takes musl's
 * (10 KB, most of it floating point that sockkit does not print).  See
 * fmt.c for what it formats. */
#include <stdarg.h>
#include <stdio.h>

#include "fmt.h"

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	return fmt_vfprintf(f, fmt, ap);
}
