#!/bin/sh
# Benchmark: bindtest's summary tables with readiness waits (the default)
# against a forced full wait per probe (--full-wait, the original's timing:
# up to 1 s in select() after every probe), and whether the verdicts agree.
# Usage: t/bench/bindtest.sh [BUILDDIR [RUNS]]   (default: build, 21 runs)
# VARIANTS="-s -A|-s" picks the tables ('|'-separated); the default is
# "-s|-s -A|-s -P|-s -t -A -1".  The full-wait runs take about 2 minutes.
set -eu
build=${1:-build}
runs=${2:-21}
sockkit=$(readlink -f "$build/sockkit")
variants=${VARIANTS:--s|-s -A|-s -P|-s -t -A -1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ns=-n
"$sockkit" bindtest -n -v >/dev/null 2>&1 && "$sockkit" bindtest -n -s >/dev/null 2>&1 || ns=
[ -n "$ns" ] || echo "(no private network namespace: running in this one)"

now_ns() { date +%s%N; }

# us ARGS...: microseconds of one run (process start included), its table
# without the port line in $tmp/table.
us() {
	t0=$(now_ns)
	"$sockkit" bindtest $ns "$@" >"$tmp/raw"
	t1=$(now_ns)
	grep -v '^port = ' "$tmp/raw" >"$tmp/table"
	echo $(((t1 - t0) / 1000))
}

printf '%-24s %10s %12s %9s  %s\n' "table" "fast (ms)" "full (ms)" "ratio" "verdicts"
echo "$variants" | tr '|' '\n' | while read -r v; do
	# The median of $runs fast runs.
	i=0
	: >"$tmp/times"
	while [ "$i" -lt "$runs" ]; do
		us $v >>"$tmp/times"
		i=$((i + 1))
	done
	cp "$tmp/table" "$tmp/fast"
	fast=$(sort -n "$tmp/times" | sed -n "$(((runs + 1) / 2))p")
	full=$(us --full-wait $v)
	# SO_REUSEPORT on one address is load-balanced: those cells may differ.
	if cmp -s "$tmp/fast" "$tmp/table"; then
		same=identical
	else
		same="differ in $(paste "$tmp/fast" "$tmp/table" | awk -F '\t' '
			{ n = NF / 2; for (i = 2; i <= n; i++) if ($i != $(i + n)) d++ }
			END { print d + 0 }') cells"
	fi
	awk -v v="bindtest $v" -v f="$fast" -v w="$full" -v s="$same" 'BEGIN {
		printf "%-24s %10.1f %12.1f %8.0fx  %s\n", v, f / 1000, w / 1000, w / f, s }'

done
