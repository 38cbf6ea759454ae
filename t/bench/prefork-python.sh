#!/bin/sh
# Benchmark of sockkit_prefork (issue 6), all in one hyperfine run:
#   - a script importing asyncio, email.message, http.client, json, decimal,
#     argparse, xml.etree.ElementTree, sqlite3, unittest, logging,
#     subprocess and urllib.request: directly, and warm through sockkit
#     prefork-interp (goal: at least 25 times faster);
#   - a trivial script warm through sockkit, and the exec of a trivial C
#     program (goal: at most 2.5 times the C program).
# Then what one more fork per call (a monitor process, as the Perl module
# has) would cost for the big script, and a cold start.
#
# usage: t/bench/prefork-python.sh [SOCKKIT] [RUNS]
# Needs hyperfine, cc and /usr/bin/python3.  Prints medians and means in ms.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
SOCKKIT=${1:-${SOCKKIT:-$here/build/sockkit}}
RUNS=${2:-500}
PY=/usr/bin/python3
case $SOCKKIT in /*) ;; *) SOCKKIT=$(pwd)/$SOCKKIT ;; esac
[ -x "$SOCKKIT" ] || { echo "no sockkit at $SOCKKIT (give its path)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine not installed" >&2; exit 2; }

T=$(mktemp -d /tmp/pfpy-bench.XXXXXX)
stop() {
	rm -f "$T/run/sockkit-prefork"/s*       # each server's watcher ends it
	sleep 0.5
	rm -rf "$T"
}
trap stop EXIT
mkdir -m 700 "$T/run"
export XDG_RUNTIME_DIR="$T/run" PYTHONPATH="$here/applets/prefork-interp" \
	PYTHONDONTWRITEBYTECODE=1
ln -s "$SOCKKIT" "$T/sockkit"
IMPORTS="asyncio, email.message, http.client, json, decimal, argparse, xml.etree.ElementTree, sqlite3, unittest, logging, subprocess, urllib.request"
for name in heavy trivial; do
	{
		echo "#!$T/sockkit prefork-interp -U $PY"
		echo "import sockkit_prefork"
		[ $name = heavy ] && echo "import $IMPORTS"
		echo "sockkit_prefork.initialisation_complete(log=None)"
	} >"$T/$name.py"
	chmod +x "$T/$name.py"
done
printf 'int main(void) { return 0; }\n' >"$T/true.c"
cc -O2 -o "$T/c-true" "$T/true.c"
"$T/heavy.py"
"$T/trivial.py"

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "python: $($PY -V 2>&1), sockkit: $SOCKKIT"
cd "$T"
# Back to back (hyperfine's default), then each run after a 20 ms pause
# (--prepare): a caller that is not a tight loop, with the machine idle
# between calls.
for mode in back-to-back paused; do
	case $mode in
	back-to-back) prep= ;;
	paused) prep="--prepare=sleep 0.02" ;;
	esac
	echo "== $mode"
	hyperfine -N -w 20 -r "$RUNS" ${prep:+"$prep"} --export-json "$T/h.json" \
		-n direct-heavy "$PY heavy.py" \
		-n warm-heavy ./heavy.py \
		-n warm-trivial ./trivial.py \
		-n c-true ./c-true >"$T/hyperfine.txt" 2>&1 ||
		{ cat "$T/hyperfine.txt"; exit 1; }
	$PY - "$T/h.json" <<'PYEOF'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in r.items()}
mean = {k: v["mean"] * 1000 for k, v in r.items()}
for k in ("direct-heavy", "warm-heavy", "warm-trivial", "c-true"):
    print("%-13s median %8.3f ms   mean %8.3f ms" % (k, med[k], mean[k]))
print("heavy: direct / warm = %.1fx (median), %.1fx (mean); goal >= 25x"
      % (med["direct-heavy"] / med["warm-heavy"],
         mean["direct-heavy"] / mean["warm-heavy"]))
print("trivial warm / C exec = %.2fx (median), %.2fx (mean); goal <= 2.5x"
      % (med["warm-trivial"] / med["c-true"], mean["warm-trivial"] / mean["c-true"]))
PYEOF
done

# The same two ratios with the commands alternated run by run
# (t/bench/spawn-pair.c, medians): a load that comes and goes then weighs on
# both sides alike, which hyperfine's one-command-after-the-other cannot do.
cc -O2 -o "$T/spawn-pair" "$here/t/bench/spawn-pair.c"
echo "== alternating"
set -- $("$T/spawn-pair" "$RUNS" ./c-true -- ./trivial.py)
echo "trivial warm / C exec = $3x ($2 us / $1 us, medians); goal <= 2.5x"
set -- $("$T/spawn-pair" "$((RUNS / 10))" ./heavy.py -- "$PY" heavy.py)
echo "heavy: direct / warm = $3x ($2 us / $1 us, medians); goal >= 25x"

# What a per-call monitor (one more fork of the server image) would add.
$PY - <<PYEOF
import gc, os, time
import $IMPORTS
gc.collect(); gc.freeze()
ts = []
for i in range(100):
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    ts.append(time.perf_counter() - t)
ts.sort()
print("one more fork+exit+wait of the heavy server image: median %.3f ms"
      % (ts[50] * 1000))
PYEOF
hyperfine -N -r 10 --prepare "sh -c 'rm -f $T/run/sockkit-prefork/s*'" \
	-n cold-heavy ./heavy.py 2>&1 |
	sed -n 's/^ *Time (mean ± σ): */cold-heavy    mean /p'
