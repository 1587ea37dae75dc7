/*
 * test_stats_locust.c: Locust's rules read from a model built by hand,
 * with none of the model's own code (stats.c): what the rules need of a
 * model is its data (stats_model.h) and nothing else.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats_locust.h"
#include "stats_model.h"

#define START 1700000000.0

/* An entry holding the response times ms[0..n) in milliseconds. */
static void
entry_with(struct stats_entry *e, char *method, char *name, const unsigned *ms, size_t n)
{
    memset(e, 0, sizeof(*e));
    e->method = method;
    e->name = name;
    e->min_rt_us = UINT64_MAX;
    hist_init(&e->hist);
    stats_ring_clear(e->ring, STATS_RING);
    for (size_t i = 0; i < n; i++) {
        uint64_t us = (uint64_t)ms[i] * 1000;

        hist_record(&e->hist, us);
        e->num_requests++;
        e->total_rt_us += us;
        if (us < e->min_rt_us)
            e->min_rt_us = us;
        if (us > e->max_rt_us)
            e->max_rt_us = us;
    }
}

/* Median, percentiles and averages of one entry. */
static void
test_entry_figures(void **state)
{
    static const unsigned ms[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    struct stats_entry *e = malloc(sizeof(*e));

    (void)state;
    entry_with(e, "GET", "/a", ms, 10);
    assert_true(stats_median_ms(e) == 5);            /* the lower median */
    assert_int_equal(stats_percentile_ms(e, 0.90), 10);
    assert_int_equal(stats_percentile_ms(e, 0.50), 6);  /* rank floor(10 * 0.5) */
    assert_true(stats_avg_ms(e) == 5.5);
    assert_true(stats_min_ms(e) == 1);
    assert_true(stats_max_ms(e) == 10);
    e->num_failures = 5;
    assert_true(stats_fail_ratio(e) == 0.5);
    assert_int_equal(stats_locust_round_ms(149.5), 150);
    assert_int_equal(stats_locust_round_ms(1250), 1200);    /* halves to even */
    assert_int_equal(stats_locust_round_ms(55.5), 56);
    free(e);
}

/* The current rate: seconds L-12 .. L-3 of the last request L; the whole-run rate. */
static void
test_rates(void **state)
{
    struct stats *s = calloc(1, sizeof(*s));
    int64_t t;

    (void)state;
    entry_with(&s->total, "", "Aggregated", NULL, 0);
    s->start_time = START;
    s->total.last_request_ts = START + 20;
    for (t = (int64_t)START; t <= (int64_t)START + 20; t++) {
        struct stats_second *slot = &s->total.ring[stats_ring_slot(t, STATS_RING)];

        slot->sec = t;
        slot->requests = t >= (int64_t)START + 8 && t <= (int64_t)START + 17 ? 10 : 1000;
        slot->failures = 0;
    }
    assert_true(stats_current_rps(s, &s->total) == 10.0);
    s->total.num_requests = 400;
    assert_true(stats_total_rps(s, &s->total) == 20.0);
    free(s);
}

/* Rows in Locust's order: by name, then method. */
static void
test_sorted(void **state)
{
    struct stats *s = calloc(1, sizeof(*s));
    int *order;

    (void)state;
    s->entries = calloc(3, sizeof(*s->entries));
    s->nentries = 3;
    entry_with(&s->entries[0], "POST", "/b", NULL, 0);
    entry_with(&s->entries[1], "GET", "/b", NULL, 0);
    entry_with(&s->entries[2], "GET", "/a", NULL, 0);
    order = stats_sorted(s);
    assert_int_equal(order[0], 2);
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 0);
    free(order);
    free(s->entries);
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry_figures),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_sorted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
