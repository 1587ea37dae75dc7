#!/bin/sh
# The dashboard end to end: the start panel (prefilled, editable, Enter
# starts), the Statistics view against the target's own counts, sorting,
# reset, the Failures, Percentiles, Charts and Help views, stop and start
# again, and q giving the terminal back with the final tables on screen.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario "users = 3" "spawn_rate = 3" <<EOI
[user U]
wait = constant 0.01

[task U fast]
weight = 6
path = /fast

[task U slow]
weight = 1
path = /delay/30

[task U broken]
weight = 1
path = /status/500
EOI

tui_run 100 30 -- -f "$T/s.ini"

# the start panel, prefilled from the INI file
tui_wait "Start new load test"
tui_wait "READY"
tui_screen | grep -q "$TARGET_URL" || fail "the start panel does not show the host"
tui_screen | grep -Eq '^ *\| +3_? *\|' || fail "the start panel does not show 3 users"
[ "$(tui_alt)" = 1 ] || fail "the dashboard is not on the alternate screen"
[ "$(target_count)" = 0 ] || fail "requests were sent before Enter"

# a host that does not answer is refused, and the panel stays
tui_keys Tab Tab
tui_keys -l "http://127.0.0.1:1"
tui_keys Enter
tui_wait "host http://127.0.0.1:1 is unreachable"
tui_screen | grep -q "Start new load test" || fail "the panel closed on a bad host"
[ "$(target_count)" = 0 ] || fail "requests were sent with a bad host"
# typing replaces a field's value: the host again, a run time, 4 users; Enter starts
tui_keys -l "$TARGET_URL"
tui_keys Tab
tui_keys -l "30m"
tui_keys Up Up Up 4 Enter
tui_wait "RUNNING +users 4/4 +elapsed [0-9:]+ +29:[0-9]{2} left"
tui_wait "^GET +/fast +[0-9]{3,}"
echo "started from the panel: $(tui_screen | head -n 1)"

# sorting: # Reqs descending puts /fast first, ascending last, Name restores A-Z
first_row() {
    tui_screen | awk '/^Type +Name/ { getline; print $2; exit }'
}
tui_keys R
tui_wait "sort: # Reqs desc"
[ "$(first_row)" = /fast ] || fail "sorted by # Reqs descending, /fast is not first: $(first_row)"
tui_keys R
tui_wait "sort: # Reqs asc"
[ "$(first_row)" != /fast ] || fail "sorted by # Reqs ascending, /fast is first"
tui_keys N
tui_wait "sort: Name asc"
[ "$(first_row)" = /delay/30 ] || fail "sorted by Name, /delay/30 is not first: $(first_row)"
tui_keys '>'
tui_wait "sort: # Reqs desc"
[ "$(first_row)" = /fast ] || fail "> did not move the sort to # Reqs"
tui_keys N
echo "sorting: R, R again, N and > reorder the rows"

# reset: the counts start again from (nearly) zero
before=$(tui_screen | awk '$1 == "Aggregated" { print $2 }')
[ "$before" -gt 100 ] 2>/dev/null || fail "Aggregated shows '$before' requests before the reset"
tui_keys r
tui_wait "statistics reset"
after=$(tui_screen | awk '$1 == "Aggregated" { print $2 }')
[ "$after" -lt "$before" ] || fail "reset: Aggregated went from $before to $after"
echo "reset: Aggregated $before -> $after"

# the other views
tui_keys 3
tui_wait "^Failures: 1 kind, [0-9]+ occurrences"
tui_wait "^ +[0-9]+ GET +/status/500 +HTTP 500"
tui_keys 4
tui_wait "^Response time percentiles"
tui_wait "99\.9% +99\.99% +100% +# reqs"
tui_wait "^GET +/delay/30 +3[0-9] "
tui_keys 2
tui_wait "Total Requests per Second"
tui_wait "Response Times \(ms\)"
tui_wait "Number of Users:"
sleep 2.5
tui_screen | LC_ALL=C.UTF-8 grep -qP '[\x{2801}-\x{28FF}]' || fail "no braille in the charts in a UTF-8 locale"
tui_keys 7
tui_wait "edit users and spawn rate"
tui_keys Tab
tui_wait "\[1 Statistics\]"
echo "views: Failures, Percentiles, Charts (braille), Help, Tab"

# stop; start a fresh test; its counts match what the target received
tui_keys s
tui_wait "STOPPED"
target_reset
tui_keys s
tui_wait "RUNNING"
sleep 3
tui_keys s
tui_wait "STOPPED"
for path in /fast /delay/30 /status/500; do
    i=0
    while :; do
        shown=$(tui_col "$path" 3)
        served=$(target_path_count "GET $path")
        [ "$shown" = "$served" ] && break
        i=$((i + 1))
        [ "$i" -lt 50 ] || fail "$path: the dashboard shows $shown requests, the target served $served"
        sleep 0.1
    done
    [ "$served" -gt 0 ] || fail "$path: no requests in the second test"
    echo "$path: dashboard $shown = target $served"
done
fails=$(tui_col /status/500 4)
[ "$fails" = "$(tui_col /status/500 3)" ] || fail "/status/500: $fails failures of $(tui_col /status/500 3)"

# q: the terminal comes back and the final tables stay on the screen
tui_keys q
tui_exited 1
tui_restored q
tui_all | grep -q "Response time percentiles (approximated)" || fail "no final percentile table"
tui_all | grep -q "Shutting down (exit code 1)" || fail "no 'Shutting down' line"
tui_screen | grep -q "Tab: next view" && fail "the dashboard is still on the screen"
echo "q: terminal restored, final tables on the screen"
