#!/bin/sh
# The Log view (issue 16): log lines and warnings show during the run, not
# only after the dashboard closes; it follows new lines, scrolls back, and
# every line is still printed to stderr at the end.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[user U]
wait = constant 0.05

[task ok]
path = /ok

[task bad]
weight = 1
path = /status/500
EOI

tui_run 100 30 -- -f "$T/s.ini" -u 3 -r 3 --autostart \
    --threshold 'fail_ratio < 1%' --threshold-abort --threshold-grace 2s
tui_wait "RUNNING"
tui_keys 5
tui_wait "\[5 Log\]"
# during the run: the runner's lines
tui_wait "INFO/cicada.runner: Ramping to 3 users at a rate of 3.00 per second"
tui_wait "All users spawned"
tui_screen | grep -q "RUNNING" || fail "the run was over before its log lines showed"
echo "Log view during the run: ramping and spawned lines"
# a warning during the run (the threshold stops it), on screen before quitting
tui_wait "WARNING/cicada.main: Threshold failed: fail_ratio < 1%" 20
tui_wait "STOPPED" 20
# l also opens it; Home goes to the oldest line, End follows again
tui_keys 1
tui_wait "\[1 Statistics\]"
tui_keys l
tui_wait "\[5 Log\]"
tui_wait "^Log: [0-9]+ lines, newest last"
tui_keys q
tui_exited 3
tui_all | grep -q "Threshold failed: fail_ratio < 1%" || fail "the warning is not printed at the end"
tui_kill
echo "warning shown in the Log view while the dashboard is up; printed at the end too"
