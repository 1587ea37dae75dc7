#!/bin/sh
# Layout: at 80x24 the narrowest columns hide (and are named), at 100x30
# every column shows; below 80x24 a "terminal too small" screen; scrolling
# a table longer than the screen with the arrows, PgDn, End and Home, the
# Aggregated row pinned all along.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

# 40 tasks, /p/01 to /p/40
tasks=$(i=1; while [ $i -le 40 ]; do printf '[task U p%02d]\npath = /p/%02d\n\n' $i $i; i=$((i + 1)); done)
tui_scenario <<EOI
[user U]
wait = constant 0.2

$tasks
EOI

tui_run 80 24 -- -f "$T/s.ini" -u 20 -r 100 --autostart
tui_wait "RUNNING +users 20/20"
tui_wait "^GET +/p/01 +[0-9]+"
tui_wait "hidden: .*Avg size"
tui_screen | grep -q "^ *Aggregated" || fail "80x24: no Aggregated row"
tui_screen | grep -q "/p/40" && fail "80x24: /p/40 shows before scrolling"
tui_wait "rows 1-16 of 40"
echo "80x24: 16 of 40 rows, hidden columns named"

# scrolling: Down moves the selected row, and scrolls once it leaves the page
tui_keys -N 15 Down
sleep 0.5
tui_screen | grep -q "rows 1-16 of 40" || fail "15 x Down scrolled before the selection left the page"
tui_keys Down
tui_wait "rows 2-17 of 40"
tui_screen | grep -q "^GET +/p/01 " && fail "Down did not scroll /p/01 away"
tui_keys NPage
tui_wait "rows 17-32 of 40"
tui_keys End
tui_wait "rows 25-40 of 40"
tui_wait "^GET +/p/40 "
tui_screen | grep -q "^ *Aggregated" || fail "after End: no Aggregated row"
tui_keys PPage
tui_wait "rows 10-25 of 40"
tui_keys Home
tui_wait "rows 1-16 of 40"
tui_wait "^GET +/p/01 "
echo "scrolling: Down, PgDn, End, PgUp, Home"

# wider: every column
tui resize-window -x 100 -y 30
tui_wait "^Type +Name +# Reqs +# Fails +Median +90%ile +99%ile +Average +Min +Max +Avg size +RPS +Fails/s"
tui_gone "hidden: "
tui_wait "rows 1-22 of 40"
echo "100x30: every column, 22 rows"

# too small, and back
tui resize-window -x 60 -y 20
tui_wait "terminal too small: have 60x20, need 80x24"
tui_screen | grep -q "Statistics" && fail "60x20: the views are still drawn"
tui resize-window -x 79 -y 30
tui_wait "terminal too small: have 79x30, need 80x24"
tui resize-window -x 100 -y 30
tui_wait "^Type +Name +# Reqs"
tui_gone "terminal too small"
echo "60x20 and 79x30: too small; 100x30 again: the table is back"

# the charts reflow too
tui_keys 2
tui_wait "Number of Users:"
tui resize-window -x 120 -y 40
# the time axis runs to the new right edge
tui_wait "^ +\+-{112}"
w=$(tui_screen | awk 'length($0) > m { m = length($0) } END { print m }')
tui_keys s
tui_wait "STOPPED" 15
tui_keys q
tui_exited 0
echo "charts at 120x40: lines up to $w characters; quit"
