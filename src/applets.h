/* The applet table: name, entry point, one-line summary. */
#ifndef SOCKKIT_APPLETS_H
#define SOCKKIT_APPLETS_H

#include <stddef.h>

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
};

extern const struct applet applets[];
extern const size_t applet_count;

const struct applet *applet_find(const char *name);

int bindtest_main(int argc, char **argv);
int mptcp_sockopt_main(int argc, char **argv);
int prefork_interp_main(int argc, char **argv);

#endif
