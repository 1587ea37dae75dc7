#!/bin/sh
# A terminal below 80x24 (issue 16): the essentials (state, users, RPS,
# requests and failures) still show, keys work as on a large screen (q asks
# first, visibly, and y quits), and the start panel works as one line.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[user U]
wait = constant 0.05

[task ok]
path = /ok

[task bad]
path = /status/503
EOI

# 70x20, a running test
tui_run 70 20 -- -f "$T/s.ini" -u 3 -r 10 --autostart
tui_wait "^cicada RUNNING"
tui_wait "^users 3/3 "
tui_wait "^RPS [0-9.]+ +failures/s [0-9.]+"
tui_wait "^requests [1-9][0-9]* +failures [1-9][0-9]* \([0-9.]+%\)"
tui_screen | grep -q "terminal too small: have 70x20, need 80x24" || fail "70x20: no size notice"
echo "70x20: state, users, RPS, requests and failures shown"
# q asks, visibly; n keeps running; q then y quits
tui_keys q
tui_wait "Stop the test and quit\? y: yes"
tui_keys n
tui_gone "Stop the test and quit"
tui_screen | grep -q "^cicada RUNNING" || fail "n did not keep the test running"
tui_keys q
tui_wait "Stop the test and quit\? y: yes"
tui_keys y
tui_exited 1
tui_restored "70x20, y"
tui_kill
echo "70x20: q asks (visible), n keeps running, y quits"

# the start panel on a small terminal: one line, Enter starts
tui_run 60 15 -- -f "$T/s.ini" -u 2 -r 10 -t 2s
tui_wait "Number of users \(peak concurrency\): 2_"
tui_keys 4
tui_wait "Number of users \(peak concurrency\): 4_"
tui_keys Enter
tui_wait "^users 4/4 "
tui_wait "^cicada STOPPED" 20
tui_quit 1
echo "60x15: the start panel as one line; Enter starts 4 users; q quits when stopped"
