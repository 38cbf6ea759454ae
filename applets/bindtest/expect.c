/* --expect FILE: the tables saved earlier from bindtest's own -s or -j output,
 * and their comparison, cell by cell, with this run's, as TAP.
 *
 * A saved cell may list the values it accepts, separated by '|'
 * ("o[1---]|o[2---]"), for the cells that vary from run to run (SO_REUSEPORT
 * spreads traffic to two sockets on one address by a hash).  Every value
 * must be a cell bindtest can print, so that a typing error is reported as
 * one and not as a kernel's change. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bindtest.h"
#include "err.h"
#include "io.h"

#define EXPECT_MAX_BYTES (16 << 20)
#define EXPECT_READ_TIMEOUT_MS 10000

int bt_expect_fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

int bt_cell_matches(const char *want, const char *got)
{
	size_t glen = strlen(got);

	for (const char *p = want;;) {
		size_t len = strcspn(p, "|");

		if (len == glen && !strncmp(p, got, len))
			return 1;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

struct bt_expect_table *bt_expect_new_table(struct bt_expect *e, char *err, size_t errsize)
{
	if (e->ntables == BT_MAX_TABLES) {
		bt_expect_fail(err, errsize, "more tables than any run of bindtest has (%d)",
			       BT_MAX_TABLES);
		return NULL;
	}
	e->table = xrealloc(e->table, (e->ntables + 1) * sizeof *e->table);
	memset(&e->table[e->ntables], 0, sizeof *e->table);
	return &e->table[e->ntables++];
}

/* ---- the -j form ----------------------------------------------------------- */

/* One pair of a saved -j table: its names in the table's order, its cell. */
static int json_pair(struct bt_expect *e, struct bt_expect_table *t, size_t ti, int n,
		     const struct jin_node *pair, const struct bt_kind *kind, char *err,
		     size_t errsize)
{
	const char *cell = jin_get_str(&e->doc, pair, "cell");
	const char *a = jin_get_str(&e->doc, jin_get(&e->doc, pair, "first"), "name");
	const char *b = jin_get_str(&e->doc, jin_get(&e->doc, pair, "second"), "name");
	char where[48];

	snprintf(where, sizeof where, "table %zu, pair %d", ti + 1, n + 1);
	if (!cell || !a || !b)
		return bt_expect_fail(err, errsize, "%s: no cell, first.name or second.name",
				      where);
	if (strcmp(a, bt_address_name(n / BT_NADDR)) != 0 ||
	    strcmp(b, bt_address_name(n % BT_NADDR)) != 0)
		return bt_expect_fail(err, errsize, "%s is '%s then %s', not '%s then %s'",
				      where, a, b, bt_address_name(n / BT_NADDR),
				      bt_address_name(n % BT_NADDR));
	t->cell[n] = cell;
	if (bt_expect_check_cell(cell, kind, err, errsize, where) < 0)
		return -1;
	return bt_expect_json_pair_agrees(&e->doc, pair, cell, kind, where, err, errsize);
}

static int json_table(struct bt_expect *e, size_t ti, const struct jin_node *tab,
		      char *err, size_t errsize)
{
	const struct jin_node *pairs = jin_get(&e->doc, tab, "pairs"), *p;
	struct bt_expect_table *t;
	struct bt_kind kind;
	const char *header = jin_get_str(&e->doc, tab, "header");
	int n = 0;

	if (!header || !pairs || pairs->type != JIN_ARRAY)
		return bt_expect_fail(err, errsize, "table %zu: no header or no pairs", ti + 1);
	if (pairs->count != BT_NADDR * BT_NADDR)
		return bt_expect_fail(err, errsize, "table %zu has %zu pairs, not %d", ti + 1,
				      pairs->count, BT_NADDR * BT_NADDR);
	if (!(t = bt_expect_new_table(e, err, errsize)))
		return -1;
	t->header = header;
	bt_kind_of(header, &kind);
	if (bt_expect_json_table_agrees(&e->doc, tab, &kind, ti, err, errsize) < 0)
		return -1;
	for (p = jin_child(&e->doc, pairs); p; p = jin_next(&e->doc, p))
		if (json_pair(e, t, ti, n++, p, &kind, err, errsize) < 0)
			return -1;
	return 0;
}

static int parse_json(struct bt_expect *e, char *text, size_t len, char *err, size_t errsize)
{
	const struct jin_node *tables, *t;
	size_t ti = 0;

	if (jin_parse(&e->doc, text, len, err, errsize) < 0)
		return -1;
	tables = jin_get(&e->doc, &e->doc.node[0], "tables");
	if (!tables || tables->type != JIN_ARRAY)
		return bt_expect_fail(err, errsize, "no \"tables\" array: not the output of "
				      "bindtest -j");
	for (t = jin_child(&e->doc, tables); t; t = jin_next(&e->doc, t))
		if (json_table(e, ti++, t, err, errsize) < 0)
			return -1;
	return 0;
}

/* ---- loading --------------------------------------------------------------- */

/* The file may start with a UTF-8 byte order mark, as some editors save. */
static const char utf8_bom[] = "\xef\xbb\xbf";

int bt_expect_parse(struct bt_expect *e, char *text, size_t len, char *err, size_t errsize)
{
	size_t lead;
	int r;

	if (len >= 3 && !memcmp(text, utf8_bom, 3)) {
		text += 3;
		len -= 3;
	}
	lead = strspn(text, " \t\r\n");
	r = text[lead] == '{' ? parse_json(e, text, len, err, errsize)
			      : bt_expect_parse_text(e, text, len, err, errsize);
	if (r == 0 && e->ntables == 0)
		return bt_expect_fail(err, errsize, "no table in it (save one with bindtest -s "
				      "or -j)");
	return r;
}

/* A regular file only: a FIFO or a terminal could keep us waiting. */
int bt_expect_load(struct bt_expect *e, const char *path, char *err, size_t errsize)
{
	struct stat st;
	ssize_t got;
	int fd;

	memset(e, 0, sizeof *e);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return bt_expect_fail(err, errsize, "%s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		int saved = errno;

		close(fd);
		return bt_expect_fail(err, errsize, "%s", strerror(saved));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > EXPECT_MAX_BYTES) {
		close(fd);
		return bt_expect_fail(err, errsize, "%s", !S_ISREG(st.st_mode) ?
				      "not a regular file" : "larger than any table bindtest writes");
	}
	e->text = xmalloc((size_t)st.st_size + 1);
	got = read_full(fd, e->text, (size_t)st.st_size, EXPECT_READ_TIMEOUT_MS);
	close(fd);
	if (got < 0)
		return bt_expect_fail(err, errsize, "%s", strerror(errno));
	e->text[got] = '\0';
	if (got >= 2 && (!memcmp(e->text, "\xff\xfe", 2) || !memcmp(e->text, "\xfe\xff", 2)))
		return bt_expect_fail(err, errsize, "UTF-16 text (it starts with a byte order "
				      "mark): save the table as UTF-8 or ASCII");
	if (strlen(e->text) != (size_t)got)
		return bt_expect_fail(err, errsize, "a NUL byte: not a table of bindtest");
	return bt_expect_parse(e, e->text, (size_t)got, err, errsize);
}

void bt_expect_free(struct bt_expect *e)
{
	jin_free(&e->doc);
	free(e->table);
	free(e->text);
	memset(e, 0, sizeof *e);
}

/* ---- comparing, as TAP ----------------------------------------------------- */

/* One saved value against the plan: the same number of slots, '-' exactly
 * where a slot is not tried. */
static int fits_slots(const char *value, size_t len, const struct bt_slot *slot, size_t n)
{
	if (len < 3 || strncmp(value, "o[", 2) != 0)
		return 1;       /* not both bound: no slots to compare */
	if (len - 3 != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((value[2 + i] == '-') != (slot[i].dst == NULL))
			return 0;
	return 1;
}

int bt_expect_check_slots(const struct bt_expect *e, size_t ti, const struct bt_config *c,
			  char *err, size_t errsize)
{
	struct bt_addr addrs[BT_NADDR];
	struct bt_slot slot[BT_MAXPROBES];
	char plan[BT_MAXPROBES + 4];

	bt_addresses(addrs, 0);
	for (int n = 0; n < BT_NADDR * BT_NADDR; n++) {
		const struct bt_addr *a = &addrs[n / BT_NADDR], *b = &addrs[n % BT_NADDR];
		size_t nslots = bt_plan_slots(c, a, b, slot);

		for (const char *p = e->table[ti].cell[n];;) {
			size_t len = strcspn(p, "|");

			if (!fits_slots(p, len, slot, nslots)) {
				for (size_t i = 0; i < nslots; i++)
					plan[i] = slot[i].dst ? '?' : '-';
				plan[nslots] = '\0';
				return bt_expect_fail(err, errsize, "its %s then %s is '%.*s', where "
						      "this run's probes are o[%s] ('?' a probe, "
						      "'-' none)", a->name, b->name, (int)len, p,
						      plan);
			}
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	return 0;
}

int bt_expect_report(const struct bt_expect *e, size_t ti, const struct bt_config *c,
		     const struct bt_pair *pairs, unsigned *num)
{
	const struct bt_expect_table *want = &e->table[ti];
	int failed = 0;
	char suffix[32] = "";

	if (e->ntables > 1)
		snprintf(suffix, sizeof suffix, " (table %zu)", ti + 1);
	printf("# %s\n# port = %u\n", want->header, c->port);
	for (int n = 0; n < BT_NADDR * BT_NADDR; n++) {
		const struct bt_pair *p = &pairs[n];
		int ok = bt_cell_matches(want->cell[n], p->cell);

		printf("%sok %u - %s then %s%s\n", ok ? "" : "not ", ++*num, p->first->name,
		       p->second->name, suffix);
		if (!ok)
			printf("#   expected: %s\n#        got: %s\n", want->cell[n], p->cell);
		failed += !ok;
	}
	fflush(stdout);
	return failed;
}
