/* alloc.c (the static build's malloc) against the C library's malloc,
 * run side by side: the same random program of malloc, calloc, realloc
 * and free on both, each block filled with its own pattern, every block
 * checked intact before it changes or goes.  Then the edges: 0 bytes,
 * sizes at every class boundary and past the largest, alignment, calloc
 * zeroing recycled memory, and the sizes that must fail with ENOMEM. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "tap.h"

#define SLOTS 300

static unsigned long long rng = 0x243f6a8885a308d3ULL;

static unsigned next_random(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (unsigned)(rng >> 32);
}

/* Mostly small sizes, some around the class boundaries, a few large. */
static size_t random_size(void)
{
	unsigned r = next_random() % 100;

	if (r < 60)
		return next_random() % 100;
	if (r < 90)
		return ((size_t)16 << (next_random() % 9)) + next_random() % 33 - 16;
	return next_random() % 200000;
}

struct slot {
	unsigned char *ours, *libc;
	size_t len;
	unsigned char fill;
};

static int same(const struct slot *s)
{
	return !s->len || (!memcmp(s->ours, s->libc, s->len) &&
			   s->ours[0] == s->fill && s->ours[s->len - 1] == s->fill);
}

static int aligned(const void *p)
{
	return (uintptr_t)p % 16 == 0;
}

static int step(struct slot *s)
{
	size_t n = random_size();
	unsigned op = next_random() % 4;

	if (s->ours && !same(s))
		return 0;
	if (!s->ours || op == 0) {
		alloc_free(s->ours), free(s->libc);
		if (op == 1) {
			s->ours = alloc_calloc(1, n), s->libc = calloc(1, n ? n : 1);
			for (size_t i = 0; i < n; i++)
				if (s->ours[i])
					return 0;
		} else {
			s->ours = alloc_malloc(n), s->libc = malloc(n ? n : 1);
		}
		s->len = 0;
	} else if (n) {
		/* glibc's realloc(p, 0) frees p; the cases keep n above 0 */
		s->ours = alloc_realloc(s->ours, n), s->libc = realloc(s->libc, n);
		if (s->len > n)
			s->len = n;
		if (!same(s))
			return 0;
	}
	if (!s->ours || !s->libc || !aligned(s->ours) || alloc_usable(s->ours) < n)
		return 0;
	s->fill = (unsigned char)next_random();
	memset(s->ours, s->fill, n), memset(s->libc, s->fill, n);
	s->len = n;
	return 1;
}

static int random_program(int steps)
{
	static struct slot slot[SLOTS];
	int ok = 1;

	for (int i = 0; i < steps && ok; i++)
		ok = step(&slot[next_random() % SLOTS]);
	for (int i = 0; i < SLOTS; i++) {
		ok = ok && (!slot[i].ours || same(&slot[i]));
		alloc_free(slot[i].ours), free(slot[i].libc);
		slot[i].ours = slot[i].libc = NULL;
	}
	return ok;
}

/* Each size from 0 to past the largest class, held all at once: distinct,
 * aligned, writable end to end without touching a neighbour. */
static int boundaries(void)
{
	static unsigned char *p[8300];
	int ok = 1;

	for (size_t n = 0; n < 8300; n++) {
		p[n] = alloc_malloc(n);
		ok = ok && p[n] && aligned(p[n]) && alloc_usable(p[n]) >= n;
		if (p[n])
			memset(p[n], (int)(n & 0xff), n);
	}
	for (size_t n = 0; n < 8300; n++) {
		for (size_t i = 0; i < n && ok; i++)
			ok = p[n][i] == (unsigned char)(n & 0xff);
		alloc_free(p[n]);
	}
	return ok;
}

static int calloc_zeroes_recycled(void)
{
	unsigned char *p = alloc_malloc(100), *q;
	int ok = 1;

	memset(p, 0xa5, 100);
	alloc_free(p);
	q = alloc_calloc(10, 10);
	for (int i = 0; i < 100; i++)
		ok = ok && q[i] == 0;
	alloc_free(q);
	return ok && q == p;            /* the freed block came back */
}

static int fails_enomem(void *p)
{
	int ok = !p && errno == ENOMEM;

	errno = 0;
	return ok;
}

int main(void)
{
	char *z1 = alloc_malloc(0), *z2 = alloc_malloc(0), *g;

	tap_ok(z1 && z2 && z1 != z2, "malloc(0) gives distinct non-NULL pointers");
	tap_ok(alloc_realloc(z1, 0) == z1, "realloc(p, 0) keeps p");
	alloc_free(z1), alloc_free(z2), alloc_free(NULL);
	g = alloc_realloc(NULL, 5000);
	tap_ok(g && aligned(g), "realloc(NULL, n) is malloc(n)");
	memset(g, 'x', 5000);
	g = alloc_realloc(g, 3);
	tap_ok(g && g[0] == 'x' && g[2] == 'x', "shrinking a large block keeps its bytes");
	alloc_free(g);
	tap_ok(boundaries(), "every size to 8300 bytes at once: distinct, aligned, intact");
	tap_ok(calloc_zeroes_recycled(), "calloc zeroes a recycled block");
	tap_ok(random_program(20000), "20000 random malloc/calloc/realloc/free agree with libc");
	tap_ok(random_program(20000), "again, over the free lists the first run left");
	tap_ok(fails_enomem(alloc_malloc(SIZE_MAX)), "malloc(SIZE_MAX): ENOMEM");
	tap_ok(fails_enomem(alloc_malloc(PTRDIFF_MAX)), "malloc(PTRDIFF_MAX): ENOMEM");
	tap_ok(fails_enomem(alloc_calloc(SIZE_MAX / 2, 3)), "calloc overflowing: ENOMEM");
	tap_ok(fails_enomem(alloc_calloc(3, SIZE_MAX / 2)), "calloc overflowing the other way: ENOMEM");
	z1 = alloc_malloc(10);
	memcpy(z1, "kept here", 10);
	tap_ok(fails_enomem(alloc_realloc(z1, SIZE_MAX - 8)), "realloc to SIZE_MAX: ENOMEM");
	tap_is_str(z1, "kept here", "the block is kept when realloc fails");
	alloc_free(z1);
	return tap_done();
}
