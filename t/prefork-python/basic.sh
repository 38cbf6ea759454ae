#!/bin/sh
# sockkit_prefork, 7.0.0 part: a forwarded run behaves like a direct one
# (argv, environment, stdio and its buffering, exit status), through both
# #! forms; and the module does nothing without prefork-interp.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh"

mk basic <<'PY'
import sockkit_prefork, os, sys, random
FIRST_PID = os.getpid()
@INIT@
what = sys.argv[1] if len(sys.argv) > 1 else ""
if what == "argv":
    print(repr(sys.argv[1:]), os.path.basename(sys.argv[0]))
elif what == "env":
    print(os.environ.get("PFX", "unset"), "PREFORK_INTERP" in os.environ)
elif what == "stdin":
    print("got", input(), sys.stdin.read().strip())
elif what == "buffering":
    print(sys.stdout.line_buffering, sys.stderr.line_buffering)
elif what == "exit":
    sys.exit(int(sys.argv[2]))
elif what == "exitmsg":
    sys.exit("a message")
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
elif what == "unflushed":
    sys.stdout.write("no newline, never flushed by hand")
    f = open(sys.argv[2], "w")
    f.write("file data, never closed")
elif what == "random":
    print(random.random())
elif what == "pid":
    print(os.getpid() != FIRST_PID, os.getppid())
elif what == "kbint":
    raise KeyboardInterrupt
elif what == "child":
    pid = os.fork()
    if pid == 0:
        sys.exit(5)          # an ordinary interpreter exit in the child
    print("child", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY

for f in $FORMS; do
	s=$T/$f-basic.py
	run "$s" argv 'a b' '' c
	is "$(cat "$T/out")" "['argv', 'a b', '', 'c'] $f-basic.py" "$f: sys.argv is [script, args...]"
	is_rc 0 "$f: exit 0"
	run env PFX=one "$s" env
	is "$(cat "$T/out")" "one False" "$f: the caller's environment"
	run env PFX=two "$s" env
	is "$(cat "$T/out")" "two False" "$f: each call its own environment"
	printf 'line1\nrest\n' | "$s" stdin >"$T/out" 2>"$T/err"
	is "$(cat "$T/out")" "got line1 rest" "$f: input() and read() on the caller's stdin"
	run "$s" buffering
	is "$(cat "$T/out")" "False True" "$f: stdout to a file block-buffered, stderr line-buffered"
	for code in 0 3 255; do
		run "$s" exit $code
		is_rc $code "$f: sys.exit($code)"
	done
	run "$s" exitmsg
	is_rc 1 "$f: sys.exit(string) gives 1"
	is "$(cat "$T/err")" "a message" "$f: ... and prints the string"
	run "$s" raise-exit 7
	is_rc 7 "$f: raise SystemExit(7)"
	run "$s" caught-exit
	is_rc 0 "$f: a caught sys.exit is no exit"
	is "$(cat "$T/out")" "went on" "$f: ... and the script goes on"
	run "$s" replaced-exit
	is_rc 4 "$f: a sys.exit replaced by another SystemExit: the other's status"
	run "$s" finally-exit
	is_rc 6 "$f: sys.exit through a finally block"
	is "$(cat "$T/out")" "cleanup" "$f: ... which runs"
	run "$s" _exit 42
	is_rc 42 "$f: os._exit(42)"
	run "$s" traceback
	is_rc 1 "$f: uncaught exception gives 1"
	like "$(cat "$T/err")" 'Traceback \(most recent call last\)' "$f: traceback on the caller's stderr"
	like "$(tail -n 1 "$T/err")" '^ValueError: boom$' "$f: ... ending with the exception"
	like "$(cat "$T/err")" 'in inner' "$f: ... with the frames"
	run "$s" unflushed "$T/unflushed-$f"
	is "$(cat "$T/out")" "no newline, never flushed by hand" "$f: stdout flushed before the status"
	is "$(cat "$T/unflushed-$f")" "file data, never closed" "$f: open files flushed at exit"
	run sh -c "'$s' signal 15; echo \$?"
	is "$(cat "$T/out")" "143" "$f: death by SIGTERM is passed on"
	run sh -c "'$s' kbint; echo \$?"
	is "$(cat "$T/out")" "130" "$f: uncaught KeyboardInterrupt dies by SIGINT, as python3 does"
	"$s" random >"$T/r1"
	"$s" random >"$T/r2"
	[ "$(cat "$T/r1")" != "$(cat "$T/r2")" ] && pass "$f: random reseeded per call" ||
		fail "$f: random reseeded per call"
	run "$s" child
	is "$(cat "$T/out")" "child 5" "$f: a child forked by the script exits on its own"
	is_rc 0 "$f: ... and the call's status stays the script's"
	run "$s" pid
	like "$(cat "$T/out")" '^True [0-9]+$' "$f: each call in a fresh process"
	server=$(cut -d' ' -f2 "$T/out")
	run "$s" pid
	is "$(cut -d' ' -f2 "$T/out")" "$server" "$f: ... forked by the same server"
	is "$(grep -c "server failed" "$T/log")" "0" \
		"$f: no server failure logged"
done

# Without prefork-interp: initialisation_complete() returns, nothing else.
run "$PY" "$T/A-basic.py" argv x
is "$(cat "$T/out")" "['argv', 'x'] A-basic.py" "direct run: module is a no-op"
run "$PY" "$T/A-basic.py" traceback
is_rc 1 "direct run: traceback gives 1 too"
run "$PY" -c 'import sockkit_prefork; sockkit_prefork.initialisation_complete(bogus=1)'
is_rc 0 "direct run: options are not even looked at"

done_testing
