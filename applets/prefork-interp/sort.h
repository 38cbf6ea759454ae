/* An in-place sort for prefork-interp's short arrays (see sort.c). */
#ifndef SOCKKIT_PFI_SORT_H
#define SOCKKIT_PFI_SORT_H

#include <stddef.h>

/* As qsort: n elements of size bytes at base, in cmp's order; equal
 * elements in no particular order. */
void pfi_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
