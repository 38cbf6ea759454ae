/* SHA-256 (FIPS 180-4). */
#ifndef SOCKKIT_PFI_SHA256_H
#define SOCKKIT_PFI_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t length;        /* bytes hashed so far */
	unsigned char block[64];
	size_t used;            /* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, unsigned char digest[32]);
/* Lowercase hex of a digest: 64 characters and a NUL. */
void sha256_hex(const unsigned char digest[32], char hex[65]);

#endif
