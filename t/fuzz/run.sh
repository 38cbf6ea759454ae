#!/bin/sh
# Run every libFuzzer harness for SECONDS each, starting from the seed corpora
# in t/fuzz/corpus/NAME (without the fuzz- prefix).  Builds them first in
# BUILDDIR (default build-fuzz) with clang and -Dfuzz=true.
# Prints "fuzz ok NAME runs=N seconds=S" or "fuzz FAIL NAME" per harness.
set -u
secs=${1:-30}
build=${2:-build-fuzz}
src=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true >/dev/null || exit 1
fi
# Build the harnesses only: they do not need the rest of the tree.
targets=$(meson introspect "$build" --targets | python3 -c '
import json, sys
print(" ".join(t["name"] for t in json.load(sys.stdin) if t["name"].startswith("fuzz-")))')
# shellcheck disable=SC2086
meson compile -C "$build" $targets >"$build/fuzz-compile.log" 2>&1 ||
	{ echo "fuzz FAIL build"; tail -n 20 "$build/fuzz-compile.log"; exit 1; }
status=0
for exe in "$build"/t/fuzz/fuzz-*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	name=$(basename "$exe")
	work=$(mktemp -d)
	log=$work/log
	seeds=$src/t/fuzz/corpus/${name#fuzz-}
	mkdir "$work/corpus"
	[ -d "$seeds" ] && cp "$seeds"/* "$work/corpus/" 2>/dev/null
	if ASAN_OPTIONS=detect_leaks=1 "$exe" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 "$work/corpus" >"$log" 2>&1; then
		runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log")
		took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log")
		echo "fuzz ok $name runs=${runs:-?} seconds=${took:-?}"
	else
		echo "fuzz FAIL $name"
		tail -n 30 "$log"
		status=1
	fi
	rm -rf "$work"
done
exit $status
