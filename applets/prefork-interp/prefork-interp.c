/* prefork-interp: run a script through a server that already did its
 * start-up work, speaking chiark-utils 7.0.0's protocol.
 *
 * This file: the options, the splitting of a combined #! argument, and the
 * top-level flow.  ident.c names the server, rundir.c finds and guards its
 * directory, client.c talks to it, spawn.c and watcher.c start it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "opt.h"
#include "split.h"
#include "pfi.h"

enum { OPT_U, OPT_F, OPT_KILL, OPT_E, OPT_G, OPT_IDENT, OPT_LISTING, OPT_JSON,
	OPT_KILL_ALL };

static const struct opt opts[] = {
	[OPT_U] = { 'U', NULL, OPT_FLAG, NULL,
		"unlaundered: the script gets every argument and variable (required)", 0, 0 },
	[OPT_F] = { 'f', NULL, OPT_FLAG, NULL,
		"start a fresh server; the old one quits", 0, 0 },
	[OPT_KILL] = { 0, "kill", OPT_FLAG, NULL,
		"stop the server for this ident and run nothing", 0, 0 },
	[OPT_E] = { 'E', NULL, OPT_LIST, "VAR",
		"the ident includes VAR's value, or its absence", 0, 0 },
	[OPT_G] = { 'G', NULL, OPT_LIST, "STRING",
		"the ident includes STRING", 0, 0 },
	[OPT_IDENT] = { 'g', NULL, OPT_STRING, "IDENT",
		"use IDENT instead of the hash as the ident", 0, 0 },
	[OPT_LISTING] = { 0, "list", OPT_FLAG, NULL,
		"list every server of ours (no other operand)", 0, 0 },
	[OPT_JSON] = { 0, "json", OPT_FLAG, NULL,
		"with --list: as JSON", 0, 0 },
	[OPT_KILL_ALL] = { 0, "kill-all", OPT_FLAG, NULL,
		"stop every server of ours and wait until they are gone", 0, 0 },
};

static int prefork_interp_main(int argc, char **argv);

const struct cmd prefork_interp_applet = {
	.name = "prefork-interp",
	.operands = "INTERPRETER [SCRIPT [ARGUMENT]...]\n"
		"   or: sockkit prefork-interp --list [--json] | --kill-all",
	.summary = "Run SCRIPT through a server of it that is already initialised.",
	.opts = opts,
	.nopts = sizeof opts / sizeof opts[0],
	.min_operands = 0,
	.max_operands = -1,
	.footer =
	"In a #! line: #!/usr/bin/sockkit prefork-interp -U perl\n"
	"          or: #!/path/to/prefork-interp -U,perl,-w\n"
	"The first argument, when it starts with '-' and holds spaces or commas,\n"
	"is split at them; after the options it names the interpreter and its own\n"
	"arguments.  SOCKKIT_PREFORK_TIMEOUT (seconds, default 30) bounds every\n"
	"wait for the server.  See prefork-interp(1).\n",
	.main = prefork_interp_main,
	.flags = CMD_INTERPRETER,
};

#define COMBINED_SEPS " \t,"
#define DEFAULT_TIMEOUT_S 30

/* The argument vector as options see it: a combined #! argument split into
 * its words, followed by the rest.  Words before `boundary` came from the
 * combined argument.  `words` (split_words') owns those words. */
struct flat_args {
	char **v;
	int n;
	int boundary;
	char **words;
};

static int is_combined(int argc, char **argv)
{
	return argc > 1 && argv[1][0] == '-' && strpbrk(argv[1], COMBINED_SEPS);
}

static void flatten_args(int argc, char **argv, struct flat_args *f)
{
	size_t nwords = 0;
	char **words = is_combined(argc, argv) ?
		split_words(argv[1], COMBINED_SEPS, &nwords) : NULL;
	int first_rest = words ? 2 : 1;

	f->v = xcalloc((size_t)argc + nwords + 1, sizeof *f->v);
	f->n = 0;
	f->v[f->n++] = argv[0];
	for (size_t i = 0; i < nwords; i++)
		f->v[f->n++] = words[i];
	f->boundary = f->n;
	for (int i = first_rest; i < argc; i++)
		f->v[f->n++] = argv[i];
	f->v[f->n] = NULL;
	f->words = words;       /* f->v points into it */
}

static void add_ident_item(struct pfi_config *cfg, char kind, const char *text)
{
	cfg->items = xrealloc(cfg->items, (cfg->nitems + 1) * sizeof *cfg->items);
	cfg->items[cfg->nitems].kind = kind;
	cfg->items[cfg->nitems].text = text;
	cfg->nitems++;
}

static void set_action(struct pfi_config *cfg, enum pfi_action a)
{
	if (cfg->action != PFI_RUN && cfg->action != a)
		die_usage("--kill, --list and --kill-all exclude each other");
	cfg->action = a;
}

/* Options in their given order (-E and -G order changes the ident). */
static int parse_options(struct flat_args *f, struct pfi_config *cfg)
{
	struct opt_iter it;
	int id, laundering = 0;

	opt_iter_init(&it, &prefork_interp_applet, f->n, f->v);
	while ((id = opt_next(&it)) != OPT_DONE) {
		switch (id) {
		case OPT_HELP:
			opt_print_help(&prefork_interp_applet, stdout);
			exit(EXIT_OK);
		case OPT_VERSION:
			opt_print_version(&prefork_interp_applet, stdout);
			exit(EXIT_OK);
		case OPT_ERROR:
			die_usage("%s", it.err);
		case OPT_U:
			laundering = 'U';
			break;
		case OPT_F:
			cfg->fresh = 1;
			break;
		case OPT_KILL:
			set_action(cfg, PFI_KILL);
			break;
		case OPT_LISTING:
			set_action(cfg, PFI_LIST);
			break;
		case OPT_KILL_ALL:
			set_action(cfg, PFI_KILL_ALL);
			break;
		case OPT_JSON:
			cfg->json = 1;
			break;
		case OPT_E:
		case OPT_G:
			add_ident_item(cfg, opts[id].short_name, it.arg);
			break;
		case OPT_IDENT:
			cfg->ident_override = it.arg;
			break;
		default:
			die("option table and parser disagree (option %d)", id);
		}
	}
	if (cfg->json && cfg->action != PFI_LIST)
		die_usage("--json goes with --list");
	if ((cfg->action == PFI_LIST || cfg->action == PFI_KILL_ALL) && it.index < f->n)
		die_usage("%s takes no operand", opts[cfg->action == PFI_LIST ?
						     OPT_LISTING : OPT_KILL_ALL].long_name);
	if (laundering != 'U' && cfg->action != PFI_LIST && cfg->action != PFI_KILL_ALL)
		die_usage("need -U (unlaundered argument and environment handling)");
	return it.index;
}

/* Copy v[from..to) into a fresh NULL-terminated vector. */
static char **slice(char **v, int from, int to)
{
	char **out = xcalloc((size_t)(to > from ? to - from : 0) + 1, sizeof *out);

	for (int i = from; i < to; i++)
		out[i - from] = v[i];
	return out;
}

static void take_operands(struct flat_args *f, int first, struct pfi_config *cfg)
{
	int script_at;

	if (first >= f->n)
		die_usage("need an interpreter");
	cfg->interp = f->v[first];
	if (first < f->boundary) {
		/* "-U,perl,-w" SCRIPT ARGS: the interpreter's own arguments
		 * end where the combined argument ends. */
		cfg->interp_args = slice(f->v, first + 1, f->boundary);
		script_at = f->boundary;
	} else {
		cfg->interp_args = slice(f->v, 0, 0);
		script_at = first + 1;
	}
	cfg->script = script_at < f->n ? f->v[script_at] : NULL;
	cfg->args = slice(f->v, script_at < f->n ? script_at + 1 : f->n, f->n);
}

static int timeout_from_env(void)
{
	const char *s = getenv("SOCKKIT_PREFORK_TIMEOUT");
	long long secs;

	if (!s || !*s)
		return DEFAULT_TIMEOUT_S * 1000;
	if (opt_parse_int(s, 1, 86400, &secs) < 0)
		die_usage("SOCKKIT_PREFORK_TIMEOUT=%s: want whole seconds, 1-86400", s);
	return (int)secs * 1000;
}

/* cfg points into argv and into what it owns (flat, words) until
 * pfi_config_free; a usage error exits from the middle of it. */
void pfi_parse_command_line(int argc, char **argv, struct pfi_config *cfg)
{
	struct flat_args flat;

	cfg->an_arg = argv[argc - 1];
	flatten_args(argc, argv, &flat);
	cfg->flat = flat.v;
	cfg->words = flat.words;
	int first = parse_options(&flat, cfg);

	if (cfg->action != PFI_LIST && cfg->action != PFI_KILL_ALL)
		take_operands(&flat, first, cfg);
	cfg->timeout_ms = timeout_from_env();
}

/* The applet exits with its cfg alive; a fuzzer parses again and again. */
void pfi_config_free(struct pfi_config *cfg)
{
	free(cfg->items);
	free(cfg->interp_args);
	free(cfg->args);
	free(cfg->flat);
	split_free(cfg->words);
	memset(cfg, 0, sizeof *cfg);
}

static void connect_or_spawn(const struct pfi_rundir *d, const struct pfi_names *n,
			     const struct pfi_config *cfg, const struct pfi_caller *caller,
			     struct pfi_conn *c)
{
	int lock;

	if (!cfg->fresh && pfi_find_server(d, n, cfg->timeout_ms, c))
		return;
	lock = pfi_lock(d, n->key, cfg->timeout_ms * 2);
	/* Another cold call may have started it while we waited. */
	if (!cfg->fresh && pfi_find_server(d, n, cfg->timeout_ms, c)) {
		pfi_unlock(d, n->key, lock);
		return;
	}
	/* Nothing usable at either name (or -f): what is there goes, and a
	 * server that has it quits. */
	pfi_remove_if_present(d, n->shared);
	pfi_remove_if_present(d, n->per_dir);
	pfi_sweep(d);
	pfi_spawn_server(d, n, cfg, caller, c);
	pfi_unlock(d, n->key, lock);
}

static int prefork_interp_main(int argc, char **argv)
{
	static struct pfi_config cfg;
	static struct pfi_caller caller;
	static struct pfi_rundir dir;
	static struct pfi_names names;
	static struct pfi_conn conn;

	/* A caller's closed fd 0, 1 or 2 already holds an O_PATH descriptor
	 * (main's reserve_std_fds): none of our sockets can land there and be
	 * passed as the script's stdio, and the script gets a descriptor that
	 * fails reads and writes as a closed one does. */
	pfi_parse_command_line(argc, argv, &cfg);
	/* From here on, our failures stand apart from the script's statuses
	 * (--help and usage errors end as every applet's do). */
	err_set_status(PFI_EXIT_INTERNAL);
	pfi_caller_save(&caller);
	if (cfg.action == PFI_RUN || cfg.action == PFI_KILL)
		pfi_names_init(&names, &cfg, &caller);  /* before we leave the caller's directory */
	pfi_rundir_open(&dir);
	switch (cfg.action) {
	case PFI_LIST:
		return pfi_list(&dir, &cfg);
	case PFI_KILL_ALL:
		return pfi_kill_all(&dir, &cfg);
	case PFI_KILL:
		return pfi_kill(&dir, &names, &cfg);
	case PFI_RUN:
		break;
	}
	connect_or_spawn(&dir, &names, &cfg, &caller, &conn);
	pfi_send_request(&conn, &cfg, &caller);
	pfi_finish(&conn);
}
