#!/bin/sh
# Benchmark of sockkit_prefork (issue 12), as users run scripts:
#   heavy    a script importing a dozen big stdlib modules in the usual
#            order (its own imports first, then sockkit_prefork), setting
#            up logging before initialisation_complete() and logging a line
#            in each call: direct run against a warm call, alternated run
#            by run (t/bench/spawn-pair.c) and hyperfine back to back;
#            goal: warm at least 25 times faster;
#   trivial  a script that does nothing, warm, against the exec of a
#            trivial C program, back to back (hyperfine, and spawn-pair's
#            interleaved blocks, which a drifting load cannot favour) and
#            alternated; goal: at most 2.5 times the C program;
#   floor    the same call through a bare prefork server (bare-server.py:
#            fork, take fds 0-2, answer 0, nothing else), back to back:
#            what any Python server costs here, below which no real one
#            can go; with a static client (STATIC) too, if given;
#   real     pygmentize (python3-pygments, a real multi-module program not
#            written for this) colouring a 40-line Python file: direct,
#            warm (its modules preloaded), and the floor: fork of the same
#            preloaded image + its work + _exit, timed in-process; goal:
#            warm at most 3 ms above that floor;
#   reload   from a change of the script to its server's exit, no call;
#            goal: within 100 ms.
# It also prints the CPU time and page faults of a warm trivial call
# (client, server, call process), which load distorts less than time.
# usage: t/bench/prefork-python.sh [SOCKKIT [RUNS [PYTHON [STATIC]]]]
# STATIC: a static sockkit (meson setup -Dstatic=true, CC=musl-gcc), whose
# trivial and floor figures are measured as well.
# Needs hyperfine, cc, the python (default /usr/bin/python3) and, for the
# real program, python3-pygments.  Prints medians in ms.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
SOCKKIT=${1:-${SOCKKIT:-$here/build/sockkit}}
RUNS=${2:-300}
PY=${3:-/usr/bin/python3}
STATIC=${4:-}
case $SOCKKIT in /*) ;; *) SOCKKIT=$(pwd)/$SOCKKIT ;; esac
case $STATIC in /* | '') ;; *) STATIC=$(pwd)/$STATIC ;; esac
[ -x "$SOCKKIT" ] || { echo "no sockkit at $SOCKKIT (give its path)" >&2; exit 2; }
[ -z "$STATIC" ] || [ -x "$STATIC" ] || { echo "no static sockkit at $STATIC" >&2; exit 2; }
BLOCKS=$(( (RUNS + 19) / 20 * 20 ))     # spawn-pair -b 21: runs in 20s
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
IMPORTS="argparse, asyncio, decimal, email.message, http.client, json, logging, sqlite3, subprocess, unittest, urllib.request, xml.etree.ElementTree"
cat >"$T/heavy.py" <<PY
#!$T/sockkit prefork-interp -U $PY
import $IMPORTS
import sys
import sockkit_prefork
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
log = logging.getLogger("heavy")
sockkit_prefork.initialisation_complete(log=None)
log.info("call %s", sys.argv[1:])
PY
cat >"$T/trivial.py" <<PY
#!$T/sockkit prefork-interp -U $PY
import sockkit_prefork
sockkit_prefork.initialisation_complete(log=None)
PY
{ echo "#!$T/sockkit prefork-interp -U $PY"; cat "$here/t/bench/bare-server.py"; } >"$T/bare.py"
if [ -n "$STATIC" ]; then
	ln -s "$STATIC" "$T/sockkit-static"
	sed "1s|$T/sockkit |$T/sockkit-static |" "$T/trivial.py" >"$T/trivial-static.py"
	sed "1s|$T/sockkit |$T/sockkit-static |" "$T/bare.py" >"$T/bare-static.py"
fi
PRELOAD="import sys, pygments.cmdline, pygments.lexers.python, pygments.formatters.terminal256, pygments.styles.default"
cat >"$T/pyg.py" <<PY
#!$T/sockkit prefork-interp -U $PY
$PRELOAD
import sockkit_prefork
sockkit_prefork.initialisation_complete(log=None)
sys.exit(pygments.cmdline.main(sys.argv))
PY
chmod +x "$T"/*.py
printf 'int main(void) { return 0; }\n' >"$T/true.c"
cc -O2 -o "$T/c-true" "$T/true.c"
cc -O2 -o "$T/spawn-pair" "$here/t/bench/spawn-pair.c"
SRC=$here/t/prefork-python/probe.py
PYG="-f terminal256 -l python $SRC"
"$T/heavy.py" 2>/dev/null
for f in trivial bare trivial-static bare-static; do
	[ ! -e "$T/$f.py" ] || "$T/$f.py"
done
have_pyg=$("$PY" -c 'import pygments.cmdline' 2>/dev/null && echo yes || echo no)
[ $have_pyg = no ] || "$T/pyg.py" $PYG >/dev/null

echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "python: $("$PY" -V 2>&1), sockkit: $SOCKKIT, $RUNS runs"
cd "$T"
medians() {    # hyperfine JSON -> "name median" lines, in ms
	"$PY" -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], "%.3f" % (r["median"] * 1000))' "$1"
}
ratio() { "$PY" -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

echo "== back to back (hyperfine -N, $RUNS runs each)"
hyperfine -N -w 30 -r "$RUNS" --export-json "$T/h.json" \
	-n direct-heavy "$PY heavy.py" -n warm-heavy ./heavy.py \
	-n warm-trivial ./trivial.py -n c-true ./c-true >/dev/null 2>&1
medians "$T/h.json" >"$T/h.txt"
get() { awk -v k="$1" '$1 == k { print $2 }' "$T/h.txt"; }
cat "$T/h.txt"
echo "heavy: direct / warm = $(ratio "$(get direct-heavy)" "$(get warm-heavy)")x; goal >= 25"
echo "trivial warm / C exec = $(ratio "$(get warm-trivial)" "$(get c-true)")x; goal <= 2.5"

echo "== back to back in interleaved blocks of 20 (spawn-pair -b 21, $BLOCKS runs each, three times)"
block() {     # NAME SCRIPT: three runs' ratios to the C program, and their median
	_r=$(for _ in 1 2 3; do
		"$T/spawn-pair" -b 21 "$BLOCKS" ./c-true -- "./$2" 2>/dev/null | cut -d' ' -f3
	done | sort -n | paste -sd' ' -)
	echo "$1 / C exec = $(echo "$_r" | cut -d' ' -f2)x (runs: $_r)"
}
block "trivial warm" trivial.py
block "floor (bare server)" bare.py
if [ -n "$STATIC" ]; then
	block "trivial warm, static client" trivial-static.py
	block "floor, static client" bare-static.py
fi
echo "goal for trivial warm: <= 2.5"

echo "== alternated run by run (spawn-pair, medians in us)"
set -- $("$T/spawn-pair" "$RUNS" ./c-true -- ./trivial.py 2>/dev/null)
echo "trivial warm / C exec = $3x ($2 / $1); goal <= 2.5"
set -- $("$T/spawn-pair" "$((RUNS / 5))" ./heavy.py -- "$PY" heavy.py 2>/dev/null)
echo "heavy: direct / warm = $3x ($2 / $1); goal >= 25"

# CPU and page faults per warm trivial call, which load distorts far less
# than wall time: the client's (getrusage of our children), the server's
# own (its two processes: the forker's /proc/PID/stat utime+stime, and the
# bookkeeper's, its oldest child) and its call processes' (cutime+cstime
# of the children the forker reaped, a spare's whole life each).
cat >"$T/cpu.py" <<PY
#!$T/sockkit prefork-interp -U $PY
import os, sys
import sockkit_prefork
sockkit_prefork.initialisation_complete(log=None)
if sys.argv[1:]:
    print(os.getppid())
PY
chmod +x "$T/cpu.py"
"$PY" - "$T/cpu.py" "$RUNS" <<'PY'
import os, resource, subprocess, sys, time
script, n = sys.argv[1], int(sys.argv[2])
server = int(subprocess.run([script, "pid"], capture_output=True).stdout)
null = os.open(os.devnull, os.O_RDWR)
acts = [(os.POSIX_SPAWN_DUP2, null, fd) for fd in (0, 1, 2)]
tick = os.sysconf("SC_CLK_TCK")
def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        return [int(x) for x in f.read().rsplit(")", 1)[1].split()[1:20]]
def bookkeeper():
    kids = []
    for p in os.listdir("/proc"):
        try:
            v = stat(int(p))
        except (ValueError, OSError):
            continue
        if v[0] == server:
            kids.append((v[18], int(p)))       # start time, pid
    return min(kids)[1]
book = bookkeeper()
def server_stat():
    v, b = stat(server)[6:14], stat(book)[6:14]
    return (v[0] + b[0], v[1], v[4] + v[5] + b[4] + b[5],
            v[6] + v[7])                       # flt, cflt, cpu, ccpu
def calls(k):
    for _ in range(k):
        os.waitpid(os.posix_spawn(script, [script], os.environ,
                                  file_actions=acts), 0)
calls(30)
time.sleep(0.5)
a, r0 = server_stat(), resource.getrusage(resource.RUSAGE_CHILDREN)
calls(n)
time.sleep(0.5)          # the last call processes' teardown, reaped
b, r1 = server_stat(), resource.getrusage(resource.RUSAGE_CHILDREN)
client = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1e3 / n
own, procs = [(b[i] - a[i]) * 1e3 / tick / n for i in (2, 3)]
print("== CPU per warm trivial call (%d calls): client %.2f ms, server %.2f ms, "
      "call process %.2f ms; page faults: client %.0f, server %.0f, call "
      "process %.0f" % (n, client, own, procs, (r1.ru_minflt - r0.ru_minflt)
                        / n, (b[0] - a[0]) / n, (b[1] - a[1]) / n))
PY

# Reload: from a change of the script to its server's exit, with no call.
cat >"$T/reload.py" <<PY
#!$T/sockkit prefork-interp -U $PY
import os
import sockkit_prefork
sockkit_prefork.initialisation_complete(log=None)
print(os.getppid())
PY
chmod +x "$T/reload.py"
"$PY" - "$T/reload.py" <<'PY'
import os, select, subprocess, sys, time
ts = []
for i in range(20):
    server = int(subprocess.run([sys.argv[1]], capture_output=True).stdout)
    fd = os.pidfd_open(server)
    t = time.perf_counter()
    with open(sys.argv[1], "a") as f:
        f.write("# change %d\n" % i)
    if not select.select([fd], [], [], 5)[0]:
        sys.exit("the server did not quit within 5 s")
    ts.append(time.perf_counter() - t)
    os.close(fd)
print("== reload: a change of the script to its server's exit, no call: "
      "median %.2f ms, max %.2f ms (20 runs); goal <= 100 ms"
      % (sorted(ts)[10] * 1e3, max(ts) * 1e3))
PY

if [ $have_pyg = yes ]; then
	echo "== a real program: pygmentize $PYG"
	set -- $("$T/spawn-pair" "$((RUNS / 5))" ./pyg.py $PYG -- /usr/bin/pygmentize $PYG 2>/dev/null)
	echo "direct /usr/bin/pygmentize $2 us, warm $1 us: $3x faster warm"
	# The floor and the warm call alternated in one loop, so that a load
	# that comes and goes weighs on both alike.
	"$PY" - "$RUNS" "$T/pyg.py" $PYG <<PY
$PRELOAD
import gc, os, time
n, call, argv = int(sys.argv[1]), sys.argv[2], ["pygmentize"] + sys.argv[3:]
null = os.open(os.devnull, os.O_WRONLY)
gc.collect(); gc.freeze()
floor, warm = [], []
for i in range(n):
    t = time.perf_counter()
    pid = os.posix_spawn(call, [call] + argv[1:], os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])
    os.waitpid(pid, 0)
    warm.append(time.perf_counter() - t)
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(null, 1)
        st = pygments.cmdline.main(argv)
        sys.stdout.flush()
        os._exit(st or 0)
    os.waitpid(pid, 0)
    floor.append(time.perf_counter() - t)
w, f = sorted(warm)[n // 2] * 1e3, sorted(floor)[n // 2] * 1e3
print("alternated: warm %.2f ms, floor (fork + main() + _exit of the "
      "preloaded image) %.2f ms" % (w, f))
print("warm - floor = %.2f ms; goal <= 3" % (w - f))
PY
else
	echo "== a real program: skipped (python3-pygments not installed)"
fi
