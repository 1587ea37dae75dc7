#!/bin/sh
# Proxies from the environment, as curl applies them, the same for the
# reachability check before the run and for every request:
#  - http_proxy, with a host name only the proxy can resolve: the check and
#    the requests go through the proxy (the check opens a connection to it
#    and sends nothing), and the proxy forwarded as many requests as cicada
#    counted, as the target answered;
#  - all_proxy likewise, to 127.0.0.1;
#  - https_proxy to an https host only the proxy resolves: a tunnel
#    (CONNECT) for the check and the requests, whose count is the TLS
#    server's;
#  - NO_PROXY=127.0.0.1 bypasses the proxy: it sees nothing;
#  - HTTP_PROXY in upper case is ignored (curl's rule): it sees nothing;
#  - a proxy that does not answer: the check fails naming its address.
. "$top_srcdir/tests/lib.sh"

# a forward proxy: absolute-form requests forwarded on one upstream connection
# per client connection, CONNECT tunnels; the name "cicada-target.invalid"
# resolves (here) to 127.0.0.1. GET /__counts (origin form) answers its
# counters: requests forwarded, connections that sent no request, requests
# for unknown hosts, tunnels opened.
cat >"$T/proxy.py" <<'EOP'
import http.client, http.server, os, select, socket, socketserver, sys, threading
from urllib.parse import urlsplit

port_file = sys.argv[1]
names = {"cicada-target.invalid": "127.0.0.1", "127.0.0.1": "127.0.0.1"}
lock = threading.Lock()
counts = {"connections": 0, "silent_connections": 0, "forwarded": 0, "refused": 0, "tunnels": 0}
hop = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
       "trailer", "upgrade", "proxy-authorization", "proxy-authenticate"}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.requests_seen = 0
        self.upstream = None
        with lock:
            counts["connections"] += 1

    def finish(self):
        super().finish()
        if self.upstream is not None:
            self.upstream.close()
        if self.requests_seen == 0:
            with lock:
                counts["silent_connections"] += 1

    def answer(self, status, body, ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self):
        self.requests_seen += 1
        if self.path == "/__counts":
            with lock:
                body = ("%(forwarded)d %(silent_connections)d %(refused)d %(tunnels)d\n"
                        % counts).encode()
            return self.answer(200, body)
        url = urlsplit(self.path)
        addr = names.get(url.hostname or "")
        if url.scheme != "http" or addr is None:
            with lock:
                counts["refused"] += 1
            return self.answer(502, b"unknown host\n")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection(addr, url.port or 80, timeout=10)
        target = url.path or "/"
        if url.query:
            target += "?" + url.query
        self.upstream.request(self.command, target, body=body, headers=headers)
        resp = self.upstream.getresponse()
        data = resp.read()
        with lock:
            counts["forwarded"] += 1
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in hop and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = forward

    def do_CONNECT(self):
        self.requests_seen += 1
        self.close_connection = True
        host, _, port = self.path.rpartition(":")
        addr = names.get(host)
        if addr is None:
            with lock:
                counts["refused"] += 1
            return self.answer(502, b"unknown host\n")
        up = socket.create_connection((addr, int(port)), timeout=10)
        with lock:
            counts["tunnels"] += 1
        self.send_response(200, "Connection established")
        self.end_headers()
        ends = [self.connection, up]
        try:
            while True:
                ready, _, _ = select.select(ends, [], [], 30)
                if not ready:
                    return
                for r in ready:
                    data = r.recv(65536)
                    if not data:
                        return
                    (up if r is self.connection else self.connection).sendall(data)
        except OSError:
            pass
        finally:
            up.close()

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128

srv = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
EOP

python3 "$T/proxy.py" "$T/proxy.port" 2>"$T/proxy.err" &
track_pid $!
i=0
while [ ! -s "$T/proxy.port" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/proxy.port" ] || fail "the proxy did not start: $(cat "$T/proxy.err")"
PROXY=http://127.0.0.1:$(cat "$T/proxy.port")

start_target

# proxy_count N: the proxy's Nth counter so far (1 forwarded, 2 connections
# without a request, 3 requests for unknown hosts, 4 tunnels)
proxy_count() {
    lib_c=$(curl -s -f --noproxy '*' --max-time 10 "$PROXY/__counts") ||
        fail "cannot read the proxy's counters"
    echo "$lib_c" | cut -d ' ' -f "$1"
}

# run_case NAME HOST VAR=VALUE...: 4 users for 2 s against HOST with the
# proxy variables given (every other one unset); sets REPORTED, SERVED
# (the target's count), FORWARDED and SILENT (the proxy's, for this run)
run_case() {
    name=$1
    host=$2
    shift 2
    cat >"$T/p.ini" <<EOI
[run]
host = $host

[user U]
wait = constant 0.01

[task U get]
path = /ok

[task U post]
method = POST
path = /echo
body = through
EOI
    target_reset
    before_fwd=$(proxy_count 1)
    before_silent=$(proxy_count 2)
    env -u http_proxy -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY \
        -u no_proxy -u NO_PROXY "$@" \
        "$CICADA" -f "$T/p.ini" --headless -u 4 -r 100 -t 2s 2>"$T/err"
    rc=$?
    [ "$rc" = 0 ] || fail "$name: exit status $rc: $(tail -5 "$T/err")"
    REPORTED=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated reqs) ||
        fail "$name: no final table"
    fails=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated fails)
    [ "$fails" = 0 ] || fail "$name: $fails failures: $(tail -20 "$T/err")"
    SERVED=$(target_count)
    FORWARDED=$(($(proxy_count 1) - before_fwd))
    SILENT=$(($(proxy_count 2) - before_silent))
    echo "$name: cicada $REPORTED requests, target $SERVED, proxy forwarded $FORWARDED" \
         "and saw $SILENT connections without a request"
    [ "$REPORTED" -ge 20 ] || fail "$name: too few requests ($REPORTED)"
    [ "$REPORTED" = "$SERVED" ] || fail "$name: cicada reported $REPORTED, the target served $SERVED"
}

name=cicada-target.invalid:$TARGET_PORT

# through http_proxy to a name only the proxy resolves: the check passes
run_case http_proxy "http://$name" "http_proxy=$PROXY"
[ "$FORWARDED" = "$REPORTED" ] || fail "http_proxy: the proxy forwarded $FORWARDED, cicada reported $REPORTED"
[ "$SILENT" -ge 1 ] || fail "http_proxy: the check before the run did not connect to the proxy"

# all_proxy applies to http URLs too
run_case ALL_PROXY "http://127.0.0.1:$TARGET_PORT" "ALL_PROXY=$PROXY"
[ "$FORWARDED" = "$REPORTED" ] || fail "ALL_PROXY: the proxy forwarded $FORWARDED, cicada reported $REPORTED"
[ "$SILENT" -ge 1 ] || fail "ALL_PROXY: the check before the run did not connect to the proxy"

# NO_PROXY (or no_proxy): the proxy sees nothing, the check included
run_case NO_PROXY "http://127.0.0.1:$TARGET_PORT" "http_proxy=$PROXY" "NO_PROXY=127.0.0.1"
[ "$FORWARDED" = 0 ] && [ "$SILENT" = 0 ] || fail "NO_PROXY=127.0.0.1: the proxy was used"

# HTTP_PROXY in upper case is not read (curl's rule, for CGI environments)
run_case HTTP_PROXY "http://127.0.0.1:$TARGET_PORT" "HTTP_PROXY=$PROXY"
[ "$FORWARDED" = 0 ] && [ "$SILENT" = 0 ] || fail "HTTP_PROXY: the proxy was used"

[ "$(proxy_count 3)" = 0 ] || fail "the proxy refused requests for unknown hosts"

# a proxy that is not there: the check says so, naming the proxy's address,
# exit status 2, and the target receives nothing
dead=$(free_port)
target_reset
env -u HTTP_PROXY -u https_proxy -u HTTPS_PROXY -u all_proxy -u ALL_PROXY -u no_proxy \
    -u NO_PROXY "http_proxy=http://127.0.0.1:$dead" \
    "$CICADA" -f "$T/p.ini" --headless -u 1 -t 1s 2>"$T/err"
rc=$?
[ "$rc" = 2 ] || fail "no proxy listening: exit status $rc, expected 2: $(tail -3 "$T/err")"
grep -q "unreachable: cannot connect (proxy variables are set): .*127\.0\.0\.1 port $dead" "$T/err" ||
    fail "no proxy listening: the message does not name the proxy: $(cat "$T/err")"
[ "$(target_count)" = 0 ] || fail "no proxy listening: the target received requests"
echo "no proxy listening: $(tail -1 "$T/err")"

# https through https_proxy: a tunnel for the check, then for the requests
command -v openssl >/dev/null || skip "no openssl for a TLS server (the http cases passed)"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || skip "openssl cannot make a certificate"
cat >"$T/tls.py" <<'EOP'
import http.server, os, socketserver, ssl, sys, threading

cert, key, port_file = sys.argv[1:4]
lock = threading.Lock()
count = [0]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/__count":
            body = b"%d\n" % count[0]
        else:
            with lock:
                count[0] += 1
            body = b"tls ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

srv = Server(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
EOP
python3 "$T/tls.py" "$T/cert.pem" "$T/key.pem" "$T/tls.port" 2>"$T/tls.err" &
track_pid $!
i=0
while [ ! -s "$T/tls.port" ] && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/tls.port" ] || fail "the TLS server did not start: $(cat "$T/tls.err")"
tls_port=$(cat "$T/tls.port")
cat >"$T/tls.ini" <<EOI
[run]
host = https://cicada-target.invalid:$tls_port

[user U]
wait = constant 0.05
verify_tls = false

[task U get]
path = /tls
EOI
tunnels=$(proxy_count 4)
fwd=$(proxy_count 1)
env -u http_proxy -u HTTP_PROXY -u all_proxy -u ALL_PROXY -u no_proxy -u NO_PROXY \
    -u HTTPS_PROXY "https_proxy=$PROXY" \
    "$CICADA" -f "$T/tls.ini" --headless -u 2 -r 100 -t 2s 2>"$T/err"
rc=$?
[ "$rc" = 0 ] || fail "https_proxy: exit status $rc: $(tail -5 "$T/err")"
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated reqs) ||
    fail "https_proxy: no final table"
served=$(curl -s -k --noproxy '*' --max-time 10 "https://127.0.0.1:$tls_port/__count")
tunnels=$(($(proxy_count 4) - tunnels))
echo "https_proxy: cicada $reported requests, the TLS server $served, through $tunnels tunnels"
[ "$reported" -ge 5 ] || fail "https_proxy: too few requests ($reported)"
[ "$reported" = "$served" ] || fail "https_proxy: cicada reported $reported, the TLS server served $served"
# the check's tunnel and at least one for the users
[ "$tunnels" -ge 2 ] || fail "https_proxy: $tunnels tunnels"
[ "$(proxy_count 1)" = "$fwd" ] || fail "https_proxy: requests were forwarded, not tunnelled"
echo "ok"
