#!/bin/sh
# Load shapes, truth check: every user keeps one request in flight against
# a target that answers after 130 ms, so the requests in flight the target
# records ten times a second (--trace) are the users running (the most of
# three samples in a row, as a user between two requests is not in flight
# for a moment). They must follow the stages within one spawn step (each
# sample is compared with the expected count over +-0.35 s), for the three
# forms of [shape]; the run ends when the shape ends, or at -t if that
# comes first; the stages are logged.
. "$top_srcdir/tests/lib.sh"

start_target --delay 130 --trace "$T/trace"

# run_shape NAME STAGES [ARGS...]: run $T/NAME.ini, check against STAGES
# ("duration,users,rate;..."), which the test states independently of cicada.
run_shape() {
    name=$1 stages=$2
    shift 2
    : >"$T/trace.$name"
    start=$(date +%s.%N)
    "$CICADA" -f "$T/$name.ini" --headless --only-summary "$@" 2>"$T/$name.err" ||
        fail "$name: cicada failed: $(tail -5 "$T/$name.err")"
    end=$(date +%s.%N)
    sleep 0.3
    cp "$T/trace" "$T/trace.$name"
    : >"$T/trace"
    grep "cicada.runner: Shape: " "$T/$name.err" | sed 's/.*cicada.runner: //'
    python3 - "$T/trace.$name" "$stages" "$start" "$end" <<'EOP' || fail "$name: the users seen by the target do not follow the stages"
import sys
trace, spec, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
stages = [tuple(float(x) for x in s.split(",")) for s in spec.split(";")]
# the user count cicada's runner should have over time
events, ts, cur = [(0.0, 0)], 0.0, 0
for dur, users, rate in stages:
    users = int(users)
    batch = max(1, int(rate))
    k = 0
    while cur != users and ts + k * batch / rate < ts + dur - 1e-9:
        cur = min(users, cur + batch) if users > cur else max(users, cur - batch)
        events.append((ts + k * batch / rate, cur))
        k += 1
    ts += dur
total = ts
def expected(t):
    v = 0
    if t >= total:
        return 0
    for at, n in events:
        if at <= t:
            v = n
    return v
samples = []
for line in open(trace):
    t, n, _ = line.split()
    samples.append((float(t), int(n)))
t0 = next(t for t, n in samples if n > 0 and t >= start) - 0.05
took = end - start
print("shape of %.1f s; cicada ran %.2f s" % (total, took))
# cannot end before the shape; the upper bound only catches a run that
# ignored its end (the process's start and stop take longer on a slow build:
# the trace below holds it to the shape within 0.5 s, by the target's count)
if not (total - 0.2 <= took <= total + 5.0):
    print("the run did not end with the shape")
    sys.exit(1)
bad = 0
seen = [max(n for _, n in samples[max(0, i - 1):i + 2]) for i in range(len(samples))]
for (t, _), n in zip(samples, seen):
    rel = t - t0
    if rel < 0 or rel > total + 0.5:
        if n != 0 and (rel < -0.2 or rel > total + 0.5):
            print("%.2f s: %d requests in flight outside the run" % (rel, n))
            bad += 1
        continue
    window = [expected(rel + d / 100.0) for d in range(-35, 36, 5)]
    lo, hi = min(window) - 1, max(window)
    if not lo <= n <= hi:
        print("%.2f s: the target saw %d users, expected %d to %d" % (rel, n, lo, hi))
        bad += 1
per_second = {}
for t, n in samples:
    if 0 <= t - t0 < total:
        per_second.setdefault(int(t - t0), []).append(n)
print("users seen per second (min-max): " + "  ".join(
    "%d:%d-%d/%d" % (s, min(v), max(v), expected(s + 0.5)) for s, v in sorted(per_second.items())))
sys.exit(1 if bad else 0)
EOP
}

scenario() {
    cat >"$T/$1.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0

[task U a]
path = /a

[shape]
EOI
    cat >>"$T/$1.ini"
}

# stages: ramp up to 8 at 2/s, hold, ramp down to 2 at 2/s
scenario stages <<EOI
stage = 5s 8 2
stage = 3s 8
stage = 3s 2 2
EOI
run_shape stages "5,8,2;3,8,1;3,2,2"
grep -q "Shape: stage 1/3: 8 users at 2/s for 5s" "$T/stages.err" || fail "no log line for stage 1"
grep -q "Shape: stage 2/3: 8 users at 1/s for 3s" "$T/stages.err" || fail "no log line for stage 2"
grep -q "Shape: stage 3/3: 2 users at 2/s for 3s" "$T/stages.err" || fail "no log line for stage 3"
grep -q "Shape: all 3 stages done, shutting down" "$T/stages.err" || fail "no log line at the end"
grep -q "Load shape (stages) of 3 stages: the run ends after 11 seconds" "$T/stages.err" || fail "no log line at the start"

# a stage without a rate ramps evenly over its duration (k6's stages)
scenario even <<EOI
stage = 3s 6
stage = 1s 6
EOI
run_shape even "3,6,2;1,6,1"

# step load: 2 users, +2 every 1.5 s, up to 6, held 1.5 s
scenario steps <<EOI
start_users = 2
step_users = 2
step_time = 1.5s
max_users = 6
spawn_rate = 10
EOI
run_shape steps "1.5,2,10;1.5,4,10;1.5,6,10"
grep -q "Load shape (steps) of 3 stages" "$T/steps.err" || fail "no step shape log line"

# spike: 2 users, a spike to 8 for 1.5 s, back to 2
scenario spike <<EOI
base_users = 2
spike_users = 8
before = 1.5s
spike_time = 1.5s
after = 1.5s
spawn_rate = 10
spike_rate = 20
EOI
run_shape spike "1.5,2,10;1.5,8,20;1.5,2,20"

# -t shorter than the shape ends the run first; -u and -r are ignored with a warning
start=$(date +%s)
"$CICADA" -f "$T/stages.ini" --headless --only-summary -t 2s -u 50 -r 50 2>"$T/short.err" ||
    fail "cicada -t 2s failed: $(tail -5 "$T/short.err")"
took=$(( $(date +%s) - start ))
[ "$took" -le 4 ] || fail "-t 2s with an 11 s shape took $took s"
grep -q -- "--run-time limit reached" "$T/short.err" || fail "no run time line"
grep -q "WARNING/cicada.main: .*stages\.ini has a \[shape\], which sets the users and the spawn rate: those given by -u are ignored" "$T/short.err" ||
    fail "no warning for -u/-r with a shape"
grep -q "Ramping to 50 users" "$T/short.err" && fail "-u 50 was used despite the shape"
echo "ok: -t 2s stopped the shape after $took s"

# users in [run] with a [shape]: the warning names the file and line
sed 's/^host = .*/&\
users = 30/' "$T/stages.ini" >"$T/users.ini"
"$CICADA" -f "$T/users.ini" --headless --only-summary -t 1s 2>"$T/users.err" ||
    fail "cicada failed: $(tail -5 "$T/users.err")"
grep -q "users\.ini has a \[shape\], which sets the users and the spawn rate: those given by .*users\.ini:3 are ignored" "$T/users.err" ||
    fail "no warning for users in [run] with a shape: $(grep WARNING "$T/users.err")"
grep -q "Ramping to 30 users" "$T/users.err" && fail "users = 30 was used despite the shape"
echo "ok: users in [run] is ignored with a warning naming it"
