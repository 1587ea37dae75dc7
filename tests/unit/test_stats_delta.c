/*
 * test_stats_delta.c: a worker's delta on its own, before any model: what
 * a record counts, the error slots and their overflow, and the clearing a
 * merge does; and the model's ring layout shared with Locust's rules.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "stats_delta.h"
#include "stats_model.h"

#define START 1700000000.0

/* Records count per entry and per second, with no model and no lock. */
static void
test_record_alone(void **state)
{
    struct stats_delta d;

    (void)state;
    stats_delta_init(&d);
    stats_delta_reserve(&d, 3);
    assert_false(d.dirty);
    stats_delta_record(&d, 2, 1500, 700, 42, false, START + 0.2);
    stats_delta_record(&d, 2, 500, 100, 8, true, START + 1.7);
    stats_delta_resent(&d, 2, 2);
    stats_delta_throttled(&d, 2);
    assert_true(d.dirty);
    assert_int_equal(d.epoch, 0);           /* unbound: the epoch it was made with */
    assert_int_equal(d.entries[0].requests, 0);
    assert_int_equal(d.entries[2].requests, 2);
    assert_int_equal(d.entries[2].failures, 1);
    assert_int_equal(d.entries[2].resent, 2);
    assert_int_equal(d.entries[2].throttled, 1);
    assert_int_equal(d.entries[2].rt_sum_us, 2000);
    assert_int_equal(d.entries[2].rt_min_us, 500);
    assert_int_equal(d.entries[2].rt_max_us, 1500);
    assert_int_equal(d.entries[2].ttfb_sum_us, 800);
    assert_int_equal(d.entries[2].bytes, 50);
    assert_int_equal(d.entries[2].hist.total, 2);
    assert_true(d.entries[2].last_ts == START + 1.7);
    /* one request in each of two seconds */
    for (size_t k = 0; k < 4; k++) {
        const struct stats_second *s = &d.entries[2].secs[k];

        if (s->sec == (int64_t)START || s->sec == (int64_t)START + 1)
            assert_int_equal(s->requests, 1);
    }
    stats_delta_free(&d);
}

/* After a merge the delta is empty again, its room kept; clearing a clean one does nothing. */
static void
test_clear(void **state)
{
    struct stats_delta d;
    char *buf;

    (void)state;
    stats_delta_init(&d);
    stats_delta_reserve(&d, 2);
    stats_delta_record(&d, 1, 900, 0, 1, true, START);
    buf = stats_delta_error(&d, 1, 3, 503, 0, START);
    assert_non_null(buf);
    snprintf(buf, STATS_REASON_MAX, "HTTP 503");
    stats_delta_dropped(&d, 4);
    stats_delta_send_time(&d, 800);
    stats_delta_clear(&d);
    assert_false(d.dirty);
    assert_int_equal(d.nentries, 2);
    assert_int_equal(d.entries[1].requests, 0);
    assert_int_equal(d.entries[1].failures, 0);
    assert_int_equal(d.entries[1].hist.total, 0);
    assert_int_equal(d.entries[1].rt_min_us, UINT64_MAX);
    for (size_t k = 0; k < 4; k++)
        assert_int_equal(d.entries[1].secs[k].sec, -1);
    assert_int_equal(d.nerrors, 0);
    assert_int_equal(d.dropped, 0);
    assert_int_equal(d.send_rt_sum_us, 0);
    assert_int_equal(d.send_hist.total, 0);
    stats_delta_clear(&d);
    assert_false(d.dirty);
    /* the next record starts afresh */
    stats_delta_record(&d, 0, 100, 0, 1, false, START);
    assert_int_equal(d.entries[0].requests, 1);
    assert_true(d.dirty);
    stats_delta_free(&d);
}

/* A key counts once per occurrence in one slot; past the table, failures are counted as lost. */
static void
test_error_slots(void **state)
{
    struct stats_delta d;
    char *buf;
    int i;

    (void)state;
    stats_delta_init(&d);
    stats_delta_reserve(&d, 1);
    buf = stats_delta_error(&d, 0, 1, 500, 0, START);
    assert_non_null(buf);
    snprintf(buf, STATS_REASON_MAX, "transfer closed with 5120 bytes remaining");
    stats_delta_group(buf);
    assert_null(stats_delta_error(&d, 0, 1, 500, 0, START + 2));
    assert_int_equal(d.errors[0].count, 2);
    assert_true(d.errors[0].group);
    assert_true(d.errors[0].last_seen == START + 2);
    for (i = 1; i < STATS_DELTA_ERRORS; i++)
        assert_non_null(stats_delta_error(&d, 0, 1, 500 + i, 0, START));
    assert_null(stats_delta_error(&d, 0, 1, 9999, 0, START));
    assert_int_equal(d.nerrors, STATS_DELTA_ERRORS);
    assert_int_equal(d.errors_lost, 1);
    stats_delta_free(&d);
}

/* Numbers read as N, whatever their length; the output is always terminated. */
static void
test_normalise(void **state)
{
    char out[16];

    (void)state;
    stats_reason_normalise("closed 5120 of 77", out, sizeof(out));
    assert_string_equal(out, "closed N of N");
    stats_reason_normalise("a very long reason 123", out, 8);
    assert_string_equal(out, "a very ");
}

/* The ring layout the model and Locust's rules share: seconds before 1970 included. */
static void
test_ring_slot(void **state)
{
    struct stats_second ring[5];

    (void)state;
    assert_int_equal(stats_ring_slot(7, 5), 2);
    assert_int_equal(stats_ring_slot(-1, 5), 4);
    assert_int_equal(stats_ring_slot(-5, 5), 0);
    stats_ring_clear(ring, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ring[i].sec, -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_alone),
        cmocka_unit_test(test_clear),
        cmocka_unit_test(test_error_slots),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_ring_slot),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
