/*
 * test_hist.c: the log-linear histogram: bucket layout, precision over the
 * whole range, clamping, merge, diff, reset and rank lookups.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t
next_random(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(2685821657736338717);
}

/* A random latency spread over many orders of magnitude (1 us to ~1 h). */
static uint64_t
random_latency(uint64_t *state)
{
    uint64_t r = next_random(state);
    unsigned bits = (unsigned)(r % 32);

    return (next_random(state) >> (64 - bits - 1)) + (r >> 60);
}

/* Assert that two histograms hold the same counts, total and used range. */
static void
assert_hist_equal(const struct hist *a, const struct hist *b)
{
    uint32_t i;

    assert_int_equal(a->total, b->total);
    for (i = 0; i < HIST_BUCKETS; i++)
        if (a->counts[i] != b->counts[i])
            fail_msg("bucket %u: %llu != %llu", i, (unsigned long long)a->counts[i],
                     (unsigned long long)b->counts[i]);
    if (a->total > 0) {
        assert_int_equal(a->lo, b->lo);
        assert_int_equal(a->hi, b->hi);
    }
}

/* Assert that every count outside [lo, hi) is zero and the range's ends are used. */
static void
assert_range_tight(const struct hist *h)
{
    uint32_t i;
    uint64_t sum = 0;

    for (i = 0; i < HIST_BUCKETS; i++) {
        if (i < h->lo || i >= h->hi)
            assert_int_equal(h->counts[i], 0);
        sum += h->counts[i];
    }
    assert_int_equal(sum, h->total);
}

/* Buckets tile [0, HIST_MAX_US] without gaps and index() agrees with the bounds. */
static void
test_layout(void **state)
{
    uint32_t i;

    (void)state;
    assert_int_equal(HIST_BUCKETS, 1984);
    assert_int_equal(hist_bucket_lower(0), 0);
    for (i = 0; i < HIST_BUCKETS; i++) {
        uint64_t lo = hist_bucket_lower(i), hi = hist_bucket_upper(i);

        assert_true(lo <= hi);
        assert_int_equal(hist_index(lo), i);
        assert_int_equal(hist_index(hi), i);
        assert_true(hist_bucket_value(i) >= lo);
        assert_true(hist_bucket_value(i) <= hi);
        if (i + 1 < HIST_BUCKETS)
            assert_int_equal(hist_bucket_lower(i + 1), hi + 1);
    }
    assert_int_equal(hist_bucket_upper(HIST_BUCKETS - 1), HIST_MAX_US);
}

/* Values below 128 us are exact; 128 starts the first split power of two. */
static void
test_exact_small(void **state)
{
    uint64_t v;

    (void)state;
    for (v = 0; v < HIST_SUB_COUNT; v++) {
        assert_int_equal(hist_index(v), v);
        assert_int_equal(hist_bucket_value(hist_index(v)), v);
    }
    assert_int_equal(hist_index(128), 128);
    assert_int_equal(hist_index(129), 128);
    assert_int_equal(hist_index(130), 129);
    assert_int_equal(hist_bucket_lower(128), 128);
    assert_int_equal(hist_bucket_upper(128), 129);
    /* 2^e + 64 sub-buckets: 256 starts bucket 192 */
    assert_int_equal(hist_index(255), 191);
    assert_int_equal(hist_index(256), 192);
}

/* Every value is represented within 1/128 of itself, over the whole range. */
static void
test_precision_sweep(void **state)
{
    uint64_t rnd = 42, v;
    double worst = 0;
    int i;

    (void)state;
    for (v = 1; v <= HIST_MAX_US; v = v + v / 997 + 1) {
        uint64_t rep = hist_bucket_value(hist_index(v));
        double err = rep > v ? (double)(rep - v) : (double)(v - rep);

        if (v < 128)
            assert_int_equal(rep, v);
        if (err / (double)v > worst)
            worst = err / (double)v;
    }
    for (i = 0; i < 200000; i++) {
        uint64_t x = random_latency(&rnd) % (HIST_MAX_US + 1);
        uint64_t rep = hist_bucket_value(hist_index(x));
        double err = rep > x ? (double)(rep - x) : (double)(x - rep);

        if (x > 0 && err / (double)x > worst)
            worst = err / (double)x;
    }
    assert_true(worst <= 1.0 / 128);
    /* and the bound is tight: the sweep gets close to it */
    assert_true(worst > 1.0 / 140);
}

/* Values above HIST_MAX_US land in the last bucket. */
static void
test_clamp(void **state)
{
    struct hist h;

    (void)state;
    assert_int_equal(hist_index(HIST_MAX_US), HIST_BUCKETS - 1);
    assert_int_equal(hist_index(HIST_MAX_US + 1), HIST_BUCKETS - 1);
    assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
    hist_init(&h);
    hist_record(&h, UINT64_MAX);
    assert_int_equal(h.counts[HIST_BUCKETS - 1], 1);
    assert_int_equal(h.lo, HIST_BUCKETS - 1);
    assert_int_equal(h.hi, HIST_BUCKETS);
    assert_int_equal(hist_value_at_rank(&h, 0), hist_bucket_value(HIST_BUCKETS - 1));
}

/* Recording keeps total and the used range. */
static void
test_record(void **state)
{
    struct hist h;

    (void)state;
    hist_init(&h);
    assert_true(h.lo >= h.hi);
    assert_int_equal(h.total, 0);
    hist_record(&h, 5000);
    hist_record(&h, 70);
    hist_record(&h, 5000);
    hist_record_n(&h, 1000000, 3);
    hist_record_n(&h, 1, 0);
    assert_int_equal(h.total, 6);
    assert_int_equal(h.lo, 70);
    assert_int_equal(h.hi, hist_index(1000000) + 1);
    assert_int_equal(h.counts[hist_index(5000)], 2);
    assert_int_equal(h.counts[hist_index(1000000)], 3);
    assert_int_equal(h.counts[1], 0);
    assert_range_tight(&h);
}

/* Merging two histograms equals recording everything into one. */
static void
test_merge_is_record_all(void **state)
{
    static struct hist a, b, all, empty;
    uint64_t rnd = 7;
    int i;

    (void)state;
    hist_init(&a);
    hist_init(&b);
    hist_init(&all);
    hist_init(&empty);
    for (i = 0; i < 5000; i++) {
        uint64_t v = random_latency(&rnd);

        hist_record(i % 3 ? &a : &b, v);
        hist_record(&all, v);
    }
    hist_merge(&a, &b);
    assert_hist_equal(&a, &all);
    assert_range_tight(&a);
    /* empty into full and full into empty */
    hist_merge(&a, &empty);
    assert_hist_equal(&a, &all);
    hist_merge(&empty, &all);
    assert_hist_equal(&empty, &all);
    /* ranges widen on both sides */
    hist_init(&a);
    hist_init(&b);
    hist_record(&a, 1000);
    hist_record(&b, 3);
    hist_record(&b, 9000000);
    hist_merge(&a, &b);
    assert_int_equal(a.lo, 3);
    assert_int_equal(a.hi, hist_index(9000000) + 1);
    assert_int_equal(a.total, 3);
}

/* a - (an earlier state of a) equals what was recorded in between. */
static void
test_diff(void **state)
{
    static struct hist a, before, later, d;
    uint64_t rnd = 99;
    int i;

    (void)state;
    hist_init(&a);
    hist_init(&later);
    hist_init(&d);
    for (i = 0; i < 3000; i++)
        hist_record(&a, random_latency(&rnd));
    before = a;
    for (i = 0; i < 2000; i++) {
        uint64_t v = random_latency(&rnd);

        hist_record(&a, v);
        hist_record(&later, v);
    }
    hist_record(&d, 123456); /* stale content must disappear */
    hist_diff(&d, &a, &before);
    assert_hist_equal(&d, &later);
    assert_range_tight(&d);

    /* the used range shrinks to the buckets that changed */
    hist_init(&a);
    hist_record(&a, 10);
    hist_record(&a, 50000);
    before = a;
    hist_record(&a, 700);
    hist_diff(&d, &a, &before);
    assert_int_equal(d.total, 1);
    assert_int_equal(d.lo, hist_index(700));
    assert_int_equal(d.hi, hist_index(700) + 1);
    assert_range_tight(&d);

    /* in place, and no change at all gives an empty result */
    hist_diff(&a, &a, &before);
    assert_int_equal(a.total, 1);
    assert_int_equal(a.counts[hist_index(700)], 1);
    assert_int_equal(a.counts[10], 0);
    assert_range_tight(&a);
    hist_diff(&d, &before, &before);
    assert_int_equal(d.total, 0);
    assert_true(d.lo >= d.hi);
    assert_int_equal(hist_value_at_rank(&d, 0), 0);
}

/* Reset clears every count, not just the total. */
static void
test_reset(void **state)
{
    struct hist h;
    uint32_t i;

    (void)state;
    hist_init(&h);
    hist_record(&h, 3);
    hist_record(&h, 12345678);
    hist_reset(&h);
    assert_int_equal(h.total, 0);
    assert_true(h.lo >= h.hi);
    for (i = 0; i < HIST_BUCKETS; i++)
        assert_int_equal(h.counts[i], 0);
    hist_record(&h, 77);
    assert_int_equal(h.lo, 77);
    assert_int_equal(h.hi, 78);
    assert_int_equal(hist_value_at_rank(&h, 0), 77);
}

/* Rank lookups: empty, single value, boundaries between buckets, past the end. */
static void
test_rank(void **state)
{
    struct hist h;
    uint64_t rep_big;

    (void)state;
    hist_init(&h);
    assert_int_equal(hist_value_at_rank(&h, 0), 0);
    assert_int_equal(hist_value_at_rank(&h, 10), 0);

    hist_record(&h, 42);
    assert_int_equal(hist_value_at_rank(&h, 0), 42);
    assert_int_equal(hist_value_at_rank(&h, 1), 42);
    assert_int_equal(hist_value_at_rank(&h, UINT64_MAX), 42);

    /* ranks 0..1 -> 5, 2 -> 42, 3..5 -> big */
    hist_record_n(&h, 5, 2);
    hist_record_n(&h, 2000000, 3);
    rep_big = hist_bucket_value(hist_index(2000000));
    assert_int_equal(hist_value_at_rank(&h, 0), 5);
    assert_int_equal(hist_value_at_rank(&h, 1), 5);
    assert_int_equal(hist_value_at_rank(&h, 2), 42);
    assert_int_equal(hist_value_at_rank(&h, 3), rep_big);
    assert_int_equal(hist_value_at_rank(&h, 5), rep_big);
    assert_int_equal(hist_value_at_rank(&h, 6), rep_big);
    assert_int_equal(hist_value_at_rank(&h, 1000), rep_big);
    /* the representative is the bucket's middle */
    assert_true(rep_big > hist_bucket_lower(hist_index(2000000)));
    assert_true(rep_big <= hist_bucket_upper(hist_index(2000000)));
    assert_true(rep_big >= 2000000 - 2000000 / 128 && rep_big <= 2000000 + 2000000 / 128);
}

/* Run the histogram tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_exact_small),
        cmocka_unit_test(test_precision_sweep),
        cmocka_unit_test(test_clamp),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_merge_is_record_all),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_rank),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
