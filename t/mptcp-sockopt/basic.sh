#!/bin/sh
# mptcp-sockopt over loopback (one subflow): every check of --list runs for
# IPv4 and IPv6 and passes, skipped exactly where the kernel lacks the
# option; the TAP stream, -v, -p, --list and the usage errors.
. "$T_SRC/lib.sh"
. "$T_SRC/mptcp-sockopt/common.sh"

require_mptcp
probe
"$SOCKKIT" mptcp-sockopt --list >"$T/list"
checks=$(wc -l <"$T/list")
expected_skips 1 >"$T/skips"

run bounded 30 "$SOCKKIT" mptcp-sockopt
ok '[ "$rc" -eq 0 ]' "default run (v4 and v6) passes"
is "$(sed -n 1,2p "$T/out" | paste -sd' ' -)" "TAP version 13 1..$((2 * checks))" \
	"the plan comes first: --list's checks, twice"
for fam in v4 v6; do
	is "$(checks_of $fam "$T/out")" "$(cat "$T/list")" "$fam runs --list's checks, in order"
	is "$(skipped_of $fam "$T/out")" "$(cat "$T/skips")" \
		"$fam skips exactly what this kernel lacks (the probe's answer)"
done
ok '! grep -q "^not ok" "$T/out"' "no check fails"
is "$(sed -n 's/^\(not \)\{0,1\}ok \([0-9]*\) .*/\2/p' "$T/out" | paste -sd' ' -)" \
	"$(seq 1 $((2 * checks)) | paste -sd' ' -)" "tests are numbered in order"
is "$(cat "$T/err")" "" "nothing on stderr"

for fam in 4 6; do
	run bounded 30 "$SOCKKIT" mptcp-sockopt -$fam
	ok '[ "$rc" -eq 0 ]' "-$fam passes"
	is "$(sed -n 2p "$T/out") $(grep -c " - v$((10 - fam)) " "$T/out")" "1..$checks 0" \
		"-$fam runs IPv$fam only"
done

# -v: every value read, as TAP comments.
run bounded 30 "$SOCKKIT" mptcp-sockopt -4 -v
ok '[ "$rc" -eq 0 ]' "-v passes"
# ... also into a file opened for appending, as `-v >> LOG` does.
echo "an earlier line" >"$T/log"
bounded 30 "$SOCKKIT" mptcp-sockopt -4 -v >>"$T/log" 2>/dev/null
is "$(head -n 1 "$T/log")" "an earlier line" "-v >> LOG: appended"
is "$(grep -c '^# v4 ' "$T/log")" "$(grep -c '^# v4 ' "$T/out")" "-v >> LOG: every -v line there"
while IFS='	' read -r pattern name; do
	like "$(cat "$T/out")" "$pattern" "-v prints $name"
done <<'TABLE'
^# v4 client before MPTCP_INFO \([0-9]+ bytes\): additional_subflows=0 .*flags=remote_key token=[0-9a-f]+ write_seq=[0-9]+ 	MPTCP_INFO fields by name, flags by name, the token in hex
^# v4 server after MPTCP_INFO .* bytes_received=[0-9]+|^# v4 server after MPTCP_INFO \(48 bytes\)	the server's last sample
^# v4 client MPTCP_SUBFLOW_ADDRS: num_subflows=1 size_kernel=[0-9]+ subflow 0 local=127\.0\.0\.1:[0-9]+ remote=127\.0\.0\.1:[0-9]+$	the subflow addresses
^# v4 server subflow 0 tcp_info \([0-9]+ bytes\): state=established rtt_us=[1-9]	the subflow tcp_info, its state by name
^# v4 client wrote [0-9]+ bytes$	the bytes written
^# v4 server TCP_INQ at EOF: 1$	TCP_INQ at the FIN
TABLE

# -p: a chosen port.  Take one the kernel just handed out and freed.
start_listener p -4
"$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" >/dev/null 2>&1
wait "$lpid"
run bounded 30 "$SOCKKIT" mptcp-sockopt -4 -v -p "$port"
ok '[ "$rc" -eq 0 ]' "-p PORT passes"
like "$(cat "$T/out")" "remote=127\\.0\\.0\\.1:$port\$" "-p PORT is the port used"

# -p on a port that is taken: a setup failure, a TAP bail out, not a check.
start_listener busy -4
run bounded 10 "$SOCKKIT" mptcp-sockopt -4 -p "$port"
ok '[ "$rc" -eq 1 ]' "-p on a busy port fails"
# (glibc says "Address already in use", musl "Address in use")
like "$(tail -n 1 "$T/out")" "^Bail out! v4 setup: server: bind on 127\.0\.0\.1: Address (already )?in use\$" \
	"-p on a busy port: a bail out saying why"
like "$(cat "$T/err")" "^mptcp-sockopt: v4 setup: server: bind on 127\.0\.0\.1: Address (already )?in use\$" \
	"-p on a busy port: stderr says why"
ok '! grep -q "^not ok" "$T/out"' "-p on a busy port: no check is blamed"
"$SOCKKIT" mptcp-sockopt -c 127.0.0.1 "$port" >/dev/null 2>&1
wait "$lpid"

# --list: the checks, with or without the ones of several subflows.
check "--list prints one check a line" 0 '*' '' "$SOCKKIT" mptcp-sockopt --list
"$SOCKKIT" mptcp-sockopt --list --subflows 2 >"$T/list2"
is "$(grep -Fxvf "$T/list2" "$T/list")" "" "--subflows 2 lists every check of one subflow"
ok '[ "$(wc -l <"$T/list2")" -gt "$checks" ]' "--subflows 2 lists more checks"
ok '! grep -qv "^\(client\|server\) " "$T/list2"' "each check names its side"

# Usage errors: exit 2 and exactly the message.
hint="Try 'sockkit mptcp-sockopt --help'."
while IFS='	' read -r args message; do
	# shellcheck disable=SC2086
	check "usage: $args" 2 '' "mptcp-sockopt: $message
$hint" "$SOCKKIT" mptcp-sockopt $args
done <<'TABLE'
-c	-c takes HOST and PORT
-c 127.0.0.1	-c takes HOST and PORT
-c 127.0.0.1 0	bad port '0'
-c 127.0.0.1 0x50	bad port '0x50'
-c 127.0.0.1 1 2	extra operand '2'
extra	operands are for -c HOST PORT and -l HOST only
127.0.0.1 80	operands are for -c HOST PORT and -l HOST only
--json	--json goes with -c or --all
--tcp	--tcp goes with -l
-t 0	-t: 0 is out of range (1-3600)
-p 70000	-p: 70000 is out of range (0-65535)
--subflows 9	--subflows: 9 is out of range (1-8)
--subflows 0	--subflows: 0 is out of range (1-8)
-c -l 127.0.0.1 1	-c, -l and --all exclude each other
-a -c 127.0.0.1 1	-c, -l and --all exclude each other
-c localhost 80	localhost: not a numeric address
-4 -c ::1 80	::1: not a numeric IPv4 address
-6 -c 127.0.0.1 80	127.0.0.1: not a numeric IPv6 address
-p 5 -c 127.0.0.1 80	-p is not for -c: the port to connect to is the PORT operand
-v -c 127.0.0.1 80	-v goes with the checks, not with -c
-v -l	-v goes with the checks, not with -l
--send 5	--send is not for the checks (they go with -c)
--count 2 -l	--count is not for -l
--interval 1 --all	--interval is not for --all
-c 127.0.0.1 80 --interval 0	--interval: '0' is not a number of seconds from 0.001 to 3600
-c 127.0.0.1 80 --interval 1.2345	--interval: '1.2345' is not a number of seconds from 0.001 to 3600
-c 127.0.0.1 80 --interval .5	--interval: '.5' is not a number of seconds from 0.001 to 3600
-c 127.0.0.1 80 --interval 1e3	--interval: '1e3' is not a number of seconds from 0.001 to 3600
-c 127.0.0.1 80 --count 0	--count: 0 is out of range (1-1000000)
-c 127.0.0.1 80 --send 0	--send: 0 is out of range (1-1099511627776)
-c 127.0.0.1 80 --all	-c, -l and --all exclude each other
--all extra	--all takes no operand
--all --subflows 2	--subflows is not for --all
-l 127.0.0.1 80	-l takes at most HOST
-l --subflows 2	--subflows is not for -l
--bogus	unknown option '--bogus'
TABLE

run "$SOCKKIT" mptcp-sockopt --help
ok '[ "$rc" -eq 0 ]' "--help"
like "$(cat "$T/out")" "-c, --connect" "--help lists the options"

done_testing
