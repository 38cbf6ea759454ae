#!/bin/sh
# Every check of mptcp-sockopt can fail: an LD_PRELOAD shim (shim.c) feeds
# it one wrong kernel answer at a time, and the checks that read that
# answer must report "not ok" (and the run exit 1).  The shim also makes
# a child hang or die, which must end the run, bounded, naming the child.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

: "${1:?usage: shim.sh SHIM.so PROBE [KERNEL]}"
need_preload
require_mptcp
probe

# shimmed MODE ARGS...: a run with that corruption (on top of the emulated
# kernel's answers, when the group runs as one).
shimmed() {
	_mode=$1
	shift
	run bounded 30 env SOCKKIT_SHIM="$_mode" "$T/shimmed" mptcp-sockopt "$@"
}

# The shim passes everything through when no corruption is chosen.
shimmed none -4
ok '[ "$rc" -eq 0 ]' "the shim alone changes nothing"

# mode, subflows, and a check (without the "v4 ") it must make fail.
cat >"$T/map" <<'MAP'
so_protocol	1	client SO_PROTOCOL is IPPROTO_MPTCP
is_mptcp	1	client TCP_IS_MPTCP is 1
ulp_read	1	client TCP_ULP reads mptcp
ulp_tls	1	client TCP_ULP refuses tls
unknown_opt	1	client unknown SOL_MPTCP option refused
tos1	1	client IP_TOS round trip with len 1
tos0	1	client IP_TOS with len 0
tosneg	1	client IP_TOS with len -1 refused
info_size	1	client MPTCP_INFO sizing
info_wseq	1	client MPTCP_INFO write_seq delta
info_wseq	1	server MPTCP_INFO write_seq delta
info_rnxt	1	client MPTCP_INFO rcv_nxt delta
info_rnxt	1	server MPTCP_INFO rcv_nxt delta with FIN
info_bytes	1	client MPTCP_INFO byte counters
info_bytes	1	server MPTCP_INFO byte counters
tcpinfo	1	client MPTCP_TCPINFO
tcpinfo	1	server MPTCP_TCPINFO
tcpinfo_bogus	1	client MPTCP_TCPINFO malformed requests
tcpinfo_bogus	1	server MPTCP_TCPINFO malformed requests
odd_element	1	client MPTCP_TCPINFO malformed requests
odd_element	1	server MPTCP_TCPINFO malformed requests
odd_element	1	client MPTCP_SUBFLOW_ADDRS malformed requests
odd_element	1	server MPTCP_SUBFLOW_ADDRS malformed requests
addrs	1	client MPTCP_SUBFLOW_ADDRS
addrs	1	server MPTCP_SUBFLOW_ADDRS
addrs_family	1	client MPTCP_SUBFLOW_ADDRS family only
addrs_family	1	server MPTCP_SUBFLOW_ADDRS family only
addrs_bogus	1	client MPTCP_SUBFLOW_ADDRS malformed requests
addrs_bogus	1	server MPTCP_SUBFLOW_ADDRS malformed requests
full_info	1	client MPTCP_FULL_INFO
full_info	1	server MPTCP_FULL_INFO
full_bogus	1	client MPTCP_FULL_INFO malformed requests
outq	1	client TIOCOUTQ and SIOCOUTQNSD
echo	1	client echo data
listener	1	server MPTCP_INFO on the listener
fionread	1	server FIONREAD
tcp_inq	1	server TCP_INQ
info_subflows	2	client MPTCP_INFO subflow counters
info_subflows	2	server MPTCP_INFO subflow counters
stride	2	client MPTCP_TCPINFO each subflow at the kernel's stride
stride	2	server MPTCP_TCPINFO each subflow at the kernel's stride
stride	2	client MPTCP_SUBFLOW_ADDRS each subflow at the kernel's stride
stride	2	server MPTCP_SUBFLOW_ADDRS each subflow at the kernel's stride
stride	3	client MPTCP_TCPINFO each subflow at the kernel's stride
stride	3	server MPTCP_SUBFLOW_ADDRS each subflow at the kernel's stride
room	2	client room for one subflow of several
room	2	server room for one subflow of several
full_ids	2	client MPTCP_FULL_INFO each subflow
full_ids	2	server MPTCP_FULL_INFO each subflow
sf_bytes	2	client byte counters across subflows
sf_bytes	2	server byte counters across subflows
MAP

# A check this kernel lacks is skipped, whatever the shim does to it.
expected_skips 2 >"$T/skips"
cut -f1,2 "$T/map" | uniq >"$T/runs"
while IFS='	' read -r mode n; do
	shimmed "$mode" -4 --subflows "$n"
	if [ "$n" -gt 1 ] && skip_if_4 "$mode: --subflows $n"; then
		continue
	fi
	awk -F'\t' -v m="$mode" -v n="$n" '$1 == m && $2 == n { print $3 }' "$T/map" |
		grep -Fxvf "$T/skips" >"$T/checks"
	[ -s "$T/checks" ] || continue
	ok '[ "$rc" -eq 1 ]' "$mode (--subflows $n): the run fails"
	while IFS= read -r check; do
		like "$(cat "$T/out")" "^not ok [0-9]+ - v4 $check\$" "$mode (--subflows $n): '$check' fails"
	done <"$T/checks"
	like "$(cat "$T/out")" "^# v4 (client|server) .*: .*(expected|error|timed out)" \
		"$mode (--subflows $n): the failure says expected and got"
done <"$T/runs"

# The odd-header request must have filled its one-byte element.
shimmed odd_element -4
like "$(cat "$T/out")" "^# v4 client MPTCP_TCPINFO malformed requests: odd header: the one-byte element: expected non-zero, got 0\$" \
	"odd_element: the unfilled element is named"
# A wrong stride shows where the elements went astray.
shimmed stride -4 --subflows 2
like "$(cat "$T/out")" "^# v4 server MPTCP_TCPINFO each subflow at the kernel's stride: subflow 1 tcpi_state: expected established, got [0-9a-z_]+\$" \
	"stride: the element read astray is named"

# Every check the applet has is made to fail by some mode above.
"$SOCKKIT" mptcp-sockopt --list --subflows 2 | sort >"$T/all"
cut -f3 "$T/map" | sort -u >"$T/covered"
is "$(comm -23 "$T/all" "$T/covered" | paste -sd, -)" "" "every check has a corruption that fails it"

# A child that hangs: the run ends after -t, naming it, and the child is killed.
shimmed hang -4 -t 1
ok '[ "$rc" -eq 1 ]' "a hung server: exit 1"
is "$(cat "$T/err")" "mptcp-sockopt: v4: the server process did not finish within 1 s and was killed" \
	"a hung server: named, killed"
like "$(cat "$T/out")" "^not ok [0-9]+ - v4 client echo data\$" "a hung server: the client's wait is bounded"

# A child that dies.
shimmed crash -4
ok '[ "$rc" -eq 1 ]' "a dead server: exit 1"
is "$(cat "$T/err")" "mptcp-sockopt: v4: the server process was killed by signal 9" "a dead server: named"
like "$(cat "$T/out")" "^# v4 server MPTCP_INFO byte counters: not reached \\(after the transfer\\): the server process was killed by signal 9\$" \
	"a dead server: its unreached checks say why"
done_testing
