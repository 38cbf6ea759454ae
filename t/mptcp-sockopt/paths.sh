#!/bin/sh
# Reports over two paths, as a user sets them up: a server namespace and a
# client namespace joined by two links, the client's second address a
# `subflow` endpoint (ip mptcp), the applet in each as an ordinary process.
# -c --subflows 2 --send sees both subflows; --all, run by another process,
# lists the connection with both.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
probe
require_netns "two paths" nsenter ip

# hold NAME: a process in a network namespace of its own, alive while the
# test holds its fifo open; its pid in $NAME.
hold() {
	mkfifo "$T/hold.$1" "$T/ready.$1"
	unshare -n -- sh -c 'echo ready; exec cat' <"$T/hold.$1" >"$T/ready.$1" &
	eval "$1=\$!"
	eval "exec $2>\"\$T/hold.\$1\""
	read -r _ready <"$T/ready.$1"
}
hold srv 7
hold cli 8
in_srv="nsenter -t $srv -n"
in_cli="nsenter -t $cli -n"

for i in 0 1; do
	ip link add "sv$i" netns "$srv" type veth peer name "cl$i" netns "$cli"
	$in_srv ip addr add "198.19.$i.1/24" dev "sv$i"
	$in_cli ip addr add "198.19.$i.2/24" dev "cl$i"
	$in_srv ip link set "sv$i" up
	$in_cli ip link set "cl$i" up
done
# The second path: the client's second address, bound to its link, reaches
# the server's first address through the server's second one.
$in_cli ip route add 198.19.0.0/24 via 198.19.1.1 dev cl1 metric 100
$in_cli ip mptcp endpoint add 198.19.1.2 dev cl1 subflow
$in_cli ip mptcp limits set subflows 1
$in_srv ip mptcp limits set subflows 1

# serve TAG: an `mptcp-sockopt -l` on the server's first address; $port.
serve() {
	mkfifo "$T/l.$1"
	$in_srv "$SOCKKIT" mptcp-sockopt -l 198.19.0.1 -t 20 >"$T/l.$1" 2>"$T/l.$1.err" &
	lpid=$!
	read -r _line <"$T/l.$1"
	port=${_line#port:}
}

# --subflows 2 --send 200000, as JSON.
serve json
run bounded 20 $in_cli "$SOCKKIT" mptcp-sockopt -c 198.19.0.1 "$port" --subflows 2 \
	--send 200000 --json
ok '[ "$rc" -eq 0 ]' "--subflows 2 --send 200000 exits 0"
wait "$lpid"
while IFS='	' read -r filter name; do
	json_ok "$T/out" "$filter" "$name"
done <<'TABLE'
.num_subflows == 2 and (.subflows | length) == 2	two subflows
[.subflows[].tcp_info.state] == ["established", "established"]	both established
all(.subflows[]; .tcp_info.rtt_us > 0)	both with an rtt
[.subflows[].local | sub(":[0-9]+$"; "")] == ["198.19.0.2", "198.19.1.2"]	each its own local address
[.subflows[].remote | sub(":[0-9]+$"; "")] == ["198.19.0.1", "198.19.0.1"]	both to the server's address
.mptcp_info.additional_subflows == 1	mptcpi_subflows counts the second only
.mptcp_info.write_seq | test("^[0-9]+$")	write_seq a string of digits
.mptcp_info.write_seq == .mptcp_info.snd_una	all of it acknowledged
(.subflows | map(.tcp_info.bytes_sent) | add) >= 200000	the subflows carried it
TABLE
if [ "$mptcp_info_size" -ge 80 ]; then
	json_ok "$T/out" '.mptcp_info.bytes_sent >= 200000' "bytes_sent >= 200000"
else
	skip "bytes_sent >= 200000" "this kernel's mptcp_info has no byte counters (6.5+)"
fi

# The same as text: the token in hex, states and flags by name.
serve text
run bounded 20 $in_cli "$SOCKKIT" mptcp-sockopt -c 198.19.0.1 "$port" --subflows 2 --send 1000
ok '[ "$rc" -eq 0 ]' "as text: exits 0"
wait "$lpid"
while IFS='	' read -r pattern name; do
	like "$(cat "$T/out")" "$pattern" "as text: $name"
done <<TABLE
^num_subflows:2\$	two subflows
^additional_subflows:1\$	one additional
^token:[0-9a-f]{1,8}\$	the token in hex
^subflow:0 local:198\\.19\\.0\\.2:[0-9]+ remote:198\\.19\\.0\\.1:$port state:established 	the first subflow
^subflow:1 local:198\\.19\\.1\\.2:[0-9]+ remote:198\\.19\\.0\\.1:$port state:established 	the second, from the endpoint
TABLE

# --all by another process, while a client holds the connection: the
# client's side and the server's side, each with both subflows.
serve all
mkfifo "$T/samples"
$in_cli "$SOCKKIT" mptcp-sockopt -c 198.19.0.1 "$port" --subflows 2 --send 1000 --json \
	--count 100 --interval 0.1 -t 20 >"$T/samples" 2>"$T/samples.err" &
client=$!
exec 9<"$T/samples"
read -r _first <&9
for side in cli srv; do
	eval "ns=\$in_$side"
	# shellcheck disable=SC2086
	run bounded 10 $ns "$SOCKKIT" mptcp-sockopt --all --json
	ok '[ "$rc" -eq 0 ]' "--all in the $side namespace exits 0"
	while IFS='	' read -r filter name; do
		json_ok "$T/out" "$filter" "--all ($side): $name"
	done <<TABLE
[inputs] | length == 0	one connection: the client's
.num_subflows == 2 and (.subflows | length) == 2	both subflows, joined by token
. as \$c | all(.subflows[]; .mptcp.token_local == \$c.mptcp_info.token)	each subflow's token is the connection's
.subflows[0].local == .local and .subflows[0].remote == .remote	the first subflow is the connection's own
[.subflows[].tcp_info.state] == ["established", "established"]	both established
.subflows[0].mptcp.flags | index("fully_established") != null	subflow flags by name
.subflows[1].mptcp.flags | (index("join_rem") != null or index("join_loc") != null)	the second joined
TABLE
done
$in_cli "$SOCKKIT" mptcp-sockopt --all --json -6 >"$T/out6"
is "$(cat "$T/out6")" "" "--all -6: no IPv6 connection, nothing printed"
kill "$client"
wait "$client" 2>/dev/null
exec 9<&-
wait "$lpid"

# The subflows that do not come, and why, as mptcp-sockopt tells it.
# The client's `subflow` endpoint opens its subflow only once data has
# been acknowledged: without --send, it says so.
serve nosend
run bounded 20 $in_cli "$SOCKKIT" mptcp-sockopt -c 198.19.0.1 "$port" --subflows 2 -t 1
is_rc 1 "--subflows 2 without --send: exit 1 after -t"
is "$(cat "$T/err")" "mptcp-sockopt: 1 of 2 subflows established within 1 s (\`subflow\` endpoints open subflows once data is acknowledged: try --send)" \
	"--subflows 2 without --send: the hint names --send"
kill "$lpid"
wait "$lpid" 2>/dev/null

# A server that announces its second address (a `signal` endpoint) to a
# client without endpoints: a listener bound to its first address refuses
# the join, and the message says so; on the wildcard address it works.
$in_cli ip mptcp endpoint flush
$in_cli ip route del 198.19.0.0/24 via 198.19.1.1 dev cl1
$in_cli ip mptcp limits set subflows 1 add_addr_accepted 1
$in_srv ip mptcp endpoint add 198.19.1.1 dev sv1 signal
for host in 198.19.0.1 0.0.0.0; do
	mkfifo "$T/l.sig$host"
	$in_srv "$SOCKKIT" mptcp-sockopt -l "$host" -t 20 >"$T/l.sig$host" 2>/dev/null &
	lpid=$!
	read -r _line <"$T/l.sig$host"
	port=${_line#port:}
	run bounded 20 $in_cli "$SOCKKIT" mptcp-sockopt -c 198.19.0.1 "$port" --subflows 2 -t 2 --json
	if [ "$host" = 0.0.0.0 ]; then
		is_rc 0 "a signal endpoint, -l 0.0.0.0: the join comes"
		json_ok "$T/out" '[.subflows[].remote | sub(":[0-9]+$"; "")] == ["198.19.0.1", "198.19.1.1"]' \
			"a signal endpoint, -l 0.0.0.0: the second subflow to the announced address"
	else
		is_rc 1 "a signal endpoint, -l $host: exit 1 after -t"
		is "$(cat "$T/err")" "mptcp-sockopt: 1 of 2 subflows established within 2 s (an announced address was taken, no join came up: a server on one address (-l HOST) refuses joins to others; use 0.0.0.0 or ::)" \
			"a signal endpoint, -l $host: the message names the listener's address"
		kill "$lpid"
	fi
	wait "$lpid" 2>/dev/null
done

# A namespace with no MPTCP connection: nothing, exit 0.
# shellcheck disable=SC2086
check "--all with no connection prints nothing" 0 '' '' $in_srv "$SOCKKIT" mptcp-sockopt --all

exec 7>&- 8>&-
wait
done_testing
