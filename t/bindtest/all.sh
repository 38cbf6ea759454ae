#!/bin/sh
# -a/--all: the 12 tables (UDP, TCP) x (none, -A, -P) x (!V6ONLY, V6ONLY),
# each under its own header; each the same as the single run.
. "$T_SRC/bindtest/common.sh"

D="starting tests, socktype = SOCK_DGRAM"
S="starting tests, socktype = SOCK_STREAM"
headers="$D, !V6ONLY
$D, V6ONLY
$D, SO_REUSEADDR, !V6ONLY
$D, SO_REUSEADDR, V6ONLY
$D, SO_REUSEPORT, !V6ONLY
$D, SO_REUSEPORT, V6ONLY
$S, !V6ONLY
$S, V6ONLY
$S, SO_REUSEADDR, !V6ONLY
$S, SO_REUSEADDR, V6ONLY
$S, SO_REUSEPORT, !V6ONLY
$S, SO_REUSEPORT, V6ONLY"

# table N: the Nth table (1-12) of the last -a -s run, without its port line.
table() {
	grep -v '^port = ' "$T/out" | sed -n "$((($1 - 1) * 10 + 1)),$(($1 * 10))p"
}

run bt -a -s
is_rc 0 "-a -s: exit 0"
is "$(grep '^starting' "$T/out")" "$headers" "-a -s: 12 headers, in order"
is "$(grep -c '^port = [1-9][0-9]*$' "$T/out" | tr -d ' ')" 12 "-a -s: a port line per table"
is "$(wc -l <"$T/out" | tr -d ' ')" 132 "-a -s: 12 tables of 11 lines"
cp "$T/out" "$T/all"
for n in 1 2 3 4 7 8 9 10; do
	set -- "" -6 -A "-A -6" "" "" -t "-t -6" "-t -A" "-t -A -6"
	shift $((n - 1))
	args=$1
	cp "$T/all" "$T/out"
	want=$(table $n)
	run bt -s $args
	is "$(grep -v '^port = ' "$T/out")" "$want" "-a -s: table $n is the same as -s $args"
done

port=$(sed -n 's/^port = //p' "$T/all" | head -n 1)
run bt -a -s -p "$port"
is_rc 0 "-a -s -p: exit 0"
is "$(grep -c '^port = ' "$T/out" | tr -d ' ')" 0 "-a -s -p: no port lines"
is "$(wc -l <"$T/out" | tr -d ' ')" 120 "-a -s -p: 12 tables of 10 lines"

run bt -a -j
is_rc 0 "-a -j: exit 0"
is "$(sed -n 's/^ *"header": "\(.*\)",$/\1/p' "$T/out")" "$headers" "-a -j: 12 tables, in order"
is "$(grep -c '"cell": ' "$T/out" | tr -d ' ')" 768 "-a -j: 12 x 64 pairs"

run bt -a
is_rc 0 "-a (verbose): exit 0"
is "$(grep -c ' then ' "$T/out" | tr -d ' ')" 768 "-a (verbose): 12 x 64 pairs"

done_testing
