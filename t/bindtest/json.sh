#!/bin/sh
# -j: one JSON document (read with jq) holding the same results as the
# summary table, with each step's errno and each probe's meaning.
. "$T_SRC/bindtest/common.sh"

# The same run as -s and -j: the document says what the table says.
while read -r opts; do
	run bt -s $opts
	cp "$T/out" "$T/table"
	run bt -j $opts
	is_rc 0 "-j $opts: exit 0"
	cp "$T/out" "$T/json"
	is "$(head -c 1 "$T/json")" "{" "-j $opts: the document is all there is"
	json_ok "$T/json" '.applet == "bindtest" and (.version | type == "string") and
		(.tables | length == 1)' "-j $opts: one table"
	is "$(jq -r '.tables[0].header' "$T/json")" "$(sed -n 2p "$T/table")" "-j $opts: the header of -s"
	is "$(jq -r '.tables[0].addresses | join(" ")' "$T/json")" "$NAMES" "-j $opts: the addresses, in order"
	is "$(jq -r '.tables[0].pairs[] | "\(.first.name) \(.second.name) \(.cell)"' "$T/json")" \
		"$(grep -v '^port = ' "$T/table" | sed -n '3,$p' | awk -F '\t' -v names="$NAMES" '
			BEGIN { split(names, col, " ") }
			{ r = substr($1, 1, length($1) - 1); for (k = 2; k <= NF; k++) print r, col[k - 1], $k }')" \
		"-j $opts: every pair in the table's order, with the cell of -s"
	json_ok "$T/json" 'all(.tables[0].pairs[]; .both_bound == (.cell | startswith("o[")))' \
		"-j $opts: both_bound exactly for the o[...] cells"
	json_ok "$T/json" 'all(.tables[0].pairs[] | select(.both_bound);
		.cell == "o[" + ([.probes[].letter] | join("")) + "]")' \
		"-j $opts: the probes' letters make the cell"
	json_ok "$T/json" 'all(.tables[0].pairs[].probes[]; (.letter == "-") == (.address == null))' \
		"-j $opts: an address exactly for the probes tried"
done <<'EOF2'

-6
-A
-A -6 -o 127.0.0.1
-t
-t -A -1
-t -A -1 -l
-t -A -o ::1
EOF2

# Which addresses are probed, as bindtest(1) says: never wild4 or wild6 (no
# host address), but wildm, ::ffff:0.0.0.0, like any other.
run bt -j -A
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.both_bound);
	(.probes[0].address == null) == (.first.name | test("^wild[46]$")) and
	(.probes[1].address == null) == (.second.name | test("^wild[46]$")))' \
	"-j -A: the 1st and 2nd are probed unless wild4 or wild6"
json_ok "$T/out" '[.tables[0].pairs[] | select(.both_bound and .second.name == "wildm") |
	.probes[1].address | startswith("::ffff:0.0.0.0/")] | length > 0 and all' \
	"-j -A: wildm is probed, at ::ffff:0.0.0.0"
json_ok "$T/out" 'all(.tables[0].pairs[].probes[] | select(.letter == "-");
	.meaning == "not tried: wild4 or wild6, or no -b")' "-j -A: what '-' means, for UDP"

# Failed steps: each cell that is not o[...] has its one failed step, with
# the errno the cell shows, and its name.
run bt -j
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.cell == "x"); .second.bind.error == "EADDRINUSE")' \
	"-j: every x is the 2nd bind's EADDRINUSE"
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.cell | startswith("?1("));
	.cell == "?1(\(.first.bind.errno))" and .second.bind == null)' "-j: every ?1(N) is the 1st bind's errno N"
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.cell | startswith("?2("));
	.cell == "?2(\(.second.bind.errno))")' "-j: every ?2(N) is the 2nd bind's errno N"
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.both_bound | not);
	[.first, .second | .[] | objects | select(.ok == false)] | length == 1)' \
	"-j: one failed step per cell that is not o[...]"
json_ok "$T/out" '[.tables[0].pairs[] | .first.bind, .second.bind | objects | select(.errno == 99) |
	.error == "EADDRNOTAVAIL" and .message != null] | length > 0 and all' "-j: errno 99 is named EADDRNOTAVAIL"
json_ok "$T/out" '.tables[0].port > 0 and .tables[0].connect_to == null' "-j: the port; UDP connects nowhere"
json_ok "$T/out" '[.tables[0].pairs[].probes[] | select(.letter == "2") | .meaning] | unique ==
	["the second socket received the datagram"]' "-j: a letter comes with its meaning"

run bt -j -t -A -2
json_ok "$T/out" '.tables[0].connect_to == "2nd"' "-j -t -A -2: connect_to"
json_ok "$T/out" '[.tables[0].pairs[].probes[] | select(.letter == "2") | .meaning] | unique ==
	["the second socket accepted the connection"]' "-j -t: TCP meanings"

# listen(): done right after each bind, or with -l after both binds, and
# reported either way where it was called.
run bt -j -t
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.both_bound); .first.listen.ok and .second.listen.ok)' \
	"-j -t: both sockets of every bound pair listened"
run bt -j -t -A -l
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.both_bound); .first.listen.ok == true)' \
	"-j -t -A -l: listen true for every first socket of a bound pair"
json_ok "$T/out" '[.tables[0].pairs[] | select(.both_bound) | .second.listen.ok] | any and (all | not)' \
	"-j -t -A -l: the second listen works for some pairs, fails for others"
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.both_bound | not); .first.listen == null)' \
	"-j -t -A -l: no listen where the binds failed"
run bt -j -t -A -1 -l
json_ok "$T/out" 'all(.tables[0].pairs[] | select(.both_bound and .first.name != "wild4" and
	.first.name != "wild6"); (.second.listen.ok == false) == (.cell == "o[L---]"))' \
	"-j -t -A -1 -l: L exactly where the second listen failed"

done_testing
