/* A small JSON reader for --expect: the whole document is parsed into a tree
 * of nodes, with strings decoded in place.  Numbers are checked but not
 * converted (bindtest only reads strings); a string holding a NUL is refused,
 * as is nesting deeper than JIN_MAX_DEPTH. */
#ifndef BINDTEST_JSONIN_H
#define BINDTEST_JSONIN_H

#include <stddef.h>

#define JIN_MAX_DEPTH 64

enum jin_type { JIN_NULL, JIN_BOOL, JIN_NUMBER, JIN_STRING, JIN_ARRAY, JIN_OBJECT };

struct jin_node {
	enum jin_type type;
	const char *key;        /* the member's name inside an object, else NULL */
	const char *str;        /* JIN_STRING: the decoded text; JIN_BOOL,
				 * JIN_NULL: "true", "false", "null"; else NULL */
	size_t count;           /* JIN_ARRAY, JIN_OBJECT: how many children */
	long first, next;       /* indexes of the first child and the next
				 * sibling in the node array, -1 for none */
};

struct jin_doc {
	struct jin_node *node;  /* node[0] is the document's value */
	size_t n, cap;
};

/* Parse text[0..len), which must be followed by a NUL and is changed in
 * place (the nodes' strings point into it).  0, or -1 with "line N: why"
 * in err. */
int jin_parse(struct jin_doc *d, char *text, size_t len, char *err, size_t errsize);
void jin_free(struct jin_doc *d);

/* An object's member, or NULL (also when obj is not an object). */
const struct jin_node *jin_get(const struct jin_doc *d, const struct jin_node *obj,
			       const char *key);
/* A member that must be a string: its text, or NULL. */
const char *jin_get_str(const struct jin_doc *d, const struct jin_node *obj,
			const char *key);
/* An array's children in order: jin_child for the first, jin_next after. */
const struct jin_node *jin_child(const struct jin_doc *d, const struct jin_node *n);
const struct jin_node *jin_next(const struct jin_doc *d, const struct jin_node *n);

#endif
