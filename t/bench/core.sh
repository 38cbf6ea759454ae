#!/bin/sh
# Benchmark: the cost of starting sockkit (`sockkit --version`) against the
# exec of a trivial C program, side by side, and the stripped binary's size.
# Usage: t/bench/core.sh [BUILDDIR]   (default: build)
set -eu
build=${1:-build}
sockkit=$(readlink -f "$build/sockkit")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The baseline: a C program that prints one line, built the same way.
printf '#include <stdio.h>\nint main(void){puts("x 0.0.0");return 0;}\n' >"$tmp/trivial.c"
${CC:-cc} -O2 -o "$tmp/trivial" "$tmp/trivial.c"

if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -N --warmup 50 --runs 2000 --export-json "$tmp/h.json" \
		"$tmp/trivial" "$sockkit --version" >/dev/null 2>&1
	python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base, sk = r[0]["mean"], r[1]["mean"]
print(f"trivial C exec:     {base*1e6:8.1f} us")
print(f"sockkit --version:  {sk*1e6:8.1f} us")
print(f"ratio:              {sk/base:8.3f} (goal <= 1.1)")
PY
else
	echo "hyperfine not installed (apt-get install hyperfine)" >&2
	exit 1
fi
cp "$sockkit" "$tmp/sockkit"
strip "$tmp/sockkit"
echo "stripped binary:    $(wc -c <"$tmp/sockkit") bytes"
