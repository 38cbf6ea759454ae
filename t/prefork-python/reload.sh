#!/bin/sh
# Reloading: a change to the script, to a module it imported or to a file
# named by autoreload_also_check makes the next call start a fresh server;
# and an idle server quits after idle_timeout.  Both #! forms.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh"

mkdir "$T/lib"
echo 'V = "mod1"' >"$T/lib/pfmod.py"
echo data1 >"$T/data"
mk reload <<PY
import sys
sys.path.insert(0, "$T/lib")
import sockkit_prefork, os, pfmod
sockkit_prefork.autoreload_also_check("$T/data")
DATA = open("$T/data").read().strip()
@INIT@
print("script1", pfmod.V, DATA, os.getppid())
PY

mk idle "log='$T/log', idle_timeout=0.3" <<'PY'
import sockkit_prefork, os
@INIT@
print(os.getppid())
PY

# call SCRIPT: sets $out (the first three words) and $server (the server pid)
call() {
	run "$1"
	out=$(cut -d' ' -f1-3 "$T/out")
	server=$(cut -d' ' -f4 "$T/out")
}

for f in $FORMS; do
	s=$T/$f-reload.py
	call "$s"
	is "$out" "script1 mod1 data1" "$f: first call"
	first=$server
	call "$s"
	is "$server" "$first" "$f: nothing changed: the same server"

	sed -i 's/script1/script2/' "$s"      # a new file in its place
	call "$s"
	is "$out" "script2 mod1 data1" "$f: script replaced: the new one runs"
	[ "$server" != "$first" ] && pass "$f: ... in a fresh server" || fail "$f: ... in a fresh server"
	wait_gone "$first" && pass "$f: the old server quit" || fail "$f: the old server quit"
	second=$server

	echo 'V = "mod2"' >"$T/lib/pfmod.py"  # rewritten in place
	call "$s"
	is "$out" "script2 mod2 data1" "$f: imported module changed: reloaded"
	third=$server
	[ "$third" != "$second" ] && pass "$f: ... in a fresh server" || fail "$f: ... in a fresh server"

	echo data2 >"$T/data"
	call "$s"
	is "$out" "script2 mod2 data2" "$f: autoreload_also_check file changed: reloaded"
	[ "$server" != "$third" ] && pass "$f: ... in a fresh server" || fail "$f: ... in a fresh server"

	# back to the start for the other form
	sed -i 's/script2/script1/' "$s"
	echo 'V = "mod1"' >"$T/lib/pfmod.py"
	echo data1 >"$T/data"

	s=$T/$f-idle.py
	run "$s"
	idle=$(cat "$T/out")
	is_rc 0 "$f: idle script runs"
	wait_gone "$idle" && pass "$f: server quits after idle_timeout" ||
		fail "$f: server quits after idle_timeout"
	run "$s"
	[ "$(cat "$T/out")" != "$idle" ] && pass "$f: next call starts a new server" ||
		fail "$f: next call starts a new server"
done
grep -q 'quitting: idle for 0.3s' "$T/log" && pass "idle quit logged" || fail "idle quit logged"
grep -q 'info: reloading: .* changed' "$T/log" && pass "reload logged" || fail "reload logged"

done_testing
