#!/bin/sh
# Checks whose code never ran are "not ok" with the reason, never a silent
# ok: the message's data never arrives (an nft rule in a namespace of the
# test's own drops it, as a new user's firewall did), and both children
# stopped by SIGSTOP (the shim makes each stop itself mid-run); and a
# run ended by SIGTERM prints only the checks that had finished.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
probe

# reasons TAG FILE: each check of family TAG as "CHECK<TAB>WHY", WHY the
# first diagnostic line of a check that is not ok, "ok" for a pass.
reasons() {
	awk -v tag="$1" '
		/^(not )?ok [0-9]+ - / && $0 !~ / # SKIP / {
			name = $0; sub(/^(not )?ok [0-9]+ - /, "", name)
			if (name !~ "^" tag " ") next
			sub("^" tag " ", "", name)
			order[++n] = name
			why[name] = /^ok/ ? "ok" : ""
			next
		}
		/^# / {
			for (i = n; i >= 1; i--) {
				prefix = "# " tag " " order[i] ": "
				if (index($0, prefix) == 1 && why[order[i]] == "") {
					why[order[i]] = substr($0, length(prefix) + 1)
					break
				}
			}
		}
		END { for (i = 1; i <= n; i++) printf "%s\t%s\n", order[i], why[order[i]] }
	' "$2"
}

# expect_table SCENARIO TAG FILE: every line of the table below for this
# scenario: the check's reason must match.
expect_table() {
	reasons "$2" "$3" >"$T/reasons"
	awk -F'\t' -v s="$1" '$1 == s { print $2 "\t" $3 }' "$T/table" >"$T/cases"
	while IFS='	' read -r check want; do
		got=$(awk -F'\t' -v c="$check" '$1 == c { print $2 }' "$T/reasons")
		like "$got" "^$want\$" "$1: $2 $check"
	done <"$T/cases"
}

# scenario, check (without the family), the reason its diagnostic gives.
# The five of the new user's report come first in each; the client's
# reason when data never arrives is its own timeout (glibc and musl word
# ETIMEDOUT differently), or the server's FIN once the server gave up first.
sent='the client stopped at echo data: (reading the echo: (Connection|Operation) timed out|echo length: expected [0-9]+, got 0 \(EOF\))'
queued='the server stopped at FIONREAD: timed out with 0 of [0-9]+ bytes queued'
after='not reached \(after the transfer\)'
cat >"$T/table" <<TABLE
dropped	client MPTCP_INFO write_seq delta	$after: $sent
dropped	client MPTCP_INFO rcv_nxt delta	$after: $sent
dropped	client TIOCOUTQ and SIOCOUTQNSD	$after: $sent
dropped	server MPTCP_INFO write_seq delta	$after: $queued
dropped	server MPTCP_INFO rcv_nxt delta with FIN	$after: $queued
dropped	client MPTCP_INFO byte counters	$after: $sent
dropped	client MPTCP_TCPINFO	$after: $sent
dropped	client MPTCP_FULL_INFO	$after: $sent
dropped	client echo data	(reading the echo: (Connection|Operation) timed out|echo length: expected [0-9]+, got 0 \(EOF\))
dropped	server FIONREAD	timed out with 0 of [0-9]+ bytes queued
dropped	server TCP_INQ	$after: $queued
dropped	client SO_PROTOCOL is IPPROTO_MPTCP	ok
dropped	server MPTCP_INFO on the listener	ok
stopped	client MPTCP_INFO write_seq delta	$after: the client process did not finish within 1 s and was killed
stopped	client MPTCP_INFO rcv_nxt delta	$after: the client process did not finish within 1 s and was killed
stopped	client TIOCOUTQ and SIOCOUTQNSD	$after: the client process did not finish within 1 s and was killed
stopped	server MPTCP_INFO write_seq delta	$after: the server process did not finish within 1 s and was killed
stopped	server MPTCP_INFO rcv_nxt delta with FIN	$after: the server process did not finish within 1 s and was killed
stopped	client echo data	not reached \(the transfer\): the client process did not finish within 1 s and was killed
stopped	client MPTCP_FULL_INFO malformed requests	not reached \(connected\): the client process did not finish within 1 s and was killed
stopped	server TCP_INQ	$after: the server process did not finish within 1 s and was killed
stopped	server FIONREAD	ok
stopped	client MPTCP_INFO sizing	ok
TABLE

# A skip (an older kernel's missing option) is no pass: it is left out of
# reasons, so a check this kernel skips is not held to the table.
expected_skips 1 >"$T/skips"
grep -Fvf "$T/skips" "$T/table" >"$T/table.kept" || :
mv "$T/table.kept" "$T/table"

# Data that never arrives: the handshake passes, every TCP packet longer
# than 150 bytes (the message, the echo) is dropped.
if command -v nft >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
	unshare -n true 2>/dev/null; then
	run bounded 20 unshare -n sh -c 'ip link set lo up &&
		nft add table inet drop_data &&
		nft add chain inet drop_data out "{ type filter hook output priority 0; }" &&
		nft add rule inet drop_data out meta l4proto tcp meta length gt 150 drop &&
		exec "$SOCKKIT" mptcp-sockopt -t 2'
	is_rc 1 "data dropped: exit 1"
	for tag in v4 v6; do
		expect_table dropped "$tag" "$T/out"
	done
	is "$(grep -c '^ok [0-9]* - v[46] client MPTCP_INFO write_seq delta$' "$T/out")" 0 \
		"data dropped: no write_seq delta passes without its after sample"
else
	skip "data dropped" "nft, ip or unshare -n unavailable"
fi

# Both children stopped: killed after -t, every check after the stop they
# never reached is not ok, naming the kill.
if [ -z "$MPT_EMULATE" ] && is_static "$SOCKKIT"; then
	skip "children stopped" "$SOCKKIT is statically linked: LD_PRELOAD cannot reach it"
else
	run bounded 20 env SOCKKIT_SHIM=stop "$T/shimmed" mptcp-sockopt -t 1
	is_rc 1 "children stopped: exit 1"
	for tag in v4 v6; do
		expect_table stopped "$tag" "$T/out"
	done
	like "$(cat "$T/err")" "^mptcp-sockopt: v4: the client process did not finish within 1 s and was killed$" \
		"children stopped: the kill is on stderr"
fi

# Started with SIGCHLD ignored (a careless parent): the children must not
# be reaped behind the run's back, leaving how they ended unknown.
run bounded 30 "${PY:-python3}" -c '
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execvp(sys.argv[1], sys.argv[1:])' "$SOCKKIT" mptcp-sockopt -4
is_rc 0 "SIGCHLD ignored by the caller: the run passes"
is "$(cat "$T/err")" "" "SIGCHLD ignored by the caller: nothing on stderr"

# SIGTERM while both families' servers hang in their echo (the shim says
# so on a fifo): every check that had finished, of both families in
# order, then the bail out; the children go with the run.
if [ -z "$MPT_EMULATE" ] && is_static "$SOCKKIT"; then
	skip "SIGTERM mid-run" "$SOCKKIT is statically linked: LD_PRELOAD cannot reach it"
else
	mkfifo "$T/ready"
	exec 3<>"$T/ready"
	SOCKKIT_SHIM=hang SOCKKIT_SHIM_READY="$T/ready" "$T/shimmed" mptcp-sockopt -t 30 \
		>"$T/term.out" 2>"$T/term.err" &
	victim=$!
	is "$(bounded 30 head -n 2 <&3 | paste -sd' ' -)" "hung hung" "SIGTERM mid-run: both servers hang"
	exec 3<&-
	kids=$(pgrep -P "$victim" | paste -sd' ' -)
	kill -TERM "$victim"
	wait "$victim"
	is "$?" 143 "SIGTERM mid-run: the run ends by SIGTERM"
	for k in $kids; do
		ok "wait_gone $k" "SIGTERM mid-run: child $k dies with the run"
	done
	is "$(tail -n 1 "$T/term.out")" "Bail out! interrupted by SIGTERM" "SIGTERM mid-run: the bail out, last"
	is "$(cat "$T/term.err")" "mptcp-sockopt: interrupted by SIGTERM" "SIGTERM mid-run: stderr says it"
	is "$(sed -n 's/^ok [0-9]* - \(v[46]\) .*/\1/p' "$T/term.out" | uniq | paste -sd' ' -)" "v4 v6" \
		"SIGTERM mid-run: the finished checks of both families, in order"
	is "$(awk '/^(not )?ok/ { n++; if ($0 !~ "^(not )?ok " n " ") bad++ } END { print (n > 0 && !bad) ? "yes" : "no" }' "$T/term.out")" yes \
		"SIGTERM mid-run: numbered one after the other"
	like "$(cat "$T/term.out")" "^ok [0-9]+ - v6 server FIONREAD\$" "SIGTERM mid-run: a check done before the hang is there"
	ok '! grep -q "write_seq delta" "$T/term.out"' "SIGTERM mid-run: no line for an unfinished check"
fi
done_testing
