#!/bin/sh
# Every manual page passes mandoc's lint at warning level.
. "$T_SRC/lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	skip "mandoc lint" "mandoc is not installed"
	done_testing
fi
for page in "$T_SRC"/../man/*.[1-8]; do
	name=$(basename "$page")
	run mandoc -Tlint -Wwarning "$page"
	if [ "$rc" -eq 0 ] && [ ! -s "$T/out" ]; then
		pass "mandoc lint $name"
	else
		fail "mandoc lint $name"
		sed 's/^/# /' "$T/out" "$T/err" | head -20
	fi
done
done_testing
