/*
 * hist.h: a fixed-size, mergeable log-linear latency histogram.
 *
 * Values are microseconds. Values below 2^HIST_SUB_BITS are kept exactly;
 * above, every power of two is split into 2^(HIST_SUB_BITS-1) equal
 * sub-buckets, so a value is known to within 1/64 (< 1.6 %) of itself, and
 * the representative value of a bucket (its midpoint) is within 0.8 %.
 * Values above HIST_MAX_US are clamped into the last bucket.
 *
 * Two histograms merge by adding their counts; a window is the difference
 * of two cumulative histograms. Nothing allocates after hist_init.
 */
#ifndef CICADA_HIST_H
#define CICADA_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)         /* 128 */
#define HIST_HALF_COUNT (HIST_SUB_COUNT / 2)         /* 64 */
#define HIST_MAX_BITS 36                             /* 2^36 us = 19 h */
#define HIST_MAX_US ((UINT64_C(1) << HIST_MAX_BITS) - 1)
#define HIST_BUCKETS (HIST_SUB_COUNT + (HIST_MAX_BITS - HIST_SUB_BITS) * HIST_HALF_COUNT)

struct hist {
    uint64_t total;              /* number of recorded values */
    uint32_t lo, hi;             /* used bucket range [lo, hi), empty if lo >= hi */
    uint64_t counts[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_reset(struct hist *h);

/* Bucket index of a value, and the representative value of a bucket. */
uint32_t hist_index(uint64_t value_us);
uint64_t hist_bucket_value(uint32_t index);
uint64_t hist_bucket_lower(uint32_t index);
uint64_t hist_bucket_upper(uint32_t index);  /* inclusive */

void hist_record(struct hist *h, uint64_t value_us);
void hist_record_n(struct hist *h, uint64_t value_us, uint64_t n);

/* dst += src. */
void hist_merge(struct hist *dst, const struct hist *src);

/* dst = a - b, where b is an earlier state of a (b's counts <= a's). */
void hist_diff(struct hist *dst, const struct hist *a, const struct hist *b);

/*
 * The representative value (us) of the value at 0-based rank in ascending
 * order; rank >= total gives the largest value; an empty histogram gives 0.
 */
uint64_t hist_value_at_rank(const struct hist *h, uint64_t rank);

#endif
