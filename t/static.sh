#!/bin/sh
# -Dstatic=true: the one file to drop into a container, an initramfs or a
# rescue system.  It needs no loader, no library and no file of the system
# (it runs a real job in an empty root), and stays within its size budget
# once stripped (issue 15: 150 KiB, every applet in).
. "$T_SRC/lib.sh"

BUDGET=153600   # 150 KiB

has_interp "$SOCKKIT"
is "$?" 1 "an ELF program without a program interpreter (PT_INTERP)"
if command -v file >/dev/null 2>&1; then
	like "$(file -L "$SOCKKIT")" 'statically linked' "file(1) says statically linked"
else
	skip "file(1) says statically linked" "file(1) is not installed"
fi

cp "$SOCKKIT" "$T/sockkit"
if strip "$T/sockkit" 2>"$T/strip.err"; then
	size=$(wc -c <"$T/sockkit")
	ok '[ "$size" -le "$BUDGET" ]' "stripped, $size bytes: within $BUDGET"
	check "the stripped copy runs" 0 "$("$SOCKKIT" --list)" '' "$T/sockkit" --list
else
	fail "strip a copy"
	diag "$(cat "$T/strip.err")"
fi

# An empty root: only the binary in it (no /lib, /etc, /proc, /dev).  As
# root, chroot; otherwise in a user namespace of our own (unshare -r).
mkdir "$T/root"
cp "$SOCKKIT" "$T/root/sockkit"
chrooted() {
	if [ "$(id -u)" -eq 0 ]; then
		bounded 30 chroot "$T/root" /sockkit "$@"
	else
		bounded 30 unshare -r chroot "$T/root" /sockkit "$@"
	fi
}
if [ "$(id -u)" -ne 0 ] && ! unshare -r true 2>"$T/err"; then
	skip "runs in an empty root" "no user namespace here: $(head -n 1 "$T/err")"
	done_testing
fi
run chrooted --version
if [ "$rc" -eq 125 ]; then      # chroot's own failure, not the program's
	skip "runs in an empty root" "cannot chroot here: $(head -n 1 "$T/err")"
	done_testing
fi
check "--version in an empty root" 0 "$("$SOCKKIT" --version)" '' chrooted --version
# bindtest's UDP table in a private namespace, inside and outside the empty
# root: the same table (the header's port line differs from run to run).
run chrooted bindtest -n -s
if ! skip_if_4 "bindtest -n -s in an empty root"; then
	is_rc 0 "bindtest -n -s in an empty root: exit 0"
	sed 1d "$T/out" >"$T/inside"
	run bounded 30 "$SOCKKIT" bindtest -n -s
	sed 1d "$T/out" >"$T/outside"
	is "$(cat "$T/inside")" "$(cat "$T/outside")" "... the same table as outside it"
fi
done_testing
