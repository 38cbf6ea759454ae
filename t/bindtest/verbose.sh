#!/bin/sh
# Verbose output (no -s): one "A then B" line per pair, in the original's
# order, and the original's TAB-indented lines for every step.
. "$T_SRC/bindtest/common.sh"

EADDRNOTAVAIL_TEXT='(Cannot assign requested address|Address not available)'
EADDRINUSE_TEXT='(Address already in use|Address in use)'
ENETUNREACH_TEXT='(Network is unreachable|Network unreachable)'

run bt
is_rc 0 "verbose UDP run: exit 0"
port=$(sed -n 's/^port = //p' "$T/out")
like "$port" '^[1-9][0-9]*$' "verbose: the picked port is printed"
is "$(sed -n 2p "$T/out")" "$(header_for)" "verbose: header"
want=
for a in $NAMES; do
	for b in $NAMES; do
		want="$want$a then $b
"
	done
done
is "$(grep ' then ' "$T/out")" "$(printf '%s' "$want")" "verbose: the 64 pairs, in the original's order"
is "$(grep -c "$TAB" "$T/out" | tr -d ' ')" "$(grep -c "^$TAB" "$T/out" | tr -d ' ')" \
	"verbose: no table cells, only indented lines"
is "$(block wild4 wild4 | sed -n 1,3p)" "wild4 then wild4
	bind socket for 0.0.0.0/$port
	bind socket for 0.0.0.0/$port" "verbose: two binds"
like "$(block wild4 wild4 | sed -n '4,$p')" "^	failed bind for 0\\.0\\.0\\.0/$port, $EADDRINUSE_TEXT\$" \
	"verbose: the second bind is in use"
is "$(block wild4 onem | sed -n 1,3p)" "wild4 then onem
	bind socket for 0.0.0.0/$port
	bind socket for ::ffff:0.0.0.1/$port" "verbose: onem as second"
like "$(block wild4 onem | sed -n 4p)" \
	"^	failed bind for ::ffff:0\\.0\\.0\\.1/$port, $EADDRNOTAVAIL_TEXT\$" "verbose: onem fails with EADDRNOTAVAIL"
is "$(block one4 loop6 | sed -n 2p)" "	bind socket for 0.0.0.1/$port" "verbose: one4 is 0.0.0.1"
is "$(block wild4 loop6 | sed -n 1,4p)" "wild4 then loop6
	bind socket for 0.0.0.0/$port
	bind socket for ::1/$port
	send 10 bytes to ::1/$port" "verbose: wild4 then loop6 sends to ::1 only (wildcard not probed)"
like "$(block wild4 loop6 | sed -n '5,$p')" "^	recv 10 bytes from ::1/[0-9]+ on the 2nd socket\$" \
	"verbose: wild4 then loop6: one datagram, on the 2nd socket"
# The datagram from an unbound socket: its port is the kernel's choice.
run bt -A
port=$(sed -n 's/^port = //p' "$T/out")
is "$(block wild4 loop4 | sed -n 1,4p)" "wild4 then loop4
	bind socket for 0.0.0.0/$port
	bind socket for 127.0.0.1/$port
	send 10 bytes to 127.0.0.1/$port" "verbose -A: wild4 then loop4"
like "$(block wild4 loop4 | sed -n 5p)" \
	"^	recv 10 bytes from 127\\.0\\.0\\.1/[0-9]+ on the 2nd socket\$" "verbose -A: the 2nd socket receives"
is "$(block wild4 loop4 | wc -l | tr -d ' ')" 5 "verbose -A: nothing more for wild4 then loop4"
like "$(block loop6 wild6 | sed -n 5p)" \
	"^	recv 10 bytes from ::1/[0-9]+ on the 1st socket\$" "verbose -A: loop6 beats wild6"

# A send that fails: a mapped address from a V6ONLY socket.
run bt -6 -A -o 127.0.0.1
port=$(sed -n 's/^port = //p' "$T/out")
like "$(block loop4 loop6 | tail -n 1)" \
	"^	failed to send a packet to ::ffff:127\\.0\\.0\\.1/$port: $ENETUNREACH_TEXT\$" "verbose -6 -o: sendto fails"
is "$(block loop4 loop6 | grep -c '^	send 10 bytes to ' | tr -d ' ')" 3 "verbose -6 -o: three sends before"

# TCP: connect and accept.
run bt -t -A -1
port=$(sed -n 's/^port = //p' "$T/out")
is "$(sed -n 2p "$T/out")" "$(header_for -t -A -1)" \
	"verbose -t -A -1: header"
is "$(block loop4 loop6 | sed -n 4p)" "	tried to connect to 127.0.0.1/$port" "verbose -t: tried to connect"
like "$(block loop4 loop6 | sed -n 5p)" \
	"^	accepted a connection from 127\\.0\\.0\\.1/[0-9]+ on the 1st socket\$" "verbose -t: accepted on the 1st"
is "$(block loop6 loop4 | sed -n 4p)" "	tried to connect to ::1/$port" "verbose -t: tried ::1"

run bt -t -A -1 -l
like "$(block loop4 loop4 | tail -n 1)" "^	failed to listen for the 2nd socket: $EADDRINUSE_TEXT\$" \
	"verbose -t -l: the delayed listen fails"

run bt -t
is "$(block loop4 loop6 | wc -l | tr -d ' ')" 3 "verbose -t without -A/-P: no connect"

done_testing
