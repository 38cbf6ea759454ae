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

# A cold start interrupted: `timeout 2 ./tool` (or kill) sends SIGTERM to
# the client alone, while the script's set-up still runs.  No server may
# stay behind under this directory's name (a later call from another
# directory would start a second one): the set-up finishes, its server
# finds its socket gone and quits; the next call starts one server.
mk slowinit "log='$T/log'" <<PY
import sockkit_prefork, os, sys, time
if not os.path.exists("$T/go"):
    with open("$T/setup", "w") as f:   # a FIFO: the set-up is running
        f.write("running")
    for _ in range(400):                 # until the test lets it go on
        if os.path.exists("$T/go"):
            break
        time.sleep(0.025)
@INIT@
print("served", os.getppid())
PY
mkdir "$T/other"
for f in $FORMS; do
	stop_servers
	rm -f "$T/go"
	new_fifo "$T/setup"
	"$T/$f-slowinit.py" >/dev/null 2>&1 &
	client=$!
	is "$(read_fifo "$T/setup")" running "$f: cold start: the set-up runs"
	kill -TERM "$client"
	wait "$client"
	is "$?" 143 "$f: ... the client killed by SIGTERM alone ends by it"
	: >"$T/go"
	gone=
	for _ in $(seq 200); do      # the set-up ends, its server quits
		[ -z "$(our_pids)" ] && gone=1 && break
		sleep 0.05
	done
	ok '[ -n "$gone" ]' "$f: ... no server stays behind"
	[ -n "$gone" ] || diag "$(ps -o pid,args -p "$(our_pids | paste -sd, -)")"
	a=$(cd "$T/other" && "$T/$f-slowinit.py")
	b=$("$T/$f-slowinit.py")
	ok '[ "${a% *}" = served ] && [ "$a" = "$b" ]' "$f: ... the next calls, from two directories, share one new server"
done
stop_servers

done_testing
