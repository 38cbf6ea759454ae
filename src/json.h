/* A small streaming JSON writer: it tracks nesting and commas, and escapes
 * strings, so applets only say what goes where. */
#ifndef SOCKKIT_JSON_H
#define SOCKKIT_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *out;
	int depth;
	int items[JSON_MAX_DEPTH];      /* members written at each level */
	int one_line;                   /* no newlines or indentation inside */
};

void json_init(struct json *j, FILE *out);
/* The same writer for one document a line (JSON Lines), as a stream of
 * samples wants. */
void json_init_line(struct json *j, FILE *out);
/* key is the member name inside an object, NULL inside an array or at top. */
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL: null */
void json_int(struct json *j, const char *key, long long value);
void json_uint(struct json *j, const char *key, unsigned long long value);
void json_bool(struct json *j, const char *key, int value);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);

/* Write s as a JSON string literal, quotes included. */
void json_write_string(FILE *out, const char *s);

#endif
