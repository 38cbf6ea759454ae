/* SHA-256 against the FIPS 180-4 example vectors. */
#include <string.h>

#include "sha256.h"
#include "tap.h"

static void check(const char *msg, size_t repeat, const char *want, const char *name)
{
	struct sha256 s;
	unsigned char d[32];
	char hex[65];

	sha256_init(&s);
	for (size_t i = 0; i < repeat; i++)
		sha256_update(&s, msg, strlen(msg));
	sha256_final(&s, d);
	sha256_hex(d, hex);
	tap_is_str(hex, want, name);
}

/* Feeding the same bytes in odd-sized pieces must not change the digest. */
static void check_pieces(void)
{
	static const char msg[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	struct sha256 s;
	unsigned char d[32];
	char hex[65];

	sha256_init(&s);
	for (size_t i = 0, step = 1; i < sizeof msg - 1; i += step, step = step % 7 + 1)
		sha256_update(&s, msg + i, i + step > sizeof msg - 1 ? sizeof msg - 1 - i : step);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	tap_is_str(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
		   "896-bit message fed in pieces");
}

int main(void)
{
	check("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	      "FIPS 180-4 one block: abc");
	check("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	      "empty message");
	check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	      "FIPS 180-4 two blocks: 448 bits");
	check("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	      "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	      "896-bit message");
	check("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	      "one million a");
	check("0123456701234567012345670123456701234567012345670123456701234567", 1,
	      "8182cadb21af0e37c06414ece08e19c65bdb22c396d48ba7341012eea9ffdfdd",
	      "exactly one 64-byte block");
	check("0123456701234567012345670123456701234567012345670123456", 1,
	      "6c8b1d86d0460e5cf48cacad0b844dc52b91967791d15fc7a90bb1cc3bc20879",
	      "55 bytes: padding fits the block");
	check("01234567012345670123456701234567012345670123456701234567", 1,
	      "0cb5334657776890d96b6b53e706e77df142e3b23357273d96f91f61c8b89636",
	      "56 bytes: the length spills into a second block");
	check_pieces();
	return tap_done();
}
