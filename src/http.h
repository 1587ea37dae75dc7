/*
 * http.h: the HTTP layer between tasks and libcurl: per-task prepared
 * requests (URL, header list, body), per-handle setup, turning a finished
 * transfer into a result (status, times, bytes, failure and its reason),
 * and the pre-flight check that the host can be reached.
 */
#ifndef CICADA_HTTP_H
#define CICADA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "scenario.h"
#include "settings.h"
#include "template.h"
#include "util.h"

/* Failure kinds, as stored in the statistics' error keys. */
enum http_error_kind {
    HTTP_ERR_TRANSPORT = 1,  /* code = CURLcode, detail = errno */
    HTTP_ERR_STATUS = 2,     /* code = HTTP status */
    HTTP_ERR_CHECK = 3,      /* code = the check's number (see http_result), detail = why */
    HTTP_ERR_UNSAFE = 4,     /* not sent: code = header line + 1, or -1 for the URL */
    HTTP_ERR_ABANDONED = 5,  /* on the wire when the run stopped without waiting for it */
};

/* Global libcurl setup and teardown (once per process). */
void http_global_init(void);
void http_global_cleanup(void);
/* Which allocator libcurl was given, for --version. */
const char *http_allocator(void);

/* Prepare every task of the scenario (after every scenario_prepare; prepares again). */
void http_prepare(struct scenario *sc);
void http_unprepare(struct scenario *sc);

struct aws_conn;

/* What one user's handle needs besides the task: its buffers are reused. */
struct http_conn {
    CURL *easy;
    const struct settings *settings;
    const struct task *task; /* the task the handle is set up for (the request in flight's) */
    unsigned generation;     /* of the preparation it was set up from */
    uint64_t body_bytes;     /* response body bytes of the current request */
    char errbuf[CURL_ERROR_SIZE];
    struct buf url;          /* expanded templates */
    struct buf body;
    struct buf *hdr;         /* one per header line */
    struct curl_slist *hnodes;
    size_t hcap;
    struct buf resp;         /* response body, when checks or captures need it */
    bool keep_body;
    bool truncated;
    struct buf *captured;    /* header captures of the task, by capture index */
    bool *found;
    size_t ccap;
    /* what went on the wire for the current request (http_conn_dead, http_conn_again) */
    unsigned sends;          /* times the request was put on the wire (libcurl's pre-request calls) */
    unsigned resends;        /* of which sent again after a connection died without answering */
    long connects;           /* connections the transfer had opened at the last send */
    bool reused;             /* the last send went out on a connection kept from before */
    bool answered;           /* a response header arrived since the last send */
    bool refused;            /* a second send of the request was refused (not sent) */
    bool fresh;              /* CURLOPT_FRESH_CONNECT is set (a resend) */
    bool idempotent;         /* the method may be sent again: GET, HEAD, OPTIONS */
    uint64_t prior_us;       /* time spent on attempts before a resend */
    int unsafe;              /* set_task refused: header line + 1, or -1 for the URL */
    bool stale;              /* a kept connection had a close or stray bytes waiting: not sent */
    unsigned stale_count;    /* times that happened to this request */
    /* the socket of the connection with this local port, or -1 (set by the owner) */
    int (*sock_of_port)(void *ctx, long local_port);
    void *sock_ctx;
    struct aws_conn *aws;    /* SigV4 state (aws.c), on the first signed request */
    bool aws_failed;         /* an AWS task answered an error status: its error type is read */
    struct buf aws_hdr;      /* x-amzn-ErrorType of the current answer */
    char aws_type[72];       /* the error type of the last failed AWS answer ("" none) */
    long aws_orig;           /* its OriginalStatusCode (0 none) */
};

/* Create the handle with the options that never change between requests. */
void http_conn_init(struct http_conn *c, const struct settings *s, void *owner);
void http_conn_free(struct http_conn *c);

/*
 * Set the per-request options for task t, expanding its templates for the
 * user rt describes (buffers grow to the largest request, then are reused).
 * A prepared task never changes, so the handle keeps the options of the
 * task it sent last and sets again only what its templates change.
 * Returns false, and sets unsafe, when an expanded header line or URL holds
 * a CR, LF or NUL: the request must not be sent (HTTP_ERR_UNSAFE).
 */
bool http_conn_set_task(struct http_conn *c, const struct task *t, const struct tmpl_rt *rt);

/*
 * Did the request die with its connection, before any byte of an answer,
 * on a connection kept from an earlier request (the server closed or reset
 * a keep-alive connection as the request went out)? libcurl's own silent
 * resend of such a request is refused before it goes out (CURLOPT_PREREQFUNCTION),
 * except once for the safe methods, where it is counted (resends).
 */
bool http_conn_dead(const struct http_conn *c, CURLcode rc);

/*
 * Should the finished transfer go out again, on a new connection? Yes when
 * it was not sent at all (the kept connection it was to use turned out
 * closed, or held bytes nobody asked for, such as an unsolicited 408), and
 * when http_conn_dead and the method is safe and was not resent before
 * (counted in resends). Returns true with the handle ready; the caller
 * adds it to its multi handle again.
 */
bool http_conn_again(struct http_conn *c, CURLcode rc);

/* Which check or capture of the task failed (HTTP_ERR_CHECK). */
struct http_failed_check {
    bool capture;            /* an entry of t->captures, else of t->checks */
    unsigned index;          /* in that array */
};

/*
 * A failure is counted under the key (task's entry, kind, code, detail), so
 * failures with the same key share one reason in the error report.
 */
struct http_result {
    long status;             /* 0 when no response */
    uint64_t total_us;
    uint64_t ttfb_us;
    uint64_t bytes;
    bool failed;
    int kind;                /* enum http_error_kind when failed */
    long code;               /* with HTTP_ERR_CHECK: a number http_prepare gave that check or
                                capture, distinct over the scenario (tasks may share an entry) */
    long detail;             /* with HTTP_ERR_STATUS: 0, or aws_error_key of AWS's error type */
    struct http_failed_check check; /* with HTTP_ERR_CHECK */
    unsigned resends;        /* times the request was sent again (counted, not new requests) */
    bool throttled;          /* a failure by throttling: 429, 503, or AWS's throttling types */
};

/* Read the outcome of a finished transfer. */
void http_result_read(struct http_conn *c, const struct task *t, CURLcode rc,
                      struct http_result *r);

/*
 * Run the task's checks and captures on a successful response: a failed
 * check marks r failed (HTTP_ERR_CHECK); captures store into vars.
 */
void http_inspect(struct http_conn *c, const struct task *t, struct http_result *r,
                  struct buf *vars);

/*
 * Human-readable reason of a failure of task t (may be NULL), e.g.
 * "HTTP 503", "HTTP 200 (expected 201)", "Connection refused". Returns
 * true when the text is libcurl's, whose numbers vary from one failure to
 * the next ("transfer closed with 5120 bytes remaining to read").
 */
bool http_describe(const struct http_result *r, const struct http_conn *c,
                   const struct settings *s, const struct task *t, char *buf, size_t size);

/*
 * Connect once to the host (TCP, and TLS for https) without sending a
 * request. Returns 0, or -1 with *err (allocated) saying why not.
 */
int http_preflight(const char *url, const struct settings *s, char **err);

#endif
