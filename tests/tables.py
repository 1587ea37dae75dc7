#!/usr/bin/env python3
"""Read Locust-format console tables from a cicada (or locust) stderr log.

Usage:
  tables.py LOG final              JSON of the final request table rows
  tables.py LOG percentiles        JSON of the percentile table rows
  tables.py LOG errors             JSON list of [count, text] of the error report
  tables.py LOG get NAME FIELD     one field of one row of the final table
                                   (NAME "Aggregated" or "METHOD /path"; FIELD
                                   reqs, fails, avg, min, max, med, rps, fps)
  tables.py LOG pct NAME P         one percentile (50 66 75 80 90 95 98 99
                                   99.9 99.99 100) of one row of the
                                   percentile table
"""
import json
import re
import sys

ROW = re.compile(r"^(?P<type>\S*)\s+(?P<name>.*?)\s+(?P<reqs>\d+)\s+(?P<fails>\d+)\((?P<pct>[\d.]+)%\)"
                 r" \|\s*(?P<avg>\d+)\s+(?P<min>\d+)\s+(?P<max>\d+)\s*(?P<med>\d+) \|"
                 r"\s+(?P<rps>[\d.]+)\s+(?P<fps>[\d.]+)$")


def tables(lines):
    """Split the log into request tables (lists of row dicts)."""
    out, cur = [], None
    for line in lines:
        if line.startswith("Type ") and "# reqs" in line and "# fails" in line:
            cur = []
            out.append(cur)
            continue
        if cur is None:
            continue
        m = ROW.match(line.rstrip("\n"))
        if m:
            d = m.groupdict()
            key = "Aggregated" if d["name"] == "Aggregated" and not d["type"] else \
                "%s %s" % (d["type"], d["name"])
            d["key"] = key
            cur.append(d)
        elif line.strip() == "":
            cur = None
    return out


def final_table(lines):
    """The request table printed after 'Shutting down'."""
    for i, line in enumerate(lines):
        if "Shutting down (exit code" in line:
            t = tables(lines[i:])
            return t[0] if t else []
    return []


def percentiles(lines):
    rows, on = [], False
    for line in lines:
        if line.startswith("Response time percentiles (approximated)"):
            on, rows = True, []
            continue
        if on:
            if line.startswith("Type ") or line.startswith("--------"):
                continue
            if line.strip() == "":
                on = False
                continue
            parts = line.split()
            if parts[0] == "Aggregated":
                typ, name, nums = "", "Aggregated", parts[1:]
            else:
                typ, nums = parts[0], parts[-12:]
                name = line[9:].split()[0]
            rows.append({"key": "Aggregated" if not typ else "%s %s" % (typ, name),
                         "values": [int(x) for x in nums]})
    return rows


def errors(lines):
    out, on = [], False
    for line in lines:
        if line.startswith("Error report"):
            on, out = True, []
            continue
        if on:
            if line.startswith("# occurrences") or line.startswith("-----"):
                continue
            if line.strip() == "":
                on = False
                continue
            m = re.match(r"^(\d+)\s+(.*?)\s*$", line)
            if m:
                out.append([int(m.group(1)), m.group(2)])
    return out


def main():
    lines = open(sys.argv[1], errors="replace").read().splitlines()
    what = sys.argv[2]
    if what == "final":
        print(json.dumps(final_table(lines)))
    elif what == "percentiles":
        print(json.dumps(percentiles(lines)))
    elif what == "errors":
        print(json.dumps(errors(lines)))
    elif what == "get":
        for row in final_table(lines):
            if row["key"] == sys.argv[3]:
                print(row[sys.argv[4]])
                return 0
        print("no row %r in the final table" % sys.argv[3], file=sys.stderr)
        return 1
    elif what == "pct":
        cols = ["50", "66", "75", "80", "90", "95", "98", "99", "99.9", "99.99", "100"]
        for row in percentiles(lines):
            if row["key"] == sys.argv[3]:
                print(row["values"][cols.index(sys.argv[4])])
                return 0
        print("no row %r in the percentile table" % sys.argv[3], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
