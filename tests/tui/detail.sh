#!/bin/sh
# Long names and the detail view (issue 16): names too long for the Name
# column are cut in the middle (their ends tell them apart); a wide terminal
# gives the Name column its spare width; Enter on a row shows the whole
# name, every percentile, the average time to first byte and the entry's
# failures; Up/Down go to the next row, Esc back to the table.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

long=/predict/v1/models/sentiment-analysis-large-multilingual/versions/2026-11-30/regions/eu-west-1/languages/en
tui_scenario <<EOI
[user U]
wait = constant 0.05

[task a]
path = /ok
name = $long/variant-a

[task b]
path = /status/500
name = $long/variant-b
EOI

tui_run 100 30 -- -f "$T/s.ini" -u 2 -r 2 --autostart
tui_wait "RUNNING"
tui_wait "^GET +/predict/.*\.\..*variant-a +[0-9]+"
tui_wait "^GET +/predict/.*\.\..*variant-b +[0-9]+ +[1-9]"
echo "100x30: long names cut in the middle, their ends shown"

# Enter: the first row (sorted by name: variant-a) in detail
tui_keys Enter
tui_wait "^Request detail"
tui_wait "^Time to first byte \(ms\): average [0-9]+\.[0-9]"
tui_wait "^Percentile +50% +66% +75% +80% +90% +95% +98% +99% +99\.9% +99\.99% +100%"
tui_wait "^ms +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+"
tui_wait "^Failures of this entry: 0 kinds, 0 occurrences"
whole=$(tui_screen | awk '/^Request detail/ { getline a; getline b; print a b; exit }' | sed 's/ *$//')
[ "$whole" = "GET $long/variant-a" ] || fail "detail: the whole name is not shown: '$whole'"
# Down: the next row, with its failures
tui_keys Down
tui_wait "^Failures of this entry: 1 kind, [1-9][0-9]* occurrences?"
tui_wait "^ +[0-9]+ +HTTP 500"
whole=$(tui_screen | awk '/^Request detail/ { getline a; getline b; print a b; exit }' | sed 's/ *$//')
[ "$whole" = "GET $long/variant-b" ] || fail "detail after Down: '$whole'"
tui_keys Escape
tui_wait "^Statistics \(ms, bytes\)"
echo "detail: whole name, percentiles, TTFB, failures; Down, Esc"

# a wide terminal shows the whole names, the Name column taking the spare width
tui resize-window -x 260 -y 30
tui_wait "^GET +$long/variant-a +[0-9]+"
head=$(tui_screen | grep -E "^Type +Name")
pos=$(printf '%s\n' "$head" | awk '{ print index($0, "# Reqs") }')
[ "$pos" -gt 160 ] || fail "260 columns: # Reqs at column $pos, the Name column did not widen"
echo "260 columns: whole names; # Reqs at column $pos"
tui_quit 1 q y
