#!/bin/sh
# -b: a datagram to ::ffff:BCAST from an AF_INET6 socket, for any address the
# kernel routes as broadcast (lo's 127.255.255.255, an interface's, and
# 255.255.255.255), in the table's last slot (also with -s, which 1.51
# refused) and in the verbose lines; anything else is a usage error.
. "$T_SRC/bindtest/common.sh"

HINT="Try 'sockkit bindtest --help'."

# lo's broadcast address, in every namespace: wild4 (0.0.0.0) gets the
# mapped datagram in "wild4 then loop6", as in 1.51.
run bt -s -b 127.255.255.255
is_rc 0 "-s -b 127.255.255.255: exit 0"
check_layout "-s -b 127.255.255.255" -b 127.255.255.255
is "$(row wild4 | cut -f 4)" "o[-21]" "-s -b 127.255.255.255: wild4 then loop6, the 1st socket gets it"
is "$(row loop4 | cut -f 4)" "o[120]" "-s -b 127.255.255.255: loop4 then loop6, nobody"

run bt -b 127.255.255.255
is_rc 0 "-b 127.255.255.255 (verbose): exit 0"
port=$(sed -n 's/^port = //p' "$T/out")
awk '$0 == "wild4 then loop6" { on = 1; next } / then / { on = 0 } on' "$T/out" |
	sed 's#from 127\.0\.0\.1/[0-9]* #from 127.0.0.1/N #; s#from ::1/[0-9]* #from ::1/N #' >"$T/block"
is "$(cat "$T/block")" "	bind socket for 0.0.0.0/$port
	bind socket for ::1/$port
	send 10 bytes to ::1/$port
	recv 10 bytes from ::1/N on the 2nd socket
	send 10 bytes to ::ffff:127.255.255.255/$port
	recv 10 bytes from 127.0.0.1/N on the 1st socket" "-b 127.255.255.255 (verbose): wild4 then loop6"

run bt -j -b 127.255.255.255
json_ok "$T/out" '[.tables[0].pairs[] | select(.both_bound) | .probes[-1] | .target] | unique == ["broadcast"]' \
	"-j -b: the last probe of every bound pair is the broadcast"
json_ok "$T/out" '.tables[0].pairs[3].probes[-1] | .address | test("^::ffff:127\\.255\\.255\\.255/[0-9]+$")' \
	"-j -b: sent to the mapped address"

# The limited broadcast address is one whatever the routes; in a namespace
# with only lo, no route leads to it, so sendto fails: x, as in 1.51.
run bt -s -b 255.255.255.255
is_rc 0 "-s -b 255.255.255.255: exit 0"
check_layout "-s -b 255.255.255.255" -b 255.255.255.255
if [ -n "$NS" ]; then
	is "$(row wild4 | cut -f 4)" "o[-2x]" "-s -b 255.255.255.255 in a namespace with only lo: no route, x"
fi

# Addresses the kernel does not route as broadcast: usage errors, naming
# the address and what the kernel made of it.
while IFS='|' read -r addr why; do
	check "-b $addr: usage error" 2 "" "bindtest: -b: $addr is not a broadcast address here: $why
$HINT" bt -s -b "$addr"
done <<'EOF2'
127.0.0.1|the kernel routes it as a local address
127.1.2.3|the kernel routes it as a local address
EOF2
if [ -n "$NS" ]; then
	run bt -s -b 10.1.1.1
	like "$rc $(head -n 1 "$T/err")" "^2 bindtest: -b: 10\\.1\\.1\\.1 is not a broadcast address here: the kernel has no route to it \\((Network is unreachable|Network unreachable)\\)\$" \
		"-b 10.1.1.1 (no route): usage error (glibc's or musl's text)"
fi
check "-b with -t: usage error" 2 "" "bindtest: -b works only for UDP: it cannot be combined with -t
$HINT" bt -s -t -b 127.255.255.255
check "-b ::1: usage error" 2 "" "bindtest: -b: '::1' is not a numeric IPv4 address
$HINT" bt -b ::1

# An interface's broadcast address, in a namespace of the test's own with a
# veth pair (10.9.9.1/24): in_ns ARGS... runs bindtest there.
in_ns() {
	run bounded 30 unshare -n sh -c '
		ip link set lo up && ip link add bt0 type veth peer name bt1 &&
		ip addr add 10.9.9.1/24 brd + dev bt0 && ip link set bt1 up &&
		ip link set bt0 up || exit 99
		exec "$0" bindtest "$@"' "$SOCKKIT" "$@"
}
if ! command -v ip >/dev/null 2>&1 || ! unshare -n true 2>/dev/null; then
	skip "-b to an interface's broadcast address" "needs ip(8) and unshare -n"
	done_testing
fi
in_ns -A -s -b 10.9.9.255
if [ "$rc" -eq 99 ]; then
	skip "-b to an interface's broadcast address" "cannot make a veth pair here"
	done_testing
fi
is_rc 0 "-b 10.9.9.255: exit 0"
check_layout "-A -s -b 10.9.9.255" -A -b 10.9.9.255
is "$(row wild4 | cut -f 1,3)" "o[--b]	o[-21]" "-b 10.9.9.255: wild4 and wild4 both get it, wild4 and loop4 only the wildcard"
is "$(row loop4 | cut -f 3)" "o[220]" "-b 10.9.9.255: sockets on 127.0.0.1 do not"

in_ns -A -b 10.9.9.255
is_rc 0 "-b 10.9.9.255 (verbose): exit 0"
is "$(awk '/^wild4 then wild4$/ { on = 1; next } / then / { on = 0 } on && /on the (1st|2nd) socket$/' "$T/out" |
	sed 's/from [^ ]* /from X /')" "	recv 10 bytes from X on the 1st socket
	recv 10 bytes from X on the 2nd socket" "-b 10.9.9.255 (verbose): both sockets report the datagram"

in_ns -s -b 10.9.9.1
is "$rc $(cat "$T/err")" "2 bindtest: -b: 10.9.9.1 is not a broadcast address here: the kernel routes it as a local address
$HINT" "-b with the interface's own address: usage error"

done_testing
