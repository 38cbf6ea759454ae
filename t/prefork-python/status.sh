#!/bin/sh
# What an admin sees (issue 13): the greeting's status words (started,
# calls, last-call) for prefork-interp --list; a probe that reads the
# greeting and closes is no call (not counted, not logged, does not keep
# an idle server alive); process names; connections from another uid are
# refused (SO_PEERCRED).
. "$T_SRC/lib.sh"
. "$T_SRC/prefork-python/pylib.sh" "$@"
probe() { bounded 20 "$PYI" "$T_SRC/prefork-python/probe.py" "$@"; }

mk st "log='$T/log'" st <<'PY'
import sockkit_prefork, os
@INIT@
print(open("/proc/self/comm").read().strip(), os.getppid())
PY
mk a-rather-long-script-name "log='$T/log', idle_timeout=0.5" long <<'PY'
import sockkit_prefork, os
@INIT@
print(os.getppid())
PY

for f in $FORMS; do
	s=$T/$f-st.py
	t0=$(date +%s)
	pid=$(server_of "$s")
	t1=$(date +%s)
	sock=$RUN/sst$f
	words=$(probe "$sock")
	started=$(echo "$words" | sed -n 's/.*started=\([0-9]*\).*/\1/p')
	last=$(echo "$words" | sed -n 's/.*last-call=\([0-9]*\).*/\1/p')
	ok 'echo "$words" | grep -Eqx "sockkit-x1 started=[0-9]+ calls=1 last-call=[0-9]+"' "$f: the greeting's words: sockkit-x1 started calls last-call"
	ok '[ "$t0" -le "$started" ] && [ "$started" -le "$t1" ]' "$f: started= is the server's start"
	ok '[ "$t0" -le "$last" ] && [ "$last" -le "$t1" ]' "$f: last-call= is the call's time"
	lines=$(wc -l <"$T/log")
	"$s" >/dev/null
	"$s" >"$T/out"
	ok '[ "$(cat "$T/out")" = "$f-st.py $pid" ]' "$f: a call's process is named as in a direct run"
	probe "$sock" >/dev/null
	ok 'probe "$sock" | grep -q " calls=3 "' "$f: calls= counts calls (at once), not probes"
	ok '[ "$(wc -l <"$T/log")" -eq "$lines" ]' "$f: probes and calls leave no log line"
	ok '[ "$(cat /proc/$pid/comm)" = "pf:$f-st.py" ]' "$f: the server is named pf:SCRIPT"
	ok '[ "$(ps -o comm= --ppid "$pid" | sort -u)" = "pf:$f-st.py" ]' "$f: ... and so are its spares"

	s=$T/$f-a-rather-long-script-name.py
	pid=$(server_of "$s")
	ok '[ "$(cat /proc/$pid/comm)" = "pf:$f-a-rather-l" ]' "$f: a long name is cut at 15 bytes"
	sock=$RUN/slong$f
	ok 'probe "$sock" 10 | grep -q "^refused after"' "$f: probes every 0.1 s do not keep an idle server alive"
	ok 'wait_gone "$pid"' "$f: ... it quit after idle_timeout"
done

# Another user who can reach the socket (modes opened up on purpose): the
# server checks SO_PEERCRED and closes the connection before greeting.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	s=$T/A-st.py
	pid=$(server_of "$s")
	sock=$RUN/sstA
	chmod 711 "$T" "$T/run" "$RUN"
	chmod 666 "$sock"
	out=$(bounded 20 setpriv --reuid 65534 --regid 65534 --clear-groups \
		"$PYI" "$T_SRC/prefork-python/probe.py" "$sock" 2>&1)
	chmod 700 "$T" "$T/run" "$RUN"
	chmod 600 "$sock"
	ok '[ "$out" = EOF ]' "uid 65534 gets no greeting"
	ok 'grep -q "warning: refused a connection from uid 65534" "$T/log"' "... and the refusal is logged"
	ok '[ "$(server_of "$s")" = "$pid" ]' "... and the server serves its user on"
else
	skip "another uid is refused" "needs root and setpriv"
fi
ok log_clean "no traceback or error in the server log"

done_testing
