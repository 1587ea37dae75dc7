/*
 * test_http.c: the HTTP layer (http.c) as the worker uses it, one easy
 * handle per user, against tserver (a tiny server on 127.0.0.1 that
 * counts what it reads): how a task becomes a request (method, URL joined
 * with the host, headers, templated body), how an outcome is classified
 * (status, expected statuses, a connection closed without an answer), the
 * resend rules of issue 14 (a request the server read and did not answer
 * is a failure; POST, PUT, PATCH and DELETE are never sent again; a GET is
 * sent again once, on a new connection, and counted), the refusal to send
 * a CR, LF or NUL from a template value, and which reasons carry numbers
 * that vary (grouped by the statistics).
 *
 * A transfer runs with curl_easy_perform, then again while
 * http_conn_again says so, as the worker's loop does with its multi handle.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "http.h"
#include "rng.h"
#include "scenario.h"
#include "settings.h"
#include "stats.h"
#include "template.h"
#include "util.h"
#include "tserver.h"

static struct tserver ts;

/* A loaded and prepared scenario, and a user's handle and variables. */
struct env {
    struct scenario sc;
    struct settings s;
    struct stats st;
    struct http_conn conn;
    struct buf vars[8];
    uint64_t rng[4];
};

/* Load text (host: the test server, with base appended), prepare it, make a handle. */
static void
env_load(struct env *e, const char *text, const char *base)
{
    char *err = NULL, host[128];
    size_t i;

    memset(e, 0, sizeof(*e));
    settings_init(&e->s);
    e->s.timeout = 20;
    e->s.connect_timeout = 10;
    if (scenario_load(&e->sc, "h.ini", text, &e->s, &err) < 0)
        fail_msg("%s", err);
    stats_init(&e->st);
    snprintf(host, sizeof(host), "%s%s", ts.url, base);
    if (scenario_prepare(&e->sc, host, &e->st, &err) < 0)
        fail_msg("%s", err);
    http_prepare(&e->sc);
    http_conn_init(&e->conn, &e->s, NULL);
    for (i = 0; i < 8; i++)
        buf_init(&e->vars[i]);
    assert_true(tmpl_lib_nvars(e->sc.lib) <= 8);
    rng_seed(e->rng, 7);
    tserver_reset(&ts);
}

static void
env_free(struct env *e)
{
    size_t i;

    http_conn_free(&e->conn);
    http_unprepare(&e->sc);
    scenario_free(&e->sc);
    stats_free(&e->st);
    settings_free(&e->s);
    for (i = 0; i < 8; i++)
        buf_free(&e->vars[i]);
}

static const struct task *
task(struct env *e, const char *id)
{
    const struct user_class *c = &e->sc.classes[0];
    size_t j;

    for (j = 0; j < c->ntasks; j++)
        if (strcmp(c->tasks[j].id, id) == 0)
            return &c->tasks[j];
    fail_msg("no task %s", id);
    return NULL;
}

/* Set a user's variable. */
static void
set_var(struct env *e, const char *name, const char *value, size_t len)
{
    int i = tmpl_lib_var_index(e->sc.lib, name);

    assert_true(i >= 0);
    e->vars[i].len = 0;
    buf_append(&e->vars[i], value, len);
}

/*
 * Send task id as a user would; false if it was refused before sending
 * (r then holds the refusal, as the worker records it).
 */
static bool
send_task(struct env *e, const char *id, struct http_result *r)
{
    const struct task *t = task(e, id);
    struct tmpl_rt rt = { e->rng, e->vars };
    CURLcode rc;

    if (!http_conn_set_task(&e->conn, t, &rt)) {
        memset(r, 0, sizeof(*r));
        r->failed = true;
        r->kind = HTTP_ERR_UNSAFE;
        r->code = e->conn.unsafe;
        return false;
    }
    do
        rc = curl_easy_perform(e->conn.easy);
    while (http_conn_again(&e->conn, rc));
    http_result_read(&e->conn, t, rc, r);
    http_inspect(&e->conn, t, r, e->vars);
    return true;
}

/* The reason of a failed result; returns http_describe's "numbers vary". */
static bool
reason(struct env *e, const char *id, const struct http_result *r, char *buf, size_t size)
{
    return http_describe(r, &e->conn, &e->s, task(e, id), buf, size);
}

static void
expect_ok(struct env *e, const char *id)
{
    struct http_result r;
    char why[256] = "";

    assert_true(send_task(e, id, &r));
    if (r.failed) {
        reason(e, id, &r, why, sizeof(why));
        fail_msg("task %s failed: %s", id, why);
    }
    assert_int_equal(r.status, 200);
    assert_int_equal(r.resends, 0);
}

/* The last request the server read holds (or not) text. */
static void
expect_last(const char *text, bool present)
{
    char last[8192];

    tserver_last(&ts, last, sizeof(last));
    if ((strstr(last, text) != NULL) != present)
        fail_msg("%s \"%s\" in:\n%s", present ? "no" : "unwanted", text, last);
}

static void
test_request_building(void **state)
{
    struct env e;
    char text[2048], want[128];

    (void)state;
    snprintf(text, sizeof(text),
             "[user U]\n"
             "header = Accept: application/x-test\n"
             "header = X-Class: from-class\n"
             "[task U get]\npath = /items?page=2\nheader = X-Class: from-task\n"
             "[task U post]\npath = /post\nbody = {\"n\": {{int 7 7}}, \"who\": \"{{var who}}\"}\n"
             "[task U put]\nmethod = put\npath = /put\nbody = x\n"
             "[task U patch]\nmethod = PATCH\npath = /patch\nbody = {}\n"
             "header = Content-Type: application/json\n"
             "[task U delete]\nmethod = DELETE\npath = /del\n"
             "[task U head]\nmethod = HEAD\npath = /head\n"
             "[task U full]\npath = %s/full\n"
             "[task U tmpl]\npath = /u/{{int 42 42}}/{{var who}}\n"
             "header = Authorization: Bearer {{var who}}\n"
             "[task U login]\npath = /login\ncapture = who header X-Who\n",
             ts.url);
    env_load(&e, text, "/base//");
    set_var(&e, "who", "ann", 3);

    expect_ok(&e, "get");
    expect_last("GET /base/items?page=2 HTTP/1.1\r\n", true);
    snprintf(want, sizeof(want), "\r\nHost: 127.0.0.1:%d\r\n", ts.port);
    expect_last(want, true);
    expect_last("\r\nAccept: application/x-test\r\n", true);
    expect_last("\r\nX-Class: from-task\r\n", true);     /* the task's replaces the class's */
    expect_last("from-class", false);
    expect_last("\r\nUser-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION "\r\n", true);
    assert_int_equal(tserver_path_count(&ts, "/base/items"), 1);

    expect_ok(&e, "post");                               /* a body and no method: POST */
    expect_last("POST /base/post HTTP/1.1\r\n", true);
    expect_last("\r\nContent-Length: 22\r\n", true);
    expect_last("\r\n\r\n{\"n\": 7, \"who\": \"ann\"}", true);
    expect_last("Expect:", false);                       /* no 100-continue */
    expect_last("Content-Type", false);                  /* none made up */

    expect_ok(&e, "put");
    expect_last("PUT /base/put HTTP/1.1\r\n", true);
    expect_last("\r\nContent-Length: 1\r\n\r\nx", true);
    expect_ok(&e, "patch");
    expect_last("PATCH /base/patch HTTP/1.1\r\n", true);
    expect_last("\r\nContent-Type: application/json\r\n", true);
    expect_ok(&e, "delete");
    expect_last("DELETE /base/del HTTP/1.1\r\n", true);
    expect_last("Content-Length", false);
    expect_ok(&e, "head");
    expect_last("HEAD /base/head HTTP/1.1\r\n", true);
    expect_ok(&e, "full");                               /* a full URL leaves the host out */
    expect_last("GET /full HTTP/1.1\r\n", true);
    expect_ok(&e, "tmpl");
    expect_last("GET /base/u/42/ann HTTP/1.1\r\n", true);
    expect_last("\r\nAuthorization: Bearer ann\r\n", true);
    /* the same task again with another value: the handle expands again */
    set_var(&e, "who", "bob", 3);
    expect_ok(&e, "tmpl");
    expect_last("GET /base/u/42/bob HTTP/1.1\r\n", true);
    expect_last("\r\nAuthorization: Bearer bob\r\n", true);

    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 9);
        assert_int_equal(n.answered, 9);
        assert_int_equal(n.connections, 1);                 /* one kept connection throughout */
    }
    env_free(&e);
}

static void
test_status_classification(void **state)
{
    struct env e;
    struct http_result r;
    char why[256];

    (void)state;
    env_load(&e, "[task s503]\npath = /status/503\n"
                 "[task s500]\npath = /status/500\n"
                 "[task s302]\npath = /status/302\nfollow_redirects = false\n"
                 "[task want201]\npath = /status/200\nexpect_status = 201, 5xx\n"
                 "[task want404]\npath = /status/404\nexpect_status = 404\n"
                 "[task body]\npath = /\nexpect_body = nope\n", "");

    assert_true(send_task(&e, "s503", &r));
    assert_true(r.failed);
    assert_int_equal(r.kind, HTTP_ERR_STATUS);
    assert_int_equal(r.code, 503);
    assert_true(r.throttled);
    assert_false(reason(&e, "s503", &r, why, sizeof(why)));
    assert_string_equal(why, "HTTP 503");

    assert_true(send_task(&e, "s500", &r));
    assert_true(r.failed);
    assert_false(r.throttled);

    assert_true(send_task(&e, "s302", &r));               /* 3xx is not a failure */
    assert_false(r.failed);
    assert_int_equal(r.status, 302);

    assert_true(send_task(&e, "want201", &r));
    assert_true(r.failed);
    reason(&e, "want201", &r, why, sizeof(why));
    assert_string_equal(why, "HTTP 200 (expected 201, 500-599)");

    assert_true(send_task(&e, "want404", &r));
    assert_false(r.failed);

    assert_true(send_task(&e, "body", &r));               /* the answer is "ok" */
    assert_true(r.failed);
    assert_int_equal(r.kind, HTTP_ERR_CHECK);
    reason(&e, "body", &r, why, sizeof(why));
    assert_non_null(strstr(why, "nope"));

    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 6);
    }
    env_free(&e);
}

/* A request read and closed without an answer on a new connection: a failure, not resent. */
static void
test_unanswered_is_failure(void **state)
{
    static const char *const ids[] = { "get", "post", "rget", "rpost" };
    struct env e;
    struct http_result r;
    char why[256];
    size_t i;

    (void)state;
    env_load(&e, "[task get]\npath = /drop\n[task post]\npath = /drop\nbody = b\n"
                 "[task rget]\npath = /reset\n[task rpost]\npath = /reset\nbody = b\n", "");
    for (i = 0; i < 4; i++) {
        assert_true(send_task(&e, ids[i], &r));
        assert_true(r.failed);
        assert_int_equal(r.kind, HTTP_ERR_TRANSPORT);
        assert_int_equal(r.resends, 0);
        reason(&e, ids[i], &r, why, sizeof(why));
        if (strstr(why, i < 2 ? "closed the connection without answering" : "reset") == NULL)
            fail_msg("%s: reason: %s", ids[i], why);
    }
    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 4);         /* each read once */
        assert_int_equal(n.answered, 0);
    }
    env_free(&e);
}

/*
 * The server answers the first request of each connection and drops the
 * second (reads it, closes): the second dies unanswered on a kept
 * connection. A GET goes out once more on a new connection, counted.
 */
static void
test_get_resent_once_and_counted(void **state)
{
    struct env e;
    struct http_result r;

    (void)state;
    env_load(&e, "[task get]\npath = /r\n", "");
    tserver_fault(&ts, 1, 0);
    expect_ok(&e, "get");
    assert_true(send_task(&e, "get", &r));
    assert_false(r.failed);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.resends, 1);
    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 3);         /* two requests, one of them sent twice */
        assert_int_equal(n.answered, 2);
        assert_int_equal(n.dropped, 1);
        assert_int_equal(n.connections, 2);
    }
    env_free(&e);
}

/* When the resent GET is dropped too, it is a failure and not sent a third time. */
static void
test_get_resent_at_most_once(void **state)
{
    struct env e;
    struct http_result r;
    char why[256];

    (void)state;
    env_load(&e, "[task get]\npath = /r\n", "");
    tserver_fault(&ts, 0, 2);
    expect_ok(&e, "get");
    assert_true(send_task(&e, "get", &r));
    assert_true(r.failed);
    assert_int_equal(r.kind, HTTP_ERR_TRANSPORT);
    assert_int_equal(r.resends, 1);
    reason(&e, "get", &r, why, sizeof(why));
    if (strstr(why, "without answering") == NULL)
        fail_msg("reason: %s", why);
    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 3);
        assert_int_equal(n.answered, 1);
    }
    env_free(&e);
}

/* POST, PUT, PATCH and DELETE that die unanswered on a kept connection: failures, never resent. */
static void
test_unsafe_methods_never_resent(void **state)
{
    static const char *const ids[] = { "post", "put", "patch", "delete" };
    struct env e;
    size_t i;

    (void)state;
    for (i = 0; i < 4; i++) {
        struct http_result r;
        char why[256];

        env_load(&e, "[task post]\npath = /w\nbody = b\n"
                     "[task put]\nmethod = PUT\npath = /w\nbody = b\n"
                     "[task patch]\nmethod = PATCH\npath = /w\nbody = b\n"
                     "[task delete]\nmethod = DELETE\npath = /w\n", "");
        tserver_fault(&ts, 1, 0);
        expect_ok(&e, ids[i]);
        assert_true(send_task(&e, ids[i], &r));
        assert_true(r.failed);
        assert_int_equal(r.kind, HTTP_ERR_TRANSPORT);
        assert_int_equal(r.resends, 0);
        reason(&e, ids[i], &r, why, sizeof(why));
        if (strstr(why, "closed the connection without answering") == NULL)
            fail_msg("%s: reason: %s", ids[i], why);
        {
            struct tserver_counts n = tserver_counts(&ts);

            if (n.requests != 2)
                fail_msg("%s: the server read %lu requests, wanted 2", ids[i], n.requests);
            assert_int_equal(n.answered, 1);
        }
        /* the handle is not stuck: the next one goes out on a new connection and is answered */
        expect_ok(&e, ids[i]);
        env_free(&e);
    }
}

/* A CR, LF or NUL from a template value never reaches the wire. */
static void
test_injection_refused(void **state)
{
    static const struct {
        const char *value;
        size_t len;
    } evil[] = {
        { "x\r\nX-Evil: 1", 13 },
        { "x\nDELETE /smuggled HTTP/1.1", 27 },
        { "x\0y", 3 },
        { "x\r", 2 },
    };
    struct env e;
    struct http_result r;
    char why[256];
    size_t i;

    (void)state;
    env_load(&e, "[task login]\npath = /login\ncapture = tok header X-Tok\n"
                 "[task hdr]\npath = /h\nheader = X-Before: 1\n"
                 "header = Authorization: Bearer {{var tok}}\n"
                 "[task url]\npath = /u/{{var tok}}\n", "");
    for (i = 0; i < ARRAY_LEN(evil); i++) {
        set_var(&e, "tok", evil[i].value, evil[i].len);
        assert_false(send_task(&e, "hdr", &r));
        assert_int_equal(r.kind, HTTP_ERR_UNSAFE);
        assert_true(r.code >= 1);           /* a header line (1-based) */
        assert_false(reason(&e, "hdr", &r, why, sizeof(why)));
        if (strstr(why, "Not sent: header Authorization would carry a CR, LF or NUL") == NULL)
            fail_msg("reason: %s", why);
        assert_null(strstr(why, "Evil"));   /* the value is not shown */
        assert_false(send_task(&e, "url", &r));
        assert_int_equal(r.code, -1);
        reason(&e, "url", &r, why, sizeof(why));
        assert_non_null(strstr(why, "Not sent: the URL would carry"));
    }
    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 0);
    }
    /* a clean value afterwards: sent as usual */
    set_var(&e, "tok", "clean", 5);
    expect_ok(&e, "hdr");
    expect_last("\r\nAuthorization: Bearer clean\r\n", true);
    expect_last("\r\nX-Before: 1\r\n", true);
    expect_ok(&e, "url");
    expect_last("GET /u/clean HTTP/1.1\r\n", true);
    {
        struct tserver_counts n = tserver_counts(&ts);

        assert_int_equal(n.requests, 2);
    }
    env_free(&e);
}

/*
 * A body cut short: libcurl's reason carries a byte count that differs
 * from one failure to the next, so http_describe says to group it; the
 * statistics then hold one row with the numbers as N.
 */
static void
test_varying_reason_grouped(void **state)
{
    struct env e;
    struct http_result r;
    struct stats_delta d;
    char why[256];
    int entry;

    (void)state;
    env_load(&e, "[task a]\npath = /short/10\nname = cut\n"
                 "[task b]\npath = /short/20\nname = cut\n"
                 "[task s]\npath = /status/503\nname = cut\n", "");
    entry = task(&e, "a")->entry;
    assert_int_equal(task(&e, "b")->entry, entry);
    stats_delta_init(&d);
    stats_delta_reserve(&d, e.st.nentries);
    stats_delta_bind(&d, &e.st);
    for (int k = 0; k < 3; k++) {
        static const char *const ids[] = { "a", "b", "s" };
        char *slot;

        assert_true(send_task(&e, ids[k], &r));
        assert_true(r.failed);
        stats_delta_record(&d, entry, r.total_us, r.ttfb_us, r.bytes, true, 1000.0 + k);
        slot = stats_delta_error(&d, entry, r.kind, r.code, r.detail, 1000.0 + k);
        assert_non_null(slot);
        if (http_describe(&r, &e.conn, &e.s, task(&e, ids[k]), slot, STATS_REASON_MAX)) {
            assert_true(k < 2);               /* libcurl's text: numbers vary */
            assert_non_null(strstr(slot, k == 0 ? "990" : "980"));
            stats_delta_group(slot);
        } else {
            assert_int_equal(k, 2);
        }
        stats_merge(&e.st, &d);
    }
    assert_int_equal(e.st.total.num_requests, 3);
    assert_int_equal(e.st.total.num_failures, 3);
    assert_int_equal(e.st.nerrors, 2);
    assert_non_null(strstr(e.st.errors[0].reason, " N bytes"));
    assert_null(strpbrk(e.st.errors[0].reason, "0123456789"));
    assert_int_equal(e.st.errors[0].occurrences, 2);
    assert_non_null(strstr(e.st.errors[0].example, "990"));
    assert_string_equal(e.st.errors[1].reason, "HTTP 503");
    (void)why;
    stats_delta_free(&d);
    env_free(&e);
}

static int
setup(void **state)
{
    (void)state;
    http_global_init();
    tserver_start(&ts);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tserver_stop(&ts);
    http_global_cleanup();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_building),
        cmocka_unit_test(test_status_classification),
        cmocka_unit_test(test_unanswered_is_failure),
        cmocka_unit_test(test_get_resent_once_and_counted),
        cmocka_unit_test(test_get_resent_at_most_once),
        cmocka_unit_test(test_unsafe_methods_never_resent),
        cmocka_unit_test(test_injection_refused),
        cmocka_unit_test(test_varying_reason_grouped),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
