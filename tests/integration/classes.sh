#!/bin/sh
# Choosing user classes: positional names, --user-classes, CICADA_USER_CLASSES
# and [run] user_classes run only the named classes; an unknown name is an
# error naming the argument or flag and listing the classes. Truth checks
# at the target: class weights hold within 3 points (or 4 standard deviations
# when a busy machine sent fewer requests) over >= 1,000 requests,
# and fixed counts are exact (each user keeps one request in flight against
# a delayed target, so the most requests in flight on a class's path is
# the number of its users).
. "$top_srcdir/tests/lib.sh"

start_target --delay 10

# max_in_flight "METHOD /path": the most requests in flight at once on that path
max_in_flight() {
    target_stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["max_in_flight_by_path"].get(sys.argv[1], 0))' "$1"
}

cat >"$T/w.ini" <<EOI
[run]
host = $TARGET_URL

[user A]
weight = 5

[task A a]
path = /a

[user B]
weight = 3

[task B b]
path = /b

[user C]
weight = 2

[task C c]
path = /c
EOI

# weights 5:3:2 over 20 users: 10, 6 and 4 users, and the same request shares
"$CICADA" -f "$T/w.ini" --headless -u 20 -r 20 -t 4s 2>"$T/err" || fail "cicada failed: $(tail -5 "$T/err")"
grep -q 'All users spawned: {"A": 10, "B": 6, "C": 4} (20 total users)' "$T/err" ||
    fail "unexpected spawn line: $(grep 'All users spawned' "$T/err")"
total=$(target_count)
a=$(target_path_count "GET /a"); b=$(target_path_count "GET /b"); c=$(target_path_count "GET /c")
ma=$(max_in_flight "GET /a"); mb=$(max_in_flight "GET /b"); mc=$(max_in_flight "GET /c")
echo "weights 5:3:2: $total requests, /a $a /b $b /c $c; users in flight at most $ma $mb $mc"
[ "$total" -ge 1000 ] || fail "only $total requests"
[ "$ma $mb $mc" = "10 6 4" ] || fail "the target saw $ma, $mb and $mc users, expected 10, 6 and 4"
python3 - "$total" "$a" "$b" "$c" <<'EOP' || fail "class shares off"
import sys
total, *counts = map(int, sys.argv[1:])
for want, got in zip((50, 30, 20), counts):
    share = 100.0 * got / total
    # 3 points, or 4 standard deviations of a share over this many requests
    # (a busy machine sends fewer)
    allowed = max(3.0, 400.0 * (want / 100.0 * (1 - want / 100.0) / total) ** 0.5)
    print("weight %d%%: %.2f%% (allowed +-%.1f)" % (want, share, allowed))
    if abs(share - want) > allowed:
        sys.exit(1)
EOP

# fixed counts: exact, started first, the rest by weight
target_reset
sed 's/^weight = 5$/fixed_count = 3/' "$T/w.ini" >"$T/f.ini"
"$CICADA" -f "$T/f.ini" --headless -u 11 -r 11 -t 2s 2>"$T/err" || fail "cicada failed: $(tail -5 "$T/err")"
grep -q 'All users spawned: {"A": 3, "B": 5, "C": 3} (11 total users)' "$T/err" ||
    fail "unexpected spawn line: $(grep 'All users spawned' "$T/err")"
ma=$(max_in_flight "GET /a"); mb=$(max_in_flight "GET /b"); mc=$(max_in_flight "GET /c")
echo "fixed_count 3 and weights 3:2 over 11 users: the target saw $ma, $mb and $mc users"
[ "$ma $mb $mc" = "3 5 3" ] || fail "the target saw $ma, $mb and $mc users, expected 3, 5 and 3"

# run_only CLASSES... -- ARGS: only the requests of those classes reach the target
run_only() {
    want=""
    while [ "$1" != "--" ]; do want="$want $1"; shift; done
    shift
    target_reset
    "$CICADA" --headless -u 6 -r 6 -t 1s "$@" 2>"$T/err" || fail "cicada $* failed: $(tail -5 "$T/err")"
    for cls in A B C; do
        path=$(echo "$cls" | tr ABC abc)
        n=$(target_path_count "GET /$path")
        case " $want " in
        *" $cls "*) [ "$n" -gt 0 ] || fail "cicada $*: class $cls sent nothing" ;;
        *) [ "$n" = 0 ] || fail "cicada $*: class $cls sent $n requests" ;;
        esac
    done
    echo "ok: cicada $* ran only$want"
}
run_only B C -- -f "$T/w.ini" B C
run_only A -- -f "$T/w.ini" --user-classes A
run_only A C -- -f "$T/w.ini" --user-classes C A
run_only A B -- -f "$T/w.ini" A --user-classes B
CICADA_USER_CLASSES=C run_only C -- -f "$T/w.ini"
{ sed -n '1,2p' "$T/w.ini"; echo "user_classes = B"; sed '1,2d' "$T/w.ini"; } >"$T/r.ini"
run_only B -- -f "$T/r.ini"
CICADA_USER_CLASSES=A run_only C -- -f "$T/r.ini" --user-classes C

# unknown names: one line naming the argument or flag and listing the classes, exit 2
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
expect_error "^cicada: argument 'D': unknown user class 'D'.*the user classes of .*w\.ini are: A, B, C$" -f "$T/w.ini" A D
expect_error "^cicada: --user-classes: unknown user class 'Bee' \(did you mean 'B'\?\); the user classes of .*: A, B, C$" -f "$T/w.ini" --user-classes A,Bee
CICADA_USER_CLASSES=x expect_error "^cicada: CICADA_USER_CLASSES: unknown user class 'x'" -f "$T/w.ini"
sed 's/^user_classes = B$/user_classes = B, Q/' "$T/r.ini" >"$T/q.ini"
expect_error "^cicada: .*q\.ini:3: unknown user class 'Q'" -f "$T/q.ini"
expect_error "^cicada: --user-classes: bad name 'A/B' in user_classes" -f "$T/w.ini" --user-classes A/B
expect_error "^cicada: --user-classes: user_classes needs a value" -f "$T/w.ini" --user-classes ""
sed 's/^weight = 2$/weight = 0/' "$T/w.ini" >"$T/z.ini"
expect_error "^cicada: arguments: the chosen user classes all have weight 0" -f "$T/z.ini" C
[ "$(target_count)" = 0 ] || fail "bad input sent $(target_count) requests"
