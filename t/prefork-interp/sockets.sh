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
[ $(($(date +%s) - start)) -le 4 ] && pass "silent server: within the timeout" ||
	fail "silent server: within the timeout"
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

mkdir -p -m 700 "$T/bad1" "$T/bad2"
mkdir -m 755 "$T/bad1/sockkit-prefork"
mkdir -m 700 "$T/bad2/sockkit-prefork"
chown 65534 "$T/bad2/sockkit-prefork"
XDG_RUNTIME_DIR=$T/bad1 call bad1
is_rc 127 "run directory open to others: refused"
like "$(cat "$T/err")" 'refusing run directory .*: mode 0755' "run directory open to others: said so"
is "$(ls -A "$T/bad1/sockkit-prefork")" "" "run directory open to others: nothing made there"
XDG_RUNTIME_DIR=$T/bad2 call bad2
is_rc 127 "run directory of another owner: refused"
like "$(cat "$T/err")" 'refusing run directory .*: owned by uid 65534' "run directory of another owner: said so"

# --- without XDG_RUNTIME_DIR: ~/.sockkit-prefork/HOST, as an ordinary user ---
if [ -e /run/user/65534 ]; then
	skip "home run directory" "/run/user/65534 exists"
elif nobody_cannot_run "home run directory"; then
	:
else
	chmod 711 "$T"
	mkdir -m 755 "$T/nob"
	cp "$T/plain.sh" "$T/nob/plain.sh"
	chown 65534 "$T/nob"
	as_nobody() {
		(cd "$T/nob" && setpriv --reuid=65534 --regid=65534 --clear-groups \
			env -u XDG_RUNTIME_DIR HOME="$T/nob" "$@")
	}
	run as_nobody "$SOCKKIT" prefork-interp -U -g home "$PY" "$MINI" ./plain.sh
	is_rc 7 "home run directory: the call runs as uid 65534"
	note_server "$(sed -n 's/^server=//p' "$T/err")"
	hdir=$T/nob/.sockkit-prefork
	is "$(stat -c '%a %u' "$hdir" "$hdir/$(uname -n)" | tr '\n' ' ')" "700 65534 700 65534 " \
		"home run directory: ~/.sockkit-prefork/HOST, 0700, the user's"
	[ -S "$hdir/$(uname -n)/shome" ] && pass "home run directory: the socket is there" ||
		fail "home run directory: the socket is there"
	rm -f "$hdir/$(uname -n)/shome"
	chmod 777 "$hdir"
	run as_nobody "$SOCKKIT" prefork-interp -U -g home "$PY" "$MINI" ./plain.sh
	is_rc 127 "home run directory open to others: refused"
	like "$(cat "$T/err")" "refusing run directory $hdir: mode 0777" "home run directory open to others: said so"
	chmod 700 "$T"
fi

# --- the server's start failing ------------------------------------------
run "$SOCKKIT" prefork-interp -U -g noint no-such-interpreter-here "$T/plain.sh"
is_rc 127 "interpreter not found: 127"
like "$(cat "$T/err")" 'cannot run no-such-interpreter-here: No such file' "interpreter not found: said so"
[ ! -e "$RUNDIR/snoint" ] && pass "interpreter not found: no socket left" || fail "interpreter not found: no socket left"

printf 'echo setting up; exit 3\n' >"$T/exit3.sh"
run "$SOCKKIT" prefork-interp -U -g exit3 sh "$T/exit3.sh"
is_rc 3 "setup exits 3: 3 (as 7.0.0)"
is_file "$T/err" "setting up" "setup: its stdout goes to the caller's stderr"
[ ! -e "$RUNDIR/sexit3" ] && pass "setup failed: no socket left" || fail "setup failed: no socket left"

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
[ ! -e "$RUNDIR/smute" ] && pass "new server never greets: no socket left" || fail "new server never greets: no socket left"
kill "$(cat "$T/mute.pid")"

# --- cleaning: only the excess over 100 sockets goes, the least used first --
stop_servers
rm -f "$RUNDIR"/*
"$PY" -c '
import os, socket, sys
d = sys.argv[1]
for i in range(120):
    p = os.path.join(d, "s%020x" % i)
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.close()
    open(os.path.join(d, "l%020x" % i), "w").close()
    os.utime(p, (1000000 + i, 1000000 + i))
' "$RUNDIR"
call fresh
is_rc 7 "120 stale sockets: the call runs"
is "$(ls "$RUNDIR" | grep -c '^s')" 100 "cleaning leaves 100 sockets (99 old, 1 new)"
gone=$(ls "$RUNDIR" | grep '^s00000' | sort | head -n 1)
is "$gone" "s$(printf '%020x' 21)" "cleaning removed the 21 least used"
[ ! -e "$RUNDIR/l$(printf '%020x' 0)" ] && pass "cleaning removes their lock files" ||
	fail "cleaning removes their lock files"

stop_servers
done_testing
