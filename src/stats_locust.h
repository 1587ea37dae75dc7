/*
 * stats_locust.h: Locust 2.12.1's rules for what its tables show, read
 * from a model nobody else writes (a snapshot, or the shared model under
 * its lock): half-to-even rounding, response-time bucketing, the clamped
 * lower median, the percentile rank and rows, the windowed ("current") and
 * whole-run rates, and the order of the rows.
 */
#ifndef CICADA_STATS_LOCUST_H
#define CICADA_STATS_LOCUST_H

#include <stdint.h>

#include "stats_model.h"

/* Locust's PERCENTILES_TO_REPORT and the labels of its percentile table. */
#define STATS_NPERCENTILES 11
extern const double stats_percentiles[STATS_NPERCENTILES];
extern const char *const stats_percentile_labels[STATS_NPERCENTILES];

/* Python round() with halves to even. */
double stats_round_half_even(double x);

/* Locust's response-time bucketing: <100 ms to 1, <1000 to 10, <10000 to 100, else 1000. */
long stats_locust_round_ms(double ms);

double stats_avg_ms(const struct stats_entry *e);
double stats_min_ms(const struct stats_entry *e);          /* 0 when none */
double stats_max_ms(const struct stats_entry *e);
double stats_avg_bytes(const struct stats_entry *e);
double stats_avg_ttfb_ms(const struct stats_entry *e);    /* time to first byte; 0 when none */
double stats_fail_ratio(const struct stats_entry *e);
double stats_throttle_ratio(const struct stats_entry *e);   /* throttled / requests */

/* Lower median of the bucketed values, clamped into [min, max] (Locust). */
double stats_median_ms(const struct stats_entry *e);

/* Percentile p in [0, 1]: value at rank min(floor(n*p), n-1), Locust-bucketed. */
long stats_percentile_ms(const struct stats_entry *e, double p);

/* Locust's current RPS / failures per second (window 12 s .. 3 s before the last request). */
double stats_current_rps(const struct stats *s, const struct stats_entry *e);
double stats_current_fail_per_sec(const struct stats *s, const struct stats_entry *e);

/* Whole-run rates: requests / (last request time - start time). */
double stats_total_rps(const struct stats *s, const struct stats_entry *e);
double stats_total_fail_per_sec(const struct stats *s, const struct stats_entry *e);

/* Aggregate percentile over the last STATS_WINDOW seconds ending at `now_sec`; 0 if none. */
double stats_current_percentile_ms(const struct stats *s, double p, int64_t now_sec);

/* Indices of entries sorted by (name, method), as Locust prints them; caller frees. */
int *stats_sorted(const struct stats *s);

#endif
