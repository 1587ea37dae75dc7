#!/bin/sh
# bench/sigv4.sh (make bench-sigv4): what AWS SigV4 signing costs per request.
#  1. the signer alone: a typical InvokeEndpoint request (POST, 6 headers,
#     session token) signed again and again, with a 200-byte and a 64 KiB body;
#  2. cicada's own CPU time per request against tests/target (which answers
#     at once and checks nothing), the same scenario with and without
#     aws_sigv4, with fake credentials from the environment.
# Figures vary with the machine and its load; compare them within one run.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${CICADA:=$top_builddir/src/cicada}"
: "${TARGET:=$top_builddir/tests/target}"
SECS=${BENCH_SECS:-5}
. "$top_srcdir/tests/lib.sh"

"$top_builddir/tests/aws/sigv4_check" --bench 200000 200
"$top_builddir/tests/aws/sigv4_check" --bench 20000 65536

start_target
for mode in plain signed; do
    {
        printf '[run]\nhost = %s\n' "$TARGET_URL"
        [ "$mode" = signed ] && printf 'aws_sigv4 = sagemaker\naws_region = us-east-1\n'
        printf '[user U]\nwait = constant 0\n[task U invoke]\nmethod = POST\n'
        printf 'path = /endpoints/e/invocations?x={{int 1 9}}\nheader = Content-Type: application/json\n'
        printf 'header = Accept: application/json\nbody = {"inputs": "{{lorem words 30}}"}\n'
    } >"$T/$mode.ini"
    env AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench-secret-0123456789 \
        AWS_SESSION_TOKEN=bench-token-0123456789 \
        /usr/bin/time -f "%U %S" -o "$T/$mode.time" \
        "$CICADA" -f "$T/$mode.ini" --headless --only-summary -u 8 -r 100 -t "${SECS}s" --threads 1 \
        --json "$T/$mode.json" >/dev/null 2>"$T/$mode.err" || true
    n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['aggregated']['num_requests'])" "$T/$mode.json")
    read -r u s <"$T/$mode.time"
    python3 -c "import sys; u,s,n=float(sys.argv[1]),float(sys.argv[2]),int(sys.argv[3]); print('cicada %-6s: %d requests in %s s, %.1f us of CPU per request (user %.2f s, system %.2f s)' % (sys.argv[4], n, sys.argv[5], (u+s)*1e6/n, u, s))" "$u" "$s" "$n" "$mode" "$SECS"
done
