#!/bin/sh
# Terminals and locales: colour by default, none with NO_COLOR or
# --no-color (the state still reads as text); ASCII charts in the C locale,
# braille in a UTF-8 one; the dashboard runs and quits cleanly with
# TERM=xterm-256color, screen, tmux-256color and vt100.
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

# any SGR colour (30-37, 40-47, 38;5;N, 48;5;N) in the screen with attributes
has_colour() {
    tui capture-pane -p -e | grep -Pq '\x1b\[(?:[0-9]+;)*(?:3[0-7]|4[0-7]|38|48)(?:;[0-9]+)*m'
}

run_and_quit() {
    tui_wait "RUNNING"
    tui_wait "^GET +/status/503 +[0-9]+ +[1-9]"
    tui_keys s
    tui_wait "STOPPED" 15
    tui_keys q
    tui_exited 1
    tui_restored "$1"
    tui_kill
}

# colour by default ...
tui_run 100 30 TERM=xterm-256color -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "RUNNING"
has_colour || fail "no colour with TERM=xterm-256color"
echo "xterm-256color: colour on"
run_and_quit xterm-256color

# ... none with NO_COLOR ...
tui_run 100 30 TERM=xterm-256color NO_COLOR=1 -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "RUNNING"
sleep 1
has_colour && fail "colour with NO_COLOR=1"
tui_screen | grep -q "RUNNING" || fail "NO_COLOR: the state is not written out"
echo "NO_COLOR=1: no colour, state in words"
run_and_quit NO_COLOR

# ... or --no-color (NO_COLOR set but empty does not count)
tui_run 100 30 TERM=xterm-256color NO_COLOR= -- -f "$T/s.ini" -u 2 -r 2 --autostart --no-color
tui_wait "RUNNING"
sleep 1
has_colour && fail "colour with --no-color"
echo "--no-color: no colour"
run_and_quit --no-color

# C locale: ASCII charts
tui_run 100 30 LANG=C LC_ALL=C TERM=tmux-256color -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "RUNNING"
tui_keys 2
tui_wait "Total Requests per Second: +\* RPS"
sleep 3
tui_screen | grep -Eq '^ +[0-9.k]* *\|.*\*' || fail "C locale: no ASCII chart line"
tui_screen | LC_ALL=C.UTF-8 grep -qP '[^\x00-\x7f]' && fail "C locale: non-ASCII characters on the screen"
tui_keys g
tui_wait "braille charts need a UTF-8 locale"
echo "C locale: ASCII charts, nothing but ASCII on the screen"
tui_keys 1
run_and_quit "C locale"

# the terminal types people have
for term in screen tmux-256color vt100; do
    tui_run 100 30 TERM=$term -- -f "$T/s.ini" -u 2 -r 2
    tui_wait "Start new load test"
    tui_keys Enter
    run_and_quit "$term"
    echo "TERM=$term: start panel, run, stop, quit"
done

# keys come from the terminal even when standard input is redirected
tui_start 100 30 "env LANG=C.UTF-8 TERM=xterm-256color '$CICADA' -f '$T/s.ini' -u 2 -r 2 --autostart </dev/null; echo \"cicada exited with \$?\"; sleep 600"
tui_keys 3
tui_wait "\[3 Failures\]"
tui_keys 1
run_and_quit "stdin from /dev/null"
echo "stdin from /dev/null: keys read from the terminal"
