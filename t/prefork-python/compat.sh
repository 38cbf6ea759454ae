#!/bin/sh
# The pairings that must stay chiark-utils 7.0.0: sockkit's client with a
# server that sends empty xdata (Debian's Perl module, or a strict 7.0.0
# recorder) sends exactly the 7.0.0 request; Debian's own client works with
# sockkit_prefork (which then greets with empty xdata).
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"

# A strict 7.0.0 server: what exactly did sockkit's client send?
for f in $FORMS; do
	bang=$(bang "$f")
	printf '%s\nimport sys; sys.argv[1:] = ["%s"]\nexec(open("%s").read())\n' \
		"$bang" "$T/rec-$f" "$T_SRC/prefork-python/strict700.py" >"$T/$f-strict.py"
	chmod +x "$T/$f-strict.py"
	run "$T/$f-strict.py" one two
	is_rc 3 "$f: strict 7.0.0 server: its status"
	is "$(cat "$T/rec-$f")" "env v1 sockkit-x1 signalling 00 fds 3 extra 0 argv $PYI $T/$f-strict.py one two" \
		"$f: empty xdata: 7.0.0 request only (byte 00, 3 fds, nothing after)"
done

# Debian's Perl script side through sockkit's client.
if perl -MProc::Prefork::Interp -e1 2>/dev/null; then
	for f in $FORMS; do
		case $f in
		A) bang="#!$T/sockkit prefork-interp -U perl" ;;
		B) bang="#!$T/prefork-interp -U,perl" ;;
		esac
		cat >"$T/$f-perl.pl" <<PL
$bang
use strict;
use POSIX ();
use Proc::Prefork::Interp;
prefork_initialisation_complete();
print "perl args: \$ARGV[2] \$ARGV[3]\n";
STDOUT->flush();
POSIX::_exit(5);
PL
		chmod +x "$T/$f-perl.pl"
		run "$T/$f-perl.pl" x y
		is "$(cat "$T/out")" "perl args: x y" "$f: Perl module: output"
		is_rc 5 "$f: Perl module: status"
		run "$T/$f-perl.pl" x z
		is "$(cat "$T/out")" "perl args: x z" "$f: Perl module: warm call"
	done
else
	skip "Perl module pairing" "Proc::Prefork::Interp not installed (chiark-scripts)"
fi

# Debian's 7.0.0 client with sockkit_prefork.
if [ -x /usr/bin/prefork-interp ]; then
	mkdir "$T/deb"
	printf '#!/usr/bin/prefork-interp -U,%s\n' "$PYI" >"$T/deb/d.py"
	cat >>"$T/deb/d.py" <<PY
import sockkit_prefork, os, sys
sockkit_prefork.initialisation_complete(log="$T/log")
print("debian", sys.argv[1:], os.getppid())
sys.exit(int(sys.argv[1]))
PY
	chmod +x "$T/deb/d.py"
	cd "$T/deb"
	run "$T/deb/d.py" 4
	is_rc 4 "Debian client: status"
	like "$(cat "$T/out")" "^debian \['4'\] [0-9]+$" "Debian client: output"
	server=$(cut -d' ' -f3 "$T/out")
	run "$T/deb/d.py" 0
	is "$(cut -d' ' -f3 "$T/out")" "$server" "Debian client: warm call, same server"
	run "$T/deb/d.py" 6
	is_rc 6 "Debian client: warm status"
	/usr/bin/prefork-interp --kill -U "$PYI" "$T/deb/d.py"
	ok 'wait_gone "$server"' "Debian client: --kill stops it"
	cd "$T"
else
	skip "Debian client pairing" "/usr/bin/prefork-interp not installed (chiark-utils-bin)"
fi

done_testing
