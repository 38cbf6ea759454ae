/* The -j document: one table's settings and, per pair, the two addresses,
 * every step's result (errno name and number) and every probe's letter with
 * its meaning.  Also the names of the errno values a socket test can meet. */
#include <errno.h>
#include <string.h>

#include "bindtest.h"

/* strerrorname_np() is glibc-only; these are the errors socket(), bind(),
 * listen(), setsockopt(), sendto() and connect() report.  A table, not a
 * switch: the compiler made that a jump table as long as the largest
 * errno. */
#define ERRNO_NAME(e) { e, #e }
static const struct {
	short err;
	char name[16];
} errno_names[] = {
	ERRNO_NAME(EADDRINUSE), ERRNO_NAME(EADDRNOTAVAIL), ERRNO_NAME(EINVAL),
	ERRNO_NAME(EAFNOSUPPORT), ERRNO_NAME(EPROTONOSUPPORT), ERRNO_NAME(ESOCKTNOSUPPORT),
	ERRNO_NAME(EOPNOTSUPP), ERRNO_NAME(ENOPROTOOPT), ERRNO_NAME(EACCES), ERRNO_NAME(EPERM),
	ERRNO_NAME(ENETUNREACH), ERRNO_NAME(EHOSTUNREACH), ERRNO_NAME(ECONNREFUSED),
	ERRNO_NAME(ETIMEDOUT), ERRNO_NAME(EISCONN), ERRNO_NAME(EMSGSIZE),
	ERRNO_NAME(EDESTADDRREQ), ERRNO_NAME(ENOBUFS), ERRNO_NAME(ENOMEM), ERRNO_NAME(EMFILE),
	ERRNO_NAME(ENFILE), ERRNO_NAME(EBADF), ERRNO_NAME(EINTR), ERRNO_NAME(EAGAIN),
	ERRNO_NAME(ENETDOWN), ERRNO_NAME(ENODEV),
};

const char *bt_errno_name(int err)
{
	for (size_t i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	return NULL;
}

const char *bt_letter_meaning(char letter, int socktype)
{
	int udp = socktype == SOCK_DGRAM;

	switch (letter) {
	case '-': return udp ? "not tried: wild4 or wild6, or no -b" : "not tried";
	case '0': return udp ? "no socket received the datagram"
			     : "no socket accepted the connection";
	case '1': return udp ? "the first socket received the datagram"
			     : "the first socket accepted the connection";
	case '2': return udp ? "the second socket received the datagram"
			     : "the second socket accepted the connection";
	case 'b': return udp ? "both sockets received the datagram"
			     : "both sockets accepted a connection";
	case 'x': return udp ? "sendto failed (or waiting failed)" : "waiting failed";
	case 'c': return "connect failed";
	case 's': return "the probe's socket could not be made";
	case '6': return "IPV6_V6ONLY could not be set on the probe's socket";
	case 'f': return "O_NONBLOCK could not be set on the probe's socket";
	case 'l': return "the delayed listen on the first socket failed";
	case 'L': return "the delayed listen on the second socket failed";
	default: return "unknown";
	}
}

static void json_step(struct json *j, const char *key, const struct bt_step *st)
{
	if (!st->tried) {
		json_null(j, key);
		return;
	}
	json_begin_object(j, key);
	json_bool(j, "ok", st->err == 0);
	if (st->err) {
		json_int(j, "errno", st->err);
		json_string(j, "error", bt_errno_name(st->err));
		json_string(j, "message", strerror(st->err));
	}
	json_end_object(j);
}

static void json_side(struct json *j, const char *key, const struct bt_addr *ad,
		      const struct bt_side *side)
{
	char text[80];

	json_begin_object(j, key);
	json_string(j, "name", ad->name);
	json_string(j, "address", bt_sockaddr_slash((const struct sockaddr *)&ad->ss,
						     ad->len, text, sizeof text));
	json_string(j, "family", ad->family == AF_INET ? "AF_INET" : "AF_INET6");
	json_step(j, "socket", &side->socket);
	json_step(j, "so_reuseaddr", &side->reuseaddr);
	json_step(j, "so_reuseport", &side->reuseport);
	json_step(j, "ipv6_v6only", &side->v6only);
	json_step(j, "bind", &side->bind);
	json_step(j, "listen", &side->listen);
	json_end_object(j);
}

static void json_probe(struct json *j, int socktype, const struct bt_probe *p)
{
	char letter[2] = { p->letter, '\0' };

	json_begin_object(j, NULL);
	json_string(j, "target", p->target);
	json_string(j, "address", p->address[0] ? p->address : NULL);
	json_string(j, "letter", letter);
	json_string(j, "meaning", bt_letter_meaning(p->letter, socktype));
	if (p->failed_step) {
		json_string(j, "failed_step", p->failed_step);
		json_int(j, "errno", p->err);
		json_string(j, "error", bt_errno_name(p->err));
	}
	json_end_object(j);
}

const char *bt_connect_target(const struct bt_config *cfg)
{
	if (cfg->socktype != SOCK_STREAM)
		return NULL;
	if (cfg->connect1st)
		return "1st";
	if (cfg->connect2nd)
		return "2nd";
	if (cfg->have_other4)
		return "other";
	if (cfg->have_other6)
		return "other6";
	return NULL;
}

void bt_json_table(struct json *j, const struct bt_config *cfg, const char *header,
		   const struct bt_addr *addrs, const struct bt_pair *pairs)
{
	json_begin_object(j, NULL);
	json_string(j, "header", header);
	json_string(j, "socktype", cfg->socktype == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
	json_bool(j, "so_reuseaddr", cfg->reuseaddr);
	json_bool(j, "so_reuseport", cfg->reuseport);
	json_bool(j, "v6only", cfg->v6only);
	json_string(j, "connect_to", bt_connect_target(cfg));
	json_bool(j, "delayed_listen", cfg->socktype == SOCK_STREAM && cfg->delayed_listen);
	json_uint(j, "port", cfg->port);
	json_begin_object(j, "sysctl");
	for (size_t i = 0; i < cfg->nsysctl; i++)
		json_string(j, cfg->sysctl[i].name, cfg->sysctl[i].value);
	json_end_object(j);
	json_begin_array(j, "addresses");
	for (int i = 0; i < BT_NADDR; i++)
		json_string(j, NULL, addrs[i].name);
	json_end_array(j);
	json_begin_array(j, "pairs");
	for (int i = 0; i < BT_NADDR * BT_NADDR; i++) {
		const struct bt_pair *p = &pairs[i];

		json_begin_object(j, NULL);
		json_side(j, "first", p->first, &p->side[0]);
		json_side(j, "second", p->second, &p->side[1]);
		json_string(j, "cell", p->cell);
		json_bool(j, "both_bound", p->bound);
		json_begin_array(j, "probes");
		for (int k = 0; k < p->nprobes; k++)
			json_probe(j, cfg->socktype, &p->probe[k]);
		json_end_array(j);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}
