/* A heap sort, for the few short arrays prefork-interp sorts (fds to keep,
 * the servers of a run directory).
 *
 * Not qsort: in a static musl binary qsort is smoothsort, 2 KB of code for
 * arrays of a few dozen elements.  A heap sort is a few lines, sorts in
 * place and stays O(n log n) however many servers a directory holds. */
#include "sort.h"

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	while (size--) {
		unsigned char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Moves the element at root down the heap of the first n elements until
 * neither of its children is greater. */
static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	size_t child;

	for (; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		swap_bytes(base + root * size, base + child * size, size);
	}
}

void pfi_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	unsigned char *b = base;

	for (size_t i = n / 2; i-- > 0;)        /* a heap: the greatest first */
		sift_down(b, i, n, size, cmp);
	for (size_t end = n; end > 1; end--) {  /* the greatest to the end */
		swap_bytes(b, b + (end - 1) * size, size);
		sift_down(b, 0, end - 1, size, cmp);
	}
}
