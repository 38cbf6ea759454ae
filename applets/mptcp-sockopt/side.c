/* What both sides of a conformance run share: -v lines, setup failures,
 * the wait for subflows, small helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conform.h"
#include "net.h"

int mpt_gso(int fd, int level, int name, void *buf, socklen_t *len)
{
	return getsockopt(fd, level, name, buf, len) < 0 ? errno : 0;
}

unsigned mpt_random(unsigned *state)
{
	/* xorshift32: the message length and TOS need no better */
	unsigned x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

const char *mpt_addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	return sockaddr_text((const struct sockaddr *)ss, 1, buf, size);
}

void mpt_verbose(const struct mpt_side *st, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	size_t len;
	int n;

	if (!st->run->verbose || st->run->vlog < 0)
		return;
	n = snprintf(line, sizeof line - 1, "# %s %s ", st->run->tag, st->who);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - 1 - (size_t)n, fmt, ap);
	va_end(ap);
	len = strlen(line);
	line[len++] = '\n';
	/* One write per line, appended: the two sides share the log. */
	if (write(st->run->vlog, line, len) < 0) {
		/* a log that cannot grow loses -v lines, not checks */
	}
}

void mpt_verbose_fields(const struct mpt_side *st, const char *what,
			const struct mpt_field *f, size_t n, const void *reply, size_t len)
{
	char text[900], value[64];
	size_t used = 0;

	if (!st->run->verbose)
		return;
	text[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof text; i++) {
		int w;

		if (!mpt_field_covered(len, f[i].offset, f[i].size))
			continue;
		w = snprintf(text + used, sizeof text - used, "%s%s=%s", used ? " " : "",
			     f[i].name, mpt_field_text(&f[i], reply, len, value, sizeof value));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	mpt_verbose(st, "%s (%zu bytes): %s", what, len, text);
}

void mpt_reach(const struct mpt_side *st, enum mpt_stage stage)
{
	mpt_set_stage(stage);
	st->run->shared->reached[st->side] = (int)stage;
}

void mpt_stop(const struct mpt_side *st, enum mpt_check id, const char *fmt, ...)
{
	int *stop = &st->run->shared->stop_check[st->side];
	va_list ap;

	va_start(ap, fmt);
	mpt_vfail(id, fmt, ap);
	va_end(ap);
	if (!*stop)
		*stop = (int)id + 1;    /* the first stop is the cause */
}

void mpt_setup_failed(const struct mpt_side *st, const char *fmt, ...)
{
	char *slot = st->run->shared->setup_error[st->side];
	size_t size = sizeof st->run->shared->setup_error[st->side];
	va_list ap;
	int n;

	if (slot[0])
		return;                 /* the first failure is the cause */
	n = snprintf(slot, size, "%s: ", st->who);
	va_start(ap, fmt);
	vsnprintf(slot + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	st->run->shared->setup_order[st->side] =
		__atomic_add_fetch(&st->run->shared->setup_failures, 1, __ATOMIC_SEQ_CST);
}

const char *mpt_first_setup_error(const struct mpt_shared *sh)
{
	unsigned s = sh->setup_order[MPT_SERVER], c = sh->setup_order[MPT_CLIENT];

	if (s && (!c || s < c))
		return sh->setup_error[MPT_SERVER];
	return sh->setup_error[MPT_CLIENT];
}

int mpt_await_subflows(struct mpt_side *st, int fd, int events)
{
	unsigned want = st->run->subflows, have = 0;

	if (want < 2)
		return 0;
	if (mpt_wait_subflows(fd, want, events, st->run->deadline_ms, &have) == 0) {
		mpt_verbose(st, "%u subflows established", have);
		return 0;
	}
	if (errno == ETIMEDOUT)
		mpt_setup_failed(st, "%u of %u subflows established by the deadline (-t)",
				 have, want);
	else
		mpt_setup_failed(st, "counting the subflows (MPTCP_TCPINFO): %s",
				 strerror(errno));
	return -1;
}
