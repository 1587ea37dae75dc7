/*
 * test_runner.c: the run's state machine (runner.c) on a loop of the test's
 * own, with real worker threads sending to tserver (a tiny server on
 * 127.0.0.1 that counts what it reads). Users wait an hour between tasks,
 * so each sends one request: the server's count is the number of users
 * started. What is checked: Locust's spawn batches (max(1, floor(rate))
 * users per batch) and its split of users over classes (fixed counts
 * first, then by weight; down ramps remove the newest), the states and
 * events the listener hears, stop, restart and reset of the statistics,
 * the run time, and a stop that abandons what is in flight.
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

#include <ev.h>

#include "http.h"
#include "log.h"
#include "runner.h"
#include "scenario.h"
#include "settings.h"
#include "stats.h"
#include "util.h"
#include "tserver.h"

static struct tserver ts;

#define MAX_EVENTS 64
#define MAX_LOG 64

struct env {
    struct ev_loop *loop;
    struct scenario sc;
    struct settings s;
    struct stats st;
    struct runner *r;
    ev_timer tick;           /* keeps EVRUN_ONCE from sleeping long */
    enum runner_event events[MAX_EVENTS];
    enum runner_state states[MAX_EVENTS];
    size_t nevents;
};

static char log_lines[MAX_LOG][256];
static size_t nlog;

static void
log_sink(enum log_level level, const char *line, void *arg)
{
    (void)level;
    (void)arg;
    if (nlog < MAX_LOG)
        snprintf(log_lines[nlog++], sizeof(log_lines[0]), "%s", line);
}

/* Was a line holding text logged? */
static bool
logged(const char *text)
{
    size_t i;

    for (i = 0; i < nlog; i++)
        if (strstr(log_lines[i], text) != NULL)
            return true;
    return false;
}

static void
listener(struct runner *r, enum runner_event ev, void *arg)
{
    struct env *e = arg;

    if (e->nevents < MAX_EVENTS) {
        e->events[e->nevents] = ev;
        e->states[e->nevents] = runner_state(r);
        e->nevents++;
    }
}

static void
on_tick(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)t;
    (void)revents;
}

/* Users of A, B and C (a fixed count of 2), one request each. */
static const char abc[] =
    "[user A]\nweight = 3\nwait = constant 1h\n[task A a]\npath = /a\n"
    "[user B]\nweight = 1\nwait = constant 1h\n[task B b]\npath = /b\n"
    "[user C]\nfixed_count = 2\nwait = constant 1h\n[task C c]\npath = /c\n";

static void
env_start(struct env *e, const char *text, double run_time)
{
    char *err = NULL;

    memset(e, 0, sizeof(*e));
    settings_init(&e->s);
    e->s.threads = 2;
    e->s.timeout = 30;
    e->s.connect_timeout = 10;
    e->s.run_time = run_time;
    if (scenario_load(&e->sc, "r.ini", text, &e->s, &err) < 0)
        fail_msg("%s", err);
    stats_init(&e->st);
    if (scenario_prepare(&e->sc, ts.url, &e->st, &err) < 0)
        fail_msg("%s", err);
    http_prepare(&e->sc);
    tserver_reset(&ts);
    nlog = 0;
    e->loop = ev_loop_new(EVFLAG_AUTO);
    ev_timer_init(&e->tick, on_tick, 0.01, 0.01);
    ev_timer_start(e->loop, &e->tick);
    e->r = runner_new(e->loop, &e->s, &e->sc, &e->st);
    runner_set_listener(e->r, listener, e);
}

static void
env_free(struct env *e)
{
    runner_free(e->r);
    ev_timer_stop(e->loop, &e->tick);
    ev_loop_destroy(e->loop);
    http_unprepare(&e->sc);
    scenario_free(&e->sc);
    stats_free(&e->st);
    settings_free(&e->s);
}

/* Users dispatched to each class, as "A3 B1 C2". */
static const char *
split(struct env *e, char *buf, size_t size)
{
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < e->sc.nclasses && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s%u", i ? " " : "",
                                 e->sc.classes[i].name, runner_class_users(e->r, i));
    return buf;
}

static void
expect_split(struct env *e, const char *want)
{
    char got[128];

    split(e, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("users per class: %s, wanted %s", got, want);
}

/* Run the loop until the runner is in state s (a bound of 30 s against a hang). */
static void
run_until_state(struct env *e, enum runner_state s)
{
    int i;

    for (i = 0; i < 3000 && runner_state(e->r) != s; i++)
        ev_run(e->loop, EVRUN_ONCE);
    if (runner_state(e->r) != s)
        fail_msg("state %s, wanted %s", runner_state_name(runner_state(e->r)),
                 runner_state_name(s));
}

/*
 * Run the loop until n users are alive on the workers and the server read
 * `before` + n requests (one a user).
 */
static void
run_until_users(struct env *e, unsigned n, unsigned long before)
{
    int i;

    for (i = 0; i < 3000 && (runner_user_count(e->r) != n ||
                             tserver_counts(&ts).requests < before + n); i++)
        ev_run(e->loop, EVRUN_ONCE);
    assert_int_equal(runner_user_count(e->r), n);
    assert_int_equal(tserver_counts(&ts).requests, before + n);
}

/* Was event ev heard, in state s? */
static bool
heard(struct env *e, enum runner_event ev, enum runner_state s)
{
    size_t i;

    for (i = 0; i < e->nevents; i++)
        if (e->events[i] == ev && e->states[i] == s)
            return true;
    return false;
}

/*
 * Locust's verified example: A (weight 3), B (weight 1), C (fixed 2),
 * -u 9 -r 3 spawns {A1, C2}, then {A3, B1, C2}, then {A5, B2, C2}.
 */
static void
test_ramp_batches(void **state)
{
    struct env e;
    char seen[8][128];
    size_t nseen = 0, i;
    int k;

    (void)state;
    env_start(&e, abc, 0);
    runner_start(e.r, 9, 3);
    assert_int_equal(runner_state(e.r), RUNNER_SPAWNING);
    assert_int_equal(runner_target_users(e.r), 9);
    assert_true(logged("Ramping to 9 users at a rate of 3.00 per second"));
    split(&e, seen[nseen++], sizeof(seen[0]));          /* the first batch goes at once */
    for (k = 0; k < 3000 && runner_state(e.r) == RUNNER_SPAWNING; k++) {
        char now[128];

        ev_run(e.loop, EVRUN_ONCE);
        split(&e, now, sizeof(now));
        if (strcmp(now, seen[nseen - 1]) != 0 && nseen < 8)
            snprintf(seen[nseen++], sizeof(seen[0]), "%s", now);
    }
    assert_int_equal(runner_state(e.r), RUNNER_RUNNING);
    for (i = 0; i < nseen; i++)
        print_message("batch %zu: %s\n", i + 1, seen[i]);
    assert_int_equal(nseen, 3);
    assert_string_equal(seen[0], "A1 B0 C2");
    assert_string_equal(seen[1], "A3 B1 C2");
    assert_string_equal(seen[2], "A5 B2 C2");
    assert_true(logged("All users spawned: {\"A\": 5, \"B\": 2, \"C\": 2} (9 total users)"));
    assert_true(heard(&e, RUNNER_EVENT_STATE, RUNNER_SPAWNING));
    assert_true(heard(&e, RUNNER_EVENT_STATE, RUNNER_RUNNING));
    run_until_users(&e, 9, 0);
    assert_int_equal(tserver_path_count(&ts, "/a"), 5);
    assert_int_equal(tserver_path_count(&ts, "/b"), 2);
    assert_int_equal(tserver_path_count(&ts, "/c"), 2);

    runner_stop(e.r);
    run_until_state(&e, RUNNER_STOPPED);
    assert_true(heard(&e, RUNNER_EVENT_STATE, RUNNER_STOPPING));
    assert_true(heard(&e, RUNNER_EVENT_STOPPED, RUNNER_STOPPED));
    assert_int_equal(runner_user_count(e.r), 0);
    assert_int_equal(e.st.total.num_requests, 9);
    env_free(&e);
}

/* With A=5 and B=1, users come as A A A B A A (Locust); a ramp down removes the newest. */
static void
test_weighted_split(void **state)
{
    static const char *const want[] = { "A1 B0", "A2 B0", "A3 B0", "A3 B1", "A4 B1", "A5 B1",
                                        "A6 B1" };
    struct env e;
    unsigned u;

    (void)state;
    env_start(&e, "[user A]\nweight = 5\nwait = constant 1h\n[task A a]\npath = /a\n"
                  "[user B]\nweight = 1\nwait = constant 1h\n[task B b]\npath = /b\n", 0);
    for (u = 1; u <= 7; u++) {
        runner_start(e.r, u, 100);                      /* one batch: all at once */
        expect_split(&e, want[u - 1]);
        assert_int_equal(runner_state(e.r), RUNNER_RUNNING);
    }
    run_until_users(&e, 7, 0);
    /* down to 3: the B (the 4th user) goes with the newer A's */
    runner_start(e.r, 3, 100);
    expect_split(&e, "A3 B0");
    runner_start(e.r, 4, 100);
    expect_split(&e, "A3 B1");
    runner_stop(e.r);
    run_until_state(&e, RUNNER_STOPPED);
    assert_int_equal(runner_user_count(e.r), 0);
    env_free(&e);
}

/* Fixed counts go first, round robin by name; they cap the users when no class has a weight. */
static void
test_fixed_counts(void **state)
{
    struct env e;

    (void)state;
    env_start(&e, "[user D]\nfixed_count = 3\nweight = 0\nwait = constant 1h\n"
                  "[task D d]\npath = /d\n"
                  "[user C]\nfixed_count = 2\nwait = constant 1h\n[task C c]\npath = /c\n", 0);
    runner_start(e.r, 1, 100);
    expect_split(&e, "D0 C1");                          /* C comes first by name */
    runner_start(e.r, 4, 100);
    expect_split(&e, "D2 C2");
    runner_start(e.r, 10, 100);
    expect_split(&e, "D3 C2");
    assert_int_equal(runner_target_users(e.r), 5);
    assert_true(logged("Only 5 users can be started"));
    run_until_users(&e, 5, 0);

    /* a Locust master's split, class by class */
    {
        unsigned counts[2] = { 1, 0 };

        assert_true(runner_set_class_users(e.r, counts));
        expect_split(&e, "D1 C0");
        assert_int_equal(runner_target_users(e.r), 1);
    }
    runner_stop(e.r);
    run_until_state(&e, RUNNER_STOPPED);
    env_free(&e);
}

/* Stop, start again (statistics reset), reset by hand; a start during a stop is ignored. */
static void
test_stop_restart_reset(void **state)
{
    struct env e;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n[task U t]\npath = /t\n", 0);
    assert_int_equal(runner_state(e.r), RUNNER_READY);
    runner_start(e.r, 2, 100);
    run_until_users(&e, 2, 0);
    runner_stop(e.r);
    assert_int_equal(runner_state(e.r), RUNNER_STOPPING);
    runner_start(e.r, 5, 100);                          /* ignored while stopping */
    assert_int_equal(runner_state(e.r), RUNNER_STOPPING);
    assert_int_equal(runner_target_users(e.r), 0);
    run_until_state(&e, RUNNER_STOPPED);
    assert_int_equal(e.st.total.num_requests, 2);
    assert_int_equal(runner_user_count(e.r), 0);
    assert_false(runner_time_limit_hit(e.r));

    /* again: the statistics start from zero, the server sees two more */
    e.nevents = 0;
    runner_start(e.r, 2, 100);
    assert_int_equal(e.st.total.num_requests, 0);
    assert_true(heard(&e, RUNNER_EVENT_STATE, RUNNER_SPAWNING));
    run_until_users(&e, 2, 2);
    runner_stop(e.r);
    run_until_state(&e, RUNNER_STOPPED);
    assert_int_equal(tserver_counts(&ts).requests, 4);
    assert_int_equal(e.st.total.num_requests, 2);
    runner_reset_stats(e.r);
    assert_int_equal(e.st.total.num_requests, 0);
    assert_int_equal(e.st.nentries, 1);                 /* the entries' names stay */
    env_free(&e);
}

/* The run time ends the test: the listener hears the time limit, then the stop. */
static void
test_run_time(void **state)
{
    struct env e;
    size_t i, limit = MAX_EVENTS, stopped = MAX_EVENTS;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n[task U t]\npath = /t\n", 1);
    runner_start(e.r, 1, 100);
    run_until_state(&e, RUNNER_STOPPED);
    assert_true(runner_time_limit_hit(e.r));
    for (i = 0; i < e.nevents; i++) {
        if (e.events[i] == RUNNER_EVENT_TIME_LIMIT && limit == MAX_EVENTS)
            limit = i;
        if (e.events[i] == RUNNER_EVENT_STOPPED)
            stopped = i;
    }
    assert_true(limit < stopped && stopped < MAX_EVENTS);
    assert_true(logged("--run-time limit reached, shutting down"));
    assert_int_equal(e.st.total.num_requests, tserver_counts(&ts).requests);
    env_free(&e);
}

/* A stop waiting for answers that never come is ended by a kill: the requests count as failures. */
static void
test_kill_during_stop(void **state)
{
    struct env e;
    int i;

    (void)state;
    env_start(&e, "[user U]\nwait = constant 1h\n[task U t]\npath = /hold\n", 0);
    runner_start(e.r, 3, 100);
    for (i = 0; i < 3000 && tserver_counts(&ts).held < 3; i++)
        ev_run(e.loop, EVRUN_ONCE);
    assert_int_equal(tserver_counts(&ts).held, 3);
    runner_stop(e.r);
    for (i = 0; i < 20; i++)
        ev_run(e.loop, EVRUN_ONCE);
    assert_int_equal(runner_state(e.r), RUNNER_STOPPING);   /* waiting for the answers */
    assert_int_equal(runner_user_count(e.r), 3);         /* the users wait for their answers */
    runner_kill(e.r);
    run_until_state(&e, RUNNER_STOPPED);
    assert_int_equal(runner_abandoned(e.r), 0);
    assert_int_equal(e.st.total.num_requests, 3);
    assert_int_equal(e.st.total.num_failures, 3);
    tserver_release(&ts);
    for (i = 0; i < 3000 && tserver_counts(&ts).held > 0; i++)
        ev_run(e.loop, EVRUN_ONCE);
    env_free(&e);
}

static int
setup(void **state)
{
    (void)state;
    http_global_init();
    log_set_sink(log_sink, NULL);
    tserver_start(&ts);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    tserver_stop(&ts);
    log_set_sink(NULL, NULL);
    http_global_cleanup();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ramp_batches),
        cmocka_unit_test(test_weighted_split),
        cmocka_unit_test(test_fixed_counts),
        cmocka_unit_test(test_stop_restart_reset),
        cmocka_unit_test(test_run_time),
        cmocka_unit_test(test_kill_during_stop),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
