# lib.sh: helpers for the integration tests (POSIX sh), sourced first by
# every tests/integration/*.sh:
#   . "$top_srcdir/tests/lib.sh"
#
# It makes a fresh temporary directory $T, and on exit stops every process
# it started or was told about (by PID, never by name) and removes $T.
#
#   fail MSG...             print "FAIL: MSG" on stderr and exit 1
#   skip MSG...             print "SKIP: MSG" and exit 77 (automake's skip)
#   track_pid PID           stop PID on exit too
#   start_target [ARGS...]  start $TARGET (tests/target) on a free port; sets
#                           TARGET_PID, TARGET_PORT, TARGET_URL
#   stop_target [PID]       SIGTERM the target (default $TARGET_PID) and wait
#   target_stats            print the target's /__stats JSON
#   target_count            print the number of counted requests
#   target_path_count KEY   print the count of one "METHOD /path" (0 if none)
#   target_stat NAME        print one top-level /__stats number (in_flight, ...)
#   target_reset            zero the target's counters
#   free_port               print a free TCP port on 127.0.0.1
#   wait_port PORT [SECS]   wait until 127.0.0.1:PORT accepts connections
#
# Environment: top_srcdir, top_builddir, CICADA and TARGET come from
# make check (AM_TESTS_ENVIRONMENT); sensible defaults apply when a test is
# run by hand from the source tree.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${CICADA:=$top_builddir/src/cicada}"
: "${TARGET:=$top_builddir/tests/target}"
export top_srcdir top_builddir CICADA TARGET

# PIDs to stop on exit, separated by spaces
LIB_PIDS=""

T=$(mktemp -d "${TMPDIR:-/tmp}/cicada-test.XXXXXX") || {
    echo "FAIL: cannot create a temporary directory" >&2
    exit 1
}
export T

# fail MSG...: the test failed.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# skip MSG...: the test cannot run here.
skip() {
    echo "SKIP: $*"
    exit 77
}

# track_pid PID: stop this process when the test exits.
track_pid() {
    LIB_PIDS="$LIB_PIDS $1"
}

# lib_untrack PID: forget a process that was stopped already.
lib_untrack() {
    lib_keep=""
    for lib_p in $LIB_PIDS; do
        [ "$lib_p" = "$1" ] || lib_keep="$lib_keep $lib_p"
    done
    LIB_PIDS=$lib_keep
}

# lib_stop PID: SIGTERM, wait up to 5 s, then SIGKILL; reaps the process.
lib_stop() {
    kill -TERM "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
    lib_i=0
    while kill -0 "$1" 2>/dev/null && [ "$lib_i" -lt 50 ]; do
        sleep 0.1
        lib_i=$((lib_i + 1))
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# lib_cleanup: the exit trap: stop what was started, remove $T.
lib_cleanup() {
    lib_status=$?
    trap - EXIT INT TERM HUP
    for lib_p in $LIB_PIDS; do
        lib_stop "$lib_p"
    done
    LIB_PIDS=""
    [ -n "$T" ] && [ -d "$T" ] && rm -rf "$T"
    exit "$lib_status"
}
trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# start_target [ARGS...]: start the test target, wait for its port (5 s at most).
start_target() {
    [ -x "$TARGET" ] || fail "the test target $TARGET is not built"
    lib_n=0
    while [ -e "$T/target.$lib_n.port" ]; do
        lib_n=$((lib_n + 1))
    done
    lib_portfile="$T/target.$lib_n.port"
    "$TARGET" --port-file "$lib_portfile" "$@" >"$T/target.$lib_n.log" 2>&1 &
    TARGET_PID=$!
    track_pid "$TARGET_PID"
    lib_i=0
    while [ ! -s "$lib_portfile" ]; do
        if ! kill -0 "$TARGET_PID" 2>/dev/null; then
            fail "the test target exited at start: $(cat "$T/target.$lib_n.log")"
        fi
        [ "$lib_i" -lt 100 ] || fail "the test target did not listen within 5 s"
        sleep 0.05
        lib_i=$((lib_i + 1))
    done
    TARGET_PORT=$(cat "$lib_portfile")
    TARGET_URL="http://127.0.0.1:$TARGET_PORT"
    TARGET_LOG="$T/target.$lib_n.log"
    export TARGET_PID TARGET_PORT TARGET_URL TARGET_LOG
}

# stop_target [PID]: stop the target (SIGTERM; it flushes --record and exits 0).
stop_target() {
    lib_pid=${1:-$TARGET_PID}
    [ -n "$lib_pid" ] || return 0
    lib_stop "$lib_pid"
    lib_untrack "$lib_pid"
}

# target_stats: print the target's /__stats JSON.
target_stats() {
    curl -s -f --max-time 10 "$TARGET_URL/__stats" ||
        { echo "cannot read $TARGET_URL/__stats" >&2; return 1; }
}

# target_stat NAME: print one top-level number of /__stats.
target_stat() {
    lib_json=$(target_stats) || return 1
    printf '%s' "$lib_json" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# target_count: print the number of counted requests the target received.
target_count() {
    target_stat requests
}

# target_path_count "METHOD /path": print the count for one key (0 if none).
target_path_count() {
    lib_json=$(target_stats) || return 1
    printf '%s' "$lib_json" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["by_path"].get(sys.argv[1], 0))' "$1"
}

# target_reset: zero the target's counters.
target_reset() {
    curl -s -f --max-time 10 -X POST "$TARGET_URL/__reset" >/dev/null ||
        fail "cannot reset the target at $TARGET_URL"
}

# free_port: print a TCP port on 127.0.0.1 that is free now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [SECS]: wait until 127.0.0.1:PORT accepts a connection (default 5 s).
wait_port() {
    python3 - "$1" "${2:-5}" <<'EOP'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + limit
while time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOP
}
