#!/bin/sh
# prefork-interp: options, the three invocation forms, the splitting of the
# combined #! argument, what the ident depends on, run directory and socket
# modes.  Served by the test's own miniserver.py.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

body='for a; do echo "[$a]"; done
echo "server=$MINI_SERVER_PID" >&2
exit 7'
want='[a]
[b c]
[]'

# --- usage ----------------------------------------------------------------
run "$SOCKKIT" prefork-interp --help
is_rc 0 "--help exits 0"
like "$(head -n 1 "$T/out")" '^Usage: sockkit prefork-interp ' "--help prints usage on stdout"
like "$(cat "$T/out")" '--kill' "--help lists --kill"

run "$SOCKKIT" prefork-interp "$PY" "$MINI"
is_rc 2 "no -U: usage error"
like "$(cat "$T/err")" '^prefork-interp: need -U' "no -U: says so"

run "$SOCKKIT" prefork-interp -U
is_rc 2 "no interpreter: usage error"

run "$SOCKKIT" prefork-interp -U -x perl
is_rc 2 "unknown option: usage error"
like "$(head -n 1 "$T/err")" "unknown option '-x'" "unknown option: named"

run "$SOCKKIT" prefork-interp -U -E
is_rc 2 "-E without its argument: usage error"

run "$SOCKKIT" prefork-interp -U -g a/b perl
is_rc 2 "-g with a slash: usage error"

SOCKKIT_PREFORK_TIMEOUT=soon run "$SOCKKIT" prefork-interp -U perl
is_rc 2 "bad SOCKKIT_PREFORK_TIMEOUT: usage error"

# --- the invocation forms ---------------------------------------------------
printf '%s\n' "$body" >"$T/plain.sh"

run "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh" a 'b c' ''
is_rc 7 "sockkit prefork-interp ...: exit status"
is_file "$T/out" "$want" "sockkit prefork-interp ...: arguments"
s1=$(sed -n 's/^server=//p' "$T/err")
note_server "$s1"

run "$PFI" -U "$PY" "$MINI" "$T/plain.sh" a 'b c' ''
is_rc 7 "link named prefork-interp: exit status"
is_file "$T/out" "$want" "link named prefork-interp: arguments"
is "$(sed -n 's/^server=//p' "$T/err")" "$s1" "link form: same ident, same server"

mini_script "$T/d.sh" dispatch "$body"
run "$T/d.sh" a 'b c' ''
is_rc 7 "#!sockkit-link prefork-interp -U python3 MINI: exit status"
is_file "$T/out" "$want" "#!sockkit-link prefork-interp ...: arguments"
note_server "$(sed -n 's/^server=//p' "$T/err")"

mini_script "$T/l.sh" link "$body"
run "$T/l.sh" a 'b c' ''
is_rc 7 "#!prefork-interp -U,python3,MINI: exit status"
is_file "$T/out" "$want" "#!prefork-interp -U,python3,MINI: arguments"
note_server "$(sed -n 's/^server=//p' "$T/err")"

printf '#!%s -U %s %s\n%s\n' "$PFI" "$PY" "$MINI" "$body" >"$T/sp.sh"
chmod +x "$T/sp.sh"
run "$T/sp.sh" a 'b c' ''
is_rc 7 "#!prefork-interp -U python3 MINI (spaces): exit status"
is_file "$T/out" "$want" "#!prefork-interp with spaces: arguments"
note_server "$(sed -n 's/^server=//p' "$T/err")"

# --- -E and -G inside the combined argument, and what they change ------------
# server_of FILE: the server pid that ran the script FILE.
server_of() {
	"$@" >/dev/null 2>"$T/err2" </dev/null
	_s=$(sed -n 's/^server=//p' "$T/err2")
	note_server "$_s"
	echo "$_s"
}
printf '#!%s -U,-E,PFIVAR,%s,%s\n%s\n' "$PFI" "$PY" "$MINI" "$body" >"$T/e.sh"
chmod +x "$T/e.sh"
run env PFIVAR=1 "$T/e.sh" a 'b c' ''
is_rc 7 "-U,-E,VAR,python3,MINI works"
is_file "$T/out" "$want" "-U,-E,VAR,...: arguments"
e1=$(PFIVAR=1 server_of "$T/e.sh")
e1b=$(PFIVAR=1 server_of "$T/e.sh")
e2=$(PFIVAR=2 server_of "$T/e.sh")
e0=$(server_of env -u PFIVAR "$T/e.sh")
e00=$(PFIVAR= server_of "$T/e.sh")
is "$e1b" "$e1" "-E VAR: same value, same server"
[ "$e2" != "$e1" ] && pass "-E VAR: another value, another server" || fail "-E VAR: another value, another server"
[ "$e0" != "$e1" ] && [ "$e0" != "$e2" ] && pass "-E VAR: unset, another server" || fail "-E VAR: unset, another server"
[ "$e00" != "$e0" ] && pass "-E VAR: empty and unset differ" || fail "-E VAR: empty and unset differ"

for g in x y; do
	printf '#!%s -U,-G,%s,%s,%s\n%s\n' "$PFI" "$g" "$PY" "$MINI" "$body" >"$T/g$g.sh"
	chmod +x "$T/g$g.sh"
done
run "$T/gx.sh" a 'b c' ''
is_rc 7 "-U,-G,x,python3,MINI works"
is_file "$T/out" "$want" "-U,-G,x,...: arguments"
gx=$(server_of "$T/gx.sh")
gy=$(server_of "$T/gy.sh")
is "$(server_of "$T/gx.sh")" "$gx" "-G x: same string, same server"
[ "$gx" != "$gy" ] && pass "-G: another string, another server" || fail "-G: another string, another server"

ab=$(server_of "$SOCKKIT" prefork-interp -U -G a -G b "$PY" "$MINI" "$T/plain.sh")
ba=$(server_of "$SOCKKIT" prefork-interp -U -G b -G a "$PY" "$MINI" "$T/plain.sh")
[ -n "$ab" ] && [ "$ab" != "$ba" ] && pass "-G order is part of the ident" || fail "-G order is part of the ident"

mkdir "$T/elsewhere"
here=$(server_of "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh")
there=$(cd "$T/elsewhere" && server_of "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh")
[ -n "$there" ] && [ "$here" != "$there" ] && pass "another working directory, another server" ||
	fail "another working directory, another server"

# --- -g, the run directory, modes ------------------------------------------
run "$SOCKKIT" prefork-interp -U -g myident "$PY" "$MINI" "$T/plain.sh" a 'b c' ''
is_rc 7 "-g IDENT: runs"
note_server "$(sed -n 's/^server=//p' "$T/err")"
[ -S "$RUNDIR/smyident" ] && pass "-g IDENT: the socket is s<IDENT>" || fail "-g IDENT: the socket is s<IDENT>"
is "$(stat -c %a "$RUNDIR")" 700 "run directory is 0700"
# Hash idents: lowercase hex, 64 digits, or cut so the path fits sun_path.
bad=
for sock in $(ls "$RUNDIR" | grep '^s' | grep -v -e myident); do
	hex=${sock#s}
	plen=$(printf '%s' "$RUNDIR/$sock" | wc -c)
	printf '%s\n' "$hex" | grep -Eq '^[0-9a-f]{16,64}$' || bad="$bad $sock"
	[ ${#hex} -eq 64 ] || [ "$plen" -eq 107 ] || bad="$bad $sock($plen)"
done
is "$bad" "" "hash idents are hex SHA-256, cut only to fit sun_path"

(umask 0; "$SOCKKIT" prefork-interp -U -g umask0 "$PY" "$MINI" "$T/plain.sh" >/dev/null 2>"$T/err3" </dev/null)
note_server "$(sed -n 's/^server=//p' "$T/err3")"
is "$(stat -c %a "$RUNDIR/sumask0")" 600 "socket is 0600 even with umask 0"

# A long run directory: the ident is cut to fit sun_path.
long=$T/run2/$(printf '%040d' 0)
mkdir -p -m 700 "$long"
XDG_RUNTIME_DIR=$long run "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh" a 'b c' ''
is_rc 7 "long run directory: runs"
note_server "$(sed -n 's/^server=//p' "$T/err")"
sock=$(ls "$long/sockkit-prefork" | grep '^s')
len=$(printf '%s' "$long/sockkit-prefork/$sock" | wc -c)
is "$len" 107 "long run directory: the socket path fills sun_path exactly"
rm -f "$long/sockkit-prefork"/s*

toolong=$T/run3/$(printf '%0100d' 0)
mkdir -p -m 700 "$toolong"
XDG_RUNTIME_DIR=$toolong run "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh"
is_rc 127 "run directory too long for a socket: 127"
like "$(cat "$T/err")" 'too long' "run directory too long: says so"

stop_servers
done_testing
