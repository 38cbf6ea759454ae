#!/bin/sh
# A caller with descriptor 0, 1 or 2 closed: the served run ends as a
# direct run does (status, and what reaches the streams left open), whether
# the script uses the closed stream or not, through both #! forms.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"
# How a call ends is the server's and the call's business, the same through
# either #! form (basic.sh and the others take both): the first form only.
FORMS=A

mk closed <<'PY'
import sockkit_prefork, os, sys
@INIT@
mode, code = sys.argv[1], int(sys.argv[2])
if mode == "write":
    print("to stdout")
    print("to stderr", file=sys.stderr)
elif mode == "read":
    print("read", repr(sys.stdin.read() if sys.stdin else None))
elif mode == "raise":
    raise ValueError("uncaught")
elif mode == "streams":
    print([s is None for s in (sys.stdin, sys.stdout, sys.stderr)],
          file=sys.stderr if sys.stdout is None else sys.stdout)
elif mode == "fds":
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            print(fd, "open", file=sys.stderr if fd == 1 else sys.stdout)
        except OSError:
            pass
sys.exit(code)
PY

for f in $FORMS; do
	s=$T/$f-closed.py
	for fd in 0 1 2; do
		for mode in quiet write read raise streams fds; do
			for code in 0 4; do
				same "$f: fd $fd closed, $mode, exit $code" "$s" -c $fd $mode $code
			done
		done
	done
done
ok log_clean "no traceback or error in the server log"

done_testing
