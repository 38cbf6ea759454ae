#!/bin/sh
# -n/--netns: a private network namespace, with lo up, where no local service
# interferes; exit 4, saying why, where no namespace can be made.
. "$T_SRC/bindtest/common.sh"

run "$SOCKKIT" bindtest -n -s
if [ "$rc" -eq 4 ]; then
	like "$(cat "$T/err")" '^bindtest: --netns: cannot ' "--netns unavailable: exit 4 says why"
	skip "--netns runs" "$(cat "$T/err")"
	done_testing
fi
is_rc 0 "--netns: exit 0"
is "$(row loop4 | cut -f 4)" "o[12-]" "--netns: lo is up (loop4 and loop6 receive)"

# A port held here is free inside the namespace.
run "$HOLD_PORT" udp "$SOCKKIT" bindtest -s -p PORT
is_rc 1 "a held port, in this namespace: in use"
run "$HOLD_PORT" udp "$SOCKKIT" bindtest -n -s -p PORT
is_rc 0 "a held port, with --netns: free"
is "$(row loop4 | cut -f 4)" "o[12-]" "a held port, with --netns: the table is complete"
run "$HOLD_PORT" tcp "$SOCKKIT" bindtest -n -t -A -1 -s -p PORT
is_rc 0 "a held TCP port, with --netns: free"
is "$(row loop4 | cut -f 4)" "o[1---]" "a held TCP port, with --netns: connects"

# Where namespaces cannot be made: an unmapped user in a user namespace has
# no capability and cannot make a nested one.
if unshare -U true 2>/dev/null; then
	run unshare -U "$SOCKKIT" bindtest -n -s
	is_rc 4 "--netns without the right to make a namespace: exit 4"
	like "$(cat "$T/err")" '^bindtest: --netns: cannot create a (user|network) namespace: ' \
		"--netns without the right: the reason"
	is "$(wc -c <"$T/out" | tr -d ' ')" 0 "--netns without the right: no table"
else
	skip "--netns without the right to make a namespace" "unshare -U does not work here"
fi

# An unprivileged user gets a user namespace as well (exit 4 where the
# system forbids unprivileged user namespaces).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKKIT" bindtest -n -s
	case $rc in
	0)
		pass "--netns as an unprivileged user: exit 0"
		is "$(row loop4 | cut -f 4)" "o[12-]" "--netns as an unprivileged user: lo is up"
		;;
	4)
		pass "--netns as an unprivileged user: exit 4"
		like "$(cat "$T/err")" '^bindtest: --netns: cannot ' "--netns as an unprivileged user: the reason"
		;;
	126|127)
		skip "--netns as an unprivileged user" "nobody cannot run $SOCKKIT"
		;;
	*)
		is_rc 0 "--netns as an unprivileged user"
		;;
	esac
else
	skip "--netns as an unprivileged user" "needs root and setpriv(1)"
fi

done_testing
