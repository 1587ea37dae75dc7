#!/bin/sh
# --csv: the four files of Debian's locust (python3-locust 2.12.1) run
# against the same target have the same header rows; cicada's files parse
# with Python's csv module, hold Locust's number formats, and agree with the
# console tables and the target's count, also after SIGINT mid-run (history
# covering the last second); --csv-full-history adds per-entry rows with
# windowed percentiles; a missing directory is an error before the run.
. "$top_srcdir/tests/lib.sh"

[ -x /usr/bin/locust ] || skip "Debian's locust (python3-locust) is not installed"
start_target --delay 5

cat >"$T/locustfile.py" <<'EOP'
from locust import HttpUser, task, constant

class U(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def ok(self):
        self.client.get("/ok")

    @task(1)
    def unavailable(self):
        self.client.get("/status/503", name="/unavailable")
EOP
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.05

[task U ok]
weight = 3
path = /ok

[task U unavailable]
path = /status/503
name = /unavailable
EOI

(cd "$T" && timeout 60 /usr/bin/python3 /usr/bin/locust -f "$T/locustfile.py" --headless -u 4 \
    -r 4 -t 4s -H "$TARGET_URL" --csv "$T/locust" >/dev/null 2>"$T/locust.err")
[ -f "$T/locust_stats.csv" ] || fail "locust wrote no CSV: $(tail -3 "$T/locust.err")"
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 4 -r 4 -t 4s --csv "$T/cicada" >/dev/null 2>"$T/cicada.err"
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc (expected 1: some requests failed): $(tail -3 "$T/cicada.err")"
received=$(target_count)

python3 - "$T" "$received" "$top_srcdir/tests/tables.py" <<'EOP' || fail "time-limited run: see above"
import csv, subprocess, sys
T, received, tables = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bad = []
def rows(path):
    with open(path, newline="") as f:
        data = f.read()
    # Python's csv module writes CRLF rows, as Locust does
    if data and not data.endswith("\r\n"):
        bad.append(f"{path}: rows do not end in CRLF")
    return list(csv.reader(data.splitlines()))
for kind in ("stats", "stats_history", "failures", "exceptions"):
    lh = rows(f"{T}/locust_{kind}.csv")[0]
    ch = rows(f"{T}/cicada_{kind}.csv")[0]
    if lh != ch:
        bad.append(f"{kind}.csv header differs:\n locust {lh}\n cicada {ch}")
    else:
        print(f"{kind}.csv: header identical to Locust's ({len(ch)} columns)")
# the first history row, written at the start before any request, is Locust's
lf, cf = rows(f"{T}/locust_stats_history.csv")[1], rows(f"{T}/cicada_stats_history.csv")[1]
if lf[1:] != cf[1:]:
    bad.append(f"first history row differs:\n locust {lf}\n cicada {cf}")
stats = rows(f"{T}/cicada_stats.csv")
head, body = stats[0], stats[1:]
names = [r[1] for r in body]
if names != ["/ok", "/unavailable", "Aggregated"]:
    bad.append(f"stats.csv rows {names}")
agg = dict(zip(head, body[-1]))
if agg["Type"] != "":
    bad.append("Aggregated row must have an empty Type")
def console(name, col):
    return int(subprocess.check_output(["python3", tables, f"{T}/cicada.err", "get", name, col]).strip())
for row in body:
    r = dict(zip(head, row))
    name = "Aggregated" if r["Name"] == "Aggregated" else f"GET {r['Name']}"
    for col, ccol in (("Request Count", "reqs"), ("Failure Count", "fails")):
        if int(r[col]) != console(name, ccol):
            bad.append(f"{name} {col} {r[col]} != console {console(name, ccol)}")
    for col in ("Median Response Time", "Average Response Time", "Min Response Time",
                "Max Response Time", "Average Content Size", "Requests/s", "Failures/s"):
        float(r[col])
    for p in ("50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"):
        int(r[p])
    # Locust writes floats as repr: averages and rates carry a '.'
    if "." not in r["Average Response Time"] or "." not in r["Requests/s"]:
        bad.append(f"{name}: average/rate not written as floats: {r['Average Response Time']} {r['Requests/s']}")
    if int(r["Median Response Time"].split(".")[0]) > 100 and "." not in r["Median Response Time"]:
        bad.append(f"{name}: medians of 100 ms and more are floats in Locust 2.12.1")
if int(agg["Request Count"]) != received:
    bad.append(f"stats.csv Aggregated {agg['Request Count']} != target's {received}")
print(f"stats.csv: Aggregated {agg['Request Count']} = console {console('Aggregated', 'reqs')} = target {received}")
fails = rows(f"{T}/cicada_failures.csv")
if len(fails) != 2 or fails[1][:3] != ["GET", "/unavailable", "HTTP 503"] or int(fails[1][3]) != console("GET /unavailable", "fails"):
    bad.append(f"failures.csv: {fails}")
hist = rows(f"{T}/cicada_stats_history.csv")
hh = hist[0]
last = dict(zip(hh, hist[-1]))
if len(hist) < 4:
    bad.append(f"only {len(hist) - 1} history rows in a 4 s run")
if last["Name"] != "Aggregated" or int(last["Total Request Count"]) != received:
    bad.append(f"last history row {last} does not hold the final count {received}")
for r in hist[1:]:
    d = dict(zip(hh, r))
    if len(d["Requests/s"].split(".")[1]) != 6:
        bad.append(f"history Requests/s '{d['Requests/s']}' is not written like '{{:2f}}'")
        break
ts = [int(r[0]) for r in hist[1:]]
if ts != sorted(ts):
    bad.append("history timestamps go backwards")
print(f"history: {len(hist) - 1} rows, last at {ts[-1]}, Total Request Count {last['Total Request Count']}")
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOP

# SIGINT mid-run: every file complete, history up to the last second
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 4 -r 4 -t 60s --csv "$T/int" --csv-full-history \
    >/dev/null 2>"$T/int.err" &
pid=$!
track_pid $pid
sleep 5
kill -INT $pid
wait $pid
rc=$?
lib_untrack $pid
stopped=$(date +%s)
[ "$rc" = 130 ] || fail "exit status $rc after SIGINT, expected 130"
received=$(target_count)
python3 - "$T" "$received" "$stopped" "$top_srcdir/tests/tables.py" <<'EOP' || fail "SIGINT run: see above"
import csv, subprocess, sys
T, received, stopped, tables = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
bad = []
rows = lambda p: list(csv.reader(open(p, newline="")))
stats = rows(f"{T}/int_stats.csv")
agg = dict(zip(stats[0], stats[-1]))
console = int(subprocess.check_output(["python3", tables, f"{T}/int.err", "get", "Aggregated", "reqs"]).strip())
if not (int(agg["Request Count"]) == console == received):
    bad.append(f"after SIGINT stats.csv {agg['Request Count']}, console {console}, target {received}")
print(f"SIGINT: stats.csv {agg['Request Count']} = console {console} = target {received}")
hist = rows(f"{T}/int_stats_history.csv")
hh = hist[0]
last_ts = int(hist[-1][0])
if last_ts < stopped - 1:
    bad.append(f"history ends at {last_ts}, the run stopped at {stopped}")
# full history: every entry then Aggregated, per tick
names = [r[3] for r in hist[1:]]
for n in ("/ok", "/unavailable", "Aggregated"):
    if n not in names:
        bad.append(f"no history row for {n}")
finals = [dict(zip(hh, r)) for r in hist[-3:]]
if [f["Name"] for f in finals] != ["/ok", "/unavailable", "Aggregated"]:
    bad.append(f"last tick rows: {[f['Name'] for f in finals]}")
if int(finals[-1]["Total Request Count"]) != received:
    bad.append(f"last history row {finals[-1]['Total Request Count']} != {received}")
# windowed percentiles: the target delays 5 ms, so the current p50 is at
# least that (4: Locust's rounding); the ceiling only catches a wrong unit
p50 = int(finals[0]["50%"])
if not 4 <= p50 <= 300:
    bad.append(f"current p50 of /ok is {p50}, expected about 5 ms")
print(f"SIGINT: history ends at {last_ts} (stopped {stopped}), {len(hist) - 1} rows, /ok current p50 {p50}")
for kind in ("failures", "exceptions"):
    if len(rows(f"{T}/int_{kind}.csv")) < 1:
        bad.append(f"{kind}.csv empty")
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOP

# bad input: exit 2 before any request
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 1 -t 2s --csv "$T/missing/dir/x" >/dev/null 2>"$T/bad.err"
rc=$?
[ "$rc" = 2 ] || fail "missing CSV directory: exit $rc, expected 2"
grep -q "^cicada: --csv: cannot write .*missing/dir/x: the directory '.*missing/dir' does not exist" "$T/bad.err" ||
    fail "missing CSV directory message: $(cat "$T/bad.err")"
"$CICADA" -f "$T/s.ini" --headless -u 1 -t 2s --csv-full-history >/dev/null 2>"$T/bad2.err"
[ $? = 2 ] || fail "--csv-full-history without --csv must exit 2"
grep -q "csv-full-history needs --csv" "$T/bad2.err" || fail "message: $(cat "$T/bad2.err")"
[ "$(target_count)" = 0 ] || fail "bad input sent $(target_count) requests"
echo "bad input: exit 2, no request sent"
