#!/bin/sh
# The Charts view's y axes (issue 16): labels at 0, step, 2 step ... from the
# bottom, with step 1, 2 or 5 x 10^n, and whole numbers of users.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/tui/tui.sh"

tui_scenario <<EOI
[user U]
wait = constant 0.07

[task ok]
path = /ok
EOI

check_axes() {
    tui_screen | python3 -c '
import math, re, sys
charts, cur = {}, None
for line in sys.stdin:
    for title in ("Total Requests per Second:", "Response Times (ms):", "Number of Users:"):
        if line.startswith(title):
            cur = title
            charts[cur] = []
    m = re.match(r"^ *([0-9.]+)(k?) *\|", line)
    if cur and m:
        charts[cur].append(float(m.group(1)) * (1000 if m.group(2) else 1))
assert len(charts) == 3, charts
for title, labels in charts.items():
    labels = labels[::-1]    # bottom first
    assert len(labels) >= 2 and labels[0] == 0, (title, labels)
    step = labels[1]
    m = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(abs(m - n) < 1e-6 for n in (1, 2, 5)), (title, "step", step, labels)
    assert all(abs(v - k * step) < 1e-6 * step for k, v in enumerate(labels)), (title, labels)
    if title.startswith("Number of Users"):
        assert all(v == int(v) for v in labels), (title, labels)
    print(title, labels)
' || { tui_screen >&2; fail "$1: chart axis labels"; }
}

for size in "100 31" "100 30" "120 40" "80 24"; do
    set -- $size
    tui_run "$1" "$2" -- -f "$T/s.ini" -u 7 -r 3 -t 20s --autostart
    tui_wait "RUNNING +users 7/7"
    tui_keys 2
    tui_wait "Number of Users:"
    sleep 3
    check_axes "${1}x$2"
    tui_quit "[0-9]+" q y
done
echo "Charts: y axis ticks 1, 2 or 5 x 10^n; users whole"
