#!/bin/sh
# sockkit_prefork, 7.0.0 part: a served run ends as a direct run of the
# same interpreter does (argv, environment, stdin, buffering, every way of
# ending, byte for byte on stdout and stderr), through both #! forms; and
# the package does nothing but check its options without prefork-interp.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

mk basic <<'PY'
import sockkit_prefork, io, os, sys, random
FIRST_PID = os.getpid()
EARLY = open(os.environ["EARLY_FILE"], "a") if "EARLY_FILE" in os.environ \
    else None
@INIT@
"""A string statement first after the call: not the module's docstring."""
what = sys.argv[1] if len(sys.argv) > 1 else ""
if what == "argv":
    print(repr(sys.argv[1:]), os.path.basename(sys.argv[0]))
elif what == "env":
    print(os.environ.get("PFX", "unset"), "PREFORK_INTERP" in os.environ)
elif what == "environ":
    print(sorted(os.environ.items()))
elif what == "stdin":
    print("got", input(), sys.stdin.read().strip())
elif what == "buffering":
    for s in (sys.stdin, sys.stdout, sys.stderr):
        print(s.name, s.mode, s.encoding, s.errors, s.line_buffering,
              s.write_through, repr(s.newlines), type(s.buffer).__name__)
elif what == "exit":
    sys.exit(int(sys.argv[2]))
elif what == "print-then":      # both streams, then the end in argv[2]
    print("to stdout")
    sys.stderr.write("to stderr\n")
    import atexit
    atexit.register(lambda: sys.stderr.write("atexit hook\n"))
    if sys.argv[2] == "exit":
        sys.exit("an exit message")
    if sys.argv[2] == "raise":
        raise ValueError("an uncaught error")
elif what == "exitmsg":
    sys.exit("a message")
elif what == "exitnone":
    sys.exit()
elif what == "raise-exit":
    raise SystemExit(int(sys.argv[2]))
elif what == "caught-exit":
    try:
        sys.exit(9)
    except SystemExit:
        pass
    print("went on")
elif what == "replaced-exit":
    def inner():
        try:
            sys.exit(3)
        except SystemExit:
            raise SystemExit(4)
    inner()
elif what == "finally-exit":
    try:
        sys.exit(6)
    finally:
        print("cleanup")
elif what == "_exit":
    sys.stdout.flush()
    os._exit(int(sys.argv[2]))
elif what == "signal":
    os.kill(os.getpid(), int(sys.argv[2]))
elif what == "traceback":
    def inner():
        raise ValueError("boom")
    inner()
elif what == "chained":
    try:
        {}["key"]
    except KeyError as e:
        raise RuntimeError("while looking up") from e
elif what == "unflushed":
    sys.stdout.write("no newline, never flushed by hand")
    f = open(sys.argv[2], "w")
    f.write("file data, never closed")
elif what == "unflushed-kinds":
    d = sys.argv[2]
    class Mine(io.TextIOWrapper):
        pass
    KEPT = [open(d + "/append", "a"),      # referenced: not closed before
            os.fdopen(os.open(d + "/fdopen", os.O_WRONLY | os.O_CREAT), "w"),
            Mine(open(d + "/subclass", "wb")), EARLY]
    for f, text in zip(KEPT, ("appended", "fdopen", "subclass", "early")):
        f.write(text)
elif what == "random":
    print(random.random())
elif what == "pid":
    print(os.getpid() != FIRST_PID, os.getppid())
elif what == "kbint":
    raise KeyboardInterrupt
elif what == "fds":
    sys.stdout.flush()
    os.system("ls /proc/self/fd")   # what a program the script runs gets
elif what == "closerange":
    import socket
    os.closerange(3, 1024)   # as daemon-style code does
    a, b = socket.socketpair()
    print("closed all, made", a.fileno(), b.fileno())
    sys.exit(int(sys.argv[2]))
elif what == "docstring":
    print(__doc__)
elif what == "child":
    pid = os.fork()
    if pid == 0:
        sys.exit(5)          # an ordinary interpreter exit in the child
    print("child", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY

mk early <<PY
import sockkit_prefork, os, sys
LOG = open("$T/early-" + os.path.basename(sys.argv[0])[0], "a")  # A or B
LOG.write("set-up;")                               # still in its buffer
@INIT@
LOG.write("call;")
PY

# The whole environment, as the caller has it: a spare's rehearsal sets a
# variable of its own for a moment, which no call may see, and which a
# server started with a variable of that name must not take away.
mk envall <<'PY'
import sockkit_prefork, os
@INIT@
print(sorted(os.environ.items()))
PY
for f in $FORMS; do
	SOCKKIT_PREFORK_REHEARSAL=mine
	export SOCKKIT_PREFORK_REHEARSAL
	same "$f: a server started with the rehearsal's variable name: the whole environment" "$T/$f-envall.py"
	unset SOCKKIT_PREFORK_REHEARSAL
	same "$f: ... a call without it: the whole environment" "$T/$f-envall.py"
done

# A server's first call is handed to a spare by the server, not accepted
# by one: a program it runs inherits no more than a later call's does.
mk fdsfirst <<'PY'
import os, sockkit_prefork
@INIT@
os.system("ls /proc/self/fd")
PY
for f in $FORMS; do
	check "$f: the first call's programs inherit only fds 0-2 (3 is ls's own)" 0 "$(printf '0\n1\n2\n3')" '' "$T/$f-fdsfirst.py"
	check "$f: ... a later call's too" 0 "$(printf '0\n1\n2\n3')" '' "$T/$f-fdsfirst.py"
done

# A file the server opened before the call (its first call's environment
# names it), written in later calls.
EARLY_FILE=$T/early
export EARLY_FILE
for f in $FORMS; do
	s=$T/$f-basic.py
	same "$f: argv" "$s" argv 'a b' '' c
	export PFX=one
	same "$f: the caller's environment" "$s" env
	export PFX=two
	same "$f: each call its own environment" "$s" env
	unset PFX
	same "$f: the whole environment" "$s" environ
	same "$f: stdin at EOF" "$s" stdin
	same "$f: stdio objects: names, modes, codecs, buffering" "$s" buffering
	for enc in latin-1 UTF8:replace; do
		PYTHONIOENCODING=$enc
		export PYTHONIOENCODING
		same "$f: ... with PYTHONIOENCODING=$enc (the codec's name as start-up gives it)" "$s" buffering
		unset PYTHONIOENCODING
	done
	for code in 0 3 255 256 -1; do
		same "$f: sys.exit($code)" "$s" exit $code
	done
	same "$f: sys.exit(string)" "$s" exitmsg
	for end in exit raise end; do
		same "$f: stdout and stderr in one file (2>&1): a print, then $end" "$s" -m print-then $end
	done
	same "$f: sys.exit()" "$s" exitnone
	same "$f: raise SystemExit(7)" "$s" raise-exit 7
	same "$f: a caught sys.exit is no exit" "$s" caught-exit
	same "$f: a sys.exit replaced by another SystemExit" "$s" replaced-exit
	same "$f: sys.exit through a finally block" "$s" finally-exit
	same "$f: os._exit(42)" "$s" _exit 42
	same "$f: an uncaught exception" "$s" traceback
	same "$f: a chained exception" "$s" chained
	same "$f: death by SIGTERM" "$s" signal 15
	same "$f: an uncaught KeyboardInterrupt" "$s" kbint
	same "$f: a child the script forks exits on its own" "$s" child
	same "$f: the script closes every descriptor above 2" "$s" closerange 5
	check "$f: a program the script runs inherits only fds 0-2 (3 is ls's own)" 0 "$(printf '0\n1\n2\n3')" '' "$s" fds
	same "$f: a string statement first after the call" "$s" docstring

	check "$f: sys.exit(3) is status 3" 3 '' '' "$s" exit 3
	check "$f: the end of the script is status 0" 0 '' '' "$s"
	check "$f: argv is [script, args...]" 0 "['argv', 'a b', '', 'c'] $f-basic.py" '' "$s" argv 'a b' '' c
	check "$f: sys.exit(string): printed, status 1" 1 '' 'a message' "$s" exitmsg
	check "$f: death by SIGTERM" 143 '' '*' "$s" signal 15
	check "$f: an uncaught KeyboardInterrupt dies by SIGINT" 130 '' '*' "$s" kbint
	run "$s" traceback
	ok '[ "$rc" -eq 1 ] && [ "$(tail -n 1 "$T/err")" = "ValueError: boom" ]' "$f: uncaught exception: status 1, the exception last"
	run_in "$(printf 'line1\nrest\n')" "$s" stdin
	ok '[ "$(cat "$T/out")" = "got line1 rest" ]' "$f: input() and read() on the caller's stdin"
	run "$s" unflushed "$T/unflushed-$f"
	ok '[ "$(cat "$T/out")" = "no newline, never flushed by hand" ]' "$f: stdout flushed before the status"
	ok '[ "$(cat "$T/unflushed-$f")" = "file data, never closed" ]' "$f: an open file flushed before the status"
	for i in 1 2 3; do "$T/$f-early.py"; done
	ok '[ "$(cat "$T/early-$f")" = "set-up;call;call;call;" ]' "$f: what the script buffered before the call is written once, not once per call"
	mkdir "$T/kinds-$f"
	: >"$EARLY_FILE"
	"$s" unflushed-kinds "$T/kinds-$f"
	ok '[ "$(cat "$T/kinds-$f/append" "$T/kinds-$f/fdopen" "$T/kinds-$f/subclass" "$EARLY_FILE")" = appendedfdopensubclassearly ]' "$f: files opened to append, by fdopen, through a subclass, before the call: flushed"
	r1=$("$s" random) r2=$("$s" random)
	ok '[ -n "$r1" ] && [ "$r1" != "$r2" ]' "$f: random reseeded in each call"
	p1=$("$s" pid) p2=$("$s" pid)
	ok 'echo "$p1" | grep -Eqx "True [0-9]+"' "$f: each call in a fresh process"
	ok '[ "$p1" = "$p2" ]' "$f: ... forked by the same server"
done
ok log_clean "no traceback or error in the server log"

# Without prefork-interp: initialisation_complete() checks its options
# and returns.
# Buffering as users' machines have it: PYTHONUNBUFFERED unset (lib.sh
# unsets it; a CI image that sets it hid calls that all failed without it),
# set by the caller, set only in the server's environment, and -u or -E on
# the #! line.  Stdout and stderr share one file, so their order shows
# the buffering.
order_body='import sockkit_prefork, sys
@INIT@
print("out1"); print("err1", file=sys.stderr); print("out2")'
mk order <<PY
$order_body
PY
for f in A B; do
	case $f in
	A) printf '#!%s\n' "$T/sockkit prefork-interp -U $PYI -u" ;;
	B) printf '#!%s\n' "$T/prefork-interp -U,$PYI,-u" ;;
	esac >"$T/$f-order-u.py"
	case $f in
	A) printf '#!%s\n' "$T/sockkit prefork-interp -U $PYI -E" ;;
	B) printf '#!%s\n' "$T/prefork-interp -U,$PYI,-E" ;;
	esac >"$T/$f-order-E.py"
	# -E ignores PYTHONPATH too: the package's place, said in the script.
	printf 'import sys; sys.path[:0] = "%s".split(":") if "%s" else []\n' \
		"${PYTHONPATH:-}" "${PYTHONPATH:-}" >>"$T/$f-order-E.py"
	for o in u E; do
		printf '%s\n' "$order_body" | sed "s|@INIT@|sockkit_prefork.initialisation_complete(log='$T/log')|" \
			>>"$T/$f-order-$o.py"
		chmod +x "$T/$f-order-$o.py"
	done
done
plain=$("$PYI" "$T/A-order.py" 2>&1)
unbuf=$(PYTHONUNBUFFERED=1 "$PYI" "$T/A-order.py" 2>&1)
ok '[ "$plain" != "$unbuf" ]' "stdout and stderr in one file: buffering changes their order (direct runs)"
for f in $FORMS; do
	is "$("$T/$f-order.py" 2>&1; echo "status $?")" "$plain
status 0" "$f: no PYTHONUNBUFFERED: as a direct run (the first call: a cold start)"
	is "$("$T/$f-order.py" 2>&1; echo "status $?")" "$plain
status 0" "$f: no PYTHONUNBUFFERED: as a direct run (a warm call)"
	is "$(PYTHONUNBUFFERED=1 "$T/$f-order.py" 2>&1)" "$unbuf" "$f: the caller's PYTHONUNBUFFERED=1: as a direct run"
	is "$(PYTHONUNBUFFERED=1 "$PYI" -E "$T/$f-order-E.py" 2>&1)" "$plain" \
		"(direct: -E ignores PYTHONUNBUFFERED)"
	is "$(PYTHONUNBUFFERED=1 "$T/$f-order-E.py" 2>&1)" "$plain" "$f: -E on the #! line: the caller's PYTHONUNBUFFERED ignored, as directly"
	is "$("$T/$f-order-u.py" 2>&1)" "$("$PYI" -u "$T/$f-order-u.py" 2>&1)" "$f: -u on the #! line: unbuffered, as directly"
done
stop_servers
for f in $FORMS; do
	PYTHONUNBUFFERED=1 "$T/$f-order.py" >/dev/null 2>&1
	is "$("$T/$f-order.py" 2>&1)" "$plain" "$f: a server started with PYTHONUNBUFFERED=1, a call without: buffered, as directly"
done
grep -q "Error" "$T/log" 2>/dev/null && diag "$(grep -B2 Error "$T/log" | tail -n 20)"
ok '! grep -q "rehearsal in\|died" "$T/log"' "the server's log has no failed rehearsal and no spare that died"

check "direct run: the module does nothing else" 0 "['argv', 'x'] A-basic.py" '' "$PYI" "$T/A-basic.py" argv x
check "direct run: a misspelt option fails" 1 '' '*' "$PYI" -c 'import sockkit_prefork; sockkit_prefork.initialisation_complete(idle_timout=5)'
ok 'tail -n 1 "$T/err" | grep -q "^TypeError: initialisation_complete(): unknown option(s): idle_timout "' "... naming it"
for bad in 'max_servers=0' 'spares=0' 'idle_timeout="5"' 'log=3' 'autoreload=1' 'autoreload_extra="/etc/x"' 'hangup_grace=-1'; do
	run "$PYI" -c "import sockkit_prefork; sockkit_prefork.initialisation_complete($bad)"
	ok '[ "$rc" -eq 1 ] && tail -n 1 "$T/err" | grep -Eq "^(TypeError|ValueError): initialisation_complete\(\)"' "direct run: $bad is refused"
done
check "direct run: good options pass" 0 '' '' "$PYI" -c 'import sockkit_prefork; sockkit_prefork.initialisation_complete(max_servers=-1, idle_timeout=0.5, log=None, autoreload_extra=["/etc/hosts"], spares=1, fast_exit=False)'

done_testing
