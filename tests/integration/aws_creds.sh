#!/bin/sh
# Where AWS credentials come from, each source against a local stand-in that
# checks signatures with botocore: a profile in the shared credentials file
# (region from the config file), a profile only in the config file, an
# explicit profile before the environment's keys, the container credentials
# endpoint (with its authorization token) and IMDSv2 (token, role, role
# credentials), both with credentials expiring 4 s after they are issued:
# the run fetches new ones in time and no request is signed with expired
# ones. Then bad input: one line, exit 2, no request. Nothing reaches AWS or
# 169.254.x: every endpoint is the stand-in on 127.0.0.1.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/aws/standin.sh"
need_botocore

KEY=AKIDPROFILEKEY
SECRET="profile-secret-$$-abcdefgh"
start_standin --key "$KEY:$SECRET" --region eu-west-2 --service execute-api --lifetime 4 \
    --container-token "container-token-$$"

cat >"$T/c.ini" <<EOI
[run]
host = $SA_URL
aws_sigv4 = execute-api

[user U]
wait = constant 0.05

[task U get]
path = /prod/items?b=2&a=1
EOI
cat >"$T/credentials" <<EOI
[default]
aws_access_key_id = AKIDNOTTHISONE
aws_secret_access_key = not-this-secret

[p1]
aws_access_key_id = $KEY
aws_secret_access_key = $SECRET
EOI
cat >"$T/config" <<EOI
[default]
region = us-west-1

[profile p1]
region = eu-west-2

[profile p2]
region = eu-west-2
aws_access_key_id = $KEY
aws_secret_access_key = $SECRET
EOI

# check_run NAME SECONDS: the run NAME was all valid, counted once each, none expired
check_run() {
    rc=$(cat "$T/$1.rc")
    [ "$rc" = 0 ] || fail "$1: exit $rc: $(tail -5 "$T/$1.err")"
    n=$(json_get "$T/$1.json" "d['aggregated']['num_requests']")
    got=$(( $(sa_count requests) - base ))
    valid=$(( $(sa_count valid) - base_valid ))
    [ "$n" -ge 5 ] || fail "$1: only $n requests: $(grep -v "^ \\|^---\\|^$" "$T/$1.err" | head -20)"
    [ "$got" = "$n" ] || fail "$1: stand-in got $got, cicada counted $n"
    [ "$valid" = "$n" ] || fail "$1: $valid valid of $n (invalid $(sa_count invalid), expired $(sa_count expired))"
    [ "$(sa_count expired)" = 0 ] || fail "$1: $(sa_count expired) requests signed with expired credentials"
}
snap() {
    base=$(sa_count requests)
    base_valid=$(sa_count valid)
}
run() {
    name=$1
    secs=$2
    shift 2
    snap
    aws_env AWS_SHARED_CREDENTIALS_FILE="$T/credentials" AWS_CONFIG_FILE="$T/config" "$@" \
        "$CICADA" -f "$T/c.ini" --headless -u 2 -r 2 -t "$secs" --only-summary \
        --json "$T/$name.json" >"$T/$name.out" 2>"$T/$name.err"
    echo $? >"$T/$name.rc"
}

# 1. profile from the credentials file, region from the config file's [profile p1]
snap
aws_env AWS_SHARED_CREDENTIALS_FILE="$T/credentials" AWS_CONFIG_FILE="$T/config" \
    "$CICADA" -f "$T/c.ini" --headless -u 2 -r 2 -t 2s --only-summary --aws-profile p1 \
    --json "$T/profile.json" >"$T/profile.out" 2>"$T/profile.err"
echo $? >"$T/profile.rc"
check_run profile
grep -q "AWS credentials from profile 'p1' ($T/credentials (read) and $T/config (read))" "$T/profile.err" ||
    fail "profile: source line: $(grep cicada.aws "$T/profile.err")"
echo "profile p1 (credentials file, region from config): $n requests, all valid"

# 2. AWS_PROFILE naming a profile that only the config file has
run config 2s env AWS_PROFILE=p2
check_run config
echo "AWS_PROFILE=p2 (config file only): $n requests, all valid"

# 3. an explicit profile comes before the environment's keys (which are wrong here)
run explicit 2s env AWS_ACCESS_KEY_ID=AKIDWRONG AWS_SECRET_ACCESS_KEY=wrong-wrong CICADA_AWS_PROFILE=p1
check_run explicit
echo "CICADA_AWS_PROFILE=p1 beats AWS_ACCESS_KEY_ID: $n requests, all valid"

# 4. container credentials, expiring every 4 s, over 9 s
issued=$(sa_count creds_issued)
run container 9s env AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent \
    AWS_CONTAINER_CREDENTIALS_FULL_URI="$SA_URL/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="container-token-$$" AWS_REGION=eu-west-2
check_run container
grep -q "AWS credentials from the container credentials endpoint $SA_URL/creds, expiring .*, fetched again before then, with a session token" \
    "$T/container.err" || fail "container: source line: $(grep cicada.aws "$T/container.err")"
fetched=$(( $(sa_count creds_issued) - issued ))
[ "$fetched" -ge 3 ] || fail "container: credentials fetched $fetched times in 9 s (lifetime 4 s)"
grep -q -F "container-token-$$" "$T/container.err" "$T/container.out" "$T/container.json" &&
    fail "container: the authorization token was printed"
echo "container endpoint: $n requests, all valid, none expired, credentials fetched $fetched times"

# 5. IMDSv2, expiring every 4 s, over 9 s
issued=$(sa_count creds_issued)
run imds 9s env AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="$SA_URL" AWS_REGION=eu-west-2
check_run imds
grep -q "AWS credentials from the EC2 instance metadata service $SA_URL (role standin-role)" \
    "$T/imds.err" || fail "imds: source line: $(grep cicada.aws "$T/imds.err")"
fetched=$(( $(sa_count creds_issued) - issued ))
[ "$fetched" -ge 3 ] || fail "imds: credentials fetched $fetched times in 9 s (lifetime 4 s)"
echo "instance metadata: $n requests, all valid, none expired, credentials fetched $fetched times"

# 6. environment credentials whose session ends during the run: users stop
# sending (nothing signed with them once expired) and a warning says why
# (the expiry is set just before cicada starts: the machine may be slow)
snap
aws_env AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent AWS_ACCESS_KEY_ID=$KEY \
    AWS_SECRET_ACCESS_KEY=$SECRET AWS_REGION=eu-west-2 sh -c '
    AWS_CREDENTIAL_EXPIRATION=$(date -u -d "+4 seconds" +%Y-%m-%dT%H:%M:%SZ)
    export AWS_CREDENTIAL_EXPIRATION
    echo "$AWS_CREDENTIAL_EXPIRATION" >"$0/envexp.exp"
    exec "$@"' "$T" "$CICADA" -f "$T/c.ini" --headless -u 2 -r 2 -t 8s --only-summary \
    --json "$T/envexp.json" >"$T/envexp.out" 2>"$T/envexp.err"
echo $? >"$T/envexp.rc"
exp=$(cat "$T/envexp.exp")
check_run envexp
grep -q "WARNING/cicada.aws: the AWS credentials from the environment (AWS_ACCESS_KEY_ID), expiring $exp expire within a second or have expired and cannot be refreshed" \
    "$T/envexp.err" || fail "envexp: no warning: $(grep cicada.aws "$T/envexp.err")"
# the series' cumulative count reached its final value before the expiry
python3 - "$T/envexp.json" "$exp" <<'EOP' || fail "envexp: requests after the credentials expired"
import calendar, json, sys, time
d = json.load(open(sys.argv[1]))
exp = calendar.timegm(time.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%SZ"))
n = d["aggregated"]["num_requests"]
done = min(p["time"] for p in d["series"] if p["requests"] >= n)
if done > exp:
    sys.exit("all %d requests done only at %d, expiry %d" % (n, done, exp))
EOP
echo "environment session expiring mid-run: $n requests, all valid and before the expiry, then users waited"

# 7. bad input: exit 2, one line, no request
bad() {
    name=$1
    want=$2
    shift 2
    snap
    aws_env AWS_SHARED_CREDENTIALS_FILE="$T/credentials" AWS_CONFIG_FILE="$T/config" "$@" \
        >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    [ "$rc" = 2 ] || fail "$name: exit $rc, expected 2: $(cat "$T/$name.err")"
    [ "$(grep -c '^cicada: ' "$T/$name.err")" = 1 ] || fail "$name: not one error line: $(cat "$T/$name.err")"
    grep -q -F -- "$want" "$T/$name.err" || fail "$name: expected '$want' in: $(cat "$T/$name.err")"
    [ "$(sa_count requests)" = "$base" ] || fail "$name: a request was sent"
    echo "$name: $(grep '^cicada: ' "$T/$name.err")"
}
C="$CICADA -f $T/c.ini --headless -u 1 -t 1s"
bad none "no AWS credentials found: looked in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), keys of profile 'default' in /nonexistent/credentials (absent) and /nonexistent/config (absent), AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI (not set), the EC2 instance metadata service at http://127.0.0.1:" \
    env AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials AWS_CONFIG_FILE=/nonexistent/config \
    AWS_REGION=eu-west-2 $C
bad missing_profile "AWS profile 'nope' (aws_profile) not found in $T/credentials (read) and $T/config (read)" \
    $C --aws-profile nope
bad missing_env_profile "AWS profile 'gone' (AWS_PROFILE) not found" env AWS_PROFILE=gone $C
bad half_pair "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" \
    env AWS_ACCESS_KEY_ID=AKIDHALF $C
bad expired_env "expired at 2020-01-01T00:00:00Z (AWS_CREDENTIAL_EXPIRATION) and environment credentials cannot be refreshed" \
    env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET AWS_SESSION_TOKEN=tok \
    AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z AWS_REGION=eu-west-2 $C
bad container_401 "answered HTTP 401" env AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONTAINER_CREDENTIALS_FULL_URI="$SA_URL/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong $C
bad region_format "--aws-region: bad value \"useast1\" for aws_region: expected an AWS region" \
    $C --aws-region useast1
bad region_env "AWS_REGION: \"US-EAST-1\" is not an AWS region name" \
    env AWS_REGION=US-EAST-1 AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET $C
bad service_s3 "S3 signs paths and bodies its own way" $C --aws-sigv4 s3
bad service_format "bad value \"Sage Maker\" for aws_sigv4" env CICADA_AWS_SIGV4="Sage Maker" $C
bad no_region "task 'get' signs for execute-api but no region is set" \
    env AWS_CONFIG_FILE=/nonexistent AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET $C

cat >"$T/bad.ini" <<EOI
[user U]
aws_sigv4 = sagemaker
aws_region = eu-west-1

[task U ok]
path = https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/a/invocations
verify_tls = false

[task U other]
path = https://runtime.sagemaker.us-east-2.amazonaws.com/endpoints/a/invocations
EOI
bad region_host "task 'other' calls runtime.sagemaker.us-east-2.amazonaws.com, in region us-east-2, but signs for region eu-west-1" \
    env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$CICADA" -f "$T/bad.ini" --headless -t 1s
grep -q "WARNING/cicada.aws: verify_tls = false for the AWS host runtime.sagemaker.eu-west-1.amazonaws.com" \
    "$T/region_host.err" || fail "no verify_tls warning: $(cat "$T/region_host.err")"
printf '[user U]\naws_region = eu_west_1\n[task U t]\npath = /\n' >"$T/badkey.ini"
bad ini_region "badkey.ini:2: bad value \"eu_west_1\" for aws_region" "$CICADA" -f "$T/badkey.ini" -H "$SA_URL"
printf '[run]\nhost = %s\naws_sigv4 = sagemaker\naws_region = eu-west-2\n[task t]\npath = /\nheader = Authorization: Bearer x\n' "$SA_URL" >"$T/auth.ini"
bad own_auth "sets its own Authorization header and aws_sigv4" \
    env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET "$CICADA" -f "$T/auth.ini" -t 1s --headless

# credentials already expired when fetched, with nothing better to use
kill "$SA_PID"
wait "$SA_PID" 2>/dev/null
start_standin --key "$KEY:$SECRET" --region eu-west-2 --service execute-api --lifetime -60
bad container_expired "expired at" env AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONTAINER_CREDENTIALS_FULL_URI="$SA_URL/creds" \
    AWS_REGION=eu-west-2 "$CICADA" -f "$T/c.ini" -H "$SA_URL" --headless -t 1s
