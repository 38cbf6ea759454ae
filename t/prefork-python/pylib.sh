# Shared set-up of the prefork-python tests (source after lib.sh).
#
# usage: sh t/prefork-python/TEST.sh [PYTHON]
# PYTHON (default $PREFORK_PY, else /usr/bin/python3) is the interpreter
# under test; meson runs every test with /usr/bin/python3, with the
# python3 found on PATH (when that is another one) and with pypy3.
#
# Every script is written twice, once for each #! form:
#   A: #!$T/sockkit prefork-interp -U $PYI
#   B: #!$T/prefork-interp -U,$PYI         ($T/prefork-interp -> sockkit)
# The package comes from the source tree (PYTHONPATH), or with
# SOCKKIT_INSTALLED from where $PYI finds it (lib.sh); the run directory
# is inside $T (XDG_RUNTIME_DIR), and every server started here is stopped
# at exit, however the test ends.

_want=${1:-${PREFORK_PY:-/usr/bin/python3}}
if ! command -v "$_want" >/dev/null 2>&1; then
	echo "1..0 # SKIP $_want not installed"
	exit 0
fi
# The interpreter itself, not a wrapper script (pyenv's shim is a bash
# script, which would take a closed descriptor's number for itself).
PYI=$("$_want" -c 'import sys; print(sys.executable)')
if [ "$_want" = python3 ] && [ "$PYI" = "$(readlink -f /usr/bin/python3)" ]; then
	echo "1..0 # SKIP the python3 on PATH is /usr/bin/python3, tested already"
	exit 0
fi
PYIMPL=$("$PYI" -c 'import sys; print(sys.implementation.name)')
ln -s "$SOCKKIT" "$T/sockkit"
ln -s "$SOCKKIT" "$T/prefork-interp"
mkdir -m 700 "$T/run"
RUN=$T/run/sockkit-prefork
XDG_RUNTIME_DIR=$T/run
PYTHONDONTWRITEBYTECODE=1
export XDG_RUNTIME_DIR PYTHONDONTWRITEBYTECODE
unset PREFORK_INTERP SOCKKIT_PREFORK_DEBUG
if [ -z "${SOCKKIT_INSTALLED:-}" ]; then
	PYTHONPATH=$T_SRC/../applets/prefork-interp
	export PYTHONPATH
else
	unset PYTHONPATH        # the installed package (see lib.sh)
	if ! "$PYI" -c 'import sockkit_prefork' 2>/dev/null; then
		echo "1..0 # SKIP $PYI does not find the installed sockkit_prefork"
		exit 0
	fi
fi
# Both #! forms are the C client's business, whatever interpreter runs
# the script: every test takes both under /usr/bin/python3, and the first
# (sockkit prefork-interp -U ...) under the others, which halves their time.
if [ "$_want" = /usr/bin/python3 ]; then
	FORMS="A B"
else
	FORMS="A"
fi

# Processes of ours: their command line names a file under $T.
our_pids() {
	for _p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$_p/cmdline"; } 2>/dev/null | grep -q -- "$T/" &&
			echo "${_p#/proc/}"
	done
}

# Remove the sockets (each server's watcher then tells it to quit), wait a
# bounded time for each of our processes to go, and kill what is left.
stop_servers() {
	rm -f "$RUN"/s*
	for _p in $(our_pids); do
		wait_gone "$_p" || kill -9 "$_p" 2>/dev/null
	done
}
trap 'stop_servers; rm -rf "$T"' EXIT

# bang FORM [OPTIONS...]: the #! line of form A or B, with prefork-interp
# OPTIONS before the interpreter.
bang() {
	_f=$1
	shift
	case $_f in
	A) echo "#!$T/sockkit prefork-interp -U${*:+ $*} $PYI" ;;
	B) echo "#!$T/prefork-interp -U,$(echo "$*" | tr ' ' ,)${*:+,}$PYI" ;;
	esac
}

# mk NAME [OPTIONS [IDENT]]: the Python body on stdin becomes $T/A-NAME.py
# and $T/B-NAME.py; "@INIT@" in it is replaced by the initialisation_complete
# call with OPTIONS (default: log to $T/log).  With IDENT, the #! line
# names the ident (-g IDENTA, -g IDENTB): the server's socket is then
# $RUN/sIDENTA (and sIDENTB), whatever the client's naming rules.
mk() {
	_body=$(cat)
	_opts=${2-log=\'$T/log\'}
	for _f in $FORMS; do
		{ bang "$_f" ${3:+-g "$3$_f"}; printf '%s\n' "$_body"; } |
			sed "s|@INIT@|sockkit_prefork.initialisation_complete($_opts)|" \
				>"$T/$_f-$1.py"
		chmod +x "$T/$_f-$1.py"
	done
}

# run_closing FD OUT ERR CMD...: CMD with descriptor FD closed (or none:
# -), stdin /dev/null otherwise; stdout to OUT, stderr to ERR (FD m: both
# to OUT, as 2>&1 has them); status $rc.
run_closing() {
	_fd=$1 _o=$2 _e=$3
	shift 3
	case $_fd in
	0) "$@" <&- >"$_o" 2>"$_e" ;;
	1) "$@" </dev/null >&- 2>"$_e" ;;
	2) "$@" </dev/null >"$_o" 2>&- ;;
	m) "$@" </dev/null >"$_o" 2>&1 ;;
	*) "$@" </dev/null >"$_o" 2>"$_e" ;;
	esac
	rc=$?
}

# same NAME SCRIPT [-c FD | -m] ARGS...: SCRIPT run directly ($PYI SCRIPT
# ARGS) and through prefork-interp (SCRIPT ARGS) ends alike: the same exit
# status, standard output and standard error, byte for byte; -c FD runs
# both with descriptor FD closed, -m with both streams in one file (their
# order counts then).
same() {
	_name=$1 _s=$2
	shift 2
	_c=-
	if [ "$1" = -c ]; then
		_c=$2
		shift 2
	elif [ "$1" = -m ]; then
		_c=m
		shift
	fi
	: >"$T/d.out"; : >"$T/d.err"; : >"$T/s.out"; : >"$T/s.err"
	run_closing "$_c" "$T/d.out" "$T/d.err" "$PYI" "$_s" "$@"
	_drc=$rc
	run_closing "$_c" "$T/s.out" "$T/s.err" "$_s" "$@"
	if [ "$_drc" = "$rc" ] && cmp -s "$T/d.out" "$T/s.out" &&
		cmp -s "$T/d.err" "$T/s.err"; then
		pass "$_name"
	else
		fail "$_name"
		diag "direct: status $_drc, served: status $rc" \
			"$(diff "$T/d.out" "$T/s.out" | head -20)" \
			"$(diff "$T/d.err" "$T/s.err" | head -20)"
	fi
}

# server_of SCRIPT: the pid of SCRIPT's server, from a call that prints
# os.getppid() as its last word.
server_of() {
	"$1" >"$T/ppid.out" 2>&1 </dev/null
	awk '{ w = $NF } END { print w }' "$T/ppid.out"
}

# new_fifo FILE: a fresh FIFO at FILE, for a script to announce itself on.
new_fifo() {
	rm -f "$1"
	mkfifo "$1"
}

# read_fifo FILE: what a script writes into the FIFO FILE, once it has
# closed it; bounded (10 s), so a script that never gets there fails.
read_fifo() {
	bounded 10 cat "$1"
}

# state PID: its one-letter state (R S T Z ...), or "gone".
state() {
	_s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	echo "${_s:-gone}"
}

# wait_state PID STATES: bounded wait (10 s) until PID's state is one of
# STATES (a grep -E alternation, e.g. "T" or "R|S").  A stop or a resume of
# a process that is not our child raises no event we could wait on, so this
# looks at /proc every 50 ms, within the bound.
wait_state() {
	_n=0
	while ! state "$1" | grep -Eqx "$2" && [ $_n -lt 200 ]; do
		sleep 0.05
		_n=$((_n + 1))
	done
	state "$1" | grep -Eqx "$2"
}

# none_left SCRIPT: bounded wait (5 s) until no process runs SCRIPT; on
# failure, says which are left.
none_left() {
	for _ in $(seq 100); do
		pgrep -f -- "$1" >/dev/null || return 0
		sleep 0.05
	done
	diag "left: $(pgrep -af -- "$1")"
	return 1
}

# log_clean: the log has no traceback and no server failure.
log_clean() {
	! grep -q -e Traceback -e 'server failed' -e 'err:' "$T/log" 2>/dev/null
}
