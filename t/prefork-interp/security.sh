#!/bin/sh
# prefork-interp against other local users (prefork-interp(1), SECURITY):
# which run directory a client trusts (a symlinked, foreign-owned or open
# one, a foreign XDG_RUNTIME_DIR as root keeps it after su, squatted
# fallbacks, and the message when every candidate is squatted), what it
# never deletes (non-sockets named like sockets, links, other owners'
# sockets), and the swap of the run directory between the client's checks
# and its deletions, held open by an LD_PRELOAD shim.
#
# The fallbacks are the password database's home and /tmp: every case runs
# in a private mount namespace, with a copy of /etc/passwd that gives root
# and a test user (a uid of its own, no other entry) homes inside $T, and an
# empty /run/user.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

shim=${1:?usage: security.sh SHIM.so}
host=$(uname -n)
if ! unshare -m true 2>/dev/null; then
	skip "run directory choice" "no mount namespace (unshare -m)"
	done_testing
fi
if nobody_cannot_run "run directories of an ordinary user"; then
	done_testing
fi
# A uid no one has, per run (two runs of the suite at once).
TUID=$((50000 + $$ % 10000))
chmod 711 "$T"
trap 'rm -rf "$T" "/tmp/sockkit-prefork-$TUID" "/tmp/sockkit-prefork-$((TUID + 10000))"' EXIT
sed "s|^root:\\([^:]*\\):0:0:\\([^:]*\\):[^:]*:|root:\\1:0:0:\\2:$T/roothome:|" /etc/passwd >"$T/passwd"
echo "pfitest:x:$TUID:$TUID::$T/tuhome:/bin/sh" >>"$T/passwd"
mkdir -m 700 "$T/roothome"
mkdir -m 755 "$T/tuhome"
chown "$TUID" "$T/tuhome"
printf '%s\n' 'echo "server=$MINI_SERVER_PID" >&2; echo ran; exit 7' >"$T/plain.sh"
chmod 644 "$T/plain.sh"
unset XDG_RUNTIME_DIR

# sandboxed [-u] CMD...: CMD in the private mount namespace (-u: as the
# test user), without XDG_RUNTIME_DIR unless the caller sets XDG.
sandboxed() {
	_as=
	if [ "$1" = -u ]; then
		_as="setpriv --reuid=$TUID --regid=$TUID --clear-groups"
		shift
	fi
	bounded 30 unshare -m sh -c '
		mount --bind "$1" /etc/passwd || exit 125
		[ ! -d /run/user ] || mount -t tmpfs -o mode=755 tmpfs /run/user || exit 125
		shift
		exec "$@"' sh "$T/passwd" $_as env ${XDG:+XDG_RUNTIME_DIR="$XDG"} "$@"
}
# call [-u] IDENT: plain.sh through the mini server under -g IDENT.
call() {
	_u=
	[ "$1" = -u ] && _u=-u && shift
	run sandboxed $_u "$SOCKKIT" prefork-interp -U -g "$1" "$PY" "$MINI" "$T/plain.sh"
	note_server "$(sed -n 's/^server=//p' "$T/err")"
}
# served_from IDENT DIR NAME: the call ran, and its socket is in DIR.
served_from() {
	_id=$1 _dir=$2
	ok '[ "$rc" -eq 7 ] && [ -S "$_dir/s$_id" ]' "$3"
	[ "$rc" -eq 7 ] || diag "$(cat "$T/err")"
	rm -f "$_dir/s$_id"
}

# --- root: which XDG_RUNTIME_DIR it trusts --------------------------------
mkdir -m 700 "$T/xdg" "$T/xdg2" "$T/foreign" "$T/open"
chown 65534 "$T/foreign"
chmod 750 "$T/open"
ln -s "$T/xdg2" "$T/xdglink"
roothome=$T/roothome/.sockkit-prefork/$host

XDG=$T/xdg call a
served_from a "$T/xdg/sockkit-prefork" "XDG_RUNTIME_DIR ours, 0700: used"
XDG=$T/foreign call b
served_from b "$roothome" "XDG_RUNTIME_DIR of another user (root after su): the home from passwd instead"
is "$(ls -A "$T/foreign")" "" "... and nothing made in the other user's directory"
is "$(stat -c '%a %u' "$T/roothome/.sockkit-prefork" "$roothome" | paste -sd' ')" "700 0 700 0" \
	"... ~/.sockkit-prefork/HOST, made 0700"
XDG=$T/xdglink call c
served_from c "$roothome" "XDG_RUNTIME_DIR a symbolic link: not used"
is "$(ls -A "$T/xdg2")" "" "... nothing made where it points"
XDG=$T/xdglink/ call c2
served_from c2 "$roothome" "XDG_RUNTIME_DIR a symbolic link with a trailing slash: not used"
XDG=$T/open call d
served_from d "$roothome" "XDG_RUNTIME_DIR open to its group: not used"
XDG=xdg call e
served_from e "$roothome" "XDG_RUNTIME_DIR relative: not used"

# sockkit-prefork in a trusted XDG_RUNTIME_DIR that is not ours alone.
mkdir -m 700 "$T/x1" "$T/x2" "$T/x3" "$T/target"
ln -s "$T/target" "$T/x1/sockkit-prefork"
mkdir -m 700 "$T/x2/sockkit-prefork"
chown 65534 "$T/x2/sockkit-prefork"
mkdir -m 755 "$T/x3/sockkit-prefork"
XDG=$T/x1 call f
served_from f "$roothome" "XDG_RUNTIME_DIR/sockkit-prefork a symbolic link: passed over"
is "$(ls -A "$T/target")" "" "... nothing made where it points"
XDG=$T/x2 call g
served_from g "$roothome" "XDG_RUNTIME_DIR/sockkit-prefork of another user: passed over"
XDG=$T/x3 call h
served_from h "$roothome" "XDG_RUNTIME_DIR/sockkit-prefork mode 0755: passed over"
is "$(ls -A "$T/x2/sockkit-prefork" "$T/x3/sockkit-prefork" | grep -c .)" 2 \
	"... nothing made in either (two listing headers, no files)"
stop_servers_in() {
	rm -f "$1"/s*
	stop_servers
}
stop_servers_in "$roothome"

# --- an ordinary user: home from passwd, then /tmp, then nothing --------------
tuhome=$T/tuhome/.sockkit-prefork/$host
tmpdir=/tmp/sockkit-prefork-$TUID
call -u i
served_from i "$tuhome" "no XDG_RUNTIME_DIR, no /run/user/UID: ~/.sockkit-prefork/HOST from passwd"
is "$(stat -c '%a %u' "$T/tuhome/.sockkit-prefork" "$tuhome" | paste -sd' ')" "700 $TUID 700 $TUID" \
	"... made 0700, the user's"
chmod 777 "$tuhome"
call -u j
served_from j "$tmpdir" "~/.sockkit-prefork/HOST open to others: /tmp/sockkit-prefork-UID instead"
is "$(stat -c '%a %u' "$tmpdir")" "700 $TUID" "... made 0700, the user's"
chmod 700 "$tuhome"
chmod 777 "$T/tuhome"
call -u k
served_from k "$tmpdir" "a home others may write to (not sticky): passed over"
chmod 755 "$T/tuhome"
stop_servers_in "$tmpdir"
stop_servers_in "$tuhome"

# --- a user only nscd knows (LDAP behind nscd, say): the home it gives -------
# In the sandbox a tmpfs over /var/run holds a fake nscd that knows NUID, a
# user passwd lacks: the C library (glibc's NSS; the static build's own
# getpwuid, which asks nscd as musl's does) must ask it.
NUID=$((TUID + 10000))
mkdir -m 755 "$T/nhome"
chown "$NUID" "$T/nhome"
mkfifo "$T/nscd.ready"
nscd_sandboxed() {
	bounded 30 unshare -m sh -c '
		mount --bind "$1" /etc/passwd || exit 125
		mount -t tmpfs -o mode=755 tmpfs /var/run && mkdir /var/run/nscd || exit 125
		"$2" "$3" /var/run/nscd/socket "$4" nscduser "$5" >"$6" &
		fake=$!
		read -r ready <"$6"
		shift 6
		"$@"
		rc=$?
		kill "$fake"
		exit "$rc"' sh "$T/passwd" "$PY" "$PFI_T/fakenscd.py" "$NUID" "$T/nhome" "$T/nscd.ready" \
		setpriv --reuid="$NUID" --regid="$NUID" --clear-groups "$@"
}
run nscd_sandboxed "$SOCKKIT" prefork-interp -U -g o "$PY" "$MINI" "$T/plain.sh"
note_server "$(sed -n 's/^server=//p' "$T/err")"
served_from o "$T/nhome/.sockkit-prefork/$host" \
	"a user only nscd knows: ~/.sockkit-prefork/HOST, the home nscd gives"
stop_servers_in "$T/nhome/.sockkit-prefork/$host"

# Every candidate squatted: the call fails, naming each, and runs nothing.
mkdir -m 700 "$T/xdgu"
chown 65534 "$T/xdgu" "$tuhome"
chown 65534 "$tmpdir"
XDG=$T/xdgu call -u l
is "$rc:$(cat "$T/out")" "127:" "every run directory squatted: 127, nothing run"
is "$(cat "$T/err")" "prefork-interp: no run directory that is ours alone: $T/xdgu: owned by uid 65534, not by us (uid $TUID); /run/user/$TUID: No such file or directory; $tuhome: owned by uid 65534, not by us (uid $TUID); $tmpdir: owned by uid 65534, not by us (uid $TUID)" \
	"every run directory squatted: the message names each"
chown "$TUID" "$tuhome" "$tmpdir"

# --- what is never deleted ----------------------------------------------------
run_dir=$T/xdg/sockkit-prefork
mkdir -p "$T/victim"
: >"$T/victim/file"
: >"$run_dir/sfile"
mkfifo "$run_dir/sfifo"
mkdir "$run_dir/sdir"
ln -s "$T/victim/file" "$run_dir/slink"
: >"$run_dir/sown"
XDG=$T/xdg call own
is "$rc:$(cat "$T/err")" "127:prefork-interp: refusing $run_dir/sown: not a socket" \
	"a file at the call's socket path: refused, 127"
XDG=$T/xdg call m
XDG=$T/xdg run sandboxed "$SOCKKIT" prefork-interp --list
XDG=$T/xdg run sandboxed "$SOCKKIT" prefork-interp --kill-all
is "$(ls "$run_dir" | paste -sd' ')" "sdir sfifo sfile slink sown" \
	"a cold start's cleaning, --list and --kill-all: no file, FIFO, directory or link named like a socket deleted"
ok '[ -f "$T/victim/file" ]' "... nor what a link points to"
rm -rf "$run_dir"/s*

# A socket of another user in the user's own directory: the user could
# delete it (the directory is theirs), and does not.
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$tuhome/sroot"
chmod 600 "$tuhome/sroot"
call -u n
run sandboxed -u "$SOCKKIT" prefork-interp --list
run sandboxed -u "$SOCKKIT" prefork-interp --kill-all
ok '[ -S "$tuhome/sroot" ]' "a socket of another user in the run directory: never deleted"
is "$(ls "$tuhome")" sroot "... while the user's own are"

# --- the swap: the run directory replaced between the checks and the deletions
# A directory of another user (65534) on the path of root's trusted
# XDG_RUNTIME_DIR: when the client is about to delete a stale socket (the
# shim holds it there), that user moves the run directory away and puts a
# link to a victim directory in its place.  The client goes on in the
# directory it opened; the victim's files stay.
if [ -n "${SOCKKIT_UNDER_VALGRIND:-}" ]; then
	skip "the swap" "the shim does not run under valgrind"
	stop_servers
	done_testing
fi
if is_static "$SOCKKIT"; then
	skip "the swap" "$SOCKKIT is statically linked: the LD_PRELOAD shim cannot reach it"
	stop_servers
	done_testing
fi
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS
mkdir -m 755 "$T/att"
mkdir -m 700 "$T/att/xdg" "$T/att/xdg/sockkit-prefork" "$T/pause"
chown 65534 "$T/att"
"$PY" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$T/att/xdg/sockkit-prefork/sswap"
chmod 600 "$T/att/xdg/sockkit-prefork/sswap"
mkdir -p "$T/victim/sockkit-prefork"
: >"$T/victim/sockkit-prefork/sswap"
: >"$T/victim/sockkit-prefork/lswap"
mkfifo "$T/pause/paused" "$T/pause/go"
XDG=$T/att/xdg sandboxed env PFI_SHIM_PAUSE="$T/pause" LD_PRELOAD="$shim" \
	"$SOCKKIT" prefork-interp -U -g swap "$PY" "$MINI" "$T/plain.sh" \
	>"$T/swap.out" 2>"$T/swap.err" </dev/null &
client=$!
is "$(bounded 10 cat "$T/pause/paused")" paused "the swap: the client holds before deleting"
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
	'mv "$1/xdg" "$1/moved" && ln -s "$2" "$1/xdg"' sh "$T/att" "$T/victim"
is "$(readlink "$T/att/xdg")" "$T/victim" "the swap: made, as the other user"
bounded 10 sh -c 'echo go >"$1"' sh "$T/pause/go"
wait "$client"
rc=$?
note_server "$(sed -n 's/^server=//p' "$T/swap.err")"
is "$rc:$(cat "$T/swap.out")|$(grep -v '^server=' "$T/swap.err")" "7:ran|" "the swap: the call runs"
is "$(ls "$T/victim/sockkit-prefork" | paste -sd' ')" "lswap sswap" "the swap: nothing deleted or made in the victim"
ok '[ -S "$T/att/moved/sockkit-prefork/sswap" ]' "the swap: the server's socket is in the directory the client opened"

stop_servers_in "$T/att/moved/sockkit-prefork"
done_testing
