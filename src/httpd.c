/*
 * httpd.c: the small HTTP/1.1 server declared in httpd.h, on a libev loop.
 *
 * Each connection is a state machine: HEAD (reading the request line and
 * headers) -> BODY (reading a Content-Length or chunked body) -> HANDLING
 * (the handler owns the request) -> WRITING (the response is being sent)
 * -> HEAD again on keep-alive, or LINGER (write side shut, input drained
 * for a moment) and closed. Invariants:
 *  - one request at a time per connection: bytes that arrive while a
 *    request is handled or answered wait in the input buffer (reading
 *    pauses when more than IN_PAUSE bytes wait);
 *  - a dispatched request is on the server's pending list until
 *    httpd_respond; it owns its own copy of the header block and body, so
 *    it never points into a connection's buffers;
 *  - when a connection closes while its request is being handled, the
 *    request is orphaned (its conn pointer becomes NULL) and
 *    httpd_respond then only frees it; a connection is never freed while
 *    a function up the stack still uses it (hold count);
 *  - sockets are non-blocking; partial writes continue from an ev_io write
 *    watcher; nothing ever blocks the loop.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "httpd.h"
#include "util.h"

#define HEADER_LIMIT (64u * 1024u)            /* request line + headers: 431 above */
#define BODY_LIMIT (64u * 1024u * 1024u)      /* request body: 413 above */
#define CHUNK_LINE_LIMIT 4096u                /* a chunk-size or trailer line */
#define IN_PAUSE (1024u * 1024u)              /* stop reading when this much waits */
#define LISTEN_BACKLOG 4096
#define ACCEPT_BATCH 1024                     /* accepts per callback before yielding */
#define LINGER_SECONDS 2.0
#define ACCEPT_RETRY_SECONDS 0.1

enum conn_state {
    CONN_HEAD,
    CONN_BODY,
    CONN_HANDLING,
    CONN_WRITING,
    CONN_LINGER
};

enum body_mode {
    BODY_NONE,
    BODY_LENGTH,
    BODY_CHUNKED
};

enum chunk_state {
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_DATA_END,
    CHUNK_TRAILER
};

enum parse_result {
    PARSE_MORE,      /* need more bytes */
    PARSE_NEXT,      /* progress: go on parsing */
    PARSE_DONE,      /* a request is complete */
    PARSE_ERROR      /* an error response was queued */
};

struct httpd_conn;

/* A request as the server keeps it; pub is what the handler sees. */
struct httpd_request {
    struct httpd_req pub;            /* first member: httpd_req * casts back */
    struct httpd_conn *conn;         /* NULL once the connection is gone */
    struct httpd_request *prev, *next;   /* the server's pending list */
    char *head;                      /* the header block, split in place */
    struct buf body;
    int keep_alive;
    int http10;                      /* HTTP/1.0: say keep-alive explicitly */
    int head_only;                   /* HEAD: no body in the response */
};

struct httpd_conn {
    struct httpd *srv;
    int fd;
    unsigned long id;
    enum conn_state state;
    ev_io rio, wio;
    ev_timer linger;
    struct buf in;                   /* bytes received, from in_off on unparsed */
    size_t in_off;
    size_t scan;                     /* header end search resumes here (from in_off) */
    size_t trailer_bytes;
    struct buf out;                  /* bytes to send, from out_off on */
    size_t out_off;
    struct httpd_request *req;       /* being read, handled or NULL */
    enum body_mode body_mode;
    enum chunk_state chunk;
    size_t remaining;                /* body bytes (or chunk bytes) still to read */
    int keep_alive;                  /* of the response being written */
    int peer_eof;                    /* the peer will send nothing more */
    int discard;                     /* after an error: input is thrown away */
    int reading;                     /* rio is started */
    int processing;                  /* conn_process is on the stack */
    int holds;                       /* functions on the stack that use the conn */
    int dead;                        /* closed: free when holds drops to 0 */
    struct httpd_conn *prev, *next;
};

struct httpd {
    struct ev_loop *loop;
    int fd;
    int port;
    ev_io accept_w;
    ev_timer accept_retry;
    httpd_handler handler;
    void *arg;
    struct httpd_conn *conns;
    unsigned nconns;
    unsigned peak_conns;
    unsigned long total_conns;
    unsigned long next_id;
    struct httpd_request *pending;
    unsigned npending;
    char scratch[65536];
};

static void conn_process(struct httpd_conn *c);
static int conn_flush(struct httpd_conn *c);

/* Standard reason phrase for a status code ("Unknown" for the rest). */
const char *
httpd_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 507: return "Insufficient Storage";
    case 511: return "Network Authentication Required";
    default: return "Unknown";
    }
}

/* Whether c may appear in a token (method, header name). */
static int
is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Whether a comma-separated header value holds token (case-insensitive). */
static int
has_token(const char *value, const char *token)
{
    size_t tlen = strlen(token);

    while (*value != '\0') {
        const char *start, *end;

        while (*value == ' ' || *value == '\t' || *value == ',')
            value++;
        start = value;
        while (*value != '\0' && *value != ',')
            value++;
        end = value;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0)
            return 1;
    }
    return 0;
}

/* Case-insensitive header lookup: the first header named name, or NULL. */
const char *
httpd_header(const struct httpd_req *req, const char *name)
{
    int i;

    for (i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

/* Whether any header named name lists token. */
static int
header_has_token(const struct httpd_req *req, const char *name, const char *token)
{
    int i;

    for (i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0 && has_token(req->headers[i].value, token))
            return 1;
    return 0;
}

/* Free a request and everything it owns. */
static void
request_free(struct httpd_request *r)
{
    free(r->head);
    buf_free(&r->body);
    free(r);
}

/* Put a dispatched request on the server's pending list. */
static void
pending_link(struct httpd *srv, struct httpd_request *r)
{
    r->prev = NULL;
    r->next = srv->pending;
    if (srv->pending != NULL)
        srv->pending->prev = r;
    srv->pending = r;
    srv->npending++;
}

/* Take a request off the server's pending list. */
static void
pending_unlink(struct httpd *srv, struct httpd_request *r)
{
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        srv->pending = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    srv->npending--;
}

/* Start reading from the connection if it is not already. */
static void
conn_read_start(struct httpd_conn *c)
{
    if (!c->reading && !c->peer_eof && !c->dead) {
        ev_io_start(c->srv->loop, &c->rio);
        c->reading = 1;
    }
}

/* Stop reading from the connection. */
static void
conn_read_stop(struct httpd_conn *c)
{
    if (c->reading) {
        ev_io_stop(c->srv->loop, &c->rio);
        c->reading = 0;
    }
}

/* Free the connection's memory (it must be closed and unheld). */
static void
conn_free(struct httpd_conn *c)
{
    buf_free(&c->in);
    buf_free(&c->out);
    free(c);
}

/* Mark a use of c on the stack, so a close cannot free it under us. */
static void
conn_hold(struct httpd_conn *c)
{
    c->holds++;
}

/* End a use of c; frees it if it was closed meanwhile. */
static void
conn_release(struct httpd_conn *c)
{
    if (--c->holds == 0 && c->dead)
        conn_free(c);
}

/* Close the socket and forget the connection; orphan a request being handled. */
static void
conn_close(struct httpd_conn *c)
{
    struct httpd *srv = c->srv;

    if (c->dead)
        return;
    conn_read_stop(c);
    ev_io_stop(srv->loop, &c->wio);
    ev_timer_stop(srv->loop, &c->linger);
    close(c->fd);
    c->fd = -1;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    srv->nconns--;
    if (c->req != NULL) {
        if (c->state == CONN_HANDLING)
            c->req->conn = NULL;     /* the handler still owns it */
        else
            request_free(c->req);    /* not dispatched yet */
        c->req = NULL;
    }
    c->dead = 1;
    if (c->holds == 0)
        conn_free(c);
}

/* Linger timer: the peer did not close in time. */
static void
on_linger(struct ev_loop *loop, ev_timer *w, int revents)
{
    conn_close(w->data);
}

/*
 * After a response that ends the connection: shut the write side and
 * drain input briefly, so unread request bytes do not turn the close into
 * a reset that could destroy the response in flight.
 */
static void
conn_linger(struct httpd_conn *c)
{
    if (c->peer_eof) {
        conn_close(c);
        return;
    }
    c->state = CONN_LINGER;
    buf_free(&c->in);
    c->in_off = 0;
    shutdown(c->fd, SHUT_WR);
    conn_read_start(c);
    ev_timer_set(&c->linger, LINGER_SECONDS, 0.0);
    ev_timer_start(c->srv->loop, &c->linger);
}

/* The response is out: close, or get ready for the next request. */
static void
conn_next(struct httpd_conn *c)
{
    if (!c->keep_alive) {
        conn_linger(c);
        return;
    }
    c->state = CONN_HEAD;
    c->scan = 0;
    c->body_mode = BODY_NONE;
    conn_read_start(c);
    conn_process(c);
}

/* Send what can be sent now; returns 0 if the connection was closed. */
static int
conn_flush(struct httpd_conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);

        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            ev_io_start(c->srv->loop, &c->wio);
            return 1;
        }
        conn_close(c);
        return 0;
    }
    ev_io_stop(c->srv->loop, &c->wio);
    if (c->out.cap > 65536)
        buf_free(&c->out);
    c->out.len = 0;
    c->out_off = 0;
    if (c->state == CONN_WRITING) {
        int alive;

        conn_hold(c);
        conn_next(c);
        alive = !c->dead;
        conn_release(c);
        return alive;
    }
    return 1;
}

/* Write watcher: the socket can take more of the response. */
static void
on_write(struct ev_loop *loop, ev_io *w, int revents)
{
    conn_flush(w->data);
}

/* Whether a status code's response carries no body (and no length). */
static int
status_has_no_body(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

/* Append a response head to out. */
static void
append_head(struct buf *out, int status, int keep_alive, int http10,
            const char *extra_headers, const char *content_type, size_t body_len)
{
    char line[160];
    int n;

    n = snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", status, httpd_reason(status));
    buf_append(out, line, (size_t)n);
    if (!status_has_no_body(status)) {
        n = snprintf(line, sizeof(line), "Content-Length: %zu\r\n", body_len);
        buf_append(out, line, (size_t)n);
    }
    if (content_type != NULL) {
        buf_puts(out, "Content-Type: ");
        buf_puts(out, content_type);
        buf_puts(out, "\r\n");
    }
    if (!keep_alive)
        buf_puts(out, "Connection: close\r\n");
    else if (http10)
        buf_puts(out, "Connection: keep-alive\r\n");
    if (extra_headers != NULL)
        buf_puts(out, extra_headers);
    buf_puts(out, "\r\n");
}

/* Answer a request the server rejects itself, then close. */
static enum parse_result
conn_fail(struct httpd_conn *c, int status)
{
    char body[128];
    int n = snprintf(body, sizeof(body), "{\"error\":\"%s\",\"status\":%d}\n",
                     httpd_reason(status), status);

    if (c->req != NULL) {
        request_free(c->req);
        c->req = NULL;
    }
    c->keep_alive = 0;
    c->discard = 1;
    c->in.len = 0;
    c->in_off = 0;
    c->state = CONN_WRITING;
    append_head(&c->out, status, 0, 0, NULL, "application/json", (size_t)n);
    buf_append(&c->out, body, (size_t)n);
    conn_flush(c);
    return PARSE_ERROR;
}

/* Consume n parsed bytes of input. */
static void
conn_consume(struct httpd_conn *c, size_t n)
{
    c->in_off += n;
    if (c->in_off == c->in.len)
        c->in_off = c->in.len = 0;
}

/*
 * Length of the header block at p (through its empty line), or 0 if it is
 * not complete yet; *scan remembers how far the search went.
 */
static size_t
find_head_end(const char *p, size_t avail, size_t *scan)
{
    size_t i = *scan;

    while (i < avail) {
        const char *nl = memchr(p + i, '\n', avail - i);

        if (nl == NULL) {
            i = avail;
            break;
        }
        i = (size_t)(nl - p);
        /* an empty line ends here: "\n\n" or "\n\r\n" */
        if (i >= 1 && p[i - 1] == '\n')
            return i + 1;
        if (i >= 2 && p[i - 1] == '\r' && p[i - 2] == '\n')
            return i + 1;
        i++;
    }
    /* the next search must see the last two bytes again */
    *scan = i >= 2 ? i - 2 : 0;
    return 0;
}

/* Split the next line off *p in place (LF or CRLF); NULL at the end. */
static char *
next_line(char **p, int *bare_cr)
{
    char *line = *p, *nl, *cr;

    nl = strchr(line, '\n');
    if (nl == NULL)
        return NULL;
    *nl = '\0';
    *p = nl + 1;
    if (nl > line && nl[-1] == '\r')
        nl[-1] = '\0';
    cr = strchr(line, '\r');
    if (cr != NULL)
        *bare_cr = 1;
    return line;
}

/* Parse the request line into r; returns 0, or the error status. */
static int
parse_request_line(struct httpd_request *r, char *line)
{
    char *sp1, *sp2, *p;

    sp1 = strchr(line, ' ');
    if (sp1 == NULL || sp1 == line)
        return 400;
    *sp1 = '\0';
    for (p = line; *p != '\0'; p++)
        if (!is_tchar((unsigned char)*p))
            return 400;
    r->pub.method = line;
    r->pub.target = sp1 + 1;
    sp2 = strchr(sp1 + 1, ' ');
    if (sp2 == NULL || sp2 == sp1 + 1)
        return 400;
    *sp2 = '\0';
    for (p = sp1 + 1; *p != '\0'; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
            return 400;
    r->pub.version = sp2 + 1;
    p = sp2 + 1;
    if (strncmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9' || p[6] != '.' ||
        p[7] < '0' || p[7] > '9' || p[8] != '\0')
        return 400;
    if (p[5] != '1')
        return 505;
    r->http10 = p[7] == '0';
    return 0;
}

/* Parse header lines into r until the empty line; returns 0 or an error status. */
static int
parse_headers(struct httpd_request *r, char **p)
{
    int bare_cr = 0;
    char *line;

    while ((line = next_line(p, &bare_cr)) != NULL) {
        char *colon, *value, *end, *q;

        if (bare_cr)
            return 400;
        if (*line == '\0')
            return 0;
        if (*line == ' ' || *line == '\t')
            return 400;              /* obsolete line folding */
        colon = strchr(line, ':');
        if (colon == NULL || colon == line)
            return 400;
        *colon = '\0';
        for (q = line; *q != '\0'; q++)
            if (!is_tchar((unsigned char)*q))
                return 400;
        value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        end = value + strlen(value);
        while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        for (q = value; *q != '\0'; q++)
            if (((unsigned char)*q < 0x20 && *q != '\t') || (unsigned char)*q == 0x7f)
                return 400;
        if (r->pub.nheaders == HTTPD_MAX_HEADERS)
            return 431;
        r->pub.headers[r->pub.nheaders].name = line;
        r->pub.headers[r->pub.nheaders].value = value;
        r->pub.nheaders++;
    }
    return 400;
}

/* Parse a Content-Length value; -1 if malformed, else 0 with *out set. */
static int
parse_length(const char *s, unsigned long long *out)
{
    unsigned long long v = 0;

    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (~0ULL - 9) / 10)
            return -1;
        v = v * 10 + (unsigned long long)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Decide how the body is framed; returns 0 or an error status. */
static int
conn_body_framing(struct httpd_conn *c, struct httpd_request *r)
{
    const char *te = NULL, *cl = NULL;
    unsigned long long length = 0;
    int i, nte = 0;

    for (i = 0; i < r->pub.nheaders; i++) {
        const struct httpd_header *h = &r->pub.headers[i];

        if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
            te = h->value;
            nte++;
        } else if (strcasecmp(h->name, "Content-Length") == 0) {
            if (cl != NULL && strcmp(cl, h->value) != 0)
                return 400;
            cl = h->value;
        }
    }
    c->body_mode = BODY_NONE;
    if (te != NULL) {
        /* only "chunked" is understood; with a length too, trust neither later */
        if (nte != 1 || strcasecmp(te, "chunked") != 0)
            return 501;
        if (cl != NULL)
            r->keep_alive = 0;
        c->body_mode = BODY_CHUNKED;
        c->chunk = CHUNK_SIZE;
        c->trailer_bytes = 0;
        return 0;
    }
    if (cl != NULL) {
        if (parse_length(cl, &length) < 0)
            return 400;
        if (length > BODY_LIMIT)
            return 413;
        if (length > 0) {
            c->body_mode = BODY_LENGTH;
            c->remaining = (size_t)length;
            buf_reserve(&r->body, (size_t)length);
        }
    }
    return 0;
}

/* Parse a complete header block from the input; see enum parse_result. */
static enum parse_result
conn_parse_head(struct httpd_conn *c)
{
    struct httpd_request *r;
    const char *expect;
    char *base, *p, *line;
    size_t avail, hlen;
    int bare_cr = 0, status;

    base = c->in.data + c->in_off;
    avail = c->in.len - c->in_off;
    /* empty lines before a request line are ignored */
    while (c->scan == 0 && avail > 0 && (base[0] == '\n' || base[0] == '\r')) {
        if (base[0] == '\r') {
            if (avail < 2)
                return PARSE_MORE;
            if (base[1] != '\n')
                return conn_fail(c, 400);
            conn_consume(c, 2);
        } else {
            conn_consume(c, 1);
        }
        base = c->in.data + c->in_off;
        avail = c->in.len - c->in_off;
    }
    if (avail == 0)
        return PARSE_MORE;
    hlen = find_head_end(base, avail, &c->scan);
    if (hlen == 0)
        return avail > HEADER_LIMIT ? conn_fail(c, 431) : PARSE_MORE;
    if (hlen > HEADER_LIMIT)
        return conn_fail(c, 431);
    if (memchr(base, '\0', hlen) != NULL)
        return conn_fail(c, 400);

    r = xcalloc(1, sizeof(*r));
    buf_init(&r->body);
    r->head = xstrndup(base, hlen);
    c->req = r;
    conn_consume(c, hlen);
    c->scan = 0;

    p = r->head;
    line = next_line(&p, &bare_cr);
    if (line == NULL || bare_cr)
        return conn_fail(c, 400);
    if ((status = parse_request_line(r, line)) != 0)
        return conn_fail(c, status);
    if ((status = parse_headers(r, &p)) != 0)
        return conn_fail(c, status);
    if (r->http10)
        r->keep_alive = header_has_token(&r->pub, "Connection", "keep-alive");
    else
        r->keep_alive = !header_has_token(&r->pub, "Connection", "close");
    r->head_only = strcmp(r->pub.method, "HEAD") == 0;
    if ((status = conn_body_framing(c, r)) != 0)
        return conn_fail(c, status);
    expect = httpd_header(&r->pub, "Expect");
    if (expect != NULL && !r->http10) {
        if (strcasecmp(expect, "100-continue") != 0)
            return conn_fail(c, 417);
        /* the client waits for this before it sends the body */
        if (c->body_mode != BODY_NONE && c->in.len == c->in_off) {
            buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
            if (!conn_flush(c))
                return PARSE_ERROR;
        }
    }
    if (c->body_mode == BODY_NONE)
        return PARSE_DONE;
    c->state = CONN_BODY;
    return PARSE_NEXT;
}

/* Read one line of chunked framing; NULL if incomplete, *len its full length. */
static const char *
chunk_line(struct httpd_conn *c, size_t *len)
{
    const char *base = c->in.data + c->in_off;
    size_t avail = c->in.len - c->in_off;
    const char *nl = avail > 0 ? memchr(base, '\n', avail) : NULL;

    if (nl == NULL)
        return NULL;
    *len = (size_t)(nl - base) + 1;
    return base;
}

/* Parse a chunk-size line; 0 or the error status. */
static int
parse_chunk_size(const char *line, size_t len, size_t *size)
{
    size_t i = 0, v = 0;
    int digits = 0;

    for (; i < len; i++) {
        char ch = line[i];
        int d;

        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            break;
        if (v > BODY_LIMIT)
            return 413;
        v = v * 16 + (size_t)d;
        digits++;
    }
    if (digits == 0)
        return 400;
    /* what follows: optional white space and extensions, then (CR)LF */
    for (; i < len; i++) {
        if (line[i] == ';')
            break;
        if (line[i] == '\r' || line[i] == '\n')
            break;
        if (line[i] != ' ' && line[i] != '\t')
            return 400;
    }
    *size = v;
    return 0;
}

/* Parse as much of the request body as has arrived; see enum parse_result. */
static enum parse_result
conn_parse_body(struct httpd_conn *c)
{
    struct httpd_request *r = c->req;

    for (;;) {
        const char *base = c->in.data + c->in_off;
        size_t avail = c->in.len - c->in_off;
        size_t take, len, size;
        const char *line;
        int status;

        if (c->body_mode == BODY_LENGTH || c->chunk == CHUNK_DATA) {
            take = avail < c->remaining ? avail : c->remaining;
            if (take > 0) {
                buf_append(&r->body, base, take);
                conn_consume(c, take);
                c->remaining -= take;
            }
            if (c->remaining > 0)
                return PARSE_MORE;
            if (c->body_mode == BODY_LENGTH)
                return PARSE_DONE;
            c->chunk = CHUNK_DATA_END;
            continue;
        }
        switch (c->chunk) {
        case CHUNK_SIZE:
            line = chunk_line(c, &len);
            if (line == NULL)
                return avail > CHUNK_LINE_LIMIT ? conn_fail(c, 400) : PARSE_MORE;
            if ((status = parse_chunk_size(line, len, &size)) != 0)
                return conn_fail(c, status);
            if (size > BODY_LIMIT - r->body.len)
                return conn_fail(c, 413);
            conn_consume(c, len);
            if (size == 0) {
                c->chunk = CHUNK_TRAILER;
            } else {
                c->chunk = CHUNK_DATA;
                c->remaining = size;
                buf_reserve(&r->body, size);
            }
            break;
        case CHUNK_DATA_END:
            if (avail >= 1 && base[0] == '\n') {
                conn_consume(c, 1);
            } else if (avail >= 2 && base[0] == '\r' && base[1] == '\n') {
                conn_consume(c, 2);
            } else if (avail >= 2 || (avail == 1 && base[0] != '\r')) {
                return conn_fail(c, 400);
            } else {
                return PARSE_MORE;
            }
            c->chunk = CHUNK_SIZE;
            break;
        case CHUNK_TRAILER:
            line = chunk_line(c, &len);
            if (line == NULL)
                return avail > CHUNK_LINE_LIMIT ? conn_fail(c, 400) : PARSE_MORE;
            c->trailer_bytes += len;
            if (c->trailer_bytes > HEADER_LIMIT)
                return conn_fail(c, 431);
            conn_consume(c, len);
            if (len == 1 || (len == 2 && line[0] == '\r'))
                return PARSE_DONE;  /* trailer fields are read and ignored */
            break;
        case CHUNK_DATA:
            break;
        }
    }
}

/* Hand the complete request to the handler. */
static void
conn_dispatch(struct httpd_conn *c)
{
    struct httpd *srv = c->srv;
    struct httpd_request *r = c->req;

    r->conn = c;
    r->pub.body = r->body.data != NULL ? r->body.data : "";
    r->pub.body_len = r->body.len;
    r->pub.conn_id = c->id;
    r->pub.received = ev_now(srv->loop);
    c->state = CONN_HANDLING;
    c->body_mode = BODY_NONE;
    pending_link(srv, r);
    if (c->in.len - c->in_off > IN_PAUSE)
        conn_read_stop(c);
    srv->handler(srv, &r->pub, srv->arg);
}

/* Parse and dispatch whatever the input holds, as far as state allows. */
static void
conn_process(struct httpd_conn *c)
{
    if (c->processing || c->dead)
        return;
    c->processing = 1;
    conn_hold(c);
    while (!c->dead && (c->state == CONN_HEAD || c->state == CONN_BODY)) {
        enum parse_result res;

        res = c->state == CONN_HEAD ? conn_parse_head(c) : conn_parse_body(c);
        if (res == PARSE_MORE) {
            if (c->peer_eof)
                conn_close(c);   /* an incomplete request will never complete */
            break;
        }
        if (res == PARSE_DONE)
            conn_dispatch(c);
    }
    if (!c->dead && c->in_off > 0) {
        memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
        c->in.len -= c->in_off;
        c->in_off = 0;
    }
    if (!c->dead && c->in.len == 0 && c->in.cap > 262144)
        buf_free(&c->in);
    c->processing = 0;
    conn_release(c);
}

/* Read watcher: new bytes, end of input, or an error. */
static void
on_read(struct ev_loop *loop, ev_io *w, int revents)
{
    struct httpd_conn *c = w->data;
    struct httpd *srv = c->srv;
    ssize_t n = recv(c->fd, srv->scratch, sizeof(srv->scratch), 0);

    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            conn_close(c);
        return;
    }
    if (n == 0) {
        c->peer_eof = 1;
        conn_read_stop(c);
        if (c->state == CONN_HANDLING || c->state == CONN_WRITING)
            return;          /* answer first, then close */
        if (c->state == CONN_LINGER || c->in.len == c->in_off) {
            conn_close(c);
            return;
        }
        conn_process(c);
        return;
    }
    if (c->discard || c->state == CONN_LINGER)
        return;
    buf_append(&c->in, srv->scratch, (size_t)n);
    if (c->state == CONN_HEAD || c->state == CONN_BODY)
        conn_process(c);
    else if (c->in.len - c->in_off > IN_PAUSE)
        conn_read_stop(c);
}

/* Set up a connection for an accepted socket. */
static void
conn_new(struct httpd *srv, int fd)
{
    struct httpd_conn *c = xcalloc(1, sizeof(*c));

    c->srv = srv;
    c->fd = fd;
    c->id = ++srv->next_id;
    c->state = CONN_HEAD;
    buf_init(&c->in);
    buf_init(&c->out);
    ev_io_init(&c->rio, on_read, fd, EV_READ);
    ev_io_init(&c->wio, on_write, fd, EV_WRITE);
    ev_timer_init(&c->linger, on_linger, LINGER_SECONDS, 0.0);
    c->rio.data = c->wio.data = c->linger.data = c;
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    srv->total_conns++;
    if (srv->nconns > srv->peak_conns)
        srv->peak_conns = srv->nconns;
    conn_read_start(c);
}

/* Retry timer: accepting again after running out of descriptors. */
static void
on_accept_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct httpd *srv = w->data;

    ev_io_start(loop, &srv->accept_w);
}

/* Listening socket watcher: accept every waiting connection. */
static void
on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
    struct httpd *srv = w->data;
    int i, one = 1;

    /* bounded so a flood of connects cannot starve the other watchers;
     * the watcher fires again at once if more are waiting */
    for (i = 0; i < ACCEPT_BATCH; i++) {
        int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* out of descriptors: pause instead of spinning */
                ev_io_stop(loop, &srv->accept_w);
                ev_timer_set(&srv->accept_retry, ACCEPT_RETRY_SECONDS, 0.0);
                ev_timer_start(loop, &srv->accept_retry);
            }
            return;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        conn_new(srv, fd);
    }
}

/* Open, bind and listen on addr:port; the socket or -1 with *err set. */
static int
listen_socket(const char *addr, int port, char **err)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[16];
    int rc, fd = -1, saved = 0, one = 1;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* numeric addresses only: listening must never wait for a name lookup */
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
    snprintf(service, sizeof(service), "%d", port);
    if (addr != NULL && *addr == '\0')
        addr = NULL;
    else if (addr != NULL && strcmp(addr, "localhost") == 0)
        addr = "127.0.0.1";
    rc = getaddrinfo(addr, service, &hints, &res);
    if (rc != 0) {
        *err = xasprintf("cannot listen on %s port %d: %s", addr ? addr : "*", port,
                         gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, LISTEN_BACKLOG) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        *err = xasprintf("cannot listen on %s port %d: %s", addr ? addr : "*", port,
                         strerror(saved ? saved : EADDRNOTAVAIL));
    return fd;
}

/* Start a server listening on addr:port on loop; NULL and *err on failure. */
struct httpd *
httpd_new(struct ev_loop *loop, const char *addr, int port,
          httpd_handler handler, void *arg, char **err)
{
    struct httpd *srv;
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    int fd;

    if (port < 0 || port > 65535) {
        *err = xasprintf("bad port %d", port);
        return NULL;
    }
    fd = listen_socket(addr, port, err);
    if (fd < 0)
        return NULL;
    srv = xcalloc(1, sizeof(*srv));
    srv->loop = loop;
    srv->fd = fd;
    srv->handler = handler;
    srv->arg = arg;
    srv->port = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
        if (ss.ss_family == AF_INET)
            srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    ev_io_init(&srv->accept_w, on_accept, fd, EV_READ);
    srv->accept_w.data = srv;
    ev_timer_init(&srv->accept_retry, on_accept_retry, ACCEPT_RETRY_SECONDS, 0.0);
    srv->accept_retry.data = srv;
    ev_io_start(loop, &srv->accept_w);
    return srv;
}

/* The port the server listens on. */
int
httpd_port(const struct httpd *srv)
{
    return srv->port;
}

/* Number of open connections. */
unsigned
httpd_connections(const struct httpd *srv)
{
    return srv->nconns;
}

/* Number of requests handed to the handler and not yet answered. */
unsigned
httpd_pending(const struct httpd *srv)
{
    return srv->npending;
}

/* Connections accepted and the most open at once, optionally restarting both. */
void
httpd_conn_counts(struct httpd *srv, unsigned long *total, unsigned *peak, int reset)
{
    if (total != NULL)
        *total = srv->total_conns;
    if (peak != NULL)
        *peak = srv->peak_conns;
    if (reset) {
        srv->total_conns = 0;
        srv->peak_conns = srv->nconns;
    }
}

/* Send the response to req (or only free it if its connection is gone). */
void
httpd_respond(struct httpd *srv, struct httpd_req *req, int status,
              const char *extra_headers, const char *content_type,
              const char *body, size_t body_len)
{
    struct httpd_request *r = (struct httpd_request *)req;
    struct httpd_conn *c = r->conn;

    pending_unlink(srv, r);
    if (c == NULL) {
        request_free(r);
        return;
    }
    if (status < 200 || status > 999)
        status = 500;
    c->req = NULL;
    c->keep_alive = r->keep_alive;
    if (extra_headers != NULL && strcasestr(extra_headers, "Connection: close") != NULL)
        c->keep_alive = 0;
    append_head(&c->out, status, c->keep_alive, r->http10, extra_headers, content_type,
                body != NULL ? body_len : 0);
    if (body != NULL && body_len > 0 && !r->head_only && !status_has_no_body(status))
        buf_append(&c->out, body, body_len);
    request_free(r);
    c->state = CONN_WRITING;
    conn_flush(c);
}

/* Stop listening, close every connection, free pending requests and the server. */
void
httpd_free(struct httpd *srv)
{
    if (srv == NULL)
        return;
    ev_io_stop(srv->loop, &srv->accept_w);
    ev_timer_stop(srv->loop, &srv->accept_retry);
    close(srv->fd);
    while (srv->conns != NULL)
        conn_close(srv->conns);
    while (srv->pending != NULL) {
        struct httpd_request *r = srv->pending;

        pending_unlink(srv, r);
        request_free(r);
    }
    free(srv);
}
