/*
 * test_shape.c: [shape] keys compiled to stages: written stages (with and
 * without rates), step loads (uneven last step, hold, defaults) and
 * spikes, plus the duration, peak and description of a shape.
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

#include "shape.h"

/* A shape from "key=value" pairs (NULL-terminated); fails the test on error. */
static struct shape *
build(const char *const *kv)
{
    struct shape *sh = shape_new(1);
    char *err = NULL;
    int line = 2;

    for (; *kv != NULL; kv++, line++) {
        char key[64];
        const char *eq = strchr(*kv, '=');

        assert_non_null(eq);
        snprintf(key, sizeof(key), "%.*s", (int)(eq - *kv), *kv);
        if (shape_key(sh, key, eq + 1, line, &err) != 0)
            fail_msg("%s: %s", *kv, err);
    }
    if (shape_finish(sh, "t.ini", &err) != 0)
        fail_msg("finish: %s", err);
    return sh;
}

/* Assert stage i is (duration, users, rate). */
static void
stage_is(const struct shape *sh, size_t i, double duration, unsigned users, double rate)
{
    const struct shape_stage *st = shape_stage(sh, i);

    assert_true(i < shape_nstages(sh));
    if (st->duration != duration || st->users != users || st->rate != rate)
        fail_msg("stage %zu is (%g, %u, %g), want (%g, %u, %g)", i, st->duration, st->users,
                 st->rate, duration, users, rate);
}

static void
test_stages(void **state)
{
    static const char *const kv[] = { "stage=30s 40", "stage=1m30s 40", "stage=30s 0 2",
                                      "stage=10 10", NULL };
    struct shape *sh = build(kv);
    char buf[128];

    (void)state;
    assert_int_equal(shape_nstages(sh), 4);
    stage_is(sh, 0, 30, 40, 40.0 / 30);     /* even ramp over the stage */
    stage_is(sh, 1, 90, 40, 1);             /* no change: any rate */
    stage_is(sh, 2, 30, 0, 2);
    stage_is(sh, 3, 10, 10, 1);
    assert_true(shape_duration(sh) == 160);
    assert_int_equal(shape_peak_users(sh), 40);
    assert_string_equal(shape_form(sh), "stages");
    assert_string_equal(shape_describe(sh, 1, buf, sizeof(buf)),
                        "stage 2/4: 40 users at 1/s for 1m30s");
    assert_string_equal(shape_describe(sh, 0, buf, sizeof(buf)),
                        "stage 1/4: 40 users at 1.33/s for 30s");
    shape_free(sh);
    {
        static const char *const one[] = { "stage=10 1", NULL };

        /* one user, not "1 users" */
        sh = build(one);
        assert_string_equal(shape_describe(sh, 0, buf, sizeof(buf)),
                            "stage 1/1: 1 user at 0.1/s for 10s");
        shape_free(sh);
    }
}

static void
test_steps(void **state)
{
    static const char *const kv[] = { "start_users=10", "step_users=15", "step_time=1m",
                                      "max_users=50", "hold=5m", "spawn_rate=5", NULL };
    static const char *const defaults[] = { "step_users=2", "step_time=1.5s", "max_users=6",
                                            NULL };
    struct shape *sh = build(kv);
    char buf[128];

    (void)state;
    assert_int_equal(shape_nstages(sh), 4);
    stage_is(sh, 0, 60, 10, 5);
    stage_is(sh, 1, 60, 25, 5);
    stage_is(sh, 2, 60, 40, 5);
    stage_is(sh, 3, 300, 50, 5);            /* up to max_users, held */
    assert_true(shape_duration(sh) == 480);
    assert_string_equal(shape_form(sh), "steps");
    shape_free(sh);

    sh = build(defaults);
    assert_int_equal(shape_nstages(sh), 3);
    stage_is(sh, 0, 1.5, 2, 2);             /* starts at step_users, rate step_users */
    stage_is(sh, 1, 1.5, 4, 2);
    stage_is(sh, 2, 1.5, 6, 2);             /* hold defaults to step_time */
    assert_string_equal(shape_describe(sh, 2, buf, sizeof(buf)),
                        "stage 3/3: 6 users at 2/s for 1.5s");
    shape_free(sh);
}

static void
test_spike(void **state)
{
    static const char *const kv[] = { "base_users=10", "spike_users=200", "before=2m",
                                      "spike_time=30s", "after=3m", "spike_rate=100", NULL };
    static const char *const defaults[] = { "base_users=4", "spike_users=10", "before=5",
                                            "spike_time=2", NULL };
    struct shape *sh = build(kv);

    (void)state;
    assert_int_equal(shape_nstages(sh), 3);
    stage_is(sh, 0, 120, 10, 10);           /* spawn_rate defaults to base_users */
    stage_is(sh, 1, 30, 200, 100);
    stage_is(sh, 2, 180, 10, 100);
    assert_int_equal(shape_peak_users(sh), 200);
    assert_string_equal(shape_form(sh), "spike");
    shape_free(sh);

    sh = build(defaults);
    stage_is(sh, 0, 5, 4, 4);
    stage_is(sh, 1, 2, 10, 6);              /* spike_rate defaults to the difference */
    stage_is(sh, 2, 5, 4, 6);               /* after defaults to before */
    shape_free(sh);
}

/* A key that must be refused, with a message containing want. */
static void
key_bad(const char *key, const char *value, const char *want)
{
    struct shape *sh = shape_new(1);
    char *err = NULL;

    if (shape_key(sh, key, value, 2, &err) == 0)
        fail_msg("%s = %s accepted", key, value);
    if (strstr(err, want) == NULL)
        fail_msg("%s = %s: \"%s\" does not say \"%s\"", key, value, err, want);
    free(err);
    shape_free(sh);
}

static void
test_bad_values(void **state)
{
    (void)state;
    key_bad("stage", "30s", "bad stage");
    key_bad("stage", "0 5", "the stage's duration");
    key_bad("stage", "5s 1.5", "the stage's users");
    key_bad("stage", "5s 5 0", "the stage's rate");
    key_bad("step_users", "0", "must be at least 1");
    key_bad("max_users", "0", "must be at least 1");
    key_bad("step_time", "-1s", "bad value");
    key_bad("spike_rate", "nan", "bad value");
    key_bad("spawn_rate", "inf", "bad value");
    key_bad("stepusers", "1", "did you mean 'step_users'");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stages),
        cmocka_unit_test(test_steps),
        cmocka_unit_test(test_spike),
        cmocka_unit_test(test_bad_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
