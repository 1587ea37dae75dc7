/*
 * httpd.c: the HTTP server declared in httpd.h, on GNU libmicrohttpd (MHD)
 * driven from the caller's libev loop.
 *
 * MHD parses requests (framing, chunked bodies, Expect: 100-continue,
 * keep-alive, pipelining, limits) and writes responses; this file adapts
 * it to the httpd.h contract:
 *  - MHD runs with its own epoll set and no thread of its own: one ev_io
 *    watches MHD's epoll descriptor and one ev_timer follows
 *    MHD_get_timeout; both call MHD_run on the loop's thread;
 *  - a request is copied into a struct httpd_request of ours (method,
 *    target as sent, version, headers, body) before the handler sees it,
 *    so it stays valid until httpd_respond even if MHD drops the
 *    connection meanwhile;
 *  - a handler that answers at once has its response queued before the
 *    access handler returns; otherwise the connection is suspended, and
 *    httpd_respond keeps the response and resumes it (MHD then calls the
 *    access handler again, which queues it);
 *  - if MHD ends a request the handler still owns (the client went away,
 *    or the server stops), the request is orphaned and httpd_respond only
 *    frees it; a suspended connection is not watched by MHD, so a client
 *    that leaves while its answer is delayed is noticed when it is
 *    answered;
 *  - connection ids and counts come from MHD's connection notifications.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <microhttpd.h>

#include "httpd.h"
#include "util.h"

#define HEADER_LIMIT (64u * 1024u)            /* MHD's per-connection memory (head and buffers) */
#define BODY_LIMIT (64u * 1024u * 1024u)      /* request body: 413 above */
#define LISTEN_BACKLOG 4096
#define CONNECTION_LIMIT 1000000u             /* the descriptor limit is the real bound */

/* A request as the server keeps it; pub is what the handler sees. */
struct httpd_request {
    struct httpd_req pub;            /* first member: httpd_req * casts back */
    struct httpd *srv;
    struct MHD_Connection *conn;     /* NULL once MHD has ended the request */
    char *target;                    /* the request target as sent */
    char *strings;                   /* method, version and header copies */
    struct buf body;
    int dispatched;                  /* the handler owns it */
    int suspended;                   /* the connection waits for httpd_respond */
    int too_large;                   /* the body passed BODY_LIMIT */
    int in_handler;                  /* the handler is on the stack */
    int answered;                    /* httpd_respond was called */
    struct MHD_Response *resp;       /* answered, not yet queued */
    unsigned status;
    struct httpd_request *prev, *next;   /* the server's pending list */
};

/* What the server keeps per TCP connection. */
struct httpd_conn {
    unsigned long id;
    char *uri;                       /* the next request's target, from the URI log */
};

struct httpd {
    struct ev_loop *loop;
    struct MHD_Daemon *mhd;
    int port;
    ev_io io;                        /* MHD's epoll descriptor */
    ev_timer timer;                  /* MHD's next timeout, or 0 to run again */
    int running;                     /* MHD_run is on the stack */
    httpd_handler handler;
    void *arg;
    unsigned nconns;
    unsigned peak_conns;
    unsigned long total_conns;
    unsigned long next_id;
    struct httpd_request *pending;
};

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

/* Put a dispatched request on the server's pending list. */
static void
pending_link(struct httpd *srv, struct httpd_request *r)
{
    r->prev = NULL;
    r->next = srv->pending;
    if (srv->pending != NULL)
        srv->pending->prev = r;
    srv->pending = r;
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
}

/* Free a request and everything it owns. */
static void
request_free(struct httpd_request *r)
{
    if (r->resp != NULL)
        MHD_destroy_response(r->resp);
    free(r->target);
    free(r->strings);
    buf_free(&r->body);
    free(r);
}

/* Run MHD now, then set the timer for its next deadline. */
static void
server_run(struct httpd *srv)
{
    MHD_UNSIGNED_LONG_LONG ms = 0;

    srv->running = 1;
    MHD_run(srv->mhd);
    srv->running = 0;
    ev_timer_stop(srv->loop, &srv->timer);
    if (MHD_get_timeout(srv->mhd, &ms) == MHD_YES) {
        ev_timer_set(&srv->timer, (double)ms / 1000.0, 0.0);
        ev_timer_start(srv->loop, &srv->timer);
    }
}

/* MHD's epoll descriptor is ready. */
static void
on_io(struct ev_loop *loop, ev_io *w, int revents)
{
    server_run(w->data);
}

/* MHD's timeout passed, or work was left for the next round. */
static void
on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    server_run(w->data);
}

/* Ask for an MHD_run on the next loop iteration. */
static void
server_kick(struct httpd *srv)
{
    ev_timer_stop(srv->loop, &srv->timer);
    ev_timer_set(&srv->timer, 0.0, 0.0);
    ev_timer_start(srv->loop, &srv->timer);
}

/* The per-connection state MHD keeps for us. */
static struct httpd_conn *
conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci != NULL ? ci->socket_context : NULL;
}

/* MHD: a connection opened or closed. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
    struct httpd *srv = cls;
    struct httpd_conn *c = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        c = xcalloc(1, sizeof(*c));
        c->id = ++srv->next_id;
        *socket_context = c;
        srv->nconns++;
        srv->total_conns++;
        if (srv->nconns > srv->peak_conns)
            srv->peak_conns = srv->nconns;
    } else if (c != NULL) {
        srv->nconns--;
        free(c->uri);
        free(c);
        *socket_context = NULL;
    }
}

/* MHD: a request line arrived; keep its target as sent (MHD decodes its own copy). */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct httpd_conn *c = conn_of(conn);

    if (c != NULL) {
        free(c->uri);
        c->uri = xstrdup(uri);
    }
    return NULL;
}

/* Header iterator state: sizes first, then copies. */
struct header_walk {
    struct httpd_request *r;
    char *out;                       /* NULL while measuring */
    size_t len;
};

/* MHD_get_connection_values iterator: measure or copy one header. */
static enum MHD_Result
walk_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct header_walk *w = cls;
    struct httpd_req *pub = &w->r->pub;
    size_t klen = strlen(key), vlen = value != NULL ? strlen(value) : 0;

    /* MHD drops leading white space of a value; drop the trailing too */
    while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
        vlen--;

    if (pub->nheaders >= HTTPD_MAX_HEADERS)
        return MHD_NO;
    if (w->out == NULL) {
        w->len += klen + vlen + 2;
        pub->nheaders++;
        return MHD_YES;
    }
    memcpy(w->out, key, klen + 1);
    pub->headers[pub->nheaders].name = w->out;
    w->out += klen + 1;
    if (vlen > 0)
        memcpy(w->out, value, vlen);
    w->out[vlen] = '\0';
    pub->headers[pub->nheaders].value = w->out;
    w->out += vlen + 1;
    pub->nheaders++;
    return MHD_YES;
}

/* A new request: copy what the handler will read out of MHD's memory. */
static struct httpd_request *
request_new(struct httpd *srv, struct MHD_Connection *conn, const char *url,
            const char *method, const char *version)
{
    struct httpd_request *r = xcalloc(1, sizeof(*r));
    struct httpd_conn *c = conn_of(conn);
    struct header_walk w = { r, NULL, 0 };
    size_t mlen = strlen(method), vlen = strlen(version);

    r->srv = srv;
    r->conn = conn;
    buf_init(&r->body);
    if (c != NULL && c->uri != NULL) {
        r->target = c->uri;
        c->uri = NULL;
    } else {
        r->target = xstrdup(url);
    }
    r->pub.conn_id = c != NULL ? c->id : 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, walk_header, &w);
    r->strings = xmalloc(mlen + vlen + 2 + w.len);
    memcpy(r->strings, method, mlen + 1);
    memcpy(r->strings + mlen + 1, version, vlen + 1);
    w.out = r->strings + mlen + vlen + 2;
    r->pub.nheaders = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, walk_header, &w);
    r->pub.method = r->strings;
    r->pub.version = r->strings + mlen + 1;
    r->pub.target = r->target;
    return r;
}

/* Build the MHD response for the handler's answer; NULL if MHD refuses. */
static struct MHD_Response *
response_build(const char *extra_headers, const char *content_type,
               const char *body, size_t body_len)
{
    struct MHD_Response *resp;
    const char *p;

    resp = MHD_create_response_from_buffer(body != NULL ? body_len : 0,
                                           (void *)(body != NULL ? body : ""),
                                           MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return NULL;
    if (content_type != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    /* extra header lines: "Name: value\r\n" each */
    for (p = extra_headers; p != NULL && *p != '\0';) {
        const char *eol = strchr(p, '\n'), *colon;
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        char *line;

        if (len > 0 && p[len - 1] == '\r')
            len--;
        line = xstrndup(p, len);
        colon = strchr(line, ':');
        if (colon != NULL && colon > line) {
            char *value = line + (colon - line) + 1;

            line[colon - line] = '\0';
            while (*value == ' ' || *value == '\t')
                value++;
            MHD_add_response_header(resp, line, value);
        }
        free(line);
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return resp;
}

/* Queue a stored answer on its connection. */
static enum MHD_Result
request_queue(struct MHD_Connection *conn, struct httpd_request *r)
{
    enum MHD_Result rc = MHD_queue_response(conn, r->status, r->resp);

    MHD_destroy_response(r->resp);
    r->resp = NULL;
    return rc;
}

/* Answer a request the server rejects itself. */
static enum MHD_Result
request_reject(struct MHD_Connection *conn, unsigned status)
{
    char body[128];
    int n = snprintf(body, sizeof(body), "{\"error\":\"%s\",\"status\":%u}\n",
                     httpd_reason((int)status), status);
    struct MHD_Response *resp = response_build("Connection: close\r\n", "application/json",
                                               body, (size_t)n);
    enum MHD_Result rc;

    if (resp == NULL)
        return MHD_NO;
    rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* MHD: the head, a piece of the body, the end of the request, or a resumed answer. */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size,
           void **req_cls)
{
    struct httpd *srv = cls;
    struct httpd_request *r = *req_cls;

    if (r == NULL) {
        /* the head: later calls bring the body, then the end */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);

        if (cl != NULL && strtoull(cl, NULL, 10) > BODY_LIMIT)
            return request_reject(conn, 413);
        *req_cls = request_new(srv, conn, url, method, version);
        return MHD_YES;
    }
    if (r->dispatched) {
        /* resumed: the answer is here */
        r->suspended = 0;
        if (r->resp == NULL)
            return MHD_NO;
        return request_queue(conn, r);
    }
    if (*upload_data_size > 0) {
        if (!r->too_large && *upload_data_size <= BODY_LIMIT - r->body.len)
            buf_append(&r->body, upload_data, *upload_data_size);
        else
            r->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return request_reject(conn, 413);

    /* complete: the handler owns it until httpd_respond */
    r->pub.body = r->body.data != NULL ? r->body.data : "";
    r->pub.body_len = r->body.len;
    r->pub.received = ev_now(srv->loop);
    r->dispatched = 1;
    pending_link(srv, r);
    r->in_handler = 1;
    srv->handler(srv, &r->pub, srv->arg);
    r->in_handler = 0;
    if (r->resp != NULL)
        return request_queue(conn, r);
    MHD_suspend_connection(conn);
    r->suspended = 1;
    return MHD_YES;
}

/* MHD: a request ended (answered, failed, or its connection closed). */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
             enum MHD_RequestTerminationCode toe)
{
    struct httpd_request *r = *req_cls;

    if (r == NULL)
        return;
    *req_cls = NULL;
    if (r->dispatched && !r->answered) {
        r->conn = NULL;              /* the handler still owns it */
        r->suspended = 0;
        return;
    }
    request_free(r);                 /* answered, or never reached the handler */
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
    const union MHD_DaemonInfo *info;
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
    srv->handler = handler;
    srv->arg = arg;
    srv->port = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
        if (ss.ss_family == AF_INET)
            srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    srv->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0,
                                NULL, NULL, on_request, srv,
                                MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_LIMIT,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0,
                                MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
                                MHD_OPTION_END);
    if (srv->mhd == NULL) {
        *err = xasprintf("cannot start the HTTP server on port %d", srv->port);
        close(fd);
        free(srv);
        return NULL;
    }
    info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (info == NULL || info->epoll_fd < 0) {
        *err = xasprintf("cannot start the HTTP server on port %d: no epoll", srv->port);
        MHD_stop_daemon(srv->mhd);
        free(srv);
        return NULL;
    }
    ev_io_init(&srv->io, on_io, info->epoll_fd, EV_READ);
    srv->io.data = srv;
    ev_io_start(loop, &srv->io);
    ev_timer_init(&srv->timer, on_timer, 0.0, 0.0);
    srv->timer.data = srv;
    server_kick(srv);
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

    pending_unlink(srv, r);
    r->answered = 1;
    if (r->conn == NULL) {
        request_free(r);
        return;
    }
    if (status < 200 || status > 999)
        status = 500;
    r->status = (unsigned)status;
    r->resp = response_build(extra_headers, content_type, body, body_len);
    if (r->in_handler)
        return;                      /* on_request queues it when the handler returns */
    MHD_resume_connection(r->conn);
    if (!srv->running)
        server_kick(srv);
}

/* Stop listening, close every connection, free pending requests and the server. */
void
httpd_free(struct httpd *srv)
{
    if (srv == NULL)
        return;
    struct httpd_request *r;

    ev_io_stop(srv->loop, &srv->io);
    ev_timer_stop(srv->loop, &srv->timer);
    /* MHD must not stop with suspended connections: resume them unanswered
     * (on_request then closes them) and let MHD see that once */
    for (r = srv->pending; r != NULL; r = r->next)
        if (r->suspended && r->conn != NULL)
            MHD_resume_connection(r->conn);
    MHD_run(srv->mhd);
    MHD_stop_daemon(srv->mhd);
    while ((r = srv->pending) != NULL) {
        pending_unlink(srv, r);
        request_free(r);
    }
    free(srv);
}
