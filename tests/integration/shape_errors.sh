#!/bin/sh
# Bad [shape] input of every kind: one line naming file:line, exit status
# 2, and no request sent to the target.
. "$top_srcdir/tests/lib.sh"

start_target

# shape LINES...: a scenario whose [shape] (line 8) holds LINES (from line 9)
shape() {
    {
        printf '[run]\nhost = %s\n\n[user U]\n[task U a]\npath = /a\n\n[shape]\n' "$TARGET_URL"
        for l in "$@"; do printf '%s\n' "$l"; done
    } >"$T/s.ini"
}

# expect_error PATTERN: cicada -f $T/s.ini exits 2 with one line on stderr matching PATTERN
expect_error() {
    "$CICADA" --headless -t 2s -f "$T/s.ini" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "exit status $rc, expected 2, for $(sed -n '9,$p' "$T/s.ini"); stderr: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "not one line on stderr: $(cat "$T/err")"
    grep -Eq -- "^cicada: $T/s\.ini:$1" "$T/err" || fail "stderr does not match 's.ini:$1': $(cat "$T/err")"
    echo "ok: $(sed "s|$T/||" "$T/err")"
}

# the section
shape
expect_error "8: \[shape\] is empty: add stages \(stage = DURATION USERS \[RATE\]\), a step load"
shape "spawn_rate = 5"
expect_error "8: \[shape\] has only spawn_rate: add stages"
shape "stage = 10s 5" "[shape]" "stage = 1s 1"
expect_error "10: \[shape\] is given twice \(first at line 8\)"
printf '[run]\nhost = %s\n[shape x]\n' "$TARGET_URL" >"$T/s.ini"
expect_error "3: bad section \[shape x\]: write \[shape\]"
printf '[run]\nhost = %s\n[shap]\n' "$TARGET_URL" >"$T/s.ini"
expect_error "3: unknown section \[shap\] \(did you mean \[shape\]\?\)"
shape "stages = 10s 5"
expect_error "9: unknown key 'stages' in \[shape\] \(did you mean 'stage'\?\)"
shape "frobnicate = 1"
expect_error "9: unknown key 'frobnicate' in \[shape\]: use stage = DURATION USERS \[RATE\]"

# stage = DURATION USERS [RATE]
shape "stage = 10s"
expect_error "9: bad stage \"10s\": write stage = DURATION USERS \[RATE\], e.g. stage = 30s 50 10"
shape "stage = 10s 5 1 1"
expect_error "9: bad stage \"10s 5 1 1\": write stage = DURATION USERS \[RATE\]"
shape "stage ="
expect_error "9: bad stage \"\": write stage"
shape "stage = 10s 5" "stage = soon 5"
expect_error "10: bad value \"soon\" for the stage's duration: expected a duration above 0"
shape "stage = 0s 5"
expect_error "9: bad value \"0s\" for the stage's duration"
shape "stage = 10s many"
expect_error "9: bad value \"many\" for the stage's users: expected a whole number of users from 0"
shape "stage = 10s -3"
expect_error "9: bad value \"-3\" for the stage's users"
shape "stage = 10s 20000000"
expect_error "9: bad value \"20000000\" for the stage's users"
shape "stage = 10s 5 0"
expect_error "9: bad value \"0\" for the stage's rate: expected a number of users per second above 0"
shape "stage = 10s 5 fast"
expect_error "9: bad value \"fast\" for the stage's rate"
shape "stage = 10s 5" "spawn_rate = 3"
expect_error "10: spawn_rate does not go with stages \(stage at line 9\)"
shape "spawn_rate = 3" "stage = 10s 5"
expect_error "10: stage does not go with spawn_rate \(line 9\)"
shape "stage = 10s 5" "step_users = 3"
expect_error "10: 'step_users' belongs to a steps shape, but this \[shape\] is a stages shape \('stage' at line 9\)"

# step load
shape "step_users = 2" "step_time = 10s" "max_users = 10" "base_users = 1"
expect_error "12: 'base_users' belongs to a spike shape, but this \[shape\] is a steps shape \('step_users' at line 9\)"
shape "step_users = 2" "step_time = 10s" "max_users = 10" "stage = 1s 1"
expect_error "12: 'stage' belongs to a stages shape, but this \[shape\] is a steps shape"
shape "step_users = 2" "step_users = 3"
expect_error "10: 'step_users' is given twice in this section \(first at line 9\)"
shape "step_time = 10s" "max_users = 10"
expect_error "8: the steps shape needs step_users \(e.g. step_users = 10\)"
shape "step_users = 2" "max_users = 10"
expect_error "8: the steps shape needs step_time \(e.g. step_time = 30s\)"
shape "step_users = 2" "step_time = 10s"
expect_error "8: the steps shape needs max_users \(e.g. max_users = 100\)"
shape "start_users = lots"
expect_error "9: bad value \"lots\" for start_users"
shape "step_users = 0"
expect_error "9: bad value \"0\" for step_users: must be at least 1"
shape "step_users = x"
expect_error "9: bad value \"x\" for step_users"
shape "step_time = 0"
expect_error "9: bad value \"0\" for step_time: expected a duration above 0"
shape "max_users = 0"
expect_error "9: bad value \"0\" for max_users: must be at least 1"
shape "hold = forever"
expect_error "9: bad value \"forever\" for hold"
shape "spawn_rate = -1"
expect_error "9: bad value \"-1\" for spawn_rate: expected a number of users per second above 0"
shape "start_users = 20" "step_users = 2" "step_time = 10s" "max_users = 10"
expect_error "9: start_users \(20\) is above max_users \(10\)"
shape "step_users = 1" "step_time = 1s" "max_users = 1000000"
expect_error "9: from 1 to 1000000 users by 1 makes more than 10000 steps: take bigger steps"

# spike
shape "base_users = 2" "spike_users = 10" "before = 5s" "spike_time = 5s" "hold = 1s"
expect_error "13: 'hold' belongs to a steps shape, but this \[shape\] is a spike shape \('base_users' at line 9\)"
shape "spike_users = 10" "before = 5s" "spike_time = 5s"
expect_error "8: the spike shape needs base_users \(e.g. base_users = 10\)"
shape "base_users = 2" "before = 5s" "spike_time = 5s"
expect_error "8: the spike shape needs spike_users"
shape "base_users = 2" "spike_users = 10" "spike_time = 5s"
expect_error "8: the spike shape needs before"
shape "base_users = 2" "spike_users = 10" "before = 5s"
expect_error "8: the spike shape needs spike_time"
shape "base_users = 10" "spike_users = 10" "before = 5s" "spike_time = 5s"
expect_error "10: spike_users \(10\) must be above base_users \(10\)"
shape "base_users = -1"
expect_error "9: bad value \"-1\" for base_users"
shape "spike_users = 1.5"
expect_error "9: bad value \"1.5\" for spike_users"
shape "before = 0"
expect_error "9: bad value \"0\" for before"
shape "spike_time = x"
expect_error "9: bad value \"x\" for spike_time"
shape "after = -5s"
expect_error "9: bad value \"-5s\" for after"
shape "spike_rate = 0"
expect_error "9: bad value \"0\" for spike_rate"

n=$(target_count)
[ "$n" = 0 ] || fail "the target received $n requests from runs that should have sent none"
echo "the target received no request"
