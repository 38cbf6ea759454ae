#!/bin/sh
# The multicall binary: dispatch by name, argument and #! line; the command
# line rules every applet keeps (sockkit(1), COMMAND LINE); --list, --help,
# --version, --install; exit codes.
. "$T_SRC/lib.sh"

: "${SOCKKIT_APPLETS:?meson passes the applet list}"
applets=$(printf '%s\n' $SOCKKIT_APPLETS)
version=$("$SOCKKIT" --version | sed 's/^sockkit //')
hint() { printf "Try 'sockkit%s --help'." "${1:+ $1}"; }

# --- sockkit itself ----------------------------------------------------------
check "--list names every applet of the build, one a line" 0 "$applets" '' "$SOCKKIT" --list
ok '[ "$(sort "$T/out")" = "$(cat "$T/out")" ]' "--list is sorted"
check "--version" 0 "sockkit $version" '' "$SOCKKIT" --version
ok 'printf "%s" "$version" | grep -Eq "^[0-9]+\.[0-9]+\.[0-9]+$"' "the version is X.Y.Z"
check "unknown sockkit option: exit 2, one line and the hint" 2 '' \
	"sockkit: unknown option '--bogus'
$(hint)" "$SOCKKIT" --bogus
check "unknown applet: 127, nothing on stdout" 127 '' "sockkit: nosuch: applet not found" \
	"$SOCKKIT" nosuch -x
check "--help of an unknown applet: 127, nothing on stdout" 127 '' \
	"sockkit: nosuch: applet not found" "$SOCKKIT" --help nosuch
check "--help with two names: usage error" 2 '' "sockkit: --help takes at most one applet name
$(hint)" "$SOCKKIT" --help bindtest prefork-interp
check "--list with an argument: usage error" 2 '' "sockkit: --list takes no argument
$(hint)" "$SOCKKIT" --list x
check "an unknown option with arguments is still unknown" 2 '' \
	"sockkit: unknown option '-bindtest'
$(hint)" "$SOCKKIT" -bindtest -v
check "-- ends sockkit's options: sockkit -- APPLET" 0 "bindtest (sockkit $version), after KAME bindtest.c 1.51" '' \
	"$SOCKKIT" -- bindtest -v

run "$SOCKKIT"
ok '[ "$rc" -eq 2 ] && [ ! -s "$T/out" ]' "no arguments: exit 2, nothing on stdout"
ok 'head -n 1 "$T/err" | grep -q "^Usage: sockkit APPLET"' "no arguments: usage on stderr"
ok '[ "$(grep -c "^  [a-z]" "$T/err")" -eq "$(echo "$applets" | wc -l)" ]' \
	"no arguments: every applet listed with its summary"
run "$SOCKKIT" --help
ok '[ "$rc" -eq 0 ] && head -n 1 "$T/out" | grep -q "^Usage: sockkit APPLET"' "--help on stdout"

"$SOCKKIT" --list >/dev/full 2>"$T/err"
rc=$?
ok '[ "$rc" -eq 1 ]' "--list >/dev/full exits 1"
is_file "$T/err" "sockkit: write error on standard output: No space left on device" \
	"--list >/dev/full says why"

# --- each applet, every way in ----------------------------------------------
ln -s "$SOCKKIT" "$T/sockkit"
for a in $applets; do
	ln -s "$SOCKKIT" "$T/$a"
	run "$SOCKKIT" "$a" --help
	ok '[ "$rc" -eq 0 ] && head -n 1 "$T/out" | grep -q "^Usage: sockkit $a "' \
		"sockkit $a --help: usage on stdout"
	cp "$T/out" "$T/help.$a"
	check "sockkit --help $a is the applet's help" 0 "$(cat "$T/help.$a")" '' \
		"$SOCKKIT" --help "$a"
	check "$a --help through a symlink" 0 "$(cat "$T/help.$a")" '' "$T/$a" --help
	# A login shell's argv[0] ("-name") names the applet too.
	check "$a with a leading '-' in argv[0]" 0 "$(cat "$T/help.$a")" '' \
		perl -e 'exec { $ARGV[1] } "-$ARGV[0]", "--help" or exit 99' "$a" "$SOCKKIT"
	check "sockkit $a --version" 0 "*" '' "$SOCKKIT" "$a" --version
	ok 'grep -q "^$a (sockkit $version)" "$T/out" && [ "$(wc -l <"$T/out")" -eq 1 ]' \
		"$a --version: one line, the applet and sockkit's version"
	ok 'grep -q -- "--version" "$T/help.$a"' "$a --help lists --version"
	check "$a: unknown option: exit 2, one line, then the hint" 2 '' \
		"$a: unknown option '--no-such-option'
$(hint "$a")" "$SOCKKIT" "$a" --no-such-option
done

# --- #! lines ---------------------------------------------------------------
# script NAME LINE: an executable script $T/NAME whose first line is LINE.
script() {
	printf '%s\necho not reached\n' "$2" >"$T/$1"
	chmod +x "$T/$1"
}

# Every applet: the kernel passes "APPLET --help" as one argument.
for a in $applets; do
	script "s1-$a" "#!$T/sockkit $a --help"
	check "#!sockkit $a --help" 0 "$(cat "$T/help.$a")" '' "$T/s1-$a"
	script "s2-$a" "#!$T/sockkit $a,--help"
	check "#!sockkit $a,--help (comma after the name)" 0 "$(cat "$T/help.$a")" '' "$T/s2-$a"
	script "s3-$a" "#!$T/$a --help"
	check "#!$a --help (through the link)" 0 "$(cat "$T/help.$a")" '' "$T/s3-$a"
	script "s4-$a" "#!$T/sockkit $a -Z"
	check "#!sockkit $a -Z: the applet parses the option" 2 '' \
		"$a: unknown option '-Z'
$(hint "$a")" "$T/s4-$a"
done

# Non-interpreter applets: the line is a saved command line, split at blanks;
# the script's path is not an operand, and the script's arguments follow.
bt_version="bindtest (sockkit $version), after KAME bindtest.c 1.51"
script bt-two "#!$T/sockkit bindtest -n -s -t"
run "$T/bt-two"
skip_if_4 "#!sockkit bindtest -n -s -t" ||
	ok '[ "$rc" -eq 0 ] && grep -qx "starting tests, socktype = SOCK_STREAM, !V6ONLY" "$T/out" &&
	    grep -q "^wild4:" "$T/out"' "#!sockkit bindtest -n -s -t runs the TCP summary table"
script bt-link "#!$T/bindtest  -n	-s -t  "
run "$T/bt-link"
skip_if_4 "#!bindtest -n -s -t (link, odd blanks)" ||
	ok '[ "$rc" -eq 0 ] && grep -qx "starting tests, socktype = SOCK_STREAM, !V6ONLY" "$T/out"' \
		"#!bindtest with several options and odd blanks (link form)"
script bt-none "#!$T/bindtest"
check "#!bindtest with no option: the script's own arguments are the options" \
	0 "$bt_version" '' "$T/bt-none" -v
script bt-one "#!$T/sockkit bindtest"
check "#!sockkit bindtest: the script's arguments follow" 0 "$bt_version" '' "$T/bt-one" --version
script bt-args "#!$T/sockkit bindtest -n -s"
run "$T/bt-args" -t
skip_if_4 "#!sockkit bindtest -n -s, run with -t" ||
	ok '[ "$rc" -eq 0 ] && grep -qx "starting tests, socktype = SOCK_STREAM, !V6ONLY" "$T/out"' \
		"#!sockkit bindtest -n -s, run with -t: the line's options, then the script's"
script bt-env "#!/usr/bin/env -S PATH=$T:/usr/bin:/bin bindtest -n -s"
run "$T/bt-env" -t
skip_if_4 "#!/usr/bin/env -S bindtest -n -s" ||
	ok '[ "$rc" -eq 0 ] && grep -qx "starting tests, socktype = SOCK_STREAM, !V6ONLY" "$T/out"' \
		"#!/usr/bin/env -S bindtest -n -s (env splits the line itself)"
script mp-two "#!$T/sockkit mptcp-sockopt --version --json"
check "#!sockkit mptcp-sockopt with two options" 0 "mptcp-sockopt (sockkit $version)" '' \
	"$T/mp-two"
check "a hand-typed argument with blanks is not split" 2 '' \
	"bindtest: unknown option '- '
$(hint bindtest)" "$T/bindtest" "-v -s"
check "sockkit 'bindtest -v -s' typed by hand: not split" 2 '' \
	"bindtest: unknown option '- '
$(hint bindtest)" "$SOCKKIT" "bindtest -v -s"
script other "#!$T/sockkit bindtest -v -s"
check "a script whose line ends alike but names another interpreter: not a #! call" 2 '' \
	"bindtest: unknown option '- '
$(hint bindtest)" env PATH="$T:$PATH" bindtest "-v -s" "$T/other"
check "a file named like the argument, not a #! call: the operand stays" 2 '' \
	"bindtest: extra operand '$T/bt-none'
$(hint bindtest)" "$T/bindtest" -s "$T/bt-none"

script s5 "#!$T/sockkit nosuch -x"
check "#! naming an unknown applet: 127" 127 '' "sockkit: nosuch: applet not found" "$T/s5"

# --- numbers and option order -------------------------------------------------
run "$T/bindtest" -n -p 08
skip_if_4 "-p 08" || ok '[ "$rc" -eq 0 ] && grep -q "for 0.0.0.0/8$" "$T/out"' "-p 08 is port 8"
run "$T/bindtest" -n -p 010
skip_if_4 "-p 010" || ok '[ "$rc" -eq 0 ] && grep -q "for 0.0.0.0/10$" "$T/out"' "-p 010 is port 10"
check "-p 0x50 is a usage error" 2 '' "bindtest: -p: '0x50' is not a decimal number
$(hint bindtest)" "$T/bindtest" -p 0x50
check "bindtest: an option after an operand still counts (and -- ends options)" 2 '' \
	"bindtest: extra operand 'x'
$(hint bindtest)" "$T/bindtest" x -s
check "bindtest --version after --" 2 '' "bindtest: extra operand '--version'
$(hint bindtest)" "$T/bindtest" -- --version

# --- --install -----------------------------------------------------------------
real=$(readlink -f "$SOCKKIT")
mkdir "$T/bin"
check "--install exits 0" 0 '' '' "$SOCKKIT" --install "$T/bin"
is "$(ls "$T/bin")" "$applets" "--install makes a link per applet"
is "$(readlink "$T/bin/bindtest")" "$real" "--install links to the real binary"
ls -li "$T/bin" >"$T/before"
check "--install twice exits 0" 0 '' '' "$SOCKKIT" --install "$T/bin"
ls -li "$T/bin" >"$T/after"
is_file "$T/after" "$(cat "$T/before")" "--install twice leaves the links alone"
check "an installed link runs its applet" 0 "$(cat "$T/help.bindtest")" '' "$T/bin/bindtest" --help

rm "$T/bin/mptcp-sockopt"
echo foreign >"$T/bin/mptcp-sockopt"
check "--install refuses a foreign file and names it" 1 '' \
	"sockkit: $T/bin/mptcp-sockopt: exists and is not a link to $real (use -f to replace it)" \
	"$SOCKKIT" --install "$T/bin"
is_file "$T/bin/mptcp-sockopt" "foreign" "the foreign file is untouched"
check "--install -f replaces it" 0 '' '' "$SOCKKIT" --install -f "$T/bin"
is "$(readlink "$T/bin/mptcp-sockopt")" "$real" "--install -f made the link"
check "--install without a directory: usage error" 2 '' \
	"sockkit: --install takes [-f] and one directory
$(hint)" "$SOCKKIT" --install
rm -r "$T/bin"
mkdir "$T/bin" "$T/bin2"
check "--install DIR -f: -f after the directory" 0 '' '' "$SOCKKIT" --install "$T/bin" -f
check "--install -- DIR" 0 '' '' "$SOCKKIT" --install -- "$T/bin"
ln -s "$(realpath --relative-to="$T/bin2" "$real")" "$T/bin2/bindtest"
ln "$real" "$T/hard" 2>/dev/null || cp "$real" "$T/hard"
ln -s "$T/bin2/bindtest" "$T/bin2/mptcp-sockopt"
check "--install keeps a relative link, and a link to a link, to the binary" 0 '' '' \
	"$SOCKKIT" --install "$T/bin2"
is "$(readlink "$T/bin2/mptcp-sockopt")" "$T/bin2/bindtest" "... untouched"
check "--install with an unknown option" 2 '' "sockkit: --install: unknown option '-x'
$(hint)" "$SOCKKIT" --install -x "$T/bin"
check "--install into a missing directory: one error" 1 '' \
	"sockkit: $T/nonexistent: No such file or directory" "$SOCKKIT" --install "$T/nonexistent"

done_testing
