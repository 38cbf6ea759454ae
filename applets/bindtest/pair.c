/* One ordered pair of addresses: the original's sequence of socket,
 * setsockopt, bind, listen, probe (probe.c) and close, with its verbose
 * lines and its summary cell. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindtest.h"
#include "err.h"
#include "net.h"

#define LISTEN_BACKLOG 5

/* Verbose lines are printed as the steps happen, as the original did. */
void bt_vsay(const struct bt_config *cfg, const char *fmt, va_list ap)
{
	if (!cfg->quiet)
		vprintf(fmt, ap);
}

void bt_say(const struct bt_config *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bt_vsay(cfg, fmt, ap);
	va_end(ap);
}

const char *bt_sockaddr_slash(const struct sockaddr *sa, socklen_t len,
			      char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	/* inet_ntop (in sockaddr_text), not getnameinfo(NI_NUMERICHOST): the
	 * same text without the resolver getnameinfo links into a static binary. */
	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		snprintf(buf, size, "?/?");
	else
		snprintf(buf, size, "%s/%u", sockaddr_text(sa, 0, host, sizeof host),
			 sockaddr_port(sa));
	return buf;
}

static const char *addr_text(const struct bt_addr *a, char *buf, size_t size)
{
	return bt_sockaddr_slash((const struct sockaddr *)&a->ss, a->len, buf, size);
}

static void cell_add(struct bt_pair *p, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void cell_add(struct bt_pair *p, const char *fmt, ...)
{
	size_t used = strlen(p->cell);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->cell + used, sizeof p->cell - used, fmt, ap);
	va_end(ap);
}

const char *bt_nth(int which)
{
	return which == 0 ? "1st" : "2nd";
}

/* ---- the pair ------------------------------------------------------------ */

static void set_slot(struct bt_slot *sl, const char *target, int tried,
		     const struct sockaddr_storage *dst, socklen_t len)
{
	sl->target = target;
	sl->dst = tried ? dst : NULL;
	sl->len = len;
}

size_t bt_plan_slots(const struct bt_config *cfg, const struct bt_addr *a,
		     const struct bt_addr *b, struct bt_slot slot[BT_MAXPROBES])
{
	size_t n = 0;

	if (cfg->socktype == SOCK_DGRAM) {
		set_slot(&slot[n++], "1st", a->host != NULL, &a->ss, a->len);
		set_slot(&slot[n++], "2nd", b->host != NULL, &b->ss, b->len);
		if (cfg->have_other4)
			set_slot(&slot[n++], "other", 1, &cfg->other4, cfg->other4_len);
		if (cfg->have_other6)
			set_slot(&slot[n++], "other6", 1, &cfg->other6, cfg->other6_len);
		/* 1.51 keeps the broadcast slot ('-') without -b, unlike -o's. */
		set_slot(&slot[n++], "broadcast", cfg->have_bcast, &cfg->bcast6, cfg->bcast6_len);
	} else if (cfg->reuseaddr || cfg->reuseport) {
		/* Without a reuse option the original connects nowhere: the
		 * TIME_WAIT left behind would fail the following binds. */
		set_slot(&slot[n++], "1st", a->host && cfg->connect1st, &a->ss, a->len);
		set_slot(&slot[n++], "2nd", b->host && cfg->connect2nd, &b->ss, b->len);
		set_slot(&slot[n++], "other", cfg->have_other4, &cfg->other4, cfg->other4_len);
		set_slot(&slot[n++], "other6", cfg->have_other6, &cfg->other6, cfg->other6_len);
	}
	return n;
}

/* Probe one slot of the cell: not tried ('-') without an address. */
static void probe_slot(const struct bt_config *cfg, struct bt_pair *out, int sa, int sb,
		       const struct bt_slot *sl)
{
	struct bt_probe *p = &out->probe[out->nprobes++];

	memset(p, 0, sizeof *p);
	p->target = sl->target;
	if (!sl->dst) {
		p->letter = '-';
	} else if (out->listen_failed) {
		/* A probe of 1.51's would have tried the listen, and failed. */
		int which = out->listen_failed == 'L';

		bt_sockaddr_slash((const struct sockaddr *)sl->dst, sl->len, p->address,
				  sizeof p->address);
		p->letter = out->listen_failed;
		p->failed_step = which ? "listen(2nd)" : "listen(1st)";
		p->err = out->side[which].listen.err;
		bt_say(cfg, "\tfailed to listen for the %s socket: %s\n", bt_nth(which),
		    strerror(p->err));
	} else {
		bt_sockaddr_slash((const struct sockaddr *)sl->dst, sl->len, p->address,
				  sizeof p->address);
		p->letter = (cfg->socktype == SOCK_DGRAM ? bt_udp_probe : bt_tcp_probe)
			(cfg, sa, sb, (const struct sockaddr *)sl->dst, sl->len, p);
	}
	cell_add(out, "%c", p->letter);
}

static void probe_pair(const struct bt_config *cfg, struct bt_pair *out, int sa, int sb)
{
	struct bt_slot slot[BT_MAXPROBES];
	size_t n = bt_plan_slots(cfg, out->first, out->second, slot);

	for (size_t i = 0; i < n; i++)
		probe_slot(cfg, out, sa, sb, &slot[i]);
}

static int step(struct bt_step *st, int r)
{
	st->tried = 1;
	st->err = r < 0 ? errno : 0;
	return r;
}

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof value);
}

/* SO_REUSEADDR ('A') or SO_REUSEPORT ('P') on both sockets: 0, or -1 with
 * the cell ?X (first) or !X (second) set. */
static int set_reuse(const struct bt_config *cfg, struct bt_pair *out, const int fd[2],
		     int optname)
{
	const struct bt_addr *ad[2] = { out->first, out->second };
	int addr = optname == SO_REUSEADDR;
	char text[80];

	for (int i = 0; i < 2; i++) {
		struct bt_side *side = &out->side[i];

		if (step(addr ? &side->reuseaddr : &side->reuseport,
			 set_int(fd[i], SOL_SOCKET, optname, 1)) < 0) {
			bt_say(cfg, "\tfailed setsockopt(%s) for %s, %s\n",
			    addr ? "SO_REUSEADDR" : "SO_REUSEPORT",
			    addr_text(ad[i], text, sizeof text), strerror(errno));
			cell_add(out, "%c%c", i == 0 ? '?' : '!', addr ? 'A' : 'P');
			return -1;
		}
	}
	return 0;
}

/* The socket options, in the original's order: 0, or -1 with the cell set. */
static int set_options(const struct bt_config *cfg, struct bt_pair *out, int sa, int sb)
{
	const struct bt_addr *ad[2] = { out->first, out->second };
	const int fd[2] = { sa, sb };
	char text[80];

	if (cfg->reuseaddr && set_reuse(cfg, out, fd, SO_REUSEADDR) < 0)
		return -1;
	if (cfg->reuseport && set_reuse(cfg, out, fd, SO_REUSEPORT) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if (ad[i]->family != AF_INET6)
			continue;
		if (step(&out->side[i].v6only, bt_set_v6only(fd[i], cfg->v6only)) < 0) {
			bt_say(cfg, "\tfailed setsockopt(IPV6_V6ONLY, %d) for %s, %s\n", cfg->v6only,
			    addr_text(ad[i], text, sizeof text), strerror(errno));
			cell_add(out, "?6");
			return -1;
		}
	}
	return 0;
}

/* bind(), and listen() for TCP unless delayed: 0, or -1 with the cell set. */
static int bind_one(const struct bt_config *cfg, struct bt_pair *out, int which, int fd)
{
	const struct bt_addr *ad = which == 0 ? out->first : out->second;
	struct bt_side *side = &out->side[which];
	char text[80];

	addr_text(ad, text, sizeof text);
	bt_say(cfg, "\tbind socket for %s\n", text);
	if (step(&side->bind, bind(fd, (const struct sockaddr *)&ad->ss, ad->len)) < 0) {
		bt_say(cfg, "\tfailed bind for %s, %s\n", text, strerror(errno));
		if (which == 0)
			cell_add(out, "?1(%d)", errno);
		else if (errno == EADDRINUSE)
			cell_add(out, "x");
		else
			cell_add(out, "?2(%d)", errno);
		return -1;
	}
	if (cfg->socktype == SOCK_STREAM && !cfg->delayed_listen &&
	    step(&side->listen, listen(fd, LISTEN_BACKLOG)) < 0) {
		bt_say(cfg, "\tfailed listen on for %s: %s\n", text, strerror(errno));
		cell_add(out, "L%d?(%d)", which + 1, errno);
		return -1;
	}
	return 0;
}

/* -l: both sockets listen once both are bound, as 1.51's manual says.
 * 1.51 itself listened only right before a connect, so that without one
 * nothing listened: the outcome is kept for -j, and a failure is shown,
 * with 1.51's letter and line, only by a probe (probe_slot).  0, or the
 * letter of the listen that failed: 'l' the first socket's (the second is
 * then not tried), 'L' the second's. */
static char listen_both(struct bt_pair *out, int sa, int sb)
{
	const int fd[2] = { sa, sb };

	for (int i = 0; i < 2; i++)
		if (step(&out->side[i].listen, listen(fd[i], LISTEN_BACKLOG)) < 0)
			return i == 0 ? 'l' : 'L';
	return 0;
}

static int open_one(const struct bt_config *cfg, struct bt_pair *out, int which)
{
	const struct bt_addr *ad = which == 0 ? out->first : out->second;
	char text[80];
	int fd = socket(ad->family, cfg->socktype | SOCK_CLOEXEC, 0);

	step(&out->side[which].socket, fd);
	if (fd < 0) {
		/* The original printed these two the wrong way round. */
		bt_say(cfg, "\tfailed socket for %s, %s\n", addr_text(ad, text, sizeof text),
		    strerror(errno));
		cell_add(out, "!%d", which + 1);
	}
	return fd;
}

void bt_run_pair(const struct bt_config *cfg, const struct bt_addr *a,
		 const struct bt_addr *b, struct bt_pair *out)
{
	int sa = -1, sb = -1;

	memset(out, 0, sizeof *out);
	out->first = a;
	out->second = b;
	bt_say(cfg, "%s then %s\n", a->name, b->name);
	/* Both sockets exist before either is bound. */
	if ((sa = open_one(cfg, out, 0)) < 0 || (sb = open_one(cfg, out, 1)) < 0)
		goto done;
	if (set_options(cfg, out, sa, sb) < 0)
		goto done;
	if (bind_one(cfg, out, 0, sa) < 0 || bind_one(cfg, out, 1, sb) < 0)
		goto done;
	out->bound = 1;
	if (cfg->socktype == SOCK_STREAM && cfg->delayed_listen)
		out->listen_failed = listen_both(out, sa, sb);
	cell_add(out, "o[");
	probe_pair(cfg, out, sa, sb);
	cell_add(out, "]");
done:
	if (sa >= 0)
		close(sa);
	if (sb >= 0)
		close(sb);
}
