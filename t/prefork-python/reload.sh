#!/bin/sh
# Reloading: a change to the script, to a module it imported or to a file
# named by autoreload_also_check ends the server at once, with no call
# needed and no traceback; a call in flight finishes with the old code;
# the next call starts a fresh server with the new code.  An idle server
# quits after idle_timeout.  Both #! forms.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

mkdir "$T/lib"
echo 'V = "mod1"' >"$T/lib/pfmod.py"
echo data1 >"$T/data"
mk reload "log='$T/log'" reload <<PY
import sys
sys.path.insert(0, "$T/lib")
import sockkit_prefork, os, pfmod
sockkit_prefork.autoreload_also_check("$T/data")
DATA = open("$T/data").read().strip()
@INIT@
if len(sys.argv) > 1:                  # a long call: announce, wait
    with open(sys.argv[1], "w") as f:  # a FIFO the test reads
        f.write(str(os.getpid()))
    import time
    for i in range(400):
        if os.path.exists(sys.argv[1] + ".go"):
            break
        time.sleep(0.025)
print("script1", pfmod.V, DATA, os.getppid())
PY

mk queue "log='$T/qlog', max_servers=1" <<PY
import sockkit_prefork, os, sys, time
@INIT@
if len(sys.argv) > 1:                  # a long call: announce, wait
    with open(sys.argv[1], "w") as f:
        f.write(str(os.getpid()))
    for i in range(400):
        if os.path.exists(sys.argv[1] + ".go"):
            break
        time.sleep(0.025)
print("queue1", os.getppid())
PY

mk idle "log='$T/log', idle_timeout=0.3" <<'PY'
import sockkit_prefork, os
@INIT@
print(os.getppid())
PY

# call SCRIPT: sets $out (the first three words) and $server (the server pid)
call() {
	run "$1"
	out=$(cut -d' ' -f1-3 "$T/out")
	server=$(cut -d' ' -f4 "$T/out")
}

for f in $FORMS; do
	s=$T/$f-reload.py
	call "$s"
	ok '[ "$out" = "script1 mod1 data1" ]' "$f: first call"
	first=$server
	call "$s"
	ok '[ "$server" = "$first" ]' "$f: nothing changed: the same server"

	sed -i 's/script1/script2/' "$s"      # a new file in its place
	ok 'wait_gone "$first"' "$f: script replaced: the server quits, no call needed"
	call "$s"
	ok '[ "$out" = "script2 mod1 data1" ] && [ "$server" != "$first" ]' "$f: ... the next call runs the new script in a fresh server"

	second=$server
	echo 'V = "mod2"' >"$T/lib/pfmod.py"  # rewritten in place
	ok 'wait_gone "$second"' "$f: imported module changed: the server quits"
	call "$s"
	ok '[ "$out" = "script2 mod2 data1" ]' "$f: ... the next call has the new module"

	third=$server
	echo data2 >"$T/data"
	ok 'wait_gone "$third"' "$f: autoreload_also_check file changed: the server quits"
	call "$s"
	ok '[ "$out" = "script2 mod2 data2" ]' "$f: ... the next call read it anew"

	# A call in flight when the script changes finishes with the old code.
	fourth=$server
	new_fifo "$T/ready"
	rm -f "$T/ready.go"
	"$s" "$T/ready" >"$T/bgout" 2>&1 &
	bg=$!
	ex=$(read_fifo "$T/ready")
	sock=$RUN/sreload$f
	sed -i 's/script2/script3/' "$s"
	ok 'bounded 20 "$PYI" "$T_SRC/prefork-python/probe.py" "$sock" 10 | grep -q "^refused after"' "$f: the script changed during a call: the server refuses new calls"
	ok '[ -d "/proc/$fourth" ] && [ -d "/proc/$ex" ]' "$f: ... but it and the call in flight go on"
	touch "$T/ready.go"
	wait "$bg"
	rc=$?
	ok '[ "$rc" -eq 0 ] && [ "$(cut -d" " -f1 "$T/bgout")" = script2 ]' "$f: ... and finishes with the old code"
	ok 'wait_gone "$fourth"' "$f: ... then the server quits"
	call "$s"
	ok '[ "$out" = "script3 mod2 data2" ]' "$f: ... and the next call runs the new code"

	# A call the server queued (max_servers=1 and a call running) when
	# the script changes is still served, with the old code, and then the
	# server quits: no call waits for ever behind a server that forks
	# spares in a loop (each was dropped as unwanted while quitting).
	q=$T/$f-queue.py
	new_fifo "$T/qready"
	rm -f "$T/qready.go"
	: >"$T/qlog"
	SOCKKIT_PREFORK_DEBUG=1 "$q" "$T/qready" >"$T/q1" 2>&1 &
	q1=$!
	read_fifo "$T/qready" >/dev/null
	"$q" >"$T/q2" 2>&1 &
	q2=$!
	ok 'bounded 10 sh -c "until grep -q \"accepted a call\" \"\$1\"; do sleep 0.05; done" sh "$T/qlog"' \
		"$f: a second call, with max_servers=1, waits in the server's queue"
	qserver=$(pgrep -f -o -- "$q")
	sed -i 's/queue1/queue2/' "$q"
	touch "$T/qready.go"
	gone=
	wait_gone "$q1" && wait_gone "$q2" && gone=1
	ok '[ -n "$gone" ]' "$f: the script changes: both calls end"
	[ -n "$gone" ] || kill -9 "$q1" "$q2" 2>/dev/null
	wait "$q1"
	r1=$?
	wait "$q2"
	r2=$?
	ok '[ "$r1$r2" = 00 ] && [ "$(cut -d" " -f1 "$T/q1")" = queue1 ] && [ "$(cut -d" " -f1 "$T/q2")" = queue1 ]' \
		"$f: ... the queued one too, with the old code"
	[ "$(cut -d" " -f1 "$T/q2")" = queue1 ] || diag "second call: $(cat "$T/q2")"
	ok 'wait_gone "$qserver"' "$f: ... then the server quits"
	ok '[ "$(bounded 10 "$q" | cut -d" " -f1)" = queue2 ]' "$f: ... and the next call runs the new code"
	ok '[ "$(grep -c "spare .* died" "$T/qlog")" -eq 0 ]' "$f: ... no spare died on the way"

	# back to the start for the other form
	sed -i 's/script3/script1/' "$s"
	echo 'V = "mod1"' >"$T/lib/pfmod.py"
	echo data1 >"$T/data"

	s=$T/$f-idle.py
	idle=$(server_of "$s")
	ok 'wait_gone "$idle"' "$f: an idle server quits after idle_timeout"
	ok '[ "$(server_of "$s")" != "$idle" ]' "$f: ... and the next call starts a new one"
done
ok 'grep -q "info: quitting: idle for 0.3s" "$T/log"' "the idle quit is logged"
ok 'grep -q "info: quitting: reloading: .*/pfmod.py changed" "$T/log"' "the reload is logged with the file's name"
ok log_clean "no traceback or error in the server log"

# Edit, then run at once, as `sed -i ... && ./tool` in a build does: each
# run sees its edit, whether the editor renames a new file over the old
# or writes in place, the script or a module it imports.  (The server had
# read the inotify event while a spare took the call: 3 runs in 40 were
# stale.)  The race is the server's, whatever the interpreter: this runs
# under /usr/bin/python3 only (a cold start of PyPy costs ten times more).
if [ "$_want" = /usr/bin/python3 ]; then
mkdir "$T/lib2"
mk quick "log='$T/log'" quick <<PY
import sys
sys.path.insert(0, "$T/lib2")
import sockkit_prefork, quickmod
@INIT@
print(quickmod.V)
PY
for f in $FORMS; do
	stale=
	for i in $(seq 1 12); do
		case $i in
		*[02468]) echo "V = 'v$i'" >"$T/lib2/quickmod.py" ;;
		*) echo "V = 'v$i'" >"$T/lib2/.q.tmp" && mv "$T/lib2/.q.tmp" "$T/lib2/quickmod.py" ;;
		esac
		got=$("$T/$f-quick.py" 2>&1)
		[ "$got" = "v$i" ] || stale="$stale $i:$got"
	done
	is "${stale# }" "" "$f: 12 edits of an imported module, each run at once after its edit, see it"
	stale=
	for i in $(seq 1 6); do
		sed -i "s/^print(quickmod.V.*/print(quickmod.V, $i)/" "$T/$f-quick.py"
		got=$("$T/$f-quick.py" 2>&1)
		[ "$got" = "v12 $i" ] || stale="$stale $i:$got"
	done
	is "${stale# }" "" "$f: 6 edits of the script with sed -i, each run at once after, see it"
done
fi

done_testing
