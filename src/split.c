#include "split.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

char *split_first(const char *s, const char *seps, const char **rest)
{
	size_t n = strcspn(s, seps);
	char *head = xmalloc(n + 1);

	memcpy(head, s, n);
	head[n] = '\0';
	*rest = s[n] ? s + n + 1 : NULL;
	return head;
}

char **split_words(const char *s, const char *seps, size_t *count)
{
	size_t n = 0, cap = 4;
	char **v = xmalloc(cap * sizeof *v);

	for (;;) {
		s += strspn(s, seps);
		if (!*s)
			break;
		size_t len = strcspn(s, seps);
		if (n + 2 > cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n] = xmalloc(len + 1);
		memcpy(v[n], s, len);
		v[n++][len] = '\0';
		s += len;
	}
	v[n] = NULL;
	*count = n;
	return v;
}

void split_free(char **words)
{
	if (!words)
		return;
	for (char **w = words; *w; w++)
		free(*w);
	free(words);
}
