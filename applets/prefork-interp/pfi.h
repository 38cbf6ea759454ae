/* prefork-interp: what the applet's files share.
 *
 * Roles: the caller runs the client (this applet); the client connects to a
 * server (the script, started once per ident) or starts one; the server forks
 * a process per call that runs the script's per-call part.  A watcher
 * process, started with the server, exits when the server's socket has no
 * name left in the run directory, which tells the server to quit.
 *
 * The run directory is opened once and becomes the client's working
 * directory: every file in it is reached through that descriptor (the *at
 * calls) or by a relative name (bind and connect), never by its path again. */
#ifndef SOCKKIT_PFI_H
#define SOCKKIT_PFI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Our own failures exit 127, as chiark-utils' client does, so that they
 * stand apart from the script's exit codes (err_set_status). */
#define PFI_EXIT_INTERNAL 127

/* One -E or -G option, in the order given: both feed the ident. */
struct pfi_ident_item {
	char kind;              /* 'E' or 'G' */
	const char *text;       /* the variable name or the string */
};

enum pfi_action {
	PFI_RUN,                /* run the script (the usual) */
	PFI_KILL,               /* --kill: stop this ident's server */
	PFI_LIST,               /* --list: every server of ours */
	PFI_KILL_ALL,           /* --kill-all */
};

/* Everything the command line decided. */
struct pfi_config {
	enum pfi_action action;
	int fresh;              /* -f: replace any running server */
	int json;               /* --json (with --list) */
	const char *ident_override;     /* -g IDENT */
	struct pfi_ident_item *items;   /* -E and -G in order */
	size_t nitems;
	const char *interp;     /* the interpreter */
	char **interp_args;     /* its own arguments from the #! line (NULL-terminated) */
	const char *script;     /* NULL when none was given */
	char **args;            /* the caller's arguments (NULL-terminated) */
	int timeout_ms;         /* bound on every wait for the server */
	const char *an_arg;     /* the last of our own argv strings, as given */
	char **flat;            /* owned: the vector options were parsed from */
	char **words;           /* owned: the combined #! argument's words */
};

/* What the client keeps of its caller: given back to every child before it
 * runs something of the caller's, and passed to sockkit-x1 servers. */
struct pfi_caller {
	struct sigaction sigpipe;       /* the caller's SIGPIPE disposition */
	mode_t umask;
	int cwd;                /* O_PATH descriptor of the caller's directory */
	char *cwd_path;         /* its name, for --list only (NULL if unknown) */
};

/* The run directory, our working directory once chosen. */
struct pfi_rundir {
	int fd;                 /* AT_FDCWD then: for the *at calls */
	char *path;             /* for messages and --list only */
};

/* Where a call's server may be.  The socket of NAME is "s" NAME, its info
 * file "i" NAME; the lock of KEY is "l" KEY. */
struct pfi_names {
	char *script;           /* the script the server starts with: its
				 * canonical name, else as given; NULL: none */
	char *shared;           /* a sockkit-x1 server's name: the script ident (or -g) */
	char *per_dir;          /* a 7.0.0 server's: script ident "." directory ident;
				 * NULL with -g, whose one name serves both */
	char *key;              /* the lock that every start of this script takes */
	char *shown;            /* what messages call it: the script, or -g */
};

/* One connection to a server, after its greeting. */
struct pfi_conn {
	int fd;
	unsigned char *xdata;   /* the greeting's extra data, as sent */
	uint32_t xdata_len;
};

enum pfi_greeting {
	PFI_GREETED,
	PFI_GREETING_BAD,       /* EOF first, or not a greeting */
	PFI_GREETING_SILENT,    /* nothing within the timeout */
};

/* What a server wrote about itself when it started (info.c). */
struct pfi_info {
	char *interp;
	char **interp_args;     /* NULL-terminated */
	char *script;           /* NULL: none */
	char *cwd;              /* the first caller's directory; NULL: unknown */
	char *protocol;         /* "sockkit-x1" or "7.0.0"; NULL before the greeting */
	unsigned long long listener;    /* the listening socket's inode (sockfs) */
	pid_t watcher;
};

/* prefork-interp.c: the command line, a combined #! argument included.
 * A usage error exits 2. */
void pfi_parse_command_line(int argc, char **argv, struct pfi_config *cfg);
void pfi_config_free(struct pfi_config *cfg);

/* caller.c */
void pfi_caller_save(struct pfi_caller *c);
/* In a child, before it runs something of the caller's: 0, or -1 (errno). */
int pfi_caller_restore(const struct pfi_caller *c);
_Noreturn void pfi_exit_like(int status, const char *what);

/* ident.c */
void pfi_names_init(struct pfi_names *n, const struct pfi_config *cfg,
		    const struct pfi_caller *caller);
/* The script's absolute name, its directories resolved, the last part as
 * given; NULL when its directory cannot be resolved or nothing is there. */
char *pfi_canonical_script(const char *script);
/* The lock key of a server's NAME. */
char *pfi_key_of(const char *name);

/* rundir.c */
void pfi_rundir_open(struct pfi_rundir *d);
/* NAME's socket: 0 none, 1 a socket of ours; anything else dies. */
int pfi_socket_present(const struct pfi_rundir *d, const char *name, struct stat *st);
int pfi_is_ours(const struct stat *st);

/* lock.c */
int pfi_lock(const struct pfi_rundir *d, const char *key, int timeout_ms);
int pfi_trylock(const struct pfi_rundir *d, const char *key);  /* -1: busy */
void pfi_unlock(const struct pfi_rundir *d, const char *key, int fd);

/* undo.c: FILE (in the run directory) goes if this process exits before
 * it drops it. */
void pfi_undo_push(const char *file);
void pfi_undo_drop(const char *file);

/* info.c */
void pfi_info_write(const struct pfi_rundir *d, const char *name,
		    const struct pfi_info *info);
int pfi_info_read(const struct pfi_rundir *d, const char *name, struct pfi_info *info);
void pfi_info_free(struct pfi_info *info);
/* Remove NAME's socket and info file (the caller holds its lock). */
void pfi_remove_server(const struct pfi_rundir *d, const char *name);
/* The same if NAME (NULL: none) has a socket of ours: 1 if it had. */
int pfi_remove_if_present(const struct pfi_rundir *d, const char *name);

/* client.c */
void pfi_bound_sends(int fd, int timeout_ms);
/* Connect to NAME and read its greeting: 1 greeted (c ready), 0 nothing
 * usable there (no socket, nobody listening, no greeting, or, with
 * need_x1, a server that does not speak sockkit-x1). */
int pfi_try_server(const struct pfi_rundir *d, const char *name, int need_x1,
		   int timeout_ms, struct pfi_conn *c);
int pfi_peek_server(const char *name, int timeout_ms, struct pfi_conn *c);
int pfi_find_server(const struct pfi_rundir *d, const struct pfi_names *n,
		    int timeout_ms, struct pfi_conn *c);
enum pfi_greeting pfi_read_greeting(struct pfi_conn *c, int timeout_ms,
				    const char *what);
void pfi_conn_close(struct pfi_conn *c);
void pfi_send_request(const struct pfi_conn *c, const struct pfi_config *cfg,
		      const struct pfi_caller *caller);
_Noreturn void pfi_finish(const struct pfi_conn *c);
_Noreturn void pfi_die_no_status(void);

/* fdpass.c: one fd with a one-byte 0x00 payload: 0 or -1 with errno. */
int pfi_send_fd(int sock, int fd);

/* spawn.c: start the server (the caller holds the lock of n->key). */
void pfi_spawn_server(const struct pfi_rundir *d, const struct pfi_names *n,
		      const struct pfi_config *cfg, const struct pfi_caller *caller,
		      struct pfi_conn *c);
void pfi_close_fds_except(const int *keep, size_t nkeep);

/* sweep.c: before a start, stale sockets, orphaned files and the least
 * used servers beyond the maximum go. */
void pfi_sweep(const struct pfi_rundir *d);

/* admin.c: --kill, --list, --kill-all. */
int pfi_kill(const struct pfi_rundir *d, const struct pfi_names *n,
	     const struct pfi_config *cfg);
int pfi_list(const struct pfi_rundir *d, const struct pfi_config *cfg);
int pfi_kill_all(const struct pfi_rundir *d, const struct pfi_config *cfg);

/* watcher.c */
/* an_arg: any argument of ours, to recognise our command line's memory. */
_Noreturn void pfi_become_watcher(const char *name, const struct stat *bound,
				  const char *an_arg);
void pfi_set_proc_title(const char *title, const char *an_arg);

#endif
