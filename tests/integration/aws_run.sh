#!/bin/sh
# End to end: a copy of conf/sagemaker.ini, host pointed at a local stand-in
# for the SageMaker runtime that checks every signature with botocore, run
# with a session token, templated bodies, a templated path and query and a
# templated header with runs of spaces: every request is valid and counted
# (cicada's count == the stand-in's). A wrong secret: 100% 403, grouped as
# InvalidSignatureException. The secret and the token appear in no output,
# report or log (the signature may, at DEBUG). Nothing here reaches AWS.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/aws/standin.sh"
need_botocore

KEY=AKIDSTANDINEXAMPLE
SECRET="sEcReT/K7MDENG+bPxRfiCYstandin$$"
TOKEN="ToKeN//////////wEaCXVzLWVhc3QtMSJHMEUCIQstandin$$"
start_standin --key "$KEY:$SECRET:$TOKEN" --region us-east-1 --service sagemaker

cp "$top_srcdir/conf/sagemaker-payloads.jsonl" "$T/"
sed -e "s|^host = .*|host = $SA_URL|" "$top_srcdir/conf/sagemaker.ini" >"$T/sm.ini"
cat >>"$T/sm.ini" <<'EOI'
header = X-Amzn-SageMaker-Custom-Attributes: id={{uuid}}   trace=1

[task Invoker describe]
method = GET
path = /endpoints/${ENDPOINT}/x?z={{int 1 5}}&a=1&flag&a=0
name = describe
EOI
grep -q "^host = $SA_URL" "$T/sm.ini" || fail "the copy's host was not replaced"

run() {
    aws_env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY="$1" AWS_SESSION_TOKEN="$TOKEN" \
        ENDPOINT=test-endpoint AWS_REGION=us-east-1 \
        "$CICADA" -f "$T/sm.ini" --headless -u 4 -r 4 -t 3s --only-summary \
        --json "$T/$2.json" --html "$T/$2.html" --csv "$T/$2" -L "${3:-INFO}" \
        >"$T/$2.out" 2>"$T/$2.err"
}

# 1. right credentials: 0 invalid signatures, every request counted
run "$SECRET" ok
rc=$?
[ "$rc" = 0 ] || fail "exit $rc: $(tail -20 "$T/ok.err")"
grep -q "WARNING/cicada.aws: aws_sigv4 on a plain http:// host (127.0.0.1): fine for a local stand-in" \
    "$T/ok.err" || fail "no warning about http://: $(head -5 "$T/ok.err")"
grep -q "INFO/cicada.aws: AWS credentials from the environment (AWS_ACCESS_KEY_ID, AWS_SESSION_TOKEN)" \
    "$T/ok.err" || fail "no line naming the source: $(head -5 "$T/ok.err")"
n=$(json_get "$T/ok.json" "d['aggregated']['num_requests']")
f=$(json_get "$T/ok.json" "d['aggregated']['num_failures']")
[ "$n" -ge 10 ] || fail "too few requests: $n"
[ "$f" = 0 ] || fail "$f failures: $(json_get "$T/ok.json" "d['errors']")"
[ "$(sa_count valid)" = "$n" ] || fail "stand-in valid $(sa_count valid) != cicada $n"
[ "$(sa_count requests)" = "$n" ] || fail "stand-in got $(sa_count requests), cicada counted $n"
[ "$(sa_count invalid)" = 0 ] || fail "$(sa_count invalid) invalid signatures"
[ "$(sa_count bad_token_header)" = 0 ] || fail "security token header missing or wrong"
echo "right key: cicada $n requests, stand-in $(sa_count requests) received, $(sa_count valid) valid, 0 invalid"

# 2. a wrong secret: every request 403 InvalidSignatureException, grouped so
before=$(sa_count requests)
run "wrong$SECRET" bad
rc=$?
[ "$rc" = 3 ] || fail "wrong secret: exit $rc (expected 3: fail_ratio < 1% fails)"
n=$(json_get "$T/bad.json" "d['aggregated']['num_requests']")
f=$(json_get "$T/bad.json" "d['aggregated']['num_failures']")
got=$(( $(sa_count requests) - before ))
[ "$n" -ge 4 ] && [ "$n" = "$f" ] || fail "wrong secret: $f failures of $n"
[ "$got" = "$n" ] || fail "wrong secret: stand-in got $got, cicada counted $n"
reasons=$(json_get "$T/bad.json" "sorted(set(e['error'] for e in d['errors']))")
[ "$reasons" = "['HTTP 403 InvalidSignatureException']" ] || fail "reasons: $reasons"
occ=$(json_get "$T/bad.json" "sum(e['occurrences'] for e in d['errors'])")
[ "$occ" = "$n" ] || fail "occurrences $occ != $n"
echo "wrong secret: $n of $n requests HTTP 403 InvalidSignatureException (stand-in: $got)"

# 3. the secret and the token are nowhere; the signature shows at DEBUG
run "$SECRET" dbg DEBUG
grep -q "DEBUG/cicada.aws: POST .* signed: Authorization: AWS4-HMAC-SHA256 Credential=$KEY/" "$T/dbg.err" ||
    fail "no signature at DEBUG: $(grep -m3 cicada.aws "$T/dbg.err")"
for f in "$T"/*.out "$T"/*.err "$T"/*.json "$T"/*.html "$T"/*.csv; do
    if grep -q -F -e "$SECRET" -e "$TOKEN" "$f"; then
        fail "a secret appears in $(basename "$f")"
    fi
done
echo "no secret or token in $(ls "$T"/*.out "$T"/*.err "$T"/*.json "$T"/*.html "$T"/*.csv | wc -l) outputs and reports"
