#!/bin/sh
# --worker and --locustfile with bad or pointless input: an unreachable
# master (retries with a message, gives up after --master-timeout, exit
# 2), options a worker ignores (named in one warning), bad master ports,
# hosts and timeouts from flags, [run] and CICADA_* (exit 2 naming them);
# [run] worker = true and master_port work. No request reaches the
# target in any of these. --locustfile prints a locustfile Python loads,
# with the scenario's classes, weights, fixed counts and tags, whose
# tasks raise if a Python worker runs them.
. "$top_srcdir/tests/lib.sh"

start_target
cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user Api]
weight = 3

[task Api a]
path = /a
tags = fast, read

[user Batch-2]
fixed_count = 2
wait = between 1 2

[task Batch-2 b]
path = /b
EOI
dead=$(free_port)

# expect STATUS TEXT CMD...: run cicada, check its status and that stderr has TEXT
expect() {
    want=$1 text=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    [ "$got" = "$want" ] || fail "$* exited $got, expected $want: $(cat "$T/err")"
    grep -q -- "$text" "$T/err" || fail "$*: no '$text' in: $(cat "$T/err")"
}

expect 2 "No Locust master answered at 127.0.0.1:$dead within 2 s" \
    "$CICADA" --worker -f "$T/s.ini" --master-port "$dead" --master-timeout 2
expect 2 'ignoring users (--users), spawn rate (-r), run time' \
    "$CICADA" --worker -f "$T/s.ini" --master-port "$dead" --master-timeout 1 --users 5 -r 2 -t 10s
expect 2 '--master-port: bad value "70000" for master_port: too large' \
    "$CICADA" --worker -f "$T/s.ini" --master-port 70000
expect 2 "cannot resolve 'no-such-host.invalid'" \
    "$CICADA" --worker -f "$T/s.ini" --master-host no-such-host.invalid
expect 2 'master-timeout' \
    "$CICADA" --worker -f "$T/s.ini" --master-timeout 0
CICADA_MASTER_PORT=abc expect 2 'CICADA_MASTER_PORT' "$CICADA" --worker -f "$T/s.ini"
printf '[run]\nworker = true\nmaster_port = %s\nmaster_timeout = 1\n' "$dead" >"$T/w.ini"
sed -n '/^host = /,$p' "$T/s.ini" >>"$T/w.ini"
expect 2 "joining the master at 127.0.0.1:$dead" "$CICADA" -f "$T/w.ini"
[ "$(target_count)" = 0 ] || fail "the target received $(target_count) requests"

# --locustfile
"$CICADA" --locustfile -f "$T/s.ini" >"$T/m.py" 2>"$T/err" || fail "--locustfile failed: $(cat "$T/err")"
command -v locust >/dev/null 2>&1 || skip "python3-locust is not installed (the generated file was not loaded)"
PY=$(sed -n '1s/^#!//p' "$(command -v locust)")
(cd "$T" && "$PY" - "$T/m.py" "$TARGET_URL") <<'EOP' || fail "the generated locustfile is wrong: $(cat "$T/m.py")"
import importlib.util, sys
spec = importlib.util.spec_from_file_location("m", sys.argv[1])
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
from locust.util.load_locustfile import is_user_class
classes = {n: c for n, c in vars(m).items() if is_user_class(c)}
print({n: (c.__name__, c.weight, c.fixed_count, c.host) for n, c in classes.items()})
assert sorted(classes) == ["Api", "Batch-2"], classes
assert classes["Api"].__name__ == "Api" and classes["Batch-2"].__name__ == "Batch-2"
assert classes["Api"].weight == 3 and classes["Batch-2"].fixed_count == 2
assert classes["Api"].host == sys.argv[2]
assert classes["Api"].tasks[0].locust_tag_set == {"fast", "read"}
try:
    classes["Api"].tasks[0](None)
except RuntimeError as e:
    assert "cicada workers only" in str(e), e
    print("a Python worker would fail with:", e)
else:
    raise AssertionError("the task did not raise")
EOP
