#!/bin/sh
# 100 concurrent calls through one server (max_servers 8: the excess waits),
# each with its own arguments, output and exit status; both #! forms.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh"

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
	pids=
	i=1
	while [ $i -le 100 ]; do
		"$s" $i >"$T/o$i" 2>"$T/e$i" &
		pids="$pids $!"
		i=$((i + 1))
	done
	i=1
	bad=0
	for p in $pids; do
		wait "$p"
		st=$?
		[ $st -eq $((i % 7)) ] || { bad=$((bad + 1)); diag "call $i: status $st"; }
		grep -qx "call $i pid [0-9]*" "$T/o$i" || { bad=$((bad + 1)); diag "call $i: out $(cat "$T/o$i")"; }
		[ "$(cat "$T/e$i")" = "err $i" ] || { bad=$((bad + 1)); diag "call $i: err $(cat "$T/e$i")"; }
		i=$((i + 1))
	done
	is "$bad" 0 "$f: 100 concurrent calls, each its own output and status"
	is "$(cat "$T"/o[0-9]* | sed 's/.* pid //' | sort -u | wc -l)" 100 "$f: ... each in its own process"
done

done_testing
