/* Splitting of the one combined argument that Linux passes from a #! line. */
#ifndef SOCKKIT_SPLIT_H
#define SOCKKIT_SPLIT_H

#include <stddef.h>

/* Split s at its first character in seps.  Returns a malloc'd copy of the
 * part before it; *rest points just past the separator, or is NULL when s
 * holds no separator. */
char *split_first(const char *s, const char *seps, const char **rest);

/* Split s into words at any character in seps, dropping empty words.
 * Returns a malloc'd NULL-terminated vector of malloc'd strings and sets
 * *count; free it with split_free. */
char **split_words(const char *s, const char *seps, size_t *count);
void split_free(char **words);

#endif
