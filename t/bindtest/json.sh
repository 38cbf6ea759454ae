#!/bin/sh
# -j: one JSON document with the same results as the summary table.
. "$T_SRC/bindtest/common.sh"

# The cells of a -j document, one a line, in order.
json_cells() {
	sed -n 's/^ *"cell": "\(.*\)",$/\1/p' "$1"
}

# The cells of a -s table, one a line, in order.
table_cells() {
	grep -v '^port = ' "$1" | sed -n '3,$p' | cut -f 2- | tr '\t' '\n'
}

# The probe letters of a -s table, one a line, in order.
table_letters() {
	table_cells "$1" | sed -n 's/^o\[\(.*\)\]$/\1/p' | sed 's/./&\n/g' | grep .
}

has_python=
command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null && has_python=1

for args in "" "-6" "-A" "-A -6 -o 127.0.0.1" "-t" "-t -A -1" "-t -A -o ::1"; do
	run bt -s $args
	cp "$T/out" "$T/table"
	run bt -j $args
	is_rc 0 "-j $args: exit 0"
	cp "$T/out" "$T/json"
	is "$(head -c 1 "$T/json")" "{" "-j $args: the document is all there is"
	is "$(json_cells "$T/json" | wc -l | tr -d ' ')" 64 "-j $args: 64 pairs"
	is "$(json_cells "$T/json")" "$(table_cells "$T/table")" "-j $args: the same cells as -s"
	is "$(sed -n 's/^ *"letter": "\(.\)",$/\1/p' "$T/json")" "$(table_letters "$T/table")" \
		"-j $args: the same probe letters as -s"
	is "$(sed -n 's/^ *"header": "\(.*\)",$/\1/p' "$T/json")" "$(sed -n 2p "$T/table")" \
		"-j $args: the same header as -s"
	if [ -n "$has_python" ]; then
		python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert len(d["tables"]) == 1' \
			"$T/json" 2>"$T/py.err"
		is "$?" 0 "-j $args: valid JSON with one table"
	else
		skip "-j $args: valid JSON" "python3 is not installed"
	fi
done

# Bind errors carry their number and name: EADDRNOTAVAIL (99) for onem and
# one4 (16 as first, 12 as second), and every x is an EADDRINUSE (98).
run bt -j
is "$(grep -c '"errno": 99,' "$T/out" | tr -d ' ')" 28 "-j: 28 binds fail with errno 99"
is "$(grep -c '"error": "EADDRNOTAVAIL",' "$T/out" | tr -d ' ')" 28 "-j: named EADDRNOTAVAIL"
is "$(grep -c '"error": "EADDRINUSE",' "$T/out" | tr -d ' ')" \
	"$(json_cells "$T/out" | grep -c '^x$' | tr -d ' ')" "-j: one EADDRINUSE per x cell"
is "$(grep -c '"ok": false' "$T/out" | tr -d ' ')" \
	"$(json_cells "$T/out" | grep -vc '^o\[' | tr -d ' ')" "-j: one failed step per cell that is not o[...]"
is "$(grep -c '"both_bound": true' "$T/out" | tr -d ' ')" \
	"$(json_cells "$T/out" | grep -c '^o\[' | tr -d ' ')" "-j: both_bound for every o[...] cell"
like "$(grep -A 1 '"letter": "2",' "$T/out" | sed -n 2p)" '"meaning": "the second socket received the datagram"' \
	"-j: a letter comes with its meaning"
like "$(grep -m 1 '"port": ' "$T/out")" '^ *"port": [1-9][0-9]*,$' "-j: the port"
like "$(grep -m 1 '"connect_to": ' "$T/out")" '^ *"connect_to": null,$' "-j: UDP connects nowhere"

run bt -j -t -A -2
like "$(grep -m 1 '"connect_to": ' "$T/out")" '^ *"connect_to": "2nd",$' "-j -t -2: connect_to"
like "$(grep -A 2 '"letter": "2",' "$T/out" | sed -n 2p)" '"meaning": "the second socket accepted the connection"' \
	"-j -t: TCP meanings"

done_testing
