/* pfi_sort against the C library's qsort: arrays of every length up to a
 * few hundred, of ints (with and without ties) and of records larger than
 * a word, each sorted both ways; the results must be the same sequence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "tap.h"

struct record {
	long long key;
	char name[40];          /* makes the record wider than any register */
};

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* A total order: the key, then the name (as --list's rows). */
static int cmp_record(const void *a, const void *b)
{
	const struct record *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->name, y->name);
}

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned next_random(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (unsigned)(rng >> 32);
}

/* Every length 0..max, values below range (small range: many ties). */
static int ints_agree(size_t max, unsigned range)
{
	int a[400], b[400];

	for (size_t n = 0; n <= max; n++) {
		for (size_t i = 0; i < n; i++)
			a[i] = b[i] = (int)(next_random() % range) - (int)(range / 2);
		pfi_sort(a, n, sizeof *a, cmp_int);
		qsort(b, n, sizeof *b, cmp_int);
		if (n && memcmp(a, b, n * sizeof *a)) {
			printf("# %zu ints below %u differ\n", n, range);
			return 0;
		}
	}
	return 1;
}

static int records_agree(size_t max)
{
	static struct record a[300], b[300];

	for (size_t n = 0; n <= max; n++) {
		for (size_t i = 0; i < n; i++) {
			a[i].key = (long long)(next_random() % 16) << 40;
			snprintf(a[i].name, sizeof a[i].name, "server-%zu", i);
			b[i] = a[i];
		}
		pfi_sort(a, n, sizeof *a, cmp_record);
		qsort(b, n, sizeof *b, cmp_record);
		for (size_t i = 0; i < n; i++)
			if (cmp_record(&a[i], &b[i])) {
				printf("# %zu records differ at %zu\n", n, i);
				return 0;
			}
	}
	return 1;
}

int main(void)
{
	int sorted[] = { 1, 2, 3, 4, 5, 6, 7, 8 }, reversed[] = { 8, 7, 6, 5, 4, 3, 2, 1 };
	int same[] = { 3, 3, 3, 3, 3 };

	pfi_sort(sorted, 8, sizeof *sorted, cmp_int);
	pfi_sort(reversed, 8, sizeof *reversed, cmp_int);
	pfi_sort(same, 5, sizeof *same, cmp_int);
	tap_ok(!memcmp(sorted, reversed, sizeof sorted) && sorted[0] == 1 && sorted[7] == 8,
	       "sorted and reversed input");
	tap_ok(same[0] == 3 && same[4] == 3, "all equal");
	pfi_sort(NULL, 0, sizeof(int), cmp_int);
	tap_ok(1, "nothing to sort, no array");
	tap_ok(ints_agree(400, 1u << 30), "as qsort: ints, lengths 0-400");
	tap_ok(ints_agree(200, 3), "as qsort: ints with many ties, lengths 0-200");
	tap_ok(records_agree(300), "as qsort: 48-byte records, lengths 0-300");
	return tap_done();
}
