#!/bin/sh
# make memcheck: every example of conf/ runs briefly under valgrind's
# memcheck against tests/target (demo.ini against --demo), headless and with
# every report written; each run must end with 0 errors and 0 bytes
# definitely lost. Prints one line per example. MEMCHECK_SECS sets the run
# time (default 3). Not part of make check (about a minute); CI's sanitizer
# stage runs it.
set -u
: "${top_srcdir:?}" "${CICADA:?}" "${TARGET:?}"
: "${MEMCHECK_SECS:=3}"
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind is not installed (apt-get install valgrind)"; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cicada-memcheck.XXXXXX") || exit 1
TPID=""
cleanup() {
    [ -n "$TPID" ] && kill "$TPID" 2>/dev/null && wait "$TPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

"$TARGET" --port-file "$T/port" >"$T/target.log" 2>&1 &
TPID=$!
i=0
while [ ! -s "$T/port" ]; do
    [ "$i" -lt 100 ] || { echo "memcheck: the target did not start"; exit 1; }
    sleep 0.05
    i=$((i + 1))
done
url="http://127.0.0.1:$(cat "$T/port")"
mkdir "$T/conf"
cp "$top_srcdir"/conf/*.ini "$top_srcdir"/conf/*.txt "$top_srcdir"/conf/*.jsonl "$T/conf/"

# capacity.ini searches in steps of 5 s from 50 req/s: here three steps of
# 1 s from 5 req/s (valgrind is slow), and no -t (a run time shorter than a
# step is refused); every step passes against the fast target, so the
# search ends above its max: exit 6 is its success
sed -i 's/^step_time = [^;]*/step_time = 1s /; s/^warmup = [^;]*/warmup = 0s /; s/^start = [^;]*/start = 5 /; s/^max = [^;]*/max = 8 /' \
    "$T/conf/capacity.ini"

failed=0
for ini in "$T"/conf/*.ini; do
    name=$(basename "$ini")
    runtime="-t ${MEMCHECK_SECS}s"
    ok_status=3
    case "$name" in
        demo.ini) where="--demo" ;;
        capacity.ini) where="-H $url" runtime="" ok_status=6 ;;
        *) where="-H $url" ;;
    esac
    # the libraries' own allocations at exit (libcurl, ncurses) are
    # "still reachable", not lost; a leak of cicada's is "definitely lost"
    # sagemaker.ini: its endpoint, region and (made-up) credentials from the
    # environment, as a user gives them; -H sends it to the target, signed
    URL=$url TOKEN=memcheck-token ENDPOINT=memcheck AWS_REGION=us-east-1 \
        AWS_ACCESS_KEY_ID=AKIDMEMCHECK AWS_SECRET_ACCESS_KEY=memcheck-secret-key \
        AWS_PROFILE= AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
        valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite \
        --log-file="$T/$name.vg" \
        "$CICADA" -f "$ini" $where --headless --only-summary -u 3 -r 10 $runtime \
        --json "$T/$name.json" --html "$T/$name.html" --csv "$T/$name" \
        >"$T/$name.out" 2>"$T/$name.err"
    rc=$?
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$T/$name.vg" | tail -1)
    lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$T/$name.vg" | tail -1)
    : "${lost:=0}"
    echo "memcheck: $name: exit $rc, ${errors:-?} errors, $lost bytes definitely lost"
    # exit 0, 1, 3: the target is not the real API (some checks and thresholds fail);
    # 2 would mean the example did not even load (6: see capacity.ini above)
    if [ "$rc" = 2 ] || { [ "$rc" -gt 3 ] && [ "$rc" != "$ok_status" ]; } || [ "${errors:-1}" != 0 ] || [ "$lost" != 0 ]; then
        failed=$((failed + 1))
        sed -n '/^==[0-9]*== [A-Z].*/,$p' "$T/$name.vg" | head -60
        tail -5 "$T/$name.err"
    fi
done
[ "$failed" = 0 ] && echo "memcheck: every example: 0 errors, 0 bytes definitely lost"
[ "$failed" = 0 ]
