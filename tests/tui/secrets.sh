#!/bin/sh
# The dashboard never shows a secret: a host from ${URL} is masked in the
# start panel and the header, and starting from the panel with the masked
# value unchanged tests the real host.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

start_target

cat >"$T/s.ini" <<'EOI'
[run]
host = ${SECRET_URL}

[user U]
wait = constant 0.1

[task U hello]
path = /hello
EOI

tui_run 120 30 TERM=xterm-256color "SECRET_URL=$TARGET_URL" -- -f "$T/s.ini" -u 2 -r 10
tui_wait "Start new load test"
tui_screen | grep -q "127.0.0.1:$TARGET_PORT" && fail "the start panel shows the secret host"
tui_screen | grep -q '\*\*\*' || fail "the start panel does not show the masked host: $(tui_screen)"
tui_keys Enter
tui_wait "RUNNING +users 2/2"
tui_screen | grep -q "127.0.0.1:$TARGET_PORT" && fail "the header shows the secret host"
tui_screen | grep -q 'host \*\*\*' || fail "the header does not mask the host: $(tui_screen)"
sleep 1
[ "$(target_path_count "GET /hello")" -ge 1 ] || fail "no request reached the real host"
echo "host masked in the panel and the header; $(target_path_count "GET /hello") requests reached it"
