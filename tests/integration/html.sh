#!/bin/sh
# --html: the report renders in headless Chromium (Debian's chromium): the
# DOM Chromium builds has the summary, the statistics, response time and
# failures tables with the run's entries and counts, and three SVG charts
# with data; a screenshot shows the chart lines' colours. It references no
# external asset, and is written after SIGINT too.
. "$top_srcdir/tests/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
    # .ci/run installs chromium and sets CICADA_REQUIRE_CHROMIUM: there, missing is a failure
    [ -n "${CICADA_REQUIRE_CHROMIUM:-}" ] && fail "chromium is not installed"
    skip "Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)"
fi
start_target --delay 2

cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL

[user U]
wait = constant 0.02

[task U ok]
weight = 4
path = /ok

[task U unavailable]
path = /status/503
name = /unavailable
EOI

"$CICADA" -f "$T/s.ini" --headless -u 6 -r 3 -t 6s --html "$T/report.html" \
    --threshold 'p99 < 5s' --threshold 'GET /unavailable: fail_ratio < 1%' >/dev/null 2>"$T/err"
rc=$?
[ "$rc" = 3 ] || fail "exit status $rc, expected 3: $(tail -3 "$T/err")"
grep -q "writing html report to file: $T/report.html" "$T/err" || fail "no log line for the HTML report"
received=$(target_count)

# axis ticks (issue 16): 0, step, 2 step ... with step 1, 2 or 5 x 10^n; users whole numbers
python3 - "$T/report.html" <<'EOP' || fail "chart axis ticks: see above"
import math, re, sys
html = open(sys.argv[1]).read()
svgs = re.findall(r'<svg class="chart".*?</svg>', html, re.S)
assert len(svgs) == 3, len(svgs)
for name, svg in zip(("rps", "response times", "users"), svgs):
    ticks = [float(t) for t in re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)]
    assert len(ticks) >= 2 and ticks[0] == 0, (name, ticks)
    step = ticks[1]
    m = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(abs(m - n) < 1e-6 for n in (1, 2, 5)), (name, "step", step)
    assert all(abs(t - k * step) < 1e-6 * step for k, t in enumerate(ticks)), (name, ticks)
    if name == "users":
        assert all(t == int(t) for t in ticks), (name, ticks)
    print(f"{name}: ticks {ticks}")
# time to first byte (issue 16): a column of the request statistics, never above the average
table = re.search(r'<table id="request-stats">.*?</table>', html, re.S).group(0)
heads = [re.sub("<[^>]*>", "", h) for h in re.findall(r"<th[^>]*>.*?</th>", table)]
assert "Avg time to first byte (ms)" in heads, heads
ti, ai = heads.index("Avg time to first byte (ms)"), heads.index("Average (ms)")
for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
    cells = [re.sub("<[^>]*>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", row)]
    ttfb, avg = float(cells[ti]), float(cells[ai])
    assert 0 <= ttfb <= avg + 1, (cells[1], ttfb, avg)
print("time to first byte column:", heads[ti])
EOP

render() {
    # $1: the report; $2: name for the outputs
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$T/chrome-$2" --dump-dom "file://$1" \
        >"$T/$2.dom" 2>"$T/$2.chrome.err" || fail "chromium --dump-dom failed: $(tail -3 "$T/$2.chrome.err")"
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$T/chrome-$2" --hide-scrollbars --window-size=1200,3200 \
        --screenshot="$T/$2.png" "file://$1" >/dev/null 2>>"$T/$2.chrome.err" ||
        fail "chromium --screenshot failed: $(tail -3 "$T/$2.chrome.err")"
    [ -s "$T/$2.png" ] || fail "no screenshot"
}

check() {
    # $1 report, $2 name, $3 target count, $4 console log
    /usr/bin/python3 - "$1" "$T/$2.dom" "$T/$2.png" "$3" "$top_srcdir/tests/tables.py" "$4" <<'EOP'
import re, struct, subprocess, sys, zlib
from html.parser import HTMLParser
src, dom, png, received, tables, log = sys.argv[1:7]
bad = []

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.svgs, self.stack, self.cell, self.row = {}, [], [], None, None
        self.links = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.stack.append(a.get("id", "?"))
            self.tables[self.stack[-1]] = []
        elif tag == "tr" and self.stack:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""
        elif tag == "svg":
            self.svgs.append([])
        elif tag == "polyline" and self.svgs:
            self.svgs[-1].append(a.get("points", ""))
        for k in ("src", "href"):
            if k in a and tag not in ("a",):
                self.links.append(a[k])
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.stack:
            self.tables[self.stack[-1]].append(self.row)
            self.row = None
        elif tag == "table" and self.stack:
            self.stack.pop()
    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

p = Page()
p.feed(open(dom).read())
for t in ("request-stats", "response-times", "failures", "thresholds"):
    if t not in p.tables:
        bad.append(f"no table #{t} in the rendered page")
if bad:
    print("\n".join(bad)); sys.exit(1)
console = lambda name, col: int(subprocess.check_output(["python3", tables, log, "get", name, col]).strip())
rows = {r[1]: r for r in p.tables["request-stats"][1:]}
if set(rows) != {"/ok", "/unavailable", "Aggregated"}:
    bad.append(f"request-stats rows {sorted(rows)}")
for name, cname in (("/ok", "GET /ok"), ("/unavailable", "GET /unavailable"), ("Aggregated", "Aggregated")):
    if int(rows[name][2]) != console(cname, "reqs") or int(rows[name][3]) != console(cname, "fails"):
        bad.append(f"{name}: html {rows[name][2]}/{rows[name][3]} vs console {console(cname, 'reqs')}/{console(cname, 'fails')}")
if int(rows["Aggregated"][2]) != int(received):
    bad.append(f"Aggregated {rows['Aggregated'][2]} != target {received}")
pct = {r[1]: r for r in p.tables["response-times"][1:]}
if len(p.tables["response-times"][0]) != 2 + 11 + 1 or int(pct["Aggregated"][-1]) != int(received):
    bad.append(f"response-times table: {p.tables['response-times'][0]}")
fails = p.tables["failures"][1:]
if len(fails) != 1 or fails[0][1:] != ["GET", "/unavailable", "HTTP 503"]:
    bad.append(f"failures table {fails}")
th = p.tables["thresholds"][1:]
if [r[0] for r in th] != ["PASS", "FAIL"]:
    bad.append(f"thresholds table {th}")
if len(p.svgs) != 3:
    bad.append(f"{len(p.svgs)} SVG charts, expected 3")
for i, lines in enumerate(p.svgs):
    # the legend draws lines, the data polylines
    pts = [[tuple(map(float, xy.split(","))) for xy in l.split()] for l in lines]
    if not pts or min(len(x) for x in pts) < 4:
        bad.append(f"chart {i}: polylines with {[len(x) for x in pts]} points")
    elif not any(y < 229.5 for x, y in pts[0]):
        # the plot's bottom (value 0) is at y = 230
        bad.append(f"chart {i}: the first line has no value above 0")
    elif i != 1 and len({y for x, y in pts[0]}) < 2:
        bad.append(f"chart {i}: the first line is flat (rates and users ramp up)")
if p.links:
    bad.append(f"external references: {p.links}")
if re.search(r'<script|<link|<img|<iframe|(src|href)\s*=\s*"[a-z]+:|url\(|@import', open(src).read()):
    bad.append("the report has a script or an external URL")

# the screenshot: decode the PNG and look for the two line colours
def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), {}
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            px = tuple(line[x:x + 3])
            out[px] = out.get(px, 0) + 1
        prev = line
    return w, h, out
w, h, colours = pixels(png)
near = lambda want: sum(n for (r, g, b), n in colours.items()
                        if abs(r - want[0]) + abs(g - want[1]) + abs(b - want[2]) < 40)
blue, red = near((0x1f, 0x6f, 0xbf)), near((0xc0, 0x39, 0x2b))
print(f"screenshot {w}x{h}: {len(colours)} colours, {blue} blue line pixels, {red} red line pixels")
if blue < 500 or red < 100:
    bad.append("the screenshot does not show the chart lines")
print(f"rendered: tables {sorted(p.tables)}; {len(p.svgs)} charts with {[len(l) for l in p.svgs]} lines; Aggregated {rows['Aggregated'][2]} = target {received}")
if bad:
    print("\n".join(bad)); sys.exit(1)
EOP
}

render "$T/report.html" timed
check "$T/report.html" timed "$received" "$T/err" || fail "time-limited run: see above"

# SIGINT: the report is written all the same
target_reset
"$CICADA" -f "$T/s.ini" --headless -u 6 -r 3 -t 60s --html "$T/int.html" \
    --threshold 'p99 < 5s' --threshold 'GET /unavailable: fail_ratio < 1%' >/dev/null 2>"$T/err2" &
pid=$!
track_pid $pid
sleep 6
kill -INT $pid
wait $pid
rc=$?
lib_untrack $pid
[ "$rc" = 130 ] || fail "exit status $rc after SIGINT, expected 130"
render "$T/int.html" int
check "$T/int.html" int "$(target_count)" "$T/err2" || fail "SIGINT run: see above"
grep -q "SIGINT" "$T/int.html" || fail "the report does not say the run was interrupted"
