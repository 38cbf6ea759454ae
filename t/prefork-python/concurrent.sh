#!/bin/sh
# 100 concurrent calls through one server (max_servers 8: the excess waits),
# each with its own arguments, output and exit status; both #! forms.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

mk conc "log='$T/log', max_servers=8" <<'PY'
import sockkit_prefork, os, sys, time
@INIT@
n = int(sys.argv[1])
time.sleep(0.01 * (n % 5))
print("call", n, "pid", os.getpid())
sys.stderr.write("err %d\n" % n)
sys.exit(n % 7)
PY

for f in $FORMS; do
	s=$T/$f-conc.py
	run "$s" 0          # start the server: the rest all find it warm
	is_rc 0 "$f: first call"
	rm -rf "$T/cc"
	concurrent 100 "$T/cc" "$s"
	i=0
	bad=0
	while [ $i -lt 100 ]; do
		st=$(cat "$T/cc/$i.rc")
		[ "$st" -eq $((i % 7)) ] || { bad=$((bad + 1)); diag "call $i: status $st"; }
		grep -qx "call $i pid [0-9]*" "$T/cc/$i.out" || { bad=$((bad + 1)); diag "call $i: out $(cat "$T/cc/$i.out")"; }
		[ "$(cat "$T/cc/$i.err")" = "err $i" ] || { bad=$((bad + 1)); diag "call $i: err $(cat "$T/cc/$i.err")"; }
		i=$((i + 1))
	done
	is "$bad" 0 "$f: 100 concurrent calls, each its own output and status"
	is "$(cat "$T"/cc/*.out | sed 's/.* pid //' | sort -u | wc -l)" 100 "$f: ... each in its own process"
done

done_testing
