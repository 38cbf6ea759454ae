# Shared by the bindtest tests: bt runs the applet, in a private network
# namespace when one can be made (then no local service can interfere), with
# a hard time limit.  $1 of every test is the hold-port helper.
. "$T_SRC/lib.sh"

HOLD_PORT=${1:?the hold-port helper}
NS=-n
"$SOCKKIT" bindtest -n -s -w 200 >/dev/null 2>"$T/ns.err"
if [ $? -eq 4 ]; then
	NS=
	diag "no private network namespace here ($(cat "$T/ns.err")); testing in this one"
fi

bt() {
	bounded 30 "$SOCKKIT" bindtest $NS "$@"
}

# The table of a -s run without its "port = N" line.
table_of() {
	grep -v '^port = ' "$T/out"
}

# row NAME: the cells of one row of the last -s run, TAB-separated.
row() {
	grep "^$1:" "$T/out" | cut -f 2-
}

TAB=$(printf '\t')
