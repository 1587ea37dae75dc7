#!/bin/sh
# Truth check: against a target that answers after a fixed 50 ms, the
# reported median is 50 ms +- 2 ms and the minimum is at least 50 ms.
. "$top_srcdir/tests/lib.sh"

start_target --delay 50

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[task slow]
path = /slow
EOI

"$CICADA" -f "$T/s.ini" --headless -u 10 -r 10 -t 5s 2>"$T/err" || fail "cicada failed: $(tail -5 "$T/err")"
t="$top_srcdir/tests/tables.py"
med=$(python3 "$t" "$T/err" get Aggregated med)
min=$(python3 "$t" "$T/err" get Aggregated min)
reqs=$(python3 "$t" "$T/err" get Aggregated reqs)
p50=$(python3 "$t" "$T/err" percentiles | python3 -c 'import json,sys; r=[x for x in json.load(sys.stdin) if x["key"]=="Aggregated"][0]; print(r["values"][0])')
echo "requests $reqs, median $med ms, p50 $p50 ms, min $min ms"
[ "$reqs" -gt 500 ] || fail "too few requests: $reqs"
[ "$med" -ge 48 ] && [ "$med" -le 52 ] || fail "median $med ms, expected 50 +- 2"
[ "$p50" -ge 48 ] && [ "$p50" -le 52 ] || fail "p50 $p50 ms, expected 50 +- 2"
[ "$min" -ge 50 ] || fail "min $min ms, expected >= 50"

# Under load, with responses arriving in bursts: cicada takes the time it
# spends on other sockets after its loop wakes off each response time
# (src/worker.c, discount_loop_backlog), which must never bring a response
# under the target's 20 ms. 300 users without a wait keep both busy.
stop_target
start_target --delay 20
cat >"$T/burst.ini" <<EOI
[run]
host = $TARGET_URL

[task burst]
path = /burst
EOI
"$CICADA" -f "$T/burst.ini" --headless -u 300 -r 1000 -t 3s 2>"$T/err2" || fail "cicada failed: $(tail -5 "$T/err2")"
min=$(python3 "$t" "$T/err2" get Aggregated min)
med=$(python3 "$t" "$T/err2" get Aggregated med)
reqs=$(python3 "$t" "$T/err2" get Aggregated reqs)
echo "300 users: requests $reqs, median $med ms, min $min ms"
[ "$reqs" -gt 5000 ] || fail "too few requests under load: $reqs"
[ "$min" -ge 20 ] || fail "min $min ms under load, expected >= 20 (a response timed before the target answered)"
