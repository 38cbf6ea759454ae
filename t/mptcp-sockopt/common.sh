# Shared by the mptcp-sockopt tests (sourced after lib.sh).

# Exit the whole test file with a skip when this kernel has no MPTCP.
require_mptcp() {
	run "$SOCKKIT" mptcp-sockopt -4 -t 5
	if [ "$rc" -eq 4 ]; then
		skip "mptcp-sockopt" "$(tail -n 1 "$T/err")"
		done_testing
	fi
}

# start_listener TAG ARGS...: an `mptcp-sockopt -l` in the background;
# sets $port (empty if it failed) and $lpid.  Reading its first line
# through a fifo waits for the listening socket, with no polling.
start_listener() {
	_fifo=$T/fifo.$1
	shift
	mkfifo "$_fifo"
	"$SOCKKIT" mptcp-sockopt -l -t 10 "$@" >"$_fifo" 2>"$T/listener.err" </dev/null &
	lpid=$!
	_line=
	read -r _line <"$_fifo" || _line=
	port=${_line#port:}
}

# count_lines PATTERN FILE
count_lines() {
	grep -Ec -- "$1" "$2"
}
