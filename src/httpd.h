/*
 * httpd.h: an HTTP/1.1 server on a libev loop (GNU libmicrohttpd underneath),
 * for the embedded demo target and the test target. Keep-alive, request
 * bodies, one request at a time per connection; a handler may answer at once
 * or later (after a timer), which is how service time and queues are
 * modelled. Everything runs on the loop's thread.
 */
#ifndef CICADA_HTTPD_H
#define CICADA_HTTPD_H

#include <stddef.h>
#include <ev.h>

struct httpd;

struct httpd_header {
    const char *name;
    const char *value;
};

#define HTTPD_MAX_HEADERS 64

struct httpd_req {
    const char *method;
    const char *target;          /* path and query, as sent */
    const char *version;         /* "HTTP/1.1" */
    struct httpd_header headers[HTTPD_MAX_HEADERS];
    int nheaders;
    const char *body;            /* NUL-terminated copy, length body_len */
    size_t body_len;
    unsigned long conn_id;       /* distinct per TCP connection */
    double received;             /* ev_now when the request was complete */
    void *user;                  /* free for the handler's use */
};

/*
 * Called once per complete request. The handler must call httpd_respond
 * exactly once, now or later; until then req stays valid. If the client
 * goes away first, httpd_respond still must be called (it then only frees).
 */
typedef void (*httpd_handler)(struct httpd *srv, struct httpd_req *req, void *arg);

/*
 * Listen on addr:port (port 0 = a free port) on loop. Returns NULL and sets
 * *err (allocated) on failure.
 */
struct httpd *httpd_new(struct ev_loop *loop, const char *addr, int port,
                        httpd_handler handler, void *arg, char **err);

int httpd_port(const struct httpd *srv);

/* Case-insensitive header lookup; NULL if absent. */
const char *httpd_header(const struct httpd_req *req, const char *name);

/*
 * Send the response: status, optional extra header lines ("Name: value\r\n"
 * each, may be NULL), a content type (may be NULL) and the body.
 */
void httpd_respond(struct httpd *srv, struct httpd_req *req, int status,
                   const char *extra_headers, const char *content_type,
                   const char *body, size_t body_len);

/* Number of open connections. */
unsigned httpd_connections(const struct httpd *srv);

/* Added for tests/target: connections accepted and most open at once since the last reset (reset != 0 restarts both). */
void httpd_conn_counts(struct httpd *srv, unsigned long *total, unsigned *peak, int reset);

/* Stop listening, close every connection and free the server. */
void httpd_free(struct httpd *srv);

/* Standard reason phrase ("OK", "Service Unavailable", ...). */
const char *httpd_reason(int status);

#endif
