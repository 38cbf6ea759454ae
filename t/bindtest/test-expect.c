/* --expect's readers: the JSON reader (jsonin.c), the cell grammar and the
 * saved-table parser (expect.c), each fed good and hostile input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bindtest.h"
#include "jsonin.h"
#include "tap.h"

/* ---- the JSON reader ---- */

/* Parse a copy of text: 0 or -1, with err filled. */
static int parse(struct jin_doc *d, const char *text, char *err, size_t errsize)
{
	static char buf[8192];

	snprintf(buf, sizeof buf, "%s", text);
	return jin_parse(d, buf, strlen(buf), err, errsize);
}

static void test_json_good(void)
{
	struct jin_doc d;
	char err[128];
	const struct jin_node *root, *arr, *c;

	tap_is_int(parse(&d, " {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}} ",
			 err, sizeof err), 0, "json: every kind of value parses");
	root = &d.node[0];
	tap_is_int(root->type, JIN_OBJECT, "json: the root is the object");
	arr = jin_get(&d, root, "a");
	tap_is_int(arr ? (long long)arr->count : -1, 6, "json: the array has its six values");
	c = jin_child(&d, arr);
	tap_is_int(c ? (long long)c->type : -1, JIN_NUMBER, "json: first child, a number");
	for (int i = 0; i < 5 && c; i++)
		c = jin_next(&d, c);
	tap_is_str(c ? c->str : NULL, "x", "json: last child, the string");
	tap_ok(jin_next(&d, c) == NULL, "json: nothing after the last child");
	tap_ok(jin_get(&d, root, "nosuch") == NULL, "json: a missing member is NULL");
	tap_ok(jin_get(&d, arr, "a") == NULL, "json: an array has no members");
	tap_ok(jin_get_str(&d, root, "a") == NULL, "json: jin_get_str of an array is NULL");
	jin_free(&d);

	parse(&d, "{\"s\": \"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00\"}", err, sizeof err);
	tap_is_str(jin_get_str(&d, &d.node[0], "s"),
		   "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xf0\x9f\x98\x80", "json: every escape decoded");
	jin_free(&d);

	parse(&d, "{\"k\": \"first\", \"k\": \"last\"}", err, sizeof err);
	tap_is_str(jin_get_str(&d, &d.node[0], "k"), "last", "json: the last duplicate wins");
	jin_free(&d);
}

static void test_json_bad(void)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "", "line 1: the document ends too early" },
		{ "{\"a\": 1", "line 1: expected ',' or '}'" },
		{ "[1,\n2,\n", "line 3: the document ends too early" },
		{ "{\"a\" 1}", "line 1: expected ':' after a member name" },
		{ "{1: 2}", "line 1: expected a member name" },
		{ "[1 2]", "line 1: expected ',' or ']'" },
		{ "\"abc", "line 1: a string does not end" },
		{ "\"a\tb\"", "line 1: a control character in a string" },
		{ "\"\\x\"", "line 1: a bad escape '\\x'" },
		{ "\"\\u00zz\"", "line 1: a bad \\u escape" },
		{ "\"\\u0000\"", "line 1: a NUL in a string" },
		{ "\"\\udc00\"", "line 1: a bad \\u escape" },
		{ "\"\\ud800x\"", "line 1: a bad \\u escape" },
		{ "01", "line 1: a malformed number" },
		{ "-", "line 1: a malformed number" },
		{ "1.", "line 1: a malformed number" },
		{ "1e", "line 1: a malformed number" },
		{ "tru", "line 1: an unexpected 't'" },
		{ "{} {}", "line 1: text after the document" },
		{ "@", "line 1: an unexpected '@'" },
	};
	struct jin_doc d;
	char err[128], deep[200];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[96];

		/* A TAP name is one line: the input's newlines as "\n". */
		size_t k = (size_t)snprintf(name, sizeof name, "json refused: ");
		for (const char *c = cases[i].text; *c && k + 3 < sizeof name; c++) {
			if (*c == '\n')
				name[k++] = '\\', name[k++] = 'n';
			else
				name[k++] = *c;
		}
		name[k] = '\0';
		err[0] = '\0';
		tap_ok(parse(&d, cases[i].text, err, sizeof err) == -1, name);
		tap_is_str(err, cases[i].why, name);
		jin_free(&d);
	}
	memset(deep, '[', JIN_MAX_DEPTH + 1);
	deep[JIN_MAX_DEPTH + 1] = '\0';
	parse(&d, deep, err, sizeof err);
	tap_is_str(err, "line 1: nested deeper than 64", "json: nesting is bounded");
	jin_free(&d);
}

/* ---- cells ---- */

static void test_cells(void)
{
	static const char *const good[] = {
		"x", "!1", "!2", "?A", "!A", "?P", "!P", "?6", "?1(99)", "?2(22)",
		"L1?(95)", "L2?(98)", "o[]", "o[-2-]", "o[1211-]", "o[0bxcs]", "o[6flL]",
	};
	static const char *const bad[] = {
		"", "y", "?1()", "?1(9a)", "?1(99", "L3?(1)", "o[", "o[-2-", "o[-9-]",
		"o[------]", "o[-2-] ", " x", "O[--]", "?2(0)", "?1(099)", "?1(4096)",
		"L1?(999999)",
	};
	char inuse[16];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		tap_ok(bt_cell_valid(good[i], strlen(good[i])), good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char name[64];

		snprintf(name, sizeof name, "not a cell: '%s'", bad[i]);
		tap_ok(!bt_cell_valid(bad[i], strlen(bad[i])), name);
	}
	snprintf(inuse, sizeof inuse, "?2(%d)", EADDRINUSE);
	tap_ok(!bt_cell_valid(inuse, strlen(inuse)), "not a cell: ?2(EADDRINUSE), printed as x");
	snprintf(inuse, sizeof inuse, "?1(%d)", EADDRINUSE);
	tap_ok(bt_cell_valid(inuse, strlen(inuse)), "a cell: ?1(EADDRINUSE)");
	tap_ok(bt_cell_valid("?1(4095)", 8), "a cell: ?1(4095)");
	tap_ok(bt_cell_matches("o[1---]", "o[1---]"), "matches: itself");
	tap_ok(!bt_cell_matches("o[1---]", "o[2---]"), "matches: not another");
	tap_ok(bt_cell_matches("o[1---]|o[2---]", "o[2---]"), "matches: the second of a set");
	tap_ok(!bt_cell_matches("o[1---]|o[2---]", "o[b---]"), "matches: none of a set");
	tap_ok(!bt_cell_matches("o[1---]|", "o[1--]"), "matches: no prefix match");
	tap_ok(!bt_cell_matches("x", ""), "matches: an empty cell is nothing");
}

/* Cells against the kind of table their header names. */
static void test_cell_kinds(void)
{
	static const struct { const char *header, *cell; int fits; } cases[] = {
		{ "starting tests, socktype = SOCK_DGRAM, !V6ONLY", "o[b--]", 1 },
		{ "starting tests, socktype = SOCK_STREAM, SO_REUSEADDR, !V6ONLY, connect to 1st",
		  "o[b---]", 0 },
		{ "starting tests, socktype = SOCK_DGRAM, !V6ONLY", "o[c--]", 0 },
		{ "starting tests, socktype = SOCK_STREAM, SO_REUSEADDR, !V6ONLY, connect to 1st",
		  "o[c---]", 1 },
		{ "starting tests, socktype = SOCK_STREAM, SO_REUSEADDR, !V6ONLY, connect to 1st",
		  "o[l---]", 0 },
		{ "starting tests, socktype = SOCK_STREAM, SO_REUSEADDR, !V6ONLY, connect to 1st, "
		  "delayed listen", "o[l---]", 1 },
		{ "starting tests, socktype = SOCK_STREAM, SO_REUSEADDR, !V6ONLY, connect to 1st, "
		  "delayed listen", "L1?(98)", 0 },
		{ "starting tests, socktype = SOCK_STREAM, !V6ONLY", "L1?(98)", 1 },
		{ "starting tests, socktype = SOCK_DGRAM, !V6ONLY", "?A", 0 },
		{ "starting tests, socktype = SOCK_DGRAM, SO_REUSEADDR, !V6ONLY", "?A", 1 },
		{ "starting tests, socktype = SOCK_DGRAM, SO_REUSEADDR, !V6ONLY", "!P", 0 },
		/* A sysctl's value names no option. */
		{ "starting tests, socktype = SOCK_DGRAM, !V6ONLY, net.x=SO_REUSEPORT", "?P", 0 },
		/* An unknown header: only the general rules (it is refused later). */
		{ "something else", "o[b---]", 1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bt_kind k;
		char name[200];

		bt_kind_of(cases[i].header, &k);
		snprintf(name, sizeof name, "kind: %s %s in '%s'", cases[i].cell,
			 cases[i].fits ? "fits" : "does not fit", cases[i].header);
		tap_ok((bt_cell_problem(cases[i].cell, strlen(cases[i].cell), &k) == NULL) ==
		       cases[i].fits, name);
	}
}

/* ---- saved tables ---- */

static const char table[] =
	"port = 41931\n"
	"starting tests, socktype = SOCK_DGRAM, !V6ONLY\n"
	"\twild4\twild6\tloop4\tloop6\twildm\tloopm\tonem\tone4\n"
	"wild4:\tx\tx\tx\to[-2-]\tx\tx\t?2(99)\t?2(99)\n"
	"wild6:\tx\tx\tx\tx\tx\tx\t?2(99)\t?2(99)\n"
	"loop4:\tx\tx\tx\to[12-]\tx\tx\t?2(99)\t?2(99)\n"
	"loop6:\to[1--]\tx\to[12-]\tx\to[12-]\to[12-]\t?2(99)\t?2(99)\n"
	"wildm:\tx\tx\tx\to[12-]\tx\tx\t?2(99)\t?2(99)\n"
	"loopm:\tx\tx\tx\to[12-]|o[21-]\tx\tx\t?2(99)\t?2(99)\n"
	"onem:\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\n"
	"one4:\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\t?1(99)\n";

static int parse_saved(struct bt_expect *e, const char *text, char *err, size_t errsize)
{
	char *copy = strdup(text);
	int r;

	memset(e, 0, sizeof *e);
	r = bt_expect_parse(e, copy, strlen(copy), err, errsize);
	e->text = copy;         /* freed by bt_expect_free */
	return r;
}

static void test_saved_text(void)
{
	struct bt_expect e;
	char err[160], two[sizeof table * 2];

	tap_is_int(parse_saved(&e, table, err, sizeof err), 0, "text: a -s table parses");
	tap_is_int((long long)e.ntables, 1, "text: one table");
	tap_is_str(e.table[0].header, "starting tests, socktype = SOCK_DGRAM, !V6ONLY",
		   "text: its header");
	tap_is_str(e.table[0].cell[3], "o[-2-]", "text: wild4 then loop6");
	tap_is_str(e.table[0].cell[5 * 8 + 3], "o[12-]|o[21-]", "text: a set kept whole");
	tap_is_str(e.table[0].cell[63], "?1(99)", "text: the last cell, without its newline");
	bt_expect_free(&e);

	snprintf(two, sizeof two, "# mine\n\n%s\n%s", table, table + strlen("port = 41931\n"));
	tap_is_int(parse_saved(&e, two, err, sizeof err), 0, "text: two tables, comments");
	tap_is_int((long long)e.ntables, 2, "text: both tables");
	bt_expect_free(&e);

	tap_is_int(parse_saved(&e, "starting tests, socktype = SOCK_DGRAM, !V6ONLY\n",
			       err, sizeof err), -1, "text: a header alone");
	tap_is_str(err, "line 2: expected the column line of bindtest -s after the header, "
		   "not the end of the file", "text: a header alone, why");
	bt_expect_free(&e);
}

/* table, edited: each TAB by sep, each line ending by eol, after a BOM. */
static char *edited(const char *bom, const char *sep, const char *eol)
{
	char *out = malloc(strlen(bom) + sizeof table * 8), *o = out;

	o += sprintf(o, "%s", bom);
	for (const char *c = table; *c; c++)
		o += *c == '\t' ? sprintf(o, "%s", sep) : *c == '\n' ? sprintf(o, "%s", eol) :
		     sprintf(o, "%c", *c);
	return out;
}

static void test_saved_text_edited(void)
{
	static const struct { const char *name, *bom, *sep, *eol; } cases[] = {
		{ "text edited: a space for each TAB", "", " ", "\n" },
		{ "text edited: runs of blanks", "", " \t  ", "\n" },
		{ "text edited: a trailing TAB", "", "\t", "\t\n" },
		{ "text edited: CR LF", "", "\t", "\r\n" },
		{ "text edited: blanks, then CR LF", "", "\t", " \t\r\n" },
		{ "text edited: a UTF-8 BOM", "\xef\xbb\xbf", "\t", "\n" },
		{ "text edited: all of them", "\xef\xbb\xbf", "   ", "  \r\n" },
	};
	struct bt_expect e;
	char err[256], name[96];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *text = edited(cases[i].bom, cases[i].sep, cases[i].eol);

		err[0] = '\0';
		tap_is_int(parse_saved(&e, text, err, sizeof err), 0, cases[i].name);
		tap_is_str(err, "", cases[i].name);
		snprintf(name, sizeof name, "%s: the header", cases[i].name);
		tap_is_str(e.ntables ? e.table[0].header : NULL,
			   "starting tests, socktype = SOCK_DGRAM, !V6ONLY", name);
		snprintf(name, sizeof name, "%s: a set, the last cell", cases[i].name);
		tap_ok(e.ntables && !strcmp(e.table[0].cell[5 * 8 + 3], "o[12-]|o[21-]") &&
		       !strcmp(e.table[0].cell[63], "?1(99)"), name);
		bt_expect_free(&e);
		free(text);
	}

	char *text = edited("", "\t", "\r");
	parse_saved(&e, text, err, sizeof err);
	tap_is_str(err, "line 1: a carriage return (CR) inside the line, after 'port = 41931': "
		   "lines end in LF or CR LF", "text edited: CR line ends, named");
	bt_expect_free(&e);
	free(text);
	parse_saved(&e, "wild4 then wild4\x01\xc3\xa9\n", err, sizeof err);
	tap_is_str(err, "line 1: not part of a table of bindtest -s: "
		   "'wild4 then wild4\\x01\\xc3\\xa9'", "text: what it saw, as escapes");
	bt_expect_free(&e);
}

static void test_saved_json(void)
{
	struct bt_expect e;
	char err[160], *doc;
	size_t used = 0, size = 64 * 160 + 256;

	doc = malloc(size);
	used += (size_t)snprintf(doc + used, size - used,
				 "{\"tables\": [{\"header\": \"H\", \"pairs\": [");
	for (int n = 0; n < 64; n++)
		used += (size_t)snprintf(doc + used, size - used,
					 "%s{\"first\": {\"name\": \"%s\"}, \"second\": {\"name\": \"%s\"}, "
					 "\"cell\": \"%s\"}", n ? "," : "", bt_address_name(n / 8),
					 bt_address_name(n % 8), n == 9 ? "o[--b]|x" : "x");
	snprintf(doc + used, size - used, "]}]}");
	tap_is_int(parse_saved(&e, doc, err, sizeof err), 0, "json: a -j table parses");
	tap_is_str(e.ntables ? e.table[0].header : NULL, "H", "json: its header");
	tap_is_str(e.ntables ? e.table[0].cell[9] : NULL, "o[--b]|x", "json: a set kept whole");
	bt_expect_free(&e);
	free(doc);

	tap_is_int(parse_saved(&e, "{\"tables\": []}", err, sizeof err), -1, "json: no table");
	tap_is_str(err, "no table in it (save one with bindtest -s or -j)", "json: no table, why");
	bt_expect_free(&e);
	parse_saved(&e, "{\"tables\": [{\"header\": \"H\", \"pairs\": [1]}]}", err, sizeof err);
	tap_is_str(err, "table 1 has 1 pairs, not 64", "json: too few pairs");
	bt_expect_free(&e);
	parse_saved(&e, "[]", err, sizeof err);
	tap_is_str(err, "line 1: not part of a table of bindtest -s: '[]'",
		   "json: an array is not a saved document");
	bt_expect_free(&e);
}

int main(void)
{
	test_json_good();
	test_json_bad();
	test_cells();
	test_cell_kinds();
	test_saved_text();
	test_saved_text_edited();
	test_saved_json();
	return tap_done();
}
