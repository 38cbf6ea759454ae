#!/bin/sh
# mptcp-sockopt in network namespaces of its own: MPTCP disabled (exit 4),
# lo down (a quick clear failure), no ::1 (the v6 family skipped).
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
checks=$("$SOCKKIT" mptcp-sockopt --list | wc -l)
require_netns "network namespaces" sysctl ip

# MPTCP disabled: exit 4, a TAP skip plan, and the reason on stderr.
run bounded 10 unshare -n sh -c 'sysctl -qw net.mptcp.enabled=0 && exec "$SOCKKIT" mptcp-sockopt'
is_rc 4 "net.mptcp.enabled=0: exit 4"
is "$(cat "$T/out")" "1..0 # SKIP MPTCP is unavailable: Protocol not available" \
	"net.mptcp.enabled=0: a TAP skip-all plan"
like "$(cat "$T/err")" "^mptcp-sockopt: MPTCP is unavailable \\(socket: Protocol not available\\); is net\\.mptcp\\.enabled 0" \
	"net.mptcp.enabled=0: says so"
unavailable="mptcp-sockopt: MPTCP is unavailable (socket: Protocol not available); is net.mptcp.enabled 0 or the kernel built without MPTCP?"
is "$(cat "$T/err")" "$unavailable" "net.mptcp.enabled=0: the whole message"
run bounded 10 unshare -n sh -c 'sysctl -qw net.mptcp.enabled=0 && ip link set lo up && exec "$SOCKKIT" mptcp-sockopt -6 -c ::1 9'
is_rc 4 "net.mptcp.enabled=0: report mode exits 4 too"
is "$(cat "$T/err")" "$unavailable" "net.mptcp.enabled=0: report mode says the same"
run bounded 10 unshare -n sh -c 'sysctl -qw net.mptcp.enabled=0 && exec "$SOCKKIT" mptcp-sockopt -l'
is_rc 4 "net.mptcp.enabled=0: the MPTCP listener exits 4 too"
is "$(cat "$T/err")" "$unavailable" "net.mptcp.enabled=0: the listener says the same"

# A fresh namespace has lo down: fail at once (bounded well below -t).
run bounded 3 unshare -n "$SOCKKIT" mptcp-sockopt
is_rc 1 "lo down: exit 1 within 3 s"
is "$(cat "$T/err")" "mptcp-sockopt: the loopback interface lo is down: no loopback connection is possible" \
	"lo down: says so"
is "$(cat "$T/out")" "Bail out! the loopback interface lo is down" "lo down: TAP bail out"

# --subflows makes its own network: lo down here does not matter.
run bounded 20 unshare -n "$SOCKKIT" mptcp-sockopt --subflows 2
is_rc 0 "lo down, --subflows 2: passes over its own links"
# MPTCP off here does not matter either: --subflows asks in its own
# namespaces (both families, as users run it).
run bounded 30 unshare -n sh -c 'sysctl -qw net.mptcp.enabled=0 && exec "$SOCKKIT" mptcp-sockopt --subflows 2'
is_rc 0 "net.mptcp.enabled=0 here, --subflows 2: passes in its own namespaces"
is "$(count_lines '^ok [0-9]+ - v[46] ' "$T/out")" "$((2 * $("$SOCKKIT" mptcp-sockopt --list --subflows 2 | wc -l)))" \
	"net.mptcp.enabled=0 here, --subflows 2: an ok line per check and family"
is "$(cat "$T/err")" "" "net.mptcp.enabled=0 here, --subflows 2: nothing on stderr"

# lo up but no ::1: the v6 checks are skipped with the reason, v4 passes.
run bounded 20 unshare -n sh -c 'ip link set lo up && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1 && exec "$SOCKKIT" mptcp-sockopt'
is_rc 0 "no ::1: exit 0"
is "$(count_lines '^ok [0-9]+ - v4 ' "$T/out")" "$checks" "no ::1: the v4 checks pass"
is "$(count_lines '^ok [0-9]+ - v6 .* # SKIP no loopback address on ::1: [A-Z][a-z ]+$' "$T/out")" \
	"$checks" "no ::1: each v6 check is skipped with the reason"

# In a namespace of its own with lo up, everything passes.
run bounded 20 unshare -n sh -c 'ip link set lo up && exec "$SOCKKIT" mptcp-sockopt'
is_rc 0 "a private namespace with lo up: all pass"
is "$(count_lines '^ok ' "$T/out")" "$((2 * checks))" "a private namespace: an ok line per check and family"

done_testing
