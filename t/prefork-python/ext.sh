#!/bin/sh
# sockkit-x1 through sockkit's client, both #! forms: the caller's working
# directory (as a directory fd: a renamed one works) and umask; HUP INT
# QUIT TERM USR1 USR2 WINCH reach the script; TSTP stops the script and then
# the client, CONT resumes both; the caller going away ends the script
# (SIGINT, then SIGKILL after the grace).
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

# Callers in several directories share one server (-g), so the directory
# can only come from the call.
mkcwd() {
	for f in $FORMS; do
		cat >"$T/$f-cwd.py" <<PY
$(bang "$f" -g "cwd$f$$")
import sockkit_prefork, os
sockkit_prefork.initialisation_complete(log="$T/log")
print(os.getcwd(), oct(os.umask(0)), os.getppid())
PY
		chmod +x "$T/$f-cwd.py"
	done
}
mkcwd
mkdir "$T/d1" "$T/d2" "$T/d3"

mk sig "log='$T/log', hangup_grace=0.5" <<'PY'
import sockkit_prefork, os, sys, signal, time
@INIT@
mode, ready = sys.argv[1], sys.argv[2]
def got(sig, frame):
    print("got", signal.Signals(sig).name, flush=True)
    sys.exit(0)
if mode == "catch":
    for s in ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2",
              "SIGWINCH"):
        signal.signal(getattr(signal, s), got)
elif mode == "ignore-int":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
with open(ready, "w") as f:        # a FIFO: this waits for the test to read
    f.write(str(os.getpid()))
try:
    for i in range(400):
        if mode == "tstp" and os.path.exists(ready + ".go"):
            print("continued", flush=True)
            sys.exit(0)
        time.sleep(0.025)
except KeyboardInterrupt:
    open(ready + ".int", "w").close()
    raise
print("timed out", flush=True)
sys.exit(9)
PY

# bg SCRIPT ARGS...: start a call in the background, in a process group of
# its own (as a shell with job control would), INT and QUIT not ignored
# (as they are for "&" in a non-interactive shell), the signals named in
# $BG_IGNORE ignored; $bgpid is the client.
bg() {
	"$PYI" -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT):
    signal.signal(s, signal.SIG_DFL)
for s in os.environ.get("BG_IGNORE", "").split():
    signal.signal(getattr(signal, s), signal.SIG_IGN)
os.setpgid(0, 0)
os.execv(sys.argv[1], sys.argv[1:])' "$@" >"$T/bgout" 2>"$T/bgerr" &
	bgpid=$!
}

for f in $FORMS; do
	s=$T/$f-cwd.py
	cd "$T/d1"
	run "$s"
	like "$(cat "$T/out")" "^$T/d1 0o22 [0-9]+\$" "$f: the caller's directory"
	server=$(cut -d' ' -f3 "$T/out")
	cd "$T/d2"
	(umask 077; run "$s"; cat "$T/out" >"$T/out2")
	is "$(cut -d' ' -f1-2 "$T/out2")" "$T/d2 0o77" "$f: another directory, another umask"
	is "$(cut -d' ' -f3 "$T/out2")" "$server" "$f: ... through the same server"
	cd "$T/d3"
	mv "$T/d3" "$T/d3-renamed"
	run "$s"
	is "$(cut -d' ' -f1 "$T/out")" "$T/d3-renamed" "$f: a directory renamed under the caller"
	mv "$T/d3-renamed" "$T/d3"
	cd "$T"

	s=$T/$f-sig.py
	for sig in HUP INT QUIT TERM USR1 USR2 WINCH; do
		new_fifo "$T/ready"
		bg "$s" catch "$T/ready"
		if [ -n "$(read_fifo "$T/ready")" ]; then
			kill -s "$sig" "$bgpid"
			wait "$bgpid"
			rc=$?
			is "$(cat "$T/bgout")" "got SIG$sig" "$f: SIG$sig reaches the script"
			is "$rc" 0 "$f: ... and its status comes back"
		else
			fail "$f: SIG$sig: script never got ready"
			kill -9 "$bgpid"
		fi
	done

	# What the caller ignores, a direct run would not get either.
	new_fifo "$T/ready"
	BG_IGNORE="SIGUSR1 SIGHUP" bg "$s" catch "$T/ready"
	if [ -n "$(read_fifo "$T/ready")" ]; then
		kill -s USR1 "$bgpid"
		kill -s HUP "$bgpid"
		kill -s TERM "$bgpid"
		wait "$bgpid"
		is "$(cat "$T/bgout")" "got SIGTERM" "$f: USR1 and HUP ignored by the caller are not forwarded, TERM is"
	else
		fail "$f: ignored signals: script never got ready"
		kill -9 "$bgpid"
	fi

	rm -f "$T/ready.go"
	new_fifo "$T/ready"
	bg "$s" tstp "$T/ready"
	ex=$(read_fifo "$T/ready")
	kill -s TSTP "$bgpid"
	ok 'wait_state "$ex" T' "$f: TSTP stops the script"
	ok 'wait_state "$bgpid" T' "$f: ... and then the client"
	kill -s CONT "$bgpid"
	ok 'wait_state "$ex" "R|S"' "$f: CONT resumes the script"
	ok 'wait_state "$bgpid" "R|S"' "$f: ... and the client"
	touch "$T/ready.go"
	wait "$bgpid"
	rc=$?
	is "$(cat "$T/bgout")" "continued" "$f: the script went on after CONT"
	is "$rc" 0 "$f: ... and ended normally"

	rm -f "$T/ready.int"
	new_fifo "$T/ready"
	bg "$s" wait "$T/ready"
	ex=$(read_fifo "$T/ready")
	kill -9 "$bgpid"
	{ wait "$bgpid"; } 2>/dev/null
	ok 'wait_gone "$ex"' "$f: caller killed: the script ends"
	ok '[ -e "$T/ready.int" ]' "$f: ... by SIGINT"

	new_fifo "$T/ready"
	bg "$s" ignore-int "$T/ready"
	ex=$(read_fifo "$T/ready")
	kill -9 "$bgpid"
	{ wait "$bgpid"; } 2>/dev/null
	ok 'wait_gone "$ex"' "$f: SIGINT ignored: SIGKILL after the grace"
done
ok 'grep -q "caller gone, SIGKILL" "$T/log"' "the SIGKILL is logged"

done_testing
