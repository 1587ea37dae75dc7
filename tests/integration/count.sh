#!/bin/sh
# Truth check: the requests cicada reports equal, exactly, the requests the
# target received: after a time limit, and after SIGINT mid-run.
. "$top_srcdir/tests/lib.sh"

start_target --delay 2

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = between 0 0.01

[task U a]
weight = 3
path = /a

[task U b]
path = /b?x=1
name = /b
EOI

"$CICADA" -f "$T/s.ini" --headless -u 30 -r 30 -t 4s 2>"$T/err"
rc=$?
[ "$rc" = 0 ] || fail "exit status $rc: $(tail -5 "$T/err")"
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated reqs) || fail "no final table"
received=$(target_count)
echo "time limit: cicada reported $reported, the target received $received"
[ "$reported" -gt 1000 ] || fail "too few requests ($reported) for a meaningful check"
[ "$reported" = "$received" ] || fail "cicada reported $reported requests, the target received $received"
a=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get "GET /a" reqs)
b=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get "GET /b" reqs)
ta=$(target_path_count "GET /a")
tb=$(target_path_count "GET /b")
[ "$a" = "$ta" ] && [ "$b" = "$tb" ] || fail "per-task counts differ: cicada /a=$a /b=$b, target /a=$ta /b=$tb"

# stopped by SIGINT in the middle: still exact, final tables printed, exit 130
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 30 -r 30 -t 60s 2>"$T/err2" &
pid=$!
sleep 3
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || fail "exit status after SIGINT: $rc, expected 130"
grep -q "Shutting down (exit code 130)" "$T/err2" || fail "no 'Shutting down' line after SIGINT"
grep -q "Response time percentiles (approximated)" "$T/err2" || fail "no percentile table after SIGINT"
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/err2" get Aggregated reqs)
received=$(target_count)
echo "SIGINT: cicada reported $reported, the target received $received"
[ "$reported" = "$received" ] || fail "after SIGINT cicada reported $reported requests, the target received $received"
