#!/bin/sh
# A run always ends. (1) SIGTERM against a server that never answers: the
# reports are written within a few seconds (RUNNER_TERM_TIMEOUT 3 s plus
# the grace), the requests in flight abandoned and counted as failures
# (the server read each of them). (2) A worker thread stuck in a library
# call that never returns (here connect(2), held by an LD_PRELOAD shim):
# after the time limit and the stop timeout the run ends without it, says
# which worker was abandoned, and writes every report; a second SIGTERM
# ends such a run at once.
. "$top_srcdir/tests/lib.sh"

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
counts() {
    curl -s --max-time 5 "http://127.0.0.1:$SPORT/__counts"
}
# wait_gone PID SECS: wait for PID to exit; fails after SECS (a generous bound)
wait_gone() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        [ "$i" -lt $(($2 * 10)) ] || fail "cicada still runs $2 s later: $(tail -5 "$T/err")"
        sleep 0.1
        i=$((i + 1))
    done
    wait "$1"
}

# ---- (1) SIGTERM, a hung server ----
serve hang
printf '[run]\nhost = http://127.0.0.1:%s\n\n[user U]\nwait = constant 0\n\n[task U t]\npath = /x\n' \
    "$SPORT" >"$T/h.ini"
"$CICADA" -f "$T/h.ini" --headless -u 3 -r 100 --json "$T/h.json" --html "$T/h.html" \
    >/dev/null 2>"$T/err" &
cpid=$!
track_pid "$cpid"
i=0
while [ "$(counts | python3 -c 'import json,sys; print(json.load(sys.stdin)["read"])')" != 3 ]; do
    [ "$i" -lt 100 ] || fail "the server did not get 3 requests: $(counts)"
    sleep 0.1
    i=$((i + 1))
done
t0=$(date +%s)
kill -TERM "$cpid"
wait_gone "$cpid" 30
rc=$?
took=$(($(date +%s) - t0))
lib_untrack "$cpid"
echo "SIGTERM against a hung server: exit status $rc after ${took} s"
[ "$rc" = 143 ] || fail "exit status $rc, expected 143 (SIGTERM): $(tail -5 "$T/err")"
[ -s "$T/h.json" ] && [ -s "$T/h.html" ] || fail "the reports were not written"
counts >"$T/counts.json"
python3 - "$T/counts.json" "$T/h.json" <<'EOP' || fail "see above"
import json, sys
srv = json.load(open(sys.argv[1]))
agg = json.load(open(sys.argv[2]))["aggregated"]
errors = {e["error"]: e["occurrences"] for e in json.load(open(sys.argv[2]))["errors"]}
print("server read", srv["read"], "; cicada:", agg["num_requests"], "requests", errors)
if not (srv["read"] == agg["num_requests"] == agg["num_failures"] == errors.get("Abandoned at the stop: sent, no answer yet")):
    print("FAIL: the abandoned requests are not the requests the server read", file=sys.stderr)
    sys.exit(1)
EOP
lib_stop "$SPID"
lib_untrack "$SPID"

# ---- (2) a worker stuck in a library call ----
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler for the shim"
cat >"$T/shim.c" <<'EOC'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
/* connect(2) to port $STUCK_PORT never returns: a library call that hangs */
int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    const char *stuck = getenv("STUCK_PORT");

    if (stuck != NULL && sa->sa_family == AF_INET &&
        ntohs(((const struct sockaddr_in *)sa)->sin_port) == atoi(stuck))
        for (;;)
            pause();
    if (real == NULL)
        real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    return real(fd, sa, len);
}
EOC
"$CC" -shared -fPIC -o "$T/shim.so" "$T/shim.c" -ldl 2>"$T/cc.err" || skip "cannot build the shim: $(cat "$T/cc.err")"
start_target
stuck_port=$(free_port)
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Ok]
wait = constant 0.01

[task Ok ok]
path = /ok

[user Stuck]
fixed_count = 1
wait = constant 1

[task Stuck stuck]
path = http://127.0.0.1:$stuck_port/x
EOI
STUCK_PORT=$stuck_port LD_PRELOAD="$T/shim.so" "$CICADA" -f "$T/s.ini" --headless -u 4 -r 100 \
    --threads 2 -t 2s --timeout 1s --json "$T/s.json" >/dev/null 2>"$T/err" &
cpid=$!
track_pid "$cpid"
wait_gone "$cpid" 30
rc=$?
lib_untrack "$cpid"
echo "time limit with stuck workers: exit status $rc; $(grep -c 'did not answer' "$T/err") abandoned"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "exit status $rc: $(tail -5 "$T/err")"
[ "$(grep -c "Worker thread [01] did not answer within .* abandoned" "$T/err")" = 1 ] ||
    fail "not one worker was said to be abandoned: $(tail -5 "$T/err")"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["aggregated"]; sys.exit(0 if a["num_requests"] > 0 else 1)' \
    "$T/s.json" || fail "the JSON report holds no requests"

# a second SIGTERM: at once (no stop timeout, no request timeout waited for)
STUCK_PORT=$stuck_port LD_PRELOAD="$T/shim.so" "$CICADA" -f "$T/s.ini" --headless -u 4 -r 100 \
    --threads 2 --json "$T/s2.json" >/dev/null 2>"$T/err" &
cpid=$!
track_pid "$cpid"
sleep 1.5
kill -TERM "$cpid"
sleep 0.3
kill -TERM "$cpid"
wait_gone "$cpid" 10
rc=$?
lib_untrack "$cpid"
echo "two SIGTERMs with stuck workers: exit status $rc"
[ "$rc" = 143 ] || fail "exit status $rc, expected 143: $(tail -5 "$T/err")"
[ -s "$T/s2.json" ] || fail "no JSON report after two SIGTERMs"
grep -h "did not answer" "$T/err"
echo ok
