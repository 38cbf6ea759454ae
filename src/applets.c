#include "applets.h"

#include <string.h>

/* Sorted by name: --list and --help print them in this order. */
const struct applet applets[] = {
	{ "bindtest", bindtest_main,
	  "test IPv4/IPv6 dual-stack bind(2) behaviour (KAME's bindtest)" },
	{ "mptcp-sockopt", mptcp_sockopt_main,
	  "check the kernel's MPTCP socket options, or report on a connection" },
	{ "prefork-interp", prefork_interp_main,
	  "run a script from a preforked, already initialised server" },
};

const size_t applet_count = sizeof applets / sizeof applets[0];

const struct applet *applet_find(const char *name)
{
	for (size_t i = 0; i < applet_count; i++)
		if (!strcmp(applets[i].name, name))
			return &applets[i];
	return NULL;
}
