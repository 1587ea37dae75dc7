#!/bin/sh
# Truth check for templates: the target records every request, and each
# template function is checked server-side to produce what it promises
# (lines of the data file, lines in order, whole files, base64, integers in
# range, UUIDs, lorem ipsum, variables from .env and the environment).
# Templated paths group under one statistics row with name =. Secret
# values never reach cicada's stdout, stderr or log file.
. "$top_srcdir/tests/lib.sh"

start_target --record "$T/rec.jsonl"

mkdir "$T/sc"
printf 'first text\nsecond "quoted" text\nthird text\n' >"$T/sc/texts.txt"
seq 1 50 | sed 's/^/id-/' >"$T/sc/ids.txt"
printf '{"text": "from jsonl 1", "k": 1}\n{"text": "from jsonl 2", "k": 2}\n' >"$T/sc/reqs.jsonl"
head -c 3000 /dev/urandom >"$T/sc/image.bin"
printf 'plain file\n' >"$T/sc/note.txt"
cat >"$T/sc/.env" <<'EOI'
# the token the API wants
TOKEN=s3cr3t-from-dotenv-4711
EXTRA=from-dotenv
EOI

cat >"$T/sc/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.01
header = Authorization: Bearer \${TOKEN}
header = X-Extra: \${EXTRA}

[task U predict]
weight = 3
method = POST
path = /predict
header = Content-Type: application/json
body = {"text": "{{line texts.txt | json}}", "id": "{{next ids.txt}}", "n": {{int 5 9}}, "uuid": "{{uuid}}", "words": "{{lorem words 6}}"}

[task U items]
weight = 2
path = /items/{{int 1 100000}}?q={{line texts.txt | url}}
name = /items/[id]

[task U upload]
method = POST
path = /upload
body = {"image": "{{base64 image.bin}}", "note": "{{file note.txt | json}}", "para": "{{lorem paragraphs 2 | json}}"}

[task U jsonl]
method = POST
path = /jsonl
body = {{line reqs.jsonl}}
EOI

EXTRA=from-environment "$CICADA" -f "$T/sc/s.ini" --headless -u 1 -r 10 -t 2s \
    --logfile "$T/log" -L DEBUG >"$T/out" 2>"$T/err" ||
    fail "cicada failed: $(tail -5 "$T/err")"
stop_target

python3 - "$T" <<'EOP' || fail "the target did not receive what the templates promise"
import base64, json, re, sys
T = sys.argv[1]
texts = open(T + "/sc/texts.txt").read().splitlines()
ids = open(T + "/sc/ids.txt").read().splitlines()
jsonl = [json.loads(l) for l in open(T + "/sc/reqs.jsonl")]
image = open(T + "/sc/image.bin", "rb").read()
lorem = set("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
            "incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud "
            "exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure "
            "in reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint "
            "occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est "
            "laborum porta nibh venenatis cras pulvinar mattis nunc faucibus vitae turpis".split())
uuid_re = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
recs = [json.loads(l) for l in open(T + "/rec.jsonl")]
by = {}
for r in recs:
    by.setdefault(r["target"].split("?")[0] if not r["target"].startswith("/items/") else "/items", []).append(r)
    h = r["headers"]
    assert h["Authorization"] == "Bearer s3cr3t-from-dotenv-4711", h
    assert h["X-Extra"] == "from-environment", h      # the environment wins over .env
for k in ("/predict", "/items", "/upload", "/jsonl"):
    assert len(by.get(k, [])) >= 5, (k, len(by.get(k, [])))
seen_text, seen_n, uuids, id_seq = set(), set(), set(), []
for r in by["/predict"]:
    b = json.loads(r["body"])
    assert b["text"] in texts, b
    seen_text.add(b["text"])
    assert 5 <= b["n"] <= 9, b
    seen_n.add(b["n"])
    assert uuid_re.match(b["uuid"]), b
    uuids.add(b["uuid"])
    w = b["words"].split(" ")
    assert len(w) == 6 and set(w) <= lorem, b
    id_seq.append(b["id"])
assert seen_text == set(texts), seen_text
assert len(seen_n) >= 4, seen_n
assert len(uuids) == len(by["/predict"]), "UUIDs repeat"
# one user: {{next}} walks the file in order, wrapping
start = ids.index(id_seq[0])
assert id_seq == [ids[(start + i) % len(ids)] for i in range(len(id_seq))], id_seq[:10]
paths = set()
for r in by["/items"]:
    m = re.match(r"^/items/(\d+)\?q=(.*)$", r["target"])
    assert m, r["target"]
    assert 1 <= int(m.group(1)) <= 100000
    paths.add(m.group(1))
    from urllib.parse import unquote
    assert unquote(m.group(2)) in texts, m.group(2)
assert len(paths) >= len(by["/items"]) - 2, "integers repeat too often"
for r in by["/upload"]:
    b = json.loads(r["body"])
    assert base64.b64decode(b["image"]) == image
    assert b["note"] == "plain file\n"
    paras = b["para"].split("\n\n")
    assert len(paras) == 2 and all(p.endswith(".") for p in paras), b["para"]
for r in by["/jsonl"]:
    assert json.loads(r["body"]) in jsonl, r["body"]
print("ok: %d requests checked" % len(recs))
EOP

# templated paths group under their name: one statistics row, many paths
grep -q "GET      /items/\[id\] " "$T/err" || fail "no /items/[id] row: $(cat "$T/err")"
grep -q "GET      /items/[0-9]" "$T/err" && fail "a row per item path"
grep -q "POST     /predict " "$T/err" || fail "no /predict row"

# the secret value never appears in what cicada prints or logs
for f in out err log; do
    grep -q "s3cr3t-from-dotenv-4711" "$T/$f" && fail "the secret token appears in $f"
done

# ... not even when an error message would quote it: an unreachable host from .env
echo "HOSTSECRET=secret-host-name-42.invalid" >"$T/sc/.env"
cat >"$T/sc/h.ini" <<'EOI'
[run]
host = http://${HOSTSECRET}:1

[task hello]
path = /hello
EOI
"$CICADA" -f "$T/sc/h.ini" --headless -u 1 -t 1s >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "unreachable host: exit status $rc"
grep -q "unreachable" "$T/err" || fail "no unreachable message: $(cat "$T/err")"
grep -q "secret-host-name-42" "$T/err" "$T/out" && fail "the secret host appears: $(cat "$T/err")"

# --env-file replaces the .env next to the scenario
echo "HOSTSECRET=127.0.0.1" >"$T/other.env"
start_target
sed "s/^host = .*/host = http:\/\/\${HOSTSECRET}:$TARGET_PORT/" "$T/sc/h.ini" >"$T/sc/h2.ini"
"$CICADA" -f "$T/sc/h2.ini" --env-file "$T/other.env" --headless -u 1 -t 1s >"$T/out" 2>"$T/err" ||
    fail "--env-file: $(tail -3 "$T/err")"
[ "$(target_path_count "GET /hello")" -ge 1 ] || fail "--env-file: no request reached the target"
echo "ok"
