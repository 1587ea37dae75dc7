#!/bin/sh
# Tags (Locust's -T/--tags and -E/--exclude-tags): a task runs if it has at
# least one included tag and no excluded tag; a class's tags count for
# each of its tasks. Truth check at the target: the tasks that may run
# reach it, the others never do. Bad tags: one line, exit 2, no traffic.
. "$top_srcdir/tests/lib.sh"

start_target --delay 5

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Web]
wait = constant 0.01

[task Web home]
path = /home
tags = web

[task Web search]
path = /search
tags = web, slow

[task Web plain]
path = /plain

[user Api]
wait = constant 0.01
tags = api

[task Api predict]
path = /predict
tags = ml

[task Api health]
path = /health
EOI

# runs EXPECTED -- ARGS: exactly the EXPECTED paths reach the target
runs() {
    want=""
    while [ "$1" != "--" ]; do want="$want $1"; shift; done
    shift
    target_reset
    "$CICADA" -f "$T/s.ini" --headless -u 4 -r 4 -t 1s "$@" 2>"$T/err" ||
        fail "cicada $* failed: $(tail -5 "$T/err")"
    for p in home search plain predict health; do
        n=$(target_path_count "GET /$p")
        case " $want " in
        *" $p "*) [ "$n" -gt 0 ] || fail "cicada $*: /$p was never requested" ;;
        *) [ "$n" = 0 ] || fail "cicada $*: /$p was requested $n times" ;;
        esac
    done
    echo "ok: cicada $*: only$want"
}
runs home search plain predict health --
runs home search -- -T web
runs home search predict health -- --tags web,api
runs search predict -- -T "slow ml"
runs plain predict health -- -E web
runs home plain -- --exclude-tags slow,api
runs home -- -T web -E slow
runs predict -- -T ml,slow -E web
# several words after -T or -E, as Locust takes them (issue 16)
runs search predict -- -T slow ml
runs predict -- -T ml slow -E web home
runs home search -- Web -T web slow --only-summary
CICADA_TAGS=api runs predict health --
CICADA_EXCLUDE_TAGS=api runs home search plain --

# a class left without tasks is dropped with a warning
runs home search -- -T web
grep -q "WARNING/cicada.main: User class Api has no tasks left after filtering by tags: it will not run" "$T/err" ||
    fail "no warning for the dropped class: $(cat "$T/err" | head -5)"
grep -q 'All users spawned: {"Web": 4} (4 total users)' "$T/err" || fail "users went to a dropped class"
# a tag no task has is a warning when other tags match
runs predict health -- -T api,nosuch
grep -q "No task has the tag 'nosuch' given by -T" "$T/err" || fail "no warning for an unknown tag"
# tags in [run]
sed 's/^host = .*/&\
tags = ml\
exclude_tags = web/' "$T/s.ini" >"$T/r.ini"
target_reset
"$CICADA" -f "$T/r.ini" --headless -u 2 -r 2 -t 1s 2>"$T/err" || fail "cicada failed: $(tail -5 "$T/err")"
[ "$(target_path_count "GET /predict")" -gt 0 ] && [ "$(target_count)" = "$(target_path_count "GET /predict")" ] ||
    fail "[run] tags: requests went elsewhere than /predict"
echo "ok: tags and exclude_tags in [run]"

# bad input: one line naming the flag or file:line, exit 2, nothing sent
target_reset
expect_error() {
    pattern=$1
    shift
    "$CICADA" --headless -t 2s "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "cicada $*: exit status $rc, expected 2; stderr: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" = 1 ] || fail "cicada $*: not one line on stderr: $(cat "$T/err")"
    grep -Eq -- "$pattern" "$T/err" || fail "cicada $*: stderr does not match '$pattern': $(cat "$T/err")"
    echo "ok: $(cat "$T/err")"
}
expect_error "^cicada: -T: no task of .*s\.ini has any of the tags \"nosuch\"$" -f "$T/s.ini" -T nosuch
expect_error "^cicada: --exclude-tags: every task left in .*s\.ini has one of the tags \"api\"$" -f "$T/s.ini" Api --exclude-tags api
expect_error "^cicada: -T and -E: no task of .*s\.ini is left to run$" -f "$T/s.ini" -T ml -E api
expect_error "^cicada: -T: bad name 'a/b' in tags" -f "$T/s.ini" -T a/b
expect_error "^cicada: -E: exclude_tags needs a value" -f "$T/s.ini" -E ""
CICADA_TAGS="x!" expect_error "^cicada: CICADA_TAGS: bad name 'x!' in tags" -f "$T/s.ini"
sed 's/^tags = web$/tags = web|x/' "$T/s.ini" >"$T/b.ini"
expect_error "^cicada: .*b\.ini:9: bad name 'web\|x' in tags" -f "$T/b.ini"
sed 's/^tags = api$/tags =/' "$T/s.ini" >"$T/b.ini"
expect_error "^cicada: .*b\.ini:20: tags needs at least one name" -f "$T/b.ini"
sed 's/^tags = ml$/tag = ml/' "$T/s.ini" >"$T/b.ini"
expect_error "^cicada: .*b\.ini:24: unknown key 'tag' in \[task\] \(did you mean 'tags'\?\)" -f "$T/b.ini"
sed 's/^host = .*/&\
tags = nosuch/' "$T/s.ini" >"$T/b.ini"
expect_error "^cicada: .*b\.ini:3: no task of .*b\.ini has any of the tags \"nosuch\"$" -f "$T/b.ini"
[ "$(target_count)" = 0 ] || fail "bad input sent $(target_count) requests"
