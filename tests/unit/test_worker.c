/*
 * test_worker.c: one worker thread (worker.c) on its own loop, driven by
 * commands as the runner drives it, against tserver (a tiny server on
 * 127.0.0.1 that counts what it reads). Every assertion is a count: the
 * server's own counts against the statistics the worker merged, users
 * alive, requests in flight; the only waits are bounds against a hang.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "http.h"
#include "scenario.h"
#include "settings.h"
#include "stats.h"
#include "worker.h"
#include "tserver.h"

static struct tserver ts;

struct env {
    struct scenario sc;
    struct settings s;
    struct stats st;
    struct worker *w;
    pthread_mutex_t lock;
    unsigned notified;
};

/* The worker's wake-up for its owner (from the worker's thread). */
static void
on_notify(void *arg)
{
    struct env *e = arg;

    pthread_mutex_lock(&e->lock);
    e->notified++;
    pthread_mutex_unlock(&e->lock);
}

static void
env_start(struct env *e, const char *text, double stop_timeout)
{
    struct worker_context ctx;
    char *err = NULL;

    memset(e, 0, sizeof(*e));
    pthread_mutex_init(&e->lock, NULL);
    settings_init(&e->s);
    e->s.timeout = 30;
    e->s.connect_timeout = 10;
    e->s.stop_timeout = stop_timeout;
    if (scenario_load(&e->sc, "w.ini", text, &e->s, &err) < 0)
        fail_msg("%s", err);
    stats_init(&e->st);
    if (scenario_prepare(&e->sc, ts.url, &e->st, &err) < 0)
        fail_msg("%s", err);
    http_prepare(&e->sc);
    tserver_reset(&ts);
    ctx.settings = &e->s;
    ctx.scenario = &e->sc;
    ctx.stats = &e->st;
    ctx.notify = on_notify;
    ctx.notify_arg = e;
    e->w = worker_new(&ctx, 0);
    worker_start(e->w);
}

static void
env_free(struct env *e)
{
    worker_free(e->w);
    http_unprepare(&e->sc);
    scenario_free(&e->sc);
    stats_free(&e->st);
    settings_free(&e->s);
    pthread_mutex_destroy(&e->lock);
}

static void
nap(double seconds)
{
    struct timespec t = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };

    nanosleep(&t, NULL);
}

/* Stop every user (graceful or not) and wait until the worker says it has none left. */
static void
stop_and_wait(struct env *e, enum worker_cmd how, unsigned generation)
{
    int i;

    worker_send(e->w, how, 0, 0, generation);
    for (i = 0; i < 3000 && worker_stopped_generation(e->w) != generation; i++)
        nap(0.01);
    assert_int_equal(worker_stopped_generation(e->w), generation);
    assert_int_equal(worker_users(e->w), 0);
    assert_int_equal(worker_in_flight(e->w), 0);
    pthread_mutex_lock(&e->lock);
    i = (int)e->notified;
    pthread_mutex_unlock(&e->lock);
    assert_true(i >= 1);
}

/* The statistics entry named name (any method). */
static const struct stats_entry *
entry(struct env *e, const char *name)
{
    size_t i;

    for (i = 0; i < e->st.nentries; i++)
        if (strcmp(e->st.entries[i].name, name) == 0)
            return &e->st.entries[i];
    fail_msg("no entry %s", name);
    return NULL;
}

/* Wait for at least n requests at the server (a bound of 30 s against a hang). */
static void
wait_requests(unsigned long n)
{
    if (!tserver_wait_requests(&ts, n, 30))
        fail_msg("the server read %lu requests, wanted %lu", tserver_counts(&ts).requests, n);
}

/* Answer what the server still holds, and wait until it holds nothing (for the next test). */
static void
drain_held(void)
{
    int i;

    tserver_release(&ts);
    for (i = 0; i < 3000 && tserver_counts(&ts).held > 0; i++)
        nap(0.01);
    assert_int_equal(tserver_counts(&ts).held, 0);
}

/*
 * A long wait between tasks (constant, pacing, throughput, between): each
 * user makes its on_start request and one task, then waits; the stop runs
 * its on_stop request. Exactly one of each per user, counted once.
 */
static void
test_wait_honoured_in_count(void **state)
{
    struct env e;
    struct tserver_counts n;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n"
                  "[task U login]\nphase = on_start\npath = /login\n"
                  "[task U work]\npath = /work\n"
                  "[task U bye]\nphase = on_stop\npath = /bye\n"
                  "[user P]\nwait = pacing 1h\n[task P p]\npath = /p\n"
                  "[user T]\nwait = throughput 0.0002\n[task T t]\npath = /t\n"
                  "[user B]\nwait = between 1h 2h\n[task B b]\npath = /b\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 5, 0);
    worker_send(e.w, WORKER_SPAWN, 1, 2, 0);
    worker_send(e.w, WORKER_SPAWN, 2, 2, 0);
    worker_send(e.w, WORKER_SPAWN, 3, 2, 0);
    wait_requests(16);
    /* a while later, nobody has sent again: they are all waiting */
    nap(0.3);
    n = tserver_counts(&ts);
    assert_int_equal(n.requests, 16);
    assert_int_equal(worker_users(e.w), 11);
    assert_int_equal(worker_in_flight(e.w), 0);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    assert_int_equal(n.requests, 21);
    assert_int_equal(tserver_path_count(&ts, "/login"), 5);
    assert_int_equal(tserver_path_count(&ts, "/work"), 5);
    assert_int_equal(tserver_path_count(&ts, "/bye"), 5);
    assert_int_equal(tserver_path_count(&ts, "/p"), 2);
    assert_int_equal(tserver_path_count(&ts, "/t"), 2);
    assert_int_equal(tserver_path_count(&ts, "/b"), 2);
    assert_int_equal(e.st.total.num_requests, 21);
    assert_int_equal(e.st.total.num_failures, 0);
    assert_int_equal(entry(&e, "/login")->num_requests, 5);
    assert_int_equal(entry(&e, "/work")->num_requests, 5);
    assert_int_equal(entry(&e, "/bye")->num_requests, 5);
    assert_int_equal(entry(&e, "/p")->num_requests, 2);
    env_free(&e);
}

/*
 * Users with no wait, some tasks failing: after the stop, every request the
 * server read is in the statistics once, every failure it answered is a
 * failure, per task; the tasks' weights show in the split.
 */
static void
test_every_request_counted_once(void **state)
{
    struct env e;
    struct tserver_counts n;
    unsigned long ok, bad;

    (void)state;
    env_start(&e, "[user U]\n"
                  "[task U ok]\npath = /ok\nweight = 3\n"
                  "[task U bad]\npath = /status/500\nweight = 1\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 4, 0);
    wait_requests(800);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    ok = tserver_path_count(&ts, "/ok");
    bad = tserver_path_count(&ts, "/status/500");
    assert_int_equal(n.requests, n.answered);            /* graceful: nothing abandoned */
    assert_int_equal(e.st.total.num_requests, n.requests);
    assert_int_equal(e.st.total.num_failures, n.failed);
    assert_int_equal(entry(&e, "/ok")->num_requests, ok);
    assert_int_equal(entry(&e, "/ok")->num_failures, 0);
    assert_int_equal(entry(&e, "/status/500")->num_requests, bad);
    assert_int_equal(entry(&e, "/status/500")->num_failures, bad);
    assert_int_equal(e.st.nerrors, 1);
    assert_string_equal(e.st.errors[0].reason, "HTTP 500");
    assert_int_equal(e.st.errors[0].occurrences, bad);
    /* weights 3:1: 75% within a generous band */
    assert_true(ok * 100 > n.requests * 60 && ok * 100 < n.requests * 90);
    env_free(&e);
}

/* A graceful stop waits for the requests in flight, counts them as answered, then runs on_stop. */
static void
test_stop_drains(void **state)
{
    struct env e;
    struct tserver_counts n;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n[task U t]\npath = /hold\n"
                  "[task U bye]\nphase = on_stop\npath = /bye\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 3, 0);
    if (!tserver_wait_held(&ts, 3, 30))
        fail_msg("held: %lu", tserver_counts(&ts).held);
    worker_send(e.w, WORKER_STOP_ALL, 0, 0, 1);
    nap(0.3);
    /* still draining: the three requests are in flight, the stop is not over */
    assert_int_equal(worker_in_flight(e.w), 3);
    assert_true(worker_stopped_generation(e.w) != 1);
    assert_int_equal(worker_users(e.w), 3);
    tserver_release(&ts);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    assert_int_equal(n.requests, 6);                    /* and then each user's on_stop */
    assert_int_equal(n.answered, 6);
    assert_int_equal(tserver_path_count(&ts, "/bye"), 3);
    assert_int_equal(e.st.total.num_requests, 6);
    assert_int_equal(e.st.total.num_failures, 0);
    env_free(&e);
}

/* A stop that does not wait: what is on the wire is counted, as abandoned failures. */
static void
test_kill_counts_abandoned(void **state)
{
    struct env e;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n[task U t]\npath = /hold\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 2, 0);
    if (!tserver_wait_held(&ts, 2, 30))
        fail_msg("held: %lu", tserver_counts(&ts).held);
    stop_and_wait(&e, WORKER_KILL_ALL, 1);
    assert_int_equal(tserver_counts(&ts).requests, 2);
    assert_int_equal(e.st.total.num_requests, 2);
    assert_int_equal(e.st.total.num_failures, 2);
    assert_int_equal(e.st.nerrors, 1);
    assert_int_equal(e.st.errors[0].occurrences, 2);
    assert_non_null(strstr(e.st.errors[0].reason, "Abandoned at the stop"));
    drain_held();
    env_free(&e);
}

/* A stop timeout of 0: users stop at once, and so does what they had in flight. */
static void
test_stop_timeout_zero_abandons(void **state)
{
    struct env e;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n[task U t]\npath = /hold\n"
                  "[task U bye]\nphase = on_stop\npath = /bye\n", 0);
    worker_send(e.w, WORKER_SPAWN, 0, 2, 0);
    if (!tserver_wait_held(&ts, 2, 30))
        fail_msg("held: %lu", tserver_counts(&ts).held);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    assert_int_equal(e.st.total.num_requests, 2);
    assert_int_equal(e.st.total.num_failures, 2);
    assert_int_equal(tserver_path_count(&ts, "/bye"), 0);  /* no on_stop when not graceful */
    drain_held();
    env_free(&e);
}

/* Removing users takes the newest of the class, and the rest go on. */
static void
test_remove_users(void **state)
{
    struct env e;
    int i;

    (void)state;
    env_start(&e, "[user A]\nwait = constant 1h\n[task A a]\npath = /a\n"
                  "[user B]\nwait = constant 1h\n[task B b]\npath = /b\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 3, 0);
    worker_send(e.w, WORKER_SPAWN, 1, 2, 0);
    wait_requests(5);
    worker_send(e.w, WORKER_REMOVE, 0, 2, 0);
    worker_send(e.w, WORKER_REMOVE, 1, 5, 0);           /* more than there are: all of B */
    for (i = 0; i < 3000 && worker_users(e.w) != 1; i++)
        nap(0.01);
    assert_int_equal(worker_users(e.w), 1);
    worker_send(e.w, WORKER_SPAWN, 1, 1, 0);
    wait_requests(6);
    assert_int_equal(worker_users(e.w), 2);
    assert_int_equal(tserver_path_count(&ts, "/a"), 3);
    assert_int_equal(tserver_path_count(&ts, "/b"), 3);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    assert_int_equal(e.st.total.num_requests, 6);
    env_free(&e);
}

/* order = sequential: each user goes through the tasks in file order. */
static void
test_sequential_order(void **state)
{
    struct env e;
    unsigned long s1, s2, s3;

    (void)state;
    env_start(&e, "[user U]\norder = sequential\n"
                  "[task U s1]\npath = /s1\n[task U s2]\npath = /s2\nweight = 5\n"
                  "[task U s3]\npath = /s3\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 1, 0);
    wait_requests(60);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    s1 = tserver_path_count(&ts, "/s1");
    s2 = tserver_path_count(&ts, "/s2");
    s3 = tserver_path_count(&ts, "/s3");
    assert_true(s1 >= s2 && s2 >= s3 && s1 - s3 <= 1);
    assert_int_equal(e.st.total.num_requests, s1 + s2 + s3);
    env_free(&e);
}

/*
 * Issue 14's server: it answers two requests per connection and drops the
 * third (reads it, closes). A GET that dies so is sent once more, on a new
 * connection, and counted as resent: the server's reads are the requests
 * plus the resends, with no failure. A POST is never sent again: each drop
 * is one failure, and the server's reads are the requests.
 */
static void
test_dropping_server_truth(void **state)
{
    struct env e;
    struct tserver_counts n;

    (void)state;
    env_start(&e, "[user U]\n[task U g]\npath = /g\n", -1);
    tserver_fault(&ts, 2, 0);
    worker_send(e.w, WORKER_SPAWN, 0, 3, 0);
    wait_requests(300);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    assert_true(n.dropped > 0);
    assert_int_equal(e.st.total.num_failures, 0);
    assert_int_equal(e.st.total.num_resent, n.dropped);
    assert_int_equal(e.st.total.num_requests + e.st.total.num_resent, n.requests);
    env_free(&e);

    env_start(&e, "[user U]\n[task U p]\npath = /p\nbody = x\n", -1);
    tserver_fault(&ts, 2, 0);
    worker_send(e.w, WORKER_SPAWN, 0, 3, 0);
    wait_requests(300);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    assert_true(n.dropped > 0);
    assert_int_equal(e.st.total.num_resent, 0);
    assert_int_equal(e.st.total.num_requests, n.requests);
    assert_int_equal(e.st.total.num_failures, n.dropped);
    assert_int_equal(e.st.nerrors, 1);
    assert_non_null(strstr(e.st.errors[0].reason, "without answering"));
    env_free(&e);
}

/*
 * The server closes each kept connection after two answers, as many do
 * (no "Connection: close" said): no request fails for it, and every request
 * the server read is a request in the statistics or a counted resend.
 */
static void
test_idle_close_no_false_failure(void **state)
{
    struct env e;
    struct tserver_counts n;

    (void)state;
    env_start(&e, "[user U]\n[task U g]\npath = /g\n", -1);
    tserver_close_after(&ts, 2);
    worker_send(e.w, WORKER_SPAWN, 0, 4, 0);
    wait_requests(400);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    assert_int_equal(e.st.total.num_failures, 0);
    assert_true(n.connections >= n.requests / 2);
    assert_true(e.st.total.num_requests <= n.requests);
    assert_true(n.requests <= e.st.total.num_requests + e.st.total.num_resent);
    env_free(&e);
}

/* Bodies cut short by varying amounts: one error row, numbers as N, every failure in it. */
static void
test_varying_reasons_grouped(void **state)
{
    struct env e;
    struct tserver_counts n;

    (void)state;
    env_start(&e, "[user U]\n[task U a]\npath = /short/10\nname = cut\n"
                  "[task U b]\npath = /short/20\nname = cut\n", -1);
    worker_send(e.w, WORKER_SPAWN, 0, 2, 0);
    wait_requests(100);
    stop_and_wait(&e, WORKER_STOP_ALL, 1);
    n = tserver_counts(&ts);
    assert_int_equal(e.st.total.num_requests, n.requests);
    assert_int_equal(e.st.total.num_failures, n.requests);
    assert_int_equal(e.st.nerrors, 1);
    assert_null(strpbrk(e.st.errors[0].reason, "0123456789"));
    assert_int_equal(e.st.errors[0].occurrences, n.requests);
    assert_non_null(e.st.errors[0].example);
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
        cmocka_unit_test(test_wait_honoured_in_count),
        cmocka_unit_test(test_every_request_counted_once),
        cmocka_unit_test(test_stop_drains),
        cmocka_unit_test(test_kill_counts_abandoned),
        cmocka_unit_test(test_stop_timeout_zero_abandons),
        cmocka_unit_test(test_remove_users),
        cmocka_unit_test(test_sequential_order),
        cmocka_unit_test(test_dropping_server_truth),
        cmocka_unit_test(test_idle_close_no_false_failure),
        cmocka_unit_test(test_varying_reasons_grouped),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
