#!/bin/sh
# --json: the document validates against tests/report.schema.json, its
# counts equal the console's and the target's, its series covers the run,
# its thresholds say what was measured, credentials are redacted; after
# SIGTERM mid-run it is still written; a missing directory is exit 2.
. "$top_srcdir/tests/lib.sh"

/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
    skip "Debian's python3-jsonschema is not installed"
start_target --delay 3 --record "$T/target.jsonl"

cat >"$T/s.ini" <<EOI
[run]
host = http://tester:pa55word@127.0.0.1:$TARGET_PORT

[thresholds]
threshold = p95 < 2s
threshold = GET /missing: fail_ratio < 1%

[user U]
wait = constant 0.02
header = Authorization: Bearer literal-s3cr3t-value
header = X-Trace: visible
header = X-Client: \${CLIENT_ID}

[task U ok]
weight = 4
path = /ok

[task U missing]
path = /status/404
name = /missing
EOI

# a value from the environment is a secret: no report may show it
CLIENT_ID=client-id-98765
export CLIENT_ID
"$CICADA" -f "$T/s.ini" --headless -u 5 -r 5 -t 4s --json "$T/r.json" --csv "$T/r" \
    --html "$T/r.html" >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 3 ] || fail "exit status $rc, expected 3 (the /missing threshold fails): $(tail -3 "$T/err")"
grep -q "writing json report to file: $T/r.json" "$T/err" || fail "no log line for the JSON report"
received=$(target_count)
grep -l "client-id-98765" "$T"/r* && fail "the environment's secret reached a report"
grep -q "client-id-98765" "$T/err" && fail "the environment's secret reached the output"
python3 -c 'import json,sys; [sys.exit(0) for l in open(sys.argv[1]) if json.loads(l).get("headers", {}).get("X-Client") == "client-id-98765"]; sys.exit(1)' \
    "$T/target.jsonl" 2>/dev/null || fail "the secret header did not reach the target"
echo "the environment's secret reached the target, and no report"

check() {
    /usr/bin/python3 - "$@" <<'EOP'
import json, subprocess, sys, jsonschema
path, schema, received, tables, log, expect_stop, expect_status = sys.argv[1:8]
doc = json.load(open(path))
jsonschema.validate(doc, json.load(open(schema)))
print(f"{path}: valid against the schema")
bad = []
agg = doc["aggregated"]
console = int(subprocess.check_output(["python3", tables, log, "get", "Aggregated", "reqs"]).strip())
if not (agg["num_requests"] == console == int(received)):
    bad.append(f"requests: json {agg['num_requests']}, console {console}, target {received}")
print(f"requests: json {agg['num_requests']} = console {console} = target {received}")
names = {(e["method"], e["name"]): e for e in doc["stats"]}
if set(names) != {("GET", "/ok"), ("GET", "/missing")}:
    bad.append(f"entries {sorted(names)}")
if sum(e["num_requests"] for e in doc["stats"]) != agg["num_requests"]:
    bad.append("entries do not add up to the Aggregated row")
miss = names[("GET", "/missing")]
if miss["num_failures"] != miss["num_requests"] or miss["fail_ratio"] != 1:
    bad.append(f"/missing: {miss['num_failures']} of {miss['num_requests']} failed")
ok = names[("GET", "/ok")]
# the server's delay is a floor no honest measurement goes under; the ceiling
# only catches a wrong unit (a busy machine adds queueing, not seconds)
if not 3 <= ok["percentiles_ms"]["50"] <= 300 or ok["min_response_time_ms"] < 3:
    bad.append(f"/ok p50 {ok['percentiles_ms']['50']} min {ok['min_response_time_ms']} (target delays 3 ms)")
errs = doc["errors"]
if len(errs) != 1 or errs[0]["error"] != "HTTP 404" or errs[0]["occurrences"] != miss["num_failures"]:
    bad.append(f"errors {errs}")
series = doc["series"]
if len(series) < 3 or series[-1]["requests"] > agg["num_requests"]:
    bad.append(f"series: {len(series)} points")
if any(b["time"] <= a["time"] for a, b in zip(series, series[1:])):
    bad.append("series times do not increase")
if max(p["users"] for p in series) != 5:
    bad.append(f"series users peak {max(p['users'] for p in series)}")
th = {t["threshold"]: t for t in doc["thresholds"]}
if not th["p95 < 2000 ms"]["passed"] or th["GET /missing: fail_ratio < 1%"]["passed"]:
    bad.append(f"thresholds {th}")
if th["GET /missing: fail_ratio < 1%"]["measured"] != 1:
    bad.append("the failed threshold's measured value is not 1")
if doc["run"]["stopped_by"] != expect_stop or doc["run"]["exit_status"] != int(expect_status):
    bad.append(f"run {doc['run']}")
gen = doc["generator"]
if gen["cpu_user_s"] + gen["cpu_system_s"] <= 0 or gen["peak_rss_kb"] <= 0:
    bad.append(f"generator {gen}")
text = open(path).read()
if "literal-s3cr3t-value" in text or "pa55word" in text:
    bad.append("a credential reached the JSON report")
if "X-Trace: visible" not in text or "Authorization: [redacted]" not in text:
    bad.append("headers are not listed with credentials redacted")
print(f"series {len(series)} points; thresholds {[(k, v['passed']) for k, v in th.items()]}; stopped by {doc['run']['stopped_by']}")
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOP
}
check "$T/r.json" "$top_srcdir/tests/report.schema.json" "$received" "$top_srcdir/tests/tables.py" \
    "$T/err" "run time" 3 || fail "time-limited run: see above"

# SIGTERM mid-run: the report is still written, and says so
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 5 -r 5 -t 60s --json "$T/term.json" >/dev/null 2>"$T/err2" &
pid=$!
track_pid $pid
sleep 4
kill -TERM $pid
wait $pid
rc=$?
lib_untrack $pid
[ "$rc" = 143 ] || fail "exit status $rc after SIGTERM, expected 143"
check "$T/term.json" "$top_srcdir/tests/report.schema.json" "$(target_count)" \
    "$top_srcdir/tests/tables.py" "$T/err2" SIGTERM 143 || fail "SIGTERM run: see above"

# a report that cannot be written is refused before the run
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 1 -t 2s --json "$T/nope/r.json" >/dev/null 2>"$T/bad.err"
[ $? = 2 ] || fail "missing JSON directory: expected exit 2"
grep -q "^cicada: --json: cannot write .*nope/r.json: the directory" "$T/bad.err" ||
    fail "message: $(cat "$T/bad.err")"
[ "$(target_count)" = 0 ] || fail "bad input sent requests"
echo "missing directory: exit 2, no request sent"

# a value that looks like a flag needs "=": --json=--odd-name writes the file --odd-name
(cd "$T" && "$CICADA" -f "$T/s.ini" --headless -u 1 -t 1s --only-summary --json=--odd-name) >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 2 ] && fail "--json=--odd-name refused: $(cat "$T/err")"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/--odd-name" ||
    fail "--json=--odd-name: no JSON in the file --odd-name"
[ -s "$T/--odd-name" ] || fail "--json=--odd-name did not write the file --odd-name"
echo "ok: --json=--odd-name writes --odd-name"
