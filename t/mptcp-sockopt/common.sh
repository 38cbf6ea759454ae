# Shared by the mptcp-sockopt tests (sourced after lib.sh).
#
# Every test of the group takes the test shim (shim.c) and the probe
# (probe.c) as its first two arguments, and optionally a kernel to emulate
# ("linux-6.1") as its third (or MPT_EMULATE): the whole group then runs
# against that kernel's answers, sockkit and the probe both running with
# the shim.

MPT_SHIM=${1:-${MPT_SHIM:-}}
MPT_PROBE=${2:-${MPT_PROBE:-}}
MPT_EMULATE=${3:-${MPT_EMULATE:-}}
# $T/shimmed runs sockkit with the shim preloaded (SOCKKIT_SHIM naming the
# corruption) on top of the emulated kernel, if any.  Only sockkit gets the
# preload: a shim built for musl cannot load into a glibc shell.
if [ -n "$MPT_SHIM" ]; then
	# The shim is not instrumented: an ASan build must not insist on
	# being first.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	export ASAN_OPTIONS
	cat >"$T/shimmed" <<WRAP
#!/bin/sh
SOCKKIT_SHIM=\${SOCKKIT_SHIM:+\$SOCKKIT_SHIM,}$MPT_EMULATE LD_PRELOAD='$MPT_SHIM' exec '$SOCKKIT' "\$@"
WRAP
	chmod +x "$T/shimmed"
fi
if [ -n "$MPT_EMULATE" ]; then
	need_preload    # the emulation is the shim: a static sockkit cannot take it
	SOCKKIT=$T/shimmed
fi

# Exit the whole test file with a skip when this kernel has no MPTCP.
require_mptcp() {
	run "$SOCKKIT" mptcp-sockopt -4 -t 5
	if [ "$rc" -eq 4 ]; then
		skip "mptcp-sockopt" "$(tail -n 1 "$T/err")"
		done_testing
	fi
}

# require_netns WHAT TOOL...: end the test file with a skip (named WHAT)
# unless the tools are installed and `unshare -n` is permitted here.
require_netns() {
	_what=$1
	shift
	for _tool in unshare "$@"; do
		if ! command -v "$_tool" >/dev/null 2>&1; then
			skip "$_what" "$_tool is not installed"
			done_testing
		fi
	done
	if ! unshare -n true 2>/dev/null; then
		skip "$_what" "unshare -n is not permitted here"
		done_testing
	fi
}

# probe: sets mptcp_info_size, tcp_info_size, full_info and is_mptcp from
# what this kernel (or the emulated one) answers; a probe that cannot ask
# ends the test file (a bail out), as nothing could be expected then.
probe() {
	if ! _answers=$(SOCKKIT_SHIM=$MPT_EMULATE LD_PRELOAD=${MPT_EMULATE:+$MPT_SHIM} \
		"${MPT_PROBE:?the tests take the shim and the probe}" 2>&1); then
		echo "Bail out! the probe failed: $_answers"
		exit 1
	fi
	eval "$_answers"
}

# expected_skips SUBFLOWS: the checks (as "client NAME") a run must skip
# on this kernel, one a line, sorted; from the probe, not from sockkit.
expected_skips() {
	{
		[ "$is_mptcp" = 1 ] || echo "client TCP_IS_MPTCP is 1"
		if [ "$mptcp_info_size" -lt 80 ]; then
			echo "client MPTCP_INFO byte counters"
			echo "server MPTCP_INFO byte counters"
		fi
		if [ "$full_info" != 1 ]; then
			for side in client server; do
				echo "$side MPTCP_FULL_INFO"
				[ "$1" -lt 2 ] || echo "$side MPTCP_FULL_INFO each subflow"
			done
			echo "client MPTCP_FULL_INFO malformed requests"
		fi
	} | sort
}

# checks_of FAMILY FILE: the names of a run's checks of one family in its
# TAP output ("client NAME", skip reasons cut), in order.
checks_of() {
	sed -n "s/^\\(not \\)\\{0,1\\}ok [0-9]* - $1 \\([^#]*[^# ]\\)\\( # SKIP .*\\)\\{0,1\\}\$/\\2/p" "$2"
}

# skipped_of FAMILY FILE: the skipped ones, sorted.
skipped_of() {
	sed -n "s/^ok [0-9]* - $1 \\(.*\\) # SKIP .*/\\1/p" "$2" | sort
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
