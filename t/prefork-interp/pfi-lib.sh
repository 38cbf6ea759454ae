# Shared set-up for the prefork-interp tests; source after lib.sh.
# Every server lives in $T/run, private to this run of the test, and is
# stopped (its socket deleted, its exit awaited) before the test ends.

PFI_T=$T_SRC/prefork-interp
MINI=$PFI_T/miniserver.py
FAKESOCK=$PFI_T/fakesock.py
# The Python script side (sockkit_prefork), from the source tree.
PYMOD=$T_SRC/../applets/prefork-interp
# Python 3.9 or later (socket.recv_fds, os.pidfd_open); the system's, not a
# version manager's shim, when there is one.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
export XDG_RUNTIME_DIR="$T/run"
RUNDIR=$XDG_RUNTIME_DIR/sockkit-prefork
mkdir -m 700 "$XDG_RUNTIME_DIR" || exit 1
export SOCKKIT_PREFORK_TIMEOUT=10
unset PREFORK_INTERP
ulimit -c 0
# The two link forms: a link named prefork-interp, and one under another
# name whose #! line names the applet.
ln -s "$SOCKKIT" "$T/prefork-interp"
ln -s "$SOCKKIT" "$T/sockkit-link"
PFI="$T/prefork-interp"

# Server pids seen so far (MINI_SERVER_PID, or the Perl server's pid).
pfi_servers=

note_server() {
	case " $pfi_servers " in
	*" $1 "*) ;;
	*) pfi_servers="$pfi_servers $1" ;;
	esac
}

# same A B NAME, differ A B NAME: two servers (pids) are the same, or
# differ; an empty one (no server seen) fails either.
same() {
	_a=$1 _b=$2
	ok '[ -n "$_a" ] && [ "$_a" = "$_b" ]' "$3"
}
differ() {
	_a=$1 _b=$2
	ok '[ -n "$_a" ] && [ -n "$_b" ] && [ "$_a" != "$_b" ]' "$3"
}

# stop_servers: delete every socket (each watcher sees it, each server
# quits) and wait for every server this test noted.
stop_servers() {
	rm -f "$RUNDIR"/s*
	for _p in $pfi_servers; do
		wait_gone "$_p" || diag "server $_p did not quit"
	done
	pfi_servers=
}

# ours: pids of every process started with our run directory in its
# environment (servers, monitors, executors, watchers); not this shell's
# subshells, whose environment block is the one the test started with.
ours() {
	"$PY" -c '
import os, sys
want = b"XDG_RUNTIME_DIR=" + os.fsencode(sys.argv[1])
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == os.getpid():
        continue
    try:
        with open("/proc/%s/environ" % p, "rb") as f:
            env = f.read().split(b"\0")
    except OSError:
        continue
    if want in env:
        print(p)' "$XDG_RUNTIME_DIR"
}

# none_left NAME: every process of ours ends (each within 10 s).
none_left() {
	for _p in $(ours); do
		wait_gone "$_p"
	done
	is "$(ours)" "" "$1"
}

# mini_script FILE FORM BODY: a shell script served by miniserver.py, with
# the #! line of FORM: link (#!$T/prefork-interp -U,python3,MINI) or
# dispatch (#!$T/sockkit-link prefork-interp -U python3 MINI).
mini_script() {
	case $2 in
	link) printf '#!%s -U,%s,%s\n' "$T/prefork-interp" "$PY" "$MINI" >"$1" ;;
	dispatch) printf '#!%s prefork-interp -U %s %s\n' "$T/sockkit-link" "$PY" "$MINI" >"$1" ;;
	esac
	printf '%s\n' "$3" >>"$1"
	chmod +x "$1"
}

# fakesock MODE PATH: start a misbehaving socket; sets fake_pid once it
# said "ready" (read through a FIFO: an event, not a guess).
fakesock() {
	rm -f "$T/fake.fifo"
	mkfifo "$T/fake.fifo"
	"$PY" "$FAKESOCK" "$1" "$2" >"$T/fake.fifo" 2>"$T/fake.err" &
	fake_pid=$!
	_ready=$(bounded 10 head -n 1 "$T/fake.fifo")
	[ "$_ready" = ready ] || diag "fakesock $1 did not start: $(cat "$T/fake.err")"
}

# wait_for_line FILE LINE: FILE gets LINE (bounded, 10 s; a process of a
# test appends it when something it cannot signal otherwise happened).
wait_for_line() {
	bounded 10 sh -c 'until grep -qx -- "$2" "$1" 2>/dev/null; do sleep 0.05; done' sh "$1" "$2"
}

stop_fakesock() {
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
}

# Under `meson test --setup valgrind`, valgrind adds its own lines to the
# stderr of every sockkit process (a warning about pidfd_open, which it does
# not know); vg_clean FILE... removes them, and run does it to $T/err.
# It does nothing otherwise.
vg_clean() {
	[ -n "${SOCKKIT_UNDER_VALGRIND:-}" ] || return 0
	for _f; do
		sed -i -E '/^(--|==)[0-9]+(--|==) /d' "$_f"
	done
}
if [ -n "${SOCKKIT_UNDER_VALGRIND:-}" ]; then
	run() {
		"$@" >"$T/out" 2>"$T/err" </dev/null
		rc=$?
		vg_clean "$T/err"
	}
fi

# under_valgrind NAME: skip NAME (returns 0) when valgrind runs us: it
# cannot run without a stderr, and it shows its own command line in ps.
under_valgrind() {
	[ -n "${SOCKKIT_UNDER_VALGRIND:-}" ] || return 1
	skip "$1" "not meaningful under valgrind"
}

# check_relayed_deaths SCRIPT SIG:NUM...: "SCRIPT signal SIG" kills the script
# by SIG, and the client must die by the same signal (status 128 + NUM).
check_relayed_deaths() {
	_script=$1
	shift
	for _sig in "$@"; do
		_num=${_sig#*:}
		_sig=${_sig%:*}
		sh -c '"$@"; echo "status=$?"' sh "$_script" signal "$_sig" \
			>"$T/out" 2>"$T/err" </dev/null
		is "$(cat "$T/out")" "status=$((128 + _num))" "death by SIG$_sig re-raised on the client"
	done
}

# nobody_cannot_run WHAT: 0 (after a skip of WHAT) when the test cannot run
# sockkit and the mini server as uid 65534 (as root, permissions do not
# bind, so permission tests run as that ordinary user).
nobody_cannot_run() {
	if ! command -v setpriv >/dev/null; then
		skip "$1" "setpriv is missing"
	elif ! setpriv --reuid=65534 --regid=65534 --clear-groups \
			sh -c 'test -x "$1" && test -r "$2"' sh "$SOCKKIT" "$MINI" 2>/dev/null; then
		skip "$1" "uid 65534 cannot reach $SOCKKIT or $MINI"
	else
		return 1
	fi
}
