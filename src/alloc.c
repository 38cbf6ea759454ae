/* A small allocator for sockkit's static builds with musl (meson.build):
 * musl's own (mallocng) weighs 8 KB, for guarantees sockkit does not need,
 * it being one short-lived process without threads that allocates a few
 * hundred small blocks: a JSON document, directory listings, argument
 * vectors.
 *
 * Every block starts with a 16-byte header (so that what follows it keeps
 * malloc's 16-byte alignment) holding one number.  A small block's is its
 * size class, 0 to SMALL_CLASSES-1: a power of two from 32 bytes to 4 KB,
 * header included.  Freed small blocks wait on one list per class for the
 * next malloc of that class; new ones are cut from 64 KB arenas taken from
 * mmap.  A larger block is a mapping of its own, its header its length in
 * bytes (always above SMALL_CLASSES), and free unmaps it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc.h"

#define HEADER 16
#define SMALL_MIN 32                    /* class 0, header included */
#define SMALL_CLASSES 8                 /* 32 ... 4096 */
#define ARENA_SIZE (64 * 1024)
#define PAGE 4096

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[SMALL_CLASSES];
static char *arena_next, *arena_end;

static size_t *header_of(const void *p)
{
	return (size_t *)((char *)p - HEADER);
}

static size_t class_bytes(size_t class)
{
	return (size_t)SMALL_MIN << class;
}

static void *map(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

static size_t *small_block(size_t class)
{
	size_t len = class_bytes(class);
	size_t *h = (size_t *)free_lists[class];

	if (h) {
		free_lists[class] = free_lists[class]->next;
		return h;
	}
	/* An arena's tail too short for this block is left unused: at most
	 * 4 KB of address space, rarely touched. */
	if ((size_t)(arena_end - arena_next) < len) {
		char *a = map(ARENA_SIZE);

		if (!a)
			return NULL;
		arena_next = a, arena_end = a + ARENA_SIZE;
	}
	h = (size_t *)arena_next;
	arena_next += len;
	return h;
}

void *alloc_malloc(size_t n)
{
	size_t *h, class = 0;

	if (n > PTRDIFF_MAX - HEADER - PAGE) {
		errno = ENOMEM;
		return NULL;
	}
	while (class < SMALL_CLASSES && class_bytes(class) - HEADER < n)
		class++;
	if (class < SMALL_CLASSES) {
		h = small_block(class);
		if (h)
			*h = class;
	} else {
		size_t len = (n + HEADER + PAGE - 1) & ~(size_t)(PAGE - 1);

		h = map(len);
		if (h)
			*h = len;
	}
	return h ? (char *)h + HEADER : NULL;
}

size_t alloc_usable(const void *p)
{
	size_t v = *header_of(p);

	return (v < SMALL_CLASSES ? class_bytes(v) : v) - HEADER;
}

void alloc_free(void *p)
{
	size_t *h;

	if (!p)
		return;
	h = header_of(p);
	if (*h < SMALL_CLASSES) {
		size_t class = *h;      /* the link takes the header's place */
		struct free_block *b = (struct free_block *)h;

		b->next = free_lists[class];
		free_lists[class] = b;
	} else {
		munmap(h, *h);
	}
}

/* Shrinking keeps the block.  Growing copies, to at least twice the
 * size: some callers grow a vector one element at a time, which must not
 * copy it each time. */
void *alloc_realloc(void *p, size_t n)
{
	size_t have;
	void *q;

	if (!p)
		return alloc_malloc(n);
	have = alloc_usable(p);
	if (n <= have)
		return p;
	if (!(q = alloc_malloc(2 * have > n ? 2 * have : n)) && !(q = alloc_malloc(n)))
		return NULL;
	memcpy(q, p, have);
	alloc_free(p);
	return q;
}

void *alloc_calloc(size_t count, size_t n)
{
	void *p;

	if (n && count > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = alloc_malloc(count * n)))
		memset(p, 0, count * n);
	return p;
}
