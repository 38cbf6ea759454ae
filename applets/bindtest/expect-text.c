/* --expect FILE, the -s form: tables as bindtest -s printed them, or as a
 * user's editor, mail client or the manual's rendered example gives them
 * back.  So a run of blanks (spaces or TABs) separates the columns, a line
 * may be indented or end in blanks, and a line may end in CR LF.  The
 * header is compared whole with this run's (blanks squeezed to one space),
 * which keeps another table's file an error. */
#include <stdio.h>
#include <string.h>

#include "bindtest.h"

static const char header_start[] = "starting tests, socktype = ";
static const char blanks[] = " \t";

/* At most 48 bytes of s as the message shows them: a control or non-ASCII
 * byte as an escape, so that a CR or a stray byte is seen for what it is. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t k = 0, n = 0;

	for (; s[n] && n < 48 && k + 8 < size; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c == '\t')
			k += (size_t)snprintf(buf + k, size - k, "\\t");
		else if (c == '\r')
			k += (size_t)snprintf(buf + k, size - k, "\\r");
		else if (c < 0x20 || c >= 0x7f || c == '\\')
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	snprintf(buf + k, size - k, "%s", s[n] ? "..." : "");
	return buf;
}

/* The next line, NUL-ended in place, and its number; NULL at the end. */
static char *next_line(char **p, char *end, unsigned *lineno)
{
	char *line = *p, *nl;

	if (line >= end)
		return NULL;
	nl = memchr(line, '\n', (size_t)(end - line));
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = end;
	}
	(*lineno)++;
	return line;
}

/* A line as it is compared: without the CR of a CR LF ending, without
 * blanks around it, each run of blanks inside squeezed to one space.
 * A CR anywhere else (a file with CR-only line ends) is refused by name. */
static char *clean_line(char *line, unsigned lineno, char *err, size_t errsize)
{
	size_t len = strlen(line);
	char seen[256], before[48], *out, *cr;

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if ((cr = memchr(line, '\r', len))) {
		/* What comes before it: the end of those bytes, where it is. */
		size_t n = (size_t)(cr - line), k = n < sizeof before ? n : sizeof before - 1;

		memcpy(before, cr - k, k);
		before[k] = '\0';
		bt_expect_fail(err, errsize, "line %u: a carriage return (CR) inside the line, "
			       "after '%s%s': lines end in LF or CR LF", lineno, k < n ? "..." : "",
			       shown(before, seen, sizeof seen));
		return NULL;
	}
	line += strspn(line, blanks);
	out = line;
	for (const char *in = line; *in;) {
		size_t run = strspn(in, blanks);

		if (run) {
			in += run;
			if (*in)
				*out++ = ' ';
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return line;
}

static char *next_clean_line(char **p, char *end, unsigned *lineno, int *failed,
			     char *err, size_t errsize)
{
	char *line = next_line(p, end, lineno);

	if (line && !(line = clean_line(line, *lineno, err, errsize)))
		*failed = 1;
	return line;
}

/* Lines a saved table may have around it: blank, bindtest's "port = N",
 * and '#' comments of the user's. */
static int is_aside(const char *line)
{
	return !*line || line[0] == '#' || !strncmp(line, "port = ", 7);
}

/* The column line: the eight names, in the table's order. */
static int is_column_line(const char *line)
{
	for (int i = 0; i < BT_NADDR; i++) {
		const char *name = bt_address_name(i);
		size_t n = strlen(name);

		if (strncmp(line, name, n) != 0 || line[n] != (i + 1 < BT_NADDR ? ' ' : '\0'))
			return 0;
		line += n + 1;
	}
	return 1;
}

/* One row, cleaned: "NAME:", then the eight cells, one space before each.
 * Each space becomes the NUL that ends what comes before it. */
static int parse_row(struct bt_expect_table *t, const struct bt_kind *kind, int i, char *line,
		     unsigned lineno, char *err, size_t errsize)
{
	const char *name = bt_address_name(i);
	size_t n = strlen(name);
	char where[32], seen[256], *p = line + n + 1;
	int cells = 0;

	if (strncmp(line, name, n) != 0 || line[n] != ':' || (line[n + 1] && line[n + 1] != ' '))
		return bt_expect_fail(err, errsize, "line %u: expected the row of %s, not '%s'",
				      lineno, name, shown(line, seen, sizeof seen));
	while (*p == ' ') {
		*p++ = '\0';
		if (cells < BT_NADDR)
			t->cell[i * BT_NADDR + cells] = p;
		cells++;
		p += strcspn(p, " ");
	}
	if (cells != BT_NADDR)
		return bt_expect_fail(err, errsize, "line %u: the row of %s has %d cells, not %d",
				      lineno, name, cells, BT_NADDR);
	snprintf(where, sizeof where, "line %u", lineno);
	for (int k = 0; k < BT_NADDR; k++)
		if (bt_expect_check_cell(t->cell[i * BT_NADDR + k], kind, err, errsize, where) < 0)
			return -1;
	return 0;
}

/* One table, from the line after its header. */
static int parse_table(struct bt_expect_table *t, char **p, char *end, unsigned *lineno,
		       char *err, size_t errsize)
{
	unsigned start = *lineno;
	char seen[256], *line;
	int failed = 0;
	struct bt_kind kind;

	bt_kind_of(t->header, &kind);       /* the cells it can hold */

	line = next_clean_line(p, end, lineno, &failed, err, errsize);
	if (failed)
		return -1;
	if (!line || !is_column_line(line))
		return bt_expect_fail(err, errsize, "line %u: expected the column line of "
				      "bindtest -s after the header, not %s%s%s", *lineno + !line,
				      line ? "'" : "the end of the file",
				      line ? shown(line, seen, sizeof seen) : "", line ? "'" : "");
	for (int i = 0; i < BT_NADDR; i++) {
		line = next_clean_line(p, end, lineno, &failed, err, errsize);
		if (failed)
			return -1;
		if (!line)
			return bt_expect_fail(err, errsize, "the table of line %u is cut short",
					      start);
		if (parse_row(t, &kind, i, line, *lineno, err, errsize) < 0)
			return -1;
	}
	return 0;
}

int bt_expect_parse_text(struct bt_expect *e, char *text, size_t len, char *err,
			 size_t errsize)
{
	char *p = text, *end = text + len, *line, seen[256];
	unsigned lineno = 0;
	int failed = 0;

	while ((line = next_clean_line(&p, end, &lineno, &failed, err, errsize)) != NULL) {
		struct bt_expect_table *t;

		if (is_aside(line))
			continue;
		if (strncmp(line, header_start, sizeof header_start - 1) != 0)
			return bt_expect_fail(err, errsize, "line %u: not part of a table of "
					      "bindtest -s: '%s'", lineno,
					      shown(line, seen, sizeof seen));
		if (!(t = bt_expect_new_table(e, err, errsize)))
			return -1;
		t->header = line;
		if (parse_table(t, &p, end, &lineno, err, errsize) < 0)
			return -1;
	}
	return failed ? -1 : 0;
}
