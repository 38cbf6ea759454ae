#!/bin/sh
# -b: a datagram to the mapped form of an interface's broadcast address,
# in a namespace of the test's own with a veth pair (10.9.9.1/24).
. "$T_SRC/bindtest/common.sh"

# in_ns CMD...: run CMD (after "bindtest") in a new namespace with the veth.
in_ns() {
	run unshare -n sh -c '
		ip link set lo up && ip link add bt0 type veth peer name bt1 &&
		ip addr add 10.9.9.1/24 brd + dev bt0 && ip link set bt1 up &&
		ip link set bt0 up || exit 99
		exec "$0" bindtest "$@"' "$SOCKKIT" "$@"
}

if ! command -v ip >/dev/null 2>&1 || ! unshare -n true 2>/dev/null; then
	skip "-b to an interface's broadcast address" "needs ip(8) and unshare -n"
	done_testing
fi
in_ns -A -j -b 10.9.9.255
if [ "$rc" -eq 99 ]; then
	skip "-b to an interface's broadcast address" "cannot make a veth pair here"
	done_testing
fi
is_rc 0 "-b 10.9.9.255: exit 0"
is "$(grep -c '"target": "broadcast",' "$T/out" | tr -d ' ')" 36 "-b: a broadcast probe for each of the 36 bound pairs"
cells=$(sed -n 's/^ *"cell": "\(.*\)",$/\1/p' "$T/out")
is "$(echo "$cells" | sed -n 1p)" "o[--b]" "-b with -A: wild4 then wild4: both sockets get the broadcast"
is "$(echo "$cells" | sed -n 19p)" "o[220]" "-b with -A: loop4 then loop4: sockets on 127.0.0.1 do not"
is "$(echo "$cells" | sed -n 3p)" "o[-21]" "-b with -A: wild4 then loop4: only the wildcard gets it"
like "$(grep -m 1 -A 1 '"target": "broadcast",' "$T/out" | tail -n 1)" '"address": "::ffff:10\.9\.9\.255/[0-9]+",' \
	"-b: sent to the mapped address"

in_ns -A -b 10.9.9.255
is_rc 0 "-b verbose: exit 0"
is "$(awk '/^wild4 then wild4$/ { on = 1; next } / then / { on = 0 } on && /on the (1st|2nd) socket$/' "$T/out" |
	sed 's/from [^ ]* /from X /')" "	recv 10 bytes from X on the 1st socket
	recv 10 bytes from X on the 2nd socket" "-b verbose: both sockets report the datagram"

in_ns -b 10.9.9.1
is_rc 2 "-b with the interface's own address: usage error"
is "$(head -n 1 "$T/err")" \
	"bindtest: -b: 10.9.9.1 is not a broadcast address here (255.255.255.255 or an interface's broadcast address)" \
	"-b with the interface's own address: message"

done_testing
