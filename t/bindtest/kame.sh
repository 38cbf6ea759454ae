#!/bin/sh
# Byte for byte against KAME bindtest 1.51 itself, when BINDTEST_KAME names
# a build of it (README, "bindtest": how to build it); skipped otherwise.
# Each run of either program gets a network namespace of its own with only
# lo, so a fixed port is safe and both see the same kernel state.  The
# original waits a second per probe: its UDP tables take up to a minute,
# run here side by side.
. "$T_SRC/bindtest/common.sh"

KAME=${BINDTEST_KAME:-}
if [ -z "$KAME" ] || [ ! -x "$KAME" ]; then
	skip "KAME bindtest 1.51, byte for byte" "BINDTEST_KAME does not name a build of it"
	done_testing
fi
if ! unshare -n true 2>/dev/null || ! command -v ip >/dev/null 2>&1; then
	skip "KAME bindtest 1.51, byte for byte" "needs unshare -n and ip(8)"
	done_testing
fi

# The deterministic tables of this kernel (SO_REUSEPORT's hashed cells
# aside), the verbose lines of some, and what 1.51 and bindtest(1) agree on
# beyond them.  One set of options a line.
cat >"$T/cases" <<'EOF2'
-s
-s -6
-s -A
-s -6 -A
-s -t
-s -t -6
-s -t -A
-s -t -6 -A
-s -t -P
-s -t -6 -P
-s -t -A -1
-s -t -A -2
-s -t -A -1 -l
-s -t -A -2 -l
-s -o 127.0.0.1
-s -t -A -o 127.0.0.1
-s -t -A -o ::ffff:127.0.0.1
-A
-t -A -1
-t -A -2 -l
-b 127.255.255.255
-b 255.255.255.255
EOF2
ncases=$(wc -l <"$T/cases")

# Case I of the list, each program in its own namespace, into $T/runs/I.kame
# and I.sockkit (output, then the exit status); concurrent passes I last.
concurrent "$ncases" "$T/runs" sh -c '
	cases=$1 kame=$2 sockkit=$3 dir=$4 i=$5
	args=$(sed -n "$((i + 1))p" "$cases")
	inns() { unshare -n sh -c "ip link set lo up && exec \"\$@\"" sh "$@"; }
	inns "$kame" -p 9999 $args >"$dir/$i.kame" 2>&1; echo $? >>"$dir/$i.kame"
	inns "$sockkit" bindtest -p 9999 $args >"$dir/$i.sockkit" 2>&1; echo $? >>"$dir/$i.sockkit"
' sh "$T/cases" "$KAME" "$SOCKKIT" "$T/runs"

# Source ports the kernel picks differ from run to run.
mask() {
	sed -E 's#(recv [0-9]+ bytes from [^ ]*/|accepted a connection from [^ ]*/)[0-9]+ #\1N #' "$1"
}
i=0
while read -r args; do
	is "$(mask "$T/runs/$i.sockkit")" "$(mask "$T/runs/$i.kame")" \
		"bindtest -p 9999 $args: 1.51's output and status, byte for byte"
	i=$((i + 1))
done <"$T/cases"

done_testing
