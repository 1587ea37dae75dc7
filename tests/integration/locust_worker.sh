#!/bin/sh
# Two cicada workers under an unmodified Locust master (Debian's
# python3-locust), headless: locust -f GENERATED --master --headless
# --expect-workers 2 -u 40 -r 20 -t 15s --csv. Truth checks: the master's
# Aggregated request count in OUT_stats.csv equals the target's count
# exactly, per name too; its failures per reason equal the target's count
# of the failing path; 40 users split 20/20 over the workers (the master's
# "All users spawned" line, its history CSV and each worker's status
# line); the master exits 1 (there were failures), as with Python
# workers; both workers exit 0 after the master's quit.
. "$top_srcdir/tests/lib.sh"

command -v locust >/dev/null 2>&1 || skip "python3-locust is not installed"

start_target
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Api]
weight = 3
wait = between 0.005 0.01

[task Api ok]
path = /a
weight = 2

[task Api bad]
path = /status/500

[user Batch-2]
wait = constant 0.02

[task Batch-2 b]
method = POST
path = /b
body = {"x": 1}
EOI
"$CICADA" --locustfile -f "$T/s.ini" >"$T/master.py" || fail "cicada --locustfile failed"
port=$(free_port)
(cd "$T" && exec timeout 60 locust -f "$T/master.py" --master --headless --expect-workers 2 \
    -u 40 -r 20 -t 15s --csv "$T/out" --master-bind-host 127.0.0.1 \
    --master-bind-port "$port" >"$T/master.log" 2>&1) &
MASTER=$!
track_pid "$MASTER"
for i in 1 2; do
    "$CICADA" --worker -f "$T/s.ini" --master-port "$port" --threads 1 >"$T/w$i.log" 2>&1 &
    eval "W$i=\$!"
    track_pid $!
done
wait "$MASTER"
mstatus=$?
lib_untrack "$MASTER"
wait "$W1"; w1=$?
wait "$W2"; w2=$?
lib_untrack "$W1"; lib_untrack "$W2"
sed -n '/Shutting down/,$p' "$T/master.log"
tail -n 3 "$T/w1.log" "$T/w2.log"
[ "$mstatus" = 1 ] || fail "the master exited $mstatus, expected 1 (failures): $(tail -20 "$T/master.log")"
[ "$w1 $w2" = "0 0" ] || fail "the workers exited $w1 and $w2 after the master's quit"
for bad in 'pre 2.0' 'different version' 'Unknown message type' 'Discarded report' \
    'failed to send heartbeat' 'Unhandled exception' 'Uncaught exception' 'missing'; do
    grep -q "$bad" "$T/master.log" && fail "the master logged '$bad': $(grep "$bad" "$T/master.log" | head -3)"
done
grep -q 'All users spawned: {"Api": 30, "Batch-2": 10} (40 total users)' "$T/master.log" ||
    fail "the master did not spawn 40 users: $(grep -i 'spawn' "$T/master.log" | head -5)"
grep -q 'running, 20 users' "$T/w1.log" || fail "worker 1 did not run 20 users: $(grep users "$T/w1.log" | head -3)"
grep -q 'running, 20 users' "$T/w2.log" || fail "worker 2 did not run 20 users: $(grep users "$T/w2.log" | head -3)"

target_stats >"$T/target.json"
python3 - "$T" <<'EOP' || fail "the master's numbers differ from the target's"
import csv, json, sys
t = sys.argv[1]
target = json.load(open(f"{t}/target.json"))
rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(open(f"{t}/out_stats.csv"))}
agg = rows[("", "Aggregated")]
print("master Aggregated:", agg["Request Count"], "requests,", agg["Failure Count"],
      "failures; target:", target["requests"], "requests", target["by_path"])
ok = int(agg["Request Count"]) == target["requests"]
for key, n in target["by_path"].items():
    method, path = key.split(" ", 1)
    got = int(rows[(method, path)]["Request Count"]) if (method, path) in rows else 0
    if got != n:
        print(f"{key}: master {got}, target {n}")
        ok = False
fails = {(r["Method"], r["Name"], r["Error"]): int(r["Occurrences"])
         for r in csv.DictReader(open(f"{t}/out_failures.csv"))}
want = {("GET", "/status/500", "'HTTP 500'"): target["by_path"].get("GET /status/500", 0)}
print("master failures:", fails)
if fails != want or int(agg["Failure Count"]) != want[("GET", "/status/500", "'HTTP 500'")]:
    print("failures differ: want", want)
    ok = False
users = max(int(r["User Count"]) for r in csv.DictReader(open(f"{t}/out_stats_history.csv")))
print("most users in the master's history:", users)
ok = ok and users == 40 and target["requests"] > 1000
sys.exit(0 if ok else 1)
EOP
