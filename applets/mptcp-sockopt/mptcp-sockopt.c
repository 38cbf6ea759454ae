/* mptcp-sockopt: placeholder until the applet lands. */
#include "applets.h"
#include "err.h"
#include "opt.h"

static const struct opt opts[] = {
	{ 0, NULL, OPT_FLAG, NULL, NULL, 0, 0 },
};

static const struct cmd cmd = {
	.name = "mptcp-sockopt",
	.operands = "",
	.summary = "Not implemented yet.",
	.opts = opts,
	.nopts = 0,
	.min_operands = 0,
	.max_operands = -1,
};

int mptcp_sockopt_main(int argc, char **argv)
{
	struct opt_value vals[1];

	opt_parse(&cmd, argc, argv, vals);
	die("not implemented yet");
}
