#!/bin/sh
# Summary tables (-s): the shape, the header and the cell layout of every
# table bindtest(1) describes, derived from 1.51's rules (common.sh), and the
# cells that hold on every Linux from 5.15 on.
. "$T_SRC/bindtest/common.sh"

# check_shape NAME: the last -s run is a port line, the header, the column
# line, then a row per address in order, each a name, a colon and one
# TAB-separated cell per address, no TAB at the end.
check_shape() {
	like "$(sed -n 1p "$T/out")" '^port = [1-9][0-9]*$' "$1: the port line comes first"
	is "$(sed -n 3p "$T/out")" "$COLUMNS" "$1: the column line"
	is "$(sed -n '4,$p' "$T/out" | cut -f 1 | tr '\n' ' ')" \
		"$(for n in $NAMES; do printf '%s: ' "$n"; done)" "$1: a row per address, in order"
	is "$(sed -n '4,$p' "$T/out" | awk -F '\t' -v n="$(echo $NAMES | wc -w)" \
		'NF != n + 1 || /\t$/')" "" "$1: a cell per address in every row, no trailing TAB"
}

# Every table of the manual: exit 0, its header, its shape, its layout.
while read -r opts; do
	run bt -s $opts
	is_rc 0 "-s $opts: exit 0"
	is "$(sed -n 2p "$T/out")" "$(header_for $opts)" "-s $opts: header"
	check_shape "-s $opts"
	check_layout "-s $opts" $opts
done <<'EOF2'

-6
-A
-6 -A
-P
-A -P -6
-o 127.0.0.2
-A -o 127.0.0.1
-A -o ::1
-A -o ::ffff:127.0.0.1
-t
-t -6
-t -A
-t -6 -A
-t -P
-t -6 -P
-t -A -1
-t -A -2
-t -A -1 -l
-t -A -2 -l
-t -P -1
-t -P -2 -6
-t -l
-t -A -l
-t -A -o 127.0.0.1
-t -A -o ::1
-t -A -o ::ffff:127.0.0.1
EOF2

# strip: the cells without their probe letters (o[...] as o).
strip() {
	sed 's/o\[[^]]*\]/o/g'
}

# What binds, the same for UDP and TCP: ROW | CELLS without letters.
for t in "" -t; do
	run bt -s $t
	cp "$T/out" "$T/plain$t"
	while IFS='|' read -r r want why; do
		is "$(row "$r" | strip)" "$want" "-s $t: $r: $why"
	done <<EOF2
wild4|x	x	x	o	x	x	?2(99)	?2(99)|0.0.0.0 conflicts with every IPv4 and mapped bind, not with ::1
wild6|x	x	x	x	x	x	?2(99)	?2(99)|:: without V6ONLY conflicts with everything
loop4|x	x	x	o	x	x	?2(99)	?2(99)|127.0.0.1 conflicts with the wildcards and itself, mapped or not
loop6|o	x	o	x	o	o	?2(99)	?2(99)|::1 coexists with every IPv4 and mapped bind
onem|$(every_cell '?1(99)')|::ffff:0.0.0.1 is no local address: EADDRNOTAVAIL
one4|$(every_cell '?1(99)')|0.0.0.1 is no local address: EADDRNOTAVAIL
EOF2
	run bt -s -6 $t
	while IFS='|' read -r r want why; do
		is "$(row "$r" | strip)" "$want" "-s -6 $t: $r: $why"
	done <<EOF2
wild4|x	o	x	o	?2(22)	?2(22)	?2(22)	?2(99)|with V6ONLY, IPv4 and IPv6 are independent
wild6|o	x	o	x	?2(22)	?2(22)	?2(22)	?2(99)|:: with V6ONLY leaves IPv4 alone
wildm|$(every_cell '?1(22)')|a mapped bind on a V6ONLY socket: EINVAL
loopm|$(every_cell '?1(22)')|a mapped bind on a V6ONLY socket: EINVAL
onem|$(every_cell '?1(22)')|a mapped bind on a V6ONLY socket: EINVAL
one4|$(every_cell '?1(99)')|0.0.0.1: EADDRNOTAVAIL
EOF2
done
is "$(sed -n '4,$p' "$T/plain" | strip)" "$(sed -n '4,$p' "$T/plain-t" | strip)" \
	"UDP and TCP without options: the same binds fail"

# Probe letters, each pinned to the kernel's rule: OPTIONS | ROW | COLUMN |
# CELL | why.
while IFS='|' read -r opts r c want why; do
	run bt -s $opts
	k=$(echo " $NAMES " | sed "s/ $c .*//" | wc -w)
	is "$(row "$r" | cut -f $((k + 1)))" "$want" "-s $opts: $r then $c is $want: $why"
done <<'EOF2'
|wild4|loop6|o[-2-]|only ::1 is probed, and the 2nd socket has it
|loop6|wild4|o[1--]|::1 as 1st gets its datagram; 0.0.0.0 is not probed
|loop4|loop6|o[12-]|each address reaches its own socket
-A|loop4|loop4|o[22-]|UDP, SO_REUSEADDR, one address: the last bound wins
-A|loop4|wild4|o[1--]|the more specific address wins
-A|wild4|loop4|o[-2-]|the more specific address wins, bound second too
-A|loop4|loopm|o[11-]|at equal specificity AF_INET beats AF_INET6
-A|wildm|wild4|o[2--]|127.0.0.1 reaches 0.0.0.0 before ::ffff:0.0.0.0
-A -o 127.0.0.2|loop4|loop4|o[2200-]|127.0.0.2: nobody is bound to it (0)
-A -o 127.0.0.2|wild4|loop4|o[-211-]|127.0.0.2 reaches the wildcard
-6 -A -o 127.0.0.1|loop4|loop6|o[121x-]|a V6ONLY socket cannot send to a mapped address (x)
-b 127.255.255.255|wild4|loop6|o[-21]|lo's broadcast reaches 0.0.0.0 (1.51's -b slot)
-t -A -1|loop4|loop6|o[1---]|connect to the 1st: 127.0.0.1 accepts
-t -A -1|loop6|loop4|o[1---]|connect to the 1st: ::1 accepts
-t -A -1|wild4|loop6|o[----]|no connect to a wildcard
-t -A -2|loop4|loop6|o[-2--]|connect to the 2nd
-t -A -o 127.0.0.1|loop4|loop6|o[--1-]|connect to other
-t -A -o 127.0.0.1|loop6|wild4|o[--2-]|0.0.0.0 as 2nd accepts 127.0.0.1
-t -A -o ::1|loop4|loop6|o[---2]|connect to other6
-t -A -o 224.0.0.1|loop4|loop6|o[--c-]|connect to a multicast address fails at once (c)
-t -A -1 -l|loop4|loop4|o[L---]|the 2nd delayed listen on one address fails (L)
-t -A -1 -l|loop4|loop6|o[1---]|delayed listens on 127.0.0.1 and ::1 both work
-t|loop6|loop4|o[]|no connect without SO_REUSEADDR or SO_REUSEPORT
EOF2

# The readiness waits give the verdicts of the original's full wait (a
# short bound keeps this quick; deliveries on loopback are synchronous).
while read -r opts; do
	run bt -s $opts
	table_of >"$T/fast"
	run bt -s --full-wait -w 10 $opts
	is "$rc $(table_of)" "0 $(cat "$T/fast")" "-s $opts: the same table with --full-wait"
done <<'EOF2'
-A -o 127.0.0.2
-6 -A
-t -A -o 127.0.0.1
EOF2

done_testing
