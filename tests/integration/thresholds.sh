#!/bin/sh
# Thresholds: every form passes and fails as measured, the end of the run
# prints each with its value, a failed one gives exit status 3, an abort
# stops the run once the grace period is over, and bad thresholds (syntax,
# unknown entry or key) are exit 2 before any request.
. "$top_srcdir/tests/lib.sh"

start_target --delay 20

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.05

[task U slow]
weight = 3
path = /slow

[task U fast]
path = /delay/0
name = /fast
EOI

# 1. all pass: aggregate and per-entry forms, every metric family (ceilings on
#    times are generous: a busy machine or a sanitizer build answers late)
"$CICADA" -f "$T/s.ini" --headless -u 4 -r 4 -t 3s --only-summary \
    --threshold 'p95<1s' --threshold 'median >= 15ms' --threshold 'rps>=10' \
    --threshold 'fail_ratio<1%' --threshold 'GET /slow: min>=20' \
    --threshold '/fast: p99.9 < 500' --threshold 'avg<500' --threshold 'requests>100' \
    --threshold 'failures==0' >/dev/null 2>"$T/pass.err"
rc=$?
[ "$rc" = 0 ] || fail "all thresholds should pass: exit $rc: $(grep -A12 Thresholds "$T/pass.err")"
grep -q "^Thresholds: 9 passed, 0 failed" "$T/pass.err" || fail "no threshold summary: $(tail -12 "$T/pass.err")"
grep -Eq "^  PASS  GET /slow: min >= 20 ms .*measured ([2-9][0-9]|[1-9][0-9][0-9]+).* \(--threshold\)" "$T/pass.err" ||
    fail "per-entry line: $(grep PASS "$T/pass.err")"
grep -E -q "^  PASS  rps >= 10 +measured [0-9.]+ req/s" "$T/pass.err" || fail "rps line"
echo "pass: $(grep -c '^  PASS' "$T/pass.err") thresholds passed, exit 0"

# 2. failures give exit 3 and say what was measured; from the INI with file:line
cat "$T/s.ini" >"$T/f.ini"
cat >>"$T/f.ini" <<EOI

[thresholds]
threshold = p50 < 5ms
threshold = GET /slow: max < 10ms
threshold = rps >= 1000000
threshold = p95 < 10s
EOI
"$CICADA" -f "$T/f.ini" --headless -u 4 -r 4 -t 3s --only-summary >/dev/null 2>"$T/fail.err"
rc=$?
[ "$rc" = 3 ] || fail "failed thresholds: exit $rc, expected 3"
grep -q "^Thresholds: 1 passed, 3 failed" "$T/fail.err" || fail "summary: $(grep -A6 Thresholds "$T/fail.err")"
grep -E -q "^  FAIL  p50 < 5 ms +measured ([2-9][0-9]|[1-9][0-9][0-9]+) ms .*\(.*f.ini:16\)" "$T/fail.err" ||
    fail "p50 line: $(grep 'p50' "$T/fail.err")"
grep -q "^  FAIL  GET /slow: max < 10 ms" "$T/fail.err" || fail "max line"
grep -q "^  PASS  p95 < 10000 ms" "$T/fail.err" || fail "p95 line"
grep -q "Shutting down (exit code 3)" "$T/fail.err" || fail "no 'Shutting down (exit code 3)'"
echo "fail: exit 3, $(grep -c '^  FAIL' "$T/fail.err") failed with file:line"

# 3. a threshold failure wins over --exit-code-on-error's status
"$CICADA" -f "$T/s.ini" --headless -u 2 -r 2 -t 2s --only-summary --exit-code-on-error 7 \
    -H "$TARGET_URL" --threshold 'p50<1' >/dev/null 2>&1
rc=$?
[ "$rc" = 3 ] || fail "threshold with --exit-code-on-error: exit $rc, expected 3"

# 4. abort: stop as soon as one fails, once the grace period is over
start=$(date +%s)
"$CICADA" -f "$T/s.ini" --headless -u 4 -r 4 -t 60s --only-summary --threshold 'p50<5ms' \
    --threshold-abort --threshold-grace 2s --json "$T/abort.json" >/dev/null 2>"$T/abort.err"
rc=$?
took=$(( $(date +%s) - start ))
[ "$rc" = 3 ] || fail "abort: exit $rc, expected 3"
# far below the 60 s run time: the abort stopped it (a busy machine is slow to)
[ "$took" -le 20 ] || fail "abort took ${took}s, the grace was 2s"
# at least the target's 20 ms (a busy machine adds to it)
grep -Eq "Threshold failed: p50 < 5 ms \(measured ([2-9][0-9]|[1-9][0-9][0-9]+) ms\); stopping the run" "$T/abort.err" ||
    fail "abort message: $(grep -i threshold "$T/abort.err")"
grep -q "the run was stopped when one failed" "$T/abort.err" || fail "abort summary"
grep -q '"stopped_by":	"threshold"' "$T/abort.json" || fail "the JSON report does not say a threshold stopped the run"
echo "abort: stopped after ${took}s, exit 3"

# 5. bad thresholds: exit 2, one message naming where, before any request
target_reset
bad() {
    # bad EXPECTED-MESSAGE ARGS...
    want=$1
    shift
    "$CICADA" --headless -u 1 -t 2s "$@" >/dev/null 2>"$T/bad.err"
    rc=$?
    [ "$rc" = 2 ] || fail "$*: exit $rc, expected 2: $(cat "$T/bad.err")"
    [ "$(wc -l <"$T/bad.err")" = 1 ] || fail "$*: more than one line: $(cat "$T/bad.err")"
    grep -q -- "$want" "$T/bad.err" || fail "$*: message '$(cat "$T/bad.err")' lacks '$want'"
}
bad "^cicada: --threshold: threshold \"/nope: p95 < 1 ms\": no statistics entry /nope (entries: \"GET /slow\", \"GET /fast\")" \
    -f "$T/s.ini" --threshold '/nope: p95<1'
bad "^cicada: --threshold: threshold \"p96x<1\": bad percentile" -f "$T/s.ini" --threshold 'p96x<1'
bad "^cicada: --threshold: threshold \"rsp>1\": unknown metric 'rsp' (did you mean 'rps'?)" \
    -f "$T/s.ini" --threshold 'rsp>1'
bad "^cicada: --threshold: threshold \"p95\": expected METRIC OP VALUE" -f "$T/s.ini" --threshold p95
bad "^cicada: --threshold-grace: bad value" -f "$T/s.ini" --threshold-grace soon
printf '%s\n' '[thresholds]' 'threshold = p95 < 150 parsecs' >>"$T/b1.ini"
cat "$T/s.ini" >>"$T/b1.ini"
bad "^cicada: .*b1.ini:2: threshold \"p95 < 150 parsecs\": bad unit 'parsecs'" -f "$T/b1.ini"
printf '%s\n' '[thresholds]' 'treshold = p95 < 150' >>"$T/b2.ini"
cat "$T/s.ini" >>"$T/b2.ini"
bad "^cicada: .*b2.ini:2: .*did you mean 'threshold'" -f "$T/b2.ini"
printf '%s\n' '[tresholds]' 'threshold = p95 < 150' >>"$T/b3.ini"
cat "$T/s.ini" >>"$T/b3.ini"
bad "^cicada: .*b3.ini:1: unknown section \[tresholds\] (did you mean \[thresholds\]?)" -f "$T/b3.ini"
cat "$T/s.ini" >"$T/b4.ini"
printf '%s\n' '[thresholds]' 'threshold = POST /slow: p95 < 150' >>"$T/b4.ini"
bad "^cicada: .*b4.ini:15: threshold \"POST /slow: p95 < 150 ms\": no statistics entry POST /slow" -f "$T/b4.ini"
[ "$(target_count)" = 0 ] || fail "bad thresholds sent $(target_count) requests"
echo "bad input: 9 cases exit 2 before any request"
