/* The ident: which calls may share one server.
 *
 * The script ident is a SHA-256 over the same kinds of input as
 * chiark-utils' client, but the script's canonical name instead of the
 * working directory: the identity of / (each chroot gets its own server),
 * the system (uname), each -E and -G in order, the interpreter with its own
 * arguments, and the script.  Every item is tagged and length-prefixed, so
 * no two different inputs feed the hash the same bytes.
 *
 * Which calls share a server then depends on what the server speaks, which
 * the client learns only from its greeting:
 *  - a sockkit-x1 server runs each call in the caller's directory, so one
 *    serves every directory: its socket is named by the script ident alone;
 *  - a 7.0.0 server (Debian's Perl module) runs every call in the directory
 *    of the call that started it, so each directory needs its own, as in
 *    chiark-utils: its socket is named SCRIPTIDENT.DIRIDENT, the directory
 *    ident being a hash of the working directory's device and inode.
 * A call tries the first name, then the second; a cold start binds the
 * second and renames it to the first once the greeting offers sockkit-x1
 * (spawn.c).  -g IDENT replaces both with IDENT, as in chiark-utils. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "err.h"
#include "io.h"
#include "sha256.h"
#include "pfi.h"

/* Bumped when the hashed input changes meaning. */
static const char ident_magic[] = "sockkit prefork-interp ident 2";
#define SCRIPT_IDENT_HEX 64
#define DIR_IDENT_HEX 16

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

static void hash_identity(struct sha256 *h, char tag, const struct stat *st)
{
	unsigned char buf[16];

	put_be32(buf, (uint32_t)((uint64_t)st->st_dev >> 32));
	put_be32(buf + 4, (uint32_t)st->st_dev);
	put_be32(buf + 8, (uint32_t)((uint64_t)st->st_ino >> 32));
	put_be32(buf + 12, (uint32_t)st->st_ino);
	hash_bytes(h, tag, buf, sizeof buf);
}

static void hash_cwd(struct sha256 *h, char tag, int cwd)
{
	struct stat st;

	if (fstat(cwd, &st) < 0)
		die_errno("stat the current directory");
	hash_identity(h, tag, &st);
}

static void hash_root(struct sha256 *h)
{
	struct stat st;

	if (stat("/", &st) < 0)
		die_errno("stat /");
	hash_identity(h, '/', &st);
}

static void hash_uname(struct sha256 *h)
{
	struct utsname u;

	if (uname(&u) < 0)
		die_errno("uname");
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

static char *hex_of(struct sha256 *h, size_t digits)
{
	unsigned char digest[32];
	char *hex = xmalloc(65);

	sha256_final(h, digest);
	sha256_hex(digest, hex);
	hex[digits] = '\0';
	return hex;
}

char *pfi_canonical_script(const char *script)
{
	size_t len = strlen(script);
	const char *slash = strrchr(script, '/');
	const char *base = slash ? slash + 1 : script;
	char *dir_name, *dir, *canon = NULL;

	if (!len)
		return NULL;
	/* "x/", "x/." and "x/.." name no file of their own: resolve it all. */
	if (script[len - 1] == '/' || !strcmp(base, ".") || !strcmp(base, ".."))
		return realpath(script, NULL);
	/* The directory part with its slashes ("a//" of "a//s", "/" of "/s"),
	 * which realpath resolves as the directory itself. */
	dir_name = slash ? xasprintf("%.*s", (int)(base - script), script) : xstrdup(".");
	if ((dir = realpath(dir_name, NULL))) {
		canon = xasprintf("%s%s%s", dir, strcmp(dir, "/") ? "/" : "", base);
		free(dir);
	}
	free(dir_name);
	/* Only a name that leads to something: otherwise the interpreter may
	 * look the script up its own way (bash searches PATH), as named. */
	if (canon && access(canon, F_OK) < 0) {
		free(canon);
		canon = NULL;
	}
	return canon;
}

/* A script without a canonical name (none at that name, or a directory
 * that cannot be resolved) keeps its name as given, which means something
 * only in this directory: the directory then joins the script ident. */
static char *script_ident(const struct pfi_config *cfg, const struct pfi_caller *caller,
			  const char *canon)
{
	struct sha256 h;

	sha256_init(&h);
	hash_string(&h, '#', ident_magic);
	hash_root(&h);
	hash_uname(&h);
	hash_items(&h, cfg);
	hash_string(&h, 'I', cfg->interp);
	for (char **a = cfg->interp_args; *a; a++)
		hash_string(&h, 'i', *a);
	if (canon)
		hash_string(&h, 'S', canon);
	else if (cfg->script) {
		hash_string(&h, 'R', cfg->script);
		hash_cwd(&h, 'c', caller->cwd);
	}
	return hex_of(&h, SCRIPT_IDENT_HEX);
}

static char *dir_ident(const struct pfi_caller *caller)
{
	struct sha256 h;

	sha256_init(&h);
	hash_string(&h, '#', ident_magic);
	hash_cwd(&h, 'c', caller->cwd);
	return hex_of(&h, DIR_IDENT_HEX);
}

/* A name must fit sun_path after the "s", as a relative name. */
#define MAX_NAME (sizeof ((struct sockaddr_un *)0)->sun_path - 2)

static void check_ident_override(const char *g)
{
	if (!*g)
		die_usage("-g: an empty ident");
	if (strchr(g, '/') || !strcmp(g, ".") || !strcmp(g, ".."))
		die_usage("-g '%s': an ident is a file name: no '/', not . or ..", g);
	if (strlen(g) > MAX_NAME)
		die_usage("-g: an ident of %zu characters is too long (at most %zu)",
			  strlen(g), MAX_NAME);
}

void pfi_names_init(struct pfi_names *n, const struct pfi_config *cfg,
		    const struct pfi_caller *caller)
{
	char *canon = cfg->script ? pfi_canonical_script(cfg->script) : NULL;

	n->script = canon ? canon : cfg->script ? xstrdup(cfg->script) : NULL;
	if (cfg->ident_override) {
		check_ident_override(cfg->ident_override);
		n->shared = xstrdup(cfg->ident_override);
		n->per_dir = NULL;
		n->key = xstrdup(cfg->ident_override);
		n->shown = xasprintf("ident %s", cfg->ident_override);
		return;
	}
	n->shared = script_ident(cfg, caller, canon);
	char *dir = dir_ident(caller);

	n->per_dir = xasprintf("%s.%s", n->shared, dir);
	free(dir);
	n->key = xstrdup(n->shared);
	n->shown = xstrdup(cfg->script ? cfg->script : cfg->interp);
}

/* SCRIPTIDENT.DIRIDENT locks as SCRIPTIDENT (every start of a script takes
 * the same lock, whatever the directory); any other name is its own key. */
char *pfi_key_of(const char *name)
{
	size_t hex = strspn(name, "0123456789abcdef");

	if (hex == SCRIPT_IDENT_HEX && name[hex] == '.' &&
	    strspn(name + hex + 1, "0123456789abcdef") == DIR_IDENT_HEX &&
	    !name[hex + 1 + DIR_IDENT_HEX])
		return xasprintf("%.*s", (int)hex, name);
	return xstrdup(name);
}
