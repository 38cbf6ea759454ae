#!/bin/sh
# bindtest's options: -v, --help, and every usage error with its message and
# exit status 2; a port in use is a failure (1) that names the port.
. "$T_SRC/bindtest/common.sh"

HINT="Try 'sockkit bindtest --help'."

# usage_error NAME MESSAGE ARGS...: exit 2, exactly that message, no output.
usage_error() {
	_name=$1 _msg=$2
	shift 2
	run "$SOCKKIT" bindtest "$@"
	is_rc 2 "$_name: exit 2"
	is "$(cat "$T/err")" "bindtest: $_msg
$HINT" "$_name: message"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "$_name: nothing on stdout"
}

run "$SOCKKIT" bindtest -v
is_rc 0 "-v exits 0"
like "$(cat "$T/out")" '^bindtest \(sockkit [0-9.]+\), after KAME bindtest\.c 1\.51$' "-v prints the version"

run "$SOCKKIT" bindtest --help
is_rc 0 "--help exits 0"
for o in -1 -2 -6 -A -P -b -l -o -p -s -t -v -j -a -n -w --full-wait; do
	like "$(cat "$T/out")" "^ +(-., )?$o" "--help lists $o"
done

usage_error "unknown option" "unknown option '-x'" -x
usage_error "unknown long option" "unknown option '--bogus'" --bogus
usage_error "operand" "extra operand 'foo'" -s foo
usage_error "port not a number" "-p: 'abc' is not a decimal number" -p abc
usage_error "port in hex" "-p: '0x50' is not a decimal number" -p 0x50
usage_error "port too big" "-p: 70000 is out of range (0-65535)" -p 70000
usage_error "negative port" "-p: -1 is out of range (0-65535)" -p -1
usage_error "-p without value" "option '-p' needs an argument" -p
usage_error "wait zero" "-w: 0 is out of range (1-600000)" -w 0
usage_error "-1 without -t" "-1 needs -t (it connects to a TCP socket)" -1
usage_error "-2 without -t" "-2 needs -t (it connects to a TCP socket)" -s -2
usage_error "-l without -t" "-l needs -t (it delays TCP's listen)" -l
usage_error "-1 and -2" "-1, -2 and -o exclude each other with -t" -t -1 -2
usage_error "-1 and -o" "-1, -2 and -o exclude each other with -t" -t -A -1 -o 127.0.0.1
usage_error "-2 and -o" "-1, -2 and -o exclude each other with -t" -t -2 -o ::1
usage_error "-b with -t" "-b works only for UDP: it cannot be combined with -t" -t -b 255.255.255.255
usage_error "-b with -s" "-b and -s cannot be combined: the table has no slot for -b" -s -b 255.255.255.255
usage_error "-o unparsable" "-o: 'nowhere' is not a numeric IPv4 or IPv6 address" -s -o nowhere
usage_error "-o with a port" "-o: '127.0.0.1:80' is not a numeric IPv4 or IPv6 address" -o 127.0.0.1:80
usage_error "-b unparsable" "-b: '::1' is not a numeric IPv4 address" -b ::1
usage_error "-b not broadcast" "-b: 127.0.0.1 is not a broadcast address here (255.255.255.255 or an interface's broadcast address)" -b 127.0.0.1
for o in -t -A -P -6 -l -b; do
	v=
	[ "$o" = -b ] && v=255.255.255.255
	usage_error "-a with $o" "-a runs every socket type, reuse option and V6ONLY setting: it cannot be combined with ${o}" -a $o $v
done

# A port in use, for each socket type: exit 1 and the port's number.
for type in udp tcp; do
	flag=
	[ "$type" = tcp ] && flag=-t
	name=SOCK_DGRAM
	[ "$type" = tcp ] && name=SOCK_STREAM
	run "$HOLD_PORT" "$type" "$SOCKKIT" bindtest -s $flag -p PORT
	is_rc 1 "$type port in use: exit 1"
	like "$(cat "$T/err")" "^bindtest: port [0-9]+ is in use for $name: choose a free one, or leave -p out$" \
		"$type port in use: the message names the port"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "$type port in use: nothing on stdout"
done

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
is_rc 0 "-p 0 runs"
like "$(head -n 1 "$T/out")" '^port = [1-9][0-9]*$' "-p 0 prints the port it picked"

# A given port: no port line, and the port in the verbose lines.
port=$(sed -n 's/^port = //p' "$T/out")
run bt -p "$port"
is_rc 0 "-p PORT runs"
like "$(head -n 1 "$T/out")" '^starting tests, ' "-p PORT: the header comes first"
is "$(sed -n 3p "$T/out")" "	bind socket for 0.0.0.0/$port" "-p PORT: that port is bound"

done_testing
