#!/bin/sh
# mptcp-sockopt -c HOST PORT over loopback: the report of one connection,
# against an MPTCP listener (MPTCP negotiated) and a plain TCP one
# (fallback), as text and as JSON (parsed with jq); options after the
# operands; --send, --interval and --count.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
probe

# Every member the manual promises, in every case (fallback included).
members='["local","remote","state","fallback","mptcp_info_size","mptcp_info","num_subflows","subflows"]'
info_members='["additional_subflows","add_addr_signal","add_addr_accepted","subflows_max","add_addr_signal_max","add_addr_accepted_max","flags","token","write_seq","snd_una","rcv_nxt","local_addr_used","local_addr_max","csum_enabled","retransmits","bytes_retrans","bytes_sent","bytes_received","bytes_acked","subflows_total","endp_laminar_max","last_data_sent","last_data_recv","last_ack_recv"]'
subflow_members='["local","remote","tcp_info","mptcp"]'

for fam in 4 6; do
	if [ "$fam" = 4 ]; then host=127.0.0.1; re='127\.0\.0\.1'; else host=::1; re='\[::1\]'; fi

	start_listener "m$fam" "-$fam"
	run bounded 10 "$SOCKKIT" mptcp-sockopt -c "$host" "$port"
	ok '[ "$rc" -eq 0 ]' "v$fam MPTCP listener: report exits 0"
	wait "$lpid"
	ok '[ "$?" -eq 0 ]' "v$fam MPTCP listener: served one connection and ended"
	out=$(cat "$T/out")
	while IFS='	' read -r pattern name; do
		like "$out" "$pattern" "v$fam MPTCP text: $name"
	done <<TABLE
^remote:$re:$port\$	remote address
^local:$re:[0-9]+\$	local address
^state:established\$	the connection's state by name
^fallback:no\$	not a fallback
^mptcp_info_size:$mptcp_info_size\$	the kernel's mptcp_info size
^additional_subflows:0\$	mptcpi_subflows, named for what it counts
^flags:remote_key\$	flags by name
^token:[0-9a-f]{1,8}\$	the token in hex, as ss prints it
^write_seq:[0-9]+\$	64-bit sequence numbers
^num_subflows:1\$	the subflow count, the first included
^subflow:0 local:$re:[0-9]+ remote:$re:$port state:established rtt_us:[0-9]+ rttvar_us:[0-9]+ snd_cwnd:[0-9]+ bytes_acked:[0-9]+ bytes_received:0 bytes_sent:0 bytes_retrans:0\$	the subflow line
TABLE

	# Options after the operands, as users of ss and ip write them.
	start_listener "mj$fam" "-$fam"
	run bounded 10 "$SOCKKIT" mptcp-sockopt -c "$host" "$port" --json
	ok '[ "$rc" -eq 0 ]' "v$fam MPTCP --json after the operands exits 0"
	wait "$lpid"
	is "$(wc -l <"$T/out")" 1 "v$fam MPTCP --json: one object on one line"
	while IFS='	' read -r filter name; do
		json_ok "$T/out" "$filter" "v$fam MPTCP --json: $name"
	done <<TABLE
keys_unsorted == $members	every member, in order
.mptcp_info | keys_unsorted == $info_members	every mptcp_info member
.fallback == false and .state == "established"	fallback false, the state by name
.mptcp_info_size == $mptcp_info_size	the kernel's mptcp_info size
.mptcp_info.write_seq | test("^[0-9]+\$")	write_seq a string of digits
.mptcp_info.snd_una | test("^[0-9]+\$")	snd_una a string of digits
.mptcp_info.rcv_nxt | test("^[0-9]+\$")	rcv_nxt a string of digits
.mptcp_info.token | test("^[0-9]+\$")	token a string of digits
.mptcp_info.flags == ["remote_key"]	flags by name
.num_subflows == 1 and (.subflows | length) == 1	one subflow
.subflows[0] | keys_unsorted == $subflow_members	every subflow member
.subflows[0].remote | endswith(":$port")	the subflow's remote end
.subflows[0].tcp_info.state == "established" and .subflows[0].tcp_info.rtt_us > 0	established, rtt measured
.subflows[0].mptcp == null	no sock_diag attributes in -c
TABLE

	start_listener "t$fam" "-$fam" --tcp
	run bounded 10 "$SOCKKIT" mptcp-sockopt -c "$host" "$port"
	ok '[ "$rc" -eq 0 ]' "v$fam TCP listener: report exits 0"
	wait "$lpid"
	out=$(cat "$T/out")
	like "$out" "^fallback:yes\$" "v$fam TCP listener: fallback reported"
	ok '! grep -q "^mptcp_info_size:" "$T/out"' "v$fam TCP: no MPTCP_INFO after fallback"
	like "$out" "^subflow:0 local:$re:[0-9]+ remote:$re:$port state:established rtt_us:[0-9]+" \
		"v$fam TCP: the TCP connection is its one subflow"

	start_listener "tj$fam" "-$fam" --tcp
	run bounded 10 "$SOCKKIT" mptcp-sockopt --json -c "$host" "$port"
	ok '[ "$rc" -eq 0 ]' "v$fam TCP --json exits 0"
	wait "$lpid"
	while IFS='	' read -r filter name; do
		json_ok "$T/out" "$filter" "v$fam TCP --json: $name"
	done <<TABLE
keys_unsorted == $members	every member after a fallback too
.fallback == true and .mptcp_info == null and .mptcp_info_size == null	fallback true, no mptcp_info
.num_subflows == 1 and .subflows[0].tcp_info.state == "established"	the TCP connection as the one subflow
TABLE
done

# --send BYTES: sent and acknowledged before the sample; --count samples.
start_listener send -4
run bounded 10 "$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" --send 100000 --count 3 \
	--interval 0.05 --json
ok '[ "$rc" -eq 0 ]' "--send --count --interval exits 0"
wait "$lpid"
is "$(wc -l <"$T/out")" 3 "--count 3 --json: three objects, one a line"
if [ "$mptcp_info_size" -ge 80 ]; then
	json_ok "$T/out" '.mptcp_info.bytes_sent == 100000 and .mptcp_info.bytes_acked == 100000' \
		"--send 100000: sent and acknowledged before the first sample"
else
	skip "--send 100000: sent and acknowledged before the first sample" \
		"this kernel's mptcp_info has no byte counters (6.5+)"
fi
json_ok "$T/out" '.mptcp_info.write_seq == .mptcp_info.snd_una' "--send: nothing unacknowledged"
json_ok "$T/out" '.subflows[0].tcp_info.bytes_sent >= 100000' "--send: the subflow carried it"

start_listener text -4
run bounded 10 "$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" --count 2 --interval 0.01
ok '[ "$rc" -eq 0 ]' "--count 2 as text exits 0"
wait "$lpid"
is "$(grep -c '^local:' "$T/out") $(grep -c '^$' "$T/out")" "2 1" \
	"--count 2 as text: two samples, a blank line between"

# The peer closes mid-sampling: the state is the connection's as it
# changes, as --all and ss -M read it, not its first subflow's (which
# stays established).  The peer is a small MPTCP server that says when it
# has accepted and closes when told, once the first sample is out: killing
# a listener before its accept would reset the connection instead.
peer='
import socket, sys
fam = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
s = socket.socket(fam, socket.SOCK_STREAM, 262)
s.bind((sys.argv[2], 0))
s.listen(1)
print("port:%d" % s.getsockname()[1], flush=True)
s.settimeout(10)
c = s.accept()[0]
print("accepted", flush=True)
sys.stdin.readline()
c.close()
'
for fam in 4 6; do
	if [ "$fam" = 4 ]; then host=127.0.0.1; else host=::1; fi
	mkfifo "$T/peer.in$fam" "$T/peer.out$fam" "$T/samples$fam"
	"${PY:-python3}" -c "$peer" "$fam" "$host" <"$T/peer.in$fam" >"$T/peer.out$fam" &
	ppid_=$!
	exec 4>"$T/peer.in$fam" 5<"$T/peer.out$fam"
	IFS= read -r line <&5
	"$SOCKKIT" mptcp-sockopt -c "$host" "${line#port:}" --count 3 --interval 0.5 --json \
		>"$T/samples$fam" 2>"$T/closing.err" &
	cpid=$!
	exec 3<"$T/samples$fam"
	IFS= read -r accepted <&5
	IFS= read -r first <&3
	echo close >&4
	cat <&3 >"$T/rest"
	exec 3<&- 4>&- 5<&-
	wait "$cpid"
	is "$?" 0 "v$fam peer closing mid-sampling: -c exits 0"
	wait "$ppid_"
	is "$accepted" accepted "v$fam peer closing mid-sampling: the peer accepted"
	printf '%s\n' "$first" >"$T/first"
	json_ok "$T/first" '.state == "established"' "v$fam peer closing mid-sampling: established before"
	is "$(jq -r .state "$T/rest" | paste -sd' ' -)" "close_wait close_wait" \
		"v$fam peer closing mid-sampling: close_wait after the peer's close"
done

# --send to a peer that never reads: what was acknowledged (its receive
# buffer's worth) and what was written are said, not "0".
mkfifo "$T/peer.in" "$T/peer.out"
"${PY:-python3}" -c "$peer" 4 127.0.0.1 <"$T/peer.in" >"$T/peer.out" &
ppid_=$!
exec 4>"$T/peer.in" 5<"$T/peer.out"
IFS= read -r line <&5
run bounded 20 "$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "${line#port:}" --send 20000000 -t 1
echo close >&4
exec 4>&- 5<&-
wait "$ppid_"
is_rc 1 "--send to a peer that never reads: exit 1 after -t"
msg=$(cat "$T/err")
like "$msg" '^mptcp-sockopt: [0-9]+ of 20000000 bytes acknowledged within 1 s \([0-9]+ written; a peer that does not read stops acknowledging\)$' \
	"--send to a peer that never reads: the message"
acked=${msg#mptcp-sockopt: }
acked=${acked%% *}
written=${msg#*(}
written=${written%% *}
ok '[ "$acked" -gt 0 ] && [ "$acked" -le "$written" ] && [ "$written" -lt 20000000 ]' \
	"--send to a peer that never reads: some acknowledged ($acked), no more than written ($written)"

# Nobody listening: a refused connection is a failure, at once.
start_listener gone -4
"$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" >/dev/null 2>&1
wait "$lpid"
check "a closed port: exit 1, saying so" 1 '' \
	"mptcp-sockopt: connect to 127.0.0.1 port $port: Connection refused" \
	bounded 10 "$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port"

# --subflows 2 against loopback, where no path manager makes a second:
# the wait ends at -t and says why.
start_listener lone -4
run bounded 10 "$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" --subflows 2 -t 1
ok '[ "$rc" -eq 1 ]' "--subflows 2 with one path: exit 1 after -t"
like "$(cat "$T/err")" "^mptcp-sockopt: 1 of 2 subflows established within 1 s \\(.+\\)\$" \
	"--subflows 2 with one path: says how many and why (paths.sh checks each reason)"
wait "$lpid"

# The listener's own bound: nobody connects within -t.
check "-l with no client: exit 1 after -t" 1 '*' "mptcp-sockopt: no connection within 1 s" \
	bounded 10 "$SOCKKIT" mptcp-sockopt -l -t 1 --port 0 -4
like "$(cat "$T/out")" '^port:[1-9][0-9]*$' "-l prints the port it listens on"
done_testing
