#!/bin/sh
# Transfer keys per class and task: timeout (the task's bound and its
# reason), follow_redirects, verify_tls against a self-signed HTTPS server,
# and http_version = 2 (an h2c upgrade offer the HTTP/1.1 target declines).
. "$top_srcdir/tests/lib.sh"

start_target --record "$T/rec.jsonl"

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.05
timeout = 250ms

[task U short]
path = /delay/600

[task U long]
path = /delay/400
timeout = 2s

[task U follow]
path = /redirect

[task U nofollow]
path = /redirect
name = /redirect-nofollow
follow_redirects = false
expect_status = 302

[task U h2]
path = /h2
http_version = 2
EOI

"$CICADA" -f "$T/s.ini" --headless -u 4 -r 20 -t 2s >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "exit status $rc, expected 1: $(tail -5 "$T/err")"
grep -q "GET /delay/600: Timeout after 0.25 s" "$T/err" ||
    fail "no class timeout failure: $(cat "$T/err")"
grep -q "GET /delay/400:" "$T/err" && fail "the task's own timeout was not used"
grep -q "GET /redirect.*: HTTP" "$T/err" && fail "redirect failures"
stop_target
python3 - "$T/rec.jsonl" <<'EOP' || fail "transfer options not applied"
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = collections.Counter(r["target"] for r in recs)
# every /redirect followed by the client that follows, not by the one that does not
assert n["/redirect"] >= 4 and 0 < n["/landed"] < n["/redirect"], n
h2 = [r for r in recs if r["target"] == "/h2"]
assert h2 and all(r["headers"].get("Upgrade") == "h2c" for r in h2), h2[:1]
assert all("Upgrade" not in r["headers"] for r in recs if r["target"] != "/h2")
print("ok:", dict(n))
EOP
nofollow_fails=$(awk '$2 == "/redirect-nofollow" && $4 ~ /\(/ { split($4, f, "("); n = f[1] } END { print n + 0 }' "$T/err")
[ "$nofollow_fails" = 0 ] || fail "302 with follow_redirects = false failed"

# verify_tls: on by default (a self-signed certificate fails), off on request
command -v openssl >/dev/null || skip "no openssl for a TLS server"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || skip "openssl cannot make a certificate"
port=$(free_port)
openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$T/cert.pem" -key "$T/key.pem" -www \
    >"$T/tls.log" 2>&1 &
track_pid $!
wait_port "$port" || fail "the TLS server did not start"
cat >"$T/tls.ini" <<EOI
[run]
host = https://127.0.0.1:$port

[user U]
wait = constant 0.1
order = sequential

[task U checked]
path = /

[task U unchecked]
path = /?insecure
verify_tls = false
EOI
# 3 s: a TLS handshake is slow under the sanitizers on a busy machine
"$CICADA" -f "$T/tls.ini" --headless -u 1 -r 1 -t 3s >"$T/out" 2>"$T/err"
grep -Eq "GET /: .*(certificate|SSL)" "$T/err" || fail "a self-signed certificate was accepted: $(cat "$T/err")"
ok=$(awk '$2 == "/?insecure" && $4 ~ /\(/ { n = $3; split($4, f, "("); fl = f[1] } END { print n + 0, fl + 0 }' "$T/err")
set -- $ok
[ "$1" -ge 2 ] && [ "$2" = 0 ] || fail "verify_tls = false: $1 requests, $2 failures: $(cat "$T/err")"
echo "ok: TLS verified by default, not with verify_tls = false"
