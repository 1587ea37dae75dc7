#!/usr/bin/env python3
"""cpu_run.py OUT CMD...: run CMD and write its cost to OUT as JSON: CPU
seconds (user, system; its reaped children included), peak RSS (KiB, the
largest process), wall seconds and exit status."""
import json
import os
import sys
import time

start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - start
rc = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as f:
    json.dump({"user": ru.ru_utime, "sys": ru.ru_stime, "cpu": ru.ru_utime + ru.ru_stime,
               "maxrss_kb": ru.ru_maxrss, "wall": wall, "rc": rc}, f)
sys.exit(rc if rc >= 0 else 128 - rc)
