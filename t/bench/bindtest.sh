#!/bin/sh
# Benchmark: the time of every bindtest table, as users run it
# (`sockkit bindtest -n -s ARGS`: process start, private namespace, port
# choice included), against the original's timing.
#
# fast:  median of ROUNDS runs, alternated run by run with the plain UDP table
#        (t/bench/spawn-pair.c), so that the machine's load treats both alike;
#        "x plain" is the ratio of the two medians.
# cpu:   the CPU time (user + system) of one run, the mean of ROUNDS runs:
#        what a busy machine's waiting for a CPU does not change.
# full:  one run with --full-wait, which waits up to a second after every
#        probe as the original did (all tables at once: they mostly sleep).
# 1.51:  one run of KAME bindtest 1.51 itself, when BINDTEST_KAME names a
#        build of it (README), each in a namespace of its own ("-" where it
#        refuses the options: -b with -s).
# Usage: t/bench/bindtest.sh [BUILDDIR [ROUNDS]]   (default: build 201)
# TABLES="-s -A|-s" picks the tables ('|'-separated); the default is every
# table of -a, then -o and -b ones.  The full-wait runs take about a minute.
set -eu
build=${1:-build}
rounds=${2:-201}
here=$(cd "$(dirname "$0")" && pwd)
sockkit=$(readlink -f "$build/sockkit")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -o "$tmp/spawn-pair" "$here/spawn-pair.c"

"$sockkit" bindtest -n -s >/dev/null 2>&1 ||
	{ echo "bindtest -n cannot make a namespace here" >&2; exit 1; }

# Every table of -a, from its JSON headers, as options; then -o and -b.
options_of() {
	sed 's/^starting tests, socktype = //; s/SOCK_DGRAM//; s/SOCK_STREAM/-t/;
	     s/SO_REUSEADDR/-A/; s/SO_REUSEPORT/-P/; s/!V6ONLY//; s/V6ONLY/-6/;
	     s/connect to 1st/-1/; s/connect to 2nd/-2/; s/delayed listen/-l/;
	     s/,//g; s/  */ /g; s/^ //; s/ $//'
}
if [ -n "${TABLES:-}" ]; then
	echo "$TABLES" | tr '|' '\n' >"$tmp/tables"
else
	"$sockkit" bindtest -n -a -j | jq -r '.tables[].header' | options_of |
		sed 's/^/-s /; s/ $//' >"$tmp/tables"
	printf '%s\n' "-s -A -o 127.0.0.2" "-s -b 127.255.255.255" "-s -t -A -o ::1" >>"$tmp/tables"
fi

# The original's timing, all tables at once.
n=0
while read -r t; do
	n=$((n + 1))
	{ s=$(date +%s%N); "$sockkit" bindtest -n --full-wait $t >/dev/null
	  echo $(( ($(date +%s%N) - s) / 1000000 )) >"$tmp/full.$n"; } &
	if [ -n "${BINDTEST_KAME:-}" ]; then
		{ s=$(date +%s%N)
		  unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$BINDTEST_KAME" -p 9999 $t \
			>/dev/null 2>&1 &&
		  echo $(( ($(date +%s%N) - s) / 1000000 )) >"$tmp/kame.$n"; } &
	fi
done <"$tmp/tables"
wait

# cpu-of ROUNDS CMD...: the mean CPU time (ms) of ROUNDS runs of CMD, spawned
# without a fork whose own time would count.
cat >"$tmp/cpu-of.c" <<'EOF2'
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
extern char **environ;
int main(int argc, char **argv)
{
	int n = atoi(argv[1]), status;
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
	for (int i = 0; i < n; i++) {
		if (posix_spawn(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0 ||
		    waitpid(pid, &status, 0) < 0 || status != 0)
			return 1;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%.2f\n", ((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			  (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3) / n);
	return 0;
}
EOF2
${CC:-cc} -O2 -o "$tmp/cpu-of" "$tmp/cpu-of.c"

printf '%-34s %9s %8s %7s %10s %9s %10s\n' table "fast ms" "x plain" "cpu ms" "full ms" \
	"full/fast" "1.51 ms"
n=0
while read -r t; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	set -- $("$tmp/spawn-pair" "$rounds" "$sockkit" bindtest -n $t -- "$sockkit" bindtest -n -s)
	fast=$1 plain=$2
	# shellcheck disable=SC2086
	cpu=$("$tmp/cpu-of" "$rounds" "$sockkit" bindtest -n $t)
	full=$(cat "$tmp/full.$n")
	kame=$(cat "$tmp/kame.$n" 2>/dev/null || echo -)
	[ -s "$tmp/kame.$n" ] || kame=-
	awk -v t="$t" -v f="$fast" -v p="$plain" -v c="$cpu" -v w="$full" -v k="$kame" 'BEGIN {
		printf "%-34s %9.2f %8.2f %7.2f %10d %9.0f %10s\n", "bindtest -n " t, f / 1000,
			f / p, c, w, w / (f / 1000), k }'
done <"$tmp/tables"
