#!/bin/sh
# Losing the Locust master. Two cicada workers run under master A; A is
# killed (SIGKILL): both notice at once and stop their users; worker 2
# (--master-timeout 3) gives up and exits 5 within its timeout (plus
# slack for a busy machine); worker 1 (--master-timeout 40) waits, and
# when master B starts on the same port it rejoins and runs B's test.
# Truth check: B's Aggregated count equals what the target received after
# A died (nothing stale from A's test reaches B), and worker 1 exits 0
# after B's quit. B's median (the target answers in 20 ms) agrees with a
# single cicada run's within Locust's rounding (the tail is the machine's
# load, not compared).
. "$top_srcdir/tests/lib.sh"

command -v locust >/dev/null 2>&1 || skip "python3-locust is not installed"

start_target --delay 20
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Api]
wait = constant 0.02

[task Api a]
path = /a
EOI
"$CICADA" --locustfile -f "$T/s.ini" >"$T/master.py" || fail "cicada --locustfile failed"
port=$(free_port)
(cd "$T" && exec locust -f "$T/master.py" --master --headless --expect-workers 2 -u 4 -r 4 -t 60s \
    --master-bind-host 127.0.0.1 --master-bind-port "$port" >"$T/a.log" 2>&1) &
A=$!
track_pid "$A"
"$CICADA" --worker -f "$T/s.ini" --master-port "$port" --master-timeout 40 --threads 1 >"$T/w1.log" 2>&1 &
W1=$!
track_pid "$W1"

# wait_log FILE TEXT SECS
wait_log() {
    i=0
    while ! grep -q "$2" "$1" && [ $i -lt $(($3 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    grep -q "$2" "$1" || fail "no '$2' in $1 within $3 s: $(tail -5 "$1")"
}

# worker 2 starts once the master is up (a busy machine may take longer than 3 s to start it)
wait_log "$T/w1.log" 'Joined the Locust master' 40
"$CICADA" --worker -f "$T/s.ini" --master-port "$port" --master-timeout 3 --threads 1 >"$T/w2.log" 2>&1 &
W2=$!
track_pid "$W2"
wait_log "$T/w1.log" 'running, 2 users' 30
wait_log "$T/w2.log" 'running, 2 users' 10
kill -KILL "$A"
wait "$A" 2>/dev/null
lib_untrack "$A"
killed=$(date +%s)
wait_log "$T/w1.log" 'Lost the Locust master' 5
wait_log "$T/w2.log" 'Lost the Locust master' 5
wait "$W2"
w2=$?
gone=$(date +%s)
lib_untrack "$W2"
cat "$T/w2.log"
[ "$w2" = 5 ] || fail "worker 2 exited $w2 after losing the master, expected 5"
[ $((gone - killed)) -le 10 ] || fail "worker 2 took $((gone - killed)) s to give up (--master-timeout 3)"
grep -q 'No Locust master took this worker back' "$T/w2.log" || fail "worker 2 did not say why it left"
sleep 0.5
target_reset

(cd "$T" && exec timeout 60 locust -f "$T/master.py" --master --headless --expect-workers 1 -u 3 -r 3 \
    -t 4s --csv "$T/b" --master-bind-host 127.0.0.1 --master-bind-port "$port" >"$T/b.log" 2>&1) &
B=$!
track_pid "$B"
wait "$B"
bstatus=$?
lib_untrack "$B"
wait "$W1"
w1=$?
lib_untrack "$W1"
cat "$T/w1.log"
[ "$bstatus" = 0 ] || fail "master B exited $bstatus: $(tail -10 "$T/b.log")"
[ "$w1" = 0 ] || fail "worker 1 exited $w1 after master B's quit"
grep -q 'Rejoined a Locust master' "$T/w1.log" || fail "worker 1 did not rejoin"
grep -q 'All users spawned: {"Api": 3} (3 total users)' "$T/b.log" || fail "master B did not run 3 users"
count=$(target_count)
got=$(python3 -c 'import csv, sys; print([r for r in csv.DictReader(open(sys.argv[1])) if r["Name"] == "Aggregated"][0]["Request Count"])' "$T/b_stats.csv")
echo "master B counted $got requests, the target $count since master A died"
[ "$got" = "$count" ] && [ "$count" -gt 50 ] || fail "master B counted $got requests, the target $count"

# the same load in a single cicada run: the same median within Locust's rounding
"$CICADA" -f "$T/s.ini" --headless --only-summary -u 3 -r 3 -t 4s --csv "$T/single" 2>"$T/single.err" ||
    fail "the single run failed: $(tail -5 "$T/single.err")"
python3 - "$T/b_stats.csv" "$T/single_stats.csv" <<'EOP' || fail "the percentiles differ"
import csv, sys
def agg(path):
    return [r for r in csv.DictReader(open(path)) if r["Name"] == "Aggregated"][0]
b, single = agg(sys.argv[1]), agg(sys.argv[2])
ok = True
for col in ("50%", "95%"):
    print(f"{col}: master {b[col]} ms, single cicada run {single[col]} ms")
if not 20 <= int(b["50%"]) <= 30 or abs(int(b["50%"]) - int(single["50%"])) > 2:
    ok = False
sys.exit(0 if ok else 1)
EOP
