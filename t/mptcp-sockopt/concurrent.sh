#!/bin/sh
# mptcp-sockopt: runs at the same time do not disturb each other (no fixed
# port, no shared state).
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
checks=$("$SOCKKIT" mptcp-sockopt --list | wc -l)
n=4
i=1
while [ "$i" -le "$n" ]; do
	bounded 30 "$SOCKKIT" mptcp-sockopt >"$T/out.$i" 2>"$T/err.$i" &
	eval "pid$i=\$!"
	i=$((i + 1))
done
i=1
while [ "$i" -le "$n" ]; do
	eval "wait \$pid$i"
	rc=$?
	is "$rc" 0 "concurrent run $i exits 0"
	is "$(count_lines '^ok ' "$T/out.$i")" "$((2 * checks))" "concurrent run $i: an ok line per check and family"
	i=$((i + 1))
done
done_testing
