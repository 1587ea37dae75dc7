#!/bin/sh
# What a Locust, wrk or hey user reaches for first (issue 16):
# - a one-off run without a scenario file: URL argument, -m, -d, -D, -A,
#   --dump-ini (and the dumped INI runs the same requests);
# - -f locustfile.py answered with a pointer to the translation table;
# - -l, --show-task-ratio and --show-task-ratio-json (byte for byte as
#   Debian's locust 2.12.1 prints them for the equivalent locustfile);
# - locust.conf, --config FILE and LOCUST_* below cicada's own sources,
#   the rest named in a warning.
. "$top_srcdir/tests/lib.sh"

start_target --record "$T/rec.jsonl"
cd "$T" || fail "cd $T"

# ---- the one-off run ----
"$CICADA" --headless --only-summary -u 3 -r 3 -t 2s -m PUT -A 'X-Api-Key: k1' -A 'Content-Type: text/plain' \
    -d 'hello there' "$TARGET_URL/echo/one?x=1" >"$T/out" 2>"$T/err" || fail "one-off: $(tail -3 "$T/err")"
n=$(target_path_count "PUT /echo/one")
[ "$n" -gt 0 ] && [ "$n" = "$(target_count)" ] || fail "one-off: target saw $n of $(target_count)"
mine=$(awk '$1 == "PUT" && $2 == "/echo/one?x=1" && $4 ~ /\(/ { print $3; exit }' "$T/err")
[ "$mine" = "$n" ] || fail "one-off: cicada counted $mine, the target $n"
grep -q 'All users spawned: {"OneOff": 3} (3 total users)' "$T/err" || fail "one-off: not 3 users"
stop_target
python3 - "$T/rec.jsonl" <<'EOP' || fail "one-off: wrong requests"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs
for r in recs:
    assert r["method"] == "PUT" and r["target"] == "/echo/one?x=1", r
    assert r["headers"]["X-Api-Key"] == "k1" and r["body"] == "hello there", r
print("ok: one-off run,", len(recs), "requests, method, headers and body as given")
EOP
echo "one-off: cicada $mine = target $n"

# -D FILE, POST by default with a body; --dump-ini prints a scenario that runs the same
start_target --record "$T/rec2.jsonl"
printf '{"text": "from a file"}' >"$T/body.json"
"$CICADA" --dump-ini -u 2 -t 1s -D "$T/body.json" -A 'Content-Type: application/json' "$TARGET_URL/predict" >"$T/dumped.ini" ||
    fail "--dump-ini failed"
grep -q "^method = POST$" "$T/dumped.ini" && grep -q "^body_file = $T/body.json$" "$T/dumped.ini" &&
    grep -q "^host = $TARGET_URL$" "$T/dumped.ini" && grep -q "^path = /predict$" "$T/dumped.ini" ||
    fail "--dump-ini: $(cat "$T/dumped.ini")"
[ "$(target_count)" = 0 ] || fail "--dump-ini sent requests"
"$CICADA" -f "$T/dumped.ini" --headless --only-summary >"$T/out" 2>"$T/err" || fail "dumped INI: $(tail -3 "$T/err")"
[ "$(target_path_count "POST /predict")" -gt 0 ] || fail "dumped INI: no POST /predict"
stop_target
python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert r["body"] == "{\"text\": \"from a file\"}" and r["headers"]["Content-Type"] == "application/json", r
' "$T/rec2.jsonl" || fail "dumped INI: wrong body"
echo "ok: --dump-ini prints a scenario that runs (POST with -D's body)"

# bad one-off input: one line, exit 2
start_target
expect_error() {
    pattern=$1
    shift
    "$CICADA" --headless -t 1s "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "cicada $*: exit $rc, expected 2: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "cicada $*: not one line: $(cat "$T/err")"
    grep -Eq -- "$pattern" "$T/err" || fail "cicada $*: '$(cat "$T/err")' does not match '$pattern'"
    echo "ok: $(cat "$T/err")"
}
expect_error "^cicada: -d is for a one-off run: give the URL" -d x
expect_error "^cicada: .*/b: one URL at a time" "$TARGET_URL/a" "$TARGET_URL/b"
expect_error "^cicada: -d and -D: give the body once" -d x -D "$T/body.json" "$TARGET_URL/a"
expect_error "^cicada: -A 'nocolon': expected 'Name: value'" -A nocolon "$TARGET_URL/a"
expect_error "^cicada: -d: this body cannot be written in an INI file \(a ';' after a space" -d 'a ;b' "$TARGET_URL/a"
expect_error "^cicada: -u: bad value \"x\" for users" -u x "$TARGET_URL/a"
expect_error "^cicada: http.*: give a scenario file \(-f\) or a URL, not both" -f "$T/dumped.ini" "$TARGET_URL/a"
[ "$(target_count)" = 0 ] || fail "bad one-off input sent requests"

# ---- a Python locustfile ----
cat >"$T/lf.py" <<'EOP'
from locust import HttpUser, task, between


class MLAPIUser(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    @task(35)
    def predict_cached(self):
        pass

    @task(35)
    def predict_unique(self):
        pass

    @task(20)
    def predict_ab(self):
        pass

    @task(10)
    def batch(self):
        pass

    @task(5)
    def analytics(self):
        pass

    @task(5)
    def health(self):
        pass


class CacheTestUser(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    @task
    def predict_repeated(self):
        pass
EOP
expect_error "^cicada: -f: .*lf\.py is a Python locustfile; cicada reads INI scenarios: man 5 cicada\.ini, TRANSLATING A LOCUSTFILE" -f "$T/lf.py"
cp "$T/lf.py" "$T/locustfile"
expect_error "^cicada: -f: .*locustfile is a Python locustfile" -f "$T/locustfile"

# ---- -l, --show-task-ratio(-json) ----
"$CICADA" -f "$top_srcdir/conf/ml-api.ini" -l >"$T/list" || fail "-l failed"
[ "$(sed -n 1p "$T/list")" = "Available Users:" ] && grep -q "^    MLAPIUser$" "$T/list" &&
    grep -q "^    CacheTestUser$" "$T/list" && grep -q "^        predict_ab  (POST /predict/ab, weight 20)$" "$T/list" ||
    fail "-l: $(cat "$T/list")"
echo "ok: -l lists classes (Locust's lines) and their tasks"
LOCUST=""
for py in /usr/bin/python3 python3; do
    if "$py" -c 'import locust' 2>/dev/null; then LOCUST="$py -m locust"; break; fi
done
for args in "--show-task-ratio" "--show-task-ratio -u 7" "--show-task-ratio-json" "--show-task-ratio-json -u 4"; do
    # shellcheck disable=SC2086
    "$CICADA" -f "$top_srcdir/conf/ml-api.ini" $args >"$T/c.out" || fail "cicada $args failed"
    if [ -n "$LOCUST" ]; then
        # shellcheck disable=SC2086
        (cd "$T" && $LOCUST -f "$T/lf.py" $args) >"$T/l.out" 2>/dev/null || fail "locust $args failed"
        cmp -s "$T/l.out" "$T/c.out" || fail "$args differs from Locust's: $(diff "$T/l.out" "$T/c.out" | head -10)"
        echo "ok: $args: byte for byte as locust 2.12.1"
    fi
done
grep -q '"ratio": 0.25' "$T/c.out" || fail "--show-task-ratio-json: $(head -5 "$T/c.out")"
# tags and user classes apply first
"$CICADA" -f "$top_srcdir/conf/ml-api.ini" --show-task-ratio CacheTestUser >"$T/c.out" || fail "ratio with a class"
grep -q "^ 100.0      CacheTestUser" "$T/c.out" && ! grep -q MLAPIUser "$T/c.out" || fail "ratio of one class: $(cat "$T/c.out")"

# ---- locust.conf, --config, LOCUST_* ----
cat >"$T/s.ini" <<EOI
[user U]
wait = constant 0.1

[task U t]
path = /conf
tags = t2
EOI
mkdir "$T/cwd" && cd "$T/cwd" || fail "cd"
printf 'locustfile = lf.py\nhost = %s\nusers = 3\nspawn-rate = 3\nrun-time = 1s\nweb-port = 8090\nonly-summary = true\n' "$TARGET_URL" >locust.conf
target_reset
"$CICADA" -f "$T/s.ini" --headless >"$T/out" 2>"$T/err" || fail "locust.conf run: $(tail -3 "$T/err")"
grep -q 'All users spawned: {"U": 3} (3 total users)' "$T/err" || fail "locust.conf: users = 3 not read"
grep -q "WARNING/cicada.main: locust.conf:6: Locust's 'web-port' has no meaning in cicada: ignored" "$T/err" || fail "no warning for web-port"
grep -q "WARNING/cicada.main: locust.conf:1: cicada reads INI scenarios, not locustfiles" "$T/err" || fail "no warning for locustfile"
[ "$(target_path_count "GET /conf")" -gt 0 ] || fail "locust.conf: host not read"
# LOCUST_* beats locust.conf; the scenario's [run], CICADA_* and flags beat both
LOCUST_USERS=2 "$CICADA" -f "$T/s.ini" --headless >"$T/out" 2>"$T/err" || fail "LOCUST_USERS"
grep -q 'Ramping to 2 users at a rate of 3.00' "$T/err" || fail "LOCUST_USERS=2 did not beat locust.conf"
LOCUST_USERS=2 CICADA_USERS=4 "$CICADA" -f "$T/s.ini" --headless >"$T/out" 2>"$T/err" || fail "CICADA_USERS"
grep -q 'Ramping to 4 users' "$T/err" || fail "CICADA_USERS did not beat LOCUST_USERS"
LOCUST_USERS=2 "$CICADA" -f "$T/s.ini" --headless -u 1 >"$T/out" 2>"$T/err" || fail "-u"
grep -q 'Ramping to 1 users' "$T/err" || fail "-u did not beat LOCUST_USERS"
echo "ok: locust.conf < LOCUST_* < CICADA_* < flags; unshared keys named"
# --config FILE instead of ./locust.conf; LOCUST_TAGS as Locust writes lists
printf 'users = 2\ntags = [a, b]\n' >"$T/other.conf"
cd "$T" || fail cd
LOCUST_HOST=$TARGET_URL "$CICADA" -f "$T/s.ini" --headless --config "$T/other.conf" -t 1s -T t2 >"$T/out" 2>"$T/err"
grep -q "Ramping to 2 users" "$T/err" || fail "--config: users = 2 not read: $(head -3 "$T/err")"
expect_error "^cicada: --config: cannot read '$T/nope.conf'" -f "$T/s.ini" --config "$T/nope.conf"
LOCUST_USERS=abc "$CICADA" -f "$T/s.ini" -H "$TARGET_URL" --headless -t 1s >"$T/out" 2>"$T/err"
[ $? = 2 ] && grep -q '^cicada: LOCUST_USERS: bad value "abc" for users' "$T/err" || fail "LOCUST_USERS=abc: $(cat "$T/err")"
echo "ok: --config FILE, bad values name the file or variable"

# ---- the worked example of cicada.ini(5), TRANSLATING A LOCUSTFILE ----
mkdir "$T/ex" && cd "$T/ex" || fail "cd"
sed -n '/^\.SH TRANSLATING A LOCUSTFILE/,/^\.SH SEE ALSO/p' "$top_srcdir/man/cicada.ini.5" |
    awk '/^\.EX/ { n++; inb = 1; next } /^\.EE/ { inb = 0; next }
         inb && n == 1 { print > "locustfile.py" } inb && n == 2 { print > "model.ini" }'
sed -i 's/\\-/-/g' locustfile.py model.ini
[ -s locustfile.py ] && [ -s model.ini ] || fail "the worked example is not in cicada.ini(5)"
printf 'a text\nanother text\n' >texts.txt
API_KEY=k "$CICADA" -f model.ini --show-task-ratio >c.out 2>c.err || fail "the worked example does not load: $(cat c.err)"
if [ -n "$LOCUST" ]; then
    $LOCUST -f locustfile.py --show-task-ratio >l.out 2>l.err || fail "locust on the worked example: $(tail -3 l.err)"
    cmp -s l.out c.out || fail "worked example: ratios differ: $(diff l.out c.out)"
    echo "ok: the worked example's INI gives Locust's task ratio for its locustfile"
fi
API_KEY=k "$CICADA" -f locustfile.py >c.out 2>c.err
[ $? = 2 ] && grep -q "TRANSLATING A LOCUSTFILE" c.err || fail "-f locustfile.py: $(cat c.err)"
