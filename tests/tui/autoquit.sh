#!/bin/sh
# --autoquit N (Locust's): the dashboard leaves N seconds after the run it
# started ends, with the final tables; --print-stats writes the periodic
# tables to stderr while the dashboard is up, when stderr is not the
# terminal (issue 16).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[user U]
wait = constant 0.05

[task ok]
path = /ok
EOI

tui_start 100 30 "env LANG=C.UTF-8 TERM=tmux-256color '$CICADA' -f '$T/s.ini' -u 2 -r 2 -t 5s --autostart --autoquit 2 --print-stats 2>'$T/stderr'; echo \"cicada exited with \$?\"; sleep 600"
tui_wait "RUNNING"
tui_wait " STOPPED " 20
# still up right after the run: it waits the 2 seconds
tui_screen | grep -q "cicada exited" && fail "--autoquit 2: left at once"
tui_exited 0 15
grep -q "INFO/cicada.main: --autoquit time reached, shutting down" "$T/stderr" || fail "no autoquit log line: $(tail -5 "$T/stderr")"
# the periodic tables came while the dashboard ran: at least two before the final one
n=$(grep -c "^ *Aggregated " "$T/stderr")
[ "$n" -ge 3 ] || fail "--print-stats: $n tables in stderr: $(head -20 "$T/stderr")"
tui_kill
echo "--autoquit 2: left after the run; --print-stats: $n tables on stderr"

# --autoquit needs --autostart, as in Locust
"$CICADA" -f "$T/s.ini" --autoquit 2 >"$T/out" 2>"$T/err" </dev/null
[ $? = 2 ] && grep -q "^cicada: --autoquit works with --autostart" "$T/err" || fail "--autoquit without --autostart: $(cat "$T/err")"
echo "--autoquit without --autostart: exit 2"
