/*
 * stats_locust.c: Locust 2.12.1's rules for what the tables show, declared
 * in stats_locust.h: half-to-even rounding, response-time bucketing, the
 * clamped lower median, the percentile rank, the windowed and whole-run
 * rates, and the order of the rows. Each reads a model nobody else writes.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats_locust.h"
#include "util.h"

const double stats_percentiles[STATS_NPERCENTILES] = {
    0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0,
};

const char *const stats_percentile_labels[STATS_NPERCENTILES] = {
    "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%",
};

/* Python round(): nearest integer, halves to the even neighbour. */
double
stats_round_half_even(double x)
{
    double f, diff;

    if (!isfinite(x))
        return x;
    f = floor(x);
    diff = x - f;
    if (diff < 0.5)
        return f;
    if (diff > 0.5)
        return f + 1;
    return fmod(f, 2.0) == 0 ? f : f + 1;
}

/* Round a non-negative ms value to a multiple of unit, halves to even, on the exact binary value. */
static double
round_to_unit(double ms, double unit)
{
    double rest = fmod(ms, unit);
    double base = ms - rest;
    double half = unit / 2;

    if (rest < half)
        return base;
    if (rest > half)
        return base + unit;
    return fmod(base / unit, 2.0) == 0 ? base : base + unit;
}

/* Locust's response-time bucket of a value in ms. */
long
stats_locust_round_ms(double ms)
{
    if (isnan(ms))
        return 0;
    if (ms < 100)
        return (long)stats_round_half_even(ms);
    if (ms < 1000)
        return (long)round_to_unit(ms, 10);
    if (ms < 10000)
        return (long)round_to_unit(ms, 100);
    return (long)round_to_unit(ms, 1000);
}

/* Average response time in ms over the timed samples; 0 when none. */
double
stats_avg_ms(const struct stats_entry *e)
{
    if (e->hist.total == 0)
        return 0;
    return (double)e->total_rt_us / 1000.0 / (double)e->hist.total;
}

/* Smallest response time in ms; 0 before the first sample. */
double
stats_min_ms(const struct stats_entry *e)
{
    if (e->min_rt_us == UINT64_MAX)
        return 0;
    return (double)e->min_rt_us / 1000.0;
}

/* Largest response time in ms. */
double
stats_max_ms(const struct stats_entry *e)
{
    return (double)e->max_rt_us / 1000.0;
}

/* Average body size over all requests, failures included. */
double
stats_avg_bytes(const struct stats_entry *e)
{
    if (e->num_requests == 0)
        return 0;
    return (double)e->total_bytes / (double)e->num_requests;
}

/* Average time to first byte over the timed requests, ms; 0 when none. */
double
stats_avg_ttfb_ms(const struct stats_entry *e)
{
    if (e->hist.total == 0)
        return 0;
    return (double)e->total_ttfb_us / 1000.0 / (double)e->hist.total;
}

/* Failures / requests; 1 when there are failures but no requests. */
double
stats_fail_ratio(const struct stats_entry *e)
{
    if (e->num_requests == 0)
        return e->num_failures > 0 ? 1.0 : 0.0;
    return (double)e->num_failures / (double)e->num_requests;
}

double
stats_throttle_ratio(const struct stats_entry *e)
{
    return e->num_requests == 0 ? 0.0 : (double)e->num_throttled / (double)e->num_requests;
}

/* Lower median of the bucketed samples, clamped into the raw [min, max]. */
double
stats_median_ms(const struct stats_entry *e)
{
    uint64_t n = e->hist.total;
    double median, max, min;

    if (n == 0)
        return 0;
    median = (double)stats_locust_round_ms(
        (double)hist_value_at_rank(&e->hist, (n - 1) / 2) / 1000.0);
    max = stats_max_ms(e);
    min = stats_min_ms(e);
    if (median > max)
        median = max;
    else if (e->min_rt_us != UINT64_MAX && median < min)
        median = min;
    return median;
}

/* Rank of percentile p among n values: min(floor(n * p), n - 1). */
static uint64_t
percentile_rank(uint64_t n, double p)
{
    double r = (double)n * p;
    uint64_t rank;

    if (!(r > 0))
        return 0;
    rank = r >= (double)n ? n : (uint64_t)r;
    return rank >= n ? n - 1 : rank;
}

/* Percentile p of the entry, Locust-bucketed; 0 when there are no samples. */
long
stats_percentile_ms(const struct stats_entry *e, double p)
{
    uint64_t rank;

    if (e->hist.total == 0 || e->num_requests == 0)
        return 0;
    rank = percentile_rank(e->num_requests, p);
    return stats_locust_round_ms((double)hist_value_at_rank(&e->hist, rank) / 1000.0);
}

/* Requests (or failures) of one second from a ring; 0 when the slot holds another second. */
static uint64_t
ring_count(const struct stats_second *ring, int64_t sec, bool failures)
{
    const struct stats_second *slot = &ring[stats_ring_slot(sec, STATS_RING)];

    if (slot->sec != sec)
        return 0;
    return failures ? slot->failures : slot->requests;
}

/* Average per-second count over seconds max(L-12, S) .. L-3, Locust's current window. */
static double
current_rate(const struct stats *s, const struct stats_entry *e, bool failures)
{
    int64_t last, start, first, t;
    uint64_t sum = 0;
    int64_t nsec;

    if (s->total.last_request_ts == 0)
        return 0;
    last = (int64_t)s->total.last_request_ts;
    start = (int64_t)s->start_time;
    first = last - 12 > start ? last - 12 : start;
    nsec = last - 2 - first;
    if (nsec <= 0)
        return 0;
    for (t = first; t < last - 2; t++)
        sum += ring_count(e->ring, t, failures);
    return (double)sum / (double)nsec;
}

/* Locust's current requests per second for an entry. */
double
stats_current_rps(const struct stats *s, const struct stats_entry *e)
{
    return current_rate(s, e, false);
}

/* Locust's current failures per second for an entry. */
double
stats_current_fail_per_sec(const struct stats *s, const struct stats_entry *e)
{
    return current_rate(s, e, true);
}

/* count / (last request time of the total - start time); 0 when undefined. */
static double
total_rate(const struct stats *s, uint64_t count)
{
    double span;

    if (s->total.last_request_ts == 0 || s->start_time == 0)
        return 0;
    span = s->total.last_request_ts - s->start_time;
    if (span == 0)
        return 0;
    return (double)count / span;
}

/* Whole-run requests per second. */
double
stats_total_rps(const struct stats *s, const struct stats_entry *e)
{
    return total_rate(s, e->num_requests);
}

/* Whole-run failures per second. */
double
stats_total_fail_per_sec(const struct stats *s, const struct stats_entry *e)
{
    return total_rate(s, e->num_failures);
}

/* Aggregate percentile over the recent histograms of seconds now_sec-9 .. now_sec. */
double
stats_current_percentile_ms(const struct stats *s, double p, int64_t now_sec)
{
    uint64_t n = 0, rank, seen = 0;
    uint32_t lo = HIST_BUCKETS, hi = 0, b;
    size_t i;

    for (i = 0; i < STATS_RECENT; i++) {
        int64_t sec = s->recent_sec[i];
        const struct hist *h = &s->recent[i];

        if (sec < 0 || sec > now_sec || sec <= now_sec - STATS_WINDOW || h->total == 0)
            continue;
        n += h->total;
        if (h->lo < lo)
            lo = h->lo;
        if (h->hi > hi)
            hi = h->hi;
    }
    if (n == 0)
        return 0;
    rank = percentile_rank(n, p);
    /* walk the union of the windows' buckets without building a merged copy */
    for (b = lo; b < hi; b++) {
        for (i = 0; i < STATS_RECENT; i++) {
            int64_t sec = s->recent_sec[i];
            const struct hist *h = &s->recent[i];

            if (sec < 0 || sec > now_sec || sec <= now_sec - STATS_WINDOW || b < h->lo ||
                b >= h->hi)
                continue;
            seen += h->counts[b];
        }
        if (rank < seen)
            return (double)stats_locust_round_ms((double)hist_bucket_value(b) / 1000.0);
    }
    return (double)stats_locust_round_ms((double)hist_bucket_value(hi - 1) / 1000.0);
}

/* One entry's sort key, for qsort without a context argument. */
struct sort_key {
    const char *name;
    const char *method;
    int index;
};

/* Order by (name, method) with plain byte comparison, as Python sorts tuples of str. */
static int
sort_key_cmp(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    c = strcmp(x->method, y->method);
    if (c != 0)
        return c;
    return (x->index > y->index) - (x->index < y->index);
}

/* Entry indices sorted by (name, method); the caller frees the array. */
int *
stats_sorted(const struct stats *s)
{
    struct sort_key *keys = xmalloc(s->nentries * sizeof(*keys));
    int *order = xmalloc(s->nentries * sizeof(*order));
    size_t i;

    for (i = 0; i < s->nentries; i++) {
        keys[i].name = s->entries[i].name;
        keys[i].method = s->entries[i].method;
        keys[i].index = (int)i;
    }
    if (s->nentries > 1)
        qsort(keys, s->nentries, sizeof(*keys), sort_key_cmp);
    for (i = 0; i < s->nentries; i++)
        order[i] = keys[i].index;
    free(keys);
    return order;
}
