#!/bin/sh
# Truth check: cicada's console tables have the layout of Debian's locust
# (python3-locust 2.12.1) run against the same target: the same header
# lines and separators, rows of the same widths with '|' in the same
# columns, in the periodic table, the final table, the percentile table and
# the error report.
. "$top_srcdir/tests/lib.sh"

command -v locust >/dev/null 2>&1 || skip "Debian's locust (python3-locust) is not installed"
start_target

cat >"$T/locustfile.py" <<'EOP'
from locust import HttpUser, task, constant

class U(HttpUser):
    wait_time = constant(0.05)

    # every user fails once at its start: on a busy machine locust's 5 s can
    # hold a handful of requests, and the 1-in-4 task alone may then never
    # fail, leaving Locust without the error report compared below
    def on_start(self):
        self.client.get("/status/503", name="/unavailable")

    @task(3)
    def ok(self):
        self.client.get("/ok")

    @task(1)
    def unavailable(self):
        self.client.get("/status/503", name="/unavailable")
EOP
cat >"$T/s.ini" <<EOI
[user U]
wait = constant 0.05

[task U ok]
weight = 3
path = /ok

[task U unavailable]
path = /status/503
name = /unavailable
EOI

# stdout is not a terminal for either: Locust's name width is then 80
(cd "$T" && timeout 60 /usr/bin/python3 /usr/bin/locust -f "$T/locustfile.py" --headless -u 4 -r 4 \
    -t 5s -H "$TARGET_URL" >/dev/null 2>"$T/locust.err")
grep -q "Response time percentiles" "$T/locust.err" || fail "locust produced no final tables: $(tail -5 "$T/locust.err")"
"$CICADA" -f "$T/s.ini" --headless -u 4 -r 4 -t 5s -H "$TARGET_URL" >/dev/null 2>"$T/cicada.err"
[ $? = 1 ] || fail "cicada should exit 1 when requests failed"

python3 - "$T/locust.err" "$T/cicada.err" <<'EOP'
import re, sys

def blocks(path):
    """Split a log into the table blocks both tools print."""
    lines = open(path).read().split("\n")
    out = {"request": [], "percentile": [], "error": []}
    i = 0
    while i < len(lines):
        l = lines[i]
        kind = None
        if l.startswith("Type ") and "# reqs" in l:
            kind = "request"
        elif l.startswith("Response time percentiles (approximated)"):
            kind = "percentile"
        elif l == "Error report":
            kind = "error"
        if kind:
            j = i
            while j < len(lines) and lines[j] != "":
                j += 1
            out[kind].append(lines[i:j])
            i = j
        i += 1
    return out

def shape(line):
    """Where the '|' are, and how long the line is."""
    return (len(line), [m.start() for m in re.finditer(r"\|", line)])

lo, ci = blocks(sys.argv[1]), blocks(sys.argv[2])
problems = []
for kind in ("request", "percentile", "error"):
    if not lo[kind] or not ci[kind]:
        problems.append("%s table missing (locust %d, cicada %d)" % (kind, len(lo[kind]), len(ci[kind])))
if problems:
    print("\n".join(problems)); sys.exit(1)

# the first periodic table: printed before any request, header + 2 separators + Aggregated
for name, b in (("locust", lo), ("cicada", ci)):
    first = b["request"][0]
    if len(first) != 4 or not first[3].lstrip().startswith("Aggregated"):
        problems.append("%s's first table is not the empty one: %r" % (name, first))

def compare(kind, lt, ct):
    if kind == "error":
        # title, header, separator, rows..., separator
        if lt[:3] != ct[:3]:
            problems.append("error report header differs:\n%r\n%r" % (lt[:3], ct[:3]))
        if lt[-1] != ct[-1]:
            problems.append("error report closing separator differs")
        for row in ct[3:-1]:
            if not re.match(r"^\d+ {1,17}\S", row) or len(row) < 119:
                problems.append("error row not in '%%-18i %%-100s' form: %r" % row)
        return
    head = 2 if kind == "percentile" else 1
    # headers and separators byte for byte
    for idx in range(head + 1):
        if lt[idx] != ct[idx]:
            problems.append("%s table line %d differs:\nlocust: %r\ncicada: %r" % (kind, idx, lt[idx], ct[idx]))
    if lt[-2] != ct[-2]:
        problems.append("%s table separator before Aggregated differs" % kind)
    # every row: same width, '|' in the same columns (the layout), same Aggregated cell placement
    ref = shape(lt[head + 1])
    for row in ct[head + 1:]:
        if row.startswith("-"):
            continue
        if shape(row) != ref:
            problems.append("%s row layout differs:\nlocust: %r\ncicada: %r" % (kind, lt[head + 1], row))
    if lt[-1][:30] != ct[-1][:30]:
        problems.append("%s Aggregated row starts differently:\n%r\n%r" % (kind, lt[-1], ct[-1]))

compare("request", lo["request"][1], ci["request"][1])        # a periodic table with traffic
compare("request", lo["request"][-1], ci["request"][-1])      # the final table
compare("percentile", lo["percentile"][-1], ci["percentile"][-1])
compare("error", lo["error"][-1], ci["error"][-1])
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("layouts match: %d request tables (locust) / %d (cicada)" % (len(lo["request"]), len(ci["request"])))
for line in ci["request"][-1] + ci["percentile"][-1] + ci["error"][-1]:
    print(line)
EOP
[ $? = 0 ] || fail "tables differ from Locust's"
