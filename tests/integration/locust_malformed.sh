#!/bin/sh
# cicada --worker against a fake Locust master (pyzmq): malformed and
# unexpected messages (bad msgpack, wrong shapes, wrong types, unknown
# types, another worker's id, two frames, deep nesting) are logged and
# ignored; after a reconnect the worker goes on; a spawn naming a class the scenario lacks, and lacking one it
# has, is answered with clear messages on both sides (the worker's log, an
# exception to the master); reports keep Locust's shapes; after the quit
# the worker sends its last report and exits 0, and the requests it
# reported equal the target's count.
. "$top_srcdir/tests/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] && "$PY" -c 'import zmq, msgpack' 2>/dev/null || skip "python3-zmq is not installed"

start_target
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Api]
wait = constant 0.01

[task Api a]
path = /a

[user Other-2]

[task Other-2 b]
path = /b
EOI
port=$(free_port)
"$PY" "$top_srcdir/tests/integration/locust_fake_master.py" "$port" >"$T/master.out" 2>&1 &
MASTER=$!
track_pid "$MASTER"
"$CICADA" --worker -f "$T/s.ini" --master-port "$port" --threads 1 >"$T/w.log" 2>&1 &
W=$!
track_pid "$W"
wait "$MASTER"
mstatus=$?
cat "$T/master.out"
wait "$W"
wstatus=$?
lib_untrack "$W"
head -60 "$T/w.log"
[ "$mstatus" = 0 ] || fail "the fake master's checks failed: $(cat "$T/master.out"); worker log: $(tail -20 "$T/w.log")"
[ "$wstatus" = 0 ] || fail "the worker exited $wstatus after the master's quit: $(tail -5 "$T/w.log")"
grep -q 'Segmentation\|Assertion\|AddressSanitizer' "$T/w.log" && fail "the worker crashed: $(cat "$T/w.log")"
n=$(grep -c 'Ignoring a malformed message from the master' "$T/w.log")
[ "$n" -ge 14 ] || fail "only $n malformed messages logged: $(cat "$T/w.log")"
grep -q "Ignoring a message of type 'custom_ping'" "$T/w.log" || fail "the unknown type was not logged"
grep -q "Ignoring a 'quit' message addressed to another worker" "$T/w.log" || fail "another worker's message was not logged"
grep -q "Ignoring a message of several frames" "$T/w.log" || fail "the two-frame message was not logged"
grep -q "The master asked this worker to reconnect" "$T/w.log" || fail "the reconnect was not logged"
grep -q "the master's user class 'Nope' is not in" "$T/w.log" || fail "no message about the class Nope"
grep -q "user class 'Other-2' of .* is not in the master's locustfile" "$T/w.log" ||
    fail "no message about the class the master lacks"
reported=$(sed -n 's/^reported \([0-9]*\) requests.*/\1/p' "$T/master.out")
count=$(target_count)
echo "worker reported $reported requests, the target counted $count"
[ "$reported" = "$count" ] || fail "the worker reported $reported requests, the target counted $count"

# a master that sends heartbeats (Locust 2.19+) and then goes silent
"$PY" "$top_srcdir/tests/integration/locust_fake_master.py" "$port" heartbeats >"$T/hb.out" 2>&1 &
MASTER=$!
track_pid "$MASTER"
"$CICADA" --worker -f "$T/s.ini" --master-port "$port" --master-timeout 2 --threads 1 >"$T/hb.log" 2>&1 &
W=$!
track_pid "$W"
i=0
while ! grep -q '^ready' "$T/hb.out" && kill -0 "$MASTER" 2>/dev/null && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$W"
wait "$W"
wstatus=$?
lib_untrack "$W"
wait "$MASTER"
mstatus=$?
cat "$T/hb.out"
cat "$T/hb.log"
[ "$mstatus" = 0 ] || fail "the heartbeat checks failed"
[ "$wstatus" = 143 ] || fail "the worker exited $wstatus after SIGTERM, expected 143"
grep -q 'Lost the Locust master .*no heartbeat from it for 2 s' "$T/hb.log" || fail "no message about the silent master"
