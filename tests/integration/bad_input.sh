#!/bin/sh
# Bad input of every kind: one message on stderr naming the file:line, the
# variable or the flag, exit status 2, and no request sent to the target.
. "$top_srcdir/tests/lib.sh"

start_target

# expect_error PATTERN [cicada args...]: exit 2, exactly one line on stderr matching PATTERN
expect_error() {
    pattern=$1
    shift
    : >"$T/out"
    : >"$T/err"
    "$CICADA" --headless "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "cicada $*: exit status $rc, expected 2; stderr: $(cat "$T/err")"
    lines=$(wc -l <"$T/err")
    [ "$lines" = 1 ] || fail "cicada $*: $lines lines on stderr, expected one: $(cat "$T/err")"
    grep -Eq -- "$pattern" "$T/err" ||
        fail "cicada $*: stderr does not match '$pattern': $(cat "$T/err")"
    echo "ok: $(cat "$T/err")"
}

# a valid scenario to break in various ways
good() {
    cat <<EOI
[run]
host = $TARGET_URL
users = 2
spawn_rate = 2
run_time = 1s

[user U]
wait = constant 0.1

[task U hello]
path = /hello
EOI
}

scenario() { cat >"$T/s.ini"; }

# missing file
expect_error "^cicada: -f: cannot read scenario file '$T/missing.ini': No such file" -f "$T/missing.ini"
# syntax error: a line that is neither a section nor key = value
good | sed '3a\
this line has no equals sign' | scenario
expect_error "s\.ini:4: syntax error" -f "$T/s.ini"
# section without its closing bracket
good | sed 's/^\[user U\]$/[user U/' | scenario
expect_error "s\.ini:7: syntax error" -f "$T/s.ini"
# unknown section, with a suggestion
good | sed 's/^\[user U\]$/[usr U]/' | scenario
expect_error "s\.ini:7: unknown section \[usr U\] \(did you mean \[user NAME\]\?\)" -f "$T/s.ini"
# unknown key, with a suggestion
good | sed 's/^users = 2$/usres = 2/' | scenario
expect_error "s\.ini:3: unknown key 'usres' in \[run\] \(did you mean 'users'\?\)" -f "$T/s.ini"
good | sed 's/^path = /pth = /' | scenario
expect_error "s\.ini:11: unknown key 'pth' in \[task\] \(did you mean 'path'\?\)" -f "$T/s.ini"
good | sed 's/^wait = /wiat = /' | scenario
expect_error "s\.ini:8: unknown key 'wiat' in \[user\] \(did you mean 'wait'\?\)" -f "$T/s.ini"
# key outside any section
{ echo "users = 3"; good; } | scenario
expect_error "s\.ini:1: 'users' is outside any section" -f "$T/s.ini"
# duplicate key
good | sed 's/^users = 2$/users = 2\
users = 3/' | scenario
expect_error "s\.ini:4: 'users' is given twice in this section \(first at line 3\)" -f "$T/s.ini"
# negative users
good | sed 's/^users = 2$/users = -5/' | scenario
expect_error "s\.ini:3: bad value \"-5\" for users" -f "$T/s.ini"
# zero users
good | sed 's/^users = 2$/users = 0/' | scenario
expect_error "s\.ini:3: bad value \"0\" for users: must be at least 1" -f "$T/s.ini"
# spawn_rate = fast
good | sed 's/^spawn_rate = 2$/spawn_rate = fast/' | scenario
expect_error "s\.ini:4: bad value \"fast\" for spawn_rate" -f "$T/s.ini"
# bad duration
good | sed 's/^run_time = 1s$/run_time = 10 minutes/' | scenario
expect_error "s\.ini:5: bad value \"10 minutes\" for run_time" -f "$T/s.ini"
# bad URL
good | sed "s|^host = .*|host = 127.0.0.1:8000|" | scenario
expect_error "s\.ini:2: bad value \"127\.0\.0\.1:8000\" for host: expected a URL starting with http" -f "$T/s.ini"
good | sed "s|^host = .*|host = http://|" | scenario
expect_error "s\.ini:2: bad value \"http://\" for host" -f "$T/s.ini"
# unknown wait function
good | sed 's/^wait = .*/wait = sometimes 1/' | scenario
expect_error "s\.ini:8: unknown wait function 'sometimes'" -f "$T/s.ini"
good | sed 's/^wait = .*/wait = betwen 1 3/' | scenario
expect_error "s\.ini:8: unknown wait function 'betwen' \(did you mean 'between'\?\)" -f "$T/s.ini"
good | sed 's/^wait = .*/wait = between 3 1/' | scenario
expect_error "s\.ini:8: bad wait \"between 3 1\"" -f "$T/s.ini"
# bad path, method, header, status list, weight
good | sed 's|^path = /hello|path = hello|' | scenario
expect_error "s\.ini:11: bad path \"hello\": it must start with /" -f "$T/s.ini"
good | sed 's|^path = /hello|path = /hello\
method = G3T|' | scenario
expect_error "s\.ini:12: bad method \"G3T\"" -f "$T/s.ini"
good | sed 's|^path = /hello|path = /hello\
header = NoColonHere|' | scenario
expect_error "s\.ini:12: bad header \"NoColonHere\"" -f "$T/s.ini"
good | sed 's|^path = /hello|path = /hello\
expect_status = 2000|' | scenario
expect_error "s\.ini:12: bad expect_status \"2000\"" -f "$T/s.ini"
good | sed 's|^path = /hello|path = /hello\
weight = heavy|' | scenario
expect_error "s\.ini:12: bad value \"heavy\" for weight" -f "$T/s.ini"
# a task without a path, a class without tasks, a task of an unknown class
good | sed '/^path = /d' | scenario
expect_error "s\.ini:10: task 'hello' has no path" -f "$T/s.ini"
good | sed 's/^\[task U hello\]$/[task V hello]/' | scenario
expect_error "s\.ini:10: task 'hello' names user class 'V', which is not defined" -f "$T/s.ini"
{ good; printf '\n[user Lonely]\nweight = 1\n'; } | scenario
expect_error "s\.ini:13: user class 'Lonely' has no tasks" -f "$T/s.ini"
# missing body_file
good | sed 's|^path = /hello|path = /hello\
body_file = nowhere.json|' | scenario
expect_error "s\.ini:12: cannot read body_file: .*nowhere\.json: No such file" -f "$T/s.ini"
# a line longer than inih reads is an error, not a silent cut
long=$(python3 -c 'print("x" * 300)')
good | sed "s|^path = /hello|path = /hello\\
body = {\"text\": \"$long\"}|" | scenario
expect_error "s\.ini:12: line is 3[0-9][0-9] characters long, longer than the 197 an INI line may have: put a long body in body_file" -f "$T/s.ini"
# a continuation line on a key that takes one line
good | sed 's|^path = /hello|path = /hello\
    /more|' | scenario
expect_error "s\.ini:12: indented line continues 'path'" -f "$T/s.ini"

# bad flags
good | scenario
expect_error "^cicada: unknown option '--usres' \(did you mean '--users'\?\)" -f "$T/s.ini" --usres 5
expect_error "^cicada: unknown option '--frobnicate'" -f "$T/s.ini" --frobnicate
expect_error "^cicada: -u needs a value" -f "$T/s.ini" -u
# a value that looks like a flag is a forgotten value (issue 16): no file named --headless
expect_error "^cicada: --json needs a value, but the next word '--headless' looks like an option \(write --json=--headless" \
    -f "$T/s.ini" -t 1s --json --headless
[ -e ./--headless ] || [ -e "$T/--headless" ] && fail "--json --headless wrote a file named --headless"
expect_error "^cicada: -H needs a value, but the next word '-u' looks like an option" -f "$T/s.ini" -H -u 2
expect_error "^cicada: -u: bad value \"abc\" for users" -f "$T/s.ini" -u abc
expect_error "^cicada: --users: bad value \"-3\" for users" -f "$T/s.ini" --users -3
expect_error "^cicada: -r: bad value \"fast\" for spawn_rate" -f "$T/s.ini" -r fast
expect_error "^cicada: -t: bad value \"soon\" for run_time" -f "$T/s.ini" -t soon
expect_error "^cicada: -H: bad value \"localhost\" for host" -f "$T/s.ini" -H localhost
expect_error "^cicada: -L: bad value \"LOUD\" for loglevel" -f "$T/s.ini" -L LOUD
expect_error "^cicada: --exit-code-on-error: bad value \"300\"" -f "$T/s.ini" --exit-code-on-error 300
expect_error "^cicada: --threads: bad value \"0\" for threads" -f "$T/s.ini" --threads 0
expect_error "^cicada: argument 'extra': unknown user class 'extra'; the user classes of .*s\.ini are: U$" -f "$T/s.ini" extra
# bad environment variables name the variable
CICADA_USERS=many expect_error "^cicada: CICADA_USERS: bad value \"many\" for users" -f "$T/s.ini"
# unwritable log file
expect_error "^cicada: --logfile: .*/no/such/dir/x.log" -f "$T/s.ini" --logfile "$T/no/such/dir/x.log"

# unreachable host: a closed port on 127.0.0.1, named by where it was given
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
expect_error "^cicada: -H: host http://127\.0\.0\.1:$port is unreachable: cannot connect: Connection refused" -f "$T/s.ini" -H "http://127.0.0.1:$port"
good | sed "s|^host = .*|host = http://127.0.0.1:$port|" | scenario
expect_error "^cicada: $T/s\.ini:2: host http://127\.0\.0\.1:$port is unreachable" -f "$T/s.ini"
good | sed "s|^host = .*|host = http://no-such-host.invalid|" | scenario
expect_error "s\.ini:2: host http://no-such-host\.invalid is unreachable: cannot connect: Could not resolve host" -f "$T/s.ini"
# no host at all
good | sed '/^host = /d' | scenario
expect_error "^cicada: no host: give -H URL" -f "$T/s.ini"
# no scenario at all
(cd "$T" && expect_error "^cicada: no scenario: give -f FILE" )

# none of the above sent a single request
n=$(target_count)
[ "$n" = 0 ] || fail "the target received $n requests from runs that should have sent none"
echo "the target received no request"
