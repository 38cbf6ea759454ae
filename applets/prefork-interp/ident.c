/* The ident: which calls may share one server.
 *
 * SHA-256 over the same kinds of input as chiark-utils' client: the identity
 * of the working directory and of / (so each directory, and each chroot,
 * gets its own server: the script's relative paths keep their meaning), the
 * system (uname), each -E and -G in order, the interpreter with its own
 * arguments, and the script.  Every item is tagged and length-prefixed, so
 * no two different inputs feed the hash the same bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "err.h"
#include "io.h"
#include "sha256.h"
#include "pfi.h"

/* Bumped if the hashed input ever changes meaning. */
static const char ident_magic[] = "sockkit prefork-interp ident 1";

static void hash_bytes(struct sha256 *h, char tag, const void *data, size_t n)
{
	unsigned char head[5];

	head[0] = (unsigned char)tag;
	put_be32(head + 1, (uint32_t)n);
	sha256_update(h, head, sizeof head);
	sha256_update(h, data, n);
}

static void hash_string(struct sha256 *h, char tag, const char *s)
{
	hash_bytes(h, tag, s, strlen(s));
}

static void hash_dir_identity(struct sha256 *h, char tag, const char *path)
{
	struct stat st;
	unsigned char buf[16];

	if (stat(path, &st) < 0)
		die_code(PFI_EXIT_INTERNAL, "stat %s: %s", path, strerror(errno));
	put_be32(buf, (uint32_t)((uint64_t)st.st_dev >> 32));
	put_be32(buf + 4, (uint32_t)st.st_dev);
	put_be32(buf + 8, (uint32_t)((uint64_t)st.st_ino >> 32));
	put_be32(buf + 12, (uint32_t)st.st_ino);
	hash_bytes(h, tag, buf, sizeof buf);
}

static void hash_uname(struct sha256 *h)
{
	struct utsname u;

	if (uname(&u) < 0)
		die_code(PFI_EXIT_INTERNAL, "uname: %s", strerror(errno));
	hash_string(h, 's', u.sysname);
	hash_string(h, 'n', u.nodename);
	hash_string(h, 'r', u.release);
	hash_string(h, 'v', u.version);
	hash_string(h, 'm', u.machine);
}

/* -E VAR: the name, then the value, or a distinct tag when it is unset. */
static void hash_items(struct sha256 *h, const struct pfi_config *cfg)
{
	for (size_t i = 0; i < cfg->nitems; i++) {
		const struct pfi_ident_item *it = &cfg->items[i];

		hash_string(h, it->kind, it->text);
		if (it->kind == 'E') {
			const char *val = getenv(it->text);

			if (val)
				hash_string(h, '=', val);
			else
				hash_bytes(h, '-', "", 0);
		}
	}
}

char *pfi_ident_hash(const struct pfi_config *cfg)
{
	struct sha256 h;
	unsigned char digest[32];
	char *hex = xmalloc(65);

	sha256_init(&h);
	hash_string(&h, '#', ident_magic);
	hash_dir_identity(&h, 'c', ".");
	hash_dir_identity(&h, '/', "/");
	hash_uname(&h);
	hash_items(&h, cfg);
	hash_string(&h, 'I', cfg->interp);
	for (char **a = cfg->interp_args; *a; a++)
		hash_string(&h, 'i', *a);
	if (cfg->script)
		hash_string(&h, 'S', cfg->script);
	sha256_final(&h, digest);
	sha256_hex(digest, hex);
	return hex;
}
