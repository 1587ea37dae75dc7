#!/bin/sh
# Truth check: wait = constant 1 with 20 users for 10 s gives 20 x 10
# requests, +- 10 %; pacing and throughput hold their rates too.
. "$top_srcdir/tests/lib.sh"

start_target

run() {
    cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = $1

[task U t]
path = /t
EOI
    target_reset
    "$CICADA" -f "$T/s.ini" --headless -u "$2" -r "$2" -t "$3" 2>"$T/err" ||
        fail "cicada failed: $(tail -5 "$T/err")"
    n=$(target_count)
    echo "wait = $1, $2 users, $3: $n requests (expected $4 +- 10%)"
    [ "$n" -ge $(( $4 * 9 / 10 )) ] && [ "$n" -le $(( $4 * 11 / 10 )) ] ||
        fail "wait = $1: $n requests, expected $4 +- 10%"
}

run "constant 1" 20 10s 200
# pacing 0.5: one task start every 0.5 s per user, whatever the task takes
run "pacing 0.5" 10 5s 100
# throughput 4: four task starts per second per user
run "throughput 4" 5 5s 100
# between 0.2 0.6: mean wait 0.4 s; a user runs its task first, then waits, so
# in 6 s it starts 1 + (renewals of a uniform wait in 6 s, 15 - 0.46) = 15.5 tasks
run "between 0.2 0.6" 10 6s 155
