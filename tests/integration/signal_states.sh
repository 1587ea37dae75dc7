#!/bin/sh
# Signals at every state of a headless run (cicada(1) SIGNALS, EXIT
# STATUS): while users are spawned, while they run, while they stop, and
# while the reports are written; storms of SIGWINCH and SIGPIPE change
# nothing. Each stop prints the final tables, writes whole reports and
# gives the documented exit status; every request the target answered is
# counted once.
. "$top_srcdir/tests/lib.sh"

start_target --delay 20

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[task t]
path = /t
EOI
cat >"$T/slow.ini" <<EOI
[run]
host = $TARGET_URL

[task slow]
path = /delay/10000
EOI

# wait_log FILE REGEX: until cicada's log says so (10 s at most)
wait_log() {
    i=0
    until grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -lt 200 ] || fail "no '$2' in $1: $(tail -5 "$1")"
        sleep 0.05
    done
}
# finish PID STATUS NAME ERR JSON: exit status, final tables, a whole JSON report
finish() {
    wait "$1"
    rc=$?
    ended=$(date +%s)
    [ "$rc" = "$2" ] || fail "$3: exit status $rc, expected $2: $(tail -5 "$4")"
    grep -q "Response time percentiles (approximated)" "$4" || fail "$3: no final tables"
    if [ -n "${5:-}" ]; then
        python3 - "$5" "$2" <<'EOP' || fail "$3: the JSON report is not whole"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["run"]["exit_status"] == int(sys.argv[2]), d["run"]
EOP
    fi
    echo "$3: exit $rc, final tables${5:+, whole JSON report}"
}
# counted ERR: the Aggregated request count of the final table
counted() { python3 "$top_srcdir/tests/tables.py" "$1" get Aggregated reqs; }

# spawning: 20 users at 2 a second, SIGINT after the second user
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 20 -r 2 -t 60s --json "$T/spawn.json" 2>"$T/spawn.err" &
p=$!
wait_log "$T/spawn.err" "Ramping to 20 users"
sleep 1
kill -INT $p
finish $p 130 "SIGINT while spawning" "$T/spawn.err" "$T/spawn.json"
grep -q "All users spawned" "$T/spawn.err" && fail "SIGINT while spawning: every user was spawned"
[ "$(counted "$T/spawn.err")" = "$(target_count)" ] || fail "SIGINT while spawning: counted $(counted "$T/spawn.err"), served $(target_count)"

# running: SIGWINCH and SIGPIPE storms change nothing; the run ends by itself
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 5 -r 50 -t 3s --json "$T/storm.json" 2>"$T/storm.err" &
p=$!
wait_log "$T/storm.err" "All users spawned"
n=0
while [ "$n" -lt 200 ]; do
    kill -WINCH $p 2>/dev/null
    kill -PIPE $p 2>/dev/null
    n=$((n + 1))
done
finish $p 0 "SIGWINCH and SIGPIPE storms while running" "$T/storm.err" "$T/storm.json"
[ "$(counted "$T/storm.err")" = "$(target_count)" ] || fail "storms: counted $(counted "$T/storm.err"), served $(target_count)"

# stopping: the run time is over, 10 s requests are in flight; SIGTERM stops
# as the run time did (they are waited for), then a second SIGINT abandons them
target_reset
"$CICADA" -f "$T/slow.ini" --headless -u 3 -r 3 -t 1s --json "$T/stop.json" 2>"$T/stop.err" &
p=$!
wait_log "$T/stop.err" "run-time limit reached"
kill -TERM $p
sleep 0.3
kill -0 $p 2>/dev/null || fail "SIGTERM while stopping: it did not wait for the requests in flight"
kill -INT $p
start=$(date +%s)
finish $p 143 "SIGTERM then SIGINT while stopping" "$T/stop.err" "$T/stop.json"
took=$(( ended - start ))
# the requests would need 8 s more: anything well below is abandoning them
[ "$took" -le 5 ] || fail "the second signal did not abandon the requests in flight ($took s)"

# writing the reports: a FIFO nobody reads yet; SIGWINCH, SIGPIPE and
# SIGHUP storms there do not kill cicada; the report waiting for its reader
# is abandoned (exit 4), the others are whole, the final tables printed
target_reset
mkfifo "$T/r.fifo"
"$CICADA" -f "$T/s.ini" --headless -u 2 -r 10 -t 1s --html "$T/w.html" --json "$T/r.fifo" \
    2>"$T/w.err" &
p=$!
wait_log "$T/w.err" "writing json report to file"
sleep 0.3
n=0
while [ "$n" -lt 50 ]; do
    kill -WINCH $p 2>/dev/null
    kill -PIPE $p 2>/dev/null
    n=$((n + 1))
done
kill -0 $p 2>/dev/null || fail "SIGWINCH/SIGPIPE while writing the reports killed cicada"
kill -HUP $p
finish $p 4 "SIGHUP while a report waits for its reader" "$T/w.err"
grep -q "cannot write .*r.fifo" "$T/w.err" || fail "no message for the abandoned report: $(tail -3 "$T/w.err")"
grep -q "</html>" "$T/w.html" || fail "the HTML report is not whole"
[ "$(counted "$T/w.err")" = "$(target_count)" ] || fail "reports: counted $(counted "$T/w.err"), served $(target_count)"
# the same with a reader that comes: the signals do not stop the report
"$CICADA" -f "$T/s.ini" --headless -u 2 -r 10 -t 1s --json "$T/r.fifo" 2>"$T/w2.err" &
p=$!
wait_log "$T/w2.err" "writing json report to file"
kill -WINCH $p; kill -PIPE $p
cat "$T/r.fifo" >"$T/w2.json"
finish $p 0 "a report read from a FIFO after signals" "$T/w2.err" "$T/w2.json"
