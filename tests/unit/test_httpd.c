/*
 * test_httpd.c: the HTTP server (httpd.c) and the demo target (demo.c).
 *
 * A test server runs on its own ev_loop in a background thread for the
 * whole group; the tests talk to it with libcurl easy and multi handles
 * and with raw sockets on 127.0.0.1 (and ::1). Its handler answers
 * /conn with the connection id, /delay/<ms> after a timer, /echo with the
 * body, /pending with its delayed answers still due and the server's open
 * connections, and anything else with
 * "hello". Every request stays on the loop thread; the test thread only
 * sees what comes over the wire.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <ev.h>

#include "demo.h"
#include "httpd.h"
#include "util.h"

/* A response waiting for its timer on the server thread. */
struct late {
    ev_timer timer;
    struct test_server *ts;
    struct httpd_req *req;
    struct late *prev, *next;
};

/* A server on a loop in a background thread. */
struct test_server {
    struct ev_loop *loop;
    struct httpd *srv;
    ev_async stop_w;
    pthread_t thread;
    int port;
    struct late *lates;
};

/* What one HTTP exchange through libcurl gave. */
struct reply {
    long status;
    struct buf body;
    double total;
    long connects;
};

/* Timer: answer a delayed request. */
static void
on_late(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct late *l = w->data;
    struct test_server *ts = l->ts;

    if (l->prev != NULL)
        l->prev->next = l->next;
    else
        ts->lates = l->next;
    if (l->next != NULL)
        l->next->prev = l->prev;
    httpd_respond(ts->srv, l->req, 200, "X-Late: yes\r\n", "text/plain", "late", 4);
    free(l);
}

/* The test server's handler. */
static void
test_handler(struct httpd *srv, struct httpd_req *req, void *arg)
{
    struct test_server *ts = arg;
    char text[128];

    if (strncmp(req->target, "/delay/", 7) == 0) {
        struct late *l = xcalloc(1, sizeof(*l));

        l->ts = ts;
        l->req = req;
        l->next = ts->lates;
        if (ts->lates != NULL)
            ts->lates->prev = l;
        ts->lates = l;
        ev_timer_init(&l->timer, on_late, atof(req->target + 7) / 1000.0, 0.0);
        l->timer.data = l;
        ev_timer_start(ts->loop, &l->timer);
    } else if (strcmp(req->target, "/conn") == 0) {
        snprintf(text, sizeof(text), "%lu", req->conn_id);
        httpd_respond(srv, req, 200, NULL, "text/plain", text, strlen(text));
    } else if (strcmp(req->target, "/echo") == 0) {
        httpd_respond(srv, req, 200, NULL, "application/octet-stream", req->body, req->body_len);
    } else if (strcmp(req->target, "/pending") == 0) {
        /* delayed requests not answered yet, and open connections */
        unsigned n = 0;

        for (const struct late *l = ts->lates; l != NULL; l = l->next)
            n++;
        snprintf(text, sizeof(text), "%u %u", n, httpd_connections(srv));
        httpd_respond(srv, req, 200, NULL, "text/plain", text, strlen(text));
    } else if (strcmp(req->target, "/header") == 0) {
        const char *v = httpd_header(req, "x-TEST-header");

        httpd_respond(srv, req, 200, NULL, "text/plain", v ? v : "(none)", strlen(v ? v : "(none)"));
    } else if (strcmp(req->target, "/nheaders") == 0) {
        snprintf(text, sizeof(text), "%d %s=%s %s=%s ", req->nheaders,
                 req->headers[0].name, req->headers[0].value,
                 req->headers[1].name, req->headers[1].value);
        httpd_respond(srv, req, 200, NULL, "text/plain", text, strlen(text));
    } else if (strcmp(req->target, "/nocontent") == 0) {
        httpd_respond(srv, req, 204, NULL, NULL, NULL, 0);
    } else {
        httpd_respond(srv, req, 200, NULL, "text/plain", "hello", 5);
    }
}

/* Async watcher: stop the server's loop. */
static void
on_stop(struct ev_loop *loop, ev_async *w, int revents)
{
    ev_break(loop, EVBREAK_ALL);
}

/* The server thread: run the loop, then free everything on this thread. */
static void *
server_thread(void *arg)
{
    struct test_server *ts = arg;

    ev_run(ts->loop, 0);
    while (ts->lates != NULL) {
        struct late *l = ts->lates;

        ts->lates = l->next;
        ev_timer_stop(ts->loop, &l->timer);
        free(l);
    }
    ev_async_stop(ts->loop, &ts->stop_w);
    httpd_free(ts->srv);
    return NULL;
}

/* Start a test server on addr; NULL (and *err) if it cannot listen. */
static struct test_server *
server_start(const char *addr, char **err)
{
    struct test_server *ts = xcalloc(1, sizeof(*ts));

    ts->loop = ev_loop_new(EVFLAG_AUTO);
    ts->srv = httpd_new(ts->loop, addr, 0, test_handler, ts, err);
    if (ts->srv == NULL) {
        ev_loop_destroy(ts->loop);
        free(ts);
        return NULL;
    }
    ts->port = httpd_port(ts->srv);
    ev_async_init(&ts->stop_w, on_stop);
    ev_async_start(ts->loop, &ts->stop_w);
    if (pthread_create(&ts->thread, NULL, server_thread, ts) != 0)
        fatal("pthread_create failed");
    return ts;
}

/* Stop and free a test server. */
static void
server_stop(struct test_server *ts)
{
    ev_async_send(ts->loop, &ts->stop_w);
    pthread_join(ts->thread, NULL);
    ev_loop_destroy(ts->loop);
    free(ts);
}

/* Group setup: one server for the tests that need one. */
static int
group_setup(void **state)
{
    char *err = NULL;
    struct test_server *ts;

    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ts = server_start("127.0.0.1", &err);
    if (ts == NULL) {
        fprintf(stderr, "cannot start the test server: %s\n", err);
        free(err);
        return -1;
    }
    *state = ts;
    return 0;
}

/* Group teardown. */
static int
group_teardown(void **state)
{
    server_stop(*state);
    curl_global_cleanup();
    return 0;
}

/* Monotonic seconds. */
static double
now(void)
{
    return time_mono();
}

/* libcurl write callback: collect the body. */
static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
    buf_append(arg, data, size * n);
    return size * n;
}

/* One request through libcurl on handle h; fills *out (its body must be freed). */
static CURLcode
http_do(CURL *h, const char *url, const char *body, size_t len, struct curl_slist *headers,
        struct reply *out)
{
    CURLcode rc;

    buf_init(&out->body);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    rc = curl_easy_perform(h);
    out->status = 0;
    out->total = 0;
    out->connects = -1;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &out->total);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->connects);
    return rc;
}

/* A URL on the test server. */
static char *
url_of(const struct test_server *ts, const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", ts->port, path);
}

/* A TCP connection to 127.0.0.1:port with 5 s timeouts. */
static int
raw_connect(int port)
{
    struct sockaddr_in sa;
    struct timeval tv = { 5, 0 };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return fd;
}

/* Send all of s. */
static void
raw_send(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

        if (n <= 0)
            break;
        s += n;
        len -= (size_t)n;
    }
}

/* Send a NUL-terminated string. */
static void
raw_send_str(int fd, const char *s)
{
    raw_send(fd, s, strlen(s));
}

/* Read until the peer closes (or 5 s pass); returns what came. */
static char *
raw_read_all(int fd, size_t *len)
{
    struct buf b;
    char chunk[4096];
    ssize_t n;

    buf_init(&b);
    while ((n = recv(fd, chunk, sizeof(chunk), 0)) > 0)
        buf_append(&b, chunk, (size_t)n);
    if (len != NULL)
        *len = b.len;
    return buf_steal(&b);
}

/*
 * Read one response (head and Content-Length body, unless no_body: the
 * answer to HEAD) from fd; returns the whole response and sets *status;
 * NULL if the connection ended first.
 */
static char *
raw_read_response_ex(int fd, int *status, int no_body)
{
    struct buf b;
    char ch;
    size_t want = 0;
    const char *cl;

    buf_init(&b);
    /* the head, one byte at a time so nothing of a later response is taken */
    while (b.len < 4 || memcmp(b.data + b.len - 4, "\r\n\r\n", 4) != 0) {
        if (recv(fd, &ch, 1, 0) != 1) {
            buf_free(&b);
            return NULL;
        }
        buf_append(&b, &ch, 1);
    }
    *status = atoi(b.data + 9);
    cl = strcasestr(b.data, "\r\nContent-Length:");
    if (cl != NULL && !no_body)
        want = (size_t)strtoul(cl + 17, NULL, 10);
    while (want > 0) {
        char chunk[4096];
        ssize_t n = recv(fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk), 0);

        if (n <= 0)
            break;
        buf_append(&b, chunk, (size_t)n);
        want -= (size_t)n;
    }
    return buf_steal(&b);
}

/* Read one response to a request other than HEAD. */
static char *
raw_read_response(int fd, int *status)
{
    return raw_read_response_ex(fd, status, 0);
}

/* The body of a raw response (after the head). */
static const char *
body_of(const char *response)
{
    const char *p = strstr(response, "\r\n\r\n");

    return p != NULL ? p + 4 : "";
}

/*
 * Whether the peer closed fd within 5 s: EOF, or a reset (a server that
 * closes with request bytes unread resets the connection).
 */
static int
raw_closed(int fd)
{
    char ch;
    ssize_t n = recv(fd, &ch, 1, 0);

    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Delayed answers still due and open connections, as seen through /pending. */
static void
server_counts(struct test_server *ts, unsigned *pending, unsigned *conns)
{
    int fd = raw_connect(ts->port), status = 0;
    const char req[] = "GET /pending HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char *resp;

    raw_send(fd, req, sizeof(req) - 1);
    resp = raw_read_response(fd, &status);
    assert_non_null(resp);
    assert_int_equal(status, 200);
    assert_int_equal(sscanf(body_of(resp), "%u %u", pending, conns), 2);
    free(resp);
    close(fd);
}

/* Wait (up to 3 s) until the server has no pending request and only our probe connection. */
static void
wait_quiet(struct test_server *ts, unsigned *pending, unsigned *conns)
{
    double end = now() + 3.0;

    do {
        server_counts(ts, pending, conns);
        if (*pending == 0 && *conns == 1)
            return;
        usleep(20000);
    } while (now() < end);
}

/* Reason phrases and case-insensitive header lookup. */
static void
test_reason_and_header(void **state)
{
    struct httpd_req req;

    assert_string_equal(httpd_reason(200), "OK");
    assert_string_equal(httpd_reason(404), "Not Found");
    assert_string_equal(httpd_reason(503), "Service Unavailable");
    assert_string_equal(httpd_reason(431), "Request Header Fields Too Large");
    assert_string_equal(httpd_reason(799), "Unknown");
    memset(&req, 0, sizeof(req));
    req.headers[0].name = "Content-Type";
    req.headers[0].value = "application/json";
    req.headers[1].name = "X-Two";
    req.headers[1].value = "2";
    req.nheaders = 2;
    assert_string_equal(httpd_header(&req, "content-type"), "application/json");
    assert_string_equal(httpd_header(&req, "X-TWO"), "2");
    assert_null(httpd_header(&req, "Accept"));
}

/* Two requests on one easy handle reuse one connection. */
static void
test_keepalive(void **state)
{
    struct test_server *ts = *state;
    CURL *h = curl_easy_init();
    char *url = url_of(ts, "/conn");
    struct reply a, b;

    assert_int_equal(http_do(h, url, NULL, 0, NULL, &a), CURLE_OK);
    assert_int_equal(http_do(h, url, NULL, 0, NULL, &b), CURLE_OK);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, 200);
    assert_int_equal(a.connects, 1);
    assert_int_equal(b.connects, 0);
    assert_string_equal(a.body.data, b.body.data);
    buf_free(&a.body);
    buf_free(&b.body);
    free(url);
    curl_easy_cleanup(h);
}

/* A delayed response arrives after its delay, with the handler's extra header. */
static void
test_delayed(void **state)
{
    struct test_server *ts = *state;
    CURL *h = curl_easy_init();
    char *url = url_of(ts, "/delay/100");
    struct reply r;

    assert_int_equal(http_do(h, url, NULL, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "late");
    assert_true(r.total >= 0.100);
    buf_free(&r.body);
    free(url);
    curl_easy_cleanup(h);
}

/* An 8 MiB body comes back intact. */
static void
test_large_body(void **state)
{
    struct test_server *ts = *state;
    CURL *h = curl_easy_init();
    char *url = url_of(ts, "/echo");
    size_t len = 8u << 20, i;
    char *body = xmalloc(len);
    struct reply r;

    for (i = 0; i < len; i++)
        body[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    assert_int_equal(http_do(h, url, body, len, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, len);
    assert_memory_equal(r.body.data, body, len);
    buf_free(&r.body);
    free(body);
    free(url);
    curl_easy_cleanup(h);
}

/* Where a chunked upload is. */
struct upload {
    const char *data;
    size_t len, pos;
};

/* libcurl read callback: hand out the upload in pieces of at most 1000 bytes. */
static size_t
on_upload(char *dest, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t room = size * n, take = u->len - u->pos;

    if (take > room)
        take = room;
    if (take > 1000)
        take = 1000;
    memcpy(dest, u->data + u->pos, take);
    u->pos += take;
    return take;
}

/* A chunked request body from libcurl, and hand-made chunked framing. */
static void
test_chunked(void **state)
{
    struct test_server *ts = *state;
    CURL *h = curl_easy_init();
    char *url = url_of(ts, "/echo");
    struct curl_slist *headers = curl_slist_append(NULL, "Transfer-Encoding: chunked");
    size_t len = 100000, i;
    char *body = xmalloc(len), *resp;
    struct upload u = { body, len, 0 };
    struct buf got;
    long status = 0;
    int fd, code = 0;
    const char raw[] =
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n"
        "1;name=value\r\n,\r\n"
        "6\r\n world\r\n"
        "0\r\nX-Trailer: yes\r\n\r\n";

    for (i = 0; i < len; i++)
        body[i] = (char)('0' + i % 10);
    buf_init(&got);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    assert_int_equal(got.len, len);
    assert_memory_equal(got.data, body, len);

    /* a chunk extension and a trailer */
    fd = raw_connect(ts->port);
    raw_send(fd, raw, sizeof(raw) - 1);
    resp = raw_read_response(fd, &code);
    assert_non_null(resp);
    assert_int_equal(code, 200);
    assert_string_equal(body_of(resp), "hello, world");
    free(resp);
    close(fd);

    buf_free(&got);
    curl_slist_free_all(headers);
    free(body);
    free(url);
    curl_easy_cleanup(h);
}

/* Expect: 100-continue gets the interim response before the body is sent. */
static void
test_expect_continue(void **state)
{
    struct test_server *ts = *state;
    const char head[] = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        "Expect: 100-continue\r\n\r\n";
    const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
    char got[sizeof(interim)], *resp, *url;
    size_t n = 0;
    int fd, status = 0;
    CURL *h;
    struct curl_slist *headers;
    struct reply r;

    fd = raw_connect(ts->port);
    raw_send(fd, head, sizeof(head) - 1);
    while (n < sizeof(interim) - 1) {
        ssize_t k = recv(fd, got + n, sizeof(interim) - 1 - n, 0);

        assert_true(k > 0);
        n += (size_t)k;
    }
    assert_memory_equal(got, interim, sizeof(interim) - 1);
    raw_send_str(fd, "abcde");
    resp = raw_read_response(fd, &status);
    assert_non_null(resp);
    assert_int_equal(status, 200);
    assert_string_equal(body_of(resp), "abcde");
    free(resp);
    close(fd);

    /* libcurl waits up to 10 s for the 100 before it sends the body */
    h = curl_easy_init();
    url = url_of(ts, "/echo");
    headers = curl_slist_append(NULL, "Expect: 100-continue");
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 10000L);
    assert_int_equal(http_do(h, url, "0123456789", 10, headers, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "0123456789");
    assert_true(r.total < 5.0);
    buf_free(&r.body);
    curl_slist_free_all(headers);
    free(url);
    curl_easy_cleanup(h);
}

/*
 * Send req on a fresh connection; expect status (0: no answer at all), then
 * the connection closed. The handler never sees such a request.
 */
static void
expect_rejected(struct test_server *ts, const char *req, size_t len, int want)
{
    int fd = raw_connect(ts->port), status = 0;
    char *resp;

    raw_send(fd, req, len);
    resp = raw_read_response(fd, &status);
    if (want == 0) {
        if (resp != NULL)
            fail_msg("request %.40s...: status %d, expected no answer", req, status);
        close(fd);
        return;
    }
    if (resp == NULL || status != want)
        fail_msg("request %.40s...: status %d, expected %d", req, status, want);
    assert_true(strcasestr(resp, "Connection: close\r\n") != NULL);
    if (!raw_closed(fd))
        fail_msg("request %.40s...: the connection stayed open", req);
    free(resp);
    close(fd);
}

/*
 * Malformed and over-limit requests get 4xx/5xx (or, for garbage, no answer)
 * and a close. Which malformations count is libmicrohttpd's call (it is
 * lenient by default: a space in a header name or a bare CR in a value pass);
 * these are the ones it rejects, and the body limit is ours.
 */
static void
test_malformed(void **state)
{
    static const struct {
        const char *req;
        int status;
    } cases[] = {
        { "GARBAGE\r\n\r\n", 0 },
        { "GET /\r\n\r\n", 400 },
        { "GET / HTTP/1.1 extra\r\n\r\n", 400 },
        { "GET / HTTX/1.1\r\n\r\n", 400 },
        { "GET / HTTP/2.0\r\n\r\n", 505 },
        { "POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n", 413 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
        { "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", 400 },
    };
    struct test_server *ts = *state;
    size_t i, big = 70000;
    char *req;
    struct buf b;
    unsigned pending, conns;

    for (i = 0; i < ARRAY_LEN(cases); i++)
        expect_rejected(ts, cases[i].req, strlen(cases[i].req), cases[i].status);
    /* 70 KB of headers: more than the server's per-connection memory */
    buf_init(&b);
    buf_puts(&b, "GET / HTTP/1.1\r\n");
    while (b.len < big)
        buf_puts(&b, "X-Filler: 0123456789012345678901234567890123456789\r\n");
    buf_puts(&b, "\r\n");
    req = buf_steal(&b);
    expect_rejected(ts, req, strlen(req), 431);
    free(req);
    /* and the server is fine afterwards */
    wait_quiet(ts, &pending, &conns);
    assert_int_equal(pending, 0);
    assert_int_equal(conns, 1);
}

/* More headers than HTTPD_MAX_HEADERS: the request is served with the first ones. */
static void
test_many_headers(void **state)
{
    struct test_server *ts = *state;
    struct buf b;
    char *req, *resp;
    int fd, status = 0;
    size_t i;

    buf_init(&b);
    buf_puts(&b, "GET /nheaders HTTP/1.1\r\nHost: x\r\n");
    for (i = 0; i < HTTPD_MAX_HEADERS + 5; i++)
        buf_printf(&b, "X-H%zu: v%zu\r\n", i, i);
    buf_puts(&b, "\r\n");
    req = buf_steal(&b);
    fd = raw_connect(ts->port);
    raw_send(fd, req, strlen(req));
    resp = raw_read_response(fd, &status);
    assert_non_null(resp);
    assert_int_equal(status, 200);
    /* Host first, then X-H0 ... X-H62 */
    assert_int_equal(atoi(body_of(resp)), HTTPD_MAX_HEADERS);
    assert_non_null(strstr(body_of(resp), " Host=x X-H0=v0 "));
    free(resp);
    free(req);
    close(fd);
}

/* Pipelined requests wait their turn and are answered in order. */
static void
test_pipelining(void **state)
{
    struct test_server *ts = *state;
    const char reqs[] =
        "\r\n"
        "GET /delay/50 HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        "GET /header HTTP/1.1\r\nHost: x\r\nX-Test-Header:   spaced value  \r\n\r\n"
        "GET /conn HTTP/1.1\nHost: x\n\n";
    int fd = raw_connect(ts->port), status = 0;
    char *r1, *r2, *r3, *r4;

    raw_send(fd, reqs, sizeof(reqs) - 1);
    r1 = raw_read_response(fd, &status);
    assert_non_null(r1);
    assert_string_equal(body_of(r1), "late");
    assert_true(strstr(r1, "X-Late: yes\r\n") != NULL);
    r2 = raw_read_response(fd, &status);
    assert_non_null(r2);
    assert_string_equal(body_of(r2), "abc");
    r3 = raw_read_response(fd, &status);
    assert_non_null(r3);
    assert_string_equal(body_of(r3), "spaced value");
    r4 = raw_read_response(fd, &status);
    assert_non_null(r4);
    assert_int_equal(status, 200);
    free(r1);
    free(r2);
    free(r3);
    free(r4);
    close(fd);
}

/* HTTP/1.0 closes unless keep-alive is asked; Connection: close is honoured. */
static void
test_connection_rules(void **state)
{
    struct test_server *ts = *state;
    const char ka[] = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n";
    int fd, status = 0;
    char *r;

    fd = raw_connect(ts->port);
    raw_send_str(fd, "GET / HTTP/1.0\r\n\r\n");
    r = raw_read_response(fd, &status);
    assert_non_null(r);
    assert_int_equal(status, 200);
    assert_true(strstr(r, "Connection: close\r\n") != NULL);
    assert_true(raw_closed(fd));
    free(r);
    close(fd);

    fd = raw_connect(ts->port);
    raw_send(fd, ka, sizeof(ka) - 1);
    r = raw_read_response(fd, &status);
    assert_non_null(r);
    assert_true(strcasestr(r, "Connection: keep-alive\r\n") != NULL);
    free(r);
    raw_send(fd, ka, sizeof(ka) - 1);
    r = raw_read_response(fd, &status);
    assert_non_null(r);
    assert_string_equal(body_of(r), "hello");
    free(r);
    close(fd);

    fd = raw_connect(ts->port);
    raw_send_str(fd, "GET / HTTP/1.1\r\nConnection: x, close\r\n\r\n");
    r = raw_read_response(fd, &status);
    assert_non_null(r);
    assert_true(strstr(r, "Connection: close\r\n") != NULL);
    assert_true(raw_closed(fd));
    free(r);
    close(fd);

    /* HEAD: the length of the body, not the body; 204: neither */
    fd = raw_connect(ts->port);
    raw_send_str(fd, "HEAD / HTTP/1.1\r\n\r\nGET /nocontent HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    r = raw_read_response_ex(fd, &status, 1);
    assert_non_null(r);
    assert_true(strstr(r, "Content-Length: 5\r\n") != NULL);
    assert_string_equal(body_of(r), "");
    free(r);
    r = raw_read_response(fd, &status);
    assert_non_null(r);
    assert_int_equal(status, 204);
    assert_null(strstr(r, "Content-Length"));
    free(r);
    r = raw_read_response(fd, &status);
    assert_non_null(r);
    assert_string_equal(body_of(r), "hello");
    free(r);
    close(fd);
}

/* The peer goes away while its delayed response is pending: no crash, no leak. */
static void
test_peer_closes(void **state)
{
    struct test_server *ts = *state;
    const char req[] = "GET /delay/150 HTTP/1.1\r\nHost: x\r\n\r\n";
    struct linger lg = { 1, 0 };
    unsigned pending = 9, conns = 9;
    int fd;

    /* an orderly close (FIN) */
    fd = raw_connect(ts->port);
    raw_send(fd, req, sizeof(req) - 1);
    close(fd);
    /* a reset (RST) */
    fd = raw_connect(ts->port);
    raw_send(fd, req, sizeof(req) - 1);
    usleep(30000);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
    /* a half close: the answer still comes, then the connection ends */
    fd = raw_connect(ts->port);
    raw_send(fd, req, sizeof(req) - 1);
    shutdown(fd, SHUT_WR);
    {
        size_t len;
        char *all = raw_read_all(fd, &len);

        assert_true(strncmp(all, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_string_equal(body_of(all), "late");
        free(all);
    }
    close(fd);
    usleep(50000);
    wait_quiet(ts, &pending, &conns);
    assert_int_equal(pending, 0);
    assert_int_equal(conns, 1);
}

/* Many concurrent keep-alive connections, each answered. */
static void
test_many_connections(void **state)
{
    enum { N = 300 };
    struct test_server *ts = *state;
    const char req[] = "GET /conn HTTP/1.1\r\nHost: x\r\n\r\n";
    static int fds[N];
    unsigned pending, conns;
    int i, status;

    for (i = 0; i < N; i++) {
        fds[i] = raw_connect(ts->port);
        raw_send(fds[i], req, sizeof(req) - 1);
    }
    server_counts(ts, &pending, &conns);
    assert_int_equal(conns, N + 1);
    for (i = 0; i < N; i++) {
        char *r = raw_read_response(fds[i], &status);

        assert_non_null(r);
        assert_int_equal(status, 200);
        free(r);
        close(fds[i]);
    }
}

/* The server listens on ::1 too (skipped without IPv6). */
static void
test_ipv6(void **state)
{
    char *err = NULL, *url;
    struct test_server *ts = server_start("::1", &err);
    CURL *h;
    struct reply r;

    if (ts == NULL) {
        free(err);
        skip();
        return;
    }
    assert_true(ts->port > 0);
    h = curl_easy_init();
    url = xasprintf("http://[::1]:%d/", ts->port);
    assert_int_equal(http_do(h, url, NULL, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "hello");
    buf_free(&r.body);
    free(url);
    curl_easy_cleanup(h);
    server_stop(ts);
}

/* A port in use is an error with a message, not a crash. */
static void
test_listen_error(void **state)
{
    struct test_server *ts = *state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    char *err = NULL;

    assert_null(httpd_new(loop, "127.0.0.1", ts->port, test_handler, NULL, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "cannot listen"));
    free(err);
    err = NULL;
    assert_null(httpd_new(loop, "not an address", 0, test_handler, NULL, &err));
    assert_non_null(err);
    free(err);
    ev_loop_destroy(loop);
}

/* Fire n transfers at once on multi m and wait for all of them. */
static void
multi_run(CURLM *m, CURL **hs, int n)
{
    int i, running = 1;
    double end = now() + 30.0;

    for (i = 0; i < n; i++)
        curl_multi_add_handle(m, hs[i]);
    while (running > 0 && now() < end) {
        curl_multi_perform(m, &running);
        if (running > 0)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (i = 0; i < n; i++)
        curl_multi_remove_handle(m, hs[i]);
    assert_int_equal(running, 0);
}

/* The demo: 2 slots of 20 ms and 2 queue places; of 10 at once, 4 are served and 6 get 503. */
static void
test_demo_capacity(void **state)
{
    enum { N = 10 };
    struct demo_conf conf;
    struct demo_counts counts;
    struct demo *d;
    char *err = NULL, *health, *predict, *root;
    CURLM *m = curl_multi_init();
    CURL *hs[N];
    struct buf bodies[N];
    int i, ok = 0, unavailable = 0;

    demo_conf_defaults(&conf);
    assert_int_equal(conf.slots, 4);
    assert_int_equal(conf.queue, 32);
    conf.slots = 2;
    conf.service_ms = 20;
    conf.service_cv = 0;    /* exactly 20 ms, so every served request takes at least that */
    conf.queue = 2;
    d = demo_start(&conf, &err);
    assert_non_null(d);
    health = xasprintf("http://127.0.0.1:%d/health", demo_port(d));
    predict = xasprintf("http://127.0.0.1:%d/predict", demo_port(d));
    root = xasprintf("http://127.0.0.1:%d/", demo_port(d));
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 2L * N);

    /* open N connections first, so the predictions arrive together */
    for (i = 0; i < N; i++) {
        hs[i] = curl_easy_init();
        buf_init(&bodies[i]);
        curl_easy_setopt(hs[i], CURLOPT_URL, health);
        curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(hs[i], CURLOPT_WRITEDATA, &bodies[i]);
        curl_easy_setopt(hs[i], CURLOPT_TIMEOUT, 30L);
    }
    multi_run(m, hs, N);
    for (i = 0; i < N; i++) {
        long status = 0;

        curl_easy_getinfo(hs[i], CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        assert_string_equal(bodies[i].data, "{\"status\":\"ok\"}");
        bodies[i].len = 0;
        curl_easy_setopt(hs[i], CURLOPT_URL, predict);
        curl_easy_setopt(hs[i], CURLOPT_POSTFIELDS, "{\"text\": \"I loved this movie\"}");
    }
    multi_run(m, hs, N);
    for (i = 0; i < N; i++) {
        long status = 0;
        double total = 0;

        curl_easy_getinfo(hs[i], CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(hs[i], CURLINFO_TOTAL_TIME, &total);
        if (status == 200) {
            ok++;
            assert_true(total >= 0.020);
            assert_non_null(strstr(bodies[i].data, "\"label\":\"positive\""));
            assert_non_null(strstr(bodies[i].data, "\"model\":\"demo-sentiment-v1\""));
        } else {
            assert_int_equal(status, 503);
            assert_non_null(strstr(bodies[i].data, "\"error\""));
            unavailable++;
        }
    }
    assert_int_equal(ok, 4);
    assert_int_equal(unavailable, 6);
    demo_counts(d, &counts);
    assert_int_equal(counts.requests, 2 * N);
    assert_int_equal(counts.served, 4);
    assert_int_equal(counts.rejected, 6);
    assert_int_equal(counts.busy, 0);
    assert_int_equal(counts.queued, 0);

    /* the other paths */
    bodies[0].len = 0;
    curl_easy_setopt(hs[0], CURLOPT_URL, root);
    curl_easy_setopt(hs[0], CURLOPT_HTTPGET, 1L);
    assert_int_equal(curl_easy_perform(hs[0]), CURLE_OK);
    assert_non_null(strstr(bodies[0].data, "demo"));
    free(root);
    root = xasprintf("http://127.0.0.1:%d/nothing", demo_port(d));
    curl_easy_setopt(hs[0], CURLOPT_URL, root);
    assert_int_equal(curl_easy_perform(hs[0]), CURLE_OK);
    {
        long status = 0;

        curl_easy_getinfo(hs[0], CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 404);
    }

    for (i = 0; i < N; i++) {
        curl_easy_cleanup(hs[i]);
        buf_free(&bodies[i]);
    }
    curl_multi_cleanup(m);
    free(health);
    free(predict);
    free(root);
    demo_stop(d);
}

/* The demo stops cleanly with requests in its slots and queue. */
static void
test_demo_stop_busy(void **state)
{
    struct demo_conf conf;
    struct demo *d;
    char *err = NULL;
    const char req[] = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
    struct demo_counts counts;
    int fds[3], i;
    double end;

    demo_conf_defaults(&conf);
    conf.slots = 1;
    conf.service_ms = 5000;
    conf.queue = 1;
    d = demo_start(&conf, &err);
    assert_non_null(d);
    /* one at a time: the first takes the slot, the second the queue place */
    for (i = 0; i < 3; i++) {
        fds[i] = raw_connect(demo_port(d));
        raw_send(fds[i], req, sizeof(req) - 1);
        end = now() + 5.0;
        do {
            demo_counts(d, &counts);
        } while (counts.requests < (uint64_t)i + 1 && now() < end && usleep(1000) == 0);
        assert_int_equal(counts.requests, i + 1);
    }
    assert_int_equal(counts.busy, 1);
    assert_int_equal(counts.queued, 1);
    assert_int_equal(counts.rejected, 1);
    {
        int status = 0;
        char *r = raw_read_response(fds[2], &status);

        assert_non_null(r);
        assert_int_equal(status, 503);
        free(r);
    }
    demo_stop(d);
    for (i = 0; i < 3; i++)
        close(fds[i]);
}

/* Run every test against one shared test server. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reason_and_header),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_delayed),
        cmocka_unit_test(test_large_body),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_expect_continue),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_many_headers),
        cmocka_unit_test(test_pipelining),
        cmocka_unit_test(test_connection_rules),
        cmocka_unit_test(test_peer_closes),
        cmocka_unit_test(test_many_connections),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_listen_error),
        cmocka_unit_test(test_demo_capacity),
        cmocka_unit_test(test_demo_stop_busy),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
