#!/bin/sh
# Benchmark: wall time of `sockkit mptcp-sockopt` (both families, and each
# alone) against the Linux selftest mptcp_sockopt on the same kernel; then
# the run over two subflows (--subflows 2, its own namespaces and links)
# against one subflow, and against ip(8) making the same network alone
# (t/bench/mptcp-ip-paths.sh), medians of alternated runs
# (t/bench/spawn-pair.c).  Not a test: it prints figures, asserts nothing.
#
# usage: t/bench/mptcp-sockopt.sh [SOCKKIT [UPSTREAM [BLOCKS [PER_BLOCK [ROUNDS]]]]]
#   SOCKKIT    the sockkit binary (default: build/sockkit)
#   UPSTREAM   a built tools/testing/selftests/net/mptcp/mptcp_sockopt, or
#              "" to leave it out (it binds the fixed port 15432)
#   BLOCKS     alternations (default 20); PER_BLOCK runs each (default 25)
#   ROUNDS     alternated pairs for the subflow figures (default 200)
sockkit=${1:-build/sockkit}
upstream=${2:-}
blocks=${3:-20}
per=${4:-25}
rounds=${5:-200}
here=$(cd "$(dirname "$0")" && pwd)

now_ns() { date +%s%N; }

sk_both() { "$sockkit" mptcp-sockopt; }
sk_v4() { "$sockkit" mptcp-sockopt -4; }
sk_v6() { "$sockkit" mptcp-sockopt -6; }
up_both() { "$upstream" && "$upstream" -6; }
up_v4() { "$upstream"; }
up_v6() { "$upstream" -6; }

names="sk_both sk_v4 sk_v6"
[ -n "$upstream" ] && names="$names up_both up_v4 up_v6"
for n in $names; do eval "total_$n=0"; done

# block NAME: PER_BLOCK runs, adding the nanoseconds to total_NAME.
block() {
	_i=0
	_t0=$(now_ns)
	while [ "$_i" -lt "$per" ]; do
		if ! "$1" >/dev/null 2>&1; then
			echo "$1: a run failed" >&2
			exit 1
		fi
		_i=$((_i + 1))
	done
	_t1=$(now_ns)
	eval "total_$1=\$((total_$1 + _t1 - _t0))"
}

b=0
while [ "$b" -lt "$blocks" ]; do
	for n in $names; do block "$n"; done
	b=$((b + 1))
done

report() {
	eval "_ns=\$total_$1"
	awk -v l="$2" -v ns="$_ns" -v n=$((blocks * per)) -v f="$3" 'BEGIN {
		printf "%-42s %7.2f ms/run %7.2f ms/family\n", l, ns / n / 1e6, ns / n / f / 1e6 }'
}

echo "kernel $(uname -r), $(nproc) CPUs, $((blocks * per)) runs each, alternating blocks of $per"
report sk_both "sockkit mptcp-sockopt (v4 and v6)" 2
report sk_v4 "sockkit mptcp-sockopt -4" 1
report sk_v6 "sockkit mptcp-sockopt -6" 1
if [ -n "$upstream" ]; then
	report up_both "mptcp_sockopt && mptcp_sockopt -6" 2
	report up_v4 "mptcp_sockopt" 1
	report up_v6 "mptcp_sockopt -6" 1
fi

# Several subflows: medians of alternated runs, in microseconds.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/spawn-pair" "$here/spawn-pair.c"
sk=$(readlink -f "$sockkit")
set -- $("$tmp/spawn-pair" "$rounds" "$sk" mptcp-sockopt -- "$sk" mptcp-sockopt --subflows 2)
echo "sockkit mptcp-sockopt: median $(awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }') ms;" \
	"--subflows 2: median $(awk -v u="$2" 'BEGIN { printf "%.2f", u / 1000 }') ms ($3x); $rounds alternated runs"
if command -v ip >/dev/null 2>&1; then
	set -- $("$tmp/spawn-pair" "$rounds" "$sk" mptcp-sockopt --subflows 2 -- /bin/sh "$here/mptcp-ip-paths.sh")
	echo "sockkit mptcp-sockopt --subflows 2 (both families, every check): median" \
		"$(awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }') ms; ip(8) making one family's network alone:" \
		"$(awk -v u="$2" 'BEGIN { printf "%.2f", u / 1000 }') ms ($3x)"
fi
