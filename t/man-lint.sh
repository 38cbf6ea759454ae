#!/bin/sh
# Every manual page passes mandoc's lint at warning level, and renders as
# meant: no word turned into a flag by a macro that ran on (".Fl w ) : the
# script" renders "-w): -the -script"), which the lint does not see.
. "$T_SRC/lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	skip "mandoc lint" "mandoc is not installed"
	done_testing
fi

# stray_flags PAGE: rendered "-word"s that the source writes neither as
# ".Fl word" nor as "-word" (a command in a literal display).
stray_flags() {
	MANWIDTH=200 mandoc -Tutf8 "$1" | col -b |
		grep -oE '(^|[[:space:](\[])-[a-z][A-Za-z_]+' | sed 's/^.*-//' | sort -u |
		while read -r w; do
			grep -Eq "(Fl |[[:space:]]-)$w([^A-Za-z0-9_]|$)" "$1" || printf '%s ' "-$w"
		done
}

for page in "$T_SRC"/../man/*.[1-8]; do
	name=$(basename "$page")
	run mandoc -Tlint -Wwarning "$page"
	ok '[ "$rc" -eq 0 ] && [ ! -s "$T/out" ]' "mandoc lint $name" ||
		sed 's/^/# /' "$T/out" "$T/err" | head -20
	stray=$(stray_flags "$page")
	ok '[ -z "$stray" ]' "$name renders no stray flag${stray:+: $stray}"
done
done_testing
