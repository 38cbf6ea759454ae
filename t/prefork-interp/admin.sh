#!/bin/sh
# The admin commands: --list (text and JSON) with a Perl, a Python and the
# test's own 7.0.0 server; what --list asks a sockkit-x1 server, and that
# it never connects to a 7.0.0 one; a SIGKILLed server gone from --list;
# --kill-all leaving no process, socket, info or lock file, and its bound;
# leftovers of every kind cleaned, lock files never piling up.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

mkdir -p -m 700 "$RUNDIR"
mkdir "$T/d1"
export T_LOG="$T/log" MINI_ACCEPTLOG="$T/accepted"
: >"$MINI_ACCEPTLOG"
have_perl=1 have_python=1
perl -MProc::Prefork::Interp -e 1 2>/dev/null || have_perl=
PYTHONPATH=$PYMOD "$PY" -c 'import sockkit_prefork' 2>/dev/null || have_python=

# list FILE: --list --json into FILE.
list() {
	"$SOCKKIT" prefork-interp --list --json >"$1" 2>"$T/list.err" </dev/null
}
# no_leftovers NAME: no lock, temporary or orphaned info file in the run directory.
no_leftovers() {
	_left=
	for _f in "$RUNDIR"/*; do
		case ${_f##*/} in
		l*|t*) _left="$_left ${_f##*/}" ;;
		i*) [ -S "$RUNDIR/s${_f##*/i}" ] || _left="$_left ${_f##*/}" ;;
		esac
	done
	is "$_left" "" "$1"
}

# --- nothing running ---------------------------------------------------------
check "--list, no server: the header alone" 0 \
	"    PID  STARTED                   IDLE   CALLS  IDENT  COMMAND" '' \
	"$SOCKKIT" prefork-interp --list
list "$T/empty.json"
json_ok "$T/empty.json" ".run_directory == \"$RUNDIR\" and .servers == []" \
	"--list --json, no server: the run directory, no servers"
check "--kill-all, no server: nothing to say" 0 '' '' "$SOCKKIT" prefork-interp --kill-all

# --- three servers: Perl (7.0.0), Python (sockkit-x1), mini (7.0.0) ------------
t0=$(date +%s)
cat >"$T/x.pl" <<EOF
#!$PFI -U,perl
use strict;
use POSIX ();
use Proc::Prefork::Interp;
prefork_initialisation_complete();
\$| = 1;
open my \$st, "<", "/proc/" . getppid() . "/stat" or die;
my (\$srv) = (scalar <\$st>) =~ m/\\) \\S+ (\\d+)/;
print "\$srv\\n";
POSIX::_exit(0);
EOF
cat >"$T/x.py" <<EOF
#!$PFI -U,$PY
import os
import sockkit_prefork
sockkit_prefork.initialisation_complete()
print(os.getppid())
EOF
mini_script "$T/m.sh" link 'echo "$MINI_SERVER_PID"'
chmod +x "$T/x.pl" "$T/x.py"
started=
perl_srv= py_srv=
if [ -n "$have_perl" ]; then
	perl_srv=$(cd "$T/d1" && ../x.pl </dev/null)
	started="$started $perl_srv"
fi
if [ -n "$have_python" ]; then
	for i in 1 2 3; do
		py_srv=$(PYTHONPATH=$PYMOD "$T/x.py" </dev/null)
	done
	started="$started $py_srv"
fi
mini_srv=$(cd "$T/d1" && ./../m.sh </dev/null)
started="$started $mini_srv"
for p in $started; do
	note_server "$p"
done
t1=$(date +%s)
no_leftovers "after cold starts: no lock, temporary or orphaned info file"

list "$T/three.json"
is "$(cat "$T/list.err")" "" "--list --json: nothing on stderr"
json_ok "$T/three.json" "[.servers[].pid] | sort == ($(echo $started | tr ' ' '\n' | sort -n | paste -sd, | sed 's/^/[/; s/$/]/'))" \
	"--list --json: one entry per live server, with its pid"
json_ok "$T/three.json" "all(.servers[]; .started >= $t0 - 1 and .started <= $t1 + 1 and .idle >= 0 and
	(.ident | test(\"^[0-9a-f]{64}(\\\\.[0-9a-f]{16})?\$\")))" \
	"--list --json: start times, idle times, idents"
json_ok "$T/three.json" ".servers[] | select(.pid == $mini_srv) |
	.protocol == \"7.0.0\" and .interpreter == \"$PY\" and .interpreter_args == [\"$MINI\"] and
	.script == \"$T/m.sh\" and .directory == \"$T/d1\" and .calls == null" \
	"--list --json: the mini server: 7.0.0, its command and directory, no count of calls"
if [ -n "$have_perl" ]; then
	json_ok "$T/three.json" ".servers[] | select(.pid == $perl_srv) |
		.protocol == \"7.0.0\" and .interpreter == \"perl\" and .script == \"$T/x.pl\" and
		.directory == \"$T/d1\" and .calls == null" \
		"--list --json: the Perl server: 7.0.0, perl, the script, its directory"
else
	skip "--list --json: the Perl server" "perl module missing"
fi
if [ -n "$have_python" ]; then
	json_ok "$T/three.json" ".servers[] | select(.pid == $py_srv) |
		.protocol == \"sockkit-x1\" and .interpreter == \"$PY\" and .script == \"$T/x.py\" and
		.directory == null and (.calls == null or .calls == 3)" \
		"--list --json: the Python server: sockkit-x1, every directory, the calls it served"
else
	skip "--list --json: the Python server" "sockkit_prefork not importable"
fi
is "$(cat "$MINI_ACCEPTLOG")" "" "--list never connects to a 7.0.0 server"
(cd "$T/d1" && ./../m.sh >/dev/null </dev/null)
is "$(cat "$MINI_ACCEPTLOG")" "accepted" "(a call does: the server counts it)"

run "$SOCKKIT" prefork-interp --list
is "$(head -n 1 "$T/out")" "$(printf '%7s  %-20s  %8s  %6s  %-25s  %s' PID STARTED IDLE CALLS IDENT COMMAND)" \
	"--list: the header, the IDENT column as wide as the widest shown (SCRIPT.DIR, 12 digits each)"
is "$(sed 1d "$T/out" | awk '{ print $1 }' | sort -n | paste -sd' ')" \
	"$(echo $started | tr ' ' '\n' | sort -n | paste -sd' ')" "--list: one line per server, its pid first"
like "$(grep "^ *$mini_srv " "$T/out")" \
	"^ *$mini_srv  [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +[0-9]+s +-  [0-9a-f]{12}\\.[0-9a-f]{12}  $PY $MINI $T/m.sh  \\(in $T/d1\\)\$" \
	"--list: the mini server's line, its ident cut to 12 digits a part"
is "$(grep "^ *$mini_srv " "$T/out" | awk '{ print $5 }')" \
	"$(jq -r ".servers[] | select(.pid == $mini_srv) | .ident" "$T/three.json" |
		sed 's/^\(.\{12\}\).*\(\..\{12\}\).*/\1\2/')" \
	"--list: ... the first 12 digits of each part of --json's ident"

# --- what --list asks a sockkit-x1 server ------------------------------------
FAKE_WORDS="sockkit-x1 started=1000000000 calls=42 last-call=1000000300" FAKE_RECORD=$T/record \
	fakesock x1status "$RUNDIR/sfake"
list "$T/fake.json"
now=$(date +%s)
json_ok "$T/fake.json" ".servers[] | select(.ident == \"fake\") |
	.pid == $fake_pid and .started == 1000000000 and .calls == 42 and
	.idle >= $now - 1000000300 - 2 and .idle <= $now - 1000000300 + 2" \
	"--list: started=, calls= and last-call= as the sockkit-x1 server says"
ok 'wait_for_line "$T/record" "got 0"' "--list: the sockkit-x1 server gets a connection that sends nothing"
stop_fakesock
# STARTED in the table: UTC, the year as wide as it needs to be, and "?"
# for a moment no calendar date holds (where gmtime_r gives up).
while read -r started shown; do
	rm -f "$RUNDIR/sfake" "$RUNDIR/ifake"
	FAKE_WORDS="sockkit-x1 started=$started" FAKE_RECORD=$T/record2 \
		fakesock x1status "$RUNDIR/sfake"
	run "$SOCKKIT" prefork-interp --list
	like "$(grep ' fake ' "$T/out")" "^ *$fake_pid  $shown  " "--list: STARTED for started=$started"
	stop_fakesock
done <<EOF
0 1970-01-01T00:00:00Z
1000000000 2001-09-09T01:46:40Z
951868799 2000-02-29T23:59:59Z
253402300800 10000-01-01T00:00:00Z
67768036191676799 2147485547-12-31T23:59:59Z
67768036191676800 \\? {19}
EOF
rm -f "$RUNDIR/sfake" "$RUNDIR/ifake"
FAKE_WORDS="sockkit-x1 calls=x7 unknown=1" FAKE_RECORD=$T/record \
	fakesock x1status "$RUNDIR/sfake"
list "$T/fake.json"
json_ok "$T/fake.json" ".servers[] | select(.ident == \"fake\") | .calls == null" \
	"--list: a word that is not a number is not shown"
stop_fakesock

# --- a server killed by SIGKILL: gone from --list, and its files -------------
kill -KILL "$mini_srv"
wait_gone "$mini_srv"
list "$T/killed.json"
json_ok "$T/killed.json" "[.servers[].pid] | index($mini_srv) == null" \
	"SIGKILLed server: gone from --list"
is "$(ls "$RUNDIR" | grep -c "$(jq -r ".servers[] | select(.pid == $mini_srv) | .ident" "$T/three.json")")" 0 \
	"SIGKILLed server: its socket and info file removed"

# --- leftovers of every kind --------------------------------------------------
"$PY" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(os.path.join(sys.argv[1], "sstale"))
' "$RUNDIR"
chmod 600 "$RUNDIR/sstale"
: >"$RUNDIR/lunheld"
: >"$RUNDIR/iorphan"
: >"$RUNDIR/torphan"
mkfifo "$T/held"
flock "$RUNDIR/lheld" sh -c 'echo $$ >"$1"; exec sleep 30' sh "$T/held" </dev/null >/dev/null 2>&1 &
holder=$!
sleeper=$(bounded 10 cat "$T/held")
run "$SOCKKIT" prefork-interp --list
is "$(ls "$RUNDIR" | grep -e stale -e unheld -e orphan)" "" \
	"--list removes a stale socket, an unheld lock, orphaned info and temporary files"
ok '[ -e "$RUNDIR/lheld" ]' "--list leaves a lock another process holds"
kill "$holder" $sleeper 2>/dev/null
wait "$holder" 2>/dev/null
rm -f "$RUNDIR/lheld"

# A socket without an info file (an older client's): a cold start leaves it
# alone, without connecting; --list asks whether anyone listens.
FAKE_NOINFO=1 FAKE_WORDS=sockkit-x1 FAKE_RECORD=$T/bare fakesock x1status "$RUNDIR/sbare"
(cd "$T/d1" && ./../m.sh >/dev/null </dev/null)
ok '[ ! -e "$T/bare" ] && [ -S "$RUNDIR/sbare" ]' "a cold start leaves a socket without info file alone, unconnected"
list "$T/bare.json"
json_ok "$T/bare.json" ".servers[] | select(.ident == \"bare\") | .pid == null and .protocol == null" \
	"--list shows a live socket without info file, as unknown"
ok 'wait_for_line "$T/bare" "got 0"' "... having connected to it (nothing sent)"
stop_fakesock

# --- --kill-all ---------------------------------------------------------------
mini_srv=$(cd "$T/d1" && ./../m.sh </dev/null)
note_server "$mini_srv"
run "$SOCKKIT" prefork-interp --kill-all
is "$rc:$(cat "$T/out")$(cat "$T/err")" "0:" "--kill-all: exit 0, silent"
is "$(ls -A "$RUNDIR" | grep -vx sockkit_prefork.log)" "" \
	"--kill-all: no socket, info or lock file left (a Python server's log file may stay)"
is "$(ours)" "" "--kill-all: no server or watcher left"
pfi_servers=

# A server that does not quit when its socket goes: --kill-all waits for it,
# bounded, and says so.
fakesock x1status "$RUNDIR/sstubborn"
SOCKKIT_PREFORK_TIMEOUT=1 run bounded 20 "$SOCKKIT" prefork-interp --kill-all
is "$rc" 127 "--kill-all, a server that stays: 127 after the bound"
is "$(cat "$T/err")" "prefork-interp: --kill-all: the server of stubborn (pid $fake_pid) is still running
prefork-interp: --kill-all: 1 server did not quit within 1000 ms of losing its socket" \
	"--kill-all, a server that stays: says which"
stop_fakesock

# --- --kill from another directory stops the one sockkit-x1 server ----------
if [ -n "$have_python" ]; then
	py_srv=$(PYTHONPATH=$PYMOD "$T/x.py" </dev/null)
	note_server "$py_srv"
	run sh -c 'cd "$1" && "$2" prefork-interp --kill -U "$3" ../x.py' sh "$T/d1" "$SOCKKIT" "$PY"
	is "$rc:$(cat "$T/err")" "0:" "--kill from another directory: the shared server's socket goes"
	ok 'wait_gone "$py_srv"' "--kill from another directory: the sockkit-x1 server quits"
else
	skip "--kill of a sockkit-x1 server" "sockkit_prefork not importable"
fi
# --- a directory name that would speak to the terminal ----------------------
# Another user can choose the name of a directory a script runs from: ESC,
# C1's CSI as UTF-8 (xterm acts on it) and a byte that is not UTF-8 must
# not reach the terminal from --list, and --json must stay UTF-8.
evil=$T/$(printf 'ev\302\2331m\033[2J\377d')
mkdir "$evil"
(cd "$evil" && ./../m.sh >/dev/null </dev/null)
run "$SOCKKIT" prefork-interp --list
ok '[ "$rc" -eq 0 ] && grep -q "(in $T/ev??1m?\[2J?d)\$" "$T/out"' \
	"--list: ESC, UTF-8 C1 and a non-UTF-8 byte in a name show as '?'"
ok '! LC_ALL=C grep -q "$(printf "[\033\377\302]")" "$T/out"' "--list: ... none of those bytes is written"
list "$T/evil.json"
evil_in_json=$T/$(printf 'ev\302\2331m\033[2J\357\277\275d')
ok 'python3 -c "import json, sys; d = json.load(open(sys.argv[1], encoding=\"utf-8\", errors=\"strict\")); sys.exit(0 if any(s[\"directory\"] == sys.argv[2] for s in d[\"servers\"]) else 1)" "$T/evil.json" "$evil_in_json"' \
	"--list --json: strict UTF-8; C1 escaped, a non-UTF-8 byte as U+FFFD"

no_leftovers "in the end: no lock, temporary or orphaned info file"

stop_servers
done_testing
