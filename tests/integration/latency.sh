#!/bin/sh
# Truth check: against a target that answers after a fixed 50 ms, the
# minimum is at least 50 ms and the median is 50 ms, less 2 for rounding
# and plus at most 10 (a busy 2-core machine, say another make check, adds
# its scheduling delay to every request; on a quiet one it reads 50-51).
# Then under load, with responses arriving in bursts: cicada takes the
# time it spends on other sockets after its loop wakes off each response
# time (src/worker.c, discount_loop_backlog), which must never bring a
# response under the target's delay: 300 users without a wait against a
# 20 ms target keep both busy, and the minimum is at least 20 ms.
. "$top_srcdir/tests/lib.sh"

t="$top_srcdir/tests/tables.py"

# measure DELAY_MS USERS SECONDS: run cicada against a target answering after
# DELAY_MS; sets reqs, med, min and p50 (ms) from the final tables
measure() {
    start_target --delay "$1"
    cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[task slow]
path = /slow
EOI
    "$CICADA" -f "$T/s.ini" --headless -u "$2" -r 1000 -t "$3s" 2>"$T/err" ||
        fail "cicada failed: $(tail -5 "$T/err")"
    stop_target
    reqs=$(python3 "$t" "$T/err" get Aggregated reqs)
    med=$(python3 "$t" "$T/err" get Aggregated med)
    min=$(python3 "$t" "$T/err" get Aggregated min)
    p50=$(python3 "$t" "$T/err" pct Aggregated 50)
    echo "delay $1 ms, $2 users: requests $reqs, median $med ms, p50 $p50 ms, min $min ms"
}

measure 50 10 5
[ "$reqs" -gt 300 ] || fail "too few requests: $reqs"
[ "$med" -ge 48 ] && [ "$med" -le 60 ] || fail "median $med ms, expected 50 (48 to 60)"
[ "$p50" -ge 48 ] && [ "$p50" -le 60 ] || fail "p50 $p50 ms, expected 50 (48 to 60)"
[ "$min" -ge 50 ] || fail "min $min ms, expected >= 50"

measure 20 300 3
[ "$reqs" -gt 1000 ] || fail "too few requests under load: $reqs"
[ "$min" -ge 20 ] || fail "min $min ms under load, expected >= 20 (a response timed before the target answered)"
