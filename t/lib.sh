# Shared helpers for the shell tests: TAP output, running commands, temporary
# directories.  POSIX sh; source it with ". "$T_SRC/lib.sh"".
#
# Each test prints "ok N - name" or "not ok N - name" and, at the end,
# the plan "1..N" (done_testing).  On failure, diagnostics follow as "# " lines.

: "${SOCKKIT:?SOCKKIT must name the sockkit binary}"
: "${T_SRC:?T_SRC must name the t/ source directory}"

# SOCKKIT_INSTALLED=/usr/bin/sockkit: test an installed sockkit instead of
# the build's (as toybox's TEST_HOST tests the host's commands), and the
# sockkit_prefork module the system's python3 finds instead of the source
# tree's (t/prefork-python/pylib.sh).  SOCKKIT_BUILT keeps the build's.
SOCKKIT_BUILT=$SOCKKIT
if [ -n "${SOCKKIT_INSTALLED:-}" ]; then
	case $SOCKKIT_INSTALLED in
	/*) [ -f "$SOCKKIT_INSTALLED" ] && [ -x "$SOCKKIT_INSTALLED" ] ;;
	*) false ;;
	esac || {
		echo "Bail out! SOCKKIT_INSTALLED=$SOCKKIT_INSTALLED is not the absolute path of an executable"
		exit 1
	}
	SOCKKIT=$SOCKKIT_INSTALLED
fi

# Tests run in a user's environment, not the test machine's: a CI image's
# PYTHONUNBUFFERED=1 once hid that every buffered Python call failed.
unset PYTHONUNBUFFERED PYTHONIOENCODING

t_count=0
t_failed=0

# A private temporary directory, removed at exit.
T=$(mktemp -d "${TMPDIR:-/tmp}/sockkit-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

pass() {
	t_count=$((t_count + 1))
	printf 'ok %d - %s\n' "$t_count" "$1"
}

fail() {
	t_count=$((t_count + 1))
	t_failed=$((t_failed + 1))
	printf 'not ok %d - %s\n' "$t_count" "$1"
}

# ok COND NAME: one case, one line.  COND is a shell command list, run with
# eval; the case passes when it succeeds.  On failure the condition is shown.
#   ok '[ "$rc" -eq 2 ]' "-p 0x50 is a usage error"
ok() {
	if eval "$1"; then
		pass "$2"
	else
		fail "$2"
		diag "failed: $1"
	fi
}

# check NAME RC OUT ERR CMD...: run CMD (stdin /dev/null) and compare its exit
# status, whole stdout and whole stderr with RC, OUT and ERR exactly; an
# argument '*' skips that comparison.  One table row per case:
#   check "-p 08 is port 8"  0 '*' '' "$SOCKKIT" bindtest -p 08 -s
check() {
	_name=$1 _rc=$2 _out=$3 _err=$4
	shift 4
	run "$@"
	_why=
	[ "$_rc" = '*' ] || [ "$rc" -eq "$_rc" ] ||
		_why="exit status: expected $_rc, got $rc"
	[ -n "$_why" ] || [ "$_out" = '*' ] || [ "$(cat "$T/out")" = "$_out" ] ||
		_why="stdout: expected [$_out], got [$(cat "$T/out")]"
	[ -n "$_why" ] || [ "$_err" = '*' ] || [ "$(cat "$T/err")" = "$_err" ] ||
		_why="stderr: expected [$_err], got [$(cat "$T/err")]"
	if [ -z "$_why" ]; then
		pass "$_name"
	else
		fail "$_name"
		diag "$_why" "command: $*"
	fi
}

# json_ok FILE FILTER NAME: FILE parses as JSON and the jq FILTER is true on it.
json_ok() {
	if jq -e "$2" "$1" >/dev/null 2>"$T/jq.err"; then
		pass "$3"
	else
		fail "$3"
		diag "jq filter false or JSON invalid: $2" "$(head -c 2000 "$1")" \
			"$(cat "$T/jq.err")"
	fi
}

# skip NAME REASON
skip() {
	t_count=$((t_count + 1))
	printf 'ok %d - %s # SKIP %s\n' "$t_count" "$1" "$2"
}

# run CMD...: runs it, leaving stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# run_in INPUT CMD...: as run, with INPUT on stdin.
run_in() {
	_in=$1
	shift
	printf '%s' "$_in" | "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# is GOT WANT NAME: exact string comparison.
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "expected: $2" "     got: $1"
	fi
}

# is_rc WANT NAME: the last run's exit status.
is_rc() {
	if [ "$rc" -eq "$1" ]; then
		pass "$2"
	else
		fail "$2"
		diag "expected exit status $1, got $rc" "stderr:"
		sed 's/^/#   /' "$T/err" | head -20
	fi
}

# like GOT PATTERN NAME: GOT matches the grep -E pattern.
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3"
		diag "expected to match: $2" "got: $1"
	fi
}

# is_file FILE EXPECTED NAME: the file's whole content.
is_file() {
	_got=$(cat "$1")
	is "$_got" "$2" "$3"
}

# skip_if_4 NAME: after run, turn an applet's exit 4 (the kernel lacks the
# feature) into a skip whose reason is the applet's last stderr line.
# Returns 0 when it skipped, so a test reads: run ...; skip_if_4 name || checks.
skip_if_4() {
	[ "$rc" -eq 4 ] || return 1
	skip "$1" "$(tail -n 1 "$T/err")"
	return 0
}

# bounded SECONDS CMD...: runs CMD with a hard time limit (status 124 past it).
bounded() {
	_limit=$1
	shift
	timeout -k 2 "$_limit" "$@"
}

# wait_gone PID: wait (at most 10 s) for a process that need not be our
# child to end; 0 if it did.  A pidfd is readable once the process has
# exited (even while it waits, a zombie, for a busy init to reap it).
wait_gone() {
	"${PY:-python3}" -c '
import os, select, sys
try:
    fd = os.pidfd_open(int(sys.argv[1]))
except ProcessLookupError:
    sys.exit(0)
sys.exit(0 if select.select([fd], [], [], 10)[0] else 1)' "$1"
}

# has_interp FILE: FILE is an ELF program with a program interpreter
# (PT_INTERP), i.e. dynamically linked; status 1 for a static one, 2 when
# FILE is no ELF file at all.
has_interp() {
	"${PY:-python3}" -c '
import struct, sys
PT_INTERP = 3
with open(sys.argv[1], "rb") as f:
    h = f.read(64)
    if h[:4] != b"\x7fELF":
        sys.exit(2)
    e = "<" if h[5] == 1 else ">"           # EI_DATA
    if h[4] == 2:                           # ELFCLASS64
        phoff, = struct.unpack(e + "Q", h[32:40])
        phentsize, phnum = struct.unpack(e + "HH", h[54:58])
    else:
        phoff, = struct.unpack(e + "I", h[28:32])
        phentsize, phnum = struct.unpack(e + "HH", h[42:46])
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        if struct.unpack(e + "I", f.read(4))[0] == PT_INTERP:
            sys.exit(0)
sys.exit(1)' "$1"
}

# is_static FILE: FILE is an ELF program without a program interpreter:
# no dynamic loader runs it, so an LD_PRELOAD shim cannot reach it.
is_static() {
	has_interp "$1"
	[ $? -eq 1 ]
}

# need_preload: skip the whole test (plan 1..0) when $SOCKKIT is static.
need_preload() {
	is_static "$SOCKKIT" || return 0
	echo "1..0 # SKIP $SOCKKIT is statically linked: LD_PRELOAD cannot reach it"
	exit 0
}

# concurrent N DIR CMD...: start "CMD... I" for I = 0 .. N-1 all at once
# (stdin /dev/null), leaving each one's stdout, stderr and exit status in
# DIR/I.out, DIR/I.err and DIR/I.rc; returns when every one has ended.
concurrent() {
	_n=$1 _dir=$2
	shift 2
	mkdir -p "$_dir"
	_pids=
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		{ "$@" "$_i" >"$_dir/$_i.out" 2>"$_dir/$_i.err" </dev/null
		  echo $? >"$_dir/$_i.rc"; } &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	for _p in $_pids; do
		wait "$_p"
	done
}

done_testing() {
	printf '1..%d\n' "$t_count"
	[ "$t_failed" -eq 0 ]
	exit $?
}
