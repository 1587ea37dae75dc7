#!/bin/sh
# Bad capacity-search input: one line naming file:line or the flag, exit
# status 2, and no request sent.
. "$top_srcdir/tests/lib.sh"

start_target

# cap LINES...: a scenario whose [capacity] (line 8) holds LINES (from line 9)
cap() {
    {
        printf '[run]\nhost = %s\n\n[user U]\n[task U a]\npath = /a\n\n[capacity]\n' "$TARGET_URL"
        for l in "$@"; do printf '%s\n' "$l"; done
    } >"$T/s.ini"
}

# expect_error PATTERN [ARGS...]: cicada -f $T/s.ini --find-capacity ARGS exits 2, one line
expect_error() {
    pattern=$1
    shift
    "$CICADA" --headless -f "$T/s.ini" --find-capacity "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2, for $(sed -n '9,$p' "$T/s.ini") $*; stderr: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "not one line on stderr: $(cat "$T/err")"
    grep -Eq -- "^cicada: $pattern" "$T/err" || fail "stderr does not match '$pattern': $(cat "$T/err")"
    echo "ok: $(sed "s|$T/||g" "$T/err")"
}

cap "stepp = x2"
expect_error "$T/s\.ini:9: unknown key 'stepp' in \[capacity\] \(did you mean 'step'\?\)"
cap "frobnicate = 1"
expect_error "$T/s\.ini:9: unknown key 'frobnicate' in \[capacity\]: the keys are load, start"
cap "start = 100" "max = 50"
expect_error "$T/s\.ini:10: max \(50\) is below start \(100\)"
cap "step = 0"
expect_error "$T/s\.ini:9: bad value \"0\" for step: expected \+N \(added, above 0\) or xF"
cap "step = x1"
expect_error "$T/s\.ini:9: bad value \"x1\" for step"
cap "limit = p95 <"
expect_error "$T/s\.ini:9: bad limit \"p95 <\""
cap "limit = rps < 2x"
expect_error "$T/s\.ini:9: bad limit \"rps < 2x\": a relative limit takes a time"
cap "limit = /nope: p95 < 100ms"
expect_error "$T/s\.ini:9: threshold \"/nope: p95 < 100 ms\": no statistics entry"
cap "load = concurrency"
expect_error "$T/s\.ini:9: bad value \"concurrency\" for load"
cap "load = users" "start = 1.5"
expect_error "$T/s\.ini:10: with load = users, start, max and an added step are whole"
cap "step_time = 5s" "warmup = 5s"
expect_error "$T/s\.ini:10: warmup \(5s\) leaves nothing of step_time"
cap "min_ratio = 150%"
expect_error "$T/s\.ini:9: bad value \"150%\" for min_ratio"
cap "step_time = 10s"
expect_error "-t: a run time of 5s is shorter than one capacity step \(step_time = 10s, .*s\.ini:9\)" -t 5s
cap
expect_error "--rate: the capacity search sets the rate itself" --rate 10
cap "[shape]" "stage = 10s 5"
expect_error "--find-capacity: the capacity search sets the load itself: it does not go with the \[shape\] at .*s\.ini:9"
printf '[run]\nhost = %s\nmode = capcity\n[user U]\n[task U a]\npath = /a\n' "$TARGET_URL" >"$T/s.ini"
expect_error "$T/s\.ini:3: bad value \"capcity\" for mode: expected test or capacity"

[ "$(target_count)" = 0 ] || fail "bad input sent $(target_count) requests"
exit 0
