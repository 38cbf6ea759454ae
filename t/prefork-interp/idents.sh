#!/bin/sh
# One server per script: the ident takes the script's canonical name (./x
# and /abs/x are one script), and the working directory only for servers
# that speak 7.0.0 alone (Debian's Perl module runs every call in the
# directory of the call that started it); a sockkit-x1 server (Python's
# sockkit_prefork) serves every directory.  The server shows the script's
# canonical name.
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

mkdir "$T/d1" "$T/d2" "$T/real"
ln -s real "$T/dirlink"

# server_in DIR CMD...: the line a call made from DIR prints.
server_in() {
	_dir=$1
	shift
	(cd "$_dir" && "$@" 2>"$T/err" </dev/null)
}

# --- Perl: Debian's Proc::Prefork::Interp (7.0.0) ----------------------------
if ! perl -MProc::Prefork::Interp -e 1 2>/dev/null; then
	skip "Perl server" "perl module missing (apt-get install chiark-scripts libio-fdpass-perl)"
else
	cat >"$T/real/x.pl" <<EOF
#!$PFI -U,perl
use strict;
use Cwd ();
use POSIX ();
use Proc::Prefork::Interp;
prefork_initialisation_complete();
$| = 1;
open my \$st, "<", "/proc/" . getppid() . "/stat" or die;
my (\$srv) = (scalar <\$st>) =~ m/\\) \\S+ (\\d+)/;
print "\$srv ", Cwd::getcwd(), " \$0\\n";
POSIX::_exit(0);
EOF
	chmod +x "$T/real/x.pl"
	ln -s x.pl "$T/real/alias.pl"
	p1=$(server_in "$T/real" ./x.pl)
	p2=$(server_in "$T/real" "$T/real/x.pl")
	p3=$(server_in "$T/d1" ../dirlink/x.pl)
	srv=${p1%% *}
	note_server "$srv"
	note_server "${p3%% *}"
	is "$p1" "$srv $T/real $T/real/x.pl" "Perl: the server starts with the canonical name (\$0)"
	same "${p2%% *}" "$srv" "Perl: ./x.pl and /abs/x.pl, one server"
	differ "${p3%% *}" "$srv" "Perl: another directory, another server (7.0.0 runs calls where it started)"
	is "${p3#* }" "$T/d1 $T/real/x.pl" "Perl: ... which runs that directory's calls there"
	same "$(server_in "$T/d1" "$T/dirlink/x.pl" | cut -d' ' -f1)" "${p3%% *}" \
		"Perl: a directory reached through a link is the same directory"
	pa=$(server_in "$T/real" ./alias.pl)
	note_server "${pa%% *}"
	differ "${pa%% *}" "$srv" "Perl: a script reached through a link under another name is another script"
	is "${pa#* }" "$T/real $T/real/alias.pl" "Perl: ... and keeps that name"
	like "$(tr '\0' ' ' <"/proc/$srv/cmdline")" "^$T/real/x.pl \\[server\\]" \
		"Perl: ps shows the server by the script's canonical name"
	is "$(ls "$RUNDIR" | grep '^s' | grep -cv '\.')" 0 "Perl: every socket is per directory (SCRIPT.DIR)"
	stop_servers
fi

# --- Python: sockkit_prefork (sockkit-x1) --------------------------------------
if ! PYTHONPATH=$PYMOD "$PY" -c 'import sockkit_prefork' 2>/dev/null; then
	skip "Python server" "sockkit_prefork not importable from $PYMOD"
	done_testing
fi
export PYTHONPATH="$PYMOD"
cat >"$T/real/x.py" <<EOF
#!$PFI -U,$PY
import os, sys
import sockkit_prefork
sockkit_prefork.initialisation_complete()
print(os.getppid(), os.getcwd(), sys.argv[0])
EOF
chmod +x "$T/real/x.py"
q1=$(server_in "$T/real" ./x.py)
srv=${q1%% *}
note_server "$srv"
is "$q1" "$srv $T/real ./x.py" "Python: a call sees its own argv[0]"
same "$(server_in "$T/real" "$T/real/x.py" | cut -d' ' -f1)" "$srv" "Python: ./x.py and /abs/x.py, one server"
q2=$(server_in "$T/d1" ../real/x.py)
q3=$(server_in "$T/d2" "$T/dirlink/x.py")
same "${q2%% *}" "$srv" "Python: another directory, the same server (sockkit-x1)"
same "${q3%% *}" "$srv" "Python: a third directory, through a link, the same server"
same "$(server_in "$T/d1" "$T//dirlink//x.py" | cut -d' ' -f1)" "$srv" \
	"Python: doubled slashes, the same server"
same "$(server_in "$T/real" "$PFI" "-U,$PY" x.py | cut -d' ' -f1)" "$srv" \
	"Python: a bare name (x.py, from its directory), the same server"
is "${q2#* }|${q3#* }" "$T/d1 ../real/x.py|$T/d2 $T/dirlink/x.py" \
	"Python: each call runs in its caller's directory"
socks=$(ls "$RUNDIR" | grep '^s')
ok 'printf "%s\n" "$socks" | grep -Eqx "s[0-9a-f]{64}"' "Python: one socket, named by the script alone"
like "$(tr '\0' ' ' <"/proc/$srv/cmdline")" "$T/real/x.py" \
	"Python: ps shows the server with the script's canonical name"
stop_servers

# Cold calls from two directories at once: one sockkit-x1 server.
from_two_dirs() {
	if [ $(($1 % 2)) -eq 0 ]; then cd "$T/d1"; else cd "$T/d2"; fi
	"$T/real/x.py"
}
concurrent 20 "$T/cc" from_two_dirs
servers=$(cat "$T"/cc/*.out | cut -d' ' -f1 | sort -u)
for s in $servers; do
	note_server "$s"
done
is "$(printf '%s\n' "$servers" | wc -l)" 1 "20 cold calls from two directories at once: one server"
is "$(cat "$T"/cc/*.rc | sort -u)" 0 "... and every call succeeds"
stop_servers

done_testing
