#!/usr/bin/env python3
"""cpu_run.py OUT CMD...: run CMD and write its cost to OUT as JSON: CPU
seconds (user, system; its reaped children included), peak RSS (KiB, the
largest process), wall seconds and exit status. With BENCH_RUN_LIMIT=S in
the environment, CMD gets SIGTERM after S seconds and SIGKILL 5 s later."""
import json
import os
import signal
import sys
import time

start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
limit = float(os.environ.get("BENCH_RUN_LIMIT", "0"))
killed = []


def on_alarm(signum, frame):
    os.kill(pid, signal.SIGKILL if killed else signal.SIGTERM)
    killed.append(True)
    signal.alarm(5)


if limit > 0:
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(limit))
_, status, ru = os.wait4(pid, 0)
signal.alarm(0)
wall = time.monotonic() - start
rc = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as f:
    json.dump({"user": ru.ru_utime, "sys": ru.ru_stime, "cpu": ru.ru_utime + ru.ru_stime,
               "maxrss_kb": ru.ru_maxrss, "wall": wall, "rc": rc, "killed": bool(killed)}, f)
sys.exit(rc if rc >= 0 else 128 - rc)
