/*
 * test_stats.c: the statistics model and Locust's rules: rounding and
 * bucketing, median and percentiles (the examples verified against Locust
 * 2.12.1), current and total rates, deltas with their epoch and error
 * slots, reset, copy, series and sorting.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"
#include "util.h"

#define START 1700000000.0

/* A fresh model on the heap (it is large), reset at START. */
static struct stats *
model_new(void)
{
    struct stats *s = xmalloc(sizeof(*s));

    stats_init(s);
    stats_reset(s, START);
    return s;
}

/* Free a model made by model_new. */
static void
model_free(struct stats *s)
{
    stats_free(s);
    free(s);
}

/* A delta in step with the model, with room for all its entries. */
static void
delta_for(struct stats_delta *d, struct stats *s)
{
    stats_delta_init(d);
    stats_delta_reserve(d, s->nentries);
    stats_merge(s, d);
}

/* Record one request and merge it at once. */
static void
record(struct stats *s, struct stats_delta *d, int entry, uint64_t rt_us, bool failed,
       double now)
{
    stats_delta_record(d, entry, rt_us, rt_us / 2, 100, failed, now);
    stats_merge(s, d);
}

/* Record a failure with a reason text and merge it. */
static void
record_error(struct stats *s, struct stats_delta *d, int entry, int kind, long code,
             const char *reason, double now)
{
    char *buf;

    stats_delta_record(d, entry, 1000, 0, 0, true, now);
    buf = stats_delta_error(d, entry, kind, code, 0, now);
    if (buf != NULL)
        snprintf(buf, STATS_REASON_MAX, "%s", reason);
    stats_merge(s, d);
}

/* Reasons differing in their numbers only: one row, counted together, the first text kept. */
static void
test_error_groups(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    char out[64], *buf;
    int i;

    (void)state;
    stats_reason_normalise("closed with 123 bytes at 4.5", out, sizeof(out));
    assert_string_equal(out, "closed with N bytes at N.N");
    delta_for(&d, s);
    for (i = 0; i < 5; i++) {
        stats_delta_record(&d, a, 1000, 0, 0, true, START + i);
        buf = stats_delta_error(&d, a, 1, 18, 0, START + i);
        assert_non_null(buf);
        snprintf(buf, STATS_REASON_MAX, "transfer closed with %d bytes remaining", 100 + i);
        stats_delta_group(buf);
        stats_merge(s, &d);     /* every merge brings a new text */
    }
    record_error(s, &d, a, 1, 503, "HTTP 503", START + 6);   /* not grouped: stays apart */
    record_error(s, &d, a, 1, 500, "HTTP 500", START + 7);
    assert_int_equal(s->nerrors, 3);
    assert_string_equal(s->errors[0].reason, "transfer closed with N bytes remaining");
    assert_string_equal(s->errors[0].example, "transfer closed with 100 bytes remaining");
    assert_int_equal(s->errors[0].occurrences, 5);
    assert_null(s->errors[1].example);
    stats_delta_free(&d);
    model_free(s);
}

/* Python round(): halves go to the even neighbour. */
static void
test_round_half_even(void **state)
{
    (void)state;
    assert_true(stats_round_half_even(0.4) == 0);
    assert_true(stats_round_half_even(0.5) == 0);
    assert_true(stats_round_half_even(1.5) == 2);
    assert_true(stats_round_half_even(2.5) == 2);
    assert_true(stats_round_half_even(3.5) == 4);
    assert_true(stats_round_half_even(2.6) == 3);
    assert_true(stats_round_half_even(99.5) == 100);
    assert_true(stats_round_half_even(-0.5) == 0);
    assert_true(stats_round_half_even(-1.5) == -2);
    assert_true(stats_round_half_even(-2.4) == -2);
    /* 0.49999999999999994 is below one half and must not round up */
    assert_true(stats_round_half_even(0.49999999999999994) == 0);
}

/* Locust's response-time buckets (reference §2.2 and §10). */
static void
test_locust_round(void **state)
{
    (void)state;
    assert_int_equal(stats_locust_round_ms(0.4), 0);
    assert_int_equal(stats_locust_round_ms(1.5), 2);
    assert_int_equal(stats_locust_round_ms(2.5), 2);
    assert_int_equal(stats_locust_round_ms(99.5), 100);
    assert_int_equal(stats_locust_round_ms(99.4), 99);
    assert_int_equal(stats_locust_round_ms(100), 100);
    assert_int_equal(stats_locust_round_ms(147), 150);
    assert_int_equal(stats_locust_round_ms(147.3), 150);
    assert_int_equal(stats_locust_round_ms(145), 140);
    assert_int_equal(stats_locust_round_ms(155), 160);
    assert_int_equal(stats_locust_round_ms(999.9), 1000);
    assert_int_equal(stats_locust_round_ms(3432), 3400);
    assert_int_equal(stats_locust_round_ms(1250), 1200);
    assert_int_equal(stats_locust_round_ms(1350), 1400);
    assert_int_equal(stats_locust_round_ms(9950), 10000);
    assert_int_equal(stats_locust_round_ms(58760), 59000);
    assert_int_equal(stats_locust_round_ms(12500), 12000);
    assert_int_equal(stats_locust_round_ms(13500), 14000);
    assert_int_equal(stats_locust_round_ms(145.00000000000003), 150);
}

/* The §10 example: ten responses, median 140 and the percentile row. */
static void
test_median_percentiles_reference(void **state)
{
    static const double ms[] = { 0.4, 1.5, 2.5, 99.5, 147.3, 145, 155, 3432, 58760, 12500 };
    struct stats *s = model_new();
    struct stats_delta d;
    int id = stats_entry_id(s, "GET", "/x");
    const struct stats_entry *e;
    size_t i;

    (void)state;
    delta_for(&d, s);
    for (i = 0; i < ARRAY_LEN(ms); i++)
        stats_delta_record(&d, id, (uint64_t)llround(ms[i] * 1000), 0, 0, false, START + 1);
    stats_merge(s, &d);
    e = &s->entries[id];
    assert_int_equal(e->num_requests, 10);
    assert_true(stats_median_ms(e) == 140);
    assert_int_equal(stats_percentile_ms(e, 0.50), 150);
    assert_int_equal(stats_percentile_ms(e, 0.75), 3400);
    assert_int_equal(stats_percentile_ms(e, 0.90), 59000);
    assert_int_equal(stats_percentile_ms(e, 0.95), 59000);
    assert_int_equal(stats_percentile_ms(e, 0.99), 59000);
    assert_int_equal(stats_percentile_ms(e, 0.9999), 59000);
    assert_int_equal(stats_percentile_ms(e, 1.0), 59000);
    /*
     * Locust prints 160 for 66% and 12000 for 80%: it buckets the raw 155
     * and 12500, both exact halves that round to even. Our histogram keeps
     * these values only to within 1/128, and the buckets holding 155 ms
     * ([153.6, 155.647]) and 12500 ms ([12451.8, 12582.9]) straddle those
     * ties, so their midpoints (154.6, 12517) bucket to the other side.
     */
    assert_int_equal(stats_percentile_ms(e, 0.66), 150);
    assert_int_equal(stats_percentile_ms(e, 0.80), 13000);
    /* the same totals merged into Aggregated */
    assert_true(stats_median_ms(&s->total) == 140);
    assert_int_equal(stats_percentile_ms(&s->total, 0.5), 150);
    stats_delta_free(&d);
    model_free(s);
}

/* One 147.3 ms request: median is clamped to the raw max, p50 is bucketed. */
static void
test_single_request(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int id = stats_entry_id(s, "GET", "/x");
    const struct stats_entry *e = &s->entries[id];

    (void)state;
    delta_for(&d, s);
    assert_true(stats_median_ms(e) == 0);
    assert_int_equal(stats_percentile_ms(e, 0.5), 0);
    assert_true(stats_min_ms(e) == 0);
    assert_true(stats_avg_ms(e) == 0);
    record(s, &d, id, 147300, false, START + 1);
    e = &s->entries[id];
    assert_true(fabs(stats_median_ms(e) - 147.3) < 1e-9);
    assert_int_equal(stats_percentile_ms(e, 0.5), 150);
    assert_int_equal(stats_percentile_ms(e, 1.0), 150);
    assert_true(fabs(stats_min_ms(e) - 147.3) < 1e-9);
    assert_true(fabs(stats_max_ms(e) - 147.3) < 1e-9);
    assert_true(fabs(stats_avg_ms(e) - 147.3) < 1e-9);

    /* and clamped up to the raw min: 104.4 ms buckets to 100 */
    id = stats_entry_id(s, "GET", "/y");
    stats_delta_reserve(&d, s->nentries);
    record(s, &d, id, 104400, false, START + 1);
    e = &s->entries[1];
    assert_true(fabs(stats_median_ms(e) - 104.4) < 1e-9);
    assert_int_equal(stats_percentile_ms(e, 0.5), 100);
    stats_delta_free(&d);
    model_free(s);
}

/* Lower median for even counts, upper element for p50; ranks use floor(n*p). */
static void
test_median_even_and_ranks(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int id = stats_entry_id(s, "GET", "/x");
    const struct stats_entry *e;
    int i;

    (void)state;
    delta_for(&d, s);
    /* 10, 20, 30, 40 ms */
    for (i = 1; i <= 4; i++)
        stats_delta_record(&d, id, (uint64_t)i * 10000, 0, 0, false, START + 1);
    stats_merge(s, &d);
    e = &s->entries[id];
    assert_true(stats_median_ms(e) == 20);
    assert_int_equal(stats_percentile_ms(e, 0.5), 30);
    assert_int_equal(stats_percentile_ms(e, 0.0), 10);
    assert_int_equal(stats_percentile_ms(e, 0.74), 30);
    assert_int_equal(stats_percentile_ms(e, 0.75), 40);
    assert_int_equal(stats_percentile_ms(e, 1.0), 40);
    assert_true(stats_avg_ms(e) == 25);
    stats_delta_free(&d);
    model_free(s);
}

/* Min/max/avg/bytes/fail ratio, including the empty and odd cases. */
static void
test_simple_figures(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int id = stats_entry_id(s, "POST", "/p");
    struct stats_entry *e;

    (void)state;
    delta_for(&d, s);
    e = &s->entries[id];
    assert_int_equal(e->min_rt_us, UINT64_MAX);
    assert_true(stats_fail_ratio(e) == 0);
    assert_true(stats_avg_bytes(e) == 0);
    stats_delta_record(&d, id, 3000, 1000, 500, false, START + 1);
    stats_delta_record(&d, id, 9000, 2000, 0, true, START + 1);
    stats_delta_record(&d, id, 6000, 3000, 1000, false, START + 2);
    stats_merge(s, &d);
    e = &s->entries[id];
    assert_true(stats_min_ms(e) == 3);
    assert_true(stats_max_ms(e) == 9);
    assert_true(stats_avg_ms(e) == 6);
    assert_true(stats_avg_bytes(e) == 500);
    assert_true(fabs(stats_fail_ratio(e) - 1.0 / 3) < 1e-12);
    assert_int_equal(e->total_ttfb_us, 6000);
    assert_int_equal(s->total.num_failures, 1);
    assert_int_equal(s->total.total_bytes, 1500);
    /* failures without requests read as 100 % */
    e->num_requests = 0;
    assert_true(stats_fail_ratio(e) == 1.0);
    stats_delta_free(&d);
    model_free(s);
}

/* Current RPS: seconds max(L-12, S) .. L-3 of the total's last request, divided by their count. */
static void
test_current_rps(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    int b = stats_entry_id(s, "GET", "/b");
    int sec, k;

    (void)state;
    delta_for(&d, s);
    assert_true(stats_current_rps(s, &s->total) == 0);
    assert_true(stats_total_rps(s, &s->total) == 0);

    /* second k gets k+1 requests on /a, one of them failed when k is even */
    for (sec = 0; sec < 6; sec++) {
        for (k = 0; k <= sec; k++)
            record(s, &d, a, 1000, k == 0 && sec % 2 == 0, START + sec + 0.5);
    }
    /* L = S+5: seconds S .. S+2 -> (1 + 2 + 3) / 3 */
    assert_true(stats_current_rps(s, &s->entries[a]) == 2.0);
    assert_true(fabs(stats_current_fail_per_sec(s, &s->entries[a]) - 2.0 / 3) < 1e-12);
    assert_true(stats_current_rps(s, &s->total) == 2.0);
    assert_true(stats_current_rps(s, &s->entries[b]) == 0);

    /* /b ends later: the window follows the total's last request for every entry */
    for (sec = 6; sec < 20; sec++)
        record(s, &d, b, 1000, false, START + sec + 0.25);
    /* L = S+19: seconds S+7 .. S+16, /a has none of them, /b one each */
    assert_true(stats_current_rps(s, &s->entries[a]) == 0);
    assert_true(stats_current_rps(s, &s->entries[b]) == 1.0);
    assert_true(stats_current_rps(s, &s->total) == 1.0);
    assert_true(stats_current_fail_per_sec(s, &s->total) == 0);

    /* total rate: all requests over (last request - start) */
    assert_true(fabs(stats_total_rps(s, &s->total) - 35 / 19.25) < 1e-9);
    assert_true(fabs(stats_total_rps(s, &s->entries[b]) - 14 / 19.25) < 1e-9);
    assert_true(fabs(stats_total_fail_per_sec(s, &s->total) - 3 / 19.25) < 1e-9);

    /* a long gap: ring slots from 32 s earlier must not count as the window's seconds */
    record(s, &d, a, 1000, false, START + 19 + 32 + 3);
    /* L = S+54: window S+42 .. S+51 holds nothing */
    assert_true(stats_current_rps(s, &s->total) == 0);
    stats_delta_free(&d);
    model_free(s);
}

/* Less than three seconds in: the window is empty and rates read 0. */
static void
test_current_rps_early(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");

    (void)state;
    delta_for(&d, s);
    record(s, &d, a, 1000, false, START + 0.1);
    record(s, &d, a, 1000, false, START + 1.9);
    assert_true(stats_current_rps(s, &s->total) == 0);
    record(s, &d, a, 1000, false, START + 3.2);
    /* L = S+3: only second S -> one request */
    assert_true(stats_current_rps(s, &s->total) == 1.0);
    stats_delta_free(&d);
    model_free(s);
}

/* A delta recorded before a reset is dropped; the next one counts. */
static void
test_epoch_discard(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");

    (void)state;
    delta_for(&d, s);
    stats_delta_record(&d, a, 1000, 0, 10, true, START + 1);
    stats_delta_error(&d, a, 1, 503, 0, START + 1);
    stats_reset(s, START + 2);
    stats_merge(s, &d);
    assert_int_equal(s->entries[a].num_requests, 0);
    assert_int_equal(s->total.num_requests, 0);
    assert_int_equal(s->nerrors, 0);
    assert_int_equal(d.epoch, s->epoch);
    assert_false(d.dirty);
    assert_int_equal(d.nerrors, 0);
    assert_int_equal(d.entries[a].requests, 0);
    assert_int_equal(d.entries[a].hist.total, 0);

    record(s, &d, a, 2000, false, START + 3);
    assert_int_equal(s->entries[a].num_requests, 1);
    assert_int_equal(s->total.num_requests, 1);
    assert_int_equal(s->entries[a].min_rt_us, 2000);
    assert_true(s->start_time == START + 2);
    stats_delta_free(&d);
    model_free(s);
}

/* Errors keep the order of first occurrence across merges; equal text on one entry is one row. */
static void
test_error_order(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    int b = stats_entry_id(s, "POST", "/b");
    char *buf;

    (void)state;
    delta_for(&d, s);
    /* a slot's buffer comes back only the first time its key is seen */
    stats_delta_record(&d, b, 1000, 0, 0, true, START + 1);
    buf = stats_delta_error(&d, b, 2, 111, 0, START + 1);
    assert_non_null(buf);
    strcpy(buf, "Connection refused");
    stats_delta_record(&d, b, 1000, 0, 0, true, START + 1.5);
    assert_null(stats_delta_error(&d, b, 2, 111, 0, START + 1.5));
    stats_delta_record(&d, a, 1000, 0, 0, true, START + 1.6);
    buf = stats_delta_error(&d, a, 1, 503, 0, START + 1.6);
    assert_non_null(buf);
    strcpy(buf, "HTTP 503");
    assert_int_equal(d.nerrors, 2);
    stats_merge(s, &d);

    record_error(s, &d, a, 1, 500, "HTTP 500", START + 2);
    record_error(s, &d, a, 1, 503, "HTTP 503", START + 3);
    record_error(s, &d, b, 2, 111, "Connection refused", START + 4);
    /* another key with the same text merges into the same row */
    record_error(s, &d, a, 1, 5030, "HTTP 503", START + 5);
    /* same text on another entry is another row */
    record_error(s, &d, b, 1, 503, "HTTP 503", START + 6);

    assert_int_equal(s->nerrors, 4);
    assert_int_equal(s->errors[0].entry, b);
    assert_string_equal(s->errors[0].reason, "Connection refused");
    assert_int_equal(s->errors[0].occurrences, 3);
    assert_true(s->errors[0].first_seen == START + 1);
    assert_true(s->errors[0].last_seen == START + 4);
    assert_int_equal(s->errors[1].entry, a);
    assert_string_equal(s->errors[1].reason, "HTTP 503");
    assert_int_equal(s->errors[1].occurrences, 3);
    assert_string_equal(s->errors[2].reason, "HTTP 500");
    assert_int_equal(s->errors[2].occurrences, 1);
    assert_int_equal(s->errors[3].entry, b);
    assert_string_equal(s->errors[3].reason, "HTTP 503");
    assert_int_equal(s->total.num_failures, 8);
    stats_delta_free(&d);
    model_free(s);
}

/* Past 64 distinct keys a delta counts errors as lost; they merge as "other errors" on their entry. */
static void
test_error_overflow(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    int b = stats_entry_id(s, "GET", "/b");
    long i;

    (void)state;
    delta_for(&d, s);
    for (i = 0; i < STATS_DELTA_ERRORS; i++) {
        char *buf;

        stats_delta_record(&d, a, 1000, 0, 0, true, START + 1);
        buf = stats_delta_error(&d, a, 1, 1000 + i, 0, START + 1);
        assert_non_null(buf);
        snprintf(buf, STATS_REASON_MAX, "HTTP %ld", 1000 + i);
    }
    /* a known key still counts in its slot */
    stats_delta_record(&d, a, 1000, 0, 0, true, START + 1);
    assert_null(stats_delta_error(&d, a, 1, 1000, 0, START + 1));
    for (i = 0; i < 3; i++) {
        stats_delta_record(&d, b, 1000, 0, 0, true, START + 1);
        assert_null(stats_delta_error(&d, b, 1, 9000 + i, 0, START + 1));
    }
    assert_int_equal(d.errors_lost, 3);
    stats_merge(s, &d);
    assert_int_equal(s->nerrors, STATS_DELTA_ERRORS + 1);
    assert_int_equal(s->errors[0].occurrences, 2);
    assert_int_equal(s->errors[STATS_DELTA_ERRORS].entry, b);
    assert_string_equal(s->errors[STATS_DELTA_ERRORS].reason, "other errors");
    assert_int_equal(s->errors[STATS_DELTA_ERRORS].occurrences, 3);
    assert_int_equal(d.errors_lost, 0);
    assert_int_equal(d.nerrors, 0);
    stats_delta_free(&d);
    model_free(s);
}

/* Reset zeroes everything but the entries' names, and bumps the epoch. */
static void
test_reset(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    uint64_t epoch;

    (void)state;
    delta_for(&d, s);
    record(s, &d, a, 5000, true, START + 1);
    record_error(s, &d, a, 1, 503, "HTTP 503", START + 2);
    stats_sample(s, (int64_t)START + 2, 3);
    epoch = s->epoch;
    stats_reset(s, START + 10);
    assert_int_equal(s->epoch, epoch + 1);
    assert_true(s->start_time == START + 10);
    assert_int_equal(s->nentries, 1);
    assert_string_equal(s->entries[a].name, "/a");
    assert_string_equal(s->entries[a].method, "GET");
    assert_int_equal(s->entries[a].num_requests, 0);
    assert_int_equal(s->entries[a].num_failures, 0);
    assert_int_equal(s->entries[a].min_rt_us, UINT64_MAX);
    assert_int_equal(s->entries[a].max_rt_us, 0);
    assert_int_equal(s->entries[a].hist.total, 0);
    assert_true(s->entries[a].last_request_ts == 0);
    assert_int_equal(s->total.num_requests, 0);
    assert_int_equal(s->total.hist.total, 0);
    assert_string_equal(s->total.name, "Aggregated");
    assert_int_equal(s->nerrors, 0);
    assert_int_equal(s->nseries, 0);
    assert_true(stats_current_percentile_ms(s, 0.5, (int64_t)time_wall()) == 0);
    /* the same name gives the same id after a reset */
    assert_int_equal(stats_entry_id(s, "GET", "/a"), a);
    assert_int_equal(stats_entry_id(s, "POST", "/a"), 1);
    stats_delta_free(&d);
    model_free(s);
}

/* A copy is deep and independent; copying again reuses memory and follows shrinking. */
static void
test_copy(void **state)
{
    struct stats *s = model_new();
    struct stats *c = xmalloc(sizeof(*c));
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    int b = stats_entry_id(s, "GET", "/b");

    (void)state;
    stats_init(c);
    delta_for(&d, s);
    record(s, &d, a, 5000, false, START + 1);
    record(s, &d, b, 7000, false, START + 1);
    record_error(s, &d, b, 1, 503, "HTTP 503", START + 2);
    record_error(s, &d, a, 1, 500, "HTTP 500", START + 2);
    stats_sample(s, (int64_t)START + 2, 4);
    stats_copy(c, s);
    assert_int_equal(c->nentries, 2);
    assert_string_equal(c->entries[b].name, "/b");
    assert_int_equal(c->entries[a].num_requests, 2);
    assert_int_equal(c->entries[a].hist.total, 2);
    assert_int_equal(c->total.num_requests, 4);
    assert_int_equal(c->nerrors, 2);
    assert_string_equal(c->errors[0].reason, "HTTP 503");
    assert_ptr_not_equal(c->errors[0].reason, s->errors[0].reason);
    assert_ptr_not_equal(c->entries[a].name, s->entries[a].name);
    assert_int_equal(c->nseries, 1);
    assert_int_equal(c->series[0].users, 4);
    assert_int_equal(c->epoch, s->epoch);
    assert_true(stats_median_ms(&c->entries[b]) == stats_median_ms(&s->entries[b]));

    /* the copy does not follow the model */
    record(s, &d, a, 9000, false, START + 3);
    assert_int_equal(c->entries[a].num_requests, 2);

    /* after a reset the copy shrinks: no errors, empty histograms */
    stats_reset(s, START + 5);
    stats_entry_id(s, "GET", "/c");
    stats_copy(c, s);
    assert_int_equal(c->nerrors, 0);
    assert_int_equal(c->nentries, 3);
    assert_string_equal(c->entries[2].name, "/c");
    assert_int_equal(c->entries[a].hist.total, 0);
    assert_int_equal(c->entries[a].hist.counts[hist_index(5000)], 0);
    assert_int_equal(c->total.num_requests, 0);
    assert_int_equal(c->nseries, 0);

    /* and grows again (the first merge after a reset only syncs the delta's epoch) */
    stats_merge(s, &d);
    record_error(s, &d, a, 1, 500, "HTTP 500", START + 6);
    stats_copy(c, s);
    assert_int_equal(c->nerrors, 1);
    assert_string_equal(c->errors[0].reason, "HTTP 500");
    stats_delta_free(&d);
    model_free(c);
    model_free(s);
}

/* Entries sort by (name, method) with plain byte order. */
static void
test_sorted(void **state)
{
    struct stats *s = model_new();
    int *order;

    (void)state;
    stats_entry_id(s, "POST", "/predict");
    stats_entry_id(s, "GET", "/predict");
    stats_entry_id(s, "GET", "/Zebra");
    stats_entry_id(s, "GET", "/health");
    stats_entry_id(s, "DELETE", "/predict");
    stats_entry_id(s, "GET", "/a/b");
    order = stats_sorted(s);
    assert_string_equal(s->entries[order[0]].name, "/Zebra");
    assert_string_equal(s->entries[order[1]].name, "/a/b");
    assert_string_equal(s->entries[order[2]].name, "/health");
    assert_string_equal(s->entries[order[3]].method, "DELETE");
    assert_string_equal(s->entries[order[4]].method, "GET");
    assert_string_equal(s->entries[order[5]].method, "POST");
    assert_string_equal(s->entries[order[5]].name, "/predict");
    free(order);
    model_free(s);
}

/* Current percentiles read the recent per-second histograms of the last 10 seconds. */
static void
test_current_percentile(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    int64_t now;
    int i;

    (void)state;
    delta_for(&d, s);
    for (i = 1; i <= 100; i++)
        stats_delta_record(&d, a, (uint64_t)i * 1000, 0, 0, false, time_wall());
    stats_merge(s, &d);
    now = (int64_t)time_wall();
    assert_true(stats_current_percentile_ms(s, 0.5, now) == 51);
    assert_true(stats_current_percentile_ms(s, 0.95, now) == 96);
    assert_true(stats_current_percentile_ms(s, 1.0, now) == 100);
    assert_true(stats_current_percentile_ms(s, 0.5, now + STATS_WINDOW + 1) == 0);

    /* window edges, with hand-made seconds: now-9 .. now count, now-10 and the future do not */
    for (i = 0; i < STATS_RECENT; i++) {
        hist_reset(&s->recent[i]);
        s->recent_sec[i] = -1;
    }
    now = 5000;
    s->recent_sec[(now - 9) % STATS_RECENT] = now - 9;
    hist_record(&s->recent[(now - 9) % STATS_RECENT], 10000);
    s->recent_sec[(now - 10) % STATS_RECENT] = now - 10;
    hist_record_n(&s->recent[(now - 10) % STATS_RECENT], 900000, 5);
    s->recent_sec[now % STATS_RECENT] = now;
    hist_record(&s->recent[now % STATS_RECENT], 20000);
    s->recent_sec[(now + 1) % STATS_RECENT] = now + 1;
    hist_record_n(&s->recent[(now + 1) % STATS_RECENT], 700000, 5);
    assert_true(stats_current_percentile_ms(s, 0.0, now) == 10);
    assert_true(stats_current_percentile_ms(s, 0.5, now) == 20);
    assert_true(stats_current_percentile_ms(s, 1.0, now) == 20);
    assert_true(stats_current_percentile_ms(s, 1.0, now + 1) == 700);
    stats_delta_free(&d);
    model_free(s);
}

/* The series gets one point a second; the same second replaces its point. */
static void
test_series(void **state)
{
    struct stats *s = model_new();
    struct stats_delta d;
    int a = stats_entry_id(s, "GET", "/a");
    int i;

    (void)state;
    delta_for(&d, s);
    stats_sample(s, (int64_t)START, 0);
    for (i = 0; i < 4; i++)
        record(s, &d, a, 10000, i == 0, START + 0.5);
    stats_sample(s, (int64_t)START, 2);
    assert_int_equal(s->nseries, 1);
    assert_int_equal(s->series[0].requests, 4);
    assert_int_equal(s->series[0].users, 2);
    for (i = 1; i < 300; i++)
        stats_sample(s, (int64_t)START + i, 5);
    assert_int_equal(s->nseries, 300);
    assert_int_equal(s->series[299].sec, (int64_t)START + 299);
    assert_int_equal(s->series[299].failures, 1);
    assert_true(s->series[299].avg_ms == 10);
    {
        /* copies taken again and again: the whole series, or none of it */
        struct stats full, tables;

        stats_init(&full);
        stats_init(&tables);
        for (i = 0; i < 3; i++) {
            stats_copy(&full, s);
            stats_copy_tables(&tables, s);
        }
        assert_int_equal(full.nseries, 300);
        assert_true(full.series_cap >= 300);
        assert_int_equal(full.series[299].sec, (int64_t)START + 299);
        assert_int_equal(tables.nseries, 0);
        assert_null(tables.series);
        assert_int_equal(tables.total.num_requests, 4);
        assert_int_equal(tables.total.num_failures, 1);
        stats_free(&full);
        stats_free(&tables);
    }
    stats_delta_free(&d);
    model_free(s);
}

/* Entry ids through the name index: stable, distinct by method and name, also on a copy. */
static void
test_entry_index(void **state)
{
    struct stats *s = model_new();
    struct stats copy;
    char name[32];

    (void)state;
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof(name), "/p%d", i);
        assert_int_equal(stats_entry_id(s, i % 2 ? "GET" : "POST", name), i);
    }
    assert_int_equal(stats_entry_id(s, "POST", "/p0"), 0);
    assert_int_equal(stats_entry_id(s, "GET", "/p4999"), 4999);
    assert_int_equal(stats_entry_id(s, "GET", "/p0"), 5000);      /* another method */
    stats_init(&copy);
    stats_copy(&copy, s);
    assert_int_equal(stats_entry_id(&copy, "GET", "/p3333"), 3333);
    assert_int_equal(stats_entry_id(&copy, "PUT", "/new"), 5001);
    stats_copy(&copy, s);                                           /* back to 5001 entries */
    assert_int_equal(copy.nentries, 5001);
    assert_int_equal(stats_entry_id(&copy, "PUT", "/new"), 5001);
    stats_free(&copy);
    model_free(s);
}

struct thread_arg {
    struct stats *s;
    int entry;
};

/* Record and merge from one thread. */
static void *
worker_thread(void *p)
{
    struct thread_arg *arg = p;
    struct stats_delta d;
    int i;

    stats_delta_init(&d);
    stats_delta_reserve(&d, 2);
    stats_merge(arg->s, &d);
    for (i = 0; i < 20000; i++) {
        stats_delta_record(&d, arg->entry, (uint64_t)(i % 5000) + 1, 0, 1, i % 10 == 0,
                           START + i / 1000);
        if (i % 1000 == 999)
            stats_merge(arg->s, &d);
    }
    stats_merge(arg->s, &d);
    stats_delta_free(&d);
    return NULL;
}

/* Four threads merging concurrently lose nothing. */
static void
test_threads(void **state)
{
    struct stats *s = model_new();
    struct stats *view = xmalloc(sizeof(*view));
    pthread_t th[4];
    struct thread_arg args[4];
    int i;

    (void)state;
    stats_init(view);
    stats_entry_id(s, "GET", "/a");
    stats_entry_id(s, "GET", "/b");
    for (i = 0; i < 4; i++) {
        args[i].s = s;
        args[i].entry = i % 2;
        pthread_create(&th[i], NULL, worker_thread, &args[i]);
    }
    for (i = 0; i < 20; i++)
        stats_copy(view, s);
    for (i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(s->total.num_requests, 80000);
    assert_int_equal(s->total.num_failures, 8000);
    assert_int_equal(s->total.hist.total, 80000);
    assert_int_equal(s->entries[0].num_requests, 40000);
    assert_int_equal(s->entries[1].total_bytes, 40000);
    model_free(view);
    model_free(s);
}

/* Run the statistics tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_half_even),
        cmocka_unit_test(test_locust_round),
        cmocka_unit_test(test_median_percentiles_reference),
        cmocka_unit_test(test_single_request),
        cmocka_unit_test(test_median_even_and_ranks),
        cmocka_unit_test(test_simple_figures),
        cmocka_unit_test(test_current_rps),
        cmocka_unit_test(test_current_rps_early),
        cmocka_unit_test(test_epoch_discard),
        cmocka_unit_test(test_error_order),
        cmocka_unit_test(test_error_overflow),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_sorted),
        cmocka_unit_test(test_current_percentile),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_error_groups),
        cmocka_unit_test(test_entry_index),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
