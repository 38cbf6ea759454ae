#!/bin/sh
# prefork-interp against the test's own 7.0.0 server (miniserver.py): the
# request (arguments, environment, stdio), exit codes and signals, xdata in
# network byte order, 50 concurrent cold calls, -f, --kill, socket deletion,
# and the fixed defects: closed stdio fds, leaked fds, arguments in ps.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

mini_script "$T/s.sh" link '
echo "server=$MINI_SERVER_PID" >>"$T_LOG"
case $1 in
args) for a; do echo "[$a]"; done ;;
env) printf "%s|" "$FOO"; printf "%s\n" "${UNSET_VAR-unset}" ;;
stdio) echo "to stdout"; echo "to stderr" >&2; cat ;;
exit) exit "$2" ;;
signal) kill -s "$2" $$; sleep 5; exit 99 ;;
fds) a=$(readlink /proc/$$/fd/0) b=$(readlink /proc/$$/fd/1) c=$(readlink /proc/$$/fd/2)
	printf "%s\n" "$a" "$b" "$c" >&"$2" ;;
sleep) echo $$ >"$2"; exec sleep 30 ;;
killmonitor) kill -KILL $PPID; sleep 5; exit 98 ;;
*) echo "unknown case $1" >&2; exit 100 ;;
esac'
export T_LOG="$T/log"
cd "$T" || exit 1

server_now() {
	sed -n 's/^server=//p' "$T_LOG" | tail -n 1
}

# --- the request ----------------------------------------------------------
run ./s.sh args 'a b' '' "q'uote" '*'
is_rc 0 "args: exit 0"
is_file "$T/out" "[args]
[a b]
[]
[q'uote]
[*]" "args: every argument, as given"
srv=$(server_now)
note_server "$srv"

FOO='x y=z
line2' run ./s.sh env
is_file "$T/out" "x y=z
line2|unset" "env: values with =, newline; an unset variable stays unset"

printf 'line1\nline2\n' >"$T/in"
./s.sh stdio <"$T/in" >"$T/o" 2>"$T/e"
rc=$?
vg_clean "$T/e"
is_rc 0 "stdio: exit 0"
is_file "$T/o" "to stdout
line1
line2" "stdio: stdout and stdin are the caller's"
is_file "$T/e" "to stderr" "stdio: stderr is the caller's"

head -c 1048576 /dev/urandom >"$T/big"
./s.sh stdio <"$T/big" 2>/dev/null | tail -c 1048576 >"$T/big.out"
is "$(cksum <"$T/big.out")" "$(cksum <"$T/big")" "stdio: 1 MiB through a pipe, intact"

is "$(server_now)" "$srv" "warm calls reuse the server"

# --- exit codes and signals -----------------------------------------------
for code in 0 1 7 126 255; do
	run ./s.sh exit "$code"
	is_rc "$code" "exit $code relayed"
done

check_relayed_deaths ./s.sh INT:2 TERM:15 HUP:1 PIPE:13 KILL:9

run ./s.sh signal USR1
is_rc 127 "death by SIGUSR1: 127"
like "$(cat "$T/err")" 'script died by signal 10 ' "death by SIGUSR1: reported"

run ./s.sh killmonitor
is_rc 127 "server side gone mid-call: 127, no hang"
like "$(cat "$T/err")" 'without an exit status' "server side gone mid-call: reported"

# The client killed: under 7.0.0 nothing is forwarded, and the client dies
# as the shell expects.  (What becomes of the script is the server's
# business: perl.sh checks Debian's module.)
rm -f "$T/pid"
mkfifo "$T/pid"
./s.sh sleep "$T/pid" >/dev/null 2>&1 </dev/null &
client=$!
exe=$(bounded 10 head -n 1 "$T/pid")
kill -TERM "$client"
wait "$client"
is "$?" 143 "client killed by TERM: dies by TERM"
[ -n "$exe" ] && kill "$exe" 2>/dev/null

# --- xdata: its length is big-endian -------------------------------------
# The combined word "-f,-U,PYTHON,MINI" gives the ident of the #! line.
MINI_XDATA=hello run "$SOCKKIT" prefork-interp "-f,-U,$PY,$MINI" ./s.sh exit 5
is_rc 5 "xdata of 5 bytes: greeting read (7.0.0 hangs here)"
note_server "$(server_now)"
run ./s.sh exit 6
is_rc 6 "xdata: warm call after it"
is_file "$T/err" "" "xdata: nothing on stderr"
stop_servers

# --- 50 concurrent cold calls: one server, each call its own result --------
: >"$T_LOG"
concurrent 50 "$T/cc" ./s.sh args
bad=0
i=0
while [ $i -lt 50 ]; do
	vg_clean "$T/cc/$i.err"
	[ "$(cat "$T/cc/$i.out")" = "[args]
[$i]" ] && [ "$(cat "$T/cc/$i.rc")" = 0 ] && [ ! -s "$T/cc/$i.err" ] || bad=$((bad + 1))
	i=$((i + 1))
done
is "$bad" 0 "50 concurrent cold calls: each output and status right"
is "$(sed -n 's/^server=//p' "$T_LOG" | sort -u | wc -l)" 1 "50 concurrent cold calls: exactly one server"
srv=$(server_now)
note_server "$srv"

# --- -f, --kill, deletion --------------------------------------------------
run "$SOCKKIT" prefork-interp "-f,-U,$PY,$MINI" ./s.sh exit 3
is_rc 3 "-f: runs"
new=$(server_now)
note_server "$new"
differ "$new" "$srv" "-f: a fresh server"
ok 'wait_gone "$srv"' "-f: the old server quits"
run ./s.sh exit 4
is "$(server_now)" "$new" "-f: later calls use the fresh server"
# A script started by another prefork-interp script inherits that one's
# PREFORK_INTERP: a server started from it gets its own in that place.
run env PREFORK_INTERP=stale "$SOCKKIT" prefork-interp "-f,-U,$PY,$MINI" ./s.sh exit 5
is_rc 5 "-f under a caller's own PREFORK_INTERP: the server gets its own instead"
old=$new
new=$(server_now)
note_server "$new"
differ "$new" "$old" "    a fresh server"
ok 'wait_gone "$old"' "    and the previous server quits"

run "$SOCKKIT" prefork-interp "--kill -U $PY $MINI" ./s.sh
is_rc 0 "--kill: exit 0"
is_file "$T/out" "" "--kill: runs nothing"
ok 'wait_gone "$new"' "--kill: the server quits"
is "$(ls "$RUNDIR" | grep -c '^s')" 0 "--kill: the socket is gone"
check "--kill with no server: says so, exit 0 (as chiark-utils)" 0 '' \
	"prefork-interp: --kill: no server for ./s.sh in $RUNDIR" \
	"$SOCKKIT" prefork-interp "--kill -U $PY $MINI" ./s.sh

run ./s.sh exit 0
srv=$(server_now)
note_server "$srv"
rm -f "$RUNDIR"/s*
ok 'wait_gone "$srv"' "socket deleted: the server quits"
run ./s.sh exit 2
is_rc 2 "socket deleted: the next call starts a new one"
differ "$(server_now)" "$srv" "socket deleted: a new server"
note_server "$(server_now)"
stop_servers

# --- fixed: a caller with fd 0, 1 or 2 closed (cold and warm) ---------------
# The script gets a descriptor of /dev/null that fails reads and writes as a
# closed one would, never the client's socket.  (Under valgrind its log
# file takes the closed number first.)
for temp in cold warm; do
	under_valgrind "$temp: closed stdio fds" && continue
	./s.sh fds 2 <&- 2>"$T/e" >/dev/null
	is "$(head -n 1 "$T/e")" /dev/null "$temp: fd 0 closed: the script's stdin is /dev/null"
	./s.sh fds 2 2>"$T/e" >&- </dev/null
	is "$(sed -n 2p "$T/e")" /dev/null "$temp: fd 1 closed: the script's stdout is /dev/null"
	./s.sh fds 1 2>&- >"$T/o" </dev/null
	is "$(sed -n 3p "$T/o")" /dev/null "$temp: fd 2 closed: the script's stderr is /dev/null"
done
note_server "$(server_now)"
stop_servers

# --- fixed: no fd of the caller beyond 2 leaks into watcher or server -------
out=$( (bounded 20 ./s.sh args leak 3>&1 7>"$T/marker" | cat) 2>&1)
is "$out" "[args]
[leak]" "cold start with 3>&1 | cat: no hang"
note_server "$(server_now)"
holders=$(find /proc/[0-9]*/fd -lname "$T/marker" 2>/dev/null)
is "$holders" "" "no process keeps the caller's fd 7 after a cold start"

# --- fixed: the caller's arguments do not stay in ps -------------------------
stop_servers
run ./s.sh args SECRET-ARG-$$
note_server "$(server_now)"
if ! under_valgrind "no process shows the first caller's arguments"; then
	shown=$(grep -l "SECRET[-]ARG-$$" /proc/[0-9]*/cmdline 2>/dev/null | grep -v "/proc/$$/")
	is "$shown" "" "no process shows the first caller's arguments"
fi

stop_servers
done_testing
