#!/bin/sh
# Every check of mptcp-sockopt can fail: an LD_PRELOAD shim (shim.c) feeds
# it one wrong kernel answer at a time, and the check that reads that
# answer must report "not ok" (and the run exit 1).  The shim also makes
# a child hang or die, which must end the run, bounded, naming the child.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

shim=${1:?usage: shim.sh SHIM.so}
need_preload
require_mptcp
# An ASan build wants its runtime first; the shim is not instrumented.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

shimmed() {
	_mode=$1
	shift
	run bounded 20 env SOCKKIT_SHIM="$_mode" LD_PRELOAD="$shim" "$SOCKKIT" mptcp-sockopt "$@"
}

# The shim passes everything through when no corruption is chosen.
shimmed none -4
is_rc 0 "the shim alone changes nothing"

# mode: the checks (without the "v4 " prefix) it must make fail.
cat >"$T/map" <<'MAP'
so_protocol	client SO_PROTOCOL is IPPROTO_MPTCP
is_mptcp	client TCP_IS_MPTCP is 1
ulp_read	client TCP_ULP reads mptcp
ulp_tls	client TCP_ULP refuses tls
unknown_opt	client unknown SOL_MPTCP option refused
tos1	client IP_TOS round trip with len 1
tos0	client IP_TOS with len 0
tosneg	client IP_TOS with len -1 refused
info_size	client MPTCP_INFO sizing
info_wseq	client MPTCP_INFO write_seq delta
info_wseq	server MPTCP_INFO write_seq delta
info_rnxt	client MPTCP_INFO rcv_nxt delta
info_rnxt	server MPTCP_INFO rcv_nxt delta with FIN
info_bytes	client MPTCP_INFO byte counters
info_bytes	server MPTCP_INFO byte counters
tcpinfo	client MPTCP_TCPINFO
tcpinfo	server MPTCP_TCPINFO
tcpinfo_bogus	client MPTCP_TCPINFO malformed requests
tcpinfo_bogus	server MPTCP_TCPINFO malformed requests
odd_element	client MPTCP_TCPINFO malformed requests
odd_element	server MPTCP_TCPINFO malformed requests
odd_element	client MPTCP_SUBFLOW_ADDRS malformed requests
odd_element	server MPTCP_SUBFLOW_ADDRS malformed requests
addrs	client MPTCP_SUBFLOW_ADDRS
addrs	server MPTCP_SUBFLOW_ADDRS
addrs_family	client MPTCP_SUBFLOW_ADDRS family only
addrs_family	server MPTCP_SUBFLOW_ADDRS family only
addrs_bogus	client MPTCP_SUBFLOW_ADDRS malformed requests
addrs_bogus	server MPTCP_SUBFLOW_ADDRS malformed requests
full_info	client MPTCP_FULL_INFO
full_info	server MPTCP_FULL_INFO
full_bogus	client MPTCP_FULL_INFO malformed requests
outq	client TIOCOUTQ and SIOCOUTQNSD
echo	client echo data
listener	server MPTCP_INFO on the listener
fionread	server FIONREAD
tcp_inq	server TCP_INQ
MAP

modes=$(cut -f1 "$T/map" | uniq)
for mode in $modes; do
	shimmed "$mode" -4
	is_rc 1 "$mode: the run fails"
	grep "^$mode	" "$T/map" | cut -f2 >"$T/checks"
	while IFS= read -r check; do
		like "$(cat "$T/out")" "^not ok [0-9]+ - v4 $check\$" "$mode: '$check' fails"
	done <"$T/checks"
	like "$(cat "$T/out")" "^# v4 [a-z]+ .*: .*(expected|error|timed out)" "$mode: the failure says expected and got"
done

# The odd-header request must have filled its one-byte element.
shimmed odd_element -4
like "$(cat "$T/out")" "^# v4 client MPTCP_TCPINFO malformed requests: odd header: the one-byte element: expected non-zero, got 0\$" \
	"odd_element: the unfilled element is named"

# Every check the applet has is made to fail by some mode above.
run "$SOCKKIT" mptcp-sockopt -4
sed -n 's/^ok [0-9]* - v4 //p' "$T/out" | sort >"$T/all"
cut -f2 "$T/map" | sort -u >"$T/covered"
is "$(comm -23 "$T/all" "$T/covered" | paste -sd, -)" "" "every check has a corruption that fails it"

# An older kernel's answers (as 6.1: no MPTCP_FULL_INFO, no TCP_IS_MPTCP,
# a 48-byte mptcp_info): the missing options are skips, the rest passes.
shimmed old_kernel -4
is_rc 0 "an older kernel: exit 0"
is "$(sed -n 's/^ok [0-9]* - v4 \(.*\) # SKIP .*/\1/p' "$T/out" | paste -sd, -)" \
	"client TCP_IS_MPTCP is 1,client MPTCP_INFO byte counters,client MPTCP_FULL_INFO,client MPTCP_FULL_INFO malformed requests,server MPTCP_INFO byte counters,server MPTCP_FULL_INFO" \
	"an older kernel: the checks of missing options are skipped"
like "$(cat "$T/out")" "^ok [0-9]+ - v4 client MPTCP_INFO byte counters # SKIP this kernel's mptcp_info is 48 bytes: no byte counters \\(6\\.5\\+\\)\$" \
	"an older kernel: the skip says why"
like "$(cat "$T/out")" "^ok [0-9]+ - v4 server MPTCP_FULL_INFO # SKIP MPTCP_FULL_INFO \\(6\\.5\\+\\) not supported by this kernel \\(.*\\)\$" \
	"an older kernel: MPTCP_FULL_INFO skip says why"

# A child that hangs: the run ends after -t, naming it, and the child is killed.
shimmed hang -4 -t 1
is_rc 1 "a hung server: exit 1"
like "$(cat "$T/err")" "^mptcp-sockopt: v4: the server process did not finish within 1 s and was killed\$" \
	"a hung server: named, killed"
like "$(cat "$T/out")" "^not ok [0-9]+ - v4 client echo data\$" "a hung server: the client's wait is bounded"

# A child that dies.
shimmed crash -4
is_rc 1 "a dead server: exit 1"
like "$(cat "$T/err")" "^mptcp-sockopt: v4: the server process was killed by signal 9\$" "a dead server: named"
like "$(cat "$T/out")" "# v4 server MPTCP_INFO byte counters: the server process was killed by signal 9" \
	"a dead server: its unreached checks say why"
done_testing
