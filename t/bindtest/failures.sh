#!/bin/sh
# The cells of failed socket calls (!1 !2 ?A !A ?P !P ?6 L1?(), letter l), which a healthy
# kernel never shows: an LD_PRELOAD shim (shim.c) makes the call fail.
# Pins the fix of the original's inverted !1 (the cell in the table, the
# error in the verbose lines) and the errno in the JSON steps.
. "$T_SRC/bindtest/common.sh"

shim=${2:?usage: failures.sh HOLD-PORT SHIM.so}
need_preload
# An ASan build wants its runtime first; the shim is not instrumented.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
EAFNOSUPPORT_TEXT='(Address family not supported by protocol|Address family not supported)'
ENOPROTOOPT_TEXT='(Protocol not available)'

# shimmed MODE ARGS...: bindtest with that failure.
shimmed() {
	_mode=$1
	shift
	run bounded 30 env BINDTEST_SHIM="$_mode" LD_PRELOAD="$shim" "$SOCKKIT" bindtest $NS "$@"
}

shimmed none -s -A
is_rc 0 "the shim alone: exit 0"
is "$(row loop4 | cut -f 3)" "o[22-]" "the shim alone changes nothing"

# An IPv4-only kernel: socket(AF_INET6) fails.
shimmed no_inet6 -s
is_rc 0 "no AF_INET6: exit 0 (failures are results)"
is "$(row wild6)" "$(every_cell '!1')" "no AF_INET6: an IPv6 first socket is !1"
is "$(row loopm)" "$(every_cell '!1')" "no AF_INET6: a mapped first socket is !1"
is "$(row loop4)" "x	!2	x	!2	!2	!2	!2	?2(99)" "no AF_INET6: an IPv6 second socket is !2"
shimmed no_inet6
port=$(sed -n 's/^port = //p' "$T/out")
is "$(block wild6 wild4 | sed -n 1p)" "wild6 then wild4" "no AF_INET6 verbose: the pair"
like "$(block wild6 wild4 | sed -n '2,$p')" "^	failed socket for ::/$port, $EAFNOSUPPORT_TEXT\$" \
	"no AF_INET6 verbose: the error line, not the cell (the original had them swapped)"
like "$(block wild4 loop6 | sed -n '2,$p')" "^	failed socket for ::1/$port, $EAFNOSUPPORT_TEXT\$" \
	"no AF_INET6 verbose: a second socket's error line"
is "$(grep -c "$TAB!" "$T/out")" 0 "no AF_INET6 verbose: no cells"
shimmed no_inet6 -j
json_ok "$T/out" 'all(.tables[0].pairs[]; (.first.family == "AF_INET6" or .second.family == "AF_INET6") ==
	([.first.socket, .second.socket | objects | select(.ok == false)] | length == 1))' \
	"no AF_INET6 -j: a failed socket step for each pair with an AF_INET6 address"
json_ok "$T/out" '[.tables[0].pairs[] | .first.socket, .second.socket | objects | select(.ok == false) |
	[.errno, .error]] | unique == [[97, "EAFNOSUPPORT"]]' "no AF_INET6 -j: with its number and name"

# SO_REUSEPORT refused on the first socket.
shimmed reuseport -s -P
is_rc 0 "SO_REUSEPORT fails: exit 0"
is "$(row loop4)" "$(every_cell '?P')" "SO_REUSEPORT fails on the 1st: ?P"
shimmed reuseport -P
port=$(sed -n 's/^port = //p' "$T/out")
like "$(block loop4 loop6 | sed -n '2,$p')" \
	"^	failed setsockopt\\(SO_REUSEPORT\\) for 127\\.0\\.0\\.1/$port, $ENOPROTOOPT_TEXT\$" \
	"SO_REUSEPORT fails: the verbose line"

# SO_REUSEADDR refused on the second socket only.
shimmed reuseaddr_2nd -s -A
is "$(row loop6)" "$(every_cell '!A')" "SO_REUSEADDR fails on the 2nd: !A"
shimmed reuseaddr_2nd -j -A
json_ok "$T/out" 'all(.tables[0].pairs[]; .first.so_reuseaddr.ok == true and
	.second.so_reuseaddr.error == "ENOMEM" and .first.bind == null)' \
	"SO_REUSEADDR fails on the 2nd -j: the 1st succeeded, the 2nd failed, nothing bound"

# IPV6_V6ONLY refused: every pair with an AF_INET6 socket.
shimmed v6only -s -6
is "$(row wild6)" "$(every_cell '?6')" "IPV6_V6ONLY fails: ?6"
is "$(row wild4 | cut -f 1,3,8)" "x	x	?2(99)" "IPV6_V6ONLY fails: IPv4 pairs are untouched"
shimmed v6only -6
port=$(sed -n 's/^port = //p' "$T/out")
like "$(block wild4 wild6 | sed -n 2p)" "^	failed setsockopt\\(IPV6_V6ONLY, 1\\) for ::/$port, .+\$" \
	"IPV6_V6ONLY fails: the verbose line names the value set"
shimmed v6only -j
json_ok "$T/out" 'all(.tables[0].pairs[]; (.first.family == "AF_INET6" or .second.family == "AF_INET6") ==
	([.first.ipv6_v6only, .second.ipv6_v6only | objects | select(.error == "EINVAL")] | length == 1))' \
	"IPV6_V6ONLY fails -j: one failed step per pair with an AF_INET6 socket"

# Probe failures a healthy kernel shows: TCP cannot connect to a multicast
# address (c), a V6ONLY socket cannot send to a mapped one (x).
run bt -s -t -A -o 224.0.0.1
is "$(row loop4 | cut -f 4)" "o[--c-]" "connect to 224.0.0.1: c"
run bt -t -A -o 224.0.0.1
port=$(sed -n 's/^port = //p' "$T/out")
like "$(block loop4 loop6 | sed -n 4p)" \
	"^	failed to connect a packet to 224\\.0\\.0\\.1/$port: (Network is unreachable|Network unreachable)\$" \
	"connect to 224.0.0.1: the verbose line"
run bt -j -t -A -o 224.0.0.1
json_ok "$T/out" '[.tables[0].pairs[].probes[] | select(.letter == "c") | [.failed_step, .errno, .error]] |
	unique == [["connect", 101, "ENETUNREACH"]]' "connect to 224.0.0.1 -j: the failed step"
run bt -j -6 -A -o 127.0.0.1
json_ok "$T/out" '[.tables[0].pairs[].probes[] | select(.letter == "x") | [.target, .failed_step, .errno, .error]] |
	unique == [["other6", "sendto", 101, "ENETUNREACH"]]' "-6 -o 127.0.0.1 -j: the mapped sendto fails"

# listen(2) refused: right after the first bind (L1?), or late with -l (l).
shimmed listen -s -t
is "$(row loop4)" "$(every_cell 'L1?(95)')" "listen fails: L1?(EOPNOTSUPP)"
shimmed listen -t
port=$(sed -n 's/^port = //p' "$T/out")
like "$(block loop4 loop6 | sed -n 3p)" "^	failed listen on for 127\\.0\\.0\\.1/$port: .+\$" \
	"listen fails: the verbose line"
shimmed listen -s -t -A -1 -l
is "$(row loop4 | cut -f 1-6)" "o[l---]	o[l---]	o[l---]	o[l---]	o[l---]	o[l---]" \
	"listen fails with -l: the 1st socket's delayed listen is l"
is "$(row wild4 | cut -f 3)" "o[----]" "listen fails with -l: nothing tried, nothing listens"
done_testing
