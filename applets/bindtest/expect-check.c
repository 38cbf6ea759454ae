/* --expect: whether a saved cell is one bindtest can print, in general and
 * in a table of the kind its header names; whether a saved -j table's other
 * members agree with its header and each pair's with its cell.  A mistyped
 * or hand-edited file is then an error (exit 2), never a mismatch (exit 1)
 * or a pass. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bindtest.h"
#include "num.h"

/* ---- the kind of a table, from its header ---------------------------------- */

void bt_kind_of(const char *header, struct bt_kind *k)
{
	static const char start[] = "starting tests, socktype = ";
	const char *p = header;

	memset(k, 0, sizeof *k);
	if (strncmp(p, start, sizeof start - 1) != 0)
		return;
	p += sizeof start - 1;
	if (!strncmp(p, "SOCK_STREAM", 11))
		k->tcp = 1;
	else if (strncmp(p, "SOCK_DGRAM", 10) != 0)
		return;
	k->known = 1;
	/* ", WORD" each; the --sysctl part (NAME=VALUE) ends them.  (Not
	 * strstr: musl's is 1.3 KB of a static binary.) */
	while ((p = strchr(p, ',')) != NULL) {
		size_t n;

		if (*++p != ' ')
			continue;
		n = strcspn(++p, ",");

		if (memchr(p, '=', n))
			break;
		if (n == 12 && !strncmp(p, "SO_REUSEADDR", n))
			k->reuseaddr = 1;
		else if (n == 12 && !strncmp(p, "SO_REUSEPORT", n))
			k->reuseport = 1;
		else if (n == 6 && !strncmp(p, "V6ONLY", n))
			k->v6only = 1;
		else if (n == 14 && !strncmp(p, "delayed listen", n))
			k->delayed = 1;
		else if (n > 11 && n < 11 + sizeof k->connect_to && !strncmp(p, "connect to ", 11))
			memcpy(k->connect_to, p + 11, n - 11);
	}
}

/* ---- cells ----------------------------------------------------------------- */

/* "?1(98)": the prefix, then an errno as bindtest prints one: NULL, or why
 * not.  *matched says whether the prefix is there. */
static const char *errno_cell_problem(const char *s, size_t len, const char *prefix,
				      int *matched)
{
	size_t n = strlen(prefix), digits;
	unsigned long long value;

	*matched = 0;
	if (len < n + 2 || strncmp(s, prefix, n) != 0 || s[len - 1] != ')')
		return NULL;
	digits = strspn(s + n, "0123456789");
	if (digits == 0 || n + digits + 1 != len)
		return NULL;
	*matched = 1;
	if (s[n] == '0')
		return digits == 1 ? "errno 0 is no error" : "an errno has no leading zeros";
	if (num_scan(s + n, 10, 4095, &value) == s + n)
		return "an errno is at most 4095";
	if (value == EADDRINUSE && !strcmp(prefix, "?2("))
		return "the second bind's EADDRINUSE is printed as x";
	return NULL;
}

/* Whether the cell's letters and form fit a table of kind k (NULL: any
 * kind): NULL, or why not. */
static const char *kind_problem(const char *s, size_t len, const struct bt_kind *k)
{
	if (!k || !k->known)
		return NULL;
	if ((s[1] == 'A' && !k->reuseaddr) || (s[1] == 'P' && !k->reuseport))
		return s[1] == 'A' ? "the table does not set SO_REUSEADDR"
				   : "the table does not set SO_REUSEPORT";
	if (s[0] == 'L' && (!k->tcp || k->delayed))
		return "L1?(...) and L2?(...) are for TCP tables that listen at once";
	if (s[0] != 'o')
		return NULL;
	for (size_t i = 2; i + 1 < len; i++) {
		if (s[i] == 'b' && k->tcp)
			return "'b' (both sockets) is UDP's: a TCP connection is accepted once";
		if ((s[i] == 'c' || s[i] == 'f') && !k->tcp)
			return "'c' and 'f' are TCP's letters";
		if ((s[i] == 'l' || s[i] == 'L') && !k->delayed)
			return "'l' and 'L' are for TCP tables with a delayed listen";
	}
	return NULL;
}

const char *bt_cell_problem(const char *s, size_t len, const struct bt_kind *k)
{
	static const char *const fixed[] = { "x", "!1", "!2", "?A", "!A", "?P", "!P", "?6" };
	static const char *const with_errno[] = { "?1(", "?2(", "L1?(", "L2?(" };
	const char *why;
	int matched;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strlen(fixed[i]) == len && !strncmp(s, fixed[i], len))
			return kind_problem(s, len, k);
	for (size_t i = 0; i < sizeof with_errno / sizeof with_errno[0]; i++) {
		why = errno_cell_problem(s, len, with_errno[i], &matched);
		if (matched)
			return why ? why : kind_problem(s, len, k);
	}
	if (len >= 3 && len - 3 < BT_MAXPROBES + 1 && !strncmp(s, "o[", 2) &&
	    s[len - 1] == ']' && strspn(s + 2, BT_LETTERS) == len - 3)
		return kind_problem(s, len, k);
	return "";
}

int bt_cell_valid(const char *s, size_t len)
{
	return bt_cell_problem(s, len, NULL) == NULL;
}

int bt_expect_check_cell(const char *cell, const struct bt_kind *k, char *err,
			 size_t errsize, const char *where)
{
	for (const char *p = cell;;) {
		size_t len = strcspn(p, "|");
		const char *why = bt_cell_problem(p, len, k);

		if (why)
			return bt_expect_fail(err, errsize, "%s: '%s' is not a cell bindtest "
					      "prints%s%s", where, cell, *why ? ": " : "", why);
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* ---- a saved -j table's other members -------------------------------------- */

/* A JSON value as a message shows it. */
static const char *json_shown(const struct jin_node *n, char *buf, size_t size)
{
	switch (n->type) {
	case JIN_STRING: snprintf(buf, size, "\"%.40s\"", n->str); break;
	case JIN_NUMBER: snprintf(buf, size, "a number"); break;
	case JIN_ARRAY: snprintf(buf, size, "an array"); break;
	case JIN_OBJECT: snprintf(buf, size, "an object"); break;
	default: snprintf(buf, size, "%s", n->str); break;
	}
	return buf;
}

/* Whether n is the bool want (1, 0), or the string want_str (NULL: null). */
static int is_bool(const struct jin_node *n, int want)
{
	return n->type == JIN_BOOL && !strcmp(n->str, want ? "true" : "false");
}

static int is_str_or_null(const struct jin_node *n, const char *want)
{
	return want ? n->type == JIN_STRING && !strcmp(n->str, want) : n->type == JIN_NULL;
}

int bt_expect_json_table_agrees(const struct jin_doc *d, const struct jin_node *tab,
				const struct bt_kind *k, size_t ti, char *err, size_t errsize)
{
	const struct { const char *key; int want; } flags[] = {
		{ "so_reuseaddr", k->reuseaddr }, { "so_reuseport", k->reuseport },
		{ "v6only", k->v6only }, { "delayed_listen", k->tcp && k->delayed },
	};
	const struct jin_node *n;
	const char *header = jin_get_str(d, tab, "header");
	char seen[64];

	if (!k->known)
		return 0;       /* the header itself is refused later */
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if ((n = jin_get(d, tab, flags[i].key)) && !is_bool(n, flags[i].want))
			return bt_expect_fail(err, errsize, "table %zu: its \"%s\" is %s where "
					      "its header says %s ('%s')", ti + 1, flags[i].key,
					      json_shown(n, seen, sizeof seen),
					      flags[i].want ? "true" : "false", header);
	if ((n = jin_get(d, tab, "socktype")) &&
	    !is_str_or_null(n, k->tcp ? "SOCK_STREAM" : "SOCK_DGRAM"))
		return bt_expect_fail(err, errsize, "table %zu: its \"socktype\" is %s where its "
				      "header says %s", ti + 1, json_shown(n, seen, sizeof seen),
				      k->tcp ? "SOCK_STREAM" : "SOCK_DGRAM");
	if ((n = jin_get(d, tab, "connect_to")) &&
	    !is_str_or_null(n, k->connect_to[0] ? k->connect_to : NULL))
		return bt_expect_fail(err, errsize, "table %zu: its \"connect_to\" is %s where its "
				      "header says %s", ti + 1, json_shown(n, seen, sizeof seen),
				      k->connect_to[0] ? k->connect_to : "null");
	return 0;
}

/* One step of a side: absent, null (not tried), or {"ok": BOOL, ...}. */
static const char *step_problem(const struct jin_doc *d, const struct jin_node *step,
				int must_be_ok, int must_be_null, const char *why_null,
				char *buf, size_t size)
{
	const struct jin_node *ok;
	char seen[64];

	if (!step)
		return NULL;
	if (step->type == JIN_NULL) {
		if (!must_be_ok)
			return NULL;
		snprintf(buf, size, "is null (not tried), where the cell says both sockets bound");
		return buf;
	}
	ok = jin_get(d, step, "ok");
	if (step->type != JIN_OBJECT || !ok || ok->type != JIN_BOOL) {
		snprintf(buf, size, "is %s, where a step is null or {\"ok\": true or false, ...}",
			 step->type == JIN_OBJECT ? "an object without a bool \"ok\"" :
			 json_shown(step, seen, sizeof seen));
		return buf;
	}
	if (must_be_null) {
		snprintf(buf, size, "was tried, in a table without %s", why_null);
		return buf;
	}
	if (must_be_ok && !is_bool(ok, 1)) {
		snprintf(buf, size, "failed, where the cell says both sockets bound");
		return buf;
	}
	return NULL;
}

/* The steps of pair's side key ("first", "second") against a cell value. */
static const char *side_problem(const struct jin_doc *d, const struct jin_node *pair,
				const char *key, int bound, const struct bt_kind *k,
				char *buf, size_t size)
{
	const struct { const char *step; int ok, null; const char *option; } steps[] = {
		{ "socket", bound, 0, NULL },
		{ "so_reuseaddr", bound && k->reuseaddr, !k->reuseaddr, "SO_REUSEADDR" },
		{ "so_reuseport", bound && k->reuseport, !k->reuseport, "SO_REUSEPORT" },
		{ "ipv6_v6only", 0, 0, NULL },
		{ "bind", bound, 0, NULL },
		{ "listen", 0, 0, NULL },
	};
	const struct jin_node *side = jin_get(d, pair, key);
	char why[160];

	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (step_problem(d, jin_get(d, side, steps[i].step), steps[i].ok, steps[i].null,
				 steps[i].option, why, sizeof why)) {
			snprintf(buf, size, "%s.%s %s", key, steps[i].step, why);
			return buf;
		}
	return NULL;
}

/* The probes' letters against a cell value's slots (none unless o[...]). */
static const char *probes_problem(const struct jin_doc *d, const struct jin_node *probes,
				  const char *v, size_t len, char *buf, size_t size)
{
	size_t slots = v[0] == 'o' ? len - 3 : 0, i = 0;

	if (!probes)
		return NULL;
	if (probes->type != JIN_ARRAY || probes->count != slots) {
		snprintf(buf, size, "\"probes\" has %zu, where the cell has %zu slots",
			 probes->type == JIN_ARRAY ? probes->count : 0, slots);
		return buf;
	}
	for (const struct jin_node *p = jin_child(d, probes); p; p = jin_next(d, p), i++) {
		const char *letter = jin_get_str(d, p, "letter");

		if (!letter || strlen(letter) != 1 || letter[0] != v[2 + i]) {
			snprintf(buf, size, "probes[%zu].letter is '%s', where the cell has '%c'",
				 i, letter ? letter : "", v[2 + i]);
			return buf;
		}
	}
	return NULL;
}

/* A cell that names a failed bind (?1(N), ?2(N), x): that side's bind, if
 * there, is {"ok": false, ...}. */
static const char *bind_problem(const struct jin_doc *d, const struct jin_node *pair,
				const char *v, char *buf, size_t size)
{
	const char *key = v[0] == 'x' || !strncmp(v, "?2(", 3) ? "second" :
			  !strncmp(v, "?1(", 3) ? "first" : NULL;
	const struct jin_node *bind = key ? jin_get(d, jin_get(d, pair, key), "bind") : NULL;

	if (!bind || is_bool(jin_get(d, bind, "ok") ? jin_get(d, bind, "ok") : bind, 0))
		return NULL;
	snprintf(buf, size, "%s.bind did not fail, where the cell says it did", key);
	return buf;
}

static const char *pair_problem(const struct jin_doc *d, const struct jin_node *pair,
				const char *v, size_t len, const struct bt_kind *k,
				char *buf, size_t size)
{
	const struct jin_node *both = jin_get(d, pair, "both_bound");
	int bound = v[0] == 'o';
	char seen[64];

	if (both && !is_bool(both, bound)) {
		snprintf(buf, size, "\"both_bound\" is %s, where the cell says %s",
			 json_shown(both, seen, sizeof seen), bound ? "true" : "false");
		return buf;
	}
	if (side_problem(d, pair, "first", bound, k, buf, size) ||
	    side_problem(d, pair, "second", bound, k, buf, size) ||
	    bind_problem(d, pair, v, buf, size))
		return buf;
	return probes_problem(d, jin_get(d, pair, "probes"), v, len, buf, size);
}

int bt_expect_json_pair_agrees(const struct jin_doc *d, const struct jin_node *pair,
			       const char *cell, const struct bt_kind *k, const char *where,
			       char *err, size_t errsize)
{
	char first[256] = "";

	if (!k->known)
		return 0;
	for (const char *p = cell;;) {
		size_t len = strcspn(p, "|");
		char why[256];

		if (!pair_problem(d, pair, p, len, k, why, sizeof why))
			return 0;
		if (!first[0])
			snprintf(first, sizeof first, "%s", why);
		if (!p[len])
			break;
		p += len + 1;
	}
	return bt_expect_fail(err, errsize, "%s: its cell is '%s', but %s", where, cell, first);
}
