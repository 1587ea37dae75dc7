#!/bin/sh
# make soak: a long run at steady load against nginx (bench/nginx.conf.in),
# headless, with the CSV, JSON and HTML reports on. Every SOAK_SAMPLE
# seconds (default 10) cicada's resident memory is read from /proc; after
# the warm-up (SOAK_WARMUP seconds, default a fifth of the run, at least
# 60 s unless the run is shorter) it may grow by less than SOAK_MAX_GROWTH
# percent (default 1). At the end the requests cicada counted must equal
# the lines of nginx's access log. Prints the RSS curve.
#   SOAK_SECS   run length in seconds (default 1800)
#   SOAK_USERS  users (default 50), each waiting 20 ms between requests
# Not part of make check.
. "$top_srcdir/tests/lib.sh"

secs=${SOAK_SECS:-1800}
sample=${SOAK_SAMPLE:-10}
users=${SOAK_USERS:-50}
warm=${SOAK_WARMUP:-$(( secs / 5 > 60 ? secs / 5 : (secs >= 120 ? 60 : secs / 3) ))}
max_growth=${SOAK_MAX_GROWTH:-1}
[ -x "$CICADA" ] || fail "$CICADA is not built"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || fail "nginx is not installed (apt-get install nginx-light)"

mkdir -p "$T/nginx/tmp"
chmod a+x "$T" "$T/nginx"
printf 'hello from nginx 20\n' >"$T/nginx/hello20"
head -c 16384 /dev/zero | tr '\0' x >"$T/nginx/file16k"
chmod a+r "$T/nginx/hello20" "$T/nginx/file16k"
port=$(free_port)
sed -e "s|@DIR@|$T/nginx|g" -e "s|@PORT@|$port|g" -e "s|@ACCESS_LOG@|$T/nginx/access.log|g" \
    "$top_srcdir/bench/nginx.conf.in" >"$T/nginx/nginx.conf"
"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
nginx_pid=$!
track_pid "$nginx_pid"
wait_port "$port" 10 || fail "nginx did not start: $(cat "$T/nginx/error.log")"

# three tasks: a GET, a templated POST whose JSON answer is checked, a 16 KiB body
printf 'first text\nsecond text\nthird "quoted" text\n' >"$T/texts.txt"
cat >"$T/soak.ini" <<EOI
[run]
host = http://127.0.0.1:$port

[user U]
wait = constant 0.02

[task U index]
weight = 4
path = /

[task U predict]
weight = 2
method = POST
path = /predict
header = Content-Type: application/json
body = {"text": "{{line texts.txt | json}}", "id": "{{uuid}}"}
expect_json = label == "cat"

[task U file]
path = /file16k
EOI

echo "soak: $secs s, $users users against nginx, RSS every $sample s, warm-up $warm s"
"$CICADA" -f "$T/soak.ini" --headless --only-summary -u "$users" -r "$users" -t "${secs}s" \
    --csv "$T/soak" --json "$T/soak.json" --html "$T/soak.html" >"$T/out" 2>"$T/err" &
pid=$!
track_pid "$pid"
: >"$T/curve"
t=0
while kill -0 "$pid" 2>/dev/null; do
    sleep "$sample"
    t=$((t + sample))
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [ -n "$rss" ] || break
    echo "$t $rss" >>"$T/curve"
    echo "soak: t=${t}s rss=${rss} KiB"
done
wait "$pid"
rc=$?
lib_untrack "$pid"
[ "$rc" = 0 ] || fail "cicada exited $rc: $(tail -20 "$T/err")"

# the curve after the warm-up: growth from its first sample to its last, and its peak
python3 - "$T/curve" "$warm" "$max_growth" <<'EOP' || fail "RSS grew after the warm-up"
import sys
pts = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
warm, limit = int(sys.argv[2]), float(sys.argv[3])
after = [(t, r) for t, r in pts if t >= warm]
assert len(after) >= 2, "too few samples after the warm-up: %r" % pts
base, last = after[0][1], after[-1][1]
peak = max(r for _, r in after)
growth = (last - base) * 100.0 / base
print("soak: RSS after warm-up: %d KiB at %d s, %d KiB at %d s (%+.2f%%), peak %d KiB"
      % (base, after[0][0], last, after[-1][0], growth, peak))
sys.exit(0 if growth < limit else 1)
EOP

stop_target "$nginx_pid"
served=$(wc -l <"$T/nginx/access.log")
counted=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["aggregated"]["num_requests"])' "$T/soak.json") ||
    fail "no request count in the JSON report"
echo "soak: cicada counted $counted requests, nginx logged $served"
[ "$counted" = "$served" ] || fail "cicada counted $counted requests, nginx's access log has $served"
failures=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["aggregated"]["num_failures"])' "$T/soak.json")
echo "soak: ok ($(grep -c . "$T/curve") samples, $failures failed requests)"
[ "$failures" = 0 ] || fail "$failures requests failed against nginx"
