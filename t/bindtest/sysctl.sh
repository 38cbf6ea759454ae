#!/bin/sh
# --sysctl NAME=VALUE (repeatable, only with -n): set in the private network
# namespace before the tables run, recorded in the header and in -j; the
# host's value stays as it was.  Bad names and values are usage errors.
. "$T_SRC/bindtest/common.sh"

HINT="Try 'sockkit bindtest --help'."
NONLOCAL=net.ipv4.ip_nonlocal_bind

# Usage errors need no namespace: NAME | ARGS | MESSAGE, one case a line.
while IFS='|' read -r name args msg; do
	check "$name" 2 "" "bindtest: $msg
$HINT" "$SOCKKIT" bindtest $args
done <<'EOF2'
--sysctl without -n|-s --sysctl net.ipv4.ip_nonlocal_bind=1|--sysctl needs -n: the host's settings are not bindtest's to change
--sysctl without -n, with -a|-a --sysctl net.ipv4.ip_nonlocal_bind=1|--sysctl needs -n: the host's settings are not bindtest's to change
no '='|-n -s --sysctl net.ipv4.ip_nonlocal_bind|--sysctl: 'net.ipv4.ip_nonlocal_bind' is not NAME=VALUE
no name|-n -s --sysctl =1|--sysctl: '=1' is not NAME=VALUE
no value|-n -s --sysctl net.ipv4.ip_nonlocal_bind=|--sysctl: 'net.ipv4.ip_nonlocal_bind=' is not NAME=VALUE
not under net|-n -s --sysctl kernel.hostname=x|--sysctl: kernel.hostname is not a net.* sysctl: only those belong to the private network namespace
EOF2

run "$SOCKKIT" bindtest -n -s
if [ "$rc" -eq 4 ]; then
	skip "--sysctl in a private namespace" "$(cat "$T/err")"
	done_testing
fi
cp "$T/out" "$T/plain"

host_before=$(cat /proc/sys/net/ipv4/ip_nonlocal_bind)
run bt -s --sysctl $NONLOCAL=1
is_rc 0 "--sysctl $NONLOCAL=1: exit 0"
is "$(sed -n 2p "$T/out")" "$(header_for), $NONLOCAL=1" "--sysctl: the header records the setting"
cp "$T/out" "$T/nonlocal"
cp "$T/plain" "$T/out"
is "$(row one4)" "?1(99)	?1(99)	?1(99)	?1(99)	?1(99)	?1(99)	?1(99)	?1(99)" \
	"without --sysctl: one4 (0.0.0.1) is not local: EADDRNOTAVAIL"
cp "$T/nonlocal" "$T/out"
is "$(row one4 | tr '\t' '\n' | grep -c '^?1(')" 0 "--sysctl $NONLOCAL=1: one4 binds first in every pair"
check_layout "--sysctl $NONLOCAL=1"
is "$(cat /proc/sys/net/ipv4/ip_nonlocal_bind)" "$host_before" "--sysctl: the host's value is untouched"

run bt -j --sysctl $NONLOCAL=1 --sysctl net.ipv6.ip_nonlocal_bind=1
json_ok "$T/out" "(.tables[0].sysctl == {\"$NONLOCAL\": \"1\", \"net.ipv6.ip_nonlocal_bind\": \"1\"})" \
	"-j: every setting, in the table's sysctl object"
json_ok "$T/out" ".tables[0].header | endswith(\", $NONLOCAL=1, net.ipv6.ip_nonlocal_bind=1\")" \
	"-j: the header lists them in the order given"
run bt -j
json_ok "$T/out" '.tables[0].sysctl == {}' "-j without --sysctl: an empty sysctl object"

# The value recorded is the kernel's, read back after the write.
run bt -s --sysctl $NONLOCAL=01
is "$(sed -n 2p "$T/out")" "$(header_for), $NONLOCAL=1" "--sysctl $NONLOCAL=01: the kernel's value, 1"

run bt -a -s --sysctl $NONLOCAL=1
is_rc 0 "-a --sysctl: exit 0"
is "$(grep '^starting' "$T/out" | grep -vc ", $NONLOCAL=1\$")" 0 "-a --sysctl: every table's header records it"

# What the kernel refuses: usage errors naming the setting.
while IFS='|' read -r name arg msg; do
	check "$name" 2 "" "bindtest: $msg
$HINT" bt -s --sysctl "$arg"
done <<'EOF2'
unknown name|net.ipv4.nosuch=1|--sysctl: net.ipv4.nosuch: no such sysctl in a network namespace
empty component|net.ipv4..x=1|--sysctl: 'net.ipv4..x' is not a sysctl name
a way out of /proc/sys/net|net/../kernel/hostname=x|--sysctl: 'net/../kernel/hostname' is not a sysctl name
a value refused|net.ipv4.ip_nonlocal_bind=abc|--sysctl: the kernel refuses net.ipv4.ip_nonlocal_bind=abc: Invalid argument
a range refused|net.ipv4.ip_local_port_range=5 1|--sysctl: the kernel refuses net.ipv4.ip_local_port_range=5 1: Invalid argument
EOF2

# An unprivileged user owns its namespace, and may set its sysctls.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKKIT" bindtest -n -s \
		--sysctl $NONLOCAL=1
	case $rc in
	0) is "$(row one4 | tr '\t' '\n' | grep -c '^?1(')" 0 "--sysctl as nobody: one4 binds" ;;
	4|126|127) skip "--sysctl as nobody" "$(tail -n 1 "$T/err")" ;;
	*) is_rc 0 "--sysctl as nobody" ;;
	esac
else
	skip "--sysctl as nobody" "needs root and setpriv(1)"
fi

done_testing
