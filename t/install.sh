#!/bin/sh
# `meson install`: the binary, a relative link per applet, the manuals.
. "$T_SRC/lib.sh"

build=$(cd "$T_BUILD/.." && pwd)
run meson install -C "$build" --no-rebuild --destdir "$T/dest"
if [ "$rc" -ne 0 ]; then
	fail "meson install"
	sed 's/^/# /' "$T/err" | tail -n 10
	done_testing
fi
pass "meson install"
bin=$(find "$T/dest" -type f -name sockkit)
like "$bin" '/bin/sockkit$' "the binary is installed in bindir"
bindir=$(dirname "$bin")
links=$(meson introspect "$build" --buildoptions | grep -o '"name": "applet_links", "value": [a-z]*' | sed 's/.* //')
for a in $("$SOCKKIT" --list); do
	if [ "$links" = false ]; then
		is "$(ls "$bindir/$a" 2>/dev/null)" "" "no link for $a (applet_links=false)"
		continue
	fi
	is "$(readlink "$bindir/$a")" "sockkit" "$a is a relative link to sockkit"
	run "$bindir/$a" --help
	like "$(head -n 1 "$T/out")" "^Usage: sockkit $a " "the installed $a runs"
done
for a in $("$SOCKKIT" --list); do
	is "$(readlink "$(find "$T/dest" -path "*/man/man1/sockkit-$a.1")")" "$a.1" \
		"manual sockkit-$a.1 is a link to $a.1"
done
for page in "$T_SRC"/../man/*.[1-8]; do
	[ -L "$page" ] && continue
	name=$(basename "$page")
	sec=${name##*.}
	is "$(find "$T/dest" -path "*/man/man$sec/$name" | wc -l)" 1 "manual $name installed"
done
done_testing
