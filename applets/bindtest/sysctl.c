/* --sysctl NAME=VALUE: net.* settings made in the private namespace before
 * the tables run, and recorded in each header and in -j.
 *
 * A setting is recorded in one form whatever way it was typed, so that a
 * table saved with "net/ipv4/ip_nonlocal_bind=1" is the table of
 * "net.ipv4.ip_nonlocal_bind=1" for --expect: the name in sysctl(8)'s
 * dotted form, and the value the kernel reports once every setting is
 * made, with its runs of blanks as one space (the kernel separates the
 * numbers of a range with a TAB, which an editor may turn into spaces). */
#include <errno.h>
#include <string.h>

#include "bindtest.h"
#include "err.h"
#include "net.h"

/* sysctl(8)'s rule: the first separator says which form a name is in.
 * After a '.', the name is dotted and a '/' in it stands for a dot inside
 * a component ("net.ipv4.conf.eth0/5.forwarding"); after a '/', it is a
 * path and its dots are literal.  Swapping the two characters turns either
 * form into the other. */
static void swap_separators(const char *from, char *to)
{
	for (; *from; from++)
		*to++ = *from == '.' ? '/' : *from == '/' ? '.' : *from;
	*to = '\0';
}

static void set_forms(struct bt_sysctl *sc)
{
	size_t first = strcspn(sc->given, "./");

	if (sc->given[first] == '/') {
		strcpy(sc->path, sc->given);
		swap_separators(sc->given, sc->name);
	} else {
		strcpy(sc->name, sc->given);
		swap_separators(sc->given, sc->path);
	}
}

void bt_sysctl_parse(struct bt_request *rq, const char *text)
{
	struct bt_sysctl *sc = &rq->sysctl[rq->nsysctl];
	const char *eq = strchr(text, '=');
	size_t len = eq ? (size_t)(eq - text) : 0;

	if (rq->nsysctl == BT_MAX_SYSCTL)
		die_usage("--sysctl: at most %d settings", BT_MAX_SYSCTL);
	if (!eq || len == 0 || !eq[1])
		die_usage("--sysctl: '%s' is not NAME=VALUE", text);
	if (len >= sizeof sc->given)
		die_usage("--sysctl: the name in '%s' is too long", text);
	memcpy(sc->given, text, len);
	sc->given[len] = '\0';
	/* Only names under net, which the private network namespace owns:
	 * any other would change the host. */
	if (strncmp(sc->given, "net.", 4) != 0 && strncmp(sc->given, "net/", 4) != 0)
		die_usage("--sysctl: %s is not a net.* sysctl: only those belong to "
			  "the private network namespace", sc->given);
	if (strlen(eq + 1) >= sizeof sc->value)
		die_usage("--sysctl: the value of %s is too long", sc->given);
	strcpy(sc->value, eq + 1);
	set_forms(sc);
	/* Given twice, the header would name a setting the table did not run
	 * with; sysctl(8) would silently keep the last. */
	for (size_t i = 0; i < rq->nsysctl; i++)
		if (!strcmp(rq->sysctl[i].name, sc->name))
			die_usage("--sysctl: %s is given twice ('%s' and '%s'): give each "
				  "setting once", sc->name, rq->sysctl[i].given, sc->given);
	rq->nsysctl++;
}

/* The name must be one the namespace has, that bindtest may read (it
 * records the value): else a usage error saying why. */
static void check_readable(const struct bt_sysctl *sc)
{
	char now[BT_SYSCTL_VALUE_MAX];

	if (sysctl_read(sc->path, now, sizeof now) == 0)
		return;
	if (errno == ENOENT)
		die_usage("--sysctl: %s: no such sysctl in a network namespace", sc->given);
	if (errno == EINVAL)
		die_usage("--sysctl: '%s' is not a sysctl name", sc->given);
	if (errno == EISDIR)
		die_usage("--sysctl: %s is a directory of sysctls, not one", sc->given);
	if (errno == EACCES || errno == EPERM)
		die_usage("--sysctl: the kernel does not let bindtest read %s (%s), and "
			  "bindtest records the value each setting leaves", sc->given,
			  strerror(errno));
	bt_fail("--sysctl: cannot read %s: %s", sc->given, strerror(errno));
}

static void set_one(const struct bt_sysctl *sc)
{
	if (sysctl_write(sc->path, sc->value) == 0)
		return;
	if (errno == EPERM || errno == EACCES || errno == EROFS)
		die_usage("--sysctl: the kernel does not let bindtest set %s in its private "
			  "network namespace (%s)", sc->given, strerror(errno));
	die_usage("--sysctl: the kernel refuses %s=%s: %s", sc->given, sc->value,
		  strerror(errno));
}

/* The kernel's value, blanks squeezed: "32768\t60999" -> "32768 60999". */
static void read_back(struct bt_sysctl *sc)
{
	char now[BT_SYSCTL_VALUE_MAX + 1], *w = sc->value;
	const char *blanks = " \t\n";

	if (sysctl_read(sc->path, now, sizeof now) < 0)
		bt_fail("--sysctl: cannot read %s back: %s", sc->given, strerror(errno));
	if (strlen(now) >= BT_SYSCTL_VALUE_MAX)
		die_usage("--sysctl: the value of %s is longer than bindtest records (%d bytes)",
			  sc->given, BT_SYSCTL_VALUE_MAX - 1);
	for (const char *r = now + strspn(now, blanks); *r;) {
		size_t word = strcspn(r, blanks);

		if (w != sc->value)
			*w++ = ' ';
		memcpy(w, r, word);
		w += word;
		r += word;
		r += strspn(r, blanks);
	}
	*w = '\0';
}

void bt_sysctl_apply(struct bt_request *rq)
{
	for (size_t i = 0; i < rq->nsysctl; i++) {
		check_readable(&rq->sysctl[i]);
		set_one(&rq->sysctl[i]);
	}
	/* Only once all are made: a later setting can change an earlier one
	 * (net.ipv4.conf.all.forwarding sets every interface's). */
	for (size_t i = 0; i < rq->nsysctl; i++)
		read_back(&rq->sysctl[i]);
}
