/* The JSON reader of --expect (see jsonin.h): recursive descent over the
 * grammar of RFC 8259, with a depth bound so that hostile nesting cannot
 * exhaust the stack. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jsonin.h"

struct parser {
	struct jin_doc *d;
	char *p, *end;
	unsigned line;
	int depth;
	char *err;
	size_t errsize;
};

static int fail(struct parser *ps, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int fail(struct parser *ps, const char *fmt, ...)
{
	int n = snprintf(ps->err, ps->errsize, "line %u: ", ps->line);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errsize)
		vsnprintf(ps->err + n, ps->errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n')) {
		if (*ps->p == '\n')
			ps->line++;
		ps->p++;
	}
}

static long new_node(struct parser *ps, enum jin_type type, const char *key)
{
	struct jin_doc *d = ps->d;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->node = xrealloc(d->node, d->cap * sizeof *d->node);
	}
	d->node[d->n] = (struct jin_node){ .type = type, .key = key, .first = -1, .next = -1 };
	return (long)d->n++;
}

static int hex4(const char *s, unsigned *out)
{
	*out = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		unsigned v = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (v == 16)
			return -1;
		*out = *out << 4 | v;
	}
	return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | cp >> 6);
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | cp >> 12);
		*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | cp >> 18);
		*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* \uXXXX at r (after the backslash and 'u'), a surrogate pair taken whole:
 * the code point, with *r moved past it; -1 when malformed. */
static long unicode_escape(struct parser *ps, char **r)
{
	unsigned hi, lo;

	if (ps->end - *r < 4 || hex4(*r, &hi) < 0)
		return -1;
	*r += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return -1;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (ps->end - *r < 6 || (*r)[0] != '\\' || (*r)[1] != 'u' || hex4(*r + 2, &lo) < 0 ||
	    lo < 0xdc00 || lo > 0xdfff)
		return -1;
	*r += 6;
	return 0x10000 + ((long)(hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* A string at ps->p (on its quote), decoded in place: its start, NUL-ended;
 * the escaped form is never shorter, so the writing never passes the
 * reading. */
static int parse_string(struct parser *ps, const char **out)
{
	static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
	char *r = ps->p + 1, *w = r, *start = r;

	for (;;) {
		char c;

		if (r >= ps->end)
			return fail(ps, "a string does not end");
		c = *r++;
		if (c == '"')
			break;
		if ((unsigned char)c < 0x20)
			return fail(ps, "a control character in a string");
		if (c != '\\') {
			*w++ = c;
			continue;
		}
		if (r >= ps->end)
			return fail(ps, "a string does not end");
		c = *r++;
		if (c == 'u') {
			long cp = unicode_escape(ps, &r);

			if (cp <= 0)
				return fail(ps, cp == 0 ? "a NUL in a string" : "a bad \\u escape");
			w = put_utf8(w, (unsigned)cp);
		} else if (c && strchr(plain, c)) {
			*w++ = decoded[strchr(plain, c) - plain];
		} else {
			return fail(ps, "a bad escape '\\%c'", c);
		}
	}
	*w = '\0';
	ps->p = r;
	*out = start;
	return 0;
}

static int parse_number(struct parser *ps)
{
	char *p = ps->p;
	size_t digits;

	if (p < ps->end && *p == '-')
		p++;
	digits = strspn(p, "0123456789");
	if (digits == 0 || (digits > 1 && *p == '0'))
		return fail(ps, "a malformed number");
	p += digits;
	if (p < ps->end && *p == '.') {
		p++;
		if ((digits = strspn(p, "0123456789")) == 0)
			return fail(ps, "a malformed number");
		p += digits;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if ((digits = strspn(p, "0123456789")) == 0)
			return fail(ps, "a malformed number");
		p += digits;
	}
	ps->p = p;
	return 0;
}

static int parse_value(struct parser *ps, const char *key, long *out);

/* An array or an object, ps->p on its opening bracket. */
static int parse_container(struct parser *ps, const char *key, long *out)
{
	int object = *ps->p == '{';
	char close = object ? '}' : ']';
	long self = new_node(ps, object ? JIN_OBJECT : JIN_ARRAY, key), last = -1, child;
	const char *name = NULL;

	if (++ps->depth > JIN_MAX_DEPTH)
		return fail(ps, "nested deeper than %d", JIN_MAX_DEPTH);
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close)
		goto done;
	for (;;) {
		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			if (parse_string(ps, &name) < 0)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':' after a member name");
			ps->p++;
		}
		if (parse_value(ps, name, &child) < 0)
			return -1;
		if (last < 0)
			ps->d->node[self].first = child;
		else
			ps->d->node[last].next = child;
		last = child;
		ps->d->node[self].count++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close)
			break;
		return fail(ps, "expected ',' or '%c'", close);
	}
done:
	ps->p++;
	ps->depth--;
	*out = self;
	return 0;
}

static int parse_literal(struct parser *ps, const char *word, enum jin_type type,
			 const char *key, long *out)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "an unexpected '%c'", *ps->p);
	ps->p += n;
	*out = new_node(ps, type, key);
	ps->d->node[*out].str = word;   /* "true", "false", "null" */
	return 0;
}

static int parse_value(struct parser *ps, const char *key, long *out)
{
	const char *s;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "the document ends too early");
	switch (*ps->p) {
	case '{':
	case '[':
		return parse_container(ps, key, out);
	case '"':
		if (parse_string(ps, &s) < 0)
			return -1;
		*out = new_node(ps, JIN_STRING, key);
		ps->d->node[*out].str = s;
		return 0;
	case 't':
		return parse_literal(ps, "true", JIN_BOOL, key, out);
	case 'f':
		return parse_literal(ps, "false", JIN_BOOL, key, out);
	case 'n':
		return parse_literal(ps, "null", JIN_NULL, key, out);
	default:
		if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9'))
			return fail(ps, "an unexpected '%c'", *ps->p);
		if (parse_number(ps) < 0)
			return -1;
		*out = new_node(ps, JIN_NUMBER, key);
		return 0;
	}
}

int jin_parse(struct jin_doc *d, char *text, size_t len, char *err, size_t errsize)
{
	struct parser ps = { d, text, text + len, 1, 0, err, errsize };
	long root;

	memset(d, 0, sizeof *d);
	if (parse_value(&ps, NULL, &root) < 0)
		return -1;
	skip_ws(&ps);
	if (ps.p < ps.end)
		return fail(&ps, "text after the document");
	return 0;
}

void jin_free(struct jin_doc *d)
{
	free(d->node);
	memset(d, 0, sizeof *d);
}

const struct jin_node *jin_child(const struct jin_doc *d, const struct jin_node *n)
{
	return n && n->first >= 0 ? &d->node[n->first] : NULL;
}

const struct jin_node *jin_next(const struct jin_doc *d, const struct jin_node *n)
{
	return n && n->next >= 0 ? &d->node[n->next] : NULL;
}

const struct jin_node *jin_get(const struct jin_doc *d, const struct jin_node *obj,
			       const char *key)
{
	const struct jin_node *c, *found = NULL;

	if (!obj || obj->type != JIN_OBJECT)
		return NULL;
	/* The last of duplicate names wins, as in most readers. */
	for (c = jin_child(d, obj); c; c = jin_next(d, c))
		if (!strcmp(c->key, key))
			found = c;
	return found;
}

const char *jin_get_str(const struct jin_doc *d, const struct jin_node *obj,
			const char *key)
{
	const struct jin_node *n = jin_get(d, obj, key);

	return n && n->type == JIN_STRING ? n->str : NULL;
}
