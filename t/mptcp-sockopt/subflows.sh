#!/bin/sh
# mptcp-sockopt --subflows N: the run builds two private network namespaces
# joined by N links and checks with N subflows established; more checks
# than one subflow, each link carrying one subflow; nothing left behind,
# even by a run killed mid-way; exit 4 where namespaces cannot be made.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

: "${1:?usage: subflows.sh SHIM.so PROBE [KERNEL]}"
require_mptcp
probe
"$SOCKKIT" mptcp-sockopt --list >"$T/list1"

for n in 2 3; do
	run bounded 30 "$SOCKKIT" mptcp-sockopt --subflows "$n"
	if skip_if_4 "--subflows $n"; then
		done_testing
	fi
	ok '[ "$rc" -eq 0 ]' "--subflows $n passes"
	"$SOCKKIT" mptcp-sockopt --list --subflows "$n" >"$T/list"
	expected_skips "$n" >"$T/skips"
	ok '[ "$(wc -l <"$T/list")" -gt "$(wc -l <"$T/list1")" ]' \
		"--subflows $n makes more checks than one subflow"
	is "$(sed -n 2p "$T/out")" "1..$((2 * $(wc -l <"$T/list")))" "--subflows $n: the plan"
	for fam in v4 v6; do
		is "$(checks_of $fam "$T/out")" "$(cat "$T/list")" "--subflows $n: $fam runs --list's checks"
		is "$(skipped_of $fam "$T/out")" "$(cat "$T/skips")" \
			"--subflows $n: $fam skips exactly what this kernel lacks"
	done
	is "$(cat "$T/err")" "" "--subflows $n: nothing on stderr"
done

# -v shows each subflow on a link of its own: 198.18.I.2 to 198.18.I.1.
run bounded 30 "$SOCKKIT" mptcp-sockopt --subflows 3 -4 -v
ok '[ "$rc" -eq 0 ]' "--subflows 3 -4 -v passes"
for i in 0 1 2; do
	like "$(cat "$T/out")" "^# v4 client MPTCP_SUBFLOW_ADDRS: num_subflows=3 size_kernel=[0-9]+ subflow $i local=198\\.18\\.$i\\.2:[0-9]+ remote=198\\.18\\.$i\\.1:[0-9]+\$" \
		"--subflows 3: subflow $i runs on link $i"
done
like "$(cat "$T/out")" "^# v4 server 3 subflows established$" "--subflows 3: the server waited for 3"

# Both families at once with -v: each family's lines come together, its
# -v lines then its results, IPv4's first (the families run concurrently).
run bounded 30 "$SOCKKIT" mptcp-sockopt --subflows 2 -v
is_rc 0 "--subflows 2 -v, both families: passes"
is "$(sed -n 's/^# \(v[46]\) .*/\1-v/p; s/^\(not \)\{0,1\}ok [0-9]* - \(v[46]\) .*/\2-results/p' "$T/out" |
	uniq | paste -sd' ' -)" "v4-v v4-results v6-v v6-results" \
	"--subflows 2 -v: the families' lines do not interleave"

# Two runs at once: their namespaces are their own.
run_two() {
	bounded 30 "$SOCKKIT" mptcp-sockopt --subflows 2
}
concurrent 2 "$T/two" run_two
is "$(cat "$T/two/0.rc") $(cat "$T/two/1.rc")" "0 0" "two --subflows runs at once both pass"

# Ended mid-way (the shim hangs the server in its echo, and says so on a
# fifo) by SIGKILL, SIGTERM, SIGINT (as from a terminal: the default
# action, which a shell's background job would otherwise ignore) or its
# own -t: once the run is gone, no process is in or holds any of its
# namespaces.  Sockets hold a namespace too; those were the run's own,
# and die with its processes.  SIGTERM and SIGINT print the checks that
# had finished, then a bail out, and end the run by the same signal.
for end in KILL TERM INT timeout; do
	if is_static "$SOCKKIT"; then
		skip "$end mid-way" "$SOCKKIT is statically linked: the LD_PRELOAD shim cannot hang its server"
		continue
	fi
	mkfifo "$T/ready.$end"
	exec 3<>"$T/ready.$end"
	limit=30
	[ "$end" = timeout ] && limit=2
	SOCKKIT_SHIM=hang SOCKKIT_SHIM_READY="$T/ready.$end" env --default-signal=INT \
		"$T/shimmed" mptcp-sockopt --subflows 2 -4 -v -t "$limit" \
		>"$T/hang.out" 2>"$T/hang.err" &
	victim=$!
	is "$(bounded 30 head -n 1 <&3)" hung "$end mid-way: the server hangs in its echo"
	exec 3<&-
	"${PY:-python3}" "$T_SRC/mptcp-sockopt/nsinodes.py" of "$victim" >"$T/ns"
	is "$(wc -l <"$T/ns")" 2 "$end mid-way: the run's two namespaces are seen (the server's, the client's)"
	kids=$(pgrep -P "$victim" | paste -sd' ' -)
	is "$(echo "$kids" | wc -w)" 2 "$end mid-way: the run has its server and client processes"
	# shellcheck disable=SC2046
	is "$("${PY:-python3}" "$T_SRC/mptcp-sockopt/nsinodes.py" held $(cat "$T/ns") | wc -l)" 1 \
		"$end mid-way: the one its processes are in is seen held (the other, by sockets only)"
	[ "$end" = timeout ] || kill -"$end" "$victim"
	wait "$victim"
	rc=$?
	for k in $kids; do
		ok "wait_gone $k" "$end mid-way: child $k dies with the run"
	done
	# shellcheck disable=SC2046
	is "$("${PY:-python3}" "$T_SRC/mptcp-sockopt/nsinodes.py" held $(cat "$T/ns"))" "" \
		"$end mid-way: then no process is in or holds any of the run's namespaces"
	case $end in
	TERM|INT)
		signo=15
		[ "$end" = INT ] && signo=2
		is "$rc" "$((128 + signo))" "SIG$end mid-way: the run ends by SIG$end"
		is "$(tail -n 1 "$T/hang.out")" \
			"Bail out! interrupted by SIG$end" \
			"SIG$end mid-way: a bail out with the reason, last"
		is "$(cat "$T/hang.err")" "mptcp-sockopt: interrupted by SIG$end" "SIG$end mid-way: said on stderr"
		like "$(cat "$T/hang.out")" "^ok 1 - v4 client SO_PROTOCOL is IPPROTO_MPTCP\$" \
			"SIG$end mid-way: the checks done before are printed"
		like "$(cat "$T/hang.out")" "^ok [0-9]+ - v4 server FIONREAD\$" \
			"SIG$end mid-way: the server's checks done before the hang too"
		like "$(cat "$T/hang.out")" "^# v4 client wrote [0-9]+ bytes\$" \
			"SIG$end mid-way: and the -v lines up to then"
		ok '! grep -q "write_seq delta" "$T/hang.out"' \
			"SIG$end mid-way: no line for a check that had not finished"
		;;
	esac
done
ok '! ip -o link show | grep -q " mpt[0-7][:@]"' "no link of the runs in this namespace"

# No room for namespaces (a user namespace whose limit is 0): exit 4 and one line.
if command -v unshare >/dev/null 2>&1 && unshare --user --map-root-user true 2>/dev/null; then
	run bounded 10 unshare --user --map-root-user sh -c \
		'echo 0 >/proc/sys/user/max_net_namespaces && exec "$0" mptcp-sockopt --subflows 2' "$SOCKKIT"
	ok '[ "$rc" -eq 4 ]' "no namespaces: exit 4"
	like "$(cat "$T/out")" "^1\\.\\.0 # SKIP cannot create a network namespace: [A-Z][a-z ]+\$" \
		"no namespaces: a TAP skip-all plan with the reason"
	like "$(cat "$T/err")" "^mptcp-sockopt: --subflows: cannot create a network namespace: [A-Z][a-z ]+\$" \
		"no namespaces: one line on stderr"
else
	skip "no namespaces: exit 4" "user namespaces are not available here"
fi

done_testing
