#!/usr/bin/env python3
"""report.py: read the outputs of bench/run.sh.

  report.py one OUT NAME      print one run's figures on a line
  report.py report OUT RESULTS ROUNDS SECS "CONCS" "TOOLS" ELAPSED
                              print the table (medians over rounds) and the
                              checks, and write them to RESULTS (Markdown)
                              with the machine, the versions and the commands;
                              exit 1 if a check failed

Each tool's figures are read from its own output as it reports them:
requests, req/s, p50 and p99 (ms), errors; CPU seconds and peak RSS come
from bench/cpu_run.py (the generator process and its children).
"""
import csv
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import tables  # noqa: E402

NAMES = {
    "cicada": "cicada (headless)",
    "cicada-dash": "cicada (dashboard)",
    "wrk": "wrk -t1",
    "hey": "hey",
    "ab": "ab -k",
    "locust": "Locust HttpUser",
    "locust-fast": "Locust FastHttpUser",
}


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def to_ms(value, unit):
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}[unit]


def parse_cicada(text):
    lines = text.splitlines()
    r = {}
    for row in tables.final_table(lines):
        if row["key"] == "Aggregated":
            r.update(reqs=int(row["reqs"]), errors=int(row["fails"]), rps=float(row["rps"]))
    for row in tables.percentiles(lines):
        if row["key"] == "Aggregated":
            r.update(p50=float(row["values"][0]), p99=float(row["values"][7]))
    m = re.search(r"Aggregated response times .*: p50 ([\d.]+) ms, p90 [\d.]+ ms, p99 ([\d.]+) ms",
                  text)
    if m:
        # the same figures to the microsecond (DEBUG line); the tables round to whole ms
        r.update(p50=float(m.group(1)), p99=float(m.group(2)), precise=True)
    return r


def parse_wrk(text):
    r = {}
    m = re.search(r"(\d+) requests in", text)
    if m:
        r["reqs"] = int(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        r["rps"] = float(m.group(1))
    for p, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % p, text, re.M)
        if m:
            r[key] = to_ms(m.group(1), m.group(2))
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    r["errors"] = errors
    return r


def parse_hey(text):
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        r["rps"] = float(m.group(1))
    for p, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s%% in ([\d.]+) secs" % p, text, re.M)
        if m:
            r[key] = float(m.group(1)) * 1e3
    ok = bad = 0
    for code, n in re.findall(r"^\s+\[(\d+)\]\s+(\d+) responses", text, re.M):
        if 200 <= int(code) < 400:
            ok += int(n)
        else:
            bad += int(n)
    errs = text.split("Error distribution:", 1)
    if len(errs) == 2:
        bad += sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]\s", errs[1], re.M))
    r.update(reqs=ok + bad, errors=bad)
    return r


def parse_ab(text):
    r = {}
    m = re.search(r"Complete requests:\s+(\d+)", text)
    if m:
        r["reqs"] = int(m.group(1))
    m = re.search(r"Requests per second:\s+([\d.]+)", text)
    if m:
        r["rps"] = float(m.group(1))
    errors = 0
    m = re.search(r"Failed requests:\s+(\d+)", text)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Non-2xx responses:\s+(\d+)", text)
    if m:
        errors += int(m.group(1))
    r["errors"] = errors
    for p, key in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s%%\s+(\d+)" % p, text, re.M)
        if m:
            r[key] = float(m.group(1))
    return r


def parse_locust(path):
    r = {}
    try:
        with open(path + "_stats.csv") as f:
            for row in csv.DictReader(f):
                if row["Name"] == "Aggregated":
                    r.update(reqs=int(row["Request Count"]), errors=int(row["Failure Count"]),
                             rps=float(row["Requests/s"]), p50=float(row["50%"]),
                             p99=float(row["99%"]))
    except (OSError, KeyError, ValueError):
        pass
    return r


def run_figures(out, name):
    tool = name.split(".")[0]
    text = read(os.path.join(out, name + ".out"))
    tool = {"ep-cicada": "cicada", "ep-wrk": "wrk"}.get(tool, tool)
    if tool in ("cicada", "cicada-dash", "count", "threads", "scale"):
        r = parse_cicada(text)
    elif tool == "wrk":
        r = parse_wrk(text)
    elif tool == "hey":
        r = parse_hey(text)
    elif tool == "ab":
        r = parse_ab(text)
    elif tool in ("locust", "locust-fast"):
        r = parse_locust(os.path.join(out, name))
    else:
        r = {}
    try:
        cost = json.loads(read(os.path.join(out, name + ".cpu")))
    except ValueError:
        cost = {}
    r["cpu"] = cost.get("cpu")
    r["rss_mb"] = cost["maxrss_kb"] / 1024.0 if "maxrss_kb" in cost else None
    r["rc"] = cost.get("rc")
    if r.get("reqs") is not None and r.get("cpu"):
        r["per_cpu"] = r["reqs"] / r["cpu"]
    return r


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def one(out, name):
    r = run_figures(out, name)
    print("%s req/s, p50 %s ms, p99 %s ms, %s CPU s, %s req/CPU-s, %s MB, %s errors%s" % (
        fmt(r.get("rps"), ".0f"), fmt(r.get("p50"), ".3g"), fmt(r.get("p99"), ".3g"),
        fmt(r.get("cpu"), ".2f"), fmt(r.get("per_cpu"), ".0f"), fmt(r.get("rss_mb"), ".1f"),
        fmt(r.get("errors"), "d"), "" if r.get("rc") in (0, None) else " (exit %s)" % r["rc"]))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def command_output(cmd):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    model = command_output("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
    mem = command_output("free -g | awk '/^Mem:/ {print $2}'")
    return "%s, %s CPUs, %s GiB RAM, Linux %s" % (model, os.cpu_count(), mem,
                                                   platform.release())


def versions(cicada):
    v = [
        ("cicada", command_output("%s --version" % cicada)),
        ("nginx", command_output("nginx -v 2>&1 || /usr/sbin/nginx -v 2>&1")),
        ("wrk", command_output("wrk -v 2>&1 | head -1")),
        ("hey", "Debian package " + command_output("dpkg-query -W -f '${Version}' hey")),
        ("ab", command_output("ab -V | head -1")),
        ("Locust", "Debian python3-locust " +
         command_output("dpkg-query -W -f '${Version}' python3-locust") + ", " +
         command_output("/usr/bin/python3 --version")),
        ("tmux", command_output("tmux -V")),
    ]
    return v


def report(out, results, rounds, secs, concs, tools, elapsed):
    rounds = int(rounds)
    concs = concs.split()
    tools = tools.split()
    med = {}
    for c in concs:
        for t in tools:
            runs = [run_figures(out, "%s.%s.%d" % (t, c, r)) for r in range(1, rounds + 1)]
            m = {k: median([x.get(k) for x in runs])
                 for k in ("rps", "p50", "p99", "cpu", "per_cpu", "rss_mb", "errors", "reqs")}
            m["rounds"] = runs
            m["failed_runs"] = sum(1 for x in runs if x.get("rc") not in (0, None))
            med[(t, c)] = m

    lines = []
    head = ("| tool | users | req/s | p50 ms | p99 ms | CPU s | req per CPU-s | peak RSS MB | "
            "errors | cicada ÷ tool, req per CPU-s | cicada ÷ tool, req/s |")
    lines.append(head)
    lines.append("|" + "---|" * 11)
    for c in concs:
        ref = med.get(("cicada", c))
        for t in tools:
            m = med[(t, c)]
            ratio = ratio_rps = None
            if ref and t != "cicada":
                if ref["per_cpu"] and m["per_cpu"]:
                    ratio = ref["per_cpu"] / m["per_cpu"]
                if ref["rps"] and m["rps"]:
                    ratio_rps = ref["rps"] / m["rps"]
            p50 = fmt(m["p50"], ".3g")
            p99 = fmt(m["p99"], ".3g")
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                NAMES.get(t, t), c, fmt(m["rps"], ",.0f"), p50, p99, fmt(m["cpu"], ".2f"),
                fmt(m["per_cpu"], ",.0f"), fmt(m["rss_mb"], ".1f"), fmt(m["errors"], ".0f"),
                fmt(ratio, ".2f") + "x" if ratio else "-",
                fmt(ratio_rps, ".2f") + "x" if ratio_rps else "-"))
    table = "\n".join(lines)

    # ---- checks ----
    checks = []

    def check(ok, text):
        checks.append(("PASS" if ok else "FAIL", text))

    def pc(t, c):
        m = med.get((t, c))
        return m["per_cpu"] if m else None

    def ratio_check(c, peer, want, how):
        a, b = pc("cicada", c), pc(peer, c)
        if a is None or b is None:
            return
        r = a / b
        if how == "ratio":
            check(r >= want, "%s users: cicada %.0f req per CPU-s = %.2fx %s (%.0f), target >= %gx"
                  % (c, a, r, NAMES[peer], b, want))
        else:
            check(r > 1, "%s users: cicada %.0f req per CPU-s = %.2fx %s (%.0f), target: ahead"
                  % (c, a, r, NAMES[peer], b))

    if "64" in concs:
        ratio_check("64", "wrk", 0.55, "ratio")
        ratio_check("64", "locust-fast", 5, "ratio")
        ratio_check("64", "hey", 1, "ahead")
        ratio_check("64", "locust", 1, "ahead")
    if "1000" in concs:
        ratio_check("1000", "wrk", 0.45, "ratio")
        ratio_check("1000", "locust-fast", 5, "ratio")
        ci = med.get(("cicada", "1000"))
        if ci and ci["rss_mb"]:
            check(ci["rss_mb"] <= 40, "1000 users: cicada peak RSS %.1f MB (target <= 40 MB)"
                  % ci["rss_mb"])
    for (t, c), m in sorted(med.items()):
        if t.startswith("cicada") and (m["errors"] or m["failed_runs"]):
            check(False, "%s, %s users: %s errors, %d runs failed" % (NAMES[t], c, m["errors"],
                                                                      m["failed_runs"]))

    extras = []
    cnt = run_figures(out, "count.64.1")
    nginx_lines = read(os.path.join(out, "count.64.1.nginx")).strip()
    if nginx_lines:
        check(cnt.get("reqs") == int(nginx_lines),
              "request count: cicada counted %s requests, nginx's access log has %s lines"
              % (cnt.get("reqs"), nginx_lines))
    th = [run_figures(out, "threads.%d" % n) for n in (1, 2)]
    if all(x.get("rps") for x in th):
        extras.append("Threads, 1,000 users, unpinned (nginx on CPU 0): --threads 1: %.0f req/s, "
                      "%.2f CPU s, %.0f req per CPU-s; --threads 2: %.0f req/s, %.2f CPU s, "
                      "%.0f req per CPU-s; 2 threads / 1 thread: %.2fx req/s."
                      % (th[0]["rps"], th[0]["cpu"], th[0]["per_cpu"], th[1]["rps"], th[1]["cpu"],
                         th[1]["per_cpu"], th[1]["rps"] / th[0]["rps"]))
    if "64" in concs:
        # at full speed each tool makes its own load: informative only
        ci, wr = med.get(("cicada", "64")), med.get(("wrk", "64"))
        if ci and wr and ci["p50"] and wr["p50"]:
            pairs = [(a.get("p50"), b.get("p50")) for a, b in zip(ci["rounds"], wr["rounds"])]
            extras.append("p50 at full speed, 64 users (each tool at its own load, see Reading the "
                          "figures): cicada %.3f ms at %.0f req/s, wrk %.3f ms at %.0f req/s; by "
                          "round, cicada/wrk: %s; p50 x req/s (requests in flight as each tool "
                          "times them), cicada %.1f, wrk %.1f."
                          % (ci["p50"], ci["rps"], wr["p50"], wr["rps"],
                             ", ".join("%.3f/%.3f" % p for p in pairs if None not in p),
                             ci["p50"] * ci["rps"] / 1e3, wr["p50"] * wr["rps"] / 1e3))
    pa, pw = run_figures(out, "ep-cicada.paced"), run_figures(out, "ep-wrk.paced")
    if pa.get("p50") and pw.get("p50"):
        d = abs(pa["p50"] - pw["p50"]) / pw["p50"]
        check(d <= 0.25 and not pa.get("errors"),
              "64 users, same load (GET /paced, nginx answers 10,000 a second): cicada p50 %.3f ms "
              "at %.0f req/s vs wrk p50 %.3f ms at %.0f req/s: %.0f%% apart (target <= 25%%)"
              % (pa["p50"], pa["rps"], pw["p50"], pw["rps"], d * 100))
    for ep, what in (("predict", "POST /predict (small JSON)"), ("file", "GET /file16k (16 KiB)")):
        a, b = run_figures(out, "ep-cicada." + ep), run_figures(out, "ep-wrk." + ep)
        if a.get("per_cpu") and b.get("per_cpu"):
            extras.append("%s, 64 users, one run: cicada %.0f req/s, %.0f req per CPU-s, p50 %.3f "
                          "ms, %s errors; wrk -t1 %.0f req/s, %.0f req per CPU-s, p50 %.3f ms, %s "
                          "errors; cicada ÷ wrk per CPU-s %.2fx."
                          % (what, a["rps"], a["per_cpu"], a.get("p50") or 0, a.get("errors"),
                             b["rps"], b["per_cpu"], b.get("p50") or 0, b.get("errors"),
                             a["per_cpu"] / b["per_cpu"]))
            if a.get("errors") or a.get("rc"):
                check(False, "%s: cicada had %s errors" % (what, a.get("errors")))
    sc = run_figures(out, "scale")
    scale_cmd = read(os.path.join(out, "scale.cmd")).strip()
    if sc.get("reqs") is not None:
        users = re.search(r"-u (\d+)", scale_cmd)
        users = users.group(1) if users else "?"
        length = re.search(r"-t (\d+)s", scale_cmd)
        length = int(length.group(1)) - 2 if length else 0
        check(sc.get("errors") == 0 and sc.get("rc") == 0 and sc["rss_mb"] <= 250,
              "scale: %s keep-alive users (started within 2 s, then %d s with all of them): "
              "%s requests, %.0f req/s, %s errors, peak RSS %.1f MB (target: no errors, "
              "<= 250 MB)" % (users, length, sc["reqs"], sc.get("rps") or 0, sc.get("errors"),
                              sc["rss_mb"]))
    elif scale_cmd:
        check(False, "scale: no result (%s)" % read(os.path.join(out, "scale.out"))[-300:])

    check_lines = "\n".join("%s: %s" % c for c in checks)
    print()
    print("Medians over %d rounds of %s s (generator on CPU 1, nginx on CPU 0):" % (rounds, secs))
    print(table)
    print()
    for e in extras:
        print(e)
    print(check_lines)

    # ---- RESULTS.md ----
    cicada = os.environ.get("CICADA", "cicada")
    md = []
    md.append("# make bench: results\n")
    md.append("Written by `make bench` (bench/run.sh, bench/report.py) on %s UTC, in %d s.\n"
              % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), int(elapsed)))
    md.append("Machine: %s.\n" % machine())
    md.append("Versions:\n")
    for name, v in versions(cicada):
        md.append("- %s: %s" % (name, v.replace("\n", " ")))
    md.append("\nSetup: one nginx worker (bench/nginx.conf.in, access log off, keep-alive for the "
              "whole run) pinned to CPU 0 with `taskset -c 0`; each load generator pinned to "
              "CPU 1 with `taskset -c 1`; closed loop, no wait, `GET /` (20-byte body), %s "
              "users/connections; %d rounds of %s s, tools interleaved within each round "
              "(%s). Figures are medians over the rounds; p50/p99 as each tool reports them "
              "(cicada's to the microsecond from its DEBUG line, ab's in whole ms, Locust's "
              "rounded as Locust rounds); CPU seconds (user + system) and peak RSS of the "
              "generator process from getrusage (bench/cpu_run.py); requests per CPU-second = "
              "requests / CPU seconds.\n" % (" and ".join(concs), rounds, secs, " ".join(tools)))
    md.append(table + "\n")
    md.append("## Checks\n")
    md.append("\n".join("- %s: %s" % c for c in checks) + "\n")
    if extras:
        md.append("\n".join("- " + e for e in extras) + "\n")
    md.append("## Commands\n")
    md.append("As run (round 1; $T is the run's temporary directory):\n")
    md.append("```")
    tmp = os.path.dirname(out)
    seen = []
    for c in concs:
        for t in tools:
            cmd = read(os.path.join(out, "%s.%s.1.cmd" % (t, c))).strip()
            if cmd:
                seen.append(cmd.replace(tmp, "$T"))
    for name in ("count.64.1", "ep-cicada.predict", "ep-wrk.predict", "ep-cicada.file",
                 "ep-wrk.file", "ep-cicada.paced", "ep-wrk.paced", "threads.1", "threads.2",
                 "scale"):
        cmd = read(os.path.join(out, name + ".cmd")).strip()
        if cmd:
            seen.append(cmd.replace(tmp, "$T"))
    md.extend(seen)
    md.append("```\n")
    md.append("cicada's scenario ($T/bench.ini): `[run] host = http://127.0.0.1:PORT`, "
              "`[task index] path = /`. The dashboard runs in tmux (120x40), showing the "
              "Statistics view, then the Charts view for the second half.\n")
    prof = [read(os.path.join(out, f)).rstrip() for f in ("perf.dso", "perf.sym")]
    if any(prof):
        md.append("## Profile\n")
        md.append("`perf record -g` of cicada, 64 users, 5 s, pinned to CPU 1; self time by "
                  "library, then the top symbols:\n")
        md.append("```\n%s\n\n%s\n```\n" % tuple(prof))
    notes = read(os.path.join(HERE, "NOTES.md")).strip()
    if notes:
        md.append(notes + "\n")
    with open(results, "w") as f:
        f.write("\n".join(md))
    print("\nwritten to %s" % results)
    return 1 if any(c[0] == "FAIL" for c in checks) else 0


def main():
    if sys.argv[1] == "one":
        one(sys.argv[2], sys.argv[3])
        return 0
    if sys.argv[1] == "report":
        return report(*sys.argv[2:9])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
