#!/bin/sh
# Bad open-model input: one line naming the flag, the variable or
# file:line, exit status 2, and no request sent.
. "$top_srcdir/tests/lib.sh"

start_target

# expect_error PATTERN ARGS...: cicada ARGS exits 2 with one line on stderr matching PATTERN
expect_error() {
    pattern=$1
    shift
    "$CICADA" --headless -t 2s "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2, for $*; stderr: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "not one line on stderr for $*: $(cat "$T/err")"
    grep -Eq -- "^cicada: $pattern" "$T/err" || fail "stderr does not match '$pattern': $(cat "$T/err")"
    echo "ok: $(sed "s|$T/||" "$T/err")"
}

printf '[run]\nhost = %s\n\n[user U]\n[task U a]\npath = /a\n' "$TARGET_URL" >"$T/s.ini"
expect_error "--rate: bad value \"0\" for rate: expected a number above 0 \(task iterations" \
    -f "$T/s.ini" --rate 0
expect_error "--rate: bad value \"fast\"" -f "$T/s.ini" --rate fast
expect_error "--arrivals: bad value \"even\" for arrivals: expected uniform or poisson" \
    -f "$T/s.ini" --rate 10 --arrivals even
CICADA_ARRIVALS=bursty expect_error "CICADA_ARRIVALS: bad value \"bursty\"" -f "$T/s.ini"
CICADA_RATE=-3 expect_error "CICADA_RATE: bad value \"-3\"" -f "$T/s.ini"

# --rate with a [shape] of users (line 8)
printf '[run]\nhost = %s\n\n[user U]\n[task U a]\npath = /a\n\n[shape]\nstage = 10s 5\n' \
    "$TARGET_URL" >"$T/u.ini"
expect_error "--rate: --rate \(the open model\) does not go with the \[shape\] of users at .*u\.ini:8" \
    -f "$T/u.ini" --rate 10
printf '[run]\nhost = %s\nrate = 5\n[user U]\n[task U a]\npath = /a\n' "$TARGET_URL" >"$T/r.ini"
printf '[shape]\nstage = 10s 5\n' >>"$T/r.ini"
expect_error "$T/r\.ini:3: --rate \(the open model\) does not go with the \[shape\] of users" \
    -f "$T/r.ini"

# rate stages
printf '[run]\nhost = %s\n[user U]\n[task U a]\npath = /a\n[shape]\n' "$TARGET_URL" >"$T/base.ini"
{ cat "$T/base.ini"; echo "rate_stage = 10s"; } >"$T/x.ini"
expect_error "$T/x\.ini:7: bad rate_stage \"10s\": write rate_stage = DURATION RATE" -f "$T/x.ini"
{ cat "$T/base.ini"; echo "rate_stage = 10s lots"; } >"$T/x.ini"
expect_error "$T/x\.ini:7: bad rate \"lots\" in rate_stage" -f "$T/x.ini"
{ cat "$T/base.ini"; echo "rate_stage = 10s 5"; echo "stage = 10s 5"; } >"$T/x.ini"
expect_error "$T/x\.ini:8: 'stage' belongs to a stages shape, but this \[shape\] is a rates shape" \
    -f "$T/x.ini"
{ cat "$T/base.ini"; echo "rate_stage = 10s 5"; echo "spawn_rate = 5"; } >"$T/x.ini"
expect_error "$T/x\.ini:8: spawn_rate does not go with rate_stage" -f "$T/x.ini"
{ cat "$T/base.ini"; echo "rate_stage = 10s 5"; } >"$T/x.ini"
expect_error "--rate: --rate does not go with the rate stages of \[shape\]" -f "$T/x.ini" --rate 3

[ "$(target_count)" = 0 ] || fail "bad input sent $(target_count) requests"
exit 0
