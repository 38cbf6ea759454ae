/* bindtest: shared definitions of the applet's files.
 *
 * bindtest.c  options, checks, the loop over tables
 * pair.c      one ordered pair: sockets, options, binds, the cell
 * probe.c     one probe: a UDP datagram or a TCP connect, and who gets it
 * report.c    errno names, letter meanings, the JSON document
 * table.c     one table: port, addresses, header, the 64 pairs
 * broadcast.c whether -b's address is a broadcast address here
 * sysctl.c    --sysctl: names in one form, set in the namespace, read back
 * expect.c    --expect: the saved tables, the comparison as TAP
 * expect-text.c  --expect: the -s form of a saved table, as users edit it
 * expect-check.c --expect: the cells a table can hold; -j members that agree
 * jsonin.c    a JSON reader, for the saved -j tables
 */
#ifndef BINDTEST_H
#define BINDTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "err.h"
#include "json.h"
#include "jsonin.h"

#define BT_NADDR 8              /* rows and columns of a table */
#define BT_MAXPROBES 5          /* 1st, 2nd, other, other6, broadcast */
#define BT_CELL_MAX 64
#define BT_LETTERS "-012bxcs6flL"      /* what a probe slot can hold */
#define BT_DEFAULT_WAIT_MS 1000
#define BT_MAX_TABLES 28        /* -a: see bt_table_list */
#define BT_HEADER_MAX 4096     /* 1.51's part, then every --sysctl */

/* One tested address, resolved for the table's port. */
struct bt_addr {
	const char *name;       /* "wild4" */
	int family;
	const char *host;       /* NULL: the wildcard, never probed */
	struct sockaddr_storage ss;
	socklen_t len;
};

#define BT_MAX_SYSCTL 16
#define BT_SYSCTL_NAME_MAX 128
#define BT_SYSCTL_VALUE_MAX 128

/* One --sysctl: the value is the kernel's once every setting is made. */
struct bt_sysctl {
	char given[BT_SYSCTL_NAME_MAX]; /* as typed, for messages */
	char name[BT_SYSCTL_NAME_MAX];  /* dotted, for the header and -j */
	char path[BT_SYSCTL_NAME_MAX];  /* with '/', for the kernel */
	char value[BT_SYSCTL_VALUE_MAX];
};

/* Everything one table depends on. */
struct bt_config {
	int socktype;           /* SOCK_DGRAM or SOCK_STREAM */
	int reuseaddr, reuseport, v6only;
	int connect1st, connect2nd, delayed_listen;
	int summary;            /* -s: the table, else the verbose lines */
	int quiet;              /* -s, -j: no verbose lines */
	unsigned port;
	int wait_ms;            /* the bound on every wait of a probe */
	int full_wait;          /* wait the whole bound, as the original did */
	const struct bt_sysctl *sysctl; /* --sysctl, for the header and -j */
	size_t nsysctl;
	/* -o: other4 (IPv4 given) and, for UDP, its mapped form other6; or
	 * other6 alone (IPv6 given).  -b: the mapped broadcast address. */
	int have_other4, have_other6, have_bcast;
	struct in_addr bcast4;
	struct sockaddr_storage other4, other6, bcast6;
	socklen_t other4_len, other6_len, bcast6_len;
	/* Loopback sockets that receive a fence datagram after each UDP probe:
	 * its arrival proves the probe has been delivered or dropped. -1: none. */
	int fence4, fence6;
	struct sockaddr_storage fence4_ss, fence6_ss;
	socklen_t fence4_len, fence6_len;
};

/* The outcome of one step: not tried, succeeded, or failed with errno. */
struct bt_step {
	int tried;
	int err;                /* 0: success */
};

struct bt_probe {
	const char *target;     /* "1st" "2nd" "other" "other6" "broadcast" */
	char address[80];       /* "host/port", "" when not tried */
	char letter;
	int err;                /* errno of the failed step, or 0 */
	const char *failed_step;/* "socket", "sendto", ... or NULL */
};

struct bt_side {
	struct bt_step socket, reuseaddr, reuseport, v6only, bind, listen;
};

struct bt_pair {
	const struct bt_addr *first, *second;
	struct bt_side side[2];
	int bound;              /* both bound: the cell is o[...] */
	char listen_failed;     /* -l: 'l' or 'L' when a delayed listen failed */
	char cell[BT_CELL_MAX];
	struct bt_probe probe[BT_MAXPROBES];
	int nprobes;
};

enum bt_output { BT_VERBOSE, BT_SUMMARY, BT_JSON, BT_EXPECT };

/* What the command line asked for, before a table's settings are chosen. */
struct bt_request {
	struct bt_config base;
	enum bt_output output;
	int all, netns;
	int port_given;
	const char *other, *bcast;
	struct bt_sysctl sysctl[BT_MAX_SYSCTL];
	size_t nsysctl;
	const char *expect;     /* --expect FILE */
};

/* --expect's saved tables: cells and headers point into text or doc. */
struct bt_expect_table {
	const char *header;
	const char *cell[BT_NADDR * BT_NADDR];
};

struct bt_expect {
	char *text;
	struct jin_doc doc;
	struct bt_expect_table *table;
	size_t ntables;
};

/* bindtest.c: parse and check the command line; a usage error exits 2.
 * (Not static: the fuzz harness t/fuzz/fuzz-bindtest.c drives it.) */
void bt_parse_request(int argc, char **argv, struct bt_request *rq);
/* The tables to run (BT_MAX_TABLES at most): the request's one, or -a's. */
size_t bt_table_list(const struct bt_request *rq, struct bt_config *tables);

/* bindtest.c: a failure that stops the run: the message, and the exit.
 * With --expect also "Bail out!" on stdout, and status 2, so that TAP's
 * reader and the exit status (1: a pair did not match) tell it apart from
 * a mismatch. */
_Noreturn void bt_fail(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* sysctl.c: add one NAME=VALUE to the request (a usage error exits 2);
 * make every setting in this namespace and keep the kernel's values. */
void bt_sysctl_parse(struct bt_request *rq, const char *text);
void bt_sysctl_apply(struct bt_request *rq);

/* broadcast.c: return if the kernel treats a as a broadcast address here,
 * else exit 2 saying why (1 when the kernel cannot be asked). */
void bt_check_broadcast(struct in_addr a, const char *text);

/* expect.c: load FILE (0, or -1 with why in err); parse text in place. */
int bt_expect_load(struct bt_expect *e, const char *path, char *err, size_t errsize);
int bt_expect_parse(struct bt_expect *e, char *text, size_t len, char *err, size_t errsize);
void bt_expect_free(struct bt_expect *e);
/* Shared by expect*.c: a message into err, and -1; a new table (NULL past
 * BT_MAX_TABLES); the -s form. */
int bt_expect_fail(char *err, size_t errsize, const char *fmt, ...) PRINTF_LIKE(3, 4);
struct bt_expect_table *bt_expect_new_table(struct bt_expect *e, char *err, size_t errsize);
int bt_expect_parse_text(struct bt_expect *e, char *text, size_t len, char *err,
			 size_t errsize);

/* expect-check.c: what a saved table's header says of its options, so that
 * its cells can be checked against them. */
struct bt_kind {
	int known;              /* the header is one bindtest prints */
	int tcp, reuseaddr, reuseport, v6only, delayed;
	char connect_to[8];     /* "1st", "2nd", "other", "other6"; "" none */
};
void bt_kind_of(const char *header, struct bt_kind *k);
/* Whether len bytes at s are a cell bindtest prints, in a table of kind k
 * (NULL: any): NULL, or why not ("" when it is no cell at all). */
const char *bt_cell_problem(const char *s, size_t len, const struct bt_kind *k);
/* Every '|'-separated value of a saved cell: 0, or -1 naming where, why. */
int bt_expect_check_cell(const char *cell, const struct bt_kind *k, char *err,
			 size_t errsize, const char *where);
/* A saved -j table's members beside its header and pairs, and a pair's
 * beside its cell (any value of a set), where present: 0 when they agree,
 * else -1 saying which does not. */
int bt_expect_json_table_agrees(const struct jin_doc *d, const struct jin_node *tab,
				const struct bt_kind *k, size_t ti, char *err, size_t errsize);
int bt_expect_json_pair_agrees(const struct jin_doc *d, const struct jin_node *pair,
			       const char *cell, const struct bt_kind *k, const char *where,
			       char *err, size_t errsize);
/* expect-check.c: a cell bindtest prints in some table (len bytes at s);
 * expect.c: whether a saved cell, perhaps "A|B|C", accepts got. */
int bt_cell_valid(const char *s, size_t len);
int bt_cell_matches(const char *want, const char *got);
/* Whether every o[...] value saved for table ti has the probe slots this
 * run's cells have (-o and -b are not in 1.51's UDP header): 0, or -1 with
 * why in err. */
int bt_expect_check_slots(const struct bt_expect *e, size_t ti, const struct bt_config *c,
			  char *err, size_t errsize);
/* One TAP line per pair of table ti (*num counts them); the failures. */
int bt_expect_report(const struct bt_expect *e, size_t ti, const struct bt_config *c,
		     const struct bt_pair *pairs, unsigned *num);

/* table.c */
const char *bt_address_name(int i);     /* "wild4" ... in the table's order */
void bt_addresses(struct bt_addr *addrs, unsigned port);        /* all eight */
void bt_header(const struct bt_config *c, char *buf, size_t size);
/* With -p, that the port is free for every socket type of the tables, so
 * that a port in use stops the run before anything is printed. */
void bt_check_ports(const struct bt_request *rq, const struct bt_config *tables, size_t n);
/* Keep to this CPU and open the fences, for every table. */
void bt_prepare(struct bt_config *tables, size_t n);
/* Choose the port, then run the 64 pairs into pairs[], printing the
 * verbose lines or the summary table (not -j) as they come. */
void bt_run_table(const struct bt_request *rq, struct bt_config *c, struct bt_addr *addrs,
		  struct bt_pair *pairs);

/* One probe slot of a cell: its target, and the address it probes, or
 * NULL where it is not tried ('-'). */
struct bt_slot {
	const char *target;     /* "1st" "2nd" "other" "other6" "broadcast" */
	const struct sockaddr_storage *dst;
	socklen_t len;
};

/* pair.c: the slots of a pair's o[...] cell, in order, by 1.51's rule; the
 * count. */
size_t bt_plan_slots(const struct bt_config *cfg, const struct bt_addr *a,
		     const struct bt_addr *b, struct bt_slot slot[BT_MAXPROBES]);
void bt_run_pair(const struct bt_config *cfg, const struct bt_addr *a,
		 const struct bt_addr *b, struct bt_pair *out);
const char *bt_sockaddr_slash(const struct sockaddr *sa, socklen_t len,
			      char *buf, size_t size);
/* A verbose line: printed as the step happens, as the original did (not
 * with -s or -j). */
void bt_say(const struct bt_config *cfg, const char *fmt, ...) PRINTF_LIKE(2, 3);
void bt_vsay(const struct bt_config *cfg, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
const char *bt_nth(int which);          /* "1st" for 0, "2nd" for 1 */

/* probe.c: the letter of one probe of dst; p->address is set. */
char bt_udp_probe(const struct bt_config *cfg, int sa, int sb,
		  const struct sockaddr *dst, socklen_t len, struct bt_probe *p);
char bt_tcp_probe(const struct bt_config *cfg, int sa, int sb,
		  const struct sockaddr *dst, socklen_t len, struct bt_probe *p);
int bt_set_v6only(int fd, int on);

/* report.c */
const char *bt_errno_name(int err);
const char *bt_letter_meaning(char letter, int socktype);
/* Where TCP probes connect ("1st", "2nd", "other", "other6"), for the
 * header and -j; NULL for UDP or when nothing is connected to. */
const char *bt_connect_target(const struct bt_config *cfg);
void bt_json_table(struct json *j, const struct bt_config *cfg, const char *header,
		   const struct bt_addr *addrs, const struct bt_pair *pairs);

#endif
