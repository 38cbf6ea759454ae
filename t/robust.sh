#!/bin/sh
# Every applet under hostile conditions that need no kernel feature: closed
# standard fds, a reader that has gone away, huge arguments and values.
# Each must end with a defined status: never a crash (a signal other than
# SIGPIPE) or a hang.
. "$T_SRC/lib.sh"

# closed_pipe_run IGNORE CMD...: stdout is a pipe whose reader is gone.
# IGNORE=1 runs with SIGPIPE ignored (so the write fails with EPIPE).
closed_pipe_run() {
	_ign=$1
	shift
	perl -e '
		my $ign = shift;
		pipe(my $r, my $w) or exit 98;
		close $r;
		$SIG{PIPE} = "IGNORE" if $ign;
		open(STDOUT, ">&", $w) or exit 98;
		exec { $ARGV[0] } @ARGV or exit 98;' "$_ign" "$@" 2>"$T/err"
	rc=$?
}

big=$(head -c 100000 /dev/zero | tr '\0' 'x')

for a in "" $("$SOCKKIT" --list); do
	name=${a:-sockkit}
	set -- "$SOCKKIT"
	[ -n "$a" ] && set -- "$SOCKKIT" "$a"

	# valgrind opens its own files on the closed fds, so it cannot show these.
	if [ -n "${SOCKKIT_UNDER_VALGRIND:-}" ]; then
		skip "$name with stdout or stderr closed" "valgrind takes the closed fds"
	else
		"$@" --help >&- 2>"$T/err"
		rc=$?
		is_rc 1 "$name --help with stdout closed: exit 1"
		like "$(cat "$T/err")" "^$name: write error on standard output: Bad file descriptor$" \
			"$name --help with stdout closed: says why"

		"$@" --help >/dev/full 2>&-
		rc=$?
		is_rc 1 "$name --help >/dev/full with stderr closed: exit 1"
	fi

	"$@" --no-such </dev/null >&- 2>&-
	rc=$?
	is_rc 2 "$name with a bad option and every std fd closed: exit 2"

	closed_pipe_run 0 "$@" --help
	is_rc 141 "$name --help into a closed pipe: killed by SIGPIPE, as cat is"
	closed_pipe_run 1 "$@" --help
	is_rc 1 "$name --help into a closed pipe with SIGPIPE ignored: exit 1"
	is_file "$T/err" "$name: write error on standard output: Broken pipe" \
		"$name --help into a closed pipe with SIGPIPE ignored: says why"

	run "$@" --no-such-"$(printf 'a\nb\001c')"
	ok '[ "$rc" -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 2 ] && grep -q "a?b?c" "$T/err"' \
		"$name: an option with control characters: the error stays one line (plus the hint)"

	run "$@" "--$big"
	is_rc 2 "$name with a 100 kB option: usage error"
	is "$(wc -l <"$T/err")" 2 "$name with a 100 kB option: the error stays one line (plus the hint)"
done

run "$SOCKKIT" "$big"
is_rc 127 "a 100 kB applet name: not found"
is "$(wc -l <"$T/err")" 1 "a 100 kB applet name: one line"

done_testing
