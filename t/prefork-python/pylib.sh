# Shared set-up of the prefork-python tests (source after lib.sh).
#
# Every script is written twice, once for each #! form:
#   A: #!$T/sockkit prefork-interp -U /usr/bin/python3
#   B: #!$T/prefork-interp -U,/usr/bin/python3   ($T/prefork-interp -> sockkit)
# The module comes from the source tree (PYTHONPATH), or with
# SOCKKIT_INSTALLED from where $PY finds it; the run directory is
# inside $T (XDG_RUNTIME_DIR), and every server started here is stopped at
# exit, however the test ends.

PY=${PREFORK_PY:-/usr/bin/python3}     # another Python: PREFORK_PY=...
if ! [ -x "$PY" ]; then
	echo "1..0 # SKIP $PY not installed"
	exit 0
fi
ln -s "$SOCKKIT" "$T/sockkit"
ln -s "$SOCKKIT" "$T/prefork-interp"
mkdir -m 700 "$T/run"
XDG_RUNTIME_DIR=$T/run
PYTHONDONTWRITEBYTECODE=1
export XDG_RUNTIME_DIR PYTHONDONTWRITEBYTECODE
if [ -z "${SOCKKIT_INSTALLED:-}" ]; then
	PYTHONPATH=$T_SRC/../applets/prefork-interp
	export PYTHONPATH
else
	unset PYTHONPATH        # the installed module (see lib.sh)
fi
FORMS="A B"

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
	rm -f "$T/run/sockkit-prefork"/s*
	for _p in $(our_pids); do
		wait_gone "$_p" || kill -9 "$_p" 2>/dev/null
	done
}
trap 'stop_servers; rm -rf "$T"' EXIT

# mk NAME [OPTIONS]: the Python body on stdin becomes $T/A-NAME.py and
# $T/B-NAME.py; "@INIT@" in it is replaced by the initialisation_complete
# call with OPTIONS (default: log to $T/log).
mk() {
	_body=$(cat)
	_opts=${2:-log=\'$T/log\'}
	for _f in $FORMS; do
		case $_f in
		A) _bang="#!$T/sockkit prefork-interp -U $PY" ;;
		B) _bang="#!$T/prefork-interp -U,$PY" ;;
		esac
		printf '%s\n%s\n' "$_bang" "$_body" |
			sed "s|@INIT@|sockkit_prefork.initialisation_complete($_opts)|" \
				>"$T/$_f-$1.py"
		chmod +x "$T/$_f-$1.py"
	done
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

