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

# Two runs at once: their namespaces are their own.
run_two() {
	bounded 30 "$SOCKKIT" mptcp-sockopt --subflows 2
}
concurrent 2 "$T/two" run_two
is "$(cat "$T/two/0.rc") $(cat "$T/two/1.rc")" "0 0" "two --subflows runs at once both pass"

# Ended mid-way (the shim hangs the server in its echo) by SIGKILL,
# SIGTERM, SIGINT (as from a terminal: the default action, which a shell's
# background job would otherwise ignore) or its own -t: once the run is
# gone, no process is in or holds any of its namespaces.  Sockets hold a
# namespace too; those were the run's own, and die with its processes.
for end in KILL TERM INT timeout; do
	if is_static "$SOCKKIT"; then
		skip "$end mid-way" "$SOCKKIT is statically linked: the LD_PRELOAD shim cannot hang its server"
		continue
	fi
	mkfifo "$T/hang.$end"
	limit=30
	[ "$end" = timeout ] && limit=2
	SOCKKIT_SHIM=hang env --default-signal=INT "$T/shimmed" mptcp-sockopt --subflows 2 -4 -v \
		-t "$limit" >"$T/hang.$end" 2>/dev/null &
	victim=$!
	exec 3<"$T/hang.$end"
	while IFS= read -r line <&3 && [ "${line#\# v4 client wrote}" = "$line" ]; do :; done
	"${PY:-python3}" "$T_SRC/mptcp-sockopt/nsinodes.py" of "$victim" >"$T/ns"
	is "$(wc -l <"$T/ns")" 2 "$end mid-way: the run's two namespaces are seen (the server's, the client's)"
	kids=$(pgrep -P "$victim" | paste -sd' ' -)
	is "$(echo "$kids" | wc -w)" 2 "$end mid-way: the run has its server and client processes"
	# shellcheck disable=SC2046
	is "$("${PY:-python3}" "$T_SRC/mptcp-sockopt/nsinodes.py" held $(cat "$T/ns") | wc -l)" 1 \
		"$end mid-way: the one its processes are in is seen held (the other, by sockets only)"
	[ "$end" = timeout ] || kill -"$end" "$victim"
	cat <&3 >/dev/null
	wait "$victim" 2>/dev/null
	exec 3<&-
	for k in $kids; do
		ok "wait_gone $k" "$end mid-way: child $k dies with the run"
	done
	# shellcheck disable=SC2046
	is "$("${PY:-python3}" "$T_SRC/mptcp-sockopt/nsinodes.py" held $(cat "$T/ns"))" "" \
		"$end mid-way: then no process is in or holds any of the run's namespaces"
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
