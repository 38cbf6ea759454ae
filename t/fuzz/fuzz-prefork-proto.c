/* libFuzzer harness: what a prefork server sends the client, read by the
 * client's own code from one end of a socketpair: the greeting ("PFI\n",
 * u32 length, xdata: pfi_read_greeting), the sockkit-x1 offer in xdata
 * (pfi_ext_offered), then the call's end (pfi_finish): a 7.0.0 u32 wait
 * status, or sockkit-x1's 5-byte records.
 *
 * The input is the whole stream; the harness writes it and shuts its end,
 * so every read ends in data or EOF, never a timeout.  The client leaves by
 * exit() (the exit trap) or by re-raising the script's signal: this harness
 * links with -Wl,--wrap=raise, and a raise while the trap is armed becomes
 * an exit (a stop, from a 'T' record, just returns, as after SIGCONT). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "ext.h"
#include "fuzz-common.h"
#include "io.h"
#include "pfi.h"

int __real_raise(int sig);
int __wrap_raise(int sig);

int __wrap_raise(int sig)
{
	if (!exit_trap)
		return __real_raise(sig);
	if (sig == SIGTSTP)
		return 0;
	exit(128 + sig);
}

/* pfi_exit_like resets these before raising; the fuzzer keeps its own. */
static const int touched[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGTSTP };
#define NTOUCHED (sizeof touched / sizeof touched[0])

/* The input, as much as the socket takes at once (a server's greeting is
 * small; the rest is bounded by the socket buffer, never a blocked write). */
static int feed(const uint8_t *data, size_t size, size_t *fed)
{
	int sv[2];
	ssize_t n = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (size)
		n = send(sv[1], data, size, MSG_NOSIGNAL);
	*fed = n > 0 ? (size_t)n : 0;
	close(sv[1]);
	return sv[0];
}

static void check_greeting(const struct pfi_conn *c, enum pfi_greeting g,
			   const uint8_t *data, size_t fed)
{
	int whole = fed >= 8 && !memcmp(data, "PFI\n", 4) &&
		    get_be32(data + 4) <= (1u << 20) && fed - 8 >= get_be32(data + 4);

	if (g == PFI_GREETING_SILENT)
		abort();        /* EOF is never silence */
	if ((g == PFI_GREETED) != whole)
		abort();
	if (g == PFI_GREETED && (c->xdata_len != get_be32(data + 4) ||
				 (c->xdata_len && memcmp(c->xdata, data + 8, c->xdata_len))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pfi_conn c;       /* static: setjmp may not keep a local */
	struct sigaction saved[NTOUCHED];
	enum pfi_greeting g;
	size_t fed;
	jmp_buf back;

	err_prog = "prefork-interp";
	memset(&c, 0, sizeof c);
	c.fd = feed(data, size, &fed);
	for (size_t i = 0; i < NTOUCHED; i++)
		sigaction(touched[i], NULL, &saved[i]);
	if (setjmp(back) == 0) {
		exit_trap = &back;
		g = pfi_read_greeting(&c, 1000, "fuzz");
		exit_trap = NULL;
		check_greeting(&c, g, data, fed);
		if (g == PFI_GREETED) {
			(void)pfi_ext_offered(&c);
			exit_trap = &back;
			pfi_finish(&c);         /* leaves by exit or raise */
		}
	}
	exit_trap = NULL;
	for (size_t i = 0; i < NTOUCHED; i++)
		sigaction(touched[i], &saved[i], NULL);
	close(c.fd);
	free(c.xdata);
	return 0;
}
