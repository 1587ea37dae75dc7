#!/usr/bin/env python3
"""faultserver.py: a misbehaving HTTP/1.1 server on 127.0.0.1 for the fault
tests (tests/integration/faults*.sh). It counts what it really received
(a request counts as read once its head and body are in) and answered, and
misbehaves in one way, chosen by --mode:

  drop-second   answer the first request of each connection; read the
                second and close without answering
  reset-second  answer the first request of each connection; read the
                second and reset the connection (RST) without answering
  close-after   answer --n requests per connection, then close it without
                a "Connection: close" header
  idle-close    close a connection idle for --idle seconds
  idle-408      after --idle seconds of idleness, send an unsolicited
                "408 Request Timeout" and close
  login         GET/POST /login answers {"token": ...} holding CR LF and a
                smuggled request; every other request is answered 200 and its
                headers are checked for the injected ones
  short         promise a 100,000-byte body, send a different number of
                bytes each time (1 to 9,999), close
  hang          read requests and never answer
  ok            answer everything (a well-behaved server)

GET /__counts (on a fresh connection, never counted, always answered with
Connection: close) prints the counts as JSON. The port is written to
--port-file once listening.
"""
import argparse
import json
import os
import socket
import struct
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--mode", required=True)
ap.add_argument("--n", type=int, default=1)
ap.add_argument("--idle", type=float, default=0.05)
ap.add_argument("--port-file", required=True)
args = ap.parse_args()

lock = threading.Lock()
counts = {"read": 0, "answered": 0, "dropped": 0, "connections": 0, "injected": 0,
          "smuggled": 0, "by_method": {}}

TOKEN = "tok123\r\nX-Evil: injected\r\n\r\nDELETE /smuggled HTTP/1.1\r\nHost: victim\r\nX-Pad: x"


def bump(key, n=1):
    with lock:
        counts[key] += n


def read_request(conn, buf, timeout):
    """One request (head, body) from conn, buf holding bytes read before;
    None on EOF/timeout. Returns (method, target, headers, body, rest)."""
    conn.settimeout(timeout)
    while b"\r\n\r\n" not in buf:
        try:
            data = conn.recv(65536)
        except (socket.timeout, OSError):
            return None
        if not data:
            return None
        buf += data
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    method = parts[0].decode("latin-1")
    target = parts[1].decode("latin-1") if len(parts) > 1 else ""
    headers = []
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.strip().lower().decode("latin-1"), value.strip().decode("latin-1")))
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    conn.settimeout(5)
    while len(buf) < length:
        try:
            data = conn.recv(65536)
        except (socket.timeout, OSError):
            return None
        if not data:
            return None
        buf += data
    return method, target, headers, buf[:length], buf[length:]


def answer(conn, status=200, body=b"ok\n", ctype="text/plain", close=False):
    head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
        status, "OK" if status == 200 else "Status", ctype, len(body),
        "Connection: close\r\n" if close else "")
    conn.sendall(head.encode() + body)


def serve(conn):
    buf = b""
    served = 0
    try:
        while True:
            idle = args.idle if args.mode in ("idle-close", "idle-408") else 30
            req = read_request(conn, buf, idle)
            if req is None:
                if args.mode == "idle-408" and not buf:
                    try:
                        answer(conn, 408, b"", close=True)
                    except OSError:
                        pass
                return
            method, target, headers, body, buf = req
            if target == "/__counts":
                with lock:
                    text = json.dumps(counts).encode()
                answer(conn, 200, text, "application/json", close=True)
                return
            with lock:
                counts["read"] += 1
                counts["by_method"][method] = counts["by_method"].get(method, 0) + 1
                if target.startswith("/smuggled"):
                    counts["smuggled"] += 1
                if any(n == "x-evil" for n, _ in headers):
                    counts["injected"] += 1
            served += 1
            if args.mode in ("drop-second", "reset-second") and served == 2:
                bump("dropped")
                if args.mode == "reset-second":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if args.mode == "hang":
                bump("dropped")
                conn.settimeout(None)
                try:
                    while conn.recv(65536):
                        pass
                except OSError:
                    pass
                return
            if args.mode == "short":
                with lock:
                    counts["dropped"] += 1
                    cut = 1 + counts["read"] * 7919 % 9999
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * cut)
                return
            if args.mode == "login" and target.startswith("/login"):
                answer(conn, 200, json.dumps({"token": TOKEN}).encode(), "application/json")
            else:
                answer(conn)
            bump("answered")
            if args.mode == "close-after" and served >= args.n:
                return
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(256)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(args.port_file + ".tmp", args.port_file)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        bump("connections")
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
