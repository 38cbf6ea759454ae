/* Report mode: connect with MPTCP and describe what was negotiated, in the
 * manner of `ss -Mi` (key:value) or as JSON; and the one-connection
 * listener the tests point it at. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "json.h"
#include "mptcp.h"
#include "net.h"
#include "report.h"
#include "session.h"

#define MAX_SUBFLOWS 8

struct subflow {
	struct sockaddr_storage local, remote;
	unsigned char ti[TI_BUF];
	size_t ti_len;
};

struct report {
	int fallback;
	unsigned char info[MI_BUF];
	size_t info_len;                /* 0: no MPTCP_INFO (fallback) */
	struct subflow sf[MAX_SUBFLOWS];
	unsigned nsf;
};

/* Fallback to TCP: TCP_IS_MPTCP reads 0 (6.10+); before that, MPTCP_INFO
 * is refused after fallback, or its flags say so. */
static void read_mptcp_state(int fd, struct report *r)
{
	socklen_t len = sizeof r->info;
	int is_mptcp = -1;
	socklen_t ilen = sizeof is_mptcp;

	if (getsockopt(fd, SOL_MPTCP, MPTCP_INFO, r->info, &len) == 0) {
		r->info_len = len;
		r->fallback = (field_get(r->info, len, MI_OFF_FLAGS, 4) &
			       MPTCP_INFO_FLAG_FALLBACK) != 0;
	} else if (errno == EOPNOTSUPP || errno == ENOPROTOOPT) {
		r->fallback = 1;
	} else {
		die_errno("getsockopt MPTCP_INFO");
	}
	if (getsockopt(fd, SOL_TCP, SK_TCP_IS_MPTCP, &is_mptcp, &ilen) == 0 && is_mptcp == 0)
		r->fallback = 1;
	if (r->fallback)
		r->info_len = 0;
}

/* The subflows of an MPTCP connection: their tcp_info and addresses. */
static void read_subflows(int fd, struct report *r)
{
	static struct {
		struct mptcp_subflow_data d;
		unsigned char ti[MAX_SUBFLOWS][TI_BUF];
	} tireq;
	static struct {
		struct mptcp_subflow_data d;
		struct mptcp_subflow_addrs a[MAX_SUBFLOWS];
	} areq;
	socklen_t len;

	memset(&tireq, 0, sizeof tireq);
	tireq.d.size_subflow_data = sizeof tireq.d;
	tireq.d.size_user = TI_BUF;
	len = sizeof tireq;
	if (getsockopt(fd, SOL_MPTCP, MPTCP_TCPINFO, &tireq, &len) < 0)
		die_errno("getsockopt MPTCP_TCPINFO");
	memset(&areq, 0, sizeof areq);
	areq.d.size_subflow_data = sizeof areq.d;
	areq.d.size_user = sizeof areq.a[0];
	len = sizeof areq;
	if (getsockopt(fd, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, &areq, &len) < 0)
		die_errno("getsockopt MPTCP_SUBFLOW_ADDRS");
	r->nsf = tireq.d.num_subflows < areq.d.num_subflows ? tireq.d.num_subflows
							    : areq.d.num_subflows;
	if (r->nsf > MAX_SUBFLOWS)
		r->nsf = MAX_SUBFLOWS;
	for (unsigned i = 0; i < r->nsf; i++) {
		r->sf[i].ti_len = tireq.d.size_user < TI_BUF ? tireq.d.size_user : TI_BUF;
		memcpy(r->sf[i].ti, tireq.ti[i], r->sf[i].ti_len);
		r->sf[i].local = areq.a[i].local;
		r->sf[i].remote = areq.a[i].remote;
	}
}

/* After fallback the socket is one plain TCP connection. */
static void read_tcp(int fd, struct report *r)
{
	struct subflow *s = &r->sf[0];
	socklen_t len = sizeof s->ti, alen;

	memset(s, 0, sizeof *s);
	if (getsockopt(fd, SOL_TCP, SK_TCP_INFO, s->ti, &len) < 0)
		die_errno("getsockopt TCP_INFO");
	s->ti_len = len;
	alen = sizeof s->local;
	getsockname(fd, (struct sockaddr *)&s->local, &alen);
	alen = sizeof s->remote;
	getpeername(fd, (struct sockaddr *)&s->remote, &alen);
	r->nsf = 1;
}

static const char *text_of(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	return sockaddr_text((const struct sockaddr *)ss, 1, buf, size);
}

static void print_text(const struct report *r, const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote)
{
	char a[80];

	printf("local:%s\n", text_of(local, a, sizeof a));
	printf("remote:%s\n", text_of(remote, a, sizeof a));
	printf("fallback:%s\n", r->fallback ? "yes" : "no");
	if (r->info_len) {
		printf("mptcp_info_size:%zu\n", r->info_len);
		for (size_t i = 0; i < mptcp_info_nfields; i++) {
			const struct field *f = &mptcp_info_fields[i];

			if (field_covered(r->info_len, f->offset, f->size))
				printf("%s:%llu\n", f->name, (unsigned long long)
				       field_get(r->info, r->info_len, f->offset, f->size));
		}
	}
	printf("subflow_count:%u\n", r->nsf);
	for (unsigned i = 0; i < r->nsf; i++) {
		const struct subflow *s = &r->sf[i];

		printf("subflow:%u local:%s", i, text_of(&s->local, a, sizeof a));
		printf(" remote:%s ", text_of(&s->remote, a, sizeof a));
		print_fields(stdout, ":", tcp_info_fields, tcp_info_nfields, s->ti, s->ti_len);
		putchar('\n');
	}
}

static void json_fields(struct json *j, const char *key, const struct field *f,
			size_t n, const void *reply, size_t len)
{
	json_begin_object(j, key);
	for (size_t i = 0; i < n; i++)
		if (field_covered(len, f[i].offset, f[i].size))
			json_uint(j, f[i].name, field_get(reply, len, f[i].offset, f[i].size));
	json_end_object(j);
}

static void print_json(const struct report *r, const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote)
{
	struct json j;
	char a[80];

	json_init(&j, stdout);
	json_begin_object(&j, NULL);
	json_string(&j, "local", text_of(local, a, sizeof a));
	json_string(&j, "remote", text_of(remote, a, sizeof a));
	json_bool(&j, "fallback", r->fallback);
	if (r->info_len) {
		json_uint(&j, "mptcp_info_size", r->info_len);
		json_fields(&j, "mptcp_info", mptcp_info_fields, mptcp_info_nfields,
			    r->info, r->info_len);
	} else {
		json_null(&j, "mptcp_info");
	}
	json_begin_array(&j, "subflows");
	for (unsigned i = 0; i < r->nsf; i++) {
		const struct subflow *s = &r->sf[i];

		json_begin_object(&j, NULL);
		json_string(&j, "local", text_of(&s->local, a, sizeof a));
		json_string(&j, "remote", text_of(&s->remote, a, sizeof a));
		json_fields(&j, "tcp_info", tcp_info_fields, tcp_info_nfields, s->ti, s->ti_len);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
}

_Noreturn void die_mptcp_unavailable(int errnum)
{
	die_code(EXIT_SKIP, "MPTCP is unavailable (socket: %s); "
		 "is net.mptcp.enabled 0 or the kernel built without MPTCP?", strerror(errnum));
}

int report_mode(const char *host, unsigned port, int family, int timeout_s, int json)
{
	static struct report r;
	struct sockaddr_storage peer, local, remote;
	socklen_t plen, alen;
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	int fd, gai;

	gai = parse_numeric_addr(host, family, port, &peer, &plen);
	if (gai)
		die_usage("%s: not a numeric %saddress", host, family == AF_INET ? "IPv4 "
			  : family == AF_INET6 ? "IPv6 " : "");
	fd = socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_MPTCP);
	if (fd < 0) {
		if (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT)
			die_mptcp_unavailable(errno);
		die_errno("socket");
	}
	if (connect_bounded(fd, (struct sockaddr *)&peer, plen, deadline) < 0)
		die_errno("connect to %s port %u", host, port);
	memset(&r, 0, sizeof r);
	read_mptcp_state(fd, &r);
	if (r.fallback)
		read_tcp(fd, &r);
	else
		read_subflows(fd, &r);
	alen = sizeof local;
	getsockname(fd, (struct sockaddr *)&local, &alen);
	alen = sizeof remote;
	getpeername(fd, (struct sockaddr *)&remote, &alen);
	if (json)
		print_json(&r, &local, &remote);
	else
		print_text(&r, &local, &remote);
	close(fd);
	return EXIT_OK;
}

/* Serve one connection: accept it and hold it until the peer closes. */
int listen_mode(int family, unsigned port, int plain_tcp, int timeout_s)
{
	const char *host = family == AF_INET6 ? "::1" : "127.0.0.1";
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[4096];
	int fd, c, one = 1;
	ssize_t n;

	if (parse_numeric_addr(host, family, port, &ss, &len))
		die("cannot parse %s", host);
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, plain_tcp ? IPPROTO_TCP : IPPROTO_MPTCP);
	if (fd < 0) {
		if (!plain_tcp && (errno == ENOPROTOOPT || errno == EPROTONOSUPPORT))
			die_mptcp_unavailable(errno);
		die_errno("socket");
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die_errno("bind %s port %u", host, port);
	len = sizeof ss;
	if (listen(fd, 1) < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die_errno("listen");
	printf("port:%u\n", sockaddr_port((struct sockaddr *)&ss));
	if (fflush(stdout) == EOF)
		die_errno("stdout");
	if (wait_readable(fd, ms_left(deadline)) <= 0)
		die("no connection within %d s", timeout_s);
	c = accept(fd, NULL, NULL);
	if (c < 0)
		die_errno("accept");
	close(fd);
	/* Hold the connection until the peer closes it, by the deadline. */
	for (;;) {
		int r = wait_readable(c, ms_left(deadline));

		if (r <= 0)
			die("the peer did not close within %d s", timeout_s);
		n = read(c, buf, sizeof buf);
		if (n <= 0)
			break;
	}
	close(c);
	return EXIT_OK;
}
