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

/* Failure kinds, as stored in the statistics' error keys. */
enum http_error_kind {
    HTTP_ERR_TRANSPORT = 1,  /* code = CURLcode, detail = errno */
    HTTP_ERR_STATUS = 2,     /* code = HTTP status */
};

/* Global libcurl setup and teardown (once per process). */
void http_global_init(void);
void http_global_cleanup(void);

/* Prepare every task of the scenario (after every scenario_prepare; prepares again). */
void http_prepare(struct scenario *sc);
void http_unprepare(struct scenario *sc);

/* What one user's handle needs besides the task. */
struct http_conn {
    CURL *easy;
    const struct task *task; /* the task the handle is set up for */
    unsigned generation;     /* of the preparation it was set up from */
    uint64_t body_bytes;     /* response body bytes of the current request */
    char errbuf[CURL_ERROR_SIZE];
};

/* Create the handle with the options that never change between requests. */
void http_conn_init(struct http_conn *c, const struct settings *s, void *owner);
void http_conn_free(struct http_conn *c);

/*
 * Set the per-request options for task t (no allocation by cicada); a
 * prepared task never changes, so the handle keeps the options of the
 * task it sent last and this only resets the counters when t is the same.
 */
void http_conn_set_task(struct http_conn *c, const struct task *t);

struct http_result {
    long status;             /* 0 when no response */
    uint64_t total_us;
    uint64_t ttfb_us;
    uint64_t bytes;
    bool failed;
    int kind;                /* enum http_error_kind when failed */
    long code;
    long detail;
};

/* Read the outcome of a finished transfer. */
void http_result_read(struct http_conn *c, const struct task *t, CURLcode rc,
                      struct http_result *r);

/*
 * Human-readable reason of a failure of task t (may be NULL), e.g.
 * "HTTP 503", "HTTP 200 (expected 201)", "Connection refused".
 */
void http_describe(const struct http_result *r, const struct http_conn *c,
                   const struct settings *s, const struct task *t, char *buf, size_t size);

/*
 * Connect once to the host (TCP, and TLS for https) without sending a
 * request. Returns 0, or -1 with *err (allocated) saying why not.
 */
int http_preflight(const char *url, const struct settings *s, char **err);

#endif
