#!/bin/sh
# Reused connections stay correct: a server that closes keep-alive
# connections after 50 ms of idleness (without "Connection: close", as an
# idle timeout does) while each user waits 100 ms between requests, so
# that nearly every request finds its pooled connection closed by the
# server. libcurl's liveness check before reuse sees the close and opens a
# new connection: no failures, and the requests cicada reports equal the
# requests the server answered. Then a server that keeps connections: one
# connection per user, the whole run.
. "$top_srcdir/tests/lib.sh"

cat >"$T/server.py" <<'EOP'
import http.server, socketserver, sys, threading

idle, port_file, log = float(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
counts = {"requests": 0, "connections": 0}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = idle if idle > 0 else None   # idle keep-alive connections close after this

    def setup(self):
        super().setup()
        with lock:
            counts["connections"] += 1

    def do_GET(self):
        if self.path == "/__counts":
            body = ("%d %d\n" % (counts["requests"], counts["connections"])).encode()
        else:
            with lock:
                counts["requests"] += 1
            body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128

srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
EOP

# run_case IDLE WAIT: start the server, run 4 users for 3 s, check, stop it
run_case() {
    rm -f "$T/port"
    python3 "$T/server.py" "$1" "$T/port" "$T/server.log" 2>"$T/server.err" &
    spid=$!
    track_pid "$spid"
    i=0
    while [ ! -s "$T/port" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    [ -s "$T/port" ] || fail "the test server did not start: $(cat "$T/server.err")"
    port=$(cat "$T/port")
    cat >"$T/k.ini" <<EOI
[run]
host = http://127.0.0.1:$port

[user U]
wait = constant $2

[task U ping]
path = /ping
EOI
    "$CICADA" -f "$T/k.ini" --headless -u 4 -r 100 -t 3s -L DEBUG 2>"$T/err"
    rc=$?
    [ "$rc" = 0 ] || fail "idle timeout $1 s, wait $2 s: exit status $rc: $(tail -20 "$T/err")"
    reported=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated reqs) || fail "no final table"
    failures=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated fails) || fail "no final table"
    set -- "$1" "$2" $(curl -s --max-time 5 "http://127.0.0.1:$port/__counts")
    lib_stop "$spid"
    lib_untrack "$spid"
    echo "idle timeout $1 s, wait $2 s: cicada reported $reported requests, $failures failures; the server answered $3 on $4 connections"
    [ "$failures" = 0 ] || fail "failures on reused connections: $(cat "$T/err")"
    [ "$reported" = "$3" ] || fail "cicada reported $reported requests, the server answered $3"
    [ "$reported" -ge 40 ] || fail "too few requests ($reported)"
    CONNECTIONS=$4
}

run_case 0.05 0.1
# the server closed nearly every connection before its next use
[ "$CONNECTIONS" -ge $((reported / 2)) ] || fail "only $CONNECTIONS connections for $reported requests: the server did not close idle ones"

run_case 0 0
# one connection per user, plus cicada's reachability check before the run and
# the /__counts request above
[ "$CONNECTIONS" -le 6 ] || fail "$CONNECTIONS connections for 4 users: keep-alive connections were not reused"
echo "ok"
