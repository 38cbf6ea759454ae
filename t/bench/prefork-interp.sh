#!/bin/sh
# Benchmark: a warm call of a trivial Perl script (Proc::Prefork::Interp,
# ending with POSIX::_exit) through `sockkit prefork-interp` and through
# Debian's /usr/bin/prefork-interp (chiark-utils 7.0.0), side by side, with
# the same Perl module; then the cold start (-f: a fresh server every run)
# of both against running the script directly.
# Usage: t/bench/prefork-interp.sh [BUILDDIR [RUNS]]   (default: build, 300)
# Needs hyperfine, perl, chiark-scripts, libio-fdpass-perl, chiark-utils-bin.
set -eu
build=${1:-build}
runs=${2:-300}
sockkit=$(readlink -f "$build/sockkit")
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
