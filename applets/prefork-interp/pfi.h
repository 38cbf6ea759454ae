/* prefork-interp: what the applet's files share.
 *
 * Roles: the caller runs the client (this applet); the client connects to a
 * server (the script, started once per ident) or starts one; the server forks
 * a monitor per call, which forks the executor that runs the script's
 * per-call part.  A watcher process, started with the server, exits when the
 * socket path goes away, which tells the server to quit. */
#ifndef SOCKKIT_PFI_H
#define SOCKKIT_PFI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/un.h>

/* Our own failures exit 127, as chiark-utils' client does, so that they
 * stand apart from the script's exit codes. */
#define PFI_EXIT_INTERNAL 127

/* One -E or -G option, in the order given: both feed the ident. */
struct pfi_ident_item {
	char kind;              /* 'E' or 'G' */
	const char *text;       /* the variable name or the string */
};

/* Everything the command line decided. */
struct pfi_config {
	int fresh;              /* -f: replace any running server */
	int kill_only;          /* --kill: stop the server, run nothing */
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

/* Where this ident's server lives. */
struct pfi_paths {
	char *dir;              /* the run directory */
	char *ident;            /* hex (possibly truncated) or -g */
	char *socket;           /* DIR/s<ident> */
	char *lock;             /* DIR/l<ident> */
	struct sockaddr_un addr;
};

/* One connection to a server, after its greeting.  A protocol extension
 * is recognised in client.c's read_greeting_xdata and acted on in
 * pfi_send_request_extra (and, for the call's duration, pfi_finish). */
struct pfi_conn {
	int fd;
	unsigned char *xdata;   /* the greeting's extra data, as sent */
	uint32_t xdata_len;
	unsigned extensions;    /* what the server advertised: none in 7.0.0 */
};

/* What a connection attempt found. */
enum pfi_found {
	PFI_FOUND_SERVER,       /* greeted: conn is ready */
	PFI_FOUND_NOTHING,      /* no socket, refused, or EOF before a greeting */
	PFI_FOUND_GARBAGE,      /* something answered with a bad greeting */
};

enum pfi_greeting {
	PFI_GREETED,
	PFI_GREETING_BAD,       /* EOF first, or not a greeting */
	PFI_GREETING_SILENT,    /* nothing within the timeout */
};

/* The process state the client keeps for its children: the caller's
 * SIGPIPE disposition and umask, to give back before an exec. */
struct pfi_saved {
	struct sigaction sigpipe;
	mode_t umask;
};
extern struct pfi_saved pfi_saved;

/* prefork-interp.c: the command line, a combined #! argument included.
 * A usage error exits 2. */
void pfi_parse_command_line(int argc, char **argv, struct pfi_config *cfg);
void pfi_config_free(struct pfi_config *cfg);

/* ident.c */
char *pfi_ident_hash(const struct pfi_config *cfg);

/* rundir.c */
void pfi_paths_init(struct pfi_paths *p, const struct pfi_config *cfg);
void pfi_check_socket_safe(const struct pfi_paths *p);
int pfi_lock(const struct pfi_paths *p, int timeout_ms);
void pfi_preclean(const struct pfi_paths *p);
int pfi_max_sockets(void);

/* client.c */
void pfi_bound_sends(int fd, int timeout_ms);
enum pfi_found pfi_connect(const struct pfi_paths *p, const struct pfi_config *cfg,
			   struct pfi_conn *c);
enum pfi_greeting pfi_read_greeting(struct pfi_conn *c, int timeout_ms,
				    const char *what);
void pfi_send_request(const struct pfi_conn *c, const struct pfi_config *cfg);
void pfi_send_request_extra(const struct pfi_conn *c, const struct pfi_config *cfg);
_Noreturn void pfi_finish(const struct pfi_conn *c);
_Noreturn void pfi_exit_like(int status, const char *what);

/* fdpass.c: one fd with a one-byte 0x00 payload: 0 or -1 with errno. */
int pfi_send_fd(int sock, int fd);

/* spawn.c */
void pfi_spawn_server(const struct pfi_paths *p, const struct pfi_config *cfg,
		      struct pfi_conn *c);
void pfi_close_fds_except(const int *keep, size_t nkeep);
void pfi_restore_for_exec(void);

/* watcher.c */
/* an_arg: any argument of ours, to recognise our command line's memory. */
_Noreturn void pfi_become_watcher(const char *socket_path, const struct stat *bound,
				  const char *an_arg);
void pfi_set_proc_title(const char *title, const char *an_arg);

#endif
