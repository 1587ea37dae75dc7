#!/bin/sh
# bench/run.sh: `make bench`. cicada against its peers, side by side, on one
# nginx started here (bench/nginx.conf.in; stopped by PID at the end).
#
# Every round runs each tool once per concurrency, one after the other
# (A B C ... A B C ...), closed loop with no wait, GET /, with nginx pinned
# to CPU 0 and the load generator to CPU 1. Then: one run with nginx's
# access log on (cicada's request count must equal nginx's), cicada and wrk
# on POST /predict and the 16 KiB file, the scale run
# (10,000 users), cicada with 1 and 2 threads unpinned, and a perf profile.
# bench/report.py prints the table (medians over rounds) and writes
# bench/RESULTS.md.
#
# Environment (defaults in brackets):
#   BENCH_SECS [10]          seconds per run
#   BENCH_ROUNDS [3]         rounds
#   BENCH_USERS ["64 1000"]  concurrencies
#   BENCH_TOOLS [all]        among: cicada cicada-dash wrk hey ab locust locust-fast
#   BENCH_SCALE_USERS [10000], BENCH_SCALE_SECS [30]  the scale run (0 users: skip)
#   BENCH_EXTRAS [1]         0 skips the access-log, endpoints, threads and perf runs
#   BENCH_RESULTS [$top_srcdir/bench/RESULTS.md]  where the report goes
#   BENCH_KEEP               a directory to keep every raw output in
set -e
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
CICADA=${CICADA:-$PWD/src/cicada}
secs=${BENCH_SECS:-10}
rounds=${BENCH_ROUNDS:-3}
concs=${BENCH_USERS:-"64 1000"}
tools=${BENCH_TOOLS:-"cicada cicada-dash wrk hey ab locust locust-fast"}
scale_users=${BENCH_SCALE_USERS:-10000}
scale_secs=${BENCH_SCALE_SECS:-30}
extras=${BENCH_EXTRAS:-1}
results=${BENCH_RESULTS:-$top_srcdir/bench/RESULTS.md}
PYTHON=/usr/bin/python3
LOCUST="$PYTHON /usr/bin/locust"
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"
set +e

[ -x "$CICADA" ] || fail "$CICADA is not built"

# the peers and the target, from Debian (installed here when run as root, as
# ./bootstrap does; otherwise the apt-get line is printed)
missing=""
need() {   # need COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ] ||
        missing="$missing $2"
}
need nginx nginx-light
need tmux tmux
need perf linux-perf
case " $tools " in *" wrk "*) need wrk wrk ;; esac
case " $tools " in *" hey "*) need hey hey ;; esac
case " $tools " in *" ab "*) need ab apache2-utils ;; esac
case " $tools " in *locust*) [ -x /usr/bin/locust ] || missing="$missing python3-locust" ;; esac
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "make bench: installing:$missing"
        apt-get update -qq >/dev/null 2>&1 || true
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
            >/dev/null || fail "apt-get install$missing failed"
    else
        fail "missing Debian packages; install them with: sudo apt-get install$missing"
    fi
fi

for t in nginx taskset tmux; do
    command -v $t >/dev/null 2>&1 || [ -x /usr/sbin/$t ] || fail "$t is not installed"
done
[ "$(nproc --all)" -ge 2 ] || fail "the benchmark pins nginx and the generator to two CPUs"
case " $tools " in *" wrk "*) command -v wrk >/dev/null || fail "wrk is not installed";; esac
case " $tools " in *" hey "*) command -v hey >/dev/null || fail "hey is not installed";; esac
case " $tools " in *" ab "*) command -v ab >/dev/null || fail "ab is not installed";; esac
case " $tools " in *locust*) [ -x /usr/bin/locust ] || fail "Debian's python3-locust is not installed";; esac

OUT=$T/out
mkdir -p "$OUT" "$T/nginx/tmp"
CPU="$PYTHON $top_srcdir/bench/cpu_run.py"
# no run may hang the benchmark: each gets its length and a minute
BENCH_RUN_LIMIT=$(( ${BENCH_SCALE_SECS:-30} > secs ? ${BENCH_SCALE_SECS:-30} + 60 : secs + 60 ))
export BENCH_RUN_LIMIT
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
port=$(free_port)
URL="http://127.0.0.1:$port"
head -c 12288 /dev/urandom | base64 -w0 | head -c 16384 >"$T/nginx/file16k"
[ "$(wc -c <"$T/nginx/file16k")" = 16384 ] || fail "cannot make the 16 KiB file"
# nginx's worker (nobody, when started as root) reads the file through $T
chmod a+x "$T" "$T/nginx"
printf 'hello from nginx 20\n' >"$T/nginx/hello20"
chmod a+r "$T/nginx/file16k" "$T/nginx/hello20"
nginx_pid=""
started=$(date +%s)

# nginx_start ACCESS_LOG: (re)start nginx on CPU 0, access_log "off" or a path
nginx_start() {
    nginx_stop
    sed -e "s|@DIR@|$T/nginx|g" -e "s|@PORT@|$port|g" -e "s|@ACCESS_LOG@|$1|g" \
        "$top_srcdir/bench/nginx.conf.in" >"$T/nginx/nginx.conf"
    taskset -c 0 "$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
    nginx_pid=$!
    track_pid "$nginx_pid"
    wait_port "$port" 10 || fail "nginx did not start: $(cat "$T/nginx/error.log")"
}
nginx_stop() {
    [ -n "$nginx_pid" ] || return 0
    lib_stop "$nginx_pid"
    lib_untrack "$nginx_pid"
    nginx_pid=""
}

cat >"$T/bench.ini" <<EOI
[run]
host = $URL

[task index]
path = /
EOI
cat >"$T/predict.ini" <<EOI
[run]
host = $URL

[task predict]
method = POST
path = /predict
header = Content-Type: application/json
body = {"inputs": [1.0, 2.0, 3.0]}
EOI
cat >"$T/file.ini" <<EOI
[run]
host = $URL

[task file]
path = /file16k
EOI
cat >"$T/paced.ini" <<EOI
[run]
host = $URL

[task paced]
path = /paced
EOI

# each tool's command line for C connections/users (generator pinned to CPU 1)
PIN="taskset -c 1"
tool_cmd() {
    case $1 in
    cicada) echo "$PIN $CICADA -f $T/bench.ini --headless --only-summary -u $2 -r $2 -t ${secs}s -L DEBUG" ;;
    cicada-dash) echo "$PIN $CICADA -f $T/bench.ini -u $2 -r $2 -t ${secs}s --autostart" ;;
    wrk) echo "$PIN wrk -t1 -c$2 -d${secs}s --latency $URL/" ;;
    hey) echo "$PIN hey -z ${secs}s -c $2 $URL/" ;;
    ab) echo "$PIN ab -k -q -c $2 -t $secs -n 100000000 $URL/" ;;
    locust) echo "$PIN $LOCUST -f $top_srcdir/bench/locustfile.py --headless --only-summary -u $2 -r $2 -t ${secs}s -H $URL --csv $OUT/@NAME@ Plain" ;;
    locust-fast) echo "$PIN $LOCUST -f $top_srcdir/bench/locustfile.py --headless --only-summary -u $2 -r $2 -t ${secs}s -H $URL --csv $OUT/@NAME@ Fast" ;;
    *) fail "unknown tool $1" ;;
    esac
}

# run_tool TOOL C NAME: one run; output in $OUT/NAME.out, cost in $OUT/NAME.cpu
run_tool() {
    cmd=$(tool_cmd "$1" "$2" | sed "s|@NAME@|$3|")
    echo "$1 $2 users: $cmd" >"$OUT/$3.cmd"
    if [ "$1" = cicada-dash ]; then
        tui_start 120 40 "env LANG=C.UTF-8 TERM=tmux-256color $CPU '$OUT/$3.cpu' $cmd 2>'$OUT/$3.out'; echo \"cicada exited with \$?\"; sleep 600"
        # (a subshell: a dashboard that misbehaves loses its run, not the benchmark)
        if (tui_wait "RUNNING" 20) >/dev/null 2>&1; then
            sleep $((secs / 2))
            tui_keys 2       # the Charts view half of the time, as a user would
            # no screen polling while it runs: tmux capture-pane ten times a
            # second would take CPU from nginx or cicada and be billed to the dashboard
            sleep $((secs - secs / 2))
            if (tui_wait "STOPPED" 60) >/dev/null 2>&1; then
                tui_keys q
                (tui_wait_all "cicada exited with" 60) >/dev/null 2>&1
            fi
        fi
        tui_kill
    else
        $CPU "$OUT/$3.cpu" $cmd >"$OUT/$3.out" 2>&1
    fi
}

echo "make bench: $rounds rounds of ${secs} s, users/connections: $concs; tools: $tools"
echo "nginx on CPU 0 at $URL; generators on CPU 1; raw output in $OUT"
nginx_start off

r=1
while [ "$r" -le "$rounds" ]; do
    for c in $concs; do
        for tool in $tools; do
            printf 'round %s, %s users: %-12s' "$r" "$c" "$tool"
            run_tool "$tool" "$c" "$tool.$c.$r"
            $PYTHON "$top_srcdir/bench/report.py" one "$OUT" "$tool.$c.$r"
        done
    done
    r=$((r + 1))
done

if [ "$extras" = 1 ]; then
    # every request cicada counts reached nginx: one run with the access log on
    nginx_start "$T/nginx/access.log"
    printf 'access log run, 64 users: '
    run_tool cicada 64 "count.64.1"
    sed -i 's/^cicada 64 users:/cicada 64 users, nginx access log on:/' "$OUT/count.64.1.cmd"
    nginx_stop
    wc -l <"$T/nginx/access.log" >"$OUT/count.64.1.nginx"
    echo "cicada counted $($PYTHON "$top_srcdir/tests/tables.py" "$OUT/count.64.1.out" get Aggregated reqs), nginx logged $(cat "$OUT/count.64.1.nginx")"
    rm -f "$T/nginx/access.log"
    nginx_start off

    # the other endpoints, cicada and wrk, 64 users, one run each; /paced
    # (nginx answers 10,000 a second) compares the p50 of both at one load
    for ep in predict file paced; do
        case $ep in
        predict) wrk_args="-s $top_srcdir/bench/post.lua $URL/predict" ;;
        file) wrk_args="$URL/file16k" ;;
        paced) wrk_args="$URL/paced" ;;
        esac
        echo "cicada $ep: $PIN $CICADA -f $T/$ep.ini --headless --only-summary -u 64 -r 64 -t ${secs}s -L DEBUG" >"$OUT/ep-cicada.$ep.cmd"
        printf '%s, 64 users: cicada ' "$ep"
        $CPU "$OUT/ep-cicada.$ep.cpu" $PIN "$CICADA" -f "$T/$ep.ini" --headless --only-summary \
            -u 64 -r 64 -t "${secs}s" -L DEBUG >"$OUT/ep-cicada.$ep.out" 2>&1
        $PYTHON "$top_srcdir/bench/report.py" one "$OUT" "ep-cicada.$ep"
        echo "wrk $ep: $PIN wrk -t1 -c64 -d${secs}s --latency $wrk_args" >"$OUT/ep-wrk.$ep.cmd"
        printf '%s, 64 connections: wrk ' "$ep"
        $CPU "$OUT/ep-wrk.$ep.cpu" $PIN wrk -t1 -c64 -d"${secs}s" --latency $wrk_args \
            >"$OUT/ep-wrk.$ep.out" 2>&1
        $PYTHON "$top_srcdir/bench/report.py" one "$OUT" "ep-wrk.$ep"
    done

    # 1 and 2 worker threads, unpinned (nginx stays on CPU 0)
    for th in 1 2; do
        printf 'threads %s, 1000 users, unpinned: ' "$th"
        echo "cicada --threads $th: $CICADA -f $T/bench.ini --headless --only-summary -u 1000 -r 1000 -t ${secs}s --threads $th" >"$OUT/threads.$th.cmd"
        $CPU "$OUT/threads.$th.cpu" "$CICADA" -f "$T/bench.ini" --headless --only-summary \
            -u 1000 -r 1000 -t "${secs}s" --threads "$th" >"$OUT/threads.$th.out" 2>&1
        $PYTHON "$top_srcdir/bench/report.py" one "$OUT" "threads.$th"
    done

    # where the time goes
    if command -v perf >/dev/null 2>&1; then
        printf 'perf record -g, 64 users, 5 s ... '
        $PIN perf record -q -g -o "$T/perf.data" "$CICADA" -f "$T/bench.ini" --headless \
            --only-summary -u 64 -r 64 -t 5s >/dev/null 2>&1
        perf report -i "$T/perf.data" --no-children --sort dso -g none --stdio 2>/dev/null |
            grep '%' | grep -v '^#' | head -8 >"$OUT/perf.dso"
        perf report -i "$T/perf.data" --no-children --sort dso,sym -g none --stdio 2>/dev/null |
            grep '%' | grep -v '^#' | head -25 >"$OUT/perf.sym"
        perf report -i "$T/perf.data" --children --sort sym -g none --stdio 2>/dev/null |
            grep '%' | grep -v '^#' | grep -v '0x0000' | head -60 >"$OUT/perf.children"
        echo done
    fi
fi

if [ "$scale_users" -gt 0 ]; then
    # all users started within 2 s, then SECS with every one of them
    printf 'scale: %s users for %s s: ' "$scale_users" "$scale_secs"
    rate=$(( (scale_users + 1) / 2 ))
    echo "cicada scale: $PIN $CICADA -f $T/bench.ini --headless --only-summary -u $scale_users -r $rate -t $((scale_secs + 2))s" >"$OUT/scale.cmd"
    $CPU "$OUT/scale.cpu" $PIN "$CICADA" -f "$T/bench.ini" --headless --only-summary \
        -u "$scale_users" -r "$rate" -t "$((scale_secs + 2))s" >"$OUT/scale.out" 2>&1
    $PYTHON "$top_srcdir/bench/report.py" one "$OUT" scale
fi
nginx_stop

elapsed=$(( $(date +%s) - started ))
$PYTHON "$top_srcdir/bench/report.py" report "$OUT" "$results" "$rounds" "$secs" "$concs" \
    "$tools" "$elapsed"
status=$?
if [ -n "$BENCH_KEEP" ]; then
    mkdir -p "$BENCH_KEEP" && cp -r "$OUT"/. "$BENCH_KEEP"/
fi
exit $status
