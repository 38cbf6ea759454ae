#!/bin/sh
# Nothing fails silently: a server that cannot start puts its error on the
# caller's stderr (status 127); a script that fails before
# initialisation_complete() shows its traceback; a stray or forged
# PREFORK_INTERP is refused before anything forks; without a syslog
# socket the log goes to a file in the run directory.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

mk nolog "log='/nonexistent/dir/log'" <<'PY'
import sockkit_prefork
@INIT@
print("never")
PY
mk early <<'PY'
import sockkit_prefork
raise ImportError("no such thing")
@INIT@
PY
mk typo "idle_timout=5" <<'PY'
import sockkit_prefork
@INIT@
PY
mk fine <<'PY'
import sockkit_prefork, os
@INIT@
print("fine", os.getppid())
PY
mk syslog "" <<'PY'
import sockkit_prefork, os
@INIT@
print(os.getppid())
PY

for f in $FORMS; do
	check "$f: a server that cannot start: its error on the caller's stderr, 127" 127 '' \
		"sockkit_prefork: cannot start the server: FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/dir/log'" \
		"$T/$f-nolog.py"
	run "$T/$f-early.py"
	ok '[ "$rc" -eq 1 ] && [ "$(tail -n 1 "$T/err")" = "ImportError: no such thing" ]' "$f: a script failing before the call: its traceback, status 1"
	run "$T/$f-typo.py"
	ok '[ "$rc" -eq 1 ] && tail -n 1 "$T/err" | grep -q "^TypeError: initialisation_complete(): unknown option(s): idle_timout "' "$f: a misspelt option: the error, status 1"
	check "$f: the script still works after those" 0 '*' '' "$T/$f-fine.py"
done

# A stray PREFORK_INTERP in a direct run, or a forged one: refused, 127.
pre="sockkit_prefork: PREFORK_INTERP is set, but"
post="this is not a server start by prefork-interp"
s=$T/A-fine.py
while IFS='|' read -r value why; do
	check "PREFORK_INTERP=\"$value\": refused" 127 '' "$pre $why: $post" \
		env PREFORK_INTERP="$value" "$PYI" "$s"
done <<EOF2
garbage|'garbage' has fewer than two words
v2,1.5 3,4,5,6|'v2,1.5 3,4,5,6' does not start with v1,TIME
v1,x 3,4,5,6|time: 'x' is not a decimal number
v1,1.5 3,4,5|'v1,1.5 3,4,5' names fewer than four descriptors
v1,1.5 3,4,x,6|descriptor: 'x' is not a decimal number
v1,1.5 3,3,5,6|the same descriptor is named twice
v1,1.5 7,8,9,10|descriptor 7, the listening socket, is not open (Bad file descriptor)
v1,1.5 0,1,2,5|descriptor 0, the listening socket, is not a socket
EOF2
# Real descriptors of the wrong kinds: a file, a socket that does not
# listen, pipe ends the wrong way round.
"$PYI" - "$PYI" "$s" >"$T/kinds.out" 2>&1 <<'PY'
import os, socket, subprocess, sys
lst = socket.socket(socket.AF_UNIX); lst.bind(""); lst.listen()
lst2 = socket.socket(socket.AF_UNIX); lst2.bind(""); lst2.listen()
a, b = socket.socketpair()
r, w = os.pipe()
f = os.open("/etc/hosts", os.O_RDONLY)
cases = [(f, a, w, r), (a.fileno(), b, w, r), (lst.fileno(), lst2, w, r),
         (lst.fileno(), a, r, w)]
for fds in cases:
    fds = [x if isinstance(x, int) else x.fileno() for x in fds]
    env = dict(os.environ, PREFORK_INTERP="v1,1.5 %s" % ",".join(map(str, fds)))
    p = subprocess.run(sys.argv[1:], env=env, pass_fds=fds,
                       capture_output=True, text=True)
    print(p.returncode, p.stdout.strip(), p.stderr.strip())
PY
ok '[ "$(cut -d" " -f1 "$T/kinds.out" | sort -u)" = 127 ] && [ "$(wc -l <"$T/kinds.out")" -eq 4 ]' "wrong kinds of descriptors: all refused, 127"
ok 'grep -q "the listening socket, is not a socket" "$T/kinds.out" && grep -q "the listening socket, is not listening" "$T/kinds.out" && grep -q "the first call.s socket, is listening" "$T/kinds.out" && grep -q "the watcher.s input, is not the pipe.s write end" "$T/kinds.out"' "... each with its reason"
ok '! grep -q fine "$T/kinds.out"' "... before the script went on"

# No syslog socket here: the log falls back to the run directory.
if "$PYI" -c 'import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect("/dev/log")' 2>/dev/null; then
	skip "log falls back to the run directory" "this machine has a syslog socket"
else
	for f in $FORMS; do
		pid=$(server_of "$T/$f-syslog.py")
		ok 'grep -q "^[-0-9T:]* $f-syslog.py\[$pid\] info: serving" "$RUN/sockkit_prefork.log"' "$f: no /dev/log: the log is $RUN/sockkit_prefork.log"
	done
	ok '[ "$(stat -c %a "$RUN/sockkit_prefork.log")" = 600 ]' "... mode 0600"
fi
ok log_clean "no traceback or error in the server log"

# A server whose spares all die before a call (here the script broke
# os.setpgid, which a spare needs) stops after a few instead of forking
# for ever; the caller fails with 127 and the log says why.
mk spares "log='$T/spares.log'" <<'PY'
import os, sockkit_prefork
def broken(*args):
    raise OSError("setpgid broken on purpose")
os.setpgid = broken
@INIT@
print("never")
PY
for f in $FORMS; do
	: >"$T/spares.log"
	run bounded 30 "$T/$f-spares.py"
	ok '[ "$rc" -eq 127 ] && [ ! -s "$T/out" ] && grep -qx "prefork-interp: server closed the call without an exit status (its log may say why: prefork-interp(1), FILES)" "$T/err"' \
		"$f: spares that all die: 127, and the log named"
	[ "$rc" -eq 127 ] || diag "status $rc"
	grep -q "its log may say why" "$T/err" || diag "$(cat "$T/err")"
	ok 'bounded 10 sh -c "until grep -q \"quitting: 5 spares in a row died before a call\" \"\$1\"; do sleep 0.05; done" sh "$T/spares.log"' \
		"$f: ... the server quits after 5, saying so in the log"
	ok 'grep -q "spare: OSError: setpgid broken on purpose" "$T/spares.log"' "$f: ... the log says why"
	gone=
	none_left "$T/$f-spares.py" && gone=1
	# (Spares forked before the fifth death may die after it.)
	deaths=$(grep -c "warning: spare .* died" "$T/spares.log")
	ok '[ -n "$gone" ] && [ "$deaths" -le 10 ]' "$f: ... no process left, no more spares forked"
	[ -n "$gone" ] || diag "left: $(pgrep -af -- "$T/$f-spares.py")"
	[ "$deaths" -le 10 ] || diag "$deaths spares died"
done

# A server is two processes: the forker (the server's pid, the parent of
# every call's process) and the bookkeeper, forked from it once.  Either
# killed, the other ends too, no process is left behind, and the next
# call starts a new server.
mk pair <<'PY'
import os, sockkit_prefork
@INIT@
print("pair", os.getppid())
PY
for f in A; do                      # (the #! form does not matter here)
	s=$T/$f-pair.py
	for victim in forker bookkeeper; do
		server=$(server_of "$s")
		book=$(ps -o pid= --ppid "$server" --sort=start_time | head -n 1 | tr -d ' ')
		case $victim in
		forker) kill -9 "$server" ;;
		*) kill -9 "$book" ;;
		esac
		ok 'wait_gone "$server" && wait_gone "$book"' "$f: the $victim killed: both end"
		ok 'none_left "$s"' "$f: ... and no spare is left"
		run bounded 30 "$s"
		ok '[ "$rc" -eq 0 ] && [ "$(cut -d" " -f1 "$T/out")" = pair ] && [ "$(cut -d" " -f2 "$T/out")" != "$server" ]' \
			"$f: ... the next call starts a new server"
	done
done

# The bookkeeper killed between a call's greeting and its request: the
# spare that greeted it cannot tell it the request came, and runs the call
# all the same, which sends its own status.  A client of our own, which
# waits between the two (sockkit-x1, prefork-interp(1) PROTOCOL).
mk later "" later <<'PY'
import os, sockkit_prefork
@INIT@
print("ran in", os.getcwd())
PY
cat >"$T/slowclient.py" <<'PY'
import os, socket, struct, sys
sock, script = sys.argv[1:3]
c = socket.socket(socket.AF_UNIX)
c.settimeout(20)
c.connect(sock)
head = c.recv(8, socket.MSG_WAITALL)
assert head[:4] == b"PFI\n", head
assert b"sockkit-x1" in c.recv(struct.unpack(">I", head[4:])[0], socket.MSG_WAITALL)
print("greeted", flush=True)
sys.stdin.readline()                   # the test kills the bookkeeper here
def fd(n):
    c.sendmsg([b"\0"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("i", n))])
c.sendall(b"\1")
for n in (0, 1, 2):
    fd(os.open("/dev/null", os.O_RDONLY) if n == 0 else n)
block = b"".join(k + b"=" + v + b"\0" for k, v in os.environb.items()) + b"\0" + \
    b"\0".join([b"python3", script.encode()]) + b"\0"
c.sendall(struct.pack(">I", len(block)) + block)
fd(os.open(".", os.O_RDONLY | os.O_DIRECTORY))
c.sendall(struct.pack(">II", 4, 0o22))
rec = c.recv(5, socket.MSG_WAITALL)
print("status", rec[:1].decode(), struct.unpack(">I", rec[1:])[0] if len(rec) == 5 else None)
PY
fast=$("$PYI" -c 'import gc, atexit; print(hasattr(gc, "freeze") and hasattr(atexit, "_run_exitfuncs"))')
for f in A; do                      # (nor here)
	s=$T/$f-later.py
	"$s" >/dev/null 2>&1                # a server, and a spare waiting
	server=$(pgrep -o -f -- "$s")
	book=$(ps -o pid= --ppid "$server" --sort=start_time | head -n 1 | tr -d ' ')
	mkfifo "$T/gate.$f"
	{ "$PYI" "$T/slowclient.py" "$RUN/slater$f" "$s" <"$T/gate.$f" >"$T/slow.$f" 2>&1; echo "rc $?" >>"$T/slow.$f"; } &
	exec 9>"$T/gate.$f"
	ok 'bounded 10 sh -c "until grep -q greeted \"\$1\"; do sleep 0.05; done" sh "$T/slow.$f"' "$f: a call greeted, its request not sent"
	kill -9 "$book"
	wait_gone "$book"
	echo go >&9
	exec 9>&-
	wait
	if [ "$fast" = True ]; then
		ok '[ "$(grep -c "^ran in " "$T/slow.$f")" = 1 ] && grep -qx "status X 0" "$T/slow.$f"' \
			"$f: ... the bookkeeper killed then: the call runs and sends its status, 0"
	else                                # no fast exit (PyPy): nobody to report it
		ok '[ "$(grep -c "^ran in " "$T/slow.$f")" = 1 ] && grep -qx "status  None" "$T/slow.$f"' \
			"$f: ... the bookkeeper killed then: the call runs; without the fast exit, no status"
	fi
	grep -q "^ran in " "$T/slow.$f" || diag "$(cat "$T/slow.$f")"
done

done_testing
