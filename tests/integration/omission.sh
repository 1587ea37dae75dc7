#!/bin/sh
# Coordinated omission: the target holds every answer due in the first
# second of every five until that second ends. At --rate 100 the open model
# keeps sending through the stall, and its percentiles (timed from each
# arrival's intended start) match the truth computed here from the times
# the target received the requests: p90 and p99 within +-100 ms (about 500
# and 950 ms). A closed model of 10 users at the same nominal rate waits
# with the server, sends little during the stall, and its p90 hides it.
. "$top_srcdir/tests/lib.sh"

start_target --stall-every 5000 --stall-for 1000 --record "$T/rec.jsonl"
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.1        ; the closed model's pace: 10 users ask for about 100/s

[task U a]
path = /a
EOI

"$CICADA" -f "$T/s.ini" --headless --only-summary --rate 100 -u 300 -t 30s 2>"$T/open" ||
    fail "open model: exit status $?: $(tail -5 "$T/open")"
started=$(target_stats | python3 -c "import json,sys; print(json.load(sys.stdin)['started'])")
received=$(target_count)
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/open" get Aggregated reqs)
[ "$received" = "$reported" ] || fail "cicada reported $reported, the target received $received"

# the truth: each request is held until its stall window ends (0 outside
# one); percentiles as Locust takes them (rank floor(n p), rounded to 10 ms)
truth=$(python3 - "$T/rec.jsonl" "$started" <<'PY'
import json, sys
started = float(sys.argv[2])
held = []
for line in open(sys.argv[1]):
    t = json.loads(line)["time"]
    phase = ((t - started) * 1000.0) % 5000.0
    held.append(1000.0 - phase if phase < 1000.0 else 0.0)
held.sort()
def pct(p):
    v = held[min(int(len(held) * p), len(held) - 1)]
    return int(round(v, -1)) if v >= 100 else int(round(v))
print(pct(0.90), pct(0.99), len(held))
PY
) || fail "cannot compute the truth"
set -- $truth
true90=$1 true99=$2
p90=$(python3 "$top_srcdir/tests/tables.py" "$T/open" pct Aggregated 90)
p99=$(python3 "$top_srcdir/tests/tables.py" "$T/open" pct Aggregated 99)
echo "open model, $received requests: p90 $p90 ms (truth $true90), p99 $p99 ms (truth $true99)"
[ "$true90" -ge 350 ] && [ "$true90" -le 650 ] || fail "the stall did not happen as planned (truth p90 $true90)"
[ "$p90" -ge $((true90 - 100)) ] && [ "$p90" -le $((true90 + 100)) ] ||
    fail "open model p90 $p90 ms, truth $true90 ms"
[ "$p99" -ge $((true99 - 100)) ] && [ "$p99" -le $((true99 + 100)) ] ||
    fail "open model p99 $p99 ms, truth $true99 ms"

# the closed model against the same stall, for contrast
"$CICADA" -f "$T/s.ini" --headless --only-summary -u 10 -r 10 -t 15s 2>"$T/closed" ||
    fail "closed model: exit status $?"
c90=$(python3 "$top_srcdir/tests/tables.py" "$T/closed" pct Aggregated 90)
c99=$(python3 "$top_srcdir/tests/tables.py" "$T/closed" pct Aggregated 99)
echo "closed model, 10 users: p90 $c90 ms, p99 $c99 ms (the stall mostly hidden)"
[ "$c90" -lt $((true90 / 3)) ] || fail "the closed model's p90 ($c90 ms) does not show the omission"
exit 0
