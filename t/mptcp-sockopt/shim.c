/* An LD_PRELOAD shim that feeds mptcp-sockopt wrong kernel answers, to
 * prove each of its checks can fail, or an older kernel's answers.
 * SOCKKIT_SHIM is a comma-separated list of modes (see below): one
 * corruption, and "linux-6.1" to answer as Linux 6.1 does; unset, every
 * call passes through unchanged.  The offsets are those of the kernel
 * structures (applets/mptcp-sockopt/mptcp.h). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SOL_MPTCP 284
#define MPTCP_INFO 1
#define MPTCP_TCPINFO 2
#define MPTCP_SUBFLOW_ADDRS 3
#define MPTCP_FULL_INFO 4
#define TCP_INFO_ 11
#define TCP_ULP_ 31
#define TCP_INQ_ 36
#define TCP_IS_MPTCP_ 43
#define SIOCINQ_ 0x541B
#define SIOCOUTQ_ 0x5411

static const char *mode(void)
{
	const char *m = getenv("SOCKKIT_SHIM");

	return m ? m : "";
}

/* Whether m is one of the listed modes. */
static int is(const char *m)
{
	const char *p = mode();
	size_t n = strlen(m);

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && !memcmp(p, m, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* The libc function a wrapper passes on to.  ISO C has no conversion
 * from dlsym's object pointer to a function pointer; copy the bits. */
#define REAL(fp, name) do { \
		void *sym_ = dlsym(RTLD_NEXT, name); \
		memcpy(&(fp), &sym_, sizeof(fp)); \
	} while (0)

static void add_u64(void *p, uint64_t n)
{
	uint64_t v;

	memcpy(&v, p, 8);
	v += n;
	memcpy(p, &v, 8);
}

static void add_u32(void *p, uint32_t n)
{
	uint32_t v;

	memcpy(&v, p, 4);
	v += n;
	memcpy(p, &v, 4);
}

static uint32_t u32_at(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int is_listener(int fd)
{
	int (*real)(int, int, int, void *, socklen_t *);
	int on = 0;
	socklen_t len = sizeof on;

	REAL(real, "getsockopt");

	return real(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on;
}

/* Corruptions that replace the call: 1 with *ret set, or 0. */
static int replace_get(int fd, int level, int name, void *val, socklen_t *len, int *ret)
{
	unsigned char *b = val;

	/* Linux 6.1 has neither MPTCP_FULL_INFO (6.5) nor TCP_IS_MPTCP (6.10):
	 * both are unknown options there. */
	if (is("linux-6.1") && ((level == SOL_MPTCP && name == MPTCP_FULL_INFO) ||
				(level == IPPROTO_TCP && name == TCP_IS_MPTCP_))) {
		errno = EOPNOTSUPP;
		return *ret = -1, 1;
	}
	if (level == SOL_MPTCP && name == 99 && is("unknown_opt"))
		return *ret = 0, 1;
	/* A kernel that takes len -1 as 1.  The answer says so (len 1, one
	 * byte written): a sanitizer checks the range the answer names. */
	if (level == SOL_IP && name == IP_TOS && (int)*len == -1 && is("tosneg")) {
		*len = 1;
		b[0] = 0;
		return *ret = 0, 1;
	}
	if (level == SOL_MPTCP && (name == MPTCP_TCPINFO || name == MPTCP_SUBFLOW_ADDRS) &&
	    *len >= 4 && u32_at(b) == 0 &&
	    is(name == MPTCP_TCPINFO ? "tcpinfo_bogus" : "addrs_bogus"))
		return *ret = 0, 1;
	if (level == SOL_MPTCP && name == MPTCP_FULL_INFO && *len == 8 && is("full_bogus"))
		return *ret = 0, 1;
	if (level == SOL_MPTCP && name == MPTCP_INFO && is("listener") && is_listener(fd)) {
		errno = EINVAL;
		return *ret = -1, 1;
	}
	return 0;
}

/* ---- answering as Linux 6.1 ---- */

#define SAVE_MAX 16384
#define TCP_INFO_61 232         /* tcp_info ends at tcpi_snd_wnd there */
#define MPTCP_INFO_61 48        /* mptcp_info ends at csum_enabled */

/* A reply cut to `size`: the bytes past it become what the caller had
 * there, as a kernel that writes less would leave them. */
static void cut_reply(unsigned char *b, socklen_t *len, socklen_t size, const unsigned char *saved)
{
	if (*len <= size)
		return;
	memcpy(b + size, saved + size, *len - size);
	*len = size;
}

/* MPTCP_TCPINFO with 232-byte elements, packed 232 bytes apart, as many
 * as fit the caller's room, by the kernel's rules. */
static void tcpinfo_as_61(int fd, unsigned char *b, socklen_t *len, socklen_t in_len,
			  const unsigned char *saved,
			  int (*real)(int, int, int, void *, socklen_t *))
{
	static unsigned char all[16 + 16 * 512];
	uint32_t hdr[4], want[4] = { 16, 0, 0, 512 };
	uint32_t sd = u32_at(saved), asked = u32_at(saved + 12), su, copied = 0, room;
	socklen_t alen = sizeof all;

	memset(all, 0, sizeof all);
	memcpy(all, want, sizeof want);
	if (real(fd, SOL_MPTCP, MPTCP_TCPINFO, all, &alen) < 0)
		return;
	memcpy(hdr, all, sizeof hdr);
	su = asked < TCP_INFO_61 ? asked : TCP_INFO_61;
	room = in_len > sd ? in_len - sd : 0;
	memcpy(b, saved, in_len);
	for (uint32_t i = 0; i < hdr[1] && room && room >= su; i++) {
		memcpy(b + sd + copied, all + 16 + i * hdr[3], su);
		copied += su;
		room -= su;
	}
	hdr[0] = sd;
	hdr[2] = TCP_INFO_61;
	hdr[3] = su;
	memcpy(b, hdr, sd < 16 ? sd : 16);
	*len = copied ? sd + copied : (sd < 16 ? sd : 16);
}

static void answer_as_61(int fd, int level, int name, void *val, socklen_t *len,
			 socklen_t in_len, const unsigned char *saved,
			 int (*real)(int, int, int, void *, socklen_t *))
{
	if (level == SOL_MPTCP && name == MPTCP_INFO)
		cut_reply(val, len, MPTCP_INFO_61, saved);
	else if (level == IPPROTO_TCP && name == TCP_INFO_)
		cut_reply(val, len, TCP_INFO_61, saved);
	else if (level == SOL_MPTCP && name == MPTCP_TCPINFO && in_len >= 16)
		tcpinfo_as_61(fd, val, len, in_len, saved, real);
}

/* ---- corruptions of a successful answer ---- */

/* A subflow-data reply's elements: the caller's header size, the element
 * size and how many were written. */
static uint32_t elements(const unsigned char *b, socklen_t len, uint32_t *sd, uint32_t *su)
{
	*sd = u32_at(b);
	*su = u32_at(b + 12);
	return *su && len > *sd ? (len - *sd) / *su : 0;
}

static void corrupt_subflows(int name, unsigned char *b, socklen_t in_len, socklen_t *len)
{
	uint32_t sd, su, n = elements(b, *len, &sd, &su);

	if (name == MPTCP_TCPINFO && u32_at(b + 12) >= 208 && is("tcpinfo"))
		add_u64(b + 16 + 200, 1);
	if (name == MPTCP_SUBFLOW_ADDRS && u32_at(b + 12) >= 4 && is("addrs"))
		b[16 + 2] ^= 1;
	/* The one-byte element after a 17-byte header left unwritten. */
	if (*len == 18 && u32_at(b) == 17 && is("odd_element"))
		b[17] = 0;
	if (name == MPTCP_SUBFLOW_ADDRS && su == 2 && is("addrs_family"))
		memset(b + 16, 0, 2);
	/* The elements packed 8 bytes further apart than size_user says, the
	 * gaps left as the caller had them (zeros). */
	if (n >= 2 && su > 2 && sd + n * (su + 8) <= in_len && is("stride"))
		for (uint32_t i = n - 1; i >= 1; i--) {
			memmove(b + sd + i * (su + 8), b + sd + i * su, su);
			memset(b + sd + i * (su + 8) - 8, 0, 8);
		}
	/* A byte written past what optlen owns up to. */
	if (n >= 1 && *len < in_len && is("room"))
		b[*len] ^= 0x5a;
	if (name == MPTCP_TCPINFO && su >= 136 && is("sf_bytes"))
		for (uint32_t i = 0; i < n; i++)
			memset(b + sd + i * su + 128, 0, 8);
}

static void corrupt_get(int level, int name, void *val, socklen_t in_len, socklen_t *len)
{
	static uint64_t calls;
	unsigned char *b = val;

	if (level == SOL_SOCKET && name == SO_PROTOCOL && is("so_protocol"))
		*(int *)val = IPPROTO_TCP;
	if (level == IPPROTO_TCP && name == TCP_IS_MPTCP_ && is("is_mptcp"))
		*(int *)val = 0;
	if (level == IPPROTO_TCP && name == TCP_ULP_ && is("ulp_read"))
		memcpy(val, "tls", 4);
	if (level == SOL_IP && name == IP_TOS && in_len == 1 && is("tos1"))
		b[0] ^= 0x04;
	if (level == SOL_IP && name == IP_TOS && in_len == 0 && is("tos0"))
		*len = 1;
	if (level != SOL_MPTCP)
		return;
	if (name == MPTCP_INFO) {
		calls++;
		if (in_len == 40 && is("info_size"))
			*len = 48;
		if (*len >= 24 && is("info_wseq"))
			add_u64(b + 16, calls);
		if (*len >= 40 && is("info_rnxt"))
			add_u64(b + 32, calls);
		if (*len >= 64 && is("info_bytes"))
			add_u64(b + 56, 1);
		if (*len >= 1 && is("info_subflows"))
			b[0]++;
	}
	if (name == MPTCP_TCPINFO || name == MPTCP_SUBFLOW_ADDRS)
		corrupt_subflows(name, b, in_len, len);
	if (name == MPTCP_FULL_INFO && is("full_info")) {
		uint64_t p;

		memcpy(&p, b + 24, 8);
		add_u32((void *)(uintptr_t)p, 6);
	}
	/* Two subflows with one id. */
	if (name == MPTCP_FULL_INFO && u32_at(b + 16) >= 2 && is("full_ids")) {
		uint64_t p;
		uint32_t stride = u32_at(b + 12), id;

		memcpy(&p, b + 24, 8);
		memcpy(&id, (void *)(uintptr_t)p, 4);
		memcpy((unsigned char *)(uintptr_t)p + stride, &id, 4);
	}
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	static unsigned char saved[SAVE_MAX];
	int (*real)(int, int, int, void *, socklen_t *);
	socklen_t in_len = *len;
	int ret, save = val && in_len <= SAVE_MAX;

	REAL(real, "getsockopt");

	if (replace_get(fd, level, name, val, len, &ret))
		return ret;
	if (save)
		memcpy(saved, val, in_len);
	ret = real(fd, level, name, val, len);
	if (ret == 0 && save && is("linux-6.1"))
		answer_as_61(fd, level, name, val, len, in_len, saved, real);
	if (ret == 0)
		corrupt_get(level, name, val, in_len, len);
	return ret;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int (*real)(int, int, int, const void *, socklen_t);

	REAL(real, "setsockopt");
	if (level == IPPROTO_TCP && name == TCP_ULP_ && is("ulp_tls"))
		return 0;
	return real(fd, level, name, val, len);
}

#ifdef __GLIBC__
typedef unsigned long ioctl_req;
#else
typedef int ioctl_req;
#endif

int ioctl(int fd, ioctl_req req, ...)
{
	int (*real)(int, ioctl_req, ...);
	va_list ap;
	void *arg;
	int ret;

	REAL(real, "ioctl");

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	/* The client has written its message: it stops itself there, as a
	 * SIGSTOP from outside would stop it (the server at its echo). */
	if (req == SIOCOUTQ_ && is("stop"))
		raise(SIGSTOP);
	ret = real(fd, req, arg);
	if (ret == 0 && req == SIOCOUTQ_ && is("outq"))
		*(int *)arg += 100000;
	if (ret == 0 && req == SIOCINQ_ && is("fionread"))
		*(int *)arg += 1;
	return ret;
}

/* A test waits for a hung process on the fifo SOCKKIT_SHIM_READY names:
 * a line there says it hangs now (an event, not a guess at the time). */
static void say_ready(void)
{
	const char *path = getenv("SOCKKIT_SHIM_READY");
	int fd;

	if (!path || (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return;
	if (write(fd, "hung\n", 5) < 0) {
		/* the test then times out waiting, and says so */
	}
	close(fd);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	ssize_t (*real)(int, const void *, size_t, int);
	unsigned char copy[65536];

	REAL(real, "send");
	/* The server's echo: a process that hangs, or dies, right there. */
	if (is("hang")) {
		say_ready();
		sleep(60);
	}
	if (is("crash"))
		raise(SIGKILL);
	if (is("stop"))
		raise(SIGSTOP);
	if (is("echo") && n > 0 && n <= sizeof copy) {
		memcpy(copy, buf, n);
		copy[0] ^= 0x20;
		return real(fd, copy, n, flags);
	}
	return real(fd, buf, n, flags);
}

ssize_t recvmsg(int fd, struct msghdr *mh, int flags)
{
	ssize_t (*real)(int, struct msghdr *, int);
	ssize_t ret;

	REAL(real, "recvmsg");
	ret = real(fd, mh, flags);
	if (ret >= 0 && is("tcp_inq")) {
		for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
			if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_INQ_)
				add_u32(CMSG_DATA(c), 1);
	}
	return ret;
}
