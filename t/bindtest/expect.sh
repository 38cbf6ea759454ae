#!/bin/sh
# --expect FILE: a table saved from bindtest's own -s or -j output is
# compared, pair by pair, with this run's; TAP, one line a pair; exit 0 all
# match, 1 otherwise, 2 for a FILE that is unreadable or for other options.
. "$T_SRC/bindtest/common.sh"

HINT="Try 'sockkit bindtest --help'."

# The TAP a run that matches FILE prints for one table: the plan, then one
# "ok" per pair, in the table's order (the comments left out).
tap_all_ok() {
	_n=0
	echo "1..$NPAIRS"
	for _a in $NAMES; do
		for _b in $NAMES; do
			_n=$((_n + 1))
			echo "ok $_n - $_a then $_b"
		done
	done
}
tap_lines() {
	grep -v '^#' "$T/out"
}

run bt -s -A
cp "$T/out" "$T/saved.txt"
run bt -j -A
cp "$T/out" "$T/saved.json"

# An unchanged table passes, saved either way, with -s or without.
for f in saved.txt saved.json; do
	run bt -A --expect "$T/$f"
	is "$rc $(tap_lines)" "0 $(tap_all_ok)" "--expect $f: every pair ok, exit 0"
	like "$(sed -n 2p "$T/out")" "^# $(header_for -A)\$" "--expect $f: the table's header as a comment"
	run bt -s -A --expect "$T/$f"
	is "$rc $(tap_lines)" "0 $(tap_all_ok)" "--expect $f with -s: the same"
done

# set_cell FILE ROW COLUMN VALUE: a -s table with one cell changed.
set_cell() {
	awk -F '\t' -v OFS='\t' -v row="$2:" -v col="$3" -v value="$4" -v names="$NAMES" '
		BEGIN { n = split(names, name, " "); for (i = 1; i <= n; i++) k[name[i]] = i + 1 }
		$1 == row { $k[col] = value } 1' "$1"
}

# One changed cell: exit 1, one "not ok" naming the pair, expected and got.
got=$(grep '^wild4:' "$T/saved.txt" | cut -f 5)
set_cell "$T/saved.txt" wild4 loop6 'o[-0-]' >"$T/changed.txt"
# In a -j file the probe's letter says it too (or is left out: below).
jq '.tables[0].pairs[3] |= (.cell = "o[-0-]" | .probes[1].letter = "0")' "$T/saved.json" >"$T/changed.json"
for f in changed.txt changed.json; do
	run bt -A --expect "$T/$f"
	is_rc 1 "--expect $f: a changed cell is exit 1"
	is "$(grep -v '^ok ' "$T/out" | grep -v '^# \(starting\|port\)')" "1..$NPAIRS
not ok 4 - wild4 then loop6
#   expected: o[-0-]
#        got: $got" "--expect $f: one not ok, naming the pair, with expected and got"
done

# Cells that vary between runs: a set of accepted values, '|' between them.
set_cell "$T/saved.txt" wild4 loop6 "o[-0-]|$got|o[-b-]" >"$T/set.txt"
run bt -A --expect "$T/set.txt"
is "$rc $(tap_lines)" "0 $(tap_all_ok)" "--expect: a set of values accepts any one of them"
set_cell "$T/saved.txt" wild4 loop6 "o[-0-]|o[-b-]" >"$T/set.txt"
run bt -A --expect "$T/set.txt"
is "$rc $(grep -c '^not ok 4 - wild4 then loop6$' "$T/out")" "1 1" "--expect: a set without the value fails"

# Comments and blank lines may annotate a saved table.
{ echo "# saved on $(uname -r)"; echo; cat "$T/saved.txt"; echo; } >"$T/notes.txt"
run bt -A --expect "$T/notes.txt"
is "$rc $(tap_lines)" "0 $(tap_all_ok)" "--expect: comments and blank lines are skipped"

# A table as users' editors, mail clients and terminals give it back: the
# TABs turned to spaces (one, or aligned), indented, a trailing blank,
# CR LF line ends, a UTF-8 byte order mark, and all of them at once.
CR=$(printf '\r')
BOM=$(printf '\357\273\277')
while IFS='|' read -r name filter; do
	for f in saved.txt saved.json; do
		case $f in *.json) [ "$name" = "a UTF-8 BOM" ] || [ "$name" = "CR LF" ] || continue ;; esac
		sh -c "$filter" <"$T/$f" >"$T/edited"
		run bt -A --expect "$T/edited"
		is "$rc $(tap_lines) $(cat "$T/err")" "0 $(tap_all_ok) " "--expect $f, $name: accepted, every pair ok"
	done
done <<EOF2
spaces for TABs|tr '\t' ' '
aligned with spaces|expand
indented|sed 's/^/    /'
a trailing TAB|sed 's/\$/\t/'
trailing spaces|sed 's/\$/   /'
CR LF|sed 's/\$/\r/'
a UTF-8 BOM|{ printf '$BOM'; cat; }
all of them|{ printf '$BOM'; expand | sed 's/^/ /; s/\$/ \r/'; }
EOF2

# The manual's example table, copied from its rendered text (mandoc, as man
# shows it: indented, TABs as spaces): read as the -A table it is, whether
# or not this kernel's cells are the example's.
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tutf8 "$T_SRC/../man/bindtest.1" | col -bx |
		sed -n '/^ *port = 41931$/,/^ *one4:/p' >"$T/man.txt"
	run bt -A --expect "$T/man.txt"
	case $rc in 0 | 1) compared=compared ;; *) compared="exit $rc" ;; esac
	is "$compared $(sed -n '1p;2p' "$T/out" | tr '\n' ' ')$(grep -c '^\(not \)*ok' "$T/out") $(cat "$T/err")" \
		"compared 1..$NPAIRS # $(header_for -A) $NPAIRS " "--expect the manual's rendered example: read, one TAP line a pair"
else
	skip "--expect the manual's rendered example" "no mandoc"
fi

# Still strict where it tells tables apart: the header, whatever the blanks.
tr '\t' ' ' <"$T/saved.txt" >"$T/edited"
check "spaces for TABs, another table's file" 2 "" \
	"bindtest: --expect: $T/edited was saved with other options: it has '$(header_for -A)' where this run has '$(header_for -t -A)'" \
	bt -t -A --expect "$T/edited"

# Every table of -a, in one file; SO_REUSEPORT's hashed cells aside.
run bt -a -s
cp "$T/out" "$T/all.txt"
ntables=$(grep -c '^starting' "$T/all.txt")
run bt -a --expect "$T/all.txt"
is "$(sed -n 1p "$T/out")" "1..$((ntables * NPAIRS))" "--expect -a: a plan for every pair of every table"
reuseport=$(grep '^starting' "$T/all.txt" | grep -n 'SO_REUSEPORT' | cut -d: -f1 | sed 's/.*/(table &)/')
is "$(grep '^not ok' "$T/out" | sed 's/.* - [a-z0-9]* then [a-z0-9]* //' | sort -u |
	grep -vxF "$reuseport")" "" "--expect -a: only SO_REUSEPORT tables may differ"

sed 's/o\[\([^]]*\)-\]/o[\1]/g' "$T/saved.txt" >"$T/old.txt"

# A file for other options, or no table at all: exit 2 before any test.
while IFS='|' read -r name args file msg; do
	check "$name" 2 "" "bindtest: --expect: $T/$file$msg" bt $args --expect "$T/$file"
done <<EOF2
other socket type|-t -A|saved.txt| was saved with other options: it has '$(header_for -A)' where this run has '$(header_for -t -A)'
other socket type (-j)|-t -A|saved.json| was saved with other options: it has '$(header_for -A)' where this run has '$(header_for -t -A)'
without -A|-s|saved.txt| was saved with other options: it has '$(header_for -A)' where this run has '$(header_for)'
one table for -a|-a|saved.txt| was saved with other options: it has 1 table, this run has $ntables
-a's tables for one|-A|all.txt| was saved with other options: it has $ntables tables, this run has 1
with -o (not in a UDP header)|-A -o 127.0.0.2|saved.txt| was saved with other options: its wild4 then wild4 is 'o[---]', where this run's probes are o[--??-] ('?' a probe, '-' none)
with -b (not in a UDP header)|-A -b 127.255.255.255|saved.txt| was saved with other options: its wild4 then wild4 is 'o[---]', where this run's probes are o[--?] ('?' a probe, '-' none)
an older layout (no broadcast slot)|-A|old.txt| was saved with other options: its wild4 then wild4 is 'o[--]', where this run's probes are o[---] ('?' a probe, '-' none)
missing|-A|nosuch|: No such file or directory
a directory|-A|.|: not a regular file
EOF2

# Files that are not a saved table: exit 2, saying where and why.
bad() {
	_name=$1 _msg=$2
	run bt -A --expect "$T/bad"
	is "$rc $(cat "$T/err")" "2 bindtest: --expect: $T/bad: $_msg" "$_name"
}
: >"$T/bad"
bad "an empty file" "no table in it (save one with bindtest -s or -j)"
run bt -A
cp "$T/out" "$T/bad"
bad "the verbose output" "line 3: expected the column line of bindtest -s after the header, not 'wild4 then wild4'"
head -n 6 "$T/saved.txt" >"$T/bad"
bad "a table cut short" "the table of line 2 is cut short"
sed '/^wild6:/d' "$T/saved.txt" >"$T/bad"
bad "a row missing" "line 5: expected the row of wild6, not '$(grep '^loop4:' "$T/saved.txt" | tr '\t' ' ' | cut -c1-48)...'"
sed "/^wild4:/s/\$/${TAB}x/" "$T/saved.txt" >"$T/bad"
bad "a cell too many" "line 4: the row of wild4 has 9 cells, not 8"
sed "/^loop4:/s/${TAB}[^$TAB]*\$//" "$T/saved.txt" >"$T/bad"
bad "a cell too few" "line 6: the row of loop4 has 7 cells, not 8"
set_cell "$T/saved.txt" wild4 wild4 'o[-9-]' >"$T/bad"
bad "a cell bindtest never prints" "line 4: 'o[-9-]' is not a cell bindtest prints"
set_cell "$T/saved.txt" wild4 wild4 'x|?1(' >"$T/bad"
bad "a bad value in a set" "line 4: 'x|?1(' is not a cell bindtest prints"
{ cat "$T/saved.txt"; echo "something else"; } >"$T/bad"
bad "text after the table" "line 12: not part of a table of bindtest -s: 'something else'"
head -c 100 "$T/saved.json" >"$T/bad"
like "$(run bt -A --expect "$T/bad"; echo "$rc $(cat "$T/err")")" \
	"^2 bindtest: --expect: $T/bad: line [0-9]+: " "a JSON document cut short"
jq '.tables[0].pairs |= reverse' "$T/saved.json" >"$T/bad"
bad "JSON pairs out of order" "table 1, pair 1 is 'one4 then one4', not 'wild4 then wild4'"
jq '.tables[0].pairs |= .[1:]' "$T/saved.json" >"$T/bad"
bad "a JSON pair missing" "table 1 has $((NPAIRS - 1)) pairs, not $NPAIRS"
jq '{tables: 1}' "$T/saved.json" >"$T/bad"
bad "JSON without tables" "no \"tables\" array: not the output of bindtest -j"
# Cells bindtest never prints, typed by hand (finding: accepted, so that a
# typing error read as the kernel's change): refused, saying why.
run bt -s -t -A -1
cp "$T/out" "$T/tcp.txt"
errno_of() { perl -MPOSIX -e "print $1"; }
while IFS=';' read -r name file cell why; do
	set_cell "$T/$file" wild4 loop4 "$cell" >"$T/bad"
	bad "$name" "line 4: '$cell' is not a cell bindtest prints: $why"
done <<EOF2
EADDRINUSE of the 2nd bind (printed as x);saved.txt;?2($(errno_of EADDRINUSE));the second bind's EADDRINUSE is printed as x
errno 0;saved.txt;?2(0);errno 0 is no error
an errno too large;saved.txt;?1(999999);an errno is at most 4095
an errno with a leading zero;saved.txt;?2(099);an errno has no leading zeros
one value of a set;saved.txt;x|?2(0);errno 0 is no error
'b' in a TCP table;tcp.txt;o[b---];'b' (both sockets) is UDP's: a TCP connection is accepted once
'c' in a UDP table;saved.txt;o[c--];'c' and 'f' are TCP's letters
'l' without -l;tcp.txt;o[l---];'l' and 'L' are for TCP tables with a delayed listen
?P without -P;saved.txt;?P;the table does not set SO_REUSEPORT
L1?(...) in a UDP table;saved.txt;L1?(98);L1?(...) and L2?(...) are for TCP tables that listen at once
EOF2

# A -j file's other members must agree with its header and each pair's cell
# (finding: a pair's so_reuseaddr false, or probe letters other than the
# cell's, were ignored).  Left out, they are not checked.
letter=$(echo "$got" | cut -c4)
while IFS='|' read -r name filter msg; do
	jq "$filter" "$T/saved.json" >"$T/bad"
	bad "JSON: $name" "$msg"
done <<EOF2
a probe's letter not the cell's|.tables[0].pairs[3].probes[1].letter = "b"|table 1, pair 4: its cell is '$got', but probes[1].letter is 'b', where the cell has '$letter'
a probe too many|.tables[0].pairs[3].probes += [{"letter": "0"}]|table 1, pair 4: its cell is '$got', but "probes" has 4, where the cell has 3 slots
so_reuseaddr false in a pair|.tables[0].pairs[3].first.so_reuseaddr = false|table 1, pair 4: its cell is '$got', but first.so_reuseaddr is false, where a step is null or {"ok": true or false, ...}
so_reuseaddr failed, both bound|.tables[0].pairs[3].second.so_reuseaddr.ok = false|table 1, pair 4: its cell is '$got', but second.so_reuseaddr failed, where the cell says both sockets bound
so_reuseaddr not tried, both bound|.tables[0].pairs[3].second.so_reuseaddr = null|table 1, pair 4: its cell is '$got', but second.so_reuseaddr is null (not tried), where the cell says both sockets bound
so_reuseport tried without -P|.tables[0].pairs[3].first.so_reuseport = {"ok": true}|table 1, pair 4: its cell is '$got', but first.so_reuseport was tried, in a table without SO_REUSEPORT
both_bound false|.tables[0].pairs[3].both_bound = false|table 1, pair 4: its cell is '$got', but "both_bound" is false, where the cell says true
the table's so_reuseaddr false|.tables[0].so_reuseaddr = false|table 1: its "so_reuseaddr" is false where its header says true ('$(header_for -A)')
the table's socktype|.tables[0].socktype = "SOCK_STREAM"|table 1: its "socktype" is "SOCK_STREAM" where its header says SOCK_DGRAM
EOF2
# A pair whose second bind failed, said to have succeeded.
n=$(jq '[.tables[0].pairs[].cell | test("^(x|[?]2[(])")] | index(true)' "$T/saved.json")
jq ".tables[0].pairs[$n].second.bind = {\"ok\": true}" "$T/saved.json" >"$T/bad"
bad "JSON: a failed bind said to succeed" "table 1, pair $((n + 1)): its cell is '$(jq -r ".tables[0].pairs[$n].cell" "$T/saved.json")', but second.bind did not fail, where the cell says it did"
jq ".tables[0].pairs[3].cell = \"o[-0-]|$got\"" "$T/saved.json" >"$T/set.json"
run bt -A --expect "$T/set.json"
is "$rc $(tap_lines)" "0 $(tap_all_ok)" "--expect JSON: the members agree with one value of a set"
jq '.tables[0].pairs[3] |= (.cell = "o[-0-]" | del(.probes, .both_bound))' "$T/saved.json" >"$T/bare.json"
run bt -A --expect "$T/bare.json"
is "$rc $(grep '^not ok' "$T/out")" "1 not ok 4 - wild4 then loop6" \
	"--expect JSON: a cell changed by hand, its probes left out: compared (a mismatch)"

printf 'starting tests, socktype = SOCK_DGRAM\0' >"$T/bad"
bad "a NUL byte" "a NUL byte: not a table of bindtest"
# What an editor may do that is refused: the message names what it saw.
tr '\n' '\r' <"$T/saved.txt" >"$T/bad"
bad "CR line ends (no LF)" "line 1: a carriage return (CR) inside the line, after '$(head -n 1 "$T/saved.txt")': lines end in LF or CR LF"
sed 's/^wild6:/&\r/' "$T/saved.txt" >"$T/bad"
bad "a CR inside a row" "line 5: a carriage return (CR) inside the line, after 'wild6:': lines end in LF or CR LF"
sed 's/^\(wild6:\)\(.*\)$/\1\2\r\r/' "$T/saved.txt" >"$T/bad"
bad "two CRs at the end of a row" "line 5: a carriage return (CR) inside the line, after '...$(grep '^wild6:' "$T/saved.txt" | tail -c 48 | sed 's/\t/\\t/g')': lines end in LF or CR LF"
printf '\377\376s\000' >"$T/bad"
bad "UTF-16" "UTF-16 text (it starts with a byte order mark): save the table as UTF-8 or ASCII"

# A FIFO is refused, not waited on.
mkfifo "$T/fifo"
run bounded 10 "$SOCKKIT" bindtest $NS -A --expect "$T/fifo"
is "$rc $(cat "$T/err")" "2 bindtest: --expect: $T/fifo: not a regular file" "a FIFO: refused at once"

check "--expect with -j" 2 "" "bindtest: --expect prints TAP: it cannot be combined with -j
$HINT" "$SOCKKIT" bindtest -j --expect "$T/saved.json"

# For kernel CI: a saved table with a sysctl needs the same sysctl.
if [ -n "$NS" ]; then
	run bt -s --sysctl net.ipv4.ip_nonlocal_bind=1
	cp "$T/out" "$T/nonlocal.txt"
	run bt --sysctl net.ipv4.ip_nonlocal_bind=1 --expect "$T/nonlocal.txt"
	is "$rc $(tap_lines)" "0 $(tap_all_ok)" "--expect with the same --sysctl: ok"
	run bt --expect "$T/nonlocal.txt"
	like "$rc $(cat "$T/err")" "^2 bindtest: --expect: $T/nonlocal.txt was saved with other options: it has '.*, net\\.ipv4\\.ip_nonlocal_bind=1' where" \
		"--expect without that --sysctl: other options, exit 2"
else
	skip "--expect with --sysctl" "no private network namespace"
fi

done_testing
