#!/bin/sh
# bindtest's options: -v and --version, --help, options after other
# options' values, numbers, and every usage error with its message and exit
# status 2; a port in use is a failure (1) that names the port.
. "$T_SRC/bindtest/common.sh"

HINT="Try 'sockkit bindtest --help'."
VERSION_RE='^bindtest \(sockkit [0-9]+\.[0-9]+\.[0-9]+\), after KAME bindtest\.c 1\.51$'

for v in -v --version; do
	run "$SOCKKIT" bindtest $v
	is_rc 0 "$v exits 0"
	like "$(cat "$T/out")" "$VERSION_RE" "$v prints the version, as KAME's -v did"
done

run "$SOCKKIT" bindtest --help
is_rc 0 "--help exits 0"
for o in -1 -2 -6 -A -P -b -l -o -p -s -t -v -j -a -n -w --full-wait --sysctl --expect; do
	like "$(cat "$T/out")" "^ +(-., )?$o" "--help lists $o"
done

# Usage errors: NAME | ARGS | MESSAGE.  Exit 2, the message and the hint on
# stderr, nothing on stdout.
while IFS='|' read -r name args msg; do
	check "$name" 2 "" "bindtest: $msg
$HINT" "$SOCKKIT" bindtest $args
done <<'EOF2'
unknown option|-x|unknown option '-x'
unknown long option|--bogus|unknown option '--bogus'
an operand|-s foo|extra operand 'foo'
port not a number|-p abc|-p: 'abc' is not a decimal number
port in hex|-p 0x50|-p: '0x50' is not a decimal number
port too big|-p 70000|-p: 70000 is out of range (0-65535)
negative port|-p -1|-p: -1 is out of range (0-65535)
-p without value|-p|option '-p' needs an argument
wait zero|-w 0|-w: 0 is out of range (1-600000)
-1 without -t|-1|-1 needs -t (it connects to a TCP socket)
-2 without -t|-s -2|-2 needs -t (it connects to a TCP socket)
-l without -t|-l|-l needs -t (it delays TCP's listen)
-1 and -2|-t -1 -2|-1, -2 and -o exclude each other with -t
-1 and -o|-t -A -1 -o 127.0.0.1|-1, -2 and -o exclude each other with -t
-2 and -o|-t -2 -o ::1|-1, -2 and -o exclude each other with -t
-o unparsable|-s -o nowhere|-o: 'nowhere' is not a numeric IPv4 or IPv6 address
-o with a port|-o 127.0.0.1:80|-o: '127.0.0.1:80' is not a numeric IPv4 or IPv6 address
-b unparsable|-b ::1|-b: '::1' is not a numeric IPv4 address
-a with -t|-a -t|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -t
-a with -A|-a -A|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -A
-a with -P|-a -P|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -P
-a with -6|-6 -a|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -6
-a with -1|-a -1|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -1
-a with -2|-a -2|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -2
-a with -l|-a -l|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -l
-a with -b|-a -b 255.255.255.255|-a runs every table (socket type, reuse option, connect, delayed listen, V6ONLY): it cannot be combined with -b
EOF2

# Numbers are decimal, leading zeros allowed; options may come in any order
# and after a value (bindtest has no operands).  ARGS | the header it gives.
while IFS='|' read -r args want; do
	run bt $args
	is "$rc $(grep -v '^port = ' "$T/out" | sed -n 1p)" "0 $want" "bindtest $args"
done <<EOF2
-s -t -A -1|$(header_for -t -A -1)
-1 -A -t -s|$(header_for -t -A -1)
-stA1|$(header_for -t -A -1)
--summary --tcp --reuseaddr --connect-1st|$(header_for -t -A -1)
-s -w 0100 -6|$(header_for -6)
EOF2

# A port in use, for each socket type: exit 1 and the port's number.
for type in udp tcp; do
	flag= name=SOCK_DGRAM
	[ "$type" = tcp ] && flag=-t name=SOCK_STREAM
	run "$HOLD_PORT" "$type" "$SOCKKIT" bindtest -s $flag -p PORT
	like "$rc $(cat "$T/err")" \
		"^1 bindtest: port [0-9]+ is in use for $name: choose a free one, or leave -p out$" \
		"$type port in use: exit 1, naming the port"
	is "$(wc -c <"$T/out")" 0 "$type port in use: nothing on stdout"
done

# -a with a port in use for TCP only: checked for every socket type before
# anything runs, so nothing is printed (not the UDP tables, nor a JSON
# document cut short).  With --expect, exit 1 would mean a mismatch: it
# bails out, in TAP, with exit 2.
run bt -s
cp "$T/out" "$T/udp.txt"
run bt -a -s
cp "$T/out" "$T/all.txt"
while IFS='|' read -r name args rc_want out_want; do
	run "$HOLD_PORT" tcp "$SOCKKIT" bindtest $args -p PORT
	port=$(sed -n 's/.*port \([0-9]*\) is in use.*/\1/p' "$T/err")
	out_want=$(echo "$out_want" | sed "s/PORT/$port/")
	is "$rc $(cat "$T/err")" "$rc_want bindtest: port $port is in use for SOCK_STREAM: choose a free one, or leave -p out" \
		"$name, a port in use for TCP: exit $rc_want before any table, naming the port"
	is "$(cat "$T/out")" "$out_want" "$name, a port in use for TCP: stdout"
done <<EOF2
-a -j|-a -j|1|
-a -s|-a -s|1|
-a (verbose)|-a|1|
-a --expect|-a --expect $T/all.txt|2|Bail out! port PORT is in use for SOCK_STREAM: choose a free one, or leave -p out
EOF2
run "$HOLD_PORT" udp "$SOCKKIT" bindtest -s --expect "$T/udp.txt" -p PORT
like "$rc $(cat "$T/out") $(cat "$T/err")" \
	"^2 Bail out! port ([0-9]+) is in use for SOCK_DGRAM: choose a free one, or leave -p out bindtest: port \\1 is in use for SOCK_DGRAM: choose a free one, or leave -p out\$" \
	"--expect, a port in use for UDP: Bail out! and exit 2, not a mismatch's 1"

# A port that cannot be bound for another reason: exit 1, and why.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	[ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null)" -gt 80 ] 2>/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKKIT" bindtest -s -p 80
	if [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ]; then
		skip "a privileged port" "nobody cannot run $SOCKKIT"
	else
		is "$rc $(cat "$T/err")" "1 bindtest: cannot bind port 80 for SOCK_DGRAM: Permission denied" \
			"a privileged port as nobody: exit 1 and why"
	fi
else
	skip "a privileged port" "needs root, setpriv(1) and privileged ports"
fi

# -p 0 is the same as no -p: a port is picked and printed first.
run bt -s -p 0
like "$rc $(head -n 1 "$T/out")" '^0 port = [1-9][0-9]*$' "-p 0 prints the port it picked"

# A given port: no port line, and the port in the verbose lines; leading
# zeros are decimal.
port=$(sed -n 's/^port = //p' "$T/out")
run bt -p "0$port"
is "$rc $(sed -n 1p "$T/out")" "0 $(header_for)" "-p 0$port: the header comes first"
is "$(sed -n 3p "$T/out")" "	bind socket for 0.0.0.0/$port" "-p 0$port: port $port is bound"

done_testing
