#!/bin/sh
# Benchmark: a warm call of a trivial Perl script (Proc::Prefork::Interp,
# ending with POSIX::_exit) through `sockkit prefork-interp` and through
# Debian's /usr/bin/prefork-interp (chiark-utils 7.0.0), side by side, with
# the same Perl module; then the cold start (-f: a fresh server every run)
# of both against running the script directly.
# With a third argument, another sockkit binary (e.g. a build of an earlier
# commit), also this sockkit against that one, alternated run by run
# (t/bench/spawn-pair.c): warm calls to a Perl (7.0.0) and a Python
# (sockkit_prefork, sockkit-x1) server, and cold starts.
# Usage: t/bench/prefork-interp.sh [BUILDDIR [RUNS [BASELINE-SOCKKIT]]]
#        (default: build, 300)
# Needs hyperfine, perl, chiark-scripts, libio-fdpass-perl, chiark-utils-bin.
set -eu
build=${1:-build}
runs=${2:-300}
base=${3:+$(readlink -f "$3")}
sockkit=$(readlink -f "$build/sockkit")
here=$(cd "$(dirname "$0")" && pwd)
orig=/usr/bin/prefork-interp
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"

for need in hyperfine perl "$orig"; do
	command -v "$need" >/dev/null 2>&1 || { echo "missing: $need" >&2; exit 1; }
done
perl -MProc::Prefork::Interp -e 1 || exit 1

cat >"$tmp/trivial.pl" <<'PL'
use strict;
use POSIX ();
use Proc::Prefork::Interp;
prefork_initialisation_complete();
POSIX::_exit(0);
PL

# Both clients' servers are stopped however the benchmark ends: --kill with
# the same working directory, interpreter and script as the calls (the ident).
stop() {
	cd "$tmp" || return
	"$sockkit" prefork-interp --kill -U perl trivial.pl 2>/dev/null || :
	"$orig" --kill -U perl trivial.pl 2>/dev/null || :
	rm -f "$XDG_RUNTIME_DIR"/sockkit-prefork/s* "$tmp"/runb/sockkit-prefork/s*
	cd / && rm -rf "$tmp"
}
trap stop EXIT

cd "$tmp"
report() {
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    print(f"  {x['command']:<56} median {x['median']*1e3:6.2f} ms"
          f" (mean {x['mean']*1e3:6.2f} ± {x['stddev']*1e3:5.2f})")
print(f"  ratio of medians sockkit / chiark-utils: {r[0]['median']/r[1]['median']:.3f}")
PY
}

echo "warm call ($runs runs each, hyperfine -N, after 30 warm-up calls):"
hyperfine -N --warmup 30 --runs "$runs" --export-json "$tmp/warm.json" \
	"$sockkit prefork-interp -U perl trivial.pl" \
	"$orig -U perl trivial.pl" >/dev/null 2>&1
report "$tmp/warm.json"

cold=$((runs / 5 > 10 ? runs / 5 : 10))
echo "cold start (-f: a fresh server every call; $cold runs each):"
hyperfine -N --warmup 3 --runs "$cold" --export-json "$tmp/cold.json" \
	"$sockkit prefork-interp -f -U perl trivial.pl" \
	"$orig -f -U perl trivial.pl" \
	"perl trivial.pl" >/dev/null 2>&1
report "$tmp/cold.json"
python3 - "$tmp/cold.json" "$tmp/warm.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
w = json.load(open(sys.argv[2]))["results"]
d = r[2]["median"]
print(f"  cold call minus warm call (medians): sockkit {(r[0]['median']-w[0]['median'])*1e3:.2f} ms,"
      f" chiark-utils {(r[1]['median']-w[1]['median'])*1e3:.2f} ms")
print(f"  cold call minus direct run (medians): sockkit {(r[0]['median']-d)*1e3:.2f} ms,"
      f" chiark-utils {(r[1]['median']-d)*1e3:.2f} ms")
PY

[ -n "$base" ] || exit 0
cat >"$tmp/trivial.py" <<'PY'
import sockkit_prefork
sockkit_prefork.initialisation_complete()
PY
export PYTHONPATH="$here/../../applets/prefork-interp"
${CC:-cc} -O2 -o "$tmp/spawn-pair" "$here/spawn-pair.c"
pair() {
	_what=$1
	shift
	set -- $("$tmp/spawn-pair" "$@")      # baseline's median, this one's (us), ratio
	awk -v w="$_what" -v a="$1" -v b="$2" -v r="$3" \
		'BEGIN { printf "  %-44s %8.2f ms %8.2f ms   %.3f\n", w, a / 1000, b / 1000, r }'
}
# Each in a run directory of its own (/usr/bin/env on both sides).
mkdir -m 700 "$tmp/runb"
b="/usr/bin/env XDG_RUNTIME_DIR=$tmp/runb $base prefork-interp"
t="/usr/bin/env XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR $sockkit prefork-interp"
echo "this sockkit against $base, alternated ($runs rounds; medians):"
printf '  %-44s %11s %11s   %s\n' "" baseline this this/baseline
pair "warm call, Perl (7.0.0)" "$runs" $b -U perl trivial.pl -- $t -U perl trivial.pl
pair "warm call, Python (sockkit-x1)" "$runs" $b -U /usr/bin/python3 trivial.py -- \
	$t -U /usr/bin/python3 trivial.py
pair "cold start, Perl (-f)" "$cold" $b -f -U perl trivial.pl -- $t -f -U perl trivial.pl
