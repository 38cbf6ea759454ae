#!/bin/sh
# prefork-interp: options, the three invocation forms, the splitting of the
# combined #! argument, what the ident depends on, socket names and modes,
# and lengths (of -g and of the run directory's path).  Served by the
# test's own 7.0.0 server, miniserver.py.
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
ok '[ "$rc" -eq 0 ]' "--help exits 0"
like "$(head -n 1 "$T/out")" '^Usage: sockkit prefork-interp ' "--help prints usage on stdout"
like "$(cat "$T/out")" '--kill-all' "--help lists --kill-all"

# usage_error NAME MESSAGE CMD...: exit 2, MESSAGE the first line of stderr.
usage_error() {
	_name=$1 _msg=$2
	shift 2
	run "$@"
	ok '[ "$rc" -eq 2 ] && [ "$(head -n 1 "$T/err")" = "prefork-interp: $_msg" ]' "$_name"
	[ "$rc" -eq 2 ] || diag "stderr: $(cat "$T/err")"
}
g106=$(printf '%0106d' 0)
usage_error "no -U" "need -U (unlaundered argument and environment handling)" \
	"$SOCKKIT" prefork-interp "$PY" "$MINI"
usage_error "no interpreter" "need an interpreter" "$SOCKKIT" prefork-interp -U
usage_error "unknown option" "unknown option '-x'" "$SOCKKIT" prefork-interp -U -x perl
usage_error "-g with a slash" "-g 'a/b': an ident is a file name: no '/', not . or .." \
	"$SOCKKIT" prefork-interp -U -g a/b perl
usage_error "-g ." "-g '.': an ident is a file name: no '/', not . or .." \
	"$SOCKKIT" prefork-interp -U -g . perl
usage_error "-g .." "-g '..': an ident is a file name: no '/', not . or .." \
	"$SOCKKIT" prefork-interp -U -g .. perl
usage_error "-g ''" "-g: an empty ident" "$SOCKKIT" prefork-interp -U -g '' perl
usage_error "-g of 107 characters" "-g: an ident of 107 characters is too long (at most 106)" \
	"$SOCKKIT" prefork-interp -U -g "${g106}7" perl
usage_error "-g of 3000 characters" "-g: an ident of 3000 characters is too long (at most 106)" \
	"$SOCKKIT" prefork-interp -U -g "$(printf '%03000d' 0)" perl
usage_error "--json without --list" "--json goes with --list" "$SOCKKIT" prefork-interp --json
usage_error "--list with an operand" "list takes no operand" "$SOCKKIT" prefork-interp --list perl
usage_error "--kill-all with an operand" "kill-all takes no operand" \
	"$SOCKKIT" prefork-interp --kill-all -U perl
usage_error "--list and --kill-all" "--kill, --list and --kill-all exclude each other" \
	"$SOCKKIT" prefork-interp --list --kill-all
usage_error "--kill and --list" "--kill, --list and --kill-all exclude each other" \
	"$SOCKKIT" prefork-interp --kill --list -U perl
SOCKKIT_PREFORK_TIMEOUT=soon run "$SOCKKIT" prefork-interp -U perl
ok '[ "$rc" -eq 2 ]' "bad SOCKKIT_PREFORK_TIMEOUT: usage error"
run "$SOCKKIT" prefork-interp -U -E
ok '[ "$rc" -eq 2 ]' "-E without its argument: usage error"

# --- the invocation forms ---------------------------------------------------
printf '%s\n' "$body" >"$T/plain.sh"

# server_of CMD...: the server pid that ran the call (noted for stopping).
server_of() {
	"$@" >/dev/null 2>"$T/err2" </dev/null
	_s=$(sed -n 's/^server=//p' "$T/err2")
	note_server "$_s"
	echo "$_s"
}
# form NAME CMD...: a call of $body with arguments a, 'b c', '': its
# status and arguments right.
form() {
	_name=$1
	shift
	run "$@" a 'b c' ''
	note_server "$(sed -n 's/^server=//p' "$T/err")"
	ok '[ "$rc" -eq 7 ] && [ "$(cat "$T/out")" = "$want" ]' "$_name: exit status and arguments"
}
mini_script "$T/d.sh" dispatch "$body"
mini_script "$T/l.sh" link "$body"
printf '#!%s -U %s %s\n%s\n' "$PFI" "$PY" "$MINI" "$body" >"$T/sp.sh"
printf '#!%s -U,-E,PFIVAR,%s,%s\n%s\n' "$PFI" "$PY" "$MINI" "$body" >"$T/e.sh"
for g in x y; do
	printf '#!%s -U,-G,%s,%s,%s\n%s\n' "$PFI" "$g" "$PY" "$MINI" "$body" >"$T/g$g.sh"
done
chmod +x "$T"/*.sh

form "sockkit prefork-interp ..." "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh"
form "a link named prefork-interp" "$PFI" -U "$PY" "$MINI" "$T/plain.sh"
form "#!sockkit-link prefork-interp -U python3 MINI" "$T/d.sh"
form "#!prefork-interp -U,python3,MINI" "$T/l.sh"
form "#!prefork-interp -U python3 MINI (spaces)" "$T/sp.sh"
form "#!prefork-interp -U,-E,VAR,python3,MINI" env PFIVAR=1 "$T/e.sh"
form "#!prefork-interp -U,-G,x,python3,MINI" "$T/gx.sh"

# --- what the ident depends on ------------------------------------------------
s1=$(server_of "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh")
same "$(server_of "$PFI" -U "$PY" "$MINI" "$T/plain.sh")" "$s1" "the link form: same ident, same server"
e1=$(PFIVAR=1 server_of "$T/e.sh")
same "$(PFIVAR=1 server_of "$T/e.sh")" "$e1" "-E VAR: same value, same server"
e2=$(PFIVAR=2 server_of "$T/e.sh")
differ "$e2" "$e1" "-E VAR: another value, another server"
e0=$(server_of env -u PFIVAR "$T/e.sh")
differ "$e0" "$e1" "-E VAR: unset and 1 differ"
differ "$(PFIVAR= server_of "$T/e.sh")" "$e0" "-E VAR: empty and unset differ"
gx=$(server_of "$T/gx.sh")
same "$(server_of "$T/gx.sh")" "$gx" "-G x: same string, same server"
differ "$(server_of "$T/gy.sh")" "$gx" "-G: another string, another server"
differ "$(server_of "$SOCKKIT" prefork-interp -U -G a -G b "$PY" "$MINI" "$T/plain.sh")" \
	"$(server_of "$SOCKKIT" prefork-interp -U -G b -G a "$PY" "$MINI" "$T/plain.sh")" \
	"-G order is part of the ident"
# The mini server speaks only 7.0.0: it runs every call in the directory it
# started in, so each directory has its own.
mkdir "$T/elsewhere"
differ "$(cd "$T/elsewhere" && server_of "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh")" \
	"$s1" "a 7.0.0 server: another working directory, another server"

# --- socket names, -g, modes -------------------------------------------------
run "$SOCKKIT" prefork-interp -U -g myident "$PY" "$MINI" "$T/plain.sh" a 'b c' ''
note_server "$(sed -n 's/^server=//p' "$T/err")"
ok '[ "$rc" -eq 7 ] && [ -S "$RUNDIR/smyident" ]' "-g IDENT: runs, the socket is s<IDENT>"
run "$SOCKKIT" prefork-interp -U -g "$g106" "$PY" "$MINI" "$T/plain.sh"
note_server "$(sed -n 's/^server=//p' "$T/err")"
ok '[ "$rc" -eq 7 ] && [ -S "$RUNDIR/s$g106" ]' "-g of 106 characters: runs"
is "$(stat -c %a "$RUNDIR")" 700 "run directory is 0700"
# Hash names: the script ident (64 hex), and for a 7.0.0 server a dot and
# the directory ident (16 hex); never cut.
bad=
for sock in $(ls "$RUNDIR" | grep '^s' | grep -v -e '^smyident$' -e "^s$g106\$"); do
	printf '%s\n' "$sock" | grep -Eq '^s[0-9a-f]{64}(\.[0-9a-f]{16})?$' || bad="$bad $sock"
done
is "$bad" "" "hash names: SHA-256 hex, and .DIR for 7.0.0 servers"
(umask 0; "$SOCKKIT" prefork-interp -U -g umask0 "$PY" "$MINI" "$T/plain.sh" >/dev/null 2>"$T/err3" </dev/null)
note_server "$(sed -n 's/^server=//p' "$T/err3")"
is "$(stat -c %a "$RUNDIR/sumask0")" 600 "socket is 0600 even with umask 0"

# --- long run directory paths: sockets are named relative to it -------------
# deep_dir LENGTH: a private directory whose path is about LENGTH long.
deep_dir() {
	_d=$T/deep$1
	while [ ${#_d} -lt "$1" ]; do
		_d=$_d/$(printf '%0200d' 0)
	done
	mkdir -p "$_d" && chmod 700 "$_d" && echo "$_d"
}
for len in 300 3000; do
	long=$(deep_dir $len)
	XDG_RUNTIME_DIR=$long run "$SOCKKIT" prefork-interp -U "$PY" "$MINI" "$T/plain.sh" a 'b c' ''
	note_server "$(sed -n 's/^server=//p' "$T/err")"
	ok '[ "$rc" -eq 7 ] && [ "$(cat "$T/out")" = "$want" ]' "run directory of ${#long} characters: runs"
	XDG_RUNTIME_DIR=$long run "$SOCKKIT" prefork-interp -U -g "$(printf '%03000d' 0)" "$PY" "$MINI" "$T/plain.sh"
	ok '[ "$rc" -eq 2 ]' "run directory of ${#long} characters, -g of 3000: a usage error"
	rm -f "$long/sockkit-prefork"/s*
done

stop_servers
done_testing
