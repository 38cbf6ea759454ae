#!/bin/sh
# How a call ends, as people write scripts: the usual import order (the
# program's imports first, isort-style, then sockkit_prefork), logging set
# up before initialisation_complete() and used in the call, atexit hooks
# registered before and after; initialisation_complete() in an
# "if __name__" block, in a function, on a line with other statements;
# threads still running; a replaced sys.excepthook; __future__ imports.
# Each ends as a direct run does, byte for byte; where this Python allows
# it (gc.freeze), without the interpreter's teardown.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"
# How a call ends is the server's and the call's business, the same through
# either #! form (basic.sh and the others take both): the first form only.
FORMS=A

# The body of each call; "teardown" (a global's __del__) is printed only by
# the interpreter's teardown, so it tells whether the call skipped it.
cat >"$T/body.py" <<'PY'
what = sys.argv[1] if len(sys.argv) > 1 else ""
log.info("call %s", what)
atexit.register(print, "hook registered in the call", file=sys.stderr)
if what == "teardown":
    class Tear:
        def __del__(self):
            print("teardown", file=sys.stderr)
    TEAR = Tear()
elif what == "exit":
    sys.exit(int(sys.argv[2]))
elif what == "raise":
    raise LookupError("not here")
elif what == "kbint":
    raise KeyboardInterrupt
elif what == "thread":
    import threading, time
    def late():
        time.sleep(0.05)
        print("thread done", flush=True)
    threading.Thread(target=late).start()
elif what == "daemon":
    import threading, time
    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    print("daemon started")
elif what == "hook":
    def hook(t, v, tb):
        print("own hook:", t.__name__, v, file=sys.stderr)
    sys.excepthook = hook
    raise ValueError("for the hook")
print("end of", what)
PY
HEAD='import atexit, json, logging, sqlite3, sys
atexit.register(print, "hook registered first", file=sys.stderr)
import sockkit_prefork
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
log = logging.getLogger("usual")'
INIT="sockkit_prefork.initialisation_complete(log='$T/log')"
BODY=$(cat "$T/body.py")
indented=$(sed 's/^/    /' "$T/body.py")

mk usual <<PY
$HEAD
$INIT
$BODY
PY
mk ifmain <<PY
$HEAD
if __name__ == "__main__":
    $INIT
$indented
PY
mk oneline <<PY
$HEAD
import os; $INIT; x = 1
$BODY
PY
mk infunc <<PY
$HEAD
def main():
    $INIT
$indented
main()
PY
mk future <<PY
from __future__ import annotations
$HEAD
$INIT
def f(x: NotDefinedAnywhere) -> AlsoNot:
    return x
print(f.__annotations__)
$BODY
PY

fast=$("$PYI" -c 'import gc, atexit; print(hasattr(gc, "freeze") and hasattr(atexit, "_run_exitfuncs"))')
# Where the call is placed in the script decides whether a call may skip
# the interpreter's teardown; an interpreter without that fast exit (PyPy)
# ends every call through its own exit, so the usual style is enough there.
styles="usual ifmain oneline infunc future"
[ "$fast" = True ] || styles=usual
for f in $FORMS; do
	for name in $styles; do
		s=$T/$f-$name.py
		for args in "" "exit 3" "exit 0" raise kbint thread daemon hook; do
			same "$f $name: ${args:-the end}" "$s" $args
		done
		run "$s" exit 4
		ok '[ "$rc" -eq 4 ] && grep -qx "INFO usual call exit" "$T/err"' "$f $name: the call's log line arrives"
		ok 'grep -qx "hook registered first" "$T/err" && grep -qx "hook registered in the call" "$T/err"' "$f $name: every atexit hook ran"
		run "$PYI" "$s" teardown
		ok 'grep -qx teardown "$T/err" || [ "$PYIMPL" = pypy ]' "$f $name: a direct run tears down (the check below can fail)"
		run "$s" teardown
		case $fast-$name in
		True-infunc | False-*)
			ok 'grep -qx teardown "$T/err" || [ "$PYIMPL" = pypy ]' "$f $name: the call ends through the interpreter's exit" ;;
		*)
			ok '! grep -qx teardown "$T/err" && grep -qx "end of teardown" "$T/out"' "$f $name: the call skips the teardown" ;;
		esac
	done
done
ok 'grep -q "infunc.py.*calls end through the interpreter.s exit (slower): not called at the top level of the script" "$T/log" || grep -q "calls end through the interpreter.s exit (slower): this Python lacks" "$T/log"' "the log says why a script's calls take the slower exit"
ok log_clean "no traceback or error in the server log"

done_testing
