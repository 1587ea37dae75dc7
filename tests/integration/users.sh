#!/bin/sh
# Per-user life cycle, checked by the target: on_start runs exactly once
# per user, on_stop once per user when the run stops, tokens captured from
# the login (a JSON field and a header) reach that user's later requests
# only, and order = sequential runs tasks in file order.
. "$top_srcdir/tests/lib.sh"

start_target --record "$T/rec.jsonl"

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Client]
wait = constant 0.02

[task Client login]
phase = on_start
method = POST
path = /login
capture = tok json token
capture = sess header X-Session

[task Client work]
path = /work
header = X-Token: {{var tok}}
header = X-Session: {{var sess}}

[task Client logout]
phase = on_stop
method = POST
path = /logout
body = {"token": "{{var tok}}"}
EOI

"$CICADA" -f "$T/s.ini" --headless -u 6 -r 3 -t 3s >"$T/out" 2>"$T/err" ||
    fail "cicada failed: $(tail -5 "$T/err")"
[ "$(target_path_count "POST /login")" = 6 ] ||
    fail "$(target_path_count "POST /login") logins for 6 users"
[ "$(target_path_count "POST /logout")" = 6 ] ||
    fail "$(target_path_count "POST /logout") logouts for 6 users"
stop_target

python3 - "$T/rec.jsonl" <<'EOP' || fail "tokens did not stay with their users"
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
logins = [r for r in recs if r["target"] == "/login"]
work = [r for r in recs if r["target"] == "/work"]
logouts = [r for r in recs if r["target"] == "/logout"]
issued = {"tok-%d" % i for i in range(1, len(logins) + 1)}
per_token = collections.Counter()
for r in work:
    tok, sess = r["headers"]["X-Token"], r["headers"]["X-Session"]
    # the JSON token and the header captured from the same login response
    assert tok.split("-")[1] == sess.split("-")[1], (tok, sess)
    assert tok in issued, tok
    per_token[tok] += 1
# every user used its own token, and about as often as the others
assert set(per_token) == issued, (per_token, issued)
counts = sorted(per_token.values())
assert counts[0] >= 10 and counts[0] * 3 >= counts[-1], counts
out = sorted(json.loads(r["body"])["token"] for r in logouts)
assert out == sorted(issued), out
# a login comes before any request with its token
first_use = {}
for i, r in enumerate(recs):
    if r["target"] == "/work":
        first_use.setdefault(r["headers"]["X-Token"], i)
for i, r in enumerate(logins):
    assert recs.index(r) < first_use["tok-%d" % (i + 1)]
print("ok: %d logins, %d requests, %d logouts; requests per token %s" %
      (len(logins), len(work), len(logouts), counts))
EOP

# order = sequential: on_start, then the tasks in file order (weight 0 skipped)
start_target --record "$T/seq.jsonl"
cat >"$T/seq.ini" <<EOI
[run]
host = $TARGET_URL

[user Flow]
order = sequential
wait = constant 0.01

[task Flow first]
path = /first
weight = 5

[task Flow hello]
phase = on_start
path = /hello

[task Flow never]
path = /never
weight = 0

[task Flow second]
path = /second

[task Flow third]
method = POST
path = /third
body = x
EOI
"$CICADA" -f "$T/seq.ini" --headless -u 1 -r 1 -t 1s >"$T/out" 2>"$T/err" ||
    fail "sequential: $(tail -5 "$T/err")"
stop_target
python3 - "$T/seq.jsonl" <<'EOP' || fail "sequential order broken"
import json, sys
paths = [json.loads(l)["target"] for l in open(sys.argv[1])]
assert len(paths) >= 20, paths
assert paths[0] == "/hello" and "/hello" not in paths[1:], paths[:5]
cycle = ["/first", "/second", "/third"]
assert paths[1:] == [cycle[i % 3] for i in range(len(paths) - 1)], paths[:10]
print("ok: %d requests in file order" % len(paths))
EOP
