/* prefork-interp: the sockkit-x1 protocol extension (client side).
 *
 * Negotiated, so that both 7.0.0 pairings stay exact: a server that speaks
 * it says so in its greeting's xdata, and only then does the client send
 * anything beyond the 7.0.0 request.  The bytes are in prefork-interp(1),
 * PROTOCOL; the Python server side is sockkit_prefork.py. */
#ifndef SOCKKIT_PFI_EXT_H
#define SOCKKIT_PFI_EXT_H

#include "pfi.h"

/* The capability word: in xdata (server) and in PREFORK_INTERP's third
 * word (the client that starts a server can read xdata). */
#define PFI_EXT_WORD "sockkit-x1"

/* Did the greeting offer sockkit-x1? */
int pfi_ext_offered(const struct pfi_conn *c);

/* A status word "KEY=N" of the greeting (started, calls, last-call):
 * 0 with *value, or -1 when the server did not say. */
int pfi_ext_status(const struct pfi_conn *c, const char *key, long long *value);

/* After the 7.0.0 request, whose first byte was 0x01: the caller's
 * directory and umask, and from now on the forwarded signals.  0, or -1
 * with errno. */
int pfi_ext_send(const struct pfi_conn *c, const struct pfi_caller *caller);

/* Relay signals until the script's status comes, then leave as it left.
 * Only after pfi_ext_send on an offered connection. */
_Noreturn void pfi_ext_finish(const struct pfi_conn *c);

#endif
