#include "nl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

/* Big enough for any single message of the dumps we read (the kernel sizes
 * dump messages to the reader's buffer, up to 32 KiB by default). */
#define NL_RECV_MAX 32768

int nl_open(int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -1;
	/* Older kernels lack these; the answers are then only less detailed. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static struct nlmsghdr *msg_header(struct nl_msg *m)
{
	return (struct nlmsghdr *)(void *)m->buf;
}

/* Room for n more bytes (aligned), zeroed; NULL and the overflow mark when
 * the request would outgrow its buffer. */
static unsigned char *msg_grow(struct nl_msg *m, size_t n)
{
	size_t need = NL_ALIGN(n);
	unsigned char *p;

	if (m->overflow || need > sizeof m->buf - m->len) {
		m->overflow = 1;
		return NULL;
	}
	p = m->buf + m->len;
	memset(p, 0, need);
	m->len += need;
	msg_header(m)->nlmsg_len = (uint32_t)m->len;
	return p;
}

void nl_msg_init(struct nl_msg *m, uint16_t type, uint16_t flags,
		 const void *hdr, size_t hdrlen)
{
	struct nlmsghdr *h = msg_header(m);
	unsigned char *p;

	m->len = 0;
	m->overflow = 0;
	msg_grow(m, NL_HDRLEN);
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	p = msg_grow(m, hdrlen);
	if (p && hdr)
		memcpy(p, hdr, hdrlen);
}

void nl_put(struct nl_msg *m, uint16_t type, const void *data, size_t len)
{
	unsigned char *p = len > 0xffff - NLA_HDRLEN ? NULL : msg_grow(m, NLA_HDRLEN + len);
	struct nlattr a = { (uint16_t)(NLA_HDRLEN + len), type };

	if (!p) {
		m->overflow = 1;
		return;
	}
	memcpy(p, &a, sizeof a);
	if (len)
		memcpy(p + NLA_HDRLEN, data, len);
}

void nl_put_u8(struct nl_msg *m, uint16_t type, uint8_t v) { nl_put(m, type, &v, sizeof v); }
void nl_put_u16(struct nl_msg *m, uint16_t type, uint16_t v) { nl_put(m, type, &v, sizeof v); }
void nl_put_u32(struct nl_msg *m, uint16_t type, uint32_t v) { nl_put(m, type, &v, sizeof v); }

void nl_put_str(struct nl_msg *m, uint16_t type, const char *s)
{
	nl_put(m, type, s, strlen(s) + 1);
}

size_t nl_nest_begin(struct nl_msg *m, uint16_t type)
{
	size_t start = m->len;

	nl_put(m, (uint16_t)(type | NLA_F_NESTED), NULL, 0);
	return start;
}

void nl_nest_end(struct nl_msg *m, size_t start)
{
	struct nlattr a;

	if (m->overflow || m->len - start > 0xffff) {
		m->overflow = 1;
		return;
	}
	memcpy(&a, m->buf + start, sizeof a);
	a.nla_len = (uint16_t)(m->len - start);
	memcpy(m->buf + start, &a, sizeof a);
}

const void *nl_payload(const struct nlmsghdr *h)
{
	return (const unsigned char *)h + NL_HDRLEN;
}

size_t nl_payload_len(const struct nlmsghdr *h)
{
	return h->nlmsg_len > NL_HDRLEN ? h->nlmsg_len - NL_HDRLEN : 0;
}

/* ---- attributes ---- */

int nl_parse_attrs(const void *data, size_t len, const struct nlattr **tb, int max)
{
	const unsigned char *p = data;

	for (int i = 0; i <= max; i++)
		tb[i] = NULL;
	while (len >= NLA_HDRLEN) {
		struct nlattr a;
		int type;

		memcpy(&a, p, sizeof a);
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len) {
			errno = EPROTO;
			return -1;
		}
		type = a.nla_type & NLA_TYPE_MASK;
		if (type <= max)
			tb[type] = (const struct nlattr *)(const void *)p;
		if (NL_ALIGN(a.nla_len) >= len)
			break;
		p += NL_ALIGN(a.nla_len);
		len -= NL_ALIGN(a.nla_len);
	}
	return 0;
}

int nl_parse_msg(const struct nlmsghdr *h, size_t hdrlen,
		 const struct nlattr **tb, int max)
{
	size_t len = nl_payload_len(h);

	if (NL_ALIGN(hdrlen) > len) {
		errno = EPROTO;
		return -1;
	}
	return nl_parse_attrs((const unsigned char *)nl_payload(h) + NL_ALIGN(hdrlen),
			      len - NL_ALIGN(hdrlen), tb, max);
}

const void *nl_attr_data(const struct nlattr *a)
{
	return (const unsigned char *)a + NLA_HDRLEN;
}

size_t nl_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* Copy an integer of size n out of the attribute; 0 when it is shorter. */
static uint64_t attr_uint(const struct nlattr *a, size_t n)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	if (!a || nl_attr_len(a) < n)
		return 0;
	switch (n) {
	case 1: memcpy(&v8, nl_attr_data(a), n); return v8;
	case 2: memcpy(&v16, nl_attr_data(a), n); return v16;
	case 4: memcpy(&v32, nl_attr_data(a), n); return v32;
	default: memcpy(&v64, nl_attr_data(a), n); return v64;
	}
}

uint8_t nl_attr_u8(const struct nlattr *a) { return (uint8_t)attr_uint(a, 1); }
uint16_t nl_attr_u16(const struct nlattr *a) { return (uint16_t)attr_uint(a, 2); }
uint32_t nl_attr_u32(const struct nlattr *a) { return (uint32_t)attr_uint(a, 4); }
uint64_t nl_attr_u64(const struct nlattr *a) { return attr_uint(a, 8); }

const char *nl_attr_str(const struct nlattr *a)
{
	size_t n = a ? nl_attr_len(a) : 0;

	if (n == 0 || ((const char *)nl_attr_data(a))[n - 1] != '\0')
		return NULL;
	return nl_attr_data(a);
}

/* ---- requests and answers ---- */

static int send_request(int fd, struct nl_msg *m, uint32_t *seq)
{
	static uint32_t last_seq;       /* distinct per request, so stale answers are known */
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t r;

	if (m->overflow) {
		errno = EMSGSIZE;
		return -1;
	}
	*seq = ++last_seq;
	msg_header(m)->nlmsg_seq = *seq;
	do
		r = sendto(fd, m->buf, m->len, 0, (struct sockaddr *)&kernel, sizeof kernel);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if ((size_t)r != m->len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* The kernel's error text from an extended ack, if any. */
static void ack_text(const struct nlmsghdr *h, const struct nlmsgerr *e,
		     char *why, size_t whysize)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];
	size_t skip = NL_HDRLEN + sizeof *e;
	const char *text;

	if (!why || !(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		skip += NL_ALIGN(e->msg.nlmsg_len) - NL_HDRLEN;
	if (skip >= h->nlmsg_len ||
	    nl_parse_attrs((const unsigned char *)h + skip, h->nlmsg_len - skip,
			   tb, NLMSGERR_ATTR_MSG) < 0)
		return;
	text = nl_attr_str(tb[NLMSGERR_ATTR_MSG]);
	if (text)
		snprintf(why, whysize, "%s", text);
}

/* One datagram of answers, checked: its length, or -1 with errno. */
static ssize_t recv_answers(int fd, unsigned char *buf, size_t size, int64_t deadline)
{
	for (;;) {
		int r = wait_readable(fd, ms_left(deadline));
		ssize_t n;

		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		n = recv(fd, buf, size, MSG_TRUNC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n > (ssize_t)size) {
			errno = EMSGSIZE;       /* a message we cannot hold whole */
			return -1;
		}
		return n;
	}
}

/* Answers to request seq: each() for the data, until DONE or the ack. */
static int read_answers(int fd, uint32_t seq, int64_t deadline, char *why, size_t whysize,
			int (*each)(const struct nlmsghdr *, void *), void *arg)
{
	_Alignas(8) unsigned char buf[NL_RECV_MAX];

	for (;;) {
		ssize_t n = recv_answers(fd, buf, sizeof buf, deadline);
		size_t off = 0;

		if (n < 0)
			return -1;
		while ((size_t)n - off >= sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *h = (const void *)(buf + off);
			struct nlmsgerr e;

			if (h->nlmsg_len < sizeof *h || h->nlmsg_len > (size_t)n - off) {
				errno = EPROTO;
				return -1;
			}
			off += NL_ALIGN(h->nlmsg_len);
			if (h->nlmsg_seq != seq)
				continue;       /* an answer to an earlier request */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (nl_payload_len(h) < sizeof e) {
					errno = EPROTO;
					return -1;
				}
				memcpy(&e, nl_payload(h), sizeof e);
				if (e.error == 0)
					return 0;
				ack_text(h, &e, why, whysize);
				errno = e.error < 0 ? -e.error : EPROTO;
				return -1;
			}
			if (h->nlmsg_type == NLMSG_NOOP || !each)
				continue;
			int stop = each(h, arg);
			if (stop)
				return stop;
		}
	}
}

int nl_ack(int fd, struct nl_msg *m, int timeout_ms, char *why, size_t whysize)
{
	int64_t deadline = now_ms() + timeout_ms;
	uint32_t seq;

	if (why && whysize)
		why[0] = '\0';
	msg_header(m)->nlmsg_flags |= NLM_F_ACK;
	if (send_request(fd, m, &seq) < 0)
		return -1;
	return read_answers(fd, seq, deadline, why, whysize, NULL, NULL);
}

int nl_dump(int fd, struct nl_msg *m, int timeout_ms,
	    int (*each)(const struct nlmsghdr *h, void *arg), void *arg)
{
	int64_t deadline = now_ms() + timeout_ms;
	uint32_t seq;

	/* A dump ends with DONE; a single answer is followed by the ack. */
	if ((msg_header(m)->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		msg_header(m)->nlmsg_flags |= NLM_F_ACK;
	if (send_request(fd, m, &seq) < 0)
		return -1;
	return read_answers(fd, seq, deadline, NULL, 0, each, arg);
}

/* ---- generic netlink ---- */

static int take_family_id(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[CTRL_ATTR_FAMILY_NAME + 1];

	if (nl_parse_msg(h, sizeof(struct genlmsghdr), tb, CTRL_ATTR_FAMILY_NAME) == 0 &&
	    tb[CTRL_ATTR_FAMILY_ID])
		*(int *)arg = nl_attr_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return 0;
}

int genl_family_id(int fd, const char *name, int timeout_ms)
{
	struct genlmsghdr g = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	struct nl_msg m;
	int id = 0;

	nl_msg_init(&m, GENL_ID_CTRL, 0, &g, sizeof g);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	if (nl_dump(fd, &m, timeout_ms, take_family_id, &id) < 0)
		return -1;
	if (id <= 0) {
		errno = EPROTO;
		return -1;
	}
	return id;
}
