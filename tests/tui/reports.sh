#!/bin/sh
# The dashboard and the reports: thresholds are shown live in the header
# (passing, then failing when the target slows down), and quitting with q
# writes every report asked for (CSV, JSON, HTML) and prints the threshold
# results under the final tables; exit status 3 for the failed threshold.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[thresholds]
threshold = p95 < 50ms
threshold = fail_ratio < 1%

[user U]
wait = constant 0.05

[task fast]
path = /delay/5
name = /work
EOI

tui_run 100 30 TERM=xterm-256color -- -f "$T/s.ini" -u 3 -r 100 --autostart \
    --csv "$T/r" --json "$T/r.json" --html "$T/r.html"
tui_wait "RUNNING +users 3/3"
tui_wait "thresholds 2/2 pass" 10
echo "header: $(tui_screen | sed -n 2p | sed 's/  */ /g')"

tui_keys q
tui_wait "Stop it and quit\?"
tui_keys y
tui_exited 0 15
tui_all | grep -q "^Thresholds: 2 passed, 0 failed" || fail "no threshold results after quitting"
tui_kill

# a slower target: p95 crosses 50 ms and the header says which one fails
sed -i 's|/delay/5|/delay/90|' "$T/s.ini"
tui_run 100 30 TERM=xterm-256color -- -f "$T/s.ini" -u 3 -r 100 --autostart \
    --csv "$T/r" --json "$T/r.json" --html "$T/r.html"
tui_wait "RUNNING +users 3/3"
# at least the 90 ms the target waits (a busy machine adds to it)
tui_wait "thresholds 1/2 pass, FAIL p95 < 50 ms: (9[0-9]|[1-9][0-9][0-9]+)" 10
echo "header: $(tui_screen | sed -n 2p | sed 's/  */ /g')"

tui_keys q
tui_wait "Stop it and quit\?"
tui_keys y
tui_exited 3 15
tui_all | grep -Eq "^  FAIL  p95 < 50 ms .*measured (9[0-9]|[1-9][0-9][0-9]+) ms" || fail "no threshold results after quitting"
tui_all | grep -q "^  PASS  fail_ratio < 1%" || fail "no passing threshold after quitting"
for f in r_stats.csv r_stats_history.csv r_failures.csv r_exceptions.csv r.json r.html; do
    [ -s "$T/$f" ] || fail "quitting the dashboard did not write $f"
done
reqs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["aggregated"]["num_requests"])' "$T/r.json")
csv=$(python3 -c 'import csv,sys; print(list(csv.reader(open(sys.argv[1])))[-1][2])' "$T/r_stats.csv")
[ "$reqs" = "$csv" ] && [ "$reqs" -gt 0 ] || fail "JSON says $reqs requests, CSV $csv"
echo "q: exit 3, thresholds printed, CSV/JSON/HTML written ($reqs requests in both)"
