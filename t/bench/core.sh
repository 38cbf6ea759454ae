#!/bin/sh
# Benchmark: the cost of starting sockkit (`sockkit --version`) against the
# exec of a trivial C program, run alternately (t/bench/spawn-pair.c) so that
# the machine's load treats both alike; medians.  Then the stripped size.
# Usage: t/bench/core.sh [BUILDDIR [ROUNDS]]   (default: build 3000)
set -eu
build=${1:-build}
rounds=${2:-3000}
here=$(cd "$(dirname "$0")" && pwd)
sockkit=$(readlink -f "$build/sockkit")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The baseline: a C program that prints one line, built the usual way.
printf '#include <stdio.h>\nint main(void){puts("x 0.0.0");return 0;}\n' >"$tmp/trivial.c"
${CC:-cc} -O2 -o "$tmp/trivial" "$tmp/trivial.c"
${CC:-cc} -O2 -o "$tmp/spawn-pair" "$here/spawn-pair.c"

set -- $("$tmp/spawn-pair" "$rounds" "$tmp/trivial" -- "$sockkit" --version)
echo "trivial C exec:     $1 us (median of $rounds)"
echo "sockkit --version:  $2 us"
echo "ratio:              $3 (goal <= 1.1)"
cp "$sockkit" "$tmp/sockkit"
strip "$tmp/sockkit"
echo "stripped binary:    $(wc -c <"$tmp/sockkit") bytes"
