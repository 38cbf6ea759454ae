#include "json.h"

#include <string.h>

#include "text.h"

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

void json_init_line(struct json *j, FILE *out)
{
	json_init(j, out);
	j->one_line = 1;
}

void json_write_string(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	fputc('"', out);
	const unsigned char *end = (const unsigned char *)s + strlen(s);

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n = text_utf8_len((const char *)p, (size_t)(end - p));

		if (n == 0) {           /* not UTF-8, which JSON must be */
			fputs("\\ufffd", out);
			continue;
		}
		if (n > 1) {
			if (text_is_control((const char *)p, n))        /* C1 */
				fprintf(out, "\\u00%c%c", hex[p[1] >> 4 & 15], hex[p[1] & 15]);
			else
				fwrite(p, 1, n, out);
			p += n - 1;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fputs("\\u00", out);
				fputc(hex[*p >> 4], out);
				fputc(hex[*p & 15], out);
			} else {
				fputc(*p, out);
			}
		}
	}
	fputc('"', out);
}

/* The comma, indentation and key before any value. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0 && j->items[j->depth]++ > 0)
		fputc(',', j->out);
	if (j->depth > 0 && !j->one_line) {
		fputc('\n', j->out);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	if (key) {
		json_write_string(j->out, key);
		fputs(j->one_line ? ":" : ": ", j->out);
	}
}

static void open_level(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->items[j->depth] = 0;
}

static void close_level(struct json *j, char c)
{
	int had = j->items[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had && !j->one_line) {
		fputc('\n', j->out);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(c, j->out);
}

void json_begin_object(struct json *j, const char *key) { open_level(j, key, '{'); }
void json_end_object(struct json *j) { close_level(j, '}'); }
void json_begin_array(struct json *j, const char *key) { open_level(j, key, '['); }
void json_end_array(struct json *j) { close_level(j, ']'); }

void json_string(struct json *j, const char *key, const char *value)
{
	member(j, key);
	if (value)
		json_write_string(j->out, value);
	else
		fputs("null", j->out);
}

void json_int(struct json *j, const char *key, long long value)
{
	member(j, key);
	fprintf(j->out, "%lld", value);
}

void json_uint(struct json *j, const char *key, unsigned long long value)
{
	member(j, key);
	fprintf(j->out, "%llu", value);
}

void json_bool(struct json *j, const char *key, int value)
{
	member(j, key);
	fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}
