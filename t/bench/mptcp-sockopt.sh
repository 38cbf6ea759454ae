#!/bin/sh
# Benchmark: wall time of `sockkit mptcp-sockopt` (both families, and each
# alone) against the Linux selftest mptcp_sockopt, run the same number of
# times on the same kernel.  Not a test: it prints figures, asserts nothing.
#
# usage: t/bench/mptcp-sockopt.sh [SOCKKIT [UPSTREAM [RUNS]]]
#   SOCKKIT   the sockkit binary (default: build/sockkit)
#   UPSTREAM  a built tools/testing/selftests/net/mptcp/mptcp_sockopt, or
#             "" to skip it (it binds the fixed port 15432)
#   RUNS      runs per figure (default 200)
sockkit=${1:-build/sockkit}
upstream=${2:-}
runs=${3:-200}

now_ns() { date +%s%N; }

# bench LABEL FAMILIES CMD...: runs CMD $runs times, prints ms per run and
# per family; stops at the first failing run.
bench() {
	_label=$1 _fam=$2
	shift 2
	_i=0
	_t0=$(now_ns)
	while [ "$_i" -lt "$runs" ]; do
		if ! "$@" >/dev/null 2>&1; then
			echo "$_label: run $_i failed: $*" >&2
			return 1
		fi
		_i=$((_i + 1))
	done
	_t1=$(now_ns)
	awk -v l="$_label" -v ns=$((_t1 - _t0)) -v n="$runs" -v f="$_fam" 'BEGIN {
		printf "%-40s %8.2f ms/run %8.2f ms/family (%d runs)\n", l, ns / n / 1e6, ns / n / f / 1e6, n }'
}

upstream_both() { "$upstream" && "$upstream" -6; }

echo "kernel $(uname -r), $(nproc) CPUs"
bench "sockkit mptcp-sockopt (v4+v6)" 2 "$sockkit" mptcp-sockopt
bench "sockkit mptcp-sockopt -4" 1 "$sockkit" mptcp-sockopt -4
bench "sockkit mptcp-sockopt -6" 1 "$sockkit" mptcp-sockopt -6
if [ -n "$upstream" ]; then
	bench "upstream mptcp_sockopt; mptcp_sockopt -6" 2 upstream_both
	bench "upstream mptcp_sockopt" 1 "$upstream"
	bench "upstream mptcp_sockopt -6" 1 "$upstream" -6
fi
