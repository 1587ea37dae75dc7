#!/bin/sh
# bench/dashboard.sh: what the dashboard costs. Runs the same test against
# one nginx target headless and with the dashboard open (in tmux), in turns,
# and prints the requests per second of each run and the ratio.
#
#   sh bench/dashboard.sh [USERS [SECONDS [ROUNDS]]]     (default 64 10 2)
#
# Run from the build tree (uses ./src/cicada); needs nginx and tmux. With
# PIN=1 (and at least 2 cores) nginx runs on core 0 and cicada, with one
# worker thread, on core 1, so the two runs compete for nothing else and
# the dashboard's own cost (its main thread shares cicada's core) shows.
# With TOGETHER=1 both runs go at the same time, side by side, so whatever
# else loads the machine weighs on both alike (the fairest figure on a
# shared machine).
set -e
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
CICADA=${CICADA:-$PWD/src/cicada}
users=${1:-64}
secs=${2:-10}
rounds=${3:-2}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"
set +e

nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || skip "nginx is not installed"
port=$(free_port)
mkdir -p "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<EOC
daemon off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp;
    proxy_temp_path $T/nginx/tmp;
    fastcgi_temp_path $T/nginx/tmp;
    uwsgi_temp_path $T/nginx/tmp;
    scgi_temp_path $T/nginx/tmp;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "hello from nginx\n"; }
    }
}
EOC
pin_nginx=""
pin_cicada=""
threads=""
if [ "${PIN:-0}" = 1 ]; then
    pin_nginx="taskset -c 0"
    pin_cicada="taskset -c 1"
    threads="--threads 1"
fi
$pin_nginx "$nginx" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
track_pid $!
wait_port "$port" || fail "nginx did not start"

cat >"$T/s.ini" <<EOI
[run]
host = http://127.0.0.1:$port

[task hello]
path = /hello
EOI

# $CPU_RUN FILE CMD...: run CMD, write its CPU seconds (user + system) to FILE
CPU_RUN="python3 $T/cpu_run.py"
cat >"$T/cpu_run.py" <<'EOP'
import os, resource, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status = os.waitpid(pid, 0)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f\n" % (ru.ru_utime + ru.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
EOP

# requests per second of a finished run's log (whole-run Aggregated req/s)
rps() {
    python3 "$top_srcdir/tests/tables.py" "$1" get Aggregated rps
}

r=1
while [ $r -le "$rounds" ]; do
    if [ "${TOGETHER:-0}" = 1 ]; then
        tui_start 120 40 "$CPU_RUN '$T/dash.$r.cpu' env LANG=C.UTF-8 TERM=tmux-256color $pin_cicada '$CICADA' $threads -f '$T/s.ini' --autostart -u $users -r $users -t ${secs}s 2>'$T/dash.$r'; echo \"cicada exited with \$?\"; sleep 600"
        $CPU_RUN "$T/headless.$r.cpu" $pin_cicada "$CICADA" $threads -f "$T/s.ini" --headless --only-summary -u "$users" -r "$users" -t "${secs}s" \
            2>"$T/headless.$r" >/dev/null &
        hpid=$!
        track_pid $hpid
    else
        # odd rounds run headless first, even rounds the dashboard first
        if [ $((r % 2)) = 1 ]; then
            $CPU_RUN "$T/headless.$r.cpu" $pin_cicada "$CICADA" $threads -f "$T/s.ini" --headless --only-summary -u "$users" -r "$users" -t "${secs}s" \
                2>"$T/headless.$r" >/dev/null
        fi
        tui_start 120 40 "$CPU_RUN '$T/dash.$r.cpu' env LANG=C.UTF-8 TERM=tmux-256color $pin_cicada '$CICADA' $threads -f '$T/s.ini' --autostart -u $users -r $users -t ${secs}s 2>'$T/dash.$r'; echo \"cicada exited with \$?\"; sleep 600"
    fi
    tui_wait "RUNNING" 10
    # look at the Charts half of the time, as a user would
    sleep $((secs / 2))
    tui_keys 2
    # no screen polling while it runs (it would take CPU from the runs)
    sleep $((secs - secs / 2))
    tui_wait "STOPPED" 30
    tui_keys q
    tui_wait_all "cicada exited with" 30
    tui_kill
    if [ "${TOGETHER:-0}" = 1 ]; then
        wait $hpid
        lib_untrack $hpid
    elif [ $((r % 2)) = 0 ]; then
        $CPU_RUN "$T/headless.$r.cpu" $pin_cicada "$CICADA" $threads -f "$T/s.ini" --headless --only-summary -u "$users" -r "$users" -t "${secs}s" \
            2>"$T/headless.$r" >/dev/null
    fi
    h=$(rps "$T/headless.$r")
    d=$(rps "$T/dash.$r")
    hn=$(python3 "$top_srcdir/tests/tables.py" "$T/headless.$r" get Aggregated reqs)
    dn=$(python3 "$top_srcdir/tests/tables.py" "$T/dash.$r" get Aggregated reqs)
    python3 - "$r" "$h" "$d" "$hn" "$dn" "$(cat "$T/headless.$r.cpu")" "$(cat "$T/dash.$r.cpu")" <<'EOP'
import sys
r = sys.argv[1]
h, d, hn, dn, hc, dc = map(float, sys.argv[2:])
print(f"round {r}: headless {h:.0f} req/s ({hn / hc:.0f} req per CPU-second), "
      f"dashboard {d:.0f} req/s ({dn / dc:.0f} req per CPU-second); "
      f"dashboard/headless: throughput {d / h:.3f}, CPU cost per request {(dc / dn) / (hc / hn):.3f}")
EOP
    r=$((r + 1))
done
