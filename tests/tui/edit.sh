#!/bin/sh
# Editing a running test: e changes the user count and the target sees the
# new concurrency; + and - step the users; --autostart skips the panel;
# q while running asks first, and n keeps the test going.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[task slow]
path = /delay/300
EOI

tui_run 100 30 TERM=xterm-256color -- -f "$T/s.ini" -u 2 -r 100 --autostart
tui_wait "RUNNING +users 2/2"
tui_screen | grep -q "Start new load test" && fail "--autostart showed the start panel"
c=$(tui_concurrency 1.5)
[ "$c" = 2 ] || fail "2 users: the target saw $c requests at once"
echo "2 users: target concurrency $c"

tui_keys e
tui_wait "Edit running load test"
tui_keys C-u 6 Enter
tui_gone "Edit running load test"
tui_wait "RUNNING +users 6/6"
c=$(tui_concurrency 1.5)
[ "$c" = 6 ] || fail "edited to 6 users: the target saw $c requests at once"
echo "e -> 6 users: target concurrency $c"

tui_keys +
tui_wait "users 7/7"
tui_keys + +
tui_wait "users 9/9"
c=$(tui_concurrency 1.5)
[ "$c" = 9 ] || fail "+ + + to 9 users: the target saw $c requests at once"
echo "+ + + -> 9 users: target concurrency $c"
tui_keys -
tui_wait "users 8/8"
echo "- -> 8 users"

# a bad value in the edit dialog is refused with the option's own message
tui_keys e
tui_wait "Edit running load test"
tui_keys C-u x Enter
tui_wait "bad value \"x\" for users"
tui_keys Escape
tui_gone "Edit running load test"
tui_wait "users 8/8"
echo "bad value refused, Esc cancels"

# q asks while a test runs; n keeps running, y stops and quits
tui_keys q
tui_wait "Stop it and quit\?"
tui_keys n
tui_gone "Stop it and quit\?"
tui_wait "RUNNING"
tui_keys q
tui_wait "Stop it and quit\?"
tui_keys y
tui_exited 0 15
tui_restored "q, y"
tui_all | grep -q "Ramping to 6 users" || fail "the log lines kept during the dashboard were not printed"
echo "q asks, n keeps running, y quits with the final tables"
