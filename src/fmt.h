/* A small printf formatter: sockkit's vfprintf in static builds (see
 * fmt.c for why, and which conversions). */
#ifndef SOCKKIT_FMT_H
#define SOCKKIT_FMT_H

#include <stdarg.h>
#include <stdio.h>

/* As vfprintf(f, fmt, ap), for the conversions fmt.c lists; any other is
 * written as it stands in fmt ("%f" prints "%f").  -1 when a write fails,
 * or with errno EOVERFLOW when the result would pass INT_MAX bytes. */
int fmt_vfprintf(FILE *f, const char *fmt, va_list ap);

#endif
