/*
 * http.c: requests as libcurl sees them. Each task is prepared once (its
 * header list, its URL parsed into a CURLU, its proxy, how its method maps
 * onto libcurl's options); each user owns one easy handle, set up once and
 * then pointed at a task per request, so the per-request path allocates
 * nothing of cicada's own. A handle that sends the same task again keeps
 * its options: libcurl then neither copies nor parses the URL again.
 *
 * Proxies: the environment (http_proxy, https_proxy, all_proxy, no_proxy,
 * as curl reads them) is read once here, and the result is set explicitly
 * on every handle, because libcurl would otherwise read the environment
 * on every transfer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "util.h"

enum method_mode {
    MODE_GET,                /* GET without a body */
    MODE_HEAD,
    MODE_POST,               /* POST with a body (or an empty one) */
    MODE_CUSTOM_BODY,        /* any other method with a body */
    MODE_CUSTOM,             /* any other method without a body */
};

struct prepared {
    struct curl_slist *headers;
    enum method_mode mode;
    CURLU *url;              /* t->url, parsed once */
    const char *proxy;       /* "" for none */
};

/* Bumped by every http_prepare: handles set up before it set their task again. */
static unsigned prepare_generation;

/* The proxy settings read from the environment once, by http_prepare. */
static char *env_noproxy;    /* "" for none */
static char *env_proxy_http;
static char *env_proxy_https;

/* The first non-empty variable of the list (NULL-terminated), or "". */
static char *
env_first(const char *const *names)
{
    for (; *names != NULL; names++) {
        const char *v = getenv(*names);

        if (v != NULL && v[0] != '\0')
            return xstrdup(v);
    }
    return xstrdup("");
}

/* Read the proxy variables the way curl does (http_proxy only in lower case). */
static void
read_proxy_env(void)
{
    static const char *const noproxy[] = { "no_proxy", "NO_PROXY", NULL };
    static const char *const http[] = { "http_proxy", "all_proxy", "ALL_PROXY", NULL };
    static const char *const https[] = { "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                         NULL };

    if (env_noproxy != NULL)
        return;
    env_noproxy = env_first(noproxy);
    env_proxy_http = env_first(http);
    env_proxy_https = env_first(https);
}

void
http_global_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        fatal("curl_global_init failed");
}

void
http_global_cleanup(void)
{
    curl_global_cleanup();
    free(env_noproxy);
    free(env_proxy_http);
    free(env_proxy_https);
    env_noproxy = env_proxy_http = env_proxy_https = NULL;
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

/* Build the prepared form of one task of class c. */
static struct prepared *
prepare_task(const struct user_class *c, const struct task *t)
{
    struct prepared *p = xcalloc(1, sizeof(*p));
    bool body = t->body != NULL;
    char name[256];
    size_t i;

    /* the class's headers, unless the task sets the same one */
    for (i = 0; i < c->nheaders; i++) {
        if (has_header(t->headers, t->nheaders, header_name(c->headers[i], name, sizeof(name))))
            continue;
        p->headers = curl_slist_append(p->headers, c->headers[i]);
    }
    for (i = 0; i < t->nheaders; i++)
        p->headers = curl_slist_append(p->headers, t->headers[i]);
    /* a header of the list costs less per request than CURLOPT_USERAGENT */
    if (!has_header(t->headers, t->nheaders, "User-Agent") &&
        !has_header(c->headers, c->nheaders, "User-Agent"))
        p->headers = curl_slist_append(p->headers, "User-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION);
    if (body) {
        /* like Python's requests: no Expect: 100-continue, no made-up Content-Type */
        if (!has_header(t->headers, t->nheaders, "Expect") &&
            !has_header(c->headers, c->nheaders, "Expect"))
            p->headers = curl_slist_append(p->headers, "Expect:");
        if (!has_header(t->headers, t->nheaders, "Content-Type") &&
            !has_header(c->headers, c->nheaders, "Content-Type"))
            p->headers = curl_slist_append(p->headers, "Content-Type:");
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
    p->proxy = strncasecmp(t->url, "https:", 6) == 0 ? env_proxy_https : env_proxy_http;
    return p;
}

void
http_prepare(struct scenario *sc)
{
    size_t i, j;

    http_unprepare(sc);
    prepare_generation++;
    read_proxy_env();
    for (i = 0; i < sc->nclasses; i++)
        for (j = 0; j < sc->classes[i].ntasks; j++)
            sc->classes[i].tasks[j].http = prepare_task(&sc->classes[i], &sc->classes[i].tasks[j]);
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
                curl_url_cleanup(p->url);
                free(p);
            }
            sc->classes[i].tasks[j].http = NULL;
        }
    }
}

/* libcurl's write callback: count the body, keep nothing. */
static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_conn *c = arg;

    (void)data;
    c->body_bytes += size * nmemb;
    return size * nmemb;
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
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    /* explicit (maybe empty): no environment look-up per transfer */
    curl_easy_setopt(c->easy, CURLOPT_NOPROXY, env_noproxy != NULL ? env_noproxy : "");
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
    if (c->easy != NULL)
        curl_easy_cleanup(c->easy);
    c->easy = NULL;
}

void
http_conn_set_task(struct http_conn *c, const struct task *t)
{
    const struct prepared *p = t->http;
    CURL *e = c->easy;

    c->body_bytes = 0;
    c->errbuf[0] = '\0';
    if (c->task == t && c->generation == prepare_generation)
        return;
    c->task = t;
    c->generation = prepare_generation;
    if (p->url != NULL) {
        curl_easy_setopt(e, CURLOPT_CURLU, p->url);
    } else {
        curl_easy_setopt(e, CURLOPT_CURLU, NULL);
        curl_easy_setopt(e, CURLOPT_URL, t->url);
    }
    curl_easy_setopt(e, CURLOPT_PROXY, p->proxy != NULL ? p->proxy : "");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
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
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body ? t->body : "");
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, p->mode == MODE_POST ? NULL : t->method);
        break;
    case MODE_CUSTOM:
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t->method);
        break;
    }
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
    r->total_us = total > 0 ? (uint64_t)total : 0;
    r->ttfb_us = ttfb > 0 ? (uint64_t)ttfb : 0;
    r->bytes = c->body_bytes;
    if (rc != CURLE_OK) {
        r->failed = true;
        r->kind = HTTP_ERR_TRANSPORT;
        r->code = rc;
        curl_easy_getinfo(c->easy, CURLINFO_OS_ERRNO, &os_errno);
        r->detail = os_errno;
        if (rc == CURLE_OPERATION_TIMEDOUT) {
            curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T, &connect);
            r->detail = connect == 0 ? -1 : 0;     /* -1: while connecting */
        }
    } else if (!task_status_ok(t, status)) {
        r->failed = true;
        r->kind = HTTP_ERR_STATUS;
        r->code = status;
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

void
http_describe(const struct http_result *r, const struct http_conn *c, const struct settings *s,
              const struct task *t, char *buf, size_t size)
{
    const char *detail = c != NULL && c->errbuf[0] != '\0' ? c->errbuf : NULL;
    char expect[128];

    if (r->kind == HTTP_ERR_STATUS) {
        if (t != NULL && t->nexpect > 0) {
            describe_expect(t, expect, sizeof(expect));
            snprintf(buf, size, "HTTP %ld (expected %s)", r->code, expect);
        } else {
            snprintf(buf, size, "HTTP %ld", r->code);
        }
        return;
    }
    switch ((CURLcode)r->code) {
    case CURLE_COULDNT_CONNECT:
        snprintf(buf, size, "%s", r->detail > 0 ? strerror((int)r->detail) : "Could not connect");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        if (r->detail < 0)
            snprintf(buf, size, "Connect timeout after %g s", s->connect_timeout);
        else
            snprintf(buf, size, "Timeout after %g s", s->timeout);
        break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        if (r->detail > 0)
            snprintf(buf, size, "%s", strerror((int)r->detail));
        else
            snprintf(buf, size, "%s", detail ? detail : curl_easy_strerror((CURLcode)r->code));
        break;
    case CURLE_GOT_NOTHING:
        snprintf(buf, size, "Server closed the connection without a response");
        break;
    default:
        snprintf(buf, size, "%s", detail ? detail : curl_easy_strerror((CURLcode)r->code));
        break;
    }
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
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->connect_timeout * 1000));
    rc = curl_easy_perform(e);
    if (rc != CURLE_OK) {
        curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
        if (rc == CURLE_COULDNT_CONNECT && os_errno > 0)
            *err = xasprintf("cannot connect: %s", strerror((int)os_errno));
        else if (rc == CURLE_OPERATION_TIMEDOUT)
            *err = xasprintf("cannot connect: no answer within %g s", s->connect_timeout);
        else
            *err = xasprintf("cannot connect: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_easy_cleanup(e);
    return rc == CURLE_OK ? 0 : -1;
}
