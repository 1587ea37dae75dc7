#!/bin/sh
# Header injection: a value captured from a login answer holds CR LF, a
# header of its own and a whole smuggled request. cicada must not send a
# request whose header or URL it would reach: each is a failure saying
# why, and the server sees no injected header, no smuggled request, and
# exactly the requests cicada reports as sent. Values known at load time
# (${ENV}) holding CR or LF: exit 2 naming file:line, nothing sent.
. "$top_srcdir/tests/lib.sh"

rm -f "$T/port"
python3 "$top_srcdir/tests/faultserver.py" --port-file "$T/port" --mode login 2>"$T/server.err" &
spid=$!
track_pid "$spid"
i=0
while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/port" ] || fail "the stand-in server did not start: $(cat "$T/server.err")"
port=$(cat "$T/port")

cat >"$T/i.ini" <<EOI
[run]
host = http://127.0.0.1:$port

[user U]
wait = constant 0.05

[task U login]
phase = on_start
method = POST
path = /login
body = {"user": "u"}
capture = tok json token

[task U api]
path = /api
header = Authorization: Bearer {{var tok}}

[task U search]
path = /search?q={{var tok}}
EOI
"$CICADA" -f "$T/i.ini" --headless -u 3 -r 10 -t 2s --json "$T/i.json" >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc, expected 1 (failures): $(tail -5 "$T/err")"
curl -s --max-time 5 "http://127.0.0.1:$port/__counts" >"$T/counts.json" || fail "no counts"
python3 - "$T/counts.json" "$T/i.json" <<'EOP' || fail "see above"
import json, sys
srv = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
agg = doc["aggregated"]
by = {(e["method"], e["name"]): e for e in doc["stats"]}
reasons = {e["error"]: e["occurrences"] for e in doc["errors"]}
print("server:", srv)
print("cicada:", agg["num_requests"], "requests,", agg["num_failures"], "failures:", reasons)
bad = []
if srv["injected"] or srv["smuggled"]:
    bad.append("the server saw an injected header or a smuggled request")
refused = sum(v for k, v in reasons.items() if k.startswith("Not sent:"))
if refused != agg["num_failures"] or refused == 0:
    bad.append("the failures are not the refused requests")
if not any("header Authorization" in k for k in reasons):
    bad.append("no reason names the Authorization header")
if not any("the URL" in k for k in reasons):
    bad.append("no reason names the URL")
if srv["read"] != agg["num_requests"] - refused:
    bad.append(f"the server read {srv['read']}, cicada sent {agg['num_requests'] - refused}")
if srv["by_method"].get("GET", 0) != 0:
    bad.append("a GET with the captured token went out")
if any("X-Evil" in k or "victim" in k for k in reasons):
    bad.append("a reason shows the injected text")
if bad:
    print("FAIL:", "; ".join(bad), file=sys.stderr)
    sys.exit(1)
EOP

# known at load time: exit 2 with file:line, nothing sent
before=$(curl -s --max-time 5 "http://127.0.0.1:$port/__counts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["read"])')
EVIL=$(printf 'abc\r\nX-Evil: injected')
export EVIL
printf '[run]\nhost = http://127.0.0.1:%s\n\n[user U]\nwait = constant 0.1\n\n[task U a]\npath = /a\nheader = X-Token: ${EVIL}\n' "$port" >"$T/e.ini"
"$CICADA" -f "$T/e.ini" --headless -u 1 -t 1s >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "a header with CR LF from the environment: exit status $rc, expected 2"
grep -q "e.ini:9:" "$T/err" || fail "the message names no file:line: $(cat "$T/err")"
grep -q "injected" "$T/err" && fail "the message shows the value: $(cat "$T/err")"
echo "header from \${EVIL}: $(head -1 "$T/err")"
printf '[run]\nhost = http://127.0.0.1:%s\n\n[user U]\nwait = constant 0.1\n\n[task U a]\npath = /a?t=${EVIL}\n' "$port" >"$T/e.ini"
"$CICADA" -f "$T/e.ini" --headless -u 1 -t 1s >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "a path with CR LF from the environment: exit status $rc, expected 2"
grep -q "e.ini:8:" "$T/err" || fail "the message names no file:line: $(cat "$T/err")"
after=$(curl -s --max-time 5 "http://127.0.0.1:$port/__counts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["read"])')
[ "$before" = "$after" ] || fail "requests were sent by a run refused at load time"
echo ok
