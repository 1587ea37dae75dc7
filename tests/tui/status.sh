#!/bin/sh
# After the run time (issue 16): the header says STOPPED and the status line
# says the test stopped, not "stopping"; plurals agree with their numbers
# (1 user, 1 kind, 1 occurrence).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[user U]
wait = constant 5

[task bad]
path = /status/500
EOI

tui_run 100 30 -- -f "$T/s.ini" -u 1 -r 1 -t 2s --autostart
tui_wait "RUNNING +users 1/1 "
tui_wait " STOPPED " 20
tui_wait "^run time reached: stopped \(n starts a new test, q quits\)"
tui_screen | grep -q "stopping" && fail "STOPPED, but the screen still says stopping"
tui_keys 3
tui_wait "^Failures: 1 kind, 1 occurrence; most frequent first"
tui_quit 1
echo "after the run time: STOPPED, 'run time reached: stopped'; Failures: 1 kind, 1 occurrence"
