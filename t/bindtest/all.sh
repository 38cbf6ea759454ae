#!/bin/sh
# -a/--all: every table bindtest(1) describes, each under its own header, in
# the documented order, and each the same as the single run of its options.
. "$T_SRC/bindtest/common.sh"

# variants [-o]: the options of each table of -a, one a line, in the
# documented order: UDP then TCP; no reuse option, -A, -P; for TCP with one
# of them also -1 then -2 (with -o: that connect alone), each without and
# then with -l; every table with V6ONLY off, then on.
variants() {
	for t in "" -t; do
		for r in "" -A -P; do
			conns=-
			[ -n "$t" ] && [ -n "$r" ] && [ -z "$1" ] && conns="- -1 -2"
			for c in $conns; do
				[ "$c" = - ] && c=
				lates=-
				[ -n "$t" ] && [ -n "$r" ] && [ -n "$c$1" ] && lates="- -l"
				for l in $lates; do
					[ "$l" = - ] && l=
					for v in "" -6; do
						echo $t $r $c $l $v
					done
				done
			done
		done
	done
}
variants >"$T/variants"
variants -o >"$T/variants-o"
ntables=$(wc -l <"$T/variants")
while read -r v; do header_for $v; done <"$T/variants" >"$T/headers"
while read -r v; do header_for $v -o 127.0.0.1; done <"$T/variants-o" >"$T/headers-o"

run bt -a -s
is_rc 0 "-a -s: exit 0"
is "$(grep '^starting' "$T/out")" "$(cat "$T/headers")" "-a -s: every table's header, in the documented order"
is "$(grep -c '^port = [1-9][0-9]*$' "$T/out")" "$ntables" "-a -s: a port line per table"
cp "$T/out" "$T/all"

# table N: the Nth table of the -a -s run, without its port line.
table() {
	grep -v '^port = ' "$T/all" | awk -v n="$1" '/^starting/ { t++ } t == n'
}
# Without SO_REUSEPORT each table is the single run's, byte for byte; with
# it, the cells the kernel spreads by a hash may differ, so the letters are
# left out there.
n=0
while read -r v; do
	n=$((n + 1))
	run bt -s $v
	want=$(table_of) got=$(table "$n")
	case " $v " in
	*" -P "*)
		want=$(echo "$want" | sed 's/o\[[^]]*\]/o[]/g')
		got=$(echo "$got" | sed 's/o\[[^]]*\]/o[]/g') ;;
	esac
	is "$got" "$want" "-a -s: table $n is that of -s $v"
	awk -v n="$n" '/^starting/ { t++ } t == n' "$T/all" >"$T/out"
	check_layout "-a -s: table $n ($v)" $v
done <"$T/variants"

port=$(sed -n 's/^port = //p' "$T/all" | head -n 1)
run bt -a -s -p "$port"
is_rc 0 "-a -s -p: exit 0"
is "$(grep -c '^port = ' "$T/out")" 0 "-a -s -p: no port lines"
is "$(grep '^starting' "$T/out")" "$(cat "$T/headers")" "-a -s -p: the same tables"

run bt -a -s -o 127.0.0.1
is_rc 0 "-a -o: exit 0"
is "$(grep '^starting' "$T/out")" "$(cat "$T/headers-o")" \
	"-a -o: TCP tables with a reuse option connect to -o instead of -1 and -2"

run bt -a -j
is_rc 0 "-a -j: exit 0"
headers_json=$(jq -R . "$T/headers" | jq -s -c .)
json_ok "$T/out" "[.tables[].header] == $headers_json" "-a -j: every table, in order"
json_ok "$T/out" "all(.tables[]; (.pairs | length) == $NPAIRS)" "-a -j: every table has every pair"

run bt -a
is_rc 0 "-a (verbose): exit 0"
is "$(grep -c ' then ' "$T/out")" "$((ntables * NPAIRS))" "-a (verbose): every pair of every table"

done_testing
