#!/bin/sh
# prefork-interp against Debian's Proc::Prefork::Interp (chiark-scripts),
# unchanged, through every invocation form.  The scripts end with
# POSIX::_exit: the module itself reports a normal exit as SIGINT most of the
# time (its monitor sees EXECTERM close during global destruction).
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-interp/pfi-lib.sh"

if ! perl -MProc::Prefork::Interp -e 1 2>/dev/null; then
	skip "Proc::Prefork::Interp" "perl module missing (apt-get install chiark-scripts libio-fdpass-perl)"
	done_testing
fi

perl_body='use strict;
use POSIX ();
use Proc::Prefork::Interp;
prefork_initialisation_complete();
$| = 1;
my $mon = getppid();
open my $st, "<", "/proc/$mon/stat" or die;
my ($srv) = (scalar <$st>) =~ m/\) \S+ (\d+)/;
open my $log, ">>", $ENV{T_LOG} or die;
print $log "server=$srv\n";
close $log;
my ($interp, $script, $case, @a) = @ARGV;
if ($case eq "args") {
	print "argv0=$interp\n";
	print "[$_]\n" for @a;
} elsif ($case eq "warn") {
	print "W=$^W\n";
} elsif ($case eq "env") {
	print $ENV{FOO} // "unset", "\n";
} elsif ($case eq "stdio") {
	print "out\n";
	print STDERR "err\n";
	print while <STDIN>;
} elsif ($case eq "exit") {
	POSIX::_exit($a[0]);
} elsif ($case eq "signal") {
	kill $a[0], $$;
	sleep 5;
} elsif ($case eq "fds") {
	my @l = map { readlink "/proc/self/fd/$_" } 0, 1, 2;
	open my $o, ">&=", $a[0] or die;
	print $o "$_\n" for @l;
	close $o;
} elsif ($case eq "sleep") {
	open my $p, ">", $a[0] or die;
	print $p "$$\n";
	close $p;
	sleep 30;
}
POSIX::_exit(0);'

export T_LOG="$T/log"
cd "$T" || exit 1
printf '%s\n' "$perl_body" >"$T/plain.pl"
printf '#!%s prefork-interp -U perl\n%s\n' "$T/sockkit-link" "$perl_body" >"$T/d.pl"
printf '#!%s -U,perl\n%s\n' "$PFI" "$perl_body" >"$T/l.pl"
printf '#!%s -U,perl,-w\n%s\n' "$PFI" "$perl_body" >"$T/w.pl"
printf '#!%s -U,-E,PFIVAR,perl\n%s\n' "$PFI" "$perl_body" >"$T/e.pl"
printf '#!%s -U,-G,x,perl\n%s\n' "$PFI" "$perl_body" >"$T/g.pl"
chmod +x "$T"/*.pl

server_now() {
	sed -n 's/^server=//p' "$T_LOG" | tail -n 1
}

want_args="argv0=perl
[a b]
[]
[c]"

# --- every invocation form ---------------------------------------------------
run "$SOCKKIT" prefork-interp -U perl ./plain.pl args 'a b' '' c
is_rc 0 "sockkit prefork-interp -U perl: exit 0"
is_file "$T/out" "$want_args" "sockkit prefork-interp -U perl: arguments"
note_server "$(server_now)"
run "$PFI" -U perl ./plain.pl args 'a b' '' c
is_file "$T/out" "$want_args" "link named prefork-interp: arguments"
for s in d l e g; do
	run "./$s.pl" args 'a b' '' c
	is_rc 0 "$s.pl ($(sed -n '1s/^#![^ ]*\///p' "$s.pl")): exit 0"
	is_file "$T/out" "$want_args" "$s.pl: arguments"
	note_server "$(server_now)"
done
run ./w.pl warn
is_file "$T/out" "W=1" "-U,perl,-w runs perl -w"
note_server "$(server_now)"
run ./l.pl warn
is_file "$T/out" "W=0" "-U,perl runs perl without -w"

# --- environment, stdio, exit codes, signals --------------------------------
FOO='v a=l' run ./l.pl env
is_file "$T/out" "v a=l" "env: the caller's value"
run env -u FOO ./l.pl env
is_file "$T/out" "unset" "env: an unset variable is unset"

printf 'one\ntwo\n' | ./l.pl stdio >"$T/o" 2>"$T/e"
vg_clean "$T/e"
is_file "$T/o" "out
one
two" "stdio: stdin and stdout are the caller's"
is_file "$T/e" "err" "stdio: stderr is the caller's"

for code in 0 3 255; do
	run ./l.pl exit "$code"
	is_rc "$code" "exit $code relayed"
done
check_relayed_deaths ./l.pl INT:2 TERM:15 HUP:1 KILL:9
run ./l.pl signal USR1
is_rc 127 "death by SIGUSR1: 127 and a message"

rm -f "$T/pid"
mkfifo "$T/pid"
./l.pl sleep "$T/pid" >/dev/null 2>&1 </dev/null &
client=$!
exe=$(bounded 10 head -n 1 "$T/pid")
kill -TERM "$client"
wait "$client"
ok '[ -n "$exe" ] && wait_gone "$exe"' "client killed: the Perl executor ends too (Debian's module)"

# --- 50 concurrent calls ------------------------------------------------------
stop_servers
: >"$T_LOG"
concurrent 50 "$T/cc" ./l.pl args
bad=0
i=0
while [ $i -lt 50 ]; do
	[ "$(cat "$T/cc/$i.out")" = "argv0=perl
[$i]" ] && [ "$(cat "$T/cc/$i.rc")" = 0 ] || bad=$((bad + 1))
	i=$((i + 1))
done
is "$bad" 0 "50 concurrent cold calls: each output and status right"
is "$(sed -n 's/^server=//p' "$T_LOG" | sort -u | wc -l)" 1 "50 concurrent cold calls: one server"
srv=$(server_now)
note_server "$srv"

# --- -f, --kill, reload, deletion -------------------------------------------
run "$SOCKKIT" prefork-interp -f -U perl ./l.pl exit 4
is_rc 4 "-f: runs"
new=$(server_now)
note_server "$new"
differ "$new" "$srv" "-f: a fresh server"
ok 'wait_gone "$srv"' "-f: the old server quits"

run "$SOCKKIT" prefork-interp --kill -U perl ./l.pl
is_rc 0 "--kill: exit 0"
ok 'wait_gone "$new"' "--kill: the server quits"

run ./l.pl exit 0
old=$(server_now)
note_server "$old"
touch ./l.pl
run ./l.pl exit 5
is_rc 5 "script changed: the call runs"
new=$(server_now)
note_server "$new"
differ "$new" "$old" "script changed: a reloaded server"
ok 'wait_gone "$old"' "script changed: the old server is gone"

rm -f "$RUNDIR"/s*
ok 'wait_gone "$new"' "socket deleted: the Perl server quits"

# --- fixed defects, with the Perl module ---------------------------------------
if ! under_valgrind "closed stdio fds"; then
	./l.pl fds 2 <&- 2>"$T/e" >/dev/null
	is "$(head -n 1 "$T/e")" /dev/null "cold, fd 0 closed: the script's stdin is /dev/null"
	note_server "$(server_now)"
	./l.pl fds 2 2>"$T/e" >&- </dev/null
	is "$(sed -n 2p "$T/e")" /dev/null "fd 1 closed: the script's stdout is /dev/null"
fi
stop_servers

out=$( (bounded 20 ./l.pl args leak 3>&1 | cat) 2>&1)
is "$out" "argv0=perl
[leak]" "cold start with 3>&1 | cat: no hang"
note_server "$(server_now)"

stop_servers
done_testing
