#!/bin/sh
# Truth check against a real server: the requests cicada reports equal the
# lines of nginx's access log.
. "$top_srcdir/tests/lib.sh"

nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || skip "nginx is not installed"
port=$(free_port)
mkdir -p "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<EOC
daemon off;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $T/nginx/access.log;
    client_body_temp_path $T/nginx/tmp;
    proxy_temp_path $T/nginx/tmp;
    fastcgi_temp_path $T/nginx/tmp;
    uwsgi_temp_path $T/nginx/tmp;
    scgi_temp_path $T/nginx/tmp;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        location / { return 200 "hello from nginx\n"; }
    }
}
EOC
"$nginx" -p "$T/nginx" -c "$T/nginx/nginx.conf" &
NGINX_PID=$!
track_pid $NGINX_PID
wait_port "$port" || fail "nginx did not start: $(cat "$T/nginx/error.log")"

cat >"$T/s.ini" <<EOI
[run]
host = http://127.0.0.1:$port

[user U]
wait = between 0 0.005

[task U hello]
path = /hello

[task U predict]
method = POST
path = /predict
header = Content-Type: application/json
body = {"text": "ok"}
EOI
"$CICADA" -f "$T/s.ini" --headless -u 20 -r 20 -t 3s 2>"$T/err" || fail "cicada failed: $(tail -5 "$T/err")"
reported=$(python3 "$top_srcdir/tests/tables.py" "$T/err" get Aggregated reqs)
logged=$(wc -l <"$T/nginx/access.log")
echo "cicada reported $reported requests, nginx logged $logged"
[ "$reported" -gt 500 ] || fail "too few requests: $reported"
[ "$reported" = "$logged" ] || fail "cicada reported $reported requests, nginx logged $logged"
