#!/bin/sh
# Stopping: the time limit, SIGTERM and SIGHUP print the final tables with
# the right exit status; failures give 1 or --exit-code-on-error; the stop
# timeout and a second SIGINT abandon requests in flight.
. "$top_srcdir/tests/lib.sh"

start_target --delay 20

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[task t]
path = /t
EOI

# running FILE: wait until cicada's users run (10 s at most): a signal sent
# before cicada watches it is lost (a background job ignores SIGINT) or
# kills it, and a slow build (the sanitizers) starts late
running() {
    i=0
    until grep -q "All users spawned" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -lt 200 ] || fail "cicada did not start its users: $(tail -3 "$1")"
        sleep 0.05
    done
}

# finish (wait for it, then check exit status and the final tables)
finish() {
    wait "$1"
    rc=$?
    [ "$rc" = "$2" ] || fail "$3: exit status $rc, expected $2"
    grep -q "Shutting down (exit code $2)" "$4" || fail "$3: no 'Shutting down (exit code $2)'"
    grep -q "Response time percentiles (approximated)" "$4" || fail "$3: no percentile table"
    echo "$3: exit $rc with final tables"
}

"$CICADA" -f "$T/s.ini" --headless -u 5 -r 5 -t 2s 2>"$T/e1" &
finish $! 0 "time limit" "$T/e1"
grep -q -- "--run-time limit reached, shutting down" "$T/e1" || fail "no run-time message"

"$CICADA" -f "$T/s.ini" --headless -u 5 -r 5 -t 60s 2>"$T/e2" &
p=$!; running "$T/e2"; sleep 0.5; kill -TERM $p
finish $p 143 "SIGTERM" "$T/e2"

"$CICADA" -f "$T/s.ini" --headless -u 5 -r 5 -t 60s 2>"$T/e3" &
p=$!; running "$T/e3"; sleep 0.5; kill -HUP $p
finish $p 129 "SIGHUP" "$T/e3"

# failures: exit 1, or the code asked for; the error report names the reason
cat >"$T/f.ini" <<EOI
[run]
host = $TARGET_URL

[task missing]
path = /status/404
EOI
"$CICADA" -f "$T/f.ini" --headless -u 2 -r 2 -t 1s 2>"$T/e4" &
finish $! 1 "failures" "$T/e4"
grep -Eq "^[0-9]+ +GET /status/404: HTTP 404" "$T/e4" || fail "no 'GET /status/404: HTTP 404' in the error report"
"$CICADA" -f "$T/f.ini" --headless -u 2 -r 2 -t 1s --exit-code-on-error 7 2>"$T/e5" &
finish $! 7 "--exit-code-on-error 7" "$T/e5"

# slow requests: --stop-timeout 1 abandons them after 1 s; the target received
# them, so they are counted, as failures (exit status 1)
cat >"$T/slow.ini" <<EOI
[run]
host = $TARGET_URL

[task slow]
path = /delay/5000
EOI
"$CICADA" -f "$T/slow.ini" --headless -u 3 -r 3 -t 1s --stop-timeout 1 2>"$T/e6" &
p=$!
start=$(date +%s)
finish $p 1 "stop timeout" "$T/e6"
took=$(( $(date +%s) - start ))
grep -q "Abandoned at the stop: sent, no answer yet" "$T/e6" || fail "the abandoned requests are not counted"
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/e6" get Aggregated reqs)
[ "$reported" = 3 ] || fail "stop timeout reported $reported requests, expected the 3 abandoned" 
[ "$took" -le 4 ] || fail "--stop-timeout 1 took $took s to stop"
grep -q "Not all users finished their tasks & terminated in 1 seconds" "$T/e6" || fail "no stop-timeout message"

# without a stop timeout the requests in flight finish and are counted ...
target_reset
"$CICADA" -f "$T/slow.ini" --headless -u 3 -r 3 -t 1s 2>"$T/e7" &
finish $! 0 "graceful stop" "$T/e7"
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/e7" get Aggregated reqs)
[ "$reported" = 3 ] || fail "graceful stop reported $reported requests, expected the 3 in flight"
# ... unless a second Ctrl-C abandons them
"$CICADA" -f "$T/slow.ini" --headless -u 3 -r 3 -t 60s 2>"$T/e8" &
p=$!
running "$T/e8"; sleep 0.5; kill -INT $p; sleep 0.5; kill -INT $p
start=$(date +%s)
finish $p 130 "second SIGINT" "$T/e8"
took=$(( $(date +%s) - start ))
# the requests would need 4 s more
[ "$took" -le 3 ] || fail "a second SIGINT took $took s to stop"
