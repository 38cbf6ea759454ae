/* The check table's names and sides, and recording results into it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

struct mpt_result *mpt_results;
static enum mpt_stage current_stage = MPT_OPEN;

/* Bytes, not enums: the static binary has a size budget. */
static const struct {
	const char *name;
	unsigned char side;             /* enum mpt_role */
	unsigned char scope;            /* enum mpt_scope */
	unsigned char stage;            /* enum mpt_stage */
} table[MPT_CHECK_COUNT] = {
#define MPT_CHECK_ROW(id, side, scope, stage, name) \
	[MPT_##id] = { name, MPT_##side, MPT_##scope, MPT_##stage },
	MPT_CHECKS(MPT_CHECK_ROW)
#undef MPT_CHECK_ROW
};

const char *mpt_check_name(enum mpt_check id)
{
	return table[id].name;
}

enum mpt_role mpt_check_side(enum mpt_check id)
{
	return (enum mpt_role)table[id].side;
}

enum mpt_stage mpt_check_stage(enum mpt_check id)
{
	return (enum mpt_stage)table[id].stage;
}

const char *mpt_stage_words(enum mpt_stage stage)
{
	switch (stage) {
	case MPT_OPEN:
		return "connected";
	case MPT_TRANSFER:
		return "the transfer";
	default:
		return "after the transfer";
	}
}

const char *mpt_check_side_word(enum mpt_check id)
{
	return table[id].side == MPT_SERVER ? "server" : "client";
}

int mpt_check_in_run(enum mpt_check id, unsigned subflows)
{
	return table[id].scope == MPT_ALL || subflows >= 2;
}

int mpt_checks_in_run(unsigned subflows)
{
	int n = 0;

	for (int id = 0; id < MPT_CHECK_COUNT; id++)
		n += mpt_check_in_run(id, subflows);
	return n;
}

void mpt_results_init(struct mpt_result *results)
{
	for (int id = 0; id < MPT_CHECK_COUNT; id++) {
		results[id].state = MPT_NOT_REACHED;
		results[id].stage = MPT_NOWHERE;
		results[id].diag[0] = '\0';
	}
}

int mpt_result_passed(enum mpt_check id, const struct mpt_result *r)
{
	return r->state == MPT_PASS && r->stage >= (int)table[id].stage;
}

void mpt_set_stage(enum mpt_stage stage)
{
	current_stage = stage;
}

/* Whatever is recorded is recorded at the stage the process is at. */
static void recorded(struct mpt_result *r)
{
	if (r->stage < (int)current_stage)
		r->stage = (int)current_stage;
}

void mpt_pass(enum mpt_check id)
{
	struct mpt_result *r = &mpt_results[id];

	if (r->state == MPT_NOT_REACHED)
		r->state = MPT_PASS;
	recorded(r);
}

static void add_diag(struct mpt_result *r, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

/* Append one line to the check's diagnostics, as far as it fits. */
static void add_diag(struct mpt_result *r, const char *fmt, va_list ap)
{
	size_t used = strlen(r->diag);

	if (used + 2 >= sizeof r->diag)
		return;
	if (used)
		r->diag[used++] = '\n';
	vsnprintf(r->diag + used, sizeof r->diag - used, fmt, ap);
}

void mpt_vfail(enum mpt_check id, const char *fmt, va_list ap)
{
	struct mpt_result *r = &mpt_results[id];

	if (r->state != MPT_FAIL)
		r->diag[0] = '\0';      /* a skip reason gives way to the failure */
	r->state = MPT_FAIL;
	recorded(r);
	add_diag(r, fmt, ap);
}

void mpt_fail(enum mpt_check id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mpt_vfail(id, fmt, ap);
	va_end(ap);
}

void mpt_skip(enum mpt_check id, const char *fmt, ...)
{
	struct mpt_result *r = &mpt_results[id];
	va_list ap;

	recorded(r);
	if (r->state == MPT_FAIL || r->state == MPT_SKIP)
		return;
	r->state = MPT_SKIP;
	r->diag[0] = '\0';
	va_start(ap, fmt);
	add_diag(r, fmt, ap);
	va_end(ap);
}

int mpt_that(enum mpt_check id, int cond, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		mpt_pass(id);
		return 1;
	}
	va_start(ap, fmt);
	mpt_vfail(id, fmt, ap);
	va_end(ap);
	return 0;
}

int mpt_eq(enum mpt_check id, const char *what, unsigned long long got,
	   unsigned long long want)
{
	return mpt_that(id, got == want, "%s: expected %llu, got %llu", what, want, got);
}

void mpt_sockopt_error(enum mpt_check id, const char *what, int errnum)
{
	if (errnum == EOPNOTSUPP || errnum == ENOPROTOOPT)
		mpt_skip(id, "%s not supported by this kernel (%s)", what, strerror(errnum));
	else
		mpt_fail(id, "%s: expected success, got error %s", what, strerror(errnum));
}
