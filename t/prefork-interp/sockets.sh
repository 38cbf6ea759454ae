#!/bin/sh
# prefork-interp and what it finds at the socket path: stale, silent,
# garbage and half-dead servers, another user's server, unsafe run
# directories and sockets; failures of the server's start; cleaning of
# stale sockets.  Every wait is bounded: each case must end in seconds.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

printf '%s\n' 'echo "server=$MINI_SERVER_PID" >&2; echo ran; exit 7' >"$T/plain.sh"
mkdir -m 700 "$RUNDIR"
cd "$T" || exit 1

# call IDENT: run plain.sh through the mini server under -g IDENT.
call() {
	_g=$1
	shift
	run bounded 20 "$SOCKKIT" prefork-interp "$@" -U -g "$_g" "$PY" "$MINI" "$T/plain.sh"
	note_server "$(sed -n 's/^server=//p' "$T/err")"
}

# --- a silent server: reported within the timeout, never a hang ------------
fakesock silent "$RUNDIR/ssilent"
start=$(date +%s)
SOCKKIT_PREFORK_TIMEOUT=1 call silent
is_rc 127 "silent server: 127"
like "$(cat "$T/err")" 'no greeting within 1000 ms' "silent server: reported as such"
ok '[ $(($(date +%s) - start)) -le 4 ]' "silent server: within the timeout"
SOCKKIT_PREFORK_TIMEOUT=1 call silent -f
is_rc 7 "silent server: -f replaces it"
stop_fakesock

# --- a full backlog: connect is bounded too --------------------------------
fakesock full "$RUNDIR/sfull"
SOCKKIT_PREFORK_TIMEOUT=1 bounded 20 "$SOCKKIT" prefork-interp -U -g full "$PY" "$MINI" "$T/plain.sh" \
	>/dev/null 2>"$T/full1" </dev/null &
first=$!
SOCKKIT_PREFORK_TIMEOUT=1 bounded 20 "$SOCKKIT" prefork-interp -U -g full "$PY" "$MINI" "$T/plain.sh" \
	>/dev/null 2>"$T/full2" </dev/null
second=$?
wait "$first"
is "$?/$second" "127/127" "full backlog: both calls fail with 127, no hang"
like "$(cat "$T/full1" "$T/full2")" 'connect .*timed out after 1000 ms' "full backlog: connect timed out"
stop_fakesock

# --- a server that greets, then reads nothing: sending is bounded --------
fakesock deaf "$RUNDIR/sdeaf"
big=$(head -c 100000 /dev/zero | tr '\0' x)
SOCKKIT_PREFORK_TIMEOUT=1 B1=$big B2=$big B3=$big B4=$big B5=$big B6=$big call deaf
is_rc 127 "server that stops reading: 127, no hang"
like "$(cat "$T/err")" 'send request: the server took nothing for 1000 ms' "server that stops reading: said so"
stop_fakesock

# --- garbage, half-dead and stale: replaced ---------------------------------
fakesock garbage "$RUNDIR/sgarbage"
call garbage
is_rc 7 "garbage greeting: replaced, the script runs"
like "$(cat "$T/err")" 'bad greeting 48 54 54 50, replacing the server' "garbage greeting: said so"
stop_fakesock

fakesock eof "$RUNDIR/seof"
call eof
is_rc 7 "server closes before its greeting: replaced, the script runs"
is "$(grep -v '^server=' "$T/err")" "" "closed before greeting: nothing to report"
stop_fakesock

fakesock refused "$RUNDIR/sstale"
call stale
is_rc 7 "stale socket (nobody listening): replaced, the script runs"
is "$(grep -v '^server=' "$T/err")" "" "stale socket: nothing to report"
stop_fakesock

# --- another user, unsafe sockets and directories: refused before sending ---
fakesock otheruid "$RUNDIR/sother"
call other
is_rc 127 "server of another uid: refused"
like "$(cat "$T/err")" 'it runs as uid 65534, not as us' "server of another uid: said so"
stop_fakesock

fakesock refused "$RUNDIR/sgroupmode"
chmod 660 "$RUNDIR/sgroupmode"
call groupmode
is_rc 127 "socket open to group: refused"
like "$(cat "$T/err")" 'refusing socket .*: mode 0660 is open to group or others' "socket open to group: said so"

fakesock refused "$RUNDIR/sowner"
chown 65534 "$RUNDIR/sowner"
call owner
is_rc 127 "socket of another owner: refused"
like "$(cat "$T/err")" 'refusing socket .*: owned by uid 65534' "socket of another owner: said so"

: >"$RUNDIR/sfile"
call file
is_rc 127 "a file at the socket path: refused"
like "$(cat "$T/err")" 'not a socket' "a file at the socket path: said so"

# --- the server's start failing ------------------------------------------
run "$SOCKKIT" prefork-interp -U -g noint no-such-interpreter-here "$T/plain.sh"
is_rc 127 "interpreter not found: 127"
like "$(cat "$T/err")" 'cannot run no-such-interpreter-here: No such file' "interpreter not found: said so"
is "$(ls "$RUNDIR" | grep noint)" "" "interpreter not found: no socket, info or lock file left"

printf 'echo setting up; exit 3\n' >"$T/exit3.sh"
run "$SOCKKIT" prefork-interp -U -g exit3 sh "$T/exit3.sh"
is_rc 3 "setup exits 3: 3 (as 7.0.0)"
is_file "$T/err" "setting up" "setup: its stdout goes to the caller's stderr"
is "$(ls "$RUNDIR" | grep exit3)" "" "setup failed: no socket, info or lock file left"

printf 'exit 0\n' >"$T/true.sh"
run "$SOCKKIT" prefork-interp -U -g true sh "$T/true.sh"
is_rc 127 "setup ends without a server: 127"
like "$(cat "$T/err")" 'ended without starting a server' "setup ends without a server: said so"

printf 'exec sleep 30\n' >"$T/hang.sh"
SOCKKIT_PREFORK_TIMEOUT=1 run bounded 20 "$SOCKKIT" prefork-interp -U -g hang sh "$T/hang.sh"
is_rc 127 "setup hangs: 127 after the timeout"
like "$(cat "$T/err")" 'did not finish within 1000 ms; killed it' "setup hangs: said so"

# A setup that leaves a process holding the first call, silent.
printf 'sleep 30 >/dev/null 2>&1 &\necho $! >"%s"\n' "$T/mute.pid" >"$T/mute.sh"
SOCKKIT_PREFORK_TIMEOUT=1 run bounded 20 "$SOCKKIT" prefork-interp -U -g mute sh "$T/mute.sh"
is_rc 127 "new server never greets: 127 after the timeout"
like "$(cat "$T/err")" 'no greeting within 1000 ms' "new server never greets: said so"
is "$(ls "$RUNDIR" | grep mute)" "" "new server never greets: no socket, info or lock file left"
kill "$(cat "$T/mute.pid")"

# --- cleaning, before a cold start --------------------------------------
# Stale sockets (nobody listens) go, with files that belong to no socket;
# of the live ones, only the excess over 100 goes, the least used first.
# One process listens on 120 sockets, and 5 more are stale, each with an
# info file as a client writes it.
stop_servers
rm -f "$RUNDIR"/*
mkfifo "$T/many"
"$PY" -c '
import os, socket, sys, time
d = sys.argv[1]
held = []
for i in range(125):
    p = os.path.join(d, "s%020x" % i)
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    os.chmod(p, 0o600)
    os.utime(p, (1000000 + i, 1000000 + i))
    with open(os.path.join(d, "i%020x" % i), "wb") as f:
        f.write(b"sockkit-prefork-info 1\0interp=fixture\0listener=%d\0"
                % os.fstat(s.fileno()).st_ino)
    if i < 120:
        s.listen(8)
        held.append(s)
    else:
        s.close()       # stale
open(os.path.join(d, "l%020x" % 121), "w").close()   # a lock nobody holds
open(os.path.join(d, "i%020x" % 999), "w").close()   # info of no socket
with open(sys.argv[2], "w") as f:
    f.write("ready\n")
time.sleep(60)
' "$RUNDIR" "$T/many" &
many=$!
is "$(bounded 10 cat "$T/many")" ready "(120 live sockets, 5 stale)"
call fresh
is_rc 7 "125 sockets: the call runs"
kept=$(ls "$RUNDIR" | grep '^s0000' | sort)
is "$(echo "$kept" | wc -l)" 99 "cleaning leaves 99 of them (and the new one): 100"
is "$(echo "$kept" | head -n 1)" "s$(printf '%020x' 21)" "cleaning removed the 21 least used live ones"
is "$(echo "$kept" | tail -n 1)" "s$(printf '%020x' 119)" "cleaning removed the 5 stale ones"
is "$(ls "$RUNDIR" | grep -c -e '^l' -e "^i$(printf '%020x' 999)")" 0 "cleaning removed the unheld lock and the orphaned info"
kill "$many"
wait "$many" 2>/dev/null

stop_servers
done_testing
