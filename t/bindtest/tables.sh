#!/bin/sh
# Summary tables (-s): the header of every option combination, the table's
# shape, and the cells that hold on any Linux.
. "$T_SRC/bindtest/common.sh"

NAMES="wild4 wild6 loop4 loop6 wildm loopm onem one4"
COLUMNS="	wild4	wild6	loop4	loop6	wildm	loopm	onem	one4"

# header ARGS -- WANT: the header line of a -s run.
header() {
	_want=$1
	shift
	run bt -s "$@"
	is_rc 0 "bindtest -s $*: exit 0"
	is "$(sed -n 2p "$T/out")" "$_want" "bindtest -s $*: header"
}

D="starting tests, socktype = SOCK_DGRAM"
S="starting tests, socktype = SOCK_STREAM"
header "$D, !V6ONLY"
header "$D, V6ONLY" -6
header "$D, SO_REUSEADDR, !V6ONLY" -A
header "$D, SO_REUSEPORT, !V6ONLY" -P
header "$D, SO_REUSEADDR, SO_REUSEPORT, V6ONLY" -A -P -6
header "$D, SO_REUSEADDR, !V6ONLY" -A -o 127.0.0.1
header "$S, !V6ONLY" -t
header "$S, V6ONLY" -t -6
header "$S, SO_REUSEADDR, !V6ONLY, connect to 1st" -t -A -1
header "$S, SO_REUSEPORT, V6ONLY, connect to 2nd" -t -P -2 -6
header "$S, SO_REUSEADDR, !V6ONLY, connect to other" -t -A -o 127.0.0.1
header "$S, SO_REUSEADDR, !V6ONLY, connect to other6" -t -A -o ::1
header "$S, SO_REUSEADDR, !V6ONLY, connect to 1st, delayed listen" -t -A -1 -l
header "$S, !V6ONLY, delayed listen" -t -l

# shape: port line, header, column line, then 8 rows of a name and 8 cells.
check_shape() {
	_what=$1
	like "$(sed -n 1p "$T/out")" '^port = [1-9][0-9]*$' "$_what: the port line comes first"
	is "$(sed -n 3p "$T/out")" "$COLUMNS" "$_what: the column line"
	is "$(wc -l <"$T/out" | tr -d ' ')" 11 "$_what: 11 lines"
	is "$(sed -n '4,$p' "$T/out" | cut -f 1 | tr '\n' ' ')" \
		"wild4: wild6: loop4: loop6: wildm: loopm: onem: one4: " "$_what: the row names"
	is "$(sed -n '4,$p' "$T/out" | awk -F '\t' 'NF != 9' | wc -l | tr -d ' ')" 0 \
		"$_what: every row has 8 TAB-separated cells, no trailing TAB"
}

fail99="?1(99)	?1(99)	?1(99)	?1(99)	?1(99)	?1(99)	?1(99)	?1(99)"
fail22="?1(22)	?1(22)	?1(22)	?1(22)	?1(22)	?1(22)	?1(22)	?1(22)"

for t in "" -t; do
	run bt -s $t
	check_shape "-s $t"
	is "$(row onem)" "$fail99" "-s $t: onem fails to bind with EADDRNOTAVAIL (99)"
	is "$(row one4)" "$fail99" "-s $t: one4 fails to bind with EADDRNOTAVAIL (99)"
	is "$(row wild6 | cut -f 1)" "x" "-s $t: wild6 then wild4 is x (dual-stack conflicts)"
	is "$(row wild6)" "x	x	x	x	x	x	?2(99)	?2(99)" "-s $t: the wild6 row"
	is "$(row wild4 | cut -f 1,2)" "x	x" "-s $t: wild4 then wild4/wild6 is x"
	is "$(row loop4 | cut -f 7,8)" "?2(99)	?2(99)" "-s $t: onem/one4 as second fail with 99"
	for n in wild4 loop4 loop6 wildm loopm; do
		is "$(row $n | cut -f 2)" "x" "-s $t: $n then wild6 is x"
	done
	# ::1 coexists with every IPv4 and mapped bind.
	is "$(row loop6 | cut -f 1,3,5,6)" "$(if [ -z "$t" ]; then
		printf 'o[1--]\to[12-]\to[12-]\to[12-]'; else
		printf 'o[]\to[]\to[]\to[]'; fi)" "-s $t: loop6 coexists with IPv4 and mapped binds"
	cp "$T/out" "$T/plain$t"

	run bt -s -6 $t
	check_shape "-s -6 $t"
	is "$(row wildm)" "$fail22" "-s -6 $t: wildm fails to bind with EINVAL (22)"
	is "$(row loopm)" "$fail22" "-s -6 $t: loopm fails to bind with EINVAL (22)"
	is "$(row onem)" "$fail22" "-s -6 $t: onem fails to bind with EINVAL (22)"
	is "$(row one4)" "$fail99" "-s -6 $t: one4 fails to bind with EADDRNOTAVAIL (99)"
	for n in wild4 wild6 loop4 loop6; do
		is "$(row $n | cut -f 5-8)" "?2(22)	?2(22)	?2(22)	?2(99)" \
			"-s -6 $t: mapped second binds fail with 22 after $n"
	done
	# IPv4 and IPv6 are independent.
	is "$(row wild6 | cut -f 1-4)" "$(if [ -z "$t" ]; then
		printf 'o[---]\tx\to[-2-]\tx'; else printf 'o[]\tx\to[]\tx'; fi)" \
		"-s -6 $t: wild6 coexists with IPv4 binds"
done

# UDP and TCP without options have the same conflicts.
is "$(sed -n '4,$p' "$T/plain" | sed 's/o\[[^]]*\]/o/g')" \
	"$(sed -n '4,$p' "$T/plain-t" | sed 's/o\[[^]]*\]/o/g')" \
	"UDP and TCP without options: the same binds fail"

# UDP with SO_REUSEADDR: every valid pair binds, the more specific one wins.
run bt -s -A
check_shape "-s -A"
is "$(row loop4)" "o[1--]	o[1--]	o[22-]	o[12-]	o[11-]	o[11-]	?2(99)	?2(99)" "-s -A: the loop4 row"
is "$(row wild4 | cut -f 1-4)" "o[---]	o[---]	o[-2-]	o[-2-]" "-s -A: the wild4 row"

# An address nobody is bound to: 0 (nobody received it), fast.
run bt -s -A -o 127.0.0.2
is "$(row loop4 | cut -f 3)" "o[2200-]" "-s -A -o 127.0.0.2: 0 when nobody receives"
is "$(row wild4 | cut -f 3)" "o[-211-]" "-s -A -o 127.0.0.2: wild4 gets what loop4 cannot"

# TCP probes.
run bt -s -t -A -1
is "$(row loop4 | cut -f 4)" "o[1---]" "-s -t -A -1: loop4 then loop6 accepts on the 1st"
is "$(row loop6 | cut -f 3)" "o[1---]" "-s -t -A -1: loop6 then loop4 accepts on the 1st"
is "$(row wild4 | cut -f 4)" "o[----]" "-s -t -A -1: no connect to a wildcard"
run bt -s -t -A -2
is "$(row loop4 | cut -f 4)" "o[-2--]" "-s -t -A -2: loop4 then loop6 accepts on the 2nd"
run bt -s -t -A -o 127.0.0.1
is "$(row loop4 | cut -f 4)" "o[--1-]" "-s -t -A -o 127.0.0.1: loop4 accepts"
is "$(row loop6 | cut -f 1)" "o[--2-]" "-s -t -A -o 127.0.0.1: wild4 as 2nd accepts"
run bt -s -t -A -o ::1
is "$(row loop4 | cut -f 4)" "o[---2]" "-s -t -A -o ::1: loop6 accepts (other6)"
run bt -s -t -A -1 -l
is "$(row loop4 | cut -f 3)" "o[L---]" "-s -t -A -1 -l: the 2nd delayed listen fails (L)"
is "$(row loop4 | cut -f 4)" "o[1---]" "-s -t -A -1 -l: loop4 and loop6 both listen"
run bt -s -t
is "$(row loop6 | cut -f 3)" "o[]" "-s -t: no connect without -A or -P: o[]"

# The readiness waits give the verdicts of the original's full wait (a
# short bound keeps this quick; deliveries on loopback are synchronous).
for args in "-A -o 127.0.0.2" "-6 -A" "-t -A -o 127.0.0.1"; do
	run bt -s $args
	table_of >"$T/fast"
	run bt -s --full-wait -w 10 $args
	is_rc 0 "-s --full-wait $args: exit 0"
	is "$(table_of)" "$(cat "$T/fast")" "-s $args: the same table with --full-wait"
done

done_testing
