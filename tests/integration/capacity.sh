#!/bin/sh
# Truth checks of the capacity search (--find-capacity): servers of a known
# capacity (the demo target, 4 slots x 20 ms = 200 req/s; tests/target with
# N slots x S ms = N / S req/s, computed here) give MAX_RPS within +-10 %,
# stepping an arrival rate (load = rate) and users (load = users); a search
# whose load the generator cannot make says so (exit 7, no MAX_RPS).
# Steps are short (3 s, 2 s measured) to keep the whole near 3 minutes;
# 500 req/s is kept as the highest capacity tried: the generator and the
# target share a busy 2-core machine. The service times are long (100 ms)
# so that the round trip's own cost (a few ms on a loaded machine) stays
# small beside them: a closed-model user spends it on top of the service
# time, which would take 10-15 % off what 10 users x 20 ms could reach.
. "$top_srcdir/tests/lib.sh"

# check JSON TRUTH LABEL: MAX_RPS within 10 % of TRUTH, the result is whole
check() {
    python3 - "$1" "$2" "$3" <<'PY' || fail "$3: see above"
import json, sys
d = json.load(open(sys.argv[1]))
truth, label = float(sys.argv[2]), sys.argv[3]
c = d["capacity"]
m = c["max_rps"]
print("%s: MAX_RPS %s (truth %.0f), %d steps, outcome %s: %s" % (label, m, truth, len(c["steps"]), c["outcome"], c["verdict"]))
for s in c["steps"]:
    print("   step %2d%s load %7.1f offered %7.1f achieved %7.1f p95 %5.0f fail %.3f %s: %s" % (
        s["step"], "r" if s["refine"] else " ", s["load"], s["offered_rps"], s["achieved_rps"],
        s["p95_ms"], s["fail_ratio"], s["verdict"], s["why"]))
assert c["outcome"] == "found", c["outcome"]
assert abs(m - truth) <= truth * 0.10, "MAX_RPS %.1f is not within 10%% of %.0f" % (m, truth)
assert abs(c["invocations_per_instance"] - m * c["safety_factor"] * 60) < 1e-6
assert any(s["verdict"] == "fail" for s in c["steps"])
PY
}

# the demo target, with the example configuration
"$CICADA" --demo -f "$top_srcdir/conf/capacity.ini" --find-capacity --headless --only-summary \
    --json "$T/demo.json" --csv "$T/demo" --html "$T/demo.html" 2>"$T/demo.err"
rc=$?
[ "$rc" = 0 ] || fail "demo: exit status $rc: $(tail -5 "$T/demo.err")"
check "$T/demo.json" 200 "demo target (rate)"
grep -q "^Capacity step " "$T/demo.err" || fail "no step table header in the headless log"
grep -q "SageMakerVariantInvocationsPerInstance = " "$T/demo.err" || fail "no summary"
steps=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['capacity']['steps']))" "$T/demo.json")
[ "$(grep -c '^Capacity [0-9]' "$T/demo.err")" = "$steps" ] || fail "not one headless row per step"
[ "$(($(wc -l <"$T/demo_capacity.csv") - 1))" = "$steps" ] || fail "not one CSV row per step"
grep -q 'id="capacity-steps"' "$T/demo.html" || fail "no step table in the HTML report"
grep -q 'id="chart-capacity"' "$T/demo.html" || fail "no latency-throughput chart in the HTML report"
[ "$(grep -c '<circle ' "$T/demo.html")" = "$steps" ] || fail "not one chart point per step"

# capacity.ini LOAD START STEP MAX: a scenario against $TARGET_URL
scenario() {
    cat >"$T/c.ini" <<EOI
[run]
host = $TARGET_URL

[capacity]
load = $1
start = $2
step = $3
max = $4
step_time = 3s
warmup = 1s
limit = fail_ratio < 1%
refine = 3

[user U]
[task U a]
path = /a
EOI
}

# run LABEL TRUTH ARGS...: search, check, and the target's count equals cicada's
run() {
    label=$1 truth=$2
    shift 2
    target_reset
    "$CICADA" -f "$T/c.ini" --find-capacity --headless --only-summary --json "$T/r.json" "$@" \
        2>"$T/r.err"
    rc=$?
    [ "$rc" = 0 ] || { cat "$T/r.err" | grep -v '^\[' | tail -20; fail "$label: exit status $rc"; }
    check "$T/r.json" "$truth" "$label"
    reported=$(python3 "$top_srcdir/tests/tables.py" "$T/r.err" get Aggregated reqs)
    [ "$reported" = "$(target_count)" ] || fail "$label: cicada reported $reported, the target received $(target_count)"
}

slots=8 ms=100
start_target --slots $slots --service $ms --queue 16
truth=$((slots * 1000 / ms))
scenario rate 40 x1.25 200
run "tests/target $slots x $ms ms (rate)" $truth -u 100
scenario users 2 x2 64
run "tests/target $slots x $ms ms (users)" $truth

slots=50 ms=100
start_target --slots $slots --service $ms --queue 64
truth=$((slots * 1000 / ms))
scenario rate 250 x1.25 1000
run "tests/target $slots x $ms ms (rate)" $truth -u 300
scenario users 8 x2 256
run "tests/target $slots x $ms ms (users)" $truth

# generator-bound: a pool of 2 users cannot make 45 arrivals a second of 50 ms requests
start_target --slots 4 --service 50 --queue 16
scenario rate 20 x1.5 200
"$CICADA" -f "$T/c.ini" --find-capacity --headless --only-summary --json "$T/g.json" -u 2 2>"$T/g.err"
rc=$?
[ "$rc" = 7 ] || fail "generator-bound: exit status $rc, expected 7"
python3 - "$T/g.json" <<'PY' || fail "generator-bound JSON"
import json, sys
c = json.load(open(sys.argv[1]))["capacity"]
print("generator-bound:", c["verdict"])
assert c["outcome"] == "generator" and c["max_rps"] is None, c
assert c["steps"][-1]["verdict"] == "generator" and c["steps"][-1]["dropped"] > 0
PY
grep -q "the generator, not the server, was the limit" "$T/g.err" || fail "the summary does not blame the generator"

# throttled share per step: 2 slots x 50 ms with 2 in line answer 503 (throttling) beyond
# 40 req/s; a limit on throttle_ratio fails the step that is throttled, and every step
# reports its share (JSON, CSV, headless row)
start_target --slots 2 --service 50 --queue 2
scenario rate 10 x3 270
sed -i -e 's/^limit = .*/limit = throttle_ratio < 1%/' -e 's/^refine = .*/refine = 0/' \
    -e 's/^step_time = .*/step_time = 2s/' "$T/c.ini"
"$CICADA" -f "$T/c.ini" --find-capacity --headless --only-summary --json "$T/t.json" \
    --csv "$T/t" --html "$T/t.html" 2>"$T/t.err"
rc=$?
[ "$rc" = 0 ] || { grep -v '^\[' "$T/t.err" | tail -20; fail "throttled: exit status $rc"; }
python3 - "$T/t.json" "$T/t_capacity.csv" <<'PY' || fail "throttled: see above"
import csv, json, sys
c = json.load(open(sys.argv[1]))["capacity"]
print("throttled:", c["verdict"])
for s in c["steps"]:
    print("   step %d load %g throttled %d of %d (%.3f) %s: %s" % (s["step"], s["load"],
          s["throttled"], s["requests"], s["throttle_ratio"], s["verdict"], s["why"]))
    assert abs(s["throttle_ratio"] - s["throttled"] / max(s["requests"], 1)) < 1e-9
assert c["outcome"] == "found", c["outcome"]
bad = c["steps"][-1]
assert bad["verdict"] == "fail" and "throttle_ratio < 1%" in bad["why"], bad
assert bad["throttle_ratio"] >= 0.01 and bad["throttled"] > 0, bad
assert all(s["throttle_ratio"] < 0.01 for s in c["steps"][:-1])
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(rows) == len(c["steps"]), rows
assert abs(float(rows[-1]["Throttle Ratio"]) - bad["throttle_ratio"]) < 1e-5, rows[-1]
PY
grep -q "^Capacity step .* thrott% " "$T/t.err" || fail "no thrott% column in the headless table"
grep -q '<th class="n">Throttled</th>' "$T/t.html" || fail "no Throttled column in the HTML step table"
exit 0
