#!/bin/sh
# Response checks: each kind of failed check counts as a failure with its
# documented reason in the error report; passing checks count nothing.
. "$top_srcdir/tests/lib.sh"

start_target

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.02

[task U status]
path = /status/404
expect_status = 200-299, 301

[task U body_missing]
method = POST
path = /echo
body = hello world
expect_body = goodbye

[task U body_ok]
method = POST
path = /echo
body = hello world
name = /echo-ok
expect_body = lo wo

[task U json_ok]
path = /ok
expect_json = ok == true
expect_json = ok

[task U json_mismatch]
path = /mismatch
expect_json = ok == false

[task U json_missing]
path = /missing
expect_json = result.label

[task U not_json]
path = /bytes/10
expect_json = label

[task U slow]
path = /delay/150
max_response_time = 50ms

[task U fast]
path = /delay/1
max_response_time = 2s

[task U too_big]
path = /bytes/1100000
expect_body = y

[task U capture_missing]
path = /nocapture
capture = tok json token

[task U header_missing]
path = /noheader
capture = sess header X-Session
EOI

"$CICADA" -f "$T/s.ini" --headless -u 4 -r 10 -t 4s >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (requests failed): $(tail -5 "$T/err")"

# reason_count "METHOD NAME: reason": occurrences in the final error report
reason_count() {
    awk -v want="$1" '
        /^Error report/ { n = 0; inrep = 1; next }
        inrep && index($0, want) { sub(/^ */, ""); split($0, f, " "); n = f[1] }
        END { print n + 0 }' "$T/err"
}
# failures in the final statistics row of NAME
fails_of() {
    awk -v name="$1" '$2 == name && $4 ~ /\(/ { split($4, f, "("); n = f[1] } END { print n + 0 }' "$T/err"
}
reqs_of() {
    awk -v name="$1" '$2 == name && $4 ~ /\(/ { n = $3 } END { print n + 0 }' "$T/err"
}

check_reason() {    # NAME "METHOD NAME: reason"
    got=$(reason_count "$2")
    reqs=$(reqs_of "$1")
    fails=$(fails_of "$1")
    [ "$reqs" -ge 3 ] || fail "$1: only $reqs requests"
    [ "$fails" = "$reqs" ] || fail "$1: $fails failures of $reqs requests"
    [ "$got" = "$reqs" ] || fail "$1: '$2' counted $got times, expected $reqs: $(cat "$T/err")"
    echo "ok: $2 ($got)"
}
check_pass() {      # NAME
    reqs=$(reqs_of "$1")
    [ "$reqs" -ge 3 ] || fail "$1: only $reqs requests"
    [ "$(fails_of "$1")" = 0 ] || fail "$1: checks that hold counted failures"
    echo "ok: $1 passes ($reqs)"
}

check_reason /status/404 'GET /status/404: HTTP 404 (expected 200-299, 301)'
check_reason /echo 'POST /echo: body does not contain "goodbye"'
check_reason /mismatch 'GET /mismatch: JSON field ok is not false'
check_reason /missing 'GET /missing: JSON field result.label missing'
check_reason /bytes/10 'GET /bytes/10: body is not JSON (expected field label)'
check_reason /delay/150 'GET /delay/150: response time above 50 ms'
check_reason /bytes/1100000 'GET /bytes/1100000: response body over 1048576 bytes: too large to check'
check_reason /nocapture 'GET /nocapture: capture tok: JSON field token missing'
check_reason /noheader 'GET /noheader: capture sess: header X-Session missing'
check_pass /ok
check_pass /delay/1
check_pass /echo-ok

# Tasks counted under one name: each failed check or capture keeps its own
# reason, counted as often as the target answered that task's path (the
# first check of two tasks, and a first capture, are not merged).
target_reset
cat >"$T/shared.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.02

[task U one]
path = /bytes/10
name = /shared
expect_body = seven

[task U two]
path = /bytes/11
name = /shared
expect_body = eight

[task U three]
path = /bytes/12
name = /shared
capture = nine json nine
EOI
"$CICADA" -f "$T/shared.ini" --headless -u 2 -r 10 -t 2s >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "shared name: exit status $rc, expected 1: $(tail -5 "$T/err")"
for want in '10 body does not contain "seven"' '11 body does not contain "eight"' \
            '12 capture nine: body is not JSON'; do
    n=${want%% *}
    reason=${want#* }
    got=$(reason_count "GET /shared: $reason")
    served=$(target_path_count "GET /bytes/$n")
    [ "$served" -ge 1 ] || fail "shared name: the target answered no GET /bytes/$n"
    [ "$got" = "$served" ] ||
        fail "shared name: '$reason' counted $got times, GET /bytes/$n answered $served: $(cat "$T/err")"
    echo "ok: one name, GET /bytes/$n: '$reason' $got = target's $served"
done
[ "$(fails_of /shared)" = "$(reqs_of /shared)" ] || fail "shared name: not every request failed"
