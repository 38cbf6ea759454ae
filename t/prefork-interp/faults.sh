#!/bin/sh
# prefork-interp under faults, against the test's own 7.0.0 server
# (miniserver.py): the server killed during a call, the executor killed,
# the run directory removed or made unwritable between calls, fd
# exhaustion, the client killed during a cold start, and 500 concurrent
# calls.  Every wait is bounded; every server is stopped at the end.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

mini_script "$T/s.sh" link '
case $1 in
echo) echo "out $2 $MINI_SERVER_PID"; exit "$3" ;;
server) echo "$MINI_SERVER_PID" ;;
sleep) echo $$ >"$2"; exec sleep 30 ;;
*) echo "unknown case $1" >&2; exit 100 ;;
esac'
cd "$T" || exit 1

# reap PID: wait (at most 10 s) for a background job of ours; its status
# in rc (999 when it had to be killed).
reap() {
	if wait_gone "$1"; then
		wait "$1"
		rc=$?
	else
		kill -KILL "$1" 2>/dev/null
		wait "$1"
		rc=999
	fi
}

# start_sleeper: a call whose script writes its pid to a FIFO and sleeps;
# sets client (the caller's pid) and exe (the script's) once it runs.
start_sleeper() {
	rm -f "$T/pid.fifo"
	mkfifo "$T/pid.fifo"
	./s.sh sleep "$T/pid.fifo" >"$T/out" 2>"$T/err" </dev/null &
	client=$!
	exe=$(bounded 10 head -n 1 "$T/pid.fifo")
}

# server_now: the pid of the server a warm (or cold) call reaches.
server_now() {
	./s.sh server 2>"$T/err" </dev/null
}

# nsockets DIR: how many sockets DIR holds.
nsockets() {
	_c=0
	for _f in "$1"/s*; do
		[ -S "$_f" ] && _c=$((_c + 1))
	done
	echo "$_c"
}

# --- the server killed during a call --------------------------------------
srv=$(server_now)
note_server "$srv"
start_sleeper
ok '[ -n "$exe" ]' "server killed: the call runs"
# The server alone: the call's own monitor still carries the call.
kill -KILL "$srv"
wait_gone "$srv"
kill -TERM "$exe"
reap "$client"
is "$rc" 143 "server process killed: the call in progress still ends as its script"
srv2=$(server_now)
note_server "$srv2"
differ "$srv2" "$srv" "server process killed: the next call starts a fresh server"
# The whole server (its session: server, monitors, executors).
start_sleeper
kill -KILL -"$srv2"
reap "$client"
vg_clean "$T/err"
is_rc 127 "server killed during a call: status 127"
is_file "$T/err" "prefork-interp: server closed the call without an exit status (its log may say why: prefork-interp(1), FILES)" \
	"server killed during a call: said so"
wait_gone "$srv2"
srv3=$(server_now)
note_server "$srv3"
differ "$srv3" "$srv2" "server killed: the next call starts a fresh server"

# --- the executor killed --------------------------------------------------
for sig in TERM:143 KILL:137 INT:130; do
	start_sleeper
	kill -s "${sig%:*}" "$exe"
	reap "$client"
	is "$rc" "${sig#*:}" "executor killed by SIG${sig%:*}: the caller dies by it too"
done
start_sleeper
kill -USR1 "$exe"
reap "$client"
vg_clean "$T/err"
is_rc 127 "executor killed by SIGUSR1: 127"
like "$(cat "$T/err")" '^prefork-interp: script died by signal 10 ' "executor killed by SIGUSR1: said so"
is "$(server_now)" "$srv3" "executors killed: the server stays"

# --- the run directory removed between calls -----------------------------
rm -rf "$RUNDIR"
ok 'wait_gone "$srv3"' "run directory removed: the server quits"
run ./s.sh echo 1 5
is_rc 5 "run directory removed: the next call runs"
srv4=$(sed -n 's/^out 1 //p' "$T/out")
note_server "$srv4"
differ "$srv4" "$srv3" "run directory removed: a fresh server"
is "$(stat -c %a "$RUNDIR")" 700 "run directory removed: made again, 0700"
stop_servers

# --- the run directory made unwritable between calls --------------------
# As root, permissions do not bind: an ordinary user (uid 65534) calls.
if nobody_cannot_run "unwritable run directory"; then
	:
else
	chmod 711 "$T"
	mkdir -m 700 "$T/nob" "$T/nob/run"
	cp "$T/s.sh" "$T/nob/s.sh"
	chown -R 65534 "$T/nob"
	nrun=$T/nob/run/sockkit-prefork
	as_nobody() {
		(cd "$T/nob" && setpriv --reuid=65534 --regid=65534 --clear-groups \
			env XDG_RUNTIME_DIR="$T/nob/run" "$@")
	}
	run as_nobody ./s.sh echo 2 0
	nsrv=$(sed -n 's/^out 2 //p' "$T/out")
	note_server "$nsrv"
	is "$rc.$(stat -c %a "$nrun")" 0.700 "unwritable run directory: a first call as uid 65534"
	chmod 500 "$nrun"
	run as_nobody ./s.sh echo 3 4
	is "$rc:$(cat "$T/out")" "4:out 3 $nsrv" "unwritable run directory: a warm call still runs"
	run as_nobody "$SOCKKIT" prefork-interp "--kill -U $PY $MINI" ./s.sh
	vg_clean "$T/err"
	is_rc 127 "unwritable run directory: --kill fails"
	like "$(cat "$T/err")" '^prefork-interp: .*: Permission denied$' "unwritable run directory: --kill says why"
	chmod 700 "$nrun"
	run as_nobody "$SOCKKIT" prefork-interp "--kill -U $PY $MINI" ./s.sh
	ok 'wait_gone "$nsrv"' "unwritable run directory: writable again, --kill works"
	chmod 500 "$nrun"
	run as_nobody timeout -k 2 20 ./s.sh echo 4 0
	vg_clean "$T/err"
	is_rc 127 "unwritable run directory, no server: the cold call fails"
	like "$(cat "$T/err")" '^prefork-interp: .*: Permission denied$' "unwritable run directory, no server: says why"
	is "$(nsockets "$nrun")" 0 "unwritable run directory, no server: no socket made"
	chmod 700 "$nrun" "$T"
fi

# --- fd exhaustion --------------------------------------------------------
# valgrind keeps fds of its own within the limit: not meaningful there.
if ! under_valgrind "fd exhaustion"; then
	# limited N CMD...: CMD with at most N open fds.
	limited() {
		_n=$1
		shift
		bounded 20 sh -c 'ulimit -n "$1" && shift && exec "$@"' sh "$_n" "$@"
	}
	# ours_failed: the last run failed with our own clear error for
	# running out of fds.
	ours_failed() {
		vg_clean "$T/err"
		printf '%s\n' "$rc:$(cat "$T/err")" |
			grep -Eqx '127:prefork-interp: [^:]*(: [^:]*)?: (Too many open files|No file descriptors available)'
	}
	# A warm call needs a few fds beyond 0-2 (the caller's directory, the
	# run directory while it is opened, the socket), a cold start a few
	# more (lock, listener, pipes, the first call): below what it needs,
	# each shortage is a clear error that leaves nothing behind.  (With
	# fewer than four the loader itself fails.)
	srv=$(server_now)
	note_server "$srv"
	n=4
	while run limited "$n" ./s.sh echo "w$n" 6 && ours_failed && [ "$n" -lt 20 ]; do
		n=$((n + 1))
	done
	warm=$n
	ok '[ "$warm" -le 8 ]' "warm: every shortage of fds below $warm a clear error; $warm are enough"
	is "$rc:$(cat "$T/out")" "6:out w$warm $srv" "ulimit -n $warm, warm: the call runs"
	stop_servers
	rm -f "$RUNDIR"/*
	n=4 left=
	while run limited "$n" ./s.sh echo "c$n" 6 && ours_failed && [ "$n" -lt 20 ]; do
		left="$left$(ls -A "$RUNDIR")"
		n=$((n + 1))
	done
	cold=$n
	ok '[ "$cold" -le 16 ]' "cold: every shortage of fds below $cold a clear error; $cold are enough"
	is "$left" "" "cold, below $cold fds: no socket, lock or info file left behind"
	for p in $(ours); do
		note_server "$p"
	done
	stop_servers
	rm -f "$RUNDIR"/*
	none_left "cold, below $cold fds: no process left behind"
	# With enough, the server starts with the caller's limit: the script
	# fares as it would run directly under that limit.
	run limited $cold sh ./s.sh echo c$cold 6
	want="$rc:$(sed 's/ [0-9]*$//' "$T/out")|$(cat "$T/err")"
	run limited $cold ./s.sh echo c$cold 6
	vg_clean "$T/err"
	is "$rc:$(sed 's/ [0-9]*$//' "$T/out")|$(cat "$T/err")" "$want" \
		"ulimit -n $cold, cold: the script runs as directly under that limit"
	for p in $(ours); do
		note_server "$p"
	done
	stop_servers
fi

# --- the client killed during a cold start -------------------------------
# The interpreter is a gate: it tells its pid through a FIFO and waits for
# a word before it becomes the server (or fails).
cat >"$T/gate.sh" <<EOF
#!/bin/sh
echo start >>"$T/starts"
if [ -n "\${GATE:-}" ]; then
	echo \$\$ >"\$GATE.pid"
	read -r word <"\$GATE.go"
	[ "\$word" = go ] || exit 1
fi
exec "$PY" "\$@"
EOF
chmod +x "$T/gate.sh"
printf '#!%s -U,%s,%s\n%s\n' "$T/prefork-interp" "$T/gate.sh" "$MINI" \
	'echo "$MINI_SERVER_PID"' >"$T/cold.sh"
chmod +x "$T/cold.sh"
# cold_kill WORD: a cold call killed while its server's setup waits; the
# setup then goes on (go) or fails (stop).
cold_kill() {
	rm -f "$T/gate.pid" "$T/gate.go" "$T/starts"
	mkfifo "$T/gate.pid" "$T/gate.go"
	GATE=$T/gate ./cold.sh >"$T/out" 2>"$T/err" </dev/null &
	client=$!
	setup=$(bounded 10 head -n 1 "$T/gate.pid")
	kill -KILL "$client"
	reap "$client"
	bounded 10 sh -c 'echo "$1" >"$2"' sh "$1" "$T/gate.go"
	wait_gone "$setup"
}
cold_kill go
is "$rc" 137 "client killed during a cold start: dead"
is "$(nsockets "$RUNDIR")" 1 "client killed, setup goes on: the server has its socket"
run ./cold.sh
cold_srv=$(cat "$T/out")
note_server "$cold_srv"
is "$rc:$(wc -l <"$T/starts")" "0:1" "client killed, setup goes on: the next call uses that server"
stop_servers
none_left "client killed, setup goes on: all gone once its socket is"

cold_kill stop
none_left "client killed, setup fails: no server, no watcher left"
run ./cold.sh
note_server "$(cat "$T/out")"
is "$rc:$(wc -l <"$T/starts")" "0:2" "client killed, setup fails: the next call starts a server"
stop_servers

# --- 500 concurrent calls ------------------------------------------------
# Cold: they race for the lock, one starts the server, all are served by it.
calls=500
[ -n "${SOCKKIT_UNDER_VALGRIND:-}" ] && calls=50
mkdir "$T/c"
start=$(date +%s.%N)
SOCKKIT_PREFORK_TIMEOUT=60 bounded 120 sh -c '
	i=0
	while [ "$i" -lt "$1" ]; do
		{ ./s.sh echo "$i" $((i % 8)) >"$2/$i.out" 2>"$2/$i.err" </dev/null
		  echo $? >"$2/$i.rc"; } &
		i=$((i + 1))
	done
	wait' sh "$calls" "$T/c"
took=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.1f", $1 - $2 }')
vg_clean "$T"/c/*.err
srv=$(sed 's/^out [0-9]* //' "$T/c/0.out")
note_server "$srv"
bad=0
i=0
while [ "$i" -lt "$calls" ]; do
	if [ "$(cat "$T/c/$i.out")|$(cat "$T/c/$i.err")|$(cat "$T/c/$i.rc")" != "out $i $srv||$((i % 8))" ]; then
		[ "$bad" -lt 5 ] && diag "call $i: $(cat "$T/c/$i.out" "$T/c/$i.err" "$T/c/$i.rc" | tr '\n' ' ')"
		bad=$((bad + 1))
	fi
	i=$((i + 1))
done
is "$bad" 0 "$calls concurrent cold calls: each output and status right, one server"
diag "$calls concurrent cold calls in $took s"
stop_servers
none_left "every server stopped"

# --- the lock held by a client that never finishes its start ---------------
# The wait for the lock is bounded (a timer interrupts flock): a holder that
# stays makes the next cold call fail after SOCKKIT_PREFORK_TIMEOUT.
mkdir -p -m 700 "$RUNDIR"
mkfifo "$T/locked"
flock "$RUNDIR/llockid" sh -c 'echo $$ >"$1"; exec sleep 30' sh "$T/locked" \
	</dev/null >/dev/null 2>&1 &
holder=$!
sleeper=$(bounded 10 cat "$T/locked")
if [ -n "$sleeper" ]; then
	SOCKKIT_PREFORK_TIMEOUT=1 run bounded 10 "$SOCKKIT" prefork-interp -g lockid -U "$PY" ./s.sh exit 0
	is_rc 127 "lock held by another start: the call gives up"
	like "$(cat "$T/err")" "^prefork-interp: timed out after [0-9]+ ms waiting for the lock $RUNDIR/llockid" \
		"lock held by another start: it says why"
else
	fail "lock held by another start: the holder never took the lock"
fi
kill "$holder" $sleeper 2>/dev/null
wait "$holder" 2>/dev/null

done_testing
