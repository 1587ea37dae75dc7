#!/bin/sh
# Truth under a failing server (tests/faultserver.py, one misbehaviour per
# case): every request the server read is a request in cicada's JSON
# report, or a counted resend (num_resent) of a safe one; every request
# the server read and did not answer is a failure saying so; a POST is
# never sent twice; connections the server closes after answering, idle
# closes and an unsolicited 408 make no failure.
. "$top_srcdir/tests/lib.sh"

# serve MODE [ARGS...]: start the stand-in server; sets SPID, SPORT
serve() {
    rm -f "$T/port"
    python3 "$top_srcdir/tests/faultserver.py" --port-file "$T/port" --mode "$@" 2>"$T/server.err" &
    SPID=$!
    track_pid "$SPID"
    i=0
    while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    [ -s "$T/port" ] || fail "the stand-in server did not start: $(cat "$T/server.err")"
    SPORT=$(cat "$T/port")
}

# run_case NAME METHOD USERS WAIT CHECKS: run cicada 2 s against the server,
# then compare the server's counts with the JSON report. CHECKS is a Python
# expression over srv (the server's counts), agg (the aggregated entry) and
# errors (reason -> occurrences) that must hold.
run_case() {
    name=$1 method=$2 users=$3 wait=$4 checks=$5
    body=""
    [ "$method" = POST ] && body="body = {\"n\": 1}"
    cat >"$T/f.ini" <<EOI
[run]
host = http://127.0.0.1:$SPORT

[user U]
wait = constant $wait

[task U t]
method = $method
path = /x
$body
EOI
    "$CICADA" -f "$T/f.ini" --headless -u "$users" -r 1000 -t 2s --json "$T/f.json" --html "$T/f.html" >/dev/null 2>"$T/err"
    rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "$name: exit status $rc: $(tail -5 "$T/err")"
    curl -s --max-time 5 "http://127.0.0.1:$SPORT/__counts" >"$T/counts.json" ||
        fail "$name: cannot read the server's counts"
    lib_stop "$SPID"
    lib_untrack "$SPID"
    python3 - "$name" "$T/counts.json" "$T/f.json" "$checks" "$T/f.html" <<'EOP' || fail "$name: see above"
import json, sys
name, counts, report, checks, html_path = sys.argv[1:6]
html = open(html_path).read()
srv = json.load(open(counts))
doc = json.load(open(report))
agg = doc["aggregated"]
errors = {}
for e in doc["errors"]:
    errors[e["error"]] = errors.get(e["error"], 0) + e["occurrences"]
print(f"{name}: server read {srv['read']}, answered {srv['answered']}, on {srv['connections']} "
      f"connections; cicada: {agg['num_requests']} requests, {agg['num_failures']} failures, "
      f"{agg['num_resent']} resent; {errors}")
# the rule for every case: nothing the server read is missing from the statistics
ok = srv["read"] <= agg["num_requests"] + agg["num_resent"]
ok = ok and srv["answered"] == agg["num_requests"] - agg["num_failures"]
ok = ok and srv["read"] >= 20
ok = ok and eval(checks)
if not ok:
    print(f"FAIL: {name}: {checks} does not hold", file=sys.stderr)
    sys.exit(1)
EOP
}

# the server reads the second request of each connection and closes without answering
serve drop-second
run_case "POST dropped" POST 1 0 \
    'agg["num_resent"] == 0 and srv["read"] == agg["num_requests"] and srv["dropped"] == agg["num_failures"] > 0 and errors.get("Server closed the connection without answering") == agg["num_failures"]'
serve drop-second
run_case "GET dropped" GET 1 0 \
    'srv["read"] == agg["num_requests"] + agg["num_resent"] and agg["num_resent"] == srv["dropped"] > 0 and agg["num_failures"] == 0 and ("<dd id=\"resent\">%d " % agg["num_resent"]) in html'
# the same with a reset instead of a close
serve reset-second
run_case "POST reset" POST 1 0 \
    'agg["num_resent"] == 0 and srv["read"] == agg["num_requests"] and srv["dropped"] == agg["num_failures"] > 0 and sum(v for k, v in errors.items() if "without answering" in k) == agg["num_failures"]'
# closes after N answers, without Connection: close: every request it read was
# answered, so no failure (libcurl's per-handle retry counter must not add any)
serve close-after --n 2
run_case "GET closes after 2" GET 5 0 'agg["num_failures"] == 0 and srv["read"] == agg["num_requests"]'
serve close-after --n 10
run_case "GET closes after 10" GET 5 0 'agg["num_failures"] == 0 and srv["read"] == agg["num_requests"]'
serve close-after --n 100
run_case "GET closes after 100, 50 users" GET 50 0 'agg["num_failures"] == 0 and srv["read"] == agg["num_requests"]'
# a POST the server never read (it closed as the request went out) is a failure, not resent
serve close-after --n 2
run_case "POST closes after 2" POST 5 0 'agg["num_resent"] == 0 and srv["read"] == agg["num_requests"] - agg["num_failures"]'
# idle connections closed (after 30 ms) long before users reuse them (100 ms, 300 ms)
serve idle-close --idle 0.03
run_case "GET idle close, 100 ms" GET 4 0.1 'agg["num_failures"] == 0 and srv["read"] == agg["num_requests"]'
# (a POST the server closes on as it arrives, on a busy machine, is a true failure it never read)
serve idle-close --idle 0.03
run_case "POST idle close, 300 ms" POST 4 0.3 'srv["read"] == agg["num_requests"] - agg["num_failures"] and agg["num_failures"] * 10 <= agg["num_requests"]'
# an unsolicited 408 on an idle connection is not the answer to the next request
serve idle-408 --idle 0.03
run_case "GET after a 408 on idle connections" GET 4 0.1 'agg["num_failures"] == 0 and srv["read"] == agg["num_requests"]'
serve idle-408 --idle 0.03
run_case "POST after a 408 on idle connections" POST 4 0.1 'srv["read"] == agg["num_requests"] - agg["num_failures"] and agg["num_failures"] * 10 <= agg["num_requests"]'
# a different number in every failure's text: one error row, the first text as its example
serve short
run_case "bodies cut short" GET 4 0 'agg["num_failures"] == srv["dropped"] == srv["read"] and len(doc["errors"]) == 1 and doc["errors"][0]["error"] == "transfer closed with N bytes remaining to read" and doc["errors"][0]["example"].startswith("transfer closed with ") and doc["errors"][0]["example"] != doc["errors"][0]["error"]'
echo ok
