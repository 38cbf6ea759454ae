/* libFuzzer harness: the #! combined-argument splitters of dispatch
 * (split_first) and of applets (split_words), checked against each other. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	const char *rest;
	size_t n, total = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	char *head = split_first(s, " \t,", &rest);
	/* The head and the rest together are the input less one separator. */
	if (rest && strlen(head) + 1 + strlen(rest) != strlen(s))
		abort();
	if (!rest && strcmp(head, s))
		abort();
	free(head);
	char **w = split_words(s, " ,", &n);
	for (size_t i = 0; i < n; i++) {
		if (!w[i][0] || strpbrk(w[i], " ,"))
			abort();        /* no empty word, no separator inside */
		total += strlen(w[i]);
	}
	if (w[n] || total > strlen(s))
		abort();
	split_free(w);
	free(s);
	return 0;
}
