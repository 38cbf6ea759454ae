/* The client side of a conformance run.
 *
 * The sides take turns over a control socketpair, so each sample is taken
 * at a moment when the counters cannot be moving:
 *   server: accept, sample, send 'x'          client: connect, sample
 *   client: wait 'x', send the length, write the message
 *   server: wait until FIONREAD shows it all, read it, echo it
 *   client: read the echo, sample, close      server: read EOF, sample
 * Every wait ends by run->deadline_ms. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conform.h"
#include "io.h"
#include "net.h"

/* One subflow carries a message of 128 to 4095 bytes; several get one of
 * 60 to 64 KiB, more than one subflow's first window, so that the kernel
 * spreads it (which subflows carry what is the kernel's choice). */
static uint32_t message_length(struct mpt_side *st)
{
	uint32_t lo = st->run->subflows > 1 ? 61440 : 128;
	uint32_t hi = st->run->subflows > 1 ? 65535 : 4095;

	return lo + mpt_random(&st->rng) % (hi - lo + 1);
}

/* Read exactly n bytes; a message saying what was awaited otherwise. */
static int ctl_recv(const struct mpt_side *st, int ctl, void *buf, size_t n,
		    const char *what, enum mpt_check blame)
{
	ssize_t got = read_full(ctl, buf, n, ms_left(st->run->deadline_ms));

	if (got == (ssize_t)n)
		return 0;
	if (got < 0 && errno == ETIMEDOUT)
		mpt_stop(st, blame, "timed out waiting for %s", what);
	else if (got < 0)
		mpt_stop(st, blame, "waiting for %s: %s", what, strerror(errno));
	else
		mpt_stop(st, blame, "the peer process ended before %s", what);
	return -1;
}

static int read_echo(struct mpt_side *st, int fd, const unsigned char *msg,
		     unsigned char *echo, uint32_t len)
{
	ssize_t got = read_full(fd, echo, len, ms_left(st->run->deadline_ms));

	if (got != (ssize_t)len) {
		if (got < 0)
			mpt_stop(st, MPT_C_ECHO, "reading the echo: %s", strerror(errno));
		else
			mpt_stop(st, MPT_C_ECHO, "echo length: expected %u, got %zd (EOF)",
				 len, got);
		return -1;
	}
	for (uint32_t i = 0; i < len; i++) {
		if (msg[i] != echo[i]) {
			mpt_fail(MPT_C_ECHO, "echo byte %u of %u: expected 0x%02x, got 0x%02x",
				 i, len, msg[i], echo[i]);
			break;
		}
	}
	mpt_pass(MPT_C_ECHO);
	return 0;
}

static void client_transfer(struct mpt_side *st, int fd, int ctl,
			    unsigned char *msg, unsigned char *echo)
{
	uint32_t len = message_length(st);
	unsigned char lenbuf[4], go;
	struct mpt_expect ex = { 0, 0, 0, 0 };

	for (uint32_t i = 0; i < len; i++)
		msg[i] = (unsigned char)('A' + mpt_random(&st->rng) % 26);
	mpt_sample_all(st, fd, &ex);

	mpt_reach(st, MPT_TRANSFER);
	if (ctl_recv(st, ctl, &go, 1, "the server's go-ahead", MPT_C_ECHO) < 0)
		return;
	put_be32(lenbuf, len);
	if (write_all(ctl, lenbuf, sizeof lenbuf) < 0 || write_all(fd, msg, len) < 0) {
		mpt_stop(st, MPT_C_ECHO, "sending %u bytes: %s", len, strerror(errno));
		return;
	}
	mpt_verbose(st, "wrote %u bytes", len);
	mpt_check_outq(fd, len, 0, "after the write");
	if (read_echo(st, fd, msg, echo, len) < 0)
		return;
	mpt_reach(st, MPT_END);
	mpt_check_outq(fd, len, 1, "after the echo");

	ex.written = ex.read = len;
	ex.after = 1;
	mpt_sample_all(st, fd, &ex);
	if (st->run->subflows > 1)
		mpt_share_links(st);
}

static const struct mpt_side_ids client_ids = MPT_SIDE_IDS(C);

int mpt_client(const struct mpt_run *run, int ctl)
{
	struct mpt_side *st = xcalloc(1, sizeof *st);
	unsigned char *msg = xmalloc(65536), *echo = xmalloc(65536);
	int fd = run->client_fd;
	char peer[80];

	st->run = run;
	st->side = MPT_CLIENT;
	st->who = "client";
	st->ids = &client_ids;
	st->rng = run->seed;
	if (net_connect(fd, (const struct sockaddr *)&run->addr, run->addrlen,
			ms_left(run->deadline_ms)) < 0) {
		mpt_setup_failed(st, "connecting to %s: %s",
				 mpt_addr_text(&run->addr, peer, sizeof peer), strerror(errno));
		return 1;
	}
	if (mpt_await_subflows(st, fd, run->client_events) < 0)
		return 1;
	mpt_reach(st, MPT_OPEN);
	mpt_client_options(st, fd);
	client_transfer(st, fd, ctl, msg, echo);
	mpt_full_info_bogus(fd, MPT_C_FULL_INFO_BOGUS);
	close(fd);
	free(msg);
	free(echo);
	free(st);
	return 0;
}
