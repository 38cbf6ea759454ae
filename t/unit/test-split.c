/* The #! combined-argument splitters. */
#include <stdlib.h>
#include <string.h>

#include "split.h"
#include "tap.h"

static void first(const char *s, const char *want_head, const char *want_rest, const char *name)
{
	const char *rest;
	char *head = split_first(s, " \t,", &rest);

	tap_is_str(head, want_head, name);
	tap_is_str(rest, want_rest, name);
	free(head);
}

/* Join words with '|' to compare a whole split at once. */
static void words(const char *s, const char *seps, const char *want, size_t want_n,
		  const char *name)
{
	size_t n;
	char **w = split_words(s, seps, &n);
	char joined[256] = "";

	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, w[i]);
	}
	tap_is_str(joined, want, name);
	tap_is_int((long long)n, (long long)want_n, name);
	tap_ok(w[n] == NULL, "vector is NULL-terminated");
	split_free(w);
}

int main(void)
{
	first("prefork-interp -U perl", "prefork-interp", "-U perl", "space");
	first("prefork-interp,-U,perl", "prefork-interp", "-U,perl", "comma");
	first("bindtest\t-s", "bindtest", "-s", "tab");
	first("bindtest", "bindtest", NULL, "no separator");
	first("bindtest ", "bindtest", "", "trailing separator");
	first("", "", NULL, "empty");
	first(" x", "", "x", "leading separator");
	words("-U,perl,-w", ",", "-U|perl|-w", 3, "commas");
	words("-U perl  -w", " ", "-U|perl|-w", 3, "runs of spaces");
	words(",,a,,", ",", "a", 1, "empty words dropped");
	words("", ",", "", 0, "empty string");
	words("abc", ",", "abc", 1, "no separator");
	return tap_done();
}
