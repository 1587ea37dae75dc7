#!/bin/sh
# Signals give the terminal back: Ctrl-C (SIGINT) and SIGTERM stop the test
# and print the final tables with exit status 130 and 143; a crash
# (SIGSEGV) restores the terminal before dying; a hangup (the pane, like an
# SSH session, goes away) stops the run cleanly and still writes the final
# tables, with exit status 129.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[task t]
path = /delay/20
EOI

# Ctrl-C
tui_run 100 30 -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "^GET +/delay/20 +[0-9]+"
[ "$(tui_alt)" = 1 ] || fail "the dashboard is not on the alternate screen"
tui_keys C-c
tui_exited 130 15
tui_restored Ctrl-C
tui_all | grep -q "KeyboardInterrupt" || fail "Ctrl-C: no KeyboardInterrupt line"
echo "Ctrl-C: exit 130, terminal restored, final tables"
tui_kill

# SIGTERM
tui_run 100 30 -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "^GET +/delay/20 +[0-9]+"
tui_signal TERM
tui_exited 143 15
tui_restored SIGTERM
tui_all | grep -q "Got SIGTERM signal" || fail "SIGTERM: no 'Got SIGTERM signal'"
echo "SIGTERM: exit 143, terminal restored, final tables"
tui_kill

# a crash
tui_run 100 30 -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "^GET +/delay/20 +[0-9]+"
tui_signal SEGV
tui_exited 139 15
[ "$(tui_alt)" = 0 ] || fail "SIGSEGV: the alternate screen is still on"
echo "SIGSEGV: terminal restored before dying (exit 139)"
tui_kill

# a hangup: the pane goes away while the test runs (cicada leads the
# pane's session, as a login shell's child does, so the hangup reaches it)
tui_start 100 30 "exec env LANG=C.UTF-8 TERM=tmux-256color '$CICADA' -f '$T/s.ini' -u 2 -r 2 --autostart 2>'$T/hup.err'"
tui_wait "^GET +/delay/20 +[0-9]+"
pid=$(tui display-message -p '#{pane_pid}')
tui kill-pane
i=0
while kill -0 "$pid" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 150 ] || fail "SIGHUP: cicada did not finish within 15 s"
    sleep 0.1
done
grep -q "Got SIGHUP signal" "$T/hup.err" || fail "SIGHUP: no 'Got SIGHUP signal'"
grep -q "Shutting down (exit code 129)" "$T/hup.err" || fail "SIGHUP: no 'Shutting down (exit code 129)'"
grep -q "Response time percentiles (approximated)" "$T/hup.err" || fail "SIGHUP: no final tables"
echo "SIGHUP: clean stop, exit code 129, final tables written"

# the start panel: SIGTERM before any test; terminal restored, exit 143
tui_run 100 30 -- -f "$T/s.ini" -u 2 -r 2
tui_wait "Start new load test"
tui_signal TERM
tui_exited 143 15
[ "$(tui_alt)" = 0 ] || fail "SIGTERM at the start panel: the alternate screen is still on"
echo "SIGTERM at the start panel: exit 143, terminal restored"
tui_kill

# a SIGWINCH and SIGPIPE storm while running: the dashboard keeps counting
tui_run 100 30 -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "^GET +/delay/20 +[0-9]+"
pid=$(tui_pid)
n=0
while [ "$n" -lt 200 ]; do
    kill -WINCH "$pid" 2>/dev/null
    kill -PIPE "$pid" 2>/dev/null
    n=$((n + 1))
done
before=$(tui_col /delay/20 3)
sleep 1.5
after=$(tui_col /delay/20 3)
[ "$(tui_alt)" = 1 ] || fail "storm: the dashboard left the screen"
[ "$after" -gt "$before" ] || fail "storm: the request count stopped at $before"
tui_keys C-c
tui_exited 130 15
[ "$(tui_alt)" = 0 ] || fail "storm: the alternate screen is still on after Ctrl-C"
echo "SIGWINCH/SIGPIPE storm: still counting ($before -> $after), Ctrl-C exit 130"
tui_kill

# stopping, then writing the reports: Ctrl-C while 10 s requests are in
# flight waits for them, a second one abandons them; the JSON report goes
# to a FIFO nobody reads: a SIGHUP abandons it (exit status stays 130, the
# signal's), and the HTML report and the final tables are whole
cat >"$T/slow.ini" <<EOI
[run]
host = $TARGET_URL

[task slow]
path = /delay/10000
EOI
mkfifo "$T/r.fifo"
tui_run 100 30 -- -f "$T/slow.ini" -u 2 -r 10 --autostart \
    --html "$T/r.html" --json "$T/r.fifo"
tui_wait "users 2/2"
pid=$(tui_pid)
tui_keys C-c
sleep 0.5
kill -0 "$pid" 2>/dev/null || fail "the first Ctrl-C did not wait for the requests in flight"
tui_keys C-c
i=0
while [ ! -s "$T/r.html" ] && kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
done
sleep 0.3
kill -0 "$pid" 2>/dev/null || fail "cicada did not wait for the FIFO's reader"
kill -HUP "$pid"
tui_exited 130 15
tui_restored reports
grep -q "</html>" "$T/r.html" || fail "reports: the HTML report is not whole"
tui_all | grep -q "cannot write .*r.fifo" || fail "reports: no message for the abandoned FIFO report"
echo "second Ctrl-C while stopping, SIGHUP while writing the reports: exit 130, HTML whole, terminal restored"
tui_kill
