#!/bin/sh
# mptcp-sockopt -c HOST PORT: the report of one connection, against an
# MPTCP listener (MPTCP negotiated) and a plain TCP one (fallback).
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp

for fam in 4 6; do
	if [ "$fam" = 4 ]; then host=127.0.0.1; re='127\.0\.0\.1'; else host=::1; re='\[::1\]'; fi

	start_listener "m$fam" "-$fam"
	run bounded 10 "$SOCKKIT" mptcp-sockopt -c "$host" "$port"
	is_rc 0 "v$fam MPTCP listener: report exits 0"
	wait "$lpid"
	is "$?" 0 "v$fam MPTCP listener: served one connection and ended"
	out=$(cat "$T/out")
	like "$out" "^remote:$re:$port\$" "v$fam MPTCP: remote address"
	like "$out" "^local:$re:[0-9]+\$" "v$fam MPTCP: local address"
	like "$out" "^fallback:no\$" "v$fam MPTCP: not a fallback"
	like "$out" "^mptcp_info_size:(48|80|88|96|1[0-9][0-9])\$" "v$fam MPTCP: the kernel's mptcp_info size"
	like "$out" "^write_seq:[0-9]+\$" "v$fam MPTCP: MPTCP_INFO fields"
	like "$out" "^flags:[0-9]+\$" "v$fam MPTCP: flags"
	is "$(grep -c '^subflow_count:1$' "$T/out")" 1 "v$fam MPTCP: one subflow"
	like "$out" "^subflow:0 local:$re:[0-9]+ remote:$re:$port state:1 rtt_us:[0-9]+ rttvar_us:[0-9]+ snd_cwnd:[0-9]+ bytes_acked:[0-9]+ bytes_received:0 bytes_sent:0\$" \
		"v$fam MPTCP: the subflow line"

	start_listener "mj$fam" "-$fam"
	run bounded 10 "$SOCKKIT" mptcp-sockopt --json -c "$host" "$port"
	is_rc 0 "v$fam MPTCP --json exits 0"
	wait "$lpid"
	out=$(tr -d ' \n' <"$T/out")
	like "$out" '"fallback":false,"mptcp_info_size":[0-9]+,"mptcp_info":\{"subflows":0,' "v$fam MPTCP --json: fallback false, mptcp_info"
	like "$out" '"subflows":\[\{"local":"[^"]+","remote":"[^"]+:'"$port"'","tcp_info":\{"state":1,"rtt_us":[0-9]+' \
		"v$fam MPTCP --json: the subflow"
	if command -v python3 >/dev/null 2>&1; then
		is "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["fallback"], len(d["subflows"]))' <"$T/out")" \
			"False 1" "v$fam MPTCP --json parses"
	fi

	start_listener "t$fam" "-$fam" --tcp
	run bounded 10 "$SOCKKIT" mptcp-sockopt -c "$host" "$port"
	is_rc 0 "v$fam TCP listener: report exits 0"
	wait "$lpid"
	out=$(cat "$T/out")
	like "$out" "^fallback:yes\$" "v$fam TCP listener: fallback reported"
	is "$(grep -c '^mptcp_info_size:' "$T/out")" 0 "v$fam TCP: no MPTCP_INFO after fallback"
	like "$out" "^subflow:0 local:$re:[0-9]+ remote:$re:$port state:1 rtt_us:[0-9]+" "v$fam TCP: the TCP connection's tcp_info"

	start_listener "tj$fam" "-$fam" --tcp
	run bounded 10 "$SOCKKIT" mptcp-sockopt --json -c "$host" "$port"
	is_rc 0 "v$fam TCP --json exits 0"
	wait "$lpid"
	out=$(tr -d ' \n' <"$T/out")
	like "$out" '"fallback":true,"mptcp_info":null,"subflows":\[\{' "v$fam TCP --json: fallback true"
done

# Nobody listening: a refused connection is a failure, at once.
start_listener gone -4
"$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" >/dev/null 2>&1
wait "$lpid"
run bounded 10 "$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port"
is_rc 1 "a closed port: exit 1"
like "$(cat "$T/err")" "^mptcp-sockopt: connect to 127\\.0\\.0\\.1 port $port: Connection refused\$" "a closed port: says so"

# The listener's own bound: nobody connects within -t.
run bounded 10 "$SOCKKIT" mptcp-sockopt -l -t 1
is_rc 1 "-l with no client: exit 1 after -t"
like "$(cat "$T/err")" "no connection within 1 s" "-l with no client: says so"
done_testing
