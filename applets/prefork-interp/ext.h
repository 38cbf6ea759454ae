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

/* The request's first byte: 0x00 for 7.0.0, 0x01 when sockkit-x1 follows. */
unsigned char pfi_ext_signalling_byte(const struct pfi_conn *c);

/* After the 7.0.0 request: the caller's directory and umask, and from now
 * on the forwarded signals.  Does nothing unless offered. */
void pfi_ext_send(const struct pfi_conn *c);

/* Relay signals until the script's status comes, then leave as it left.
 * Only after pfi_ext_send on an offered connection. */
_Noreturn void pfi_ext_finish(const struct pfi_conn *c);

#endif
