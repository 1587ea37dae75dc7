#!/bin/sh
# AWS's error classes: a stand-in answering correctly signed calls with
# 429 ThrottlingException, 424 ModelError (OriginalStatusCode 500), 503
# ServiceUnavailable and 200 in a fixed cycle. cicada's count of each class
# equals the stand-in's, throttling (429 + 503) is counted apart from model
# errors in the JSON report and usable in thresholds (throttle_ratio,
# throttled), and the HTML report says how many were throttled.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/aws/standin.sh"
need_botocore

KEY=AKIDSTANDINERRORS
SECRET="errors-secret-$$-abcdefgh"
start_standin --mix --key "$KEY:$SECRET" --region eu-west-1 --service sagemaker

cat >"$T/e.ini" <<EOI
[run]
host = $SA_URL
aws_sigv4 = sagemaker
aws_region = eu-west-1

[user U]
wait = constant 0.01

[task U invoke]
method = POST
path = /endpoints/e/invocations
header = Content-Type: application/json
body = {"n": {{int 1 1000}}}
EOI

aws_env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY="$SECRET" \
    "$CICADA" -f "$T/e.ini" --headless -u 4 -r 4 -t 3s --only-summary --json "$T/e.json" \
    --html "$T/e.html" --threshold 'throttle_ratio < 1%' --threshold 'throttled >= 1' \
    --threshold 'fail_ratio < 100%' >"$T/e.out" 2>"$T/e.err"
rc=$?
[ "$rc" = 3 ] || fail "exit $rc (throttle_ratio < 1% must fail): $(tail -8 "$T/e.err")"

n=$(json_get "$T/e.json" "d['aggregated']['num_requests']")
[ "$n" -ge 20 ] || fail "too few requests: $n"
[ "$(sa_count requests)" = "$n" ] || fail "stand-in got $(sa_count requests), cicada counted $n"
[ "$(sa_count invalid)" = 0 ] || fail "$(sa_count invalid) invalid signatures"
errcount() {
    json_get "$T/e.json" "sum(e['occurrences'] for e in d['errors'] if e['error'] == '$1')"
}
t429=$(errcount "HTTP 429 ThrottlingException")
t424=$(errcount "HTTP 424 ModelError (model answered 500)")
t503=$(errcount "HTTP 503 ServiceUnavailable")
[ "$t429" = "$(sa_outcome '429 ThrottlingException')" ] || fail "429: cicada $t429, stand-in $(sa_outcome '429 ThrottlingException')"
[ "$t424" = "$(sa_outcome '424 ModelError')" ] || fail "424: cicada $t424, stand-in $(sa_outcome '424 ModelError')"
[ "$t503" = "$(sa_outcome '503 ServiceUnavailable')" ] || fail "503: cicada $t503, stand-in $(sa_outcome '503 ServiceUnavailable')"
ok=$(( n - $(json_get "$T/e.json" "d['aggregated']['num_failures']") ))
[ "$ok" = "$(sa_outcome '200 OK')" ] || fail "200: cicada $ok, stand-in $(sa_outcome '200 OK')"
[ "$t429" -gt 0 ] && [ "$t424" -gt 0 ] && [ "$t503" -gt 0 ] || fail "a class is missing: $t429 $t424 $t503"
others=$(json_get "$T/e.json" "len(d['errors'])")
[ "$others" = 3 ] || fail "expected 3 error rows: $(json_get "$T/e.json" "d['errors']")"
thr=$(json_get "$T/e.json" "d['aggregated']['num_throttled']")
[ "$thr" = $((t429 + t503)) ] || fail "throttled $thr != 429s + 503s = $((t429 + t503))"
ratio=$(json_get "$T/e.json" "round(d['aggregated']['throttle_ratio'] * $n)")
[ "$ratio" = "$thr" ] || fail "throttle_ratio x requests = $ratio, throttled = $thr"
grep -q "^  FAIL  throttle_ratio < 1% " "$T/e.err" || fail "threshold line: $(grep -A4 Thresholds "$T/e.err")"
grep -q "^  PASS  throttled >= 1 " "$T/e.err" || fail "throttled threshold line"
grep -q "<dt>Throttled</dt><dd>$thr (" "$T/e.html" || fail "HTML report: no throttled count"
echo "cicada = stand-in: $n requests, 429 ThrottlingException $t429, 424 ModelError $t424, 503 $t503, 200 $ok; throttled $thr"
