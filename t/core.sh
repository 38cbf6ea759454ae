#!/bin/sh
# The multicall binary: dispatch by name, argument and #! line; --list,
# --help, --version, --install; exit codes; the shared usage errors.
. "$T_SRC/lib.sh"

applets="bindtest
mptcp-sockopt
prefork-interp"

# --- sockkit itself -------------------------------------------------------
run "$SOCKKIT" --list
is_rc 0 "--list exits 0"
is_file "$T/out" "$applets" "--list names every applet, one a line"

run "$SOCKKIT"
is_rc 2 "no arguments: usage error"
like "$(head -n 1 "$T/err")" '^Usage: sockkit APPLET' "no arguments: usage on stderr"
is "$(grep -c '^  [a-z]' "$T/err")" 3 "no arguments: the applet list on stderr"
is "$(wc -c <"$T/out")" 0 "no arguments: nothing on stdout"

run "$SOCKKIT" --help
is_rc 0 "--help exits 0"
like "$(head -n 1 "$T/out")" '^Usage: sockkit APPLET' "--help on stdout"

run "$SOCKKIT" --version
is_rc 0 "--version exits 0"
like "$(cat "$T/out")" '^sockkit [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"

run "$SOCKKIT" --bogus
is_rc 2 "unknown sockkit option: 2"
is "$(cat "$T/err")" "sockkit: unknown option '--bogus'
Try 'sockkit --help'." "unknown sockkit option: message" 

run "$SOCKKIT" nosuch -x
is_rc 127 "unknown applet: 127"
is_file "$T/err" "sockkit: nosuch: applet not found" "unknown applet: message"

run "$SOCKKIT" --help nosuch
is_rc 127 "--help of an unknown applet: 127"

# A write error on stdout is an error at exit.
"$SOCKKIT" --list >/dev/full 2>"$T/err"
rc=$?
is_rc 1 "--list >/dev/full exits 1"
like "$(cat "$T/err")" '^sockkit: write error on standard output: No space left on device$' \
	"--list >/dev/full says why"

# --- each applet, every way in --------------------------------------------
ln -s "$SOCKKIT" "$T/sockkit"
for a in $applets; do
	run "$SOCKKIT" "$a" --help
	is_rc 0 "sockkit $a --help exits 0"
	like "$(head -n 1 "$T/out")" "^Usage: sockkit $a " "sockkit $a --help: usage on stdout"
	cp "$T/out" "$T/help.$a"

	run "$SOCKKIT" --help "$a"
	is "$(cat "$T/out")" "$(cat "$T/help.$a")" "sockkit --help $a is the applet's help"

	ln -s "$SOCKKIT" "$T/$a"
	run "$T/$a" --help
	is "$(cat "$T/out")" "$(cat "$T/help.$a")" "$a through a symlink"

	# A login shell's argv[0] ("-name") names the applet too.
	run perl -e 'exec { $ARGV[1] } "-$ARGV[0]", "--help" or exit 99' "$a" "$SOCKKIT"
	is "$(cat "$T/out")" "$(cat "$T/help.$a")" "$a with a leading '-' in argv[0]"

	run "$SOCKKIT" "$a" --no-such-option
	is_rc 2 "$a: unknown option exits 2"
	is "$(cat "$T/err")" "$a: unknown option '--no-such-option'
Try 'sockkit $a --help'." "$a: unknown option: one line, then the hint"

	# #! through sockkit: the kernel passes "APPLET --help" as one argument.
	printf '#!%s %s --help\n' "$T/sockkit" "$a" >"$T/s1-$a"
	chmod +x "$T/s1-$a"
	run "$T/s1-$a"
	is_rc 0 "#!sockkit $a --help exits 0"
	is "$(cat "$T/out")" "$(cat "$T/help.$a")" "#!sockkit $a --help (space form)"

	printf '#!%s %s,--help\n' "$T/sockkit" "$a" >"$T/s2-$a"
	chmod +x "$T/s2-$a"
	run "$T/s2-$a"
	is "$(cat "$T/out")" "$(cat "$T/help.$a")" "#!sockkit $a,--help (comma form)"

	# #! through the applet's link: the same argv the sockkit form gives.
	printf '#!%s --help\n' "$T/$a" >"$T/s3-$a"
	chmod +x "$T/s3-$a"
	run "$T/s3-$a"
	is "$(cat "$T/out")" "$(cat "$T/help.$a")" "#!$a --help (link form)"

	printf '#!%s %s -Z\n' "$T/sockkit" "$a" >"$T/s4-$a"
	chmod +x "$T/s4-$a"
	run "$T/s4-$a"
	is_rc 2 "#!sockkit $a -Z: the applet parses the split options"
	is "$(head -n 1 "$T/err")" "$a: unknown option '-Z'" "#!sockkit $a -Z: message"
done

printf '#!%s nosuch -x\n' "$T/sockkit" >"$T/s5"
chmod +x "$T/s5"
run "$T/s5"
is_rc 127 "#! naming an unknown applet: 127"
is_file "$T/err" "sockkit: nosuch: applet not found" "#! unknown applet: message"

# --- --install -------------------------------------------------------------
real=$(readlink -f "$SOCKKIT")
mkdir "$T/bin"
run "$SOCKKIT" --install "$T/bin"
is_rc 0 "--install exits 0"
is "$(ls "$T/bin" | tr '\n' ' ')" "bindtest mptcp-sockopt prefork-interp " "--install makes a link per applet"
is "$(readlink "$T/bin/bindtest")" "$real" "--install links to the real binary"
ls -li "$T/bin" >"$T/before"
run "$SOCKKIT" --install "$T/bin"
is_rc 0 "--install twice exits 0"
ls -li "$T/bin" >"$T/after"
is "$(cat "$T/after")" "$(cat "$T/before")" "--install twice leaves the links alone"
run "$T/bin/bindtest" --help
is "$(cat "$T/out")" "$(cat "$T/help.bindtest")" "an installed link runs its applet"

rm "$T/bin/mptcp-sockopt"
echo foreign >"$T/bin/mptcp-sockopt"
run "$SOCKKIT" --install "$T/bin"
is_rc 1 "--install refuses a foreign file"
is_file "$T/err" "sockkit: $T/bin/mptcp-sockopt: exists and is not a link to $real (use -f to replace it)" \
	"--install names the foreign file"
is_file "$T/bin/mptcp-sockopt" "foreign" "the foreign file is untouched"
run "$SOCKKIT" --install -f "$T/bin"
is_rc 0 "--install -f replaces it"
is "$(readlink "$T/bin/mptcp-sockopt")" "$real" "--install -f made the link"
run "$SOCKKIT" --install
is_rc 2 "--install without a directory: usage error"
run "$SOCKKIT" --install "$T/nonexistent"
is_rc 1 "--install into a missing directory fails"

done_testing
