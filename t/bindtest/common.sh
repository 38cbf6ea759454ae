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

# The eight addresses, in the manual's order, and the column line.
NAMES="wild4 wild6 loop4 loop6 wildm loopm onem one4"
TAB=$(printf '\t')
COLUMNS=$(for n in $NAMES; do printf '\t%s' "$n"; done)
NPAIRS=$(($(echo $NAMES | wc -w) * $(echo $NAMES | wc -w)))

# The table of a -s run without its "port = N" line.
table_of() {
	grep -v '^port = ' "$T/out"
}

# row NAME: the cells of one row of the last -s run, TAB-separated.
row() {
	grep "^$1:" "$T/out" | cut -f 2-
}

# every_cell CELL: a row of that cell for every address, TAB-separated.
every_cell() {
	_s=
	for _n in $NAMES; do _s="$_s${_s:+$TAB}$1"; done
	printf '%s' "$_s"
}

# block FIRST SECOND: the verbose lines of one pair of the last run, from
# its "FIRST then SECOND" line to the next pair's.
block() {
	awk -v want="$1 then $2" '
		$0 == want { on = 1; print; next }
		on && / then / { exit }
		on { print }' "$T/out"
}

# header_for OPTIONS...: the header line bindtest(1) gives for these options
# (1.51's rule): the socket type, SO_REUSEADDR, SO_REUSEPORT, V6ONLY or
# !V6ONLY, then for TCP only "connect to 1st|2nd|other|other6" and
# "delayed listen".
header_for() {
	_type=SOCK_DGRAM _a= _p= _v=', !V6ONLY' _c= _l=
	while [ $# -gt 0 ]; do
		case $1 in
		-t) _type=SOCK_STREAM ;;
		-A) _a=', SO_REUSEADDR' ;;
		-P) _p=', SO_REUSEPORT' ;;
		-6) _v=', V6ONLY' ;;
		-1) _c=', connect to 1st' ;;
		-2) _c=', connect to 2nd' ;;
		-l) _l=', delayed listen' ;;
		-o) shift
		    case $1 in
		    *:*) case $1 in ::ffff:*.*) _c=', connect to other' ;;
			 *) _c=', connect to other6' ;; esac ;;
		    *) _c=', connect to other' ;;
		    esac ;;
		esac
		shift
	done
	[ "$_type" = SOCK_STREAM ] || _c= _l=
	echo "starting tests, socktype = $_type$_a$_p$_v$_c$_l"
}

# check_layout NAME OPTIONS...: every o[...] cell of the last -s run has
# the probe slots that 1.51's source gives for OPTIONS, in order.  UDP: the
# 1st address and the 2nd ('-' for a wildcard), with -o one slot for it as
# IPv4 and one for its IPv6 or mapped form (none without -o), then the
# broadcast slot ('-' without -b).  TCP with -A or -P: four slots, connect
# to the 1st (-1), the 2nd (-2), other, other6, each '-' unless asked for
# (-1 and -2 also '-' for a wildcard).  TCP without them: o[].  A tried
# slot holds a result letter.
check_layout() {
	_name=$1
	shift
	_udp=1 _reuse=0 _c1=0 _c2=0 _other= _b=0
	while [ $# -gt 0 ]; do
		case $1 in
		-t) _udp=0 ;;
		-A|-P) _reuse=1 ;;
		-1) _c1=1 ;;
		-2) _c2=1 ;;
		-b) _b=1; shift ;;
		-o) _other=$2; shift ;;
		esac
		shift
	done
	_o4=0 _o6=0
	case $_other in
	'') ;;
	::ffff:*.*|*.*) _o4=1 _o6=$_udp ;;
	*) _o6=1 ;;
	esac
	_bad=$(awk -F '\t' -v udp=$_udp -v reuse=$_reuse -v c1=$_c1 -v c2=$_c2 \
		-v o4=$_o4 -v o6=$_o6 -v b=$_b '
		function slot(tried) { return tried ? "[012bxcs6flL]" : "-" }
		function wild(n) { return n == "wild4" || n == "wild6" }
		/^\t/ { for (k = 2; k <= NF; k++) col[k] = $k; next }
		/^[a-z0-9]+:\t/ {
			r = substr($1, 1, length($1) - 1)
			for (k = 2; k <= NF; k++) {
				if ($k !~ /^o\[/)
					continue
				if (udp)
					re = slot(!wild(r)) slot(!wild(col[k])) \
					     (o4 ? slot(1) : "") (o6 ? slot(1) : "") slot(b)
				else if (reuse)
					re = slot(c1 && !wild(r)) slot(c2 && !wild(col[k])) \
					     slot(o4) slot(o6)
				else
					re = ""
				if ($k !~ "^o\\[" re "\\]$")
					printf "%s then %s: %s is not o[%s]\n", r, col[k], $k, re
			}
		}' "$T/out")
	is "$_bad" "" "$_name: every o[...] cell has the slots of 1.51's rule"
}
