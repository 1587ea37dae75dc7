#!/bin/sh
# Open-file limit: cicada raises its soft limit to the hard limit; when
# the users asked for cannot each have a connection within it, it says so
# before any traffic (how many users fit, how to raise the limit) and
# exits 2; at that many users it runs without a failure; and users added
# from the dashboard beyond the limit are capped with a warning.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

command -v prlimit >/dev/null 2>&1 || skip "prlimit (util-linux) is not installed"
start_target

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[task hello]
path = /hello
EOI

# too many users for 256 files: refused before the run
prlimit --nofile=256:256 "$CICADA" -f "$T/s.ini" --headless -u 1000 -r 1000 -t 2s \
    >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "1000 users with 256 files: exit status $rc, not 2: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] || fail "expected one line, got: $(cat "$T/err")"
msg=$(cat "$T/err")
echo "$msg"
for want in "^cicada: -u: 1000 users" "limit is 256" "ulimit -n" "prlimit" "limits.conf"; do
    echo "$msg" | grep -q -- "$want" || fail "the message lacks '$want'"
done
most=$(echo "$msg" | sed -n 's/.*at most \([0-9]*\) users fit.*/\1/p')
[ -n "$most" ] || fail "the message does not say how many users fit"
[ "$most" -ge 100 ] && [ "$most" -lt 256 ] || fail "implausible: at most $most users with 256 files"
n=$(target_count)
[ "$n" = 0 ] || fail "the refused run sent $n requests"

# exactly that many users: each keeps a connection, nothing fails
prlimit --nofile=256:256 "$CICADA" -f "$T/s.ini" --headless --only-summary -u "$most" -r "$most" \
    -t 3s 2>"$T/err2" || fail "$most users with 256 files failed: $(tail -5 "$T/err2")"
fails=$(python3 "$top_srcdir/tests/tables.py" "$T/err2" get Aggregated fails)
reqs=$(python3 "$top_srcdir/tests/tables.py" "$T/err2" get Aggregated reqs)
[ "$fails" = 0 ] || fail "$most users with 256 files: $fails failures"
[ "$reqs" -gt "$most" ] || fail "$most users with 256 files: only $reqs requests"
echo "$most users within 256 files: $reqs requests, no failure"

# a soft limit below the hard limit is raised
prlimit --nofile=256:4096 "$CICADA" -f "$T/s.ini" --headless --only-summary -u 600 -r 600 \
    -t 3s 2>"$T/err3" || fail "600 users with soft 256, hard 4096 failed: $(tail -5 "$T/err3")"
fails=$(python3 "$top_srcdir/tests/tables.py" "$T/err3" get Aggregated fails)
[ "$fails" = 0 ] || fail "600 users after raising the soft limit: $fails failures"
echo "600 users: soft limit 256 raised to the hard limit 4096, no failure"

# the dashboard's + beyond the limit: capped, with a warning
start=$((most - 5))
tui_start 120 40 "env LANG=C.UTF-8 TERM=xterm-256color prlimit --nofile=256:256 '$CICADA' -f '$T/s.ini' -u $start -r 1000 --autostart; echo \"cicada exited with \$?\"; sleep 600"
tui_wait "users $start/$start" 15
tui_keys +
tui_wait "users $most/$most" 15
tui_wait "capped by the open-file limit" 5
sleep 1
tui_keys q
tui_wait "Stop it and quit\?"
tui_keys y
tui_wait "cicada exited with 0" 15
tui_all | grep -q "running $most users; raise the open-file limit" ||
    fail "no warning about the capped users in the log: $(tui_all | tail -20)"
tui_all | grep -Eq "^ +Aggregated +[0-9]+ +0\(" || fail "failures after capping: $(tui_all | grep Aggregated)"
echo "dashboard: + from $start capped at $most users, warned, no failure"
