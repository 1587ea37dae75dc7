/*
 * http.c: requests as libcurl sees them. Each task is prepared once (its
 * header list, its URL parsed into a CURLU, how its method maps
 * onto libcurl's options); each user owns one easy handle, set up once and
 * then pointed at a task per request, so the per-request path allocates
 * nothing of cicada's own. A handle that sends the same task again keeps
 * its options: libcurl then neither copies nor parses the URL again.
 *
 * Proxies: libcurl applies the environment's proxy variables (http_proxy,
 * https_proxy, all_proxy, no_proxy, by curl's rules) itself, in the same
 * way to every request, redirect and the pre-flight check. It looks them
 * up on every transfer, though, so when none is set (the usual case) every
 * handle is told once that there is no proxy, and no transfer looks.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#ifdef HAVE_MIMALLOC
#include <mimalloc.h>
#endif

#include "aws.h"
#include "check.h"
#include "http.h"
#include "secret.h"
#include "util.h"

enum method_mode {
    MODE_GET,                /* GET without a body */
    MODE_HEAD,
    MODE_POST,               /* POST with a body (or an empty one) */
    MODE_CUSTOM_BODY,        /* any other method with a body */
    MODE_CUSTOM,             /* any other method without a body */
};

/* One header line: plain text, or a template expanded per request. */
struct header_line {
    const struct tmpl *t;    /* NULL: text is constant */
    const char *text;
};

struct prepared {
    struct curl_slist *headers;  /* when every line is constant */
    struct header_line *lines;
    size_t nlines;
    bool dynamic_headers;
    bool dynamic_path;
    const char *body;        /* constant body (NULL: none or dynamic) */
    size_t body_len;
    enum method_mode mode;
    CURLU *url;              /* t->url, parsed once */
    long check_number;       /* the first of the numbers of its checks, then captures (failure keys) */
    bool sign;               /* aws_sigv4: signed per request (headers always built per request) */
    bool aws_errors;         /* an AWS service: failures are named by AWS's error type */
};

/* Bumped by every http_prepare: handles set up before it set their task again. */
static unsigned prepare_generation;

/* Does the environment name a proxy (read once, by http_global_init)? */
static bool proxy_in_env;

/*
 * Is any variable set (not empty) from which libcurl may take a proxy for
 * an http or https URL? A superset of what it reads (it ignores
 * HTTP_PROXY): when any is set, libcurl decides.
 */
static bool
env_names_proxy(void)
{
    static const char *const names[] = { "http_proxy", "HTTP_PROXY", "https_proxy",
                                         "HTTPS_PROXY", "all_proxy", "ALL_PROXY" };
    size_t i;

    for (i = 0; i < ARRAY_LEN(names); i++) {
        const char *v = getenv(names[i]);

        if (v != NULL && v[0] != '\0')
            return true;
    }
    return false;
}

/* The proxy options of a handle: the same for every request and the pre-flight check. */
static void
set_proxy(CURL *e)
{
    if (proxy_in_env)
        return;              /* libcurl applies the environment's proxies and no_proxy */
    /* explicit: no environment look-up per transfer */
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
}

/*
 * libcurl allocates and frees a few blocks per request (a 16 KiB receive
 * buffer among them); with mimalloc that costs a fraction of what glibc's
 * allocator does (configure.ac, bench/RESULTS.md).
 */
void
http_global_init(void)
{
#ifdef HAVE_MIMALLOC
    CURLcode rc = curl_global_init_mem(CURL_GLOBAL_DEFAULT, mi_malloc, mi_free, mi_realloc,
                                       mi_strdup, mi_calloc);
#else
    CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
#endif

    if (rc != CURLE_OK)
        fatal("curl_global_init failed");
    proxy_in_env = env_names_proxy();
}

const char *
http_allocator(void)
{
#ifdef HAVE_MIMALLOC
    static char name[32];
    int v = mi_version();

    snprintf(name, sizeof(name), "mimalloc %d.%d.%d", v / 100, v / 10 % 10, v % 10);
    return name;
#else
    return "the C library's allocator";
#endif
}

void
http_global_cleanup(void)
{
    curl_global_cleanup();
}

/* Does the header line "Name: value" have this name? */
static bool
header_named(const char *line, const char *name)
{
    size_t n = strlen(name);

    return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

/* Is a header with this name among lines? */
static bool
has_header(char *const *lines, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (header_named(lines[i], name))
            return true;
    return false;
}

/* The header name of a line, into buf. */
static const char *
header_name(const char *line, char *buf, size_t size)
{
    size_t n = strcspn(line, ":");

    if (n >= size)
        n = size - 1;
    memcpy(buf, line, n);
    buf[n] = '\0';
    return buf;
}

/* Add a header line (a compiled template, or fixed text when t is NULL). */
static void
add_line(struct prepared *p, const struct tmpl *t, const char *text)
{
    const char *fixed;
    size_t len;

    p->lines = xrealloc(p->lines, (p->nlines + 1) * sizeof(*p->lines));
    if (t != NULL && tmpl_constant(t, &fixed, &len)) {
        text = fixed;
        t = NULL;
    }
    if (t != NULL)
        p->dynamic_headers = true;
    p->lines[p->nlines].t = t;
    p->lines[p->nlines].text = text;
    p->nlines++;
}

/* Build the prepared form of one task of class c; its checks' numbers start at check_number. */
static struct prepared *
prepare_task(const struct user_class *c, const struct task *t, long check_number)
{
    struct prepared *p = xcalloc(1, sizeof(*p));
    bool body = t->body != NULL;
    char name[256];
    const char *text;
    size_t i, len;

    /* the class's headers, unless the task sets the same one */
    for (i = 0; i < c->nheaders; i++) {
        if (has_header(t->headers, t->nheaders, header_name(c->headers[i], name, sizeof(name))))
            continue;
        add_line(p, c->header_t[i], NULL);
    }
    for (i = 0; i < t->nheaders; i++)
        add_line(p, t->header_t[i], NULL);
    /* a header of the list costs less per request than CURLOPT_USERAGENT */
    if (!has_header(t->headers, t->nheaders, "User-Agent") &&
        !has_header(c->headers, c->nheaders, "User-Agent"))
        add_line(p, NULL, "User-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION);
    if (body) {
        /* like Python's requests: no Expect: 100-continue, no made-up Content-Type */
        if (!has_header(t->headers, t->nheaders, "Expect") &&
            !has_header(c->headers, c->nheaders, "Expect"))
            add_line(p, NULL, "Expect:");
        if (!has_header(t->headers, t->nheaders, "Content-Type") &&
            !has_header(c->headers, c->nheaders, "Content-Type"))
            add_line(p, NULL, "Content-Type:");
    }
    p->check_number = check_number;
    if (t->opts.aws_sigv4[0] != '\0')
        p->sign = p->dynamic_headers = true;
    p->aws_errors = p->sign || strstr(t->url, ".amazonaws.com") != NULL ||
                    strstr(t->url, ".on.aws") != NULL;
    if (!p->dynamic_headers)
        for (i = 0; i < p->nlines; i++)
            p->headers = curl_slist_append(p->headers, p->lines[i].text);
    p->dynamic_path = !tmpl_constant(t->path_t, &text, &len);
    if (t->body_t != NULL && tmpl_constant(t->body_t, &text, &len)) {
        p->body = text;
        p->body_len = len;
    } else if (t->body_t == NULL && body) {
        p->body = t->body;
        p->body_len = t->body_len;
    }

    if (strcmp(t->method, "GET") == 0 && !body)
        p->mode = MODE_GET;
    else if (strcmp(t->method, "HEAD") == 0)
        p->mode = MODE_HEAD;
    else if (strcmp(t->method, "POST") == 0)
        p->mode = MODE_POST;
    else if (body)
        p->mode = MODE_CUSTOM_BODY;
    else
        p->mode = MODE_CUSTOM;

    /* a URL libcurl cannot parse is left to fail the request, as it would unparsed */
    p->url = curl_url();
    if (p->url == NULL)
        fatal("out of memory");
    if (curl_url_set(p->url, CURLUPART_URL, t->url, 0) != CURLUE_OK) {
        curl_url_cleanup(p->url);
        p->url = NULL;
    }
    return p;
}

void
http_prepare(struct scenario *sc)
{
    size_t i, j;
    long check_number = 0;

    http_unprepare(sc);
    prepare_generation++;
    for (i = 0; i < sc->nclasses; i++) {
        for (j = 0; j < sc->classes[i].ntasks; j++) {
            struct task *t = &sc->classes[i].tasks[j];

            t->http = prepare_task(&sc->classes[i], t, check_number);
            check_number += (long)(t->nchecks + t->ncaptures);
        }
    }
}

void
http_unprepare(struct scenario *sc)
{
    size_t i, j;

    for (i = 0; i < sc->nclasses; i++) {
        for (j = 0; j < sc->classes[i].ntasks; j++) {
            struct prepared *p = sc->classes[i].tasks[j].http;

            if (p != NULL) {
                curl_slist_free_all(p->headers);
                free(p->lines);
                curl_url_cleanup(p->url);
                free(p);
            }
            sc->classes[i].tasks[j].http = NULL;
        }
    }
}

/* libcurl's write callback: count the body; keep it (bounded) only if checks need it. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_conn *c = arg;
    size_t n = size * nmemb;

    c->body_bytes += n;
    if (c->keep_body) {
        size_t room = CHECK_BODY_MAX - c->resp.len;

        if (n > room) {
            c->truncated = true;
            n = room;
        }
        if (n > 0)
            buf_append(&c->resp, data, n);
    }
    return size * nmemb;
}

/*
 * For AWS services: a status line of an error status makes the body kept
 * (bounded) so its __type can be read; x-amzn-ErrorType is kept. Nothing is
 * kept for a success.
 */
static void
aws_header(struct http_conn *c, const char *data, size_t n)
{
    static const char name[] = "x-amzn-ErrorType:";
    size_t nl = sizeof(name) - 1;

    if (n > 12 && memcmp(data, "HTTP/", 5) == 0) {
        const char *sp = memchr(data, ' ', n);
        long status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;

        c->aws_failed = status >= 400;
        c->aws_hdr.len = 0;
        if (c->aws_failed) {
            c->keep_body = true;
            c->resp.len = 0;
        }
        return;
    }
    if (c->aws_failed && n > nl && strncasecmp(data, name, nl) == 0) {
        const char *v = data + nl, *end = data + n;

        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
            end--;
        c->aws_hdr.len = 0;
        buf_append(&c->aws_hdr, v, (size_t)(end - v));
    }
}

/* libcurl's header callback: keep the values of headers the task captures. */
static size_t
on_header(char *data, size_t size, size_t nitems, void *arg)
{
    struct http_conn *c = arg;
    const struct task *t = c->task;
    size_t n = size * nitems, i;

    c->answered = true;
    if (t == NULL)
        return n;
    if (t->http != NULL && ((const struct prepared *)t->http)->aws_errors)
        aws_header(c, data, n);
    if (t->ncaptures == 0)
        return n;
    for (i = 0; i < t->ncaptures; i++) {
        const struct capture *cap = &t->captures[i];
        size_t nl = strlen(cap->field);
        const char *v, *end = data + n;

        if (cap->kind != CAPTURE_HEADER || n <= nl || data[nl] != ':' ||
            strncasecmp(data, cap->field, nl) != 0)
            continue;
        for (v = data + nl + 1; v < end && (*v == ' ' || *v == '\t'); v++)
            ;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
            end--;
        c->captured[i].len = 0;
        buf_append(&c->captured[i], v, (size_t)(end - v));
        c->found[i] = true;
    }
    return n;
}

/*
 * Is the kept connection with this local port unfit to carry a request: the
 * server closed or reset it, or sent bytes nobody asked for (an unsolicited
 * "408 Request Timeout" before closing)? libcurl 7.88 checks a connection
 * before reusing it only for a close (its peek sees stray bytes as life),
 * and earlier: this check runs just before the request is written.
 */
static bool
conn_unclean(const struct http_conn *c, int local_port)
{
    char byte;
    ssize_t n;
    int fd;

    /*
     * HTTP/2 servers send frames unasked (PING, SETTINGS, GOAWAY), and
     * libcurl reads them itself before it reuses such a connection.
     */
    if (c->task != NULL &&
        (c->task->opts.http_version == HTTPV_2 || c->task->opts.http_version == HTTPV_2_PRIOR))
        return false;
    fd = c->sock_of_port != NULL ? c->sock_of_port(c->sock_ctx, local_port) : -1;
    if (fd < 0)
        return false;
    n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/*
 * CURLOPT_PREREQFUNCTION: the request is about to go on the wire, on a new
 * or a kept connection. libcurl 7.88 calls this again when it resends a
 * request by itself: when a kept connection dies before any byte of an
 * answer, it sends the same request again on another connection, without
 * telling anyone (it has no option to turn that off). A second send with
 * no answer in between is that resend: refused for every method but the
 * safe ones (a server may have received and acted on the first), and
 * allowed once for GET, HEAD and OPTIONS when it goes out on a new
 * connection, where it is counted; on another kept connection, which may
 * die as the first did, it is refused and the worker sends it again on a
 * new one (http_conn_again).
 * A redirect followed is a new request after an answer: not a resend.
 */
static int
on_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    struct http_conn *c = arg;
    long connects = 0;

    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    curl_easy_getinfo(c->easy, CURLINFO_NUM_CONNECTS, &connects);
    if (connects == c->connects && conn_unclean(c, local_port)) {
        c->stale = true;     /* nothing sent: the worker sends it on a new connection */
        return CURL_PREREQFUNC_ABORT;
    }
    if (c->sends > 0 && !c->answered) {
        /* on another kept connection, which may die as the first did: refused, then resent on a new one */
        if (!c->idempotent || c->resends > 0 || connects == c->connects) {
            c->refused = true;
            return CURL_PREREQFUNC_ABORT;
        }
        c->resends++;
    }
    c->sends++;
    c->reused = connects == c->connects;
    c->connects = connects;
    c->answered = false;
    return CURL_PREREQFUNC_OK;
}

bool
http_conn_dead(const struct http_conn *c, CURLcode rc)
{
    if (c->refused)
        return true;
    if (c->sends == 0 || c->answered || !c->reused)
        return false;
    return rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING;
}

/* Set the handle up to send the same request again, on a new connection. */
static void
conn_again(struct http_conn *c)
{
    curl_off_t total = 0;

    curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME_T, &total);
    c->prior_us += total > 0 ? (uint64_t)total : 0;
    /* a kept connection may be as dead as the last one */
    curl_easy_setopt(c->easy, CURLOPT_FRESH_CONNECT, 1L);
    c->fresh = true;
    c->sends = 0;
    c->connects = 0;
    c->reused = false;
    c->answered = false;
    c->refused = false;
    c->stale = false;
    c->body_bytes = 0;
    c->errbuf[0] = '\0';
    c->truncated = false;
    c->resp.len = 0;
}

bool
http_conn_again(struct http_conn *c, CURLcode rc)
{
    if (rc == CURLE_OK)
        return false;
    if (c->stale) {
        if (++c->stale_count > 2)
            return false;    /* new connections cannot be stale: a bound, never reached */
        conn_again(c);
        return true;
    }
    if (!http_conn_dead(c, rc) || !c->idempotent || c->resends > 0)
        return false;
    c->resends++;
    conn_again(c);
    return true;
}

void
http_conn_init(struct http_conn *c, const struct settings *s, void *owner)
{
    memset(c, 0, sizeof(*c));
    c->easy = curl_easy_init();
    if (c->easy == NULL)
        fatal("curl_easy_init failed");
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, owner);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c->easy, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(c->easy, CURLOPT_PREREQDATA, c);
    c->settings = s;
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    set_proxy(c->easy);
    curl_easy_setopt(c->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)(s->timeout * 1000));
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->connect_timeout * 1000));
    curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c->easy, CURLOPT_MAXREDIRS, 30L);
    curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L);
}

void
http_conn_free(struct http_conn *c)
{
    size_t i;

    if (c->easy != NULL)
        curl_easy_cleanup(c->easy);
    c->easy = NULL;
    buf_free(&c->url);
    buf_free(&c->body);
    buf_free(&c->resp);
    for (i = 0; i < c->hcap; i++)
        buf_free(&c->hdr[i]);
    free(c->hdr);
    free(c->hnodes);
    for (i = 0; i < c->ccap; i++)
        buf_free(&c->captured[i]);
    free(c->captured);
    free(c->found);
    aws_conn_free(c->aws);
    c->aws = NULL;
    buf_free(&c->aws_hdr);
}

/* The task's timeouts, or the run's. */
static double
task_timeout(const struct task *t, const struct settings *s)
{
    return t != NULL && t->opts.timeout > 0 ? t->opts.timeout : s->timeout;
}

static double
task_connect_timeout(const struct task *t, const struct settings *s)
{
    return t != NULL && t->opts.connect_timeout > 0 ? t->opts.connect_timeout
                                                   : s->connect_timeout;
}

/* Expand the task's header lines into the connection's own list. */
static struct curl_slist *
expand_headers(struct http_conn *c, const struct prepared *p, const struct tmpl_rt *rt)
{
    size_t i;

    if (p->nlines > c->hcap || c->hnodes == NULL) {
        c->hdr = xrealloc(c->hdr, (p->nlines + 1) * sizeof(*c->hdr));
        /* three more nodes for the lines a signature adds */
        c->hnodes = xrealloc(c->hnodes, (p->nlines + 3) * sizeof(*c->hnodes));
        for (i = c->hcap; i < p->nlines; i++)
            buf_init(&c->hdr[i]);
        if (p->nlines > c->hcap)
            c->hcap = p->nlines;
    }
    if (p->nlines == 0)
        return NULL;
    for (i = 0; i < p->nlines; i++) {
        if (p->lines[i].t != NULL) {
            c->hdr[i].len = 0;
            tmpl_expand(p->lines[i].t, rt, &c->hdr[i]);
            if (c->unsafe == 0 && tmpl_text_has_ctl(c->hdr[i].data, c->hdr[i].len))
                c->unsafe = (int)i + 1;
            c->hnodes[i].data = c->hdr[i].data;
        } else {
            c->hnodes[i].data = (char *)p->lines[i].text;
        }
        c->hnodes[i].next = i + 1 < p->nlines ? &c->hnodes[i + 1] : NULL;
    }
    return c->hnodes;
}

/* Make room for the task's header captures. */
static void
reset_captures(struct http_conn *c, const struct task *t)
{
    size_t i;

    if (t->ncaptures > c->ccap) {
        c->captured = xrealloc(c->captured, t->ncaptures * sizeof(*c->captured));
        c->found = xrealloc(c->found, t->ncaptures * sizeof(*c->found));
        for (i = c->ccap; i < t->ncaptures; i++)
            buf_init(&c->captured[i]);
        c->ccap = t->ncaptures;
    }
    for (i = 0; i < t->ncaptures; i++)
        c->found[i] = false;
}

/* Add X-Amz-Date, [X-Amz-Security-Token,] Authorization to the request's header list. */
static struct curl_slist *
sign_request(struct http_conn *c, const struct task *t, const struct prepared *p,
             struct curl_slist *list, const char *body, size_t body_len)
{
    bool has_body = p->mode == MODE_POST || p->mode == MODE_CUSTOM_BODY;
    size_t nadd, i, last = p->nlines;
    char **add;

    if (list == NULL && c->hnodes == NULL)
        c->hnodes = xrealloc(c->hnodes, 3 * sizeof(*c->hnodes));
    add = aws_sign(&c->aws, t->opts.aws_sigv4, t->opts.aws_region,
                   t->method, p->dynamic_path ? c->url.data : t->url,
                   list, has_body ? body : NULL, has_body && body != NULL ? body_len : 0, &nadd);
    for (i = 0; i < nadd; i++) {
        c->hnodes[last + i].data = add[i];
        c->hnodes[last + i].next = i + 1 < nadd ? &c->hnodes[last + i + 1] : NULL;
    }
    if (last > 0)
        c->hnodes[last - 1].next = &c->hnodes[last];
    return c->hnodes;
}

bool
http_conn_set_task(struct http_conn *c, const struct task *t, const struct tmpl_rt *rt)
{
    const struct prepared *p = t->http;
    const struct settings *s = c->settings;
    CURL *e = c->easy;
    const char *body = p->body;
    size_t body_len = p->body_len;
    long version;
    bool same = c->task == t && c->generation == prepare_generation;

    c->task = t;
    c->body_bytes = 0;
    c->errbuf[0] = '\0';
    c->keep_body = t->needs_body;
    c->truncated = false;
    c->resp.len = 0;
    c->sends = c->resends = 0;
    if (c->fresh) {
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 0L);
        c->fresh = false;
    }
    c->connects = 0;
    c->reused = c->answered = c->refused = c->stale = false;
    c->stale_count = 0;
    c->prior_us = 0;
    c->idempotent = p->mode == MODE_GET || p->mode == MODE_HEAD ||
                    strcmp(t->method, "OPTIONS") == 0;
    c->aws_failed = false;
    reset_captures(c, t);
    c->unsafe = 0;

    /* what templates make different on every request */
    if (p->dynamic_path) {
        c->url.len = 0;
        buf_puts(&c->url, t->url);
        tmpl_expand(t->path_t, rt, &c->url);
        if (tmpl_text_has_ctl(c->url.data, c->url.len))
            c->unsafe = -1;
        curl_easy_setopt(e, CURLOPT_URL, c->url.data);
    }
    if (t->body_t != NULL && body == NULL) {
        c->body.len = 0;
        tmpl_expand(t->body_t, rt, &c->body);
        body = c->body.data;
        body_len = c->body.len;
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    }
    if (p->dynamic_headers) {
        struct curl_slist *list = expand_headers(c, p, rt);

        /* the signature covers the request as it is sent: after every template */
        if (p->sign && c->unsafe == 0)
            list = sign_request(c, t, p, list, body, body_len);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    }
    if (c->unsafe != 0) {
        /* a CR, LF or NUL would end a line early: what follows would be a header or a request of its own */
        c->task = NULL;      /* the handle's options are not those of a task any more */
        return false;
    }

    /* a prepared task never changes: the handle keeps the options of the task it sent last */
    if (same)
        return true;
    c->generation = prepare_generation;
    if (p->dynamic_path) {
        curl_easy_setopt(e, CURLOPT_CURLU, NULL);
    } else if (p->url != NULL) {
        curl_easy_setopt(e, CURLOPT_CURLU, p->url);
    } else {
        curl_easy_setopt(e, CURLOPT_CURLU, NULL);
        curl_easy_setopt(e, CURLOPT_URL, t->url);
    }
    if (!p->dynamic_headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(task_timeout(t, s) * 1000));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(task_connect_timeout(t, s) * 1000));
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, t->opts.follow_redirects != 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, t->opts.verify_tls != 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, t->opts.verify_tls != 0 ? 2L : 0L);
    switch (t->opts.http_version) {
    case HTTPV_2:
        version = CURL_HTTP_VERSION_2_0;
        break;
    case HTTPV_2_PRIOR:
        version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
        break;
    default:
        version = CURL_HTTP_VERSION_1_1;
        break;
    }
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, version);
    switch (p->mode) {
    case MODE_GET:
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
        break;
    case MODE_HEAD:
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        break;
    case MODE_POST:
    case MODE_CUSTOM_BODY:
        curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, p->mode == MODE_POST ? NULL : t->method);
        break;
    case MODE_CUSTOM:
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
        break;
    }
    return true;
}

void
http_result_read(struct http_conn *c, const struct task *t, CURLcode rc, struct http_result *r)
{
    curl_off_t total = 0, ttfb = 0, connect = 0;
    long status = 0, os_errno = 0;

    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME_T, &total);
    curl_easy_getinfo(c->easy, CURLINFO_STARTTRANSFER_TIME_T, &ttfb);
    memset(r, 0, sizeof(*r));
    r->status = status;
    r->total_us = (total > 0 ? (uint64_t)total : 0) + c->prior_us;
    r->ttfb_us = (ttfb > 0 ? (uint64_t)ttfb : 0) + c->prior_us;
    r->bytes = c->body_bytes;
    r->resends = c->resends;
    if (rc != CURLE_OK && c->stale) {
        r->failed = true;
        r->kind = HTTP_ERR_TRANSPORT;
        r->code = CURLE_ABORTED_BY_CALLBACK;
        r->detail = -3;
    } else if (rc != CURLE_OK && http_conn_dead(c, rc)) {
        /* one reason whichever way libcurl noticed: closed, reset, resend refused */
        r->failed = true;
        r->kind = HTTP_ERR_TRANSPORT;
        r->code = CURLE_GOT_NOTHING;
        curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
        r->detail = c->refused || os_errno != ECONNRESET ? 0 : ECONNRESET;
    } else if (rc != CURLE_OK) {
        r->failed = true;
        r->kind = HTTP_ERR_TRANSPORT;
        r->code = rc;
        curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
        r->detail = os_errno;
        if (rc == CURLE_OPERATION_TIMEDOUT) {
            /*
             * -1: while connecting. A reused connection also reports no
             * connect time, so it must have lasted the connect timeout too.
             */
            curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T, &connect);
            r->detail = connect == 0 &&
                                (double)total >= task_connect_timeout(t, c->settings) * 1e6 * 0.99
                            ? -1
                            : 0;
        }
    } else if (!task_status_ok(t, status)) {
        r->failed = true;
        r->kind = HTTP_ERR_STATUS;
        r->code = status;
        c->aws_type[0] = '\0';
        if (c->aws_failed &&
            aws_error_type(c->aws_hdr.data, c->aws_hdr.len, c->resp.data, c->resp.len,
                           c->aws_type, sizeof(c->aws_type), &c->aws_orig))
            r->detail = aws_error_key(c->aws_type, c->aws_orig);
        r->throttled = aws_throttling(status, c->aws_type);
    }
}

void
http_inspect(struct http_conn *c, const struct task *t, struct http_result *r, struct buf *vars)
{
    const struct prepared *p = t->http;
    struct check_response resp;
    enum check_failure why = CHECK_OK;
    size_t i;

    if (r->failed || (t->nchecks == 0 && t->ncaptures == 0))
        return;
    memset(&resp, 0, sizeof(resp));
    resp.body = c->resp.data;
    resp.len = c->resp.len;
    resp.truncated = c->truncated;
    resp.seconds = (double)r->total_us / 1e6;
    for (i = 0; i < t->nchecks && why == CHECK_OK; i++)
        if ((why = check_run(&t->checks[i], &resp)) != CHECK_OK) {
            r->check.capture = false;
            r->check.index = (unsigned)i;
            r->code = p->check_number + (long)i;
        }
    for (i = 0; i < t->ncaptures && why == CHECK_OK; i++) {
        const struct capture *cap = &t->captures[i];

        if (cap->kind == CAPTURE_JSON) {
            why = capture_json(cap, &resp, &vars[cap->var]);
        } else if (c->found[i]) {
            vars[cap->var].len = 0;
            buf_append(&vars[cap->var], c->captured[i].data, c->captured[i].len);
        } else {
            why = CHECK_MISSING;
        }
        if (why != CHECK_OK) {
            r->check.capture = true;
            r->check.index = (unsigned)i;
            r->code = p->check_number + (long)(t->nchecks + i);
        }
    }
    check_response_done(&resp);
    if (why != CHECK_OK) {
        r->failed = true;
        r->kind = HTTP_ERR_CHECK;
        r->detail = why;
    }
}

/* The expected statuses of a task as text ("200, 300-399"). */
static void
describe_expect(const struct task *t, char *buf, size_t size)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < t->nexpect && used < size; i++) {
        const struct status_range *rg = &t->expect[i];
        int n;

        if (rg->lo == rg->hi)
            n = snprintf(buf + used, size - used, "%s%d", i ? ", " : "", rg->lo);
        else
            n = snprintf(buf + used, size - used, "%s%d-%d", i ? ", " : "", rg->lo, rg->hi);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

bool
http_describe(const struct http_result *r, const struct http_conn *c, const struct settings *s,
              const struct task *t, char *buf, size_t size)
{
    const char *detail = c != NULL && c->errbuf[0] != '\0' ? c->errbuf : NULL;
    char expect[128];
    bool library = false;

    if (r->kind == HTTP_ERR_STATUS) {
        char type[128] = "";

        /* AWS's error type: "HTTP 429 ThrottlingException", "HTTP 424 ModelError (model answered 500)" */
        if (r->detail != 0 && c != NULL && c->aws_type[0] != '\0') {
            if (c->aws_orig != 0)
                snprintf(type, sizeof(type), " %s (model answered %ld)", c->aws_type, c->aws_orig);
            else
                snprintf(type, sizeof(type), " %s", c->aws_type);
        }
        if (t != NULL && t->nexpect > 0) {
            describe_expect(t, expect, sizeof(expect));
            snprintf(buf, size, "HTTP %ld%s (expected %s)", r->code, type, expect);
        } else {
            snprintf(buf, size, "HTTP %ld%s", r->code, type);
        }
        return false;
    }
    if (r->kind == HTTP_ERR_ABANDONED) {
        snprintf(buf, size, "Abandoned at the stop: sent, no answer yet");
        return false;
    }
    if (r->kind == HTTP_ERR_UNSAFE) {
        if (r->code > 0 && c != NULL && (size_t)r->code <= c->hcap) {
            const struct buf *line = &c->hdr[r->code - 1];
            size_t n = line->data != NULL ? strcspn(line->data, ":\r\n") : 0;

            snprintf(buf, size, "Not sent: header %.*s would carry a CR, LF or NUL from a "
                     "template value", (int)(n < 48 ? n : 48), n > 0 ? line->data : "");
        } else {
            snprintf(buf, size, "Not sent: the URL would carry a CR, LF or NUL from a "
                     "template value");
        }
        secret_redact(buf);
        return false;
    }
    if (r->kind == HTTP_ERR_CHECK) {
        size_t i = r->check.index;

        if (t != NULL && !r->check.capture && i < t->nchecks)
            check_describe(&t->checks[i], (enum check_failure)r->detail, buf, size);
        else if (t != NULL && r->check.capture && i < t->ncaptures)
            capture_describe(&t->captures[i], (enum check_failure)r->detail, buf, size);
        else
            snprintf(buf, size, "check failed");
        secret_redact(buf);
        return false;
    }
    switch ((CURLcode)r->code) {
    case CURLE_COULDNT_CONNECT:
        snprintf(buf, size, "%s", r->detail > 0 ? strerror((int)r->detail) : "Could not connect");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        if (r->detail < 0)
            snprintf(buf, size, "Connect timeout after %g s", task_connect_timeout(t, s));
        else
            snprintf(buf, size, "Timeout after %g s", task_timeout(t, s));
        break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        if (r->detail > 0)
            snprintf(buf, size, "%s", strerror((int)r->detail));
        else
            snprintf(buf, size, "%s", detail ? detail : curl_easy_strerror((CURLcode)r->code));
        library = r->detail <= 0;
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        if (r->detail == -3)
            snprintf(buf, size, "Not sent: the server kept closing the connection");
        else
            snprintf(buf, size, "%s", detail ? detail : curl_easy_strerror((CURLcode)r->code));
        break;
    case CURLE_GOT_NOTHING:
        /* the request was sent once and not again (http_conn_dead) */
        snprintf(buf, size, "Server %s the connection without answering",
                 r->detail == ECONNRESET ? "reset" : "closed");
        break;
    default:
        snprintf(buf, size, "%s", detail ? detail : curl_easy_strerror((CURLcode)r->code));
        library = true;
        break;
    }
    secret_redact(buf);     /* libcurl's messages may quote a URL or host */
    return library;
}

int
http_preflight(const char *url, const struct settings *s, char **err)
{
    CURL *e = curl_easy_init();
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode rc;
    long os_errno = 0;

    if (e == NULL)
        fatal("curl_easy_init failed");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    /* reachability only: certificates are checked per request, by verify_tls */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    set_proxy(e);            /* through the proxy the requests will take, if any */
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->connect_timeout * 1000));
    rc = curl_easy_perform(e);
    if (rc != CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
        if (rc == CURLE_COULDNT_CONNECT && os_errno > 0 && proxy_in_env && errbuf[0] != '\0')
            /* the address may be the proxy's: libcurl's text names the one it tried */
            *err = xasprintf("cannot connect (proxy variables are set): %s: %s", errbuf,
                             strerror((int)os_errno));
        else if (rc == CURLE_COULDNT_CONNECT && os_errno > 0)
            *err = xasprintf("cannot connect: %s", strerror((int)os_errno));
        else if (rc == CURLE_OPERATION_TIMEDOUT)
            *err = xasprintf("cannot connect: no answer within %g s", s->connect_timeout);
        else
            *err = xasprintf("cannot connect: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_easy_cleanup(e);
    return rc == CURLE_OK ? 0 : -1;
}
