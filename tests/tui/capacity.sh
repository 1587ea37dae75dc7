#!/bin/sh
# The Capacity view (--find-capacity on a terminal): the dashboard opens on
# it, shows the step under way (warm-up, measuring), a row per finished
# step, and at the end MAX_RPS, the autoscaling target and the verdict, the
# same as the JSON report; after q the step table and the summary are in
# the scrollback. Keys that would change the load are refused; s cuts the
# search short. Two steps of 2 s against the demo target (4 slots x
# 20 ms, about 200 req/s): 100 req/s passes, 400 req/s fails.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

cat >"$T/c.ini" <<'EOI'
[demo]
slots = 4
service_time = 20ms
queue = 8

[capacity]
start = 100
step = x4
max = 400
step_time = 2s
warmup = 1s
refine = 0

[user U]
[task U predict]
method = POST
path = /predict
body = {"text": "fine"}
EOI

tui_run 100 32 TERM=xterm-256color -- --demo -f "$T/c.ini" --find-capacity \
    --json "$T/c.json"
tui_wait "\[6 Capacity\]"
tui_wait "^Capacity search: load = rate, 100 to 400 req/s, step x4, 2s a step"
tui_wait "^Step 1 under way: 100 req/s offered, [0-9]+ of 2s, (warm-up|measuring)"
echo "the dashboard opened on the Capacity view with step 1 under way"
tui_wait "^1 +100 +100\.0 +[0-9.]+ .* pass: within every limit" 15
echo "step 1's row: $(tui_screen | grep -E '^1 +100 ')"
tui_wait "^MAX_RPS [0-9.]+ req/s" 20
tui_wait "SageMakerVariantInvocationsPerInstance = [0-9.]+ x 0\.5 x 60 = [0-9]+"
tui_wait "verdict: MAX_RPS"
tui_wait "^2 +400 +400\.0 .* fail: limit fail_ratio < 1%" 2
shown=$(tui_screen | sed -n 's/^MAX_RPS \([0-9.]*\) req\/s.*/\1/p')
rows=$(tui_screen | grep -cE '^[0-9]+r? +[0-9.]+ +[0-9.]+ +[0-9.]+ .* (pass|fail|generator|cut): ')
echo "result: MAX_RPS $shown, $rows step rows; $(tui_screen | grep -o 'SageMaker.*')"
tui_wait "STOPPED" 10 || fail "the run did not stop when the search was over"

tui_keys q
tui_exited 0 15
python3 - "$T/c.json" "$shown" "$rows" <<'PY' || fail "the view and the JSON report differ"
import json, sys
c = json.load(open(sys.argv[1]))["capacity"]
assert c["outcome"] == "found", c
assert "%.1f" % c["max_rps"] == sys.argv[2], (c["max_rps"], sys.argv[2])
assert len(c["steps"]) == int(sys.argv[3]), (len(c["steps"]), sys.argv[3])
PY
tui_wait_all "^Capacity 1 +100 "
tui_wait_all "^Capacity 2 +400 +400\.0 "
tui_wait_all "^  MAX_RPS +$shown req/s"
echo "after q: the step table and the summary are in the scrollback"

# keys that would change the load or the statistics are refused; s cuts the search short
tui_kill
tui_run 100 32 TERM=xterm-256color -- --demo -f "$T/c.ini" --find-capacity
tui_wait "^Step 1 under way"
tui_keys r
tui_wait "the capacity search sets the load and measures each step: s stops it"
tui_keys s
tui_wait "^No MAX_RPS: cut"
tui_wait "verdict: s in the dashboard stopped the search after [01] steps?"
tui_keys q
tui_exited 6 15
echo "r refused during the search; s cut it short (no MAX_RPS, exit status 6)"

# the view without a search says how to get one
tui_kill
tui_run 100 30 TERM=xterm-256color -- --demo --autostart -u 1 -t 30s
tui_wait "RUNNING"
tui_keys 6
tui_wait "No capacity search in this run: start cicada with --find-capacity"
tui_keys 7
tui_wait "6  Capacity +the capacity search"
echo "without a search: the Capacity view says how to start one; Help lists it"
exit 0
