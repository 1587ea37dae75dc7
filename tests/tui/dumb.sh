#!/bin/sh
# Terminals the dashboard cannot drive (issue 16): TERM=dumb, and a type
# without cursor addressing, fall back to headless with a one-line notice
# (no dashboard garbled onto one line, no run waiting for q forever): the
# run ends by itself after -t with Locust's tables and its exit status.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[user U]
wait = constant 0.05

[task ok]
path = /ok
EOI

for term in dumb "unknown-terminal-type" ; do
    target_reset
    tui_run 200 30 TERM=$term -- -f "$T/s.ini" -u 2 -r 2 -t 2s --autostart
    tui_exited 0
    tui_all | grep -Eq "the dashboard cannot drive this terminal \(TERM=$term(, no cursor addressing)?\): running headless" ||
        { tui_all >&2; fail "TERM=$term: no notice"; }
    [ "$(tui_all | grep -c "cannot drive this terminal")" = 1 ] || fail "TERM=$term: the notice is not one line"
    tui_all | grep -Eq "^ +Aggregated +[0-9]+" || fail "TERM=$term: no final tables"
    tui_all | grep -q "Start new load test\|1 Statistics" && fail "TERM=$term: the dashboard was drawn"
    n=$(tui_all | awk '$1 == "GET" && $2 == "/ok" && $4 ~ /\(/ { v = $3 } END { print v }')
    [ "$n" = "$(target_path_count "GET /ok")" ] || fail "TERM=$term: cicada counted $n, the target $(target_path_count "GET /ok")"
    tui_kill
    echo "TERM=$term: headless with one notice, $n requests, as the target counted"
done
