/* Printing a connection: key:value lines in the manner of `ss -Mi`, or one
 * JSON object whose members are always all there (null when the kernel
 * did not say), with 64-bit sequence numbers and tokens as strings. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "net.h"

/* include/uapi/linux/mptcp.h: MPTCP_SUBFLOW_FLAG_* (5.7). */
static const char *const subflow_flag_names[] = {
	"mcap_rem", "mcap_loc", "join_rem", "join_loc", "bkup_rem", "bkup_loc",
	"fully_established", "connected", "mapvalid",
};

uint32_t mpt_conn_token(const struct mpt_conn *c)
{
	return (uint32_t)mpt_field_get(c->info, c->info_len, MI_OFF_TOKEN, 4);
}

static const char *addr_text(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return "-";
	return sockaddr_text((const struct sockaddr *)ss, 1, buf, size);
}

static const char *state_text(int state, char *buf, size_t size)
{
	return state < 0 ? "-" : mpt_tcp_state_name((unsigned)state, buf, size);
}

/* ---- text ---- */

static void text_subflow(const struct mpt_subflow *s, unsigned i, FILE *out)
{
	char a[80], v[200];

	fprintf(out, "subflow:%u local:%s", i, addr_text(&s->local, a, sizeof a));
	fprintf(out, " remote:%s", addr_text(&s->remote, a, sizeof a));
	for (size_t k = 0; k < mpt_tcpinfo_nfields; k++) {
		const struct mpt_field *f = &mpt_tcpinfo_fields[k];

		if (mpt_field_covered(s->ti_len, f->offset, f->size))
			fprintf(out, " %s:%s", f->name, mpt_field_text(f, s->ti, s->ti_len,
								      v, sizeof v));
	}
	if (s->have_diag) {
		mpt_flag_names(s->diag.flags, subflow_flag_names,
			       sizeof subflow_flag_names / sizeof subflow_flag_names[0],
			       v, sizeof v);
		fprintf(out, " flags:%s local_id:%u remote_id:%u", *v ? v : "-",
			s->diag.id_local, s->diag.id_remote);
	}
	fputc('\n', out);
}

void mpt_conn_print_text(const struct mpt_conn *c, FILE *out)
{
	char a[80], v[200];

	fprintf(out, "local:%s\n", addr_text(&c->local, a, sizeof a));
	fprintf(out, "remote:%s\n", addr_text(&c->remote, a, sizeof a));
	fprintf(out, "state:%s\n", state_text(c->state, v, sizeof v));
	fprintf(out, "fallback:%s\n", c->fallback ? "yes" : "no");
	if (c->info_len) {
		fprintf(out, "mptcp_info_size:%zu\n", c->info_len);
		for (size_t i = 0; i < mpt_info_nfields; i++) {
			const struct mpt_field *f = &mpt_info_fields[i];

			if (mpt_field_covered(c->info_len, f->offset, f->size))
				fprintf(out, "%s:%s\n", f->name,
					mpt_field_text(f, c->info, c->info_len, v, sizeof v));
		}
	}
	fprintf(out, "num_subflows:%u\n", c->num_subflows);
	for (unsigned i = 0; i < c->nsf; i++)
		text_subflow(&c->sf[i], i, out);
}

/* ---- JSON ---- */

static void json_flags(struct json *j, const char *key, uint32_t flags,
		       const char *const *names, size_t nnames)
{
	char v[300], *p = v;

	mpt_flag_names(flags, names, nnames, v, sizeof v);
	json_begin_array(j, key);
	while (*p) {
		size_t n = strcspn(p, ",");
		char one[40];

		snprintf(one, sizeof one, "%.*s", (int)n, p);
		json_string(j, NULL, one);
		p += n + (p[n] == ',');
	}
	json_end_array(j);
}

/* A field as its kind wants it, null where the reply stops short. */
static void json_field(struct json *j, const struct mpt_field *f, const void *reply,
		       size_t len)
{
	uint64_t v = mpt_field_get(reply, len, f->offset, f->size);
	char buf[40];

	if (!mpt_field_covered(len, f->offset, f->size)) {
		json_null(j, f->name);
		return;
	}
	switch (f->kind) {
	case MPT_SEQ:
	case MPT_TOKEN:
		snprintf(buf, sizeof buf, "%" PRIu64, v);
		json_string(j, f->name, buf);
		break;
	case MPT_STATE:
		json_string(j, f->name, mpt_tcp_state_name((unsigned)v, buf, sizeof buf));
		break;
	case MPT_INFO_FLAGS:
		json_flags(j, f->name, (uint32_t)v, mpt_info_flag_names, mpt_info_nflag_names);
		break;
	default:
		json_uint(j, f->name, v);
	}
}

static void json_fields(struct json *j, const char *key, const struct mpt_field *f,
			size_t n, const void *reply, size_t len)
{
	json_begin_object(j, key);
	for (size_t i = 0; i < n; i++)
		json_field(j, &f[i], reply, len);
	json_end_object(j);
}

static void json_token(struct json *j, const char *key, uint32_t token)
{
	char buf[16];

	snprintf(buf, sizeof buf, "%" PRIu32, token);
	json_string(j, key, buf);
}

static void json_subflow(struct json *j, const struct mpt_subflow *s)
{
	char a[80];

	json_begin_object(j, NULL);
	json_string(j, "local", addr_text(&s->local, a, sizeof a));
	json_string(j, "remote", addr_text(&s->remote, a, sizeof a));
	json_fields(j, "tcp_info", mpt_tcpinfo_fields, mpt_tcpinfo_nfields, s->ti, s->ti_len);
	if (s->have_diag) {
		json_begin_object(j, "mptcp");
		json_flags(j, "flags", s->diag.flags, subflow_flag_names,
			   sizeof subflow_flag_names / sizeof subflow_flag_names[0]);
		json_uint(j, "local_id", s->diag.id_local);
		json_uint(j, "remote_id", s->diag.id_remote);
		json_token(j, "token_local", s->diag.token_local);
		json_token(j, "token_remote", s->diag.token_remote);
		json_end_object(j);
	} else {
		json_null(j, "mptcp");
	}
	json_end_object(j);
}

void mpt_conn_print_json(const struct mpt_conn *c, FILE *out)
{
	struct json j;
	char a[80], v[40];

	json_init_line(&j, out);
	json_begin_object(&j, NULL);
	json_string(&j, "local", addr_text(&c->local, a, sizeof a));
	json_string(&j, "remote", addr_text(&c->remote, a, sizeof a));
	json_string(&j, "state", c->state < 0 ? NULL : state_text(c->state, v, sizeof v));
	json_bool(&j, "fallback", c->fallback);
	if (c->info_len) {
		json_uint(&j, "mptcp_info_size", c->info_len);
		json_fields(&j, "mptcp_info", mpt_info_fields, mpt_info_nfields,
			    c->info, c->info_len);
	} else {
		json_null(&j, "mptcp_info_size");
		json_null(&j, "mptcp_info");
	}
	json_uint(&j, "num_subflows", c->num_subflows);
	json_begin_array(&j, "subflows");
	for (unsigned i = 0; i < c->nsf; i++)
		json_subflow(&j, &c->sf[i]);
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}
