#!/bin/sh
# Bad input in the scenario language's templates, checks, captures, phases
# and transfer keys: one message on stderr naming the file:line (or the
# flag), exit status 2, and no request sent to the target. Secrets from the
# environment do not appear in any of these messages.
. "$top_srcdir/tests/lib.sh"

start_target

# expect_error PATTERN [cicada args...]: exit 2, exactly one line on stderr matching PATTERN
expect_error() {
    pattern=$1
    shift
    "$CICADA" --headless -u 1 -t 1s "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "cicada $*: exit status $rc, expected 2; stderr: $(cat "$T/err")"
    lines=$(wc -l <"$T/err")
    [ "$lines" = 1 ] || fail "cicada $*: $lines lines on stderr, expected one: $(cat "$T/err")"
    grep -Eq -- "$pattern" "$T/err" ||
        fail "cicada $*: stderr does not match '$pattern': $(cat "$T/err")"
    grep -q "hush-hush-secret" "$T/err" "$T/out" && fail "the secret appears: $(cat "$T/err")"
    echo "ok: $(cat "$T/err")"
}

export SECRET_TOKEN=hush-hush-secret
mkdir "$T/d"
printf 'one\ntwo\n' >"$T/d/texts.txt"
printf '{"a": 1}\n{"a": \n' >"$T/d/bad.jsonl"

# with_task LINES...: a scenario whose task U t (line 7) has path = /x at
# line 8 unless LINES start with a path, then LINES (from line 9, or 8)
with_task() {
    case "$1" in
    path*) tpath="" ;;
    *) tpath="path = /x\n" ;;
    esac
    {
        printf "[run]\\nhost = %s\\n\\n[user U]\\nwait = constant 0.1\\n\\n[task U t]\\n$tpath" \
            "$TARGET_URL"
        for l in "$@"; do
            printf '%s\n' "$l"
        done
    } >"$T/d/s.ini"
}
with_user() {
    {
        printf '[run]\nhost = %s\n\n[user U]\n' "$TARGET_URL"
        for l in "$@"; do
            printf '%s\n' "$l"
        done
        printf '\n[task U t]\npath = /x\n'
    } >"$T/d/s.ini"
}
S="$T/d/s.ini"

# ---- templates ----
with_task 'body = {"id": "{{uid}}"}'
expect_error 's\.ini:9: unknown function \{\{uid\}\} \(did you mean \{\{uuid\}\}\?\)' -f "$S"
with_task 'header = X-A: {{frobnicate 3}}'
expect_error 's\.ini:9: unknown function \{\{frobnicate\}\}: use line, next, file' -f "$S"
with_task 'body = {{line nope.txt}}'
expect_error 's\.ini:9: cannot read data file: .*nope\.txt: No such file' -f "$S"
with_task 'body = {{next}}'
expect_error 's\.ini:9: \{\{next FILE\}\} takes one file name' -f "$S"
with_task 'body = {{file nope.bin}}'
expect_error 's\.ini:9: cannot read file: .*nope\.bin: No such file' -f "$S"
with_task 'body = {{base64 nope.jpg}}'
expect_error 's\.ini:9: cannot read file: .*nope\.jpg' -f "$S"
with_task 'body = {{line bad.jsonl}}'
expect_error 's\.ini:9: bad\.jsonl:2: not valid JSON' -f "$S"
with_task 'body = {"a": "{{uuid"}'
expect_error 's\.ini:9: unclosed \{\{' -f "$S"
with_task 'body = {{int 9 1}}'
expect_error 's\.ini:9: \{\{int LO HI\}\} takes two whole numbers, LO <= HI' -f "$S"
with_task 'body = {{lorem sentences 2}}'
expect_error 's\.ini:9: \{\{lorem words N\}\} or \{\{lorem paragraphs N\}\}' -f "$S"
with_task 'body = {{line texts.txt | yaml}}'
expect_error "s\.ini:9: unknown filter '\| yaml': use \| json or \| url" -f "$S"
with_task 'body = {{}}'
expect_error 's\.ini:9: empty \{\{\}\}' -f "$S"
with_task 'header = Authorization: Bearer ${NOT_SET_ANYWHERE}'
expect_error 's\.ini:9: \$\{NOT_SET_ANYWHERE\} is not set: export NOT_SET_ANYWHERE=\.\.\. or add it to a \.env file' -f "$S"
with_task 'header = Authorization: Bearer ${SECRET_TOKEN'
expect_error 's\.ini:9: unclosed \$\{' -f "$S"
with_task 'path = /x/{{var user_id}}'
expect_error "s\.ini:8: \{\{var user_id\}\}: no task captures 'user_id'" -f "$S"
# the body is checked where it starts, even when it continues
with_task 'body = {"a": 1,' '   "b": "{{uuid 1}}"}'
expect_error 's\.ini:9: \{\{uuid\}\} takes no arguments' -f "$S"
# a [run] value
printf '[run]\nhost = ${NO_SUCH_URL}\n\n[task t]\npath = /x\n' >"$S"
expect_error 's\.ini:2: \$\{NO_SUCH_URL\} is not set' -f "$S"
# a bad host from a secret: the message masks it
printf '[run]\nhost = ${SECRET_TOKEN}\n\n[task t]\npath = /x\n' >"$S"
expect_error 's\.ini:2: bad value "\*\*\*" for host' -f "$S"

# ---- .env and --env-file ----
with_task 'header = X-A: ${FROM_DOTENV}'
printf 'FROM_DOTENV=1\nthis is not a variable\n' >"$T/d/.env"
expect_error '\.env:2: expected NAME=value' -f "$S"
printf '9LIVES=1\n' >"$T/d/.env"
expect_error '\.env:1: expected NAME=value, NAME made of letters' -f "$S"
rm "$T/d/.env"
expect_error '^cicada: --env-file: cannot read the variables file: .*missing\.env: No such file' \
    -f "$S" --env-file "$T/missing.env"

# ---- checks ----
with_task 'expect_json = label =='
expect_error 's\.ini:9: bad expect_json "label ==": give a value after ==' -f "$S"
with_task 'expect_json = a..b'
expect_error 's\.ini:9: bad expect_json "a\.\.b": write expect_json = FIELD' -f "$S"
with_task 'expect_json = [0]'
expect_error 's\.ini:9: bad expect_json "\[0\]"' -f "$S"
with_task 'expect_body ='
expect_error 's\.ini:9: expect_body needs the text the body must contain' -f "$S"
with_task 'max_response_time = soon'
expect_error 's\.ini:9: bad value "soon" for max_response_time: expected a duration above 0' -f "$S"
with_task 'max_response_time = 0'
expect_error 's\.ini:9: bad value "0" for max_response_time' -f "$S"
with_task 'expect_jsn = label'
expect_error "s\.ini:9: unknown key 'expect_jsn' in \[task\] \(did you mean 'expect_json'\?\)" -f "$S"
with_task 'max_response_tim = 2s'
expect_error "s\.ini:9: unknown key 'max_response_tim' in \[task\] \(did you mean 'max_response_time'\?\)" -f "$S"

# ---- captures and phases ----
with_task 'capture = token'
expect_error 's\.ini:9: bad capture "token": write capture = NAME json FIELD or capture = NAME header HEADER' -f "$S"
with_task 'capture = token xml token'
expect_error 's\.ini:9: bad capture "token xml token"' -f "$S"
with_task 'capture = to/ken json token'
expect_error "s\.ini:9: bad capture name 'to/ken'" -f "$S"
with_task 'capture = token json a..b'
expect_error "s\.ini:9: bad capture field 'a\.\.b'" -f "$S"
with_task 'captur = token json token'
expect_error "s\.ini:9: unknown key 'captur' in \[task\] \(did you mean 'capture'\?\)" -f "$S"
with_task 'phase = on_strat'
expect_error "s\.ini:9: bad value \"on_strat\" for phase \(did you mean 'on_start'\?\): expected task, on_start or on_stop" -f "$S"
with_task 'phase = on_start'
expect_error "s\.ini:4: user class 'U' has only on_start and on_stop tasks" -f "$S"
with_task 'phase = task' 'phase = on_stop'
expect_error "s\.ini:10: 'phase' is given twice in this section \(first at line 9\)" -f "$S"
with_user 'order = shuffled'
expect_error 's\.ini:5: bad value "shuffled" for order: expected random .* or sequential' -f "$S"
with_user 'ordre = sequential'
expect_error "s\.ini:5: unknown key 'ordre' in \[user\] \(did you mean 'order'\?\)" -f "$S"

# ---- transfer keys, in [user] and [task] ----
with_user 'timeout = forever'
expect_error 's\.ini:5: bad value "forever" for timeout: expected a duration above 0' -f "$S"
with_task 'connect_timeout = 0'
expect_error 's\.ini:9: bad value "0" for connect_timeout' -f "$S"
with_task 'follow_redirects = sometimes'
expect_error 's\.ini:9: bad value "sometimes" for follow_redirects: expected true or false' -f "$S"
with_user 'verify_tls = maybe'
expect_error 's\.ini:5: bad value "maybe" for verify_tls: expected true or false' -f "$S"
with_user 'verfy_tls = false'
expect_error "s\.ini:5: unknown key 'verfy_tls' in \[user\] \(did you mean 'verify_tls'\?\)" -f "$S"
with_task 'http_version = 3'
expect_error 's\.ini:9: bad value "3" for http_version: expected 1\.1, 2 or 2-prior-knowledge' -f "$S"
# libcurl 7.x can hang for ever on prior-knowledge HTTP/2: refused there, saying what works
if [ "$(curl-config --vernum 2>/dev/null || echo 080000)" \< 080000 ]; then
    with_task 'http_version = 2-prior-knowledge'
    expect_error 's\.ini:9: http_version = 2-prior-knowledge needs libcurl 8\.0 or later .*use http_version = 2 over https:// \(TLS\), or 1\.1' -f "$S"
fi
with_task 'path = /a b/{{uuid}}'
expect_error 's\.ini:8: bad path "/a b/\{\{uuid\}\}": spaces must be written %20' -f "$S"

export SECRET_PREFIX=api-without-slash
with_task 'path = ${SECRET_PREFIX}/predict'
expect_error 's\.ini:8: bad path "\$\{SECRET_PREFIX\}/predict": once its variables are substituted it must start with /' -f "$S"
with_task 'path = {{line texts.txt}}'
expect_error 's\.ini:8: bad path "\{\{line texts\.txt\}\}": it must start with /' -f "$S"
with_task 'max_response_time = 1s' 'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' \
    'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' \
    'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' \
    'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' \
    'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' \
    'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' 'expect_body = a' \
    'expect_body = a' 'expect_body = a' 'expect_json = a'
expect_error 's\.ini:41: a task may have at most 32 checks' -f "$S"

# a long templated body on one line is refused, pointing to body_file
with_task "body = {\"text\": \"{{line texts.txt | json}}\", \"pad\": \"$(printf '%0250d' 0)\"}"
expect_error 's\.ini:9: line is [0-9]+ characters long, longer than the 197 an INI line may have: put a long body in body_file, or continue it on indented lines' -f "$S"

[ "$(target_count)" = 0 ] || fail "bad input sent $(target_count) requests"
