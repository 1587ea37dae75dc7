#!/bin/sh
# A load shape in the dashboard: the header shows the stage and the time
# left of the shape, the target sees each stage's users, the test stops
# after the last stage; a change by hand (+) ends the shape.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[task slow]
path = /delay/300

[shape]
stage = 4s 2 10
stage = 4s 5 10
EOI

tui_run 120 30 TERM=xterm-256color -- -f "$T/s.ini" --autostart
tui_wait "users 2/2 +stage 1/2 +elapsed 0:0[0-9] +0:0[5-8] left"
c=$(tui_concurrency 1.2)
[ "$c" = 2 ] || fail "stage 1: the target saw $c requests at once, expected 2"
echo "stage 1: header $(tui_screen | grep -o 'users [0-9/]* *stage [0-9/]*'), target concurrency $c"
tui_wait "users 5/5 +stage 2/2" 6
c=$(tui_concurrency 1.2)
[ "$c" = 5 ] || fail "stage 2: the target saw $c requests at once, expected 5"
echo "stage 2: target concurrency $c"
tui_wait "STOPPED" 6
tui_screen | grep -q "stage [0-9]" && fail "the stage is still shown after the shape ended"
echo "the test stopped after the last stage"

# a change by hand ends the shape: no stage in the header, no stop at its end
tui_keys q
tui_exited "[0-9]+" 10
tui_kill
tui_run 120 30 TERM=xterm-256color -- -f "$T/s.ini" --autostart
tui_wait "users 2/2 +stage 1/2"
tui_keys +
tui_wait "RUNNING +users 3/3 +elapsed"
tui_screen | grep -q "stage [0-9]" && fail "the stage is still shown after a change by hand"
sleep 8
tui_screen | grep -Eq "RUNNING +users 3/3" || fail "the shape went on after a change by hand: $(tui_screen | head -2)"
echo "+ ended the shape: still 3 users after the shape's 8 s"
