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
the same name twice|-n -s --sysctl net.ipv4.ip_nonlocal_bind=1 --sysctl net.ipv4.ip_nonlocal_bind=0|--sysctl: net.ipv4.ip_nonlocal_bind is given twice ('net.ipv4.ip_nonlocal_bind' and 'net.ipv4.ip_nonlocal_bind'): give each setting once
the same name, dotted then as a path|-n -a --sysctl net.ipv4.ip_nonlocal_bind=1 --sysctl net.ipv6.ip_nonlocal_bind=1 --sysctl net/ipv4/ip_nonlocal_bind=1|--sysctl: net.ipv4.ip_nonlocal_bind is given twice ('net.ipv4.ip_nonlocal_bind' and 'net/ipv4/ip_nonlocal_bind'): give each setting once
the same name, with a dot in a component|-n -s --sysctl net/ipv4/conf/eth0.5/forwarding=1 --sysctl net.ipv4.conf.eth0/5.forwarding=1|--sysctl: net.ipv4.conf.eth0/5.forwarding is given twice ('net/ipv4/conf/eth0.5/forwarding' and 'net.ipv4.conf.eth0/5.forwarding'): give each setting once
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

# A name typed as a path (sysctl.conf allows it) is recorded in the dotted
# form, so that a table saved either way is the same table.
run bt -s --sysctl net/ipv4/ip_nonlocal_bind=1
is "$rc $(sed -n 2p "$T/out")" "0 $(header_for), $NONLOCAL=1" "--sysctl net/ipv4/...: the header has the dotted name"
run bt -j --sysctl net/ipv4/ip_nonlocal_bind=1 --sysctl net.ipv6.ip_nonlocal_bind=1
json_ok "$T/out" "(.tables[0].sysctl == {\"$NONLOCAL\": \"1\", \"net.ipv6.ip_nonlocal_bind\": \"1\"})" \
	"-j --sysctl net/ipv4/...: the dotted name as the key"
run bt -s --sysctl net/ipv4/ip_nonlocal_bind=1 --sysctl net.ipv6.ip_nonlocal_bind=1
cp "$T/out" "$T/saved-path"
run bt --sysctl $NONLOCAL=1 --sysctl net/ipv6/ip_nonlocal_bind=1 --expect "$T/saved-path"
is "$rc $(grep -c '^ok ' "$T/out")" "0 $NPAIRS" "--expect: a table saved with one form is the table of the other"

# The kernel's separator inside a value (a TAB between a range's numbers)
# is recorded as one space, as a value typed with spaces is.
run bt -s --sysctl "net.ipv4.ip_local_port_range=40000${TAB}  40100"
is "$rc $(sed -n 2p "$T/out")" "0 $(header_for), net.ipv4.ip_local_port_range=40000 40100" \
	"--sysctl with a range: its numbers separated by one space"

# Every value is read once every setting is made: setting all interfaces'
# forwarding changes lo's, given first.
run bt -j --sysctl net.ipv4.conf.lo.forwarding=0 --sysctl net.ipv4.conf.all.forwarding=1
json_ok "$T/out" '.tables[0].sysctl == {"net.ipv4.conf.lo.forwarding": "1", "net.ipv4.conf.all.forwarding": "1"}' \
	"--sysctl: a value changed by a later setting is recorded as the table ran"

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
a directory|net.ipv4=1|--sysctl: net.ipv4 is a directory of sysctls, not one
write-only, so its value is unknown|net.ipv4.route.flush=1|--sysctl: the kernel does not let bindtest read net.ipv4.route.flush (Permission denied), and bindtest records the value each setting leaves
EOF2

# A host-wide setting: read-only in a namespace of its own (or, on some
# kernels, not there at all); a usage error either way.
run bt -s --sysctl net.core.rmem_max=1000000
like "$rc $(paste -sd " " "$T/err")" "^2 bindtest: --sysctl: (the kernel does not let bindtest set net\.core\.rmem_max in its private network namespace \(Permission denied\)|net\.core\.rmem_max: no such sysctl in a network namespace) Try 'sockkit bindtest --help'\.\$" \
	"--sysctl net.core.rmem_max: the kernel will not let it be set here, exit 2"

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
