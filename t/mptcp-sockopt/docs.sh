#!/bin/sh
# The manual lists exactly the checks the applet makes (--list), those of
# several subflows in their own subsection, and names no check count.
. "$T_SRC/lib.sh"

man=$T_SRC/../man/mptcp-sockopt.1
# The .It lines of one subsection of CHECKS, as "client NAME".
section() {
	awk -v want="$1" '
		/^\.Sh / { in_checks = ($2 == "CHECKS") }
		/^\.Ss / { sub(/^\.Ss /, ""); cur = $0 }
		in_checks && cur == want && /^\.It (client|server) / { sub(/^\.It /, ""); print }
	' "$man"
}
{ section "Client checks"; section "Server checks"; } >"$T/one"
section "With several subflows" >"$T/multi"
"$SOCKKIT" mptcp-sockopt --list >"$T/list1"
"$SOCKKIT" mptcp-sockopt --list --subflows 2 >"$T/list2"

is "$(sort "$T/one")" "$(sort "$T/list1")" "the manual lists the checks of one subflow"
is "$(sort "$T/multi")" "$(grep -Fxvf "$T/list1" "$T/list2" | sort)" \
	"the manual lists the checks of several subflows apart"
ok '! grep -Eq "[0-9]+ checks" "$man" "$T_SRC/../README"' "no check count written in the manual or README"
done_testing
