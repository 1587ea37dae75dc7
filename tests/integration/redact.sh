#!/bin/sh
# Secrets that must not show: a password in the host URL (-H), a token used
# as the URL's user name, and the host name of a secret URL from .env (in
# DNS failure reasons): not on the console, not in any report.
. "$top_srcdir/tests/lib.sh"
start_target

cat >"$T/r.ini" <<EOI
[user U]
wait = constant 0.05

[task U ok]
path = /ok

[task U hidden]
path = \${HIDDEN_URL}/x
name = hidden
EOI
printf 'HIDDEN_URL=http://hidden-host-4711.invalid\n' >"$T/.env"

# check_run LABEL SECRET HOST: run, then look for SECRET everywhere
check_run() {
    rm -f "$T"/out*
    "$CICADA" -f "$T/r.ini" -H "$3" --headless -u 2 -r 10 -t 2s --json "$T/out.json" \
        --html "$T/out.html" --csv "$T/out" >"$T/out.stdout" 2>"$T/out.stderr"
    rc=$?
    [ "$rc" = 1 ] || fail "$1: exit status $rc, expected 1: $(tail -3 "$T/out.stderr")"
    [ -s "$T/out.html" ] && [ -s "$T/out.json" ] || fail "$1: no reports"
    for secret in $2 hidden-host-4711; do
        hits=$(grep -l -- "$secret" "$T"/out* 2>/dev/null)
        [ -z "$hits" ] || fail "$1: '$secret' shows in $hits: $(grep -h -- "$secret" $hits | head -3)"
    done
    grep -q "Could not resolve host" "$T/out.json" || fail "$1: no DNS failure reason in the report"
    echo "$1: nothing shows"
}
check_run "password in -H" pa55word-secret "http://tester:pa55word-secret@127.0.0.1:$TARGET_PORT"
check_run "token as user name" tok-abcdef123456 "http://tok-abcdef123456@127.0.0.1:$TARGET_PORT"
echo ok
