#!/bin/sh
# The open model (--rate): arrivals on an absolute schedule, whatever the
# server does. Asserted against the target's own count: the rate times the
# run time is sent (uniform and Poisson arrivals, and ramped by rate
# stages); a pool too small for the rate drops the rest, counted, and sent
# plus dropped is again the rate times the run time.
. "$top_srcdir/tests/lib.sh"

within() { # within VALUE EXPECTED PERCENT: |VALUE - EXPECTED| <= PERCENT % of EXPECTED (+1)
    python3 -c "import sys; v, e, p = map(float, sys.argv[1:]); sys.exit(0 if abs(v - e) <= e * p / 100 + 1 else 1)" "$1" "$2" "$3"
}

start_target
FAST=$TARGET_URL

cat >"$T/s.ini" <<EOI
[run]
host = $FAST

[user U]
wait = constant 5          ; does not apply to the open model

[task U a]
path = /a
EOI

# --rate 200 for 20 s: 4,000 requests, +-1 %, each in cicada's table
"$CICADA" -f "$T/s.ini" --headless --only-summary --rate 200 -t 20s --json "$T/r.json" \
    2>"$T/err" || fail "exit status $?: $(tail -5 "$T/err")"
received=$(target_count)
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated reqs)
echo "--rate 200 -t 20s: the target received $received, cicada reported $reported"
within "$received" 4000 1 || fail "--rate 200 for 20 s sent $received requests, not 4000 +-1 %"
[ "$received" = "$reported" ] || fail "cicada reported $reported, the target received $received"
grep -q "Open model: $received arrivals sent, 0 dropped" "$T/err" || fail "no open-model summary line"
python3 - "$T/r.json" "$received" <<'PY' || fail "JSON open_model"
import json, sys
d = json.load(open(sys.argv[1]))
o = d["open_model"]
assert o["rate"] == 200 and o["arrivals"] == "uniform", o
assert o["sent"] == int(sys.argv[2]) and o["dropped"] == 0, o
assert o["response_time_from"] == "intended start"
assert o["from_send"]["num_requests"] == o["sent"]
assert all("dropped" in p for p in d["series"])
PY

# Poisson arrivals: the same mean (sd of 2,000 is 45: +-7 % is over 3 sd)
target_reset
CICADA_ARRIVALS=poisson "$CICADA" -f "$T/s.ini" --headless --only-summary --rate 200 -t 10s \
    2>"$T/err" || fail "poisson: exit status $?"
received=$(target_count)
echo "poisson --rate 200 -t 10s: the target received $received"
within "$received" 2000 7 || fail "poisson arrivals at 200/s for 10 s sent $received"
grep -q "(poisson)" "$T/err" || fail "the log does not say poisson"

# a pool too small: 3 users, 100 ms answers (30/s at most), 50 arrivals/s for 6 s
start_target --delay 100
cat >"$T/slow.ini" <<EOI
[run]
host = $TARGET_URL
rate = 50
users = 3

[user U]
[task U a]
path = /a
EOI
"$CICADA" -f "$T/slow.ini" --headless -t 6s --json "$T/d.json" --csv "$T/d" 2>"$T/err" ||
    fail "small pool: exit status $?: $(tail -5 "$T/err")"
received=$(target_count)
read sent dropped <<EOR
$(python3 -c "import json,sys; o=json.load(open(sys.argv[1]))['open_model']; print(o['sent'], o['dropped'])" "$T/d.json")
EOR
echo "pool of 3 at 50/s for 6 s: the target received $received, sent $sent, dropped $dropped"
[ "$sent" = "$received" ] || fail "JSON says $sent sent, the target received $received"
[ "$dropped" -gt 50 ] || fail "only $dropped arrivals dropped with a pool far too small"
within $((sent + dropped)) 300 1 || fail "sent + dropped = $((sent + dropped)), not 300 +-1 %"
grep -q "dropped so far" "$T/err" || fail "the headless log does not show the dropped arrivals"
head -1 "$T/d_stats_history.csv" | tr -d '\r' | grep -q ',Dropped Arrivals$' || fail "no Dropped Arrivals column"
last=$(tail -1 "$T/d_stats_history.csv" | tr -d '\r' | awk -F, '{print $NF}')
[ "$last" = "$dropped" ] || fail "CSV history's last dropped count is $last, JSON says $dropped"

# rate stages: 0 -> 100/s over 5 s (250), then 100/s for 5 s (500)
start_target
cat >"$T/ramp.ini" <<EOI
[run]
host = $TARGET_URL
users = 50

[shape]
rate_stage = 5s 100
rate_stage = 5s 100

[user U]
[task U a]
path = /a
EOI
"$CICADA" -f "$T/ramp.ini" --headless --only-summary 2>"$T/err" || fail "rate stages: exit status $?"
received=$(target_count)
echo "rate stages 5s->100, 5s at 100: the target received $received"
within "$received" 750 2 || fail "rate stages sent $received, not 750 +-2 %"
grep -q "to 100 arrivals/s" "$T/err" || fail "the stages are not logged"
exit 0
