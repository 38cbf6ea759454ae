#!/bin/sh
# SOCKKIT_INSTALLED=/usr/bin/sockkit meson test: the whole suite drives an
# installed sockkit (lib.sh).  This test checks that installation itself:
# the binary is the one this tree builds, its links and manuals are in
# place, and the system's python3 imports the installed sockkit_prefork,
# not the source tree's.
. "$T_SRC/lib.sh"

if [ -z "${SOCKKIT_INSTALLED:-}" ]; then
	echo "1..0 # SKIP testing the build (SOCKKIT_INSTALLED=/path/to/sockkit tests an installed one)"
	exit 0
fi
PY=${PREFORK_PY:-/usr/bin/python3}
bindir=$(dirname "$SOCKKIT")
prefix=$(dirname "$bindir")

check "the installed sockkit has this tree's applets" 0 \
	"$(printf '%s\n' $SOCKKIT_APPLETS)" '' "$SOCKKIT" --list
check "... and its version" 0 "$("$SOCKKIT_BUILT" --version)" '' "$SOCKKIT" --version

# Each applet's link beside the binary, where there is one: Debian's
# package leaves /usr/bin/prefork-interp to chiark-utils-bin.
for a in $SOCKKIT_APPLETS; do
	if [ -L "$bindir/$a" ] && [ "$(readlink -f "$bindir/$a")" = "$(readlink -f "$SOCKKIT")" ]; then
		run "$bindir/$a" --help
		like "$rc $(head -n 1 "$T/out")" "^0 Usage: sockkit $a " "$bindir/$a runs the applet"
	elif [ -e "$bindir/$a" ]; then
		skip "$bindir/$a runs the applet" "$bindir/$a is another program"
	else
		skip "$bindir/$a runs the applet" "no link installed"
	fi
done

# Every manual, under the installed prefix.
for page in "$T_SRC"/../man/*.[1-8]; do
	name=$(basename "$page")
	sec=${name##*.}
	ok '[ -e "$prefix/share/man/man$sec/$name" ] || [ -e "$prefix/share/man/man$sec/$name.gz" ]' \
		"manual $name installed"
done
if command -v man >/dev/null 2>&1; then
	for a in $SOCKKIT_APPLETS; do
		run man -w "$a"
		like "$rc $(cat "$T/out")" "^0 $prefix/share/man/man1/$a\\.1(\\.gz)?$" "man $a finds the installed page"
	done
else
	skip "man finds the installed pages" "man is not installed"
fi

# The Python module, as a script's #! python3 imports it: no PYTHONPATH.
if [ -x "$PY" ]; then
	run env -u PYTHONPATH "$PY" -c 'import sockkit_prefork; print(sockkit_prefork.__file__)'
	is_rc 0 "$PY imports sockkit_prefork"
	src=$(cd "$T_SRC/.." && pwd)
	ok 'case $(cat "$T/out") in "$src"/*|"") false ;; esac' \
		"... the installed module ($(cat "$T/out")), not the source tree's"
else
	skip "$PY imports sockkit_prefork" "$PY is not installed"
fi
done_testing
