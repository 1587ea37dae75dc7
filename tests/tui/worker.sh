#!/bin/sh
# The dashboard as a Locust worker (--worker on a terminal), with Debian's
# real locust --master:
# 1. cicada starts before the master: the header says it is connecting or
#    waiting for the master; a headless master (--expect-workers 1 -u 3
#    -t 3s) then starts 3 users on it: the header shows RUNNING, users
#    3/3 and the master's address; s and + are refused with a message
#    naming the Locust master; the master ends its test and quits: cicada
#    leaves with status 0, the terminal restored and the final tables
#    printed. Truth check: the master's Aggregated count (its CSV) equals
#    the target's, and cicada's final Aggregated count too.
# 2. q, then y: cicada leaves a running master cleanly (the master says
#    its last worker quit), exit status 0.
# 3. With a master waiting for a second worker, cicada is READY; the
#    master is killed: the header says MASTER LOST, and cicada
#    (--master-timeout 2) exits 5 with the terminal restored.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

command -v locust >/dev/null 2>&1 || skip "python3-locust is not installed"

start_target
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Api]
wait = constant 0.05

[task Api a]
path = /a
EOI
"$CICADA" --locustfile -f "$T/s.ini" >"$T/master.py" || fail "cicada --locustfile failed"

# start_master NAME PORT LOCUST-ARGS...: a master in the background, its PID in M
start_master() {
    sm_name=$1
    sm_port=$2
    shift 2
    (cd "$T" && exec locust -f "$T/master.py" --master --headless \
        --master-bind-host 127.0.0.1 --master-bind-port "$sm_port" "$@" >"$T/$sm_name.log" 2>&1) &
    M=$!
    track_pid "$M"
}

aggregated() {
    python3 -c 'import csv, sys; print([r for r in csv.DictReader(open(sys.argv[1])) if r["Name"] == "Aggregated"][0]["Request Count"])' "$1"
}

# ---- 1. the master starts, drives and ends the test ----
port=$(free_port)
tui_run 120 30 LANG=C.UTF-8 TERM=tmux-256color -- --worker -f "$T/s.ini" --master-port "$port" \
    --master-timeout 30 --threads 1
tui_wait "cicada worker +(CONNECTING|WAITING FOR THE MASTER) \(gives up in [0-9]+ s\)"
tui_screen | grep -q "master 127.0.0.1:$port" || fail "the header does not name the master"
echo "before the master: $(tui_screen | head -n 1 | cut -c1-100)"
start_master a "$port" --expect-workers 1 -u 3 -r 3 -t 3s --csv "$T/a"
tui_wait "RUNNING +users 3/3 +master 127\.0\.0\.1:$port" 30
[ "$(tui_alt)" = 1 ] || fail "the dashboard is not on the alternate screen"
echo "running: $(tui_screen | head -n 1 | cut -c1-110)"
tui_keys s
tui_wait "the Locust master controls the test"
tui_keys +
sleep 0.3
tui_screen | grep -q "users 3/3" || fail "+ changed the users of a worker"
echo "s and + refused: the Locust master controls the test"
tui_wait "cicada exited with 0" 30
wait "$M"
mstatus=$?
lib_untrack "$M"
[ "$mstatus" = 0 ] || fail "master A exited $mstatus: $(tail -5 "$T/a.log")"
[ "$(tui_alt)" = 0 ] || fail "the alternate screen is still on after the master quit"
tui_all | grep -q "The master quit" || fail "no 'The master quit' log line"
final=$(tui_all | awk '$1 == "Aggregated" && $2 ~ /^[0-9]+$/ { print $2; exit }')
[ -n "$final" ] || fail "no final tables after the master quit"
got=$(aggregated "$T/a_stats.csv")
count=$(target_count)
echo "master quit: cicada exited 0; the master counted $got requests, the target $count, cicada's final table $final"
[ "$got" = "$count" ] && [ "$count" -gt 20 ] || fail "the master counted $got requests, the target $count"
[ "$final" = "$count" ] || fail "cicada's final table counted $final requests, the target $count"
tui_kill

# ---- 2. q leaves a running master ----
port=$(free_port)
start_master b "$port" --expect-workers 1 -u 2 -r 2 -t 40s
wait_port "$port" 30
tui_run 120 30 LANG=C.UTF-8 TERM=tmux-256color -- --worker -f "$T/s.ini" --master-port "$port" \
    --master-timeout 30 --threads 1
tui_wait "RUNNING +users 2/2" 30
tui_keys q
tui_wait "Leave the Locust master and quit\?"
tui_keys y
tui_wait "cicada exited with 0" 15
[ "$(tui_alt)" = 0 ] || fail "q: the alternate screen is still on"
wait "$M"
lib_untrack "$M"
grep -q "The last worker quit" "$T/b.log" || fail "the master did not hear the worker quit: $(tail -5 "$T/b.log")"
echo "q, y: cicada left the master (exit 0); the master: $(grep "quit" "$T/b.log" | head -n 1 | sed 's/^.*INFO.[a-z.]*: //')"
tui_kill

# ---- 3. ready with a master waiting for a second worker; the master is killed ----
port=$(free_port)
start_master c "$port" --expect-workers 2 -u 2 -r 2 -t 40s
wait_port "$port" 30
tui_run 120 30 LANG=C.UTF-8 TERM=tmux-256color -- --worker -f "$T/s.ini" --master-port "$port" \
    --master-timeout 2 --threads 1
tui_wait "cicada worker +READY +users 0/0 +master 127\.0\.0\.1:$port" 15
echo "joined, no test yet: $(tui_screen | head -n 1 | cut -c1-100)"
kill -KILL "$M"
wait "$M" 2>/dev/null
lib_untrack "$M"
tui_wait "MASTER LOST" 5
echo "master killed: $(tui_screen | head -n 1 | cut -c1-100)"
tui_wait "cicada exited with 5" 15
[ "$(tui_alt)" = 0 ] || fail "master lost: the alternate screen is still on"
tui_all | grep -q "No Locust master took this worker back" || fail "no message saying why cicada left"
echo "master lost: cicada exited 5, terminal restored"
