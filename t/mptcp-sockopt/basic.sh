#!/bin/sh
# mptcp-sockopt: every check passes for IPv4 and IPv6 on this kernel; the
# TAP stream has one line per check and family; options and usage errors.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
checks=33

run bounded 30 "$SOCKKIT" mptcp-sockopt
is_rc 0 "default run (v4 and v6) passes"
is "$(sed -n 2p "$T/out")" "1..$((2 * checks))" "the plan comes first"
is "$(count_lines '^ok [0-9]+ - v4 ' "$T/out")" "$checks" "one ok line per v4 check"
is "$(count_lines '^ok [0-9]+ - v6 ' "$T/out")" "$checks" "one ok line per v6 check"
is "$(count_lines '^not ok' "$T/out")" 0 "no check fails"
is "$(count_lines '# SKIP' "$T/out")" 0 "no check is skipped on this kernel"
# The numbering runs 1..N without gaps.
is "$(sed -n 's/^ok \([0-9]*\) .*/\1/p' "$T/out" | tr '\n' ' ')" \
	"$(seq 1 $((2 * checks)) | tr '\n' ' ')" "tests are numbered in order"
is "$(sed -n 's/^ok [0-9]* - v4 //p' "$T/out")" "$(sed -n 's/^ok [0-9]* - v6 //p' "$T/out")" \
	"v4 and v6 run the same checks"
for c in "client MPTCP_INFO write_seq delta" "server MPTCP_INFO rcv_nxt delta with FIN" \
	"client MPTCP_FULL_INFO" "server TCP_INQ" "client TCP_IS_MPTCP is 1" \
	"client IP_TOS with len -1 refused" "server MPTCP_SUBFLOW_ADDRS malformed requests"; do
	like "$(cat "$T/out")" "^ok [0-9]+ - v6 $c\$" "reports: $c"
done
is "$(cat "$T/err")" "" "nothing on stderr"

run bounded 30 "$SOCKKIT" mptcp-sockopt -4
is_rc 0 "-4 passes"
is "$(count_lines '^ok [0-9]+ - v4 ' "$T/out") $(count_lines ' - v6 ' "$T/out")" "$checks 0" \
	"-4 runs IPv4 only"
run bounded 30 "$SOCKKIT" mptcp-sockopt -6
is_rc 0 "-6 passes"
is "$(count_lines '^ok [0-9]+ - v6 ' "$T/out") $(count_lines ' - v4 ' "$T/out")" "$checks 0" \
	"-6 runs IPv6 only"

# -v: every value read, as TAP comments.
run bounded 30 "$SOCKKIT" mptcp-sockopt -4 -v
is_rc 0 "-v passes"
like "$(cat "$T/out")" '^# v4 client before MPTCP_INFO \([0-9]+ bytes\): subflows=0 .* write_seq=[0-9]+ ' \
	"-v prints MPTCP_INFO fields by name"
like "$(cat "$T/out")" '^# v4 server after MPTCP_INFO .* bytes_received=[0-9]+ ' \
	"-v prints the server's last sample"
like "$(cat "$T/out")" '^# v4 client MPTCP_SUBFLOW_ADDRS: num_subflows=1 size_kernel=[0-9]+ subflow 0 local=127\.0\.0\.1:[0-9]+ remote=127\.0\.0\.1:[0-9]+$' \
	"-v prints the subflow addresses"
like "$(cat "$T/out")" '^# v4 server subflow 0 tcp_info \([0-9]+ bytes\): state=1 rtt_us=' \
	"-v prints the subflow tcp_info"
is "$(grep -c '^# ' "$T/out" | awk '{print ($1 >= 20)}')" 1 "-v prints at least 20 value lines"

# -p: a chosen port.  Take one the kernel just handed out and freed.
start_listener p -4
"$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" >/dev/null 2>&1
wait "$lpid"
run bounded 30 "$SOCKKIT" mptcp-sockopt -4 -v -p "$port"
is_rc 0 "-p PORT passes"
like "$(cat "$T/out")" "remote=127\\.0\\.0\\.1:$port\$" "-p PORT is the port used"

# -p on a port that is taken: every check fails at once, saying why.
start_listener busy -4
run bounded 10 "$SOCKKIT" mptcp-sockopt -4 -p "$port"
is_rc 1 "-p on a busy port fails"
like "$(cat "$T/err")" "^mptcp-sockopt: v4: bind on 127\\.0\\.0\\.1: Address (already )?in use\$" "it says why"
is "$(count_lines '^not ok' "$T/out")" "$checks" "every v4 check is reported failed"
"$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" >/dev/null 2>&1
wait "$lpid"

# Usage errors exit 2.
for args in "-c" "-c 127.0.0.1" "-c 127.0.0.1 0" "-c 127.0.0.1 1 2" "extra" "--json" \
	"--tcp" "-t 0" "-p 70000" "-c -l 127.0.0.1 1" "-c localhost 80" "--bogus"; do
	# shellcheck disable=SC2086
	run "$SOCKKIT" mptcp-sockopt $args
	is_rc 2 "usage error: $args"
done
# usage_message MESSAGE ARGS...: exit 2 with exactly that message.
usage_message() {
	_msg=$1
	shift
	run "$SOCKKIT" mptcp-sockopt "$@"
	is "$rc $(head -n 1 "$T/err")" "2 mptcp-sockopt: $_msg" "usage error $*: the message"
}
usage_message "-c and -l exclude each other" -c -l 127.0.0.1 1
usage_message "localhost: not a numeric address" -c localhost 80
usage_message "::1: not a numeric IPv4 address" -4 -c ::1 80
usage_message "127.0.0.1: not a numeric IPv6 address" -6 -c 127.0.0.1 80
usage_message "bad port '0'" -c 127.0.0.1 0
usage_message "-p is not for -c: the port to connect to is the PORT operand" -p 5 -c 127.0.0.1 80
usage_message "-v goes with the checks, not with -c" -v -c 127.0.0.1 80
usage_message "-v goes with the checks, not with -l" -v -l
usage_message "--json goes with -c" --json
usage_message "--tcp goes with -l" --tcp
usage_message "operands are for -c HOST PORT only" 127.0.0.1 80

run "$SOCKKIT" mptcp-sockopt --help
is_rc 0 "--help"
like "$(cat "$T/out")" "-c, --connect" "--help lists the options"

done_testing
