/*
 * hist.c: the log-linear latency histogram declared in hist.h.
 *
 * Bucket layout: indices 0..127 hold the values 0..127 exactly. A value v
 * of 128 or more with highest set bit e (7 <= e <= 35) falls into one of 64
 * equal sub-buckets of [2^e, 2^(e+1)), each 2^(e-6) wide. Writing
 * k = max(e, 6) - 6, the index is k * 64 + (v >> k), which gives the exact
 * values below 128 and the sub-buckets above with one formula. Every
 * operation keeps [lo, hi), the range of buckets that may be non-zero, so
 * walks and resets touch only what was used.
 */
#include "config.h"

#include <string.h>

#include "hist.h"

/* Set every count to zero and mark the used range empty. */
void
hist_init(struct hist *h)
{
    memset(h->counts, 0, sizeof(h->counts));
    h->total = 0;
    h->lo = HIST_BUCKETS;
    h->hi = 0;
}

/* Clear only the used range, leaving the histogram empty. */
void
hist_reset(struct hist *h)
{
    if (h->lo < h->hi)
        memset(h->counts + h->lo, 0, (size_t)(h->hi - h->lo) * sizeof(h->counts[0]));
    h->total = 0;
    h->lo = HIST_BUCKETS;
    h->hi = 0;
}

/* Bucket index of a value in microseconds, clamping above HIST_MAX_US. */
uint32_t
hist_index(uint64_t value_us)
{
    uint64_t v = value_us > HIST_MAX_US ? HIST_MAX_US : value_us;
    /* highest set bit, at least HIST_SUB_BITS - 1 so small values map to themselves */
    uint32_t top = 63u - (uint32_t)__builtin_clzll(v | (HIST_HALF_COUNT));
    uint32_t shift = top - (HIST_SUB_BITS - 1);

    return shift * HIST_HALF_COUNT + (uint32_t)(v >> shift);
}

/* Smallest value that falls into bucket index. */
uint64_t
hist_bucket_lower(uint32_t index)
{
    uint32_t shift;

    if (index >= HIST_BUCKETS)
        index = HIST_BUCKETS - 1;
    if (index < HIST_SUB_COUNT)
        return index;
    shift = index / HIST_HALF_COUNT - 1;
    return (uint64_t)(HIST_HALF_COUNT + index % HIST_HALF_COUNT) << shift;
}

/* Largest value that falls into bucket index (inclusive). */
uint64_t
hist_bucket_upper(uint32_t index)
{
    uint32_t shift;

    if (index >= HIST_BUCKETS)
        index = HIST_BUCKETS - 1;
    if (index < HIST_SUB_COUNT)
        return index;
    shift = index / HIST_HALF_COUNT - 1;
    return hist_bucket_lower(index) + (UINT64_C(1) << shift) - 1;
}

/* Representative value of a bucket: the middle of the span it covers. */
uint64_t
hist_bucket_value(uint32_t index)
{
    uint64_t lower = hist_bucket_lower(index);
    uint64_t width = hist_bucket_upper(index) - lower + 1;

    return lower + width / 2;
}

/* Count one value: the per-request hot path. */
void
hist_record(struct hist *h, uint64_t value_us)
{
    uint32_t i = hist_index(value_us);

    h->counts[i]++;
    h->total++;
    h->lo = i < h->lo ? i : h->lo;
    h->hi = i + 1 > h->hi ? i + 1 : h->hi;
}

/* Count a value n times. */
void
hist_record_n(struct hist *h, uint64_t value_us, uint64_t n)
{
    uint32_t i;

    if (n == 0)
        return;
    i = hist_index(value_us);
    h->counts[i] += n;
    h->total += n;
    h->lo = i < h->lo ? i : h->lo;
    h->hi = i + 1 > h->hi ? i + 1 : h->hi;
}

/* Add src's counts to dst, walking only src's used range. */
void
hist_merge(struct hist *dst, const struct hist *src)
{
    uint32_t i;

    if (src->lo >= src->hi || dst == src)
        return;
    for (i = src->lo; i < src->hi; i++)
        dst->counts[i] += src->counts[i];
    dst->total += src->total;
    if (src->lo < dst->lo)
        dst->lo = src->lo;
    if (src->hi > dst->hi)
        dst->hi = src->hi;
}

/* dst = a - b, with dst's used range shrunk to the non-zero buckets. */
void
hist_diff(struct hist *dst, const struct hist *a, const struct hist *b)
{
    uint32_t i, lo = HIST_BUCKETS, hi = 0;
    uint32_t alo = a->lo, ahi = a->hi;
    uint64_t total = a->total - b->total;

    if (dst != a && dst != b)
        hist_reset(dst);
    else if (dst == b && b->lo < b->hi) {
        /* b's buckets outside a's range are zero when b is an earlier state of a */
        for (i = b->lo; i < b->hi; i++)
            if (i < alo || i >= ahi)
                dst->counts[i] = 0;
    }
    for (i = alo; i < ahi; i++) {
        uint64_t c = a->counts[i] - b->counts[i];

        dst->counts[i] = c;
        if (c != 0) {
            if (i < lo)
                lo = i;
            hi = i + 1;
        }
    }
    dst->total = total;
    dst->lo = lo;
    dst->hi = hi;
}

/* Representative value of the element at a 0-based ascending rank. */
uint64_t
hist_value_at_rank(const struct hist *h, uint64_t rank)
{
    uint64_t seen = 0;
    uint32_t i;

    if (h->total == 0 || h->lo >= h->hi)
        return 0;
    if (rank >= h->total) {
        for (i = h->hi; i > h->lo; i--)
            if (h->counts[i - 1] != 0)
                return hist_bucket_value(i - 1);
        return 0;
    }
    for (i = h->lo; i < h->hi; i++) {
        seen += h->counts[i];
        if (rank < seen)
            return hist_bucket_value(i);
    }
    return hist_bucket_value(h->hi - 1);
}
