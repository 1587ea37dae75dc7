#!/bin/sh
# A Locust master with its web UI drives one cicada worker beside one
# Python locust --worker (Debian's, started through the one-line wrapper
# that gives it a version string: Debian's package reports an empty one).
# Swarm 4 users: 2 on each worker (the master's /stats/requests); stop:
# cicada stops its users, reports, sends client_stopped and is ready again;
# swarm 2 users: a second test runs; SIGTERM on the master: it quits its
# workers, cicada sends its last report and exits 0, the master exits 0
# (no failures). Truth check on the second test: the master's count for
# cicada's path equals the target's exactly (the Python worker's path is
# only bounded: Python kills users mid-request at quit).
. "$top_srcdir/tests/lib.sh"

command -v locust >/dev/null 2>&1 || skip "python3-locust is not installed"
PY=$(sed -n '1s/^#!//p' "$(command -v locust)")
[ -x "$PY" ] || PY=/usr/bin/python3

start_target
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Api]
wait = constant 0.05

[task Api c]
path = /c
EOI
cat >"$T/py.py" <<'EOI'
from locust import HttpUser, constant, task


class Api(HttpUser):
    wait_time = constant(0.05)

    @task
    def py(self):
        self.client.get("/py")
EOI
port=$(free_port)
web=$(free_port)
(cd "$T" && exec timeout 90 locust -f "$T/py.py" --master --web-host 127.0.0.1 --web-port "$web" \
    --master-bind-host 127.0.0.1 --master-bind-port "$port" --csv "$T/out" \
    >"$T/master.log" 2>&1) &
MASTER=$!
track_pid "$MASTER"
"$CICADA" --worker -f "$T/s.ini" --master-port "$port" --threads 1 >"$T/w.log" 2>&1 &
W=$!
track_pid "$W"
(cd "$T" && exec timeout 90 "$PY" -c 'import sys, locust.runners as r; r.__version__ = "2.12.1"; from locust.main import main; sys.argv[0] = "locust"; sys.exit(main())' \
    -f "$T/py.py" --worker --master-port "$port" >"$T/pyworker.log" 2>&1) &
PW=$!
track_pid "$PW"

# poll EXPR: wait up to 20 s until the Python expression holds for the master's /stats/requests (as s)
poll() {
    i=0
    while [ $i -lt 80 ]; do
        if curl -s -f --max-time 2 "http://127.0.0.1:$web/stats/requests" >"$T/s.json" 2>/dev/null &&
            python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
                "$T/s.json" "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.25
        i=$((i + 1))
    done
    fail "the master never got to: $1 (last: $(cat "$T/s.json" 2>/dev/null | head -c 600)); master log: $(tail -5 "$T/master.log")"
}

poll 'len(s["workers"]) == 2 and all(w["state"] == "ready" for w in s["workers"])'
curl -s -f -X POST -d user_count=4 -d spawn_rate=4 -d host="$TARGET_URL" "http://127.0.0.1:$web/swarm" >/dev/null ||
    fail "cannot swarm"
poll 's["user_count"] == 4 and sorted(w["user_count"] for w in s["workers"]) == [2, 2]'
sleep 2
curl -s -f "http://127.0.0.1:$web/stop" >/dev/null || fail "cannot stop"
poll 's["state"] == "stopped" and len(s["workers"]) == 2 and all(w["state"] == "ready" for w in s["workers"])'
grep -q 'The master stopped the test' "$T/w.log" || fail "cicada did not see the stop: $(tail -5 "$T/w.log")"
sleep 1
target_reset
curl -s -f -X POST -d user_count=2 -d spawn_rate=2 -d host="$TARGET_URL" "http://127.0.0.1:$web/swarm" >/dev/null ||
    fail "cannot swarm again"
poll 's["user_count"] == 2 and sorted(w["user_count"] for w in s["workers"]) == [1, 1]'
sleep 3
kill -TERM "$MASTER"
wait "$MASTER"
mstatus=$?
lib_untrack "$MASTER"
i=0
while kill -0 "$W" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$W" 2>/dev/null && fail "cicada did not exit within 5 s of the master's quit"
wait "$W"
wstatus=$?
lib_untrack "$W"
cat "$T/w.log"
sed -n '/Shutting down/,/Aggregated/p' "$T/master.log"
[ "$mstatus" = 0 ] || fail "the master exited $mstatus, expected 0: $(tail -20 "$T/master.log")"
[ "$wstatus" = 0 ] || fail "cicada exited $wstatus after the master's quit"
grep -q 'reported that it has stopped' "$T/master.log" || fail "no client_stopped at the master"
[ "$(grep -c 'All users spawned' "$T/master.log")" = 2 ] || fail "the master did not spawn twice"
for bad in 'Unknown message type' 'Unhandled exception' 'Uncaught exception' 'Discarded report'; do
    grep -q "$bad" "$T/master.log" && fail "the master logged '$bad'"
done
target_stats >"$T/target.json"
python3 - "$T" <<'EOP' || fail "the master's numbers differ from the target's"
import csv, json, sys
t = sys.argv[1]
target = json.load(open(f"{t}/target.json"))["by_path"]
rows = {(r["Type"], r["Name"]): int(r["Request Count"]) for r in csv.DictReader(open(f"{t}/out_stats.csv"))}
c, py = rows.get(("GET", "/c"), 0), rows.get(("GET", "/py"), 0)
print(f"second test: cicada's /c master {c} target {target.get('GET /c')}; "
      f"Python's /py master {py} target {target.get('GET /py')}")
ok = c == target.get("GET /c") and c > 20
ok = ok and py > 20 and 0 <= target.get("GET /py", 0) - py <= 2
sys.exit(0 if ok else 1)
EOP
