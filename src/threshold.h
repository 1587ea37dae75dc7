/*
 * threshold.h: pass/fail gates on the run's statistics, k6-style, written
 * as "[ENTRY:] METRIC OP VALUE" in [thresholds] or with --threshold:
 *
 *     p95 < 150ms          rps >= 100          fail_ratio < 1%
 *     POST /predict: p99 <= 0.2s               /health: max < 50
 *
 * Metrics: rps (whole-run requests/s), fail_ratio (failures/requests),
 * requests, failures, avg, min, max, median and pN (any percentile, e.g.
 * p95, p99.9). Times are in milliseconds unless a unit (ms, s) is given.
 * ENTRY is "METHOD NAME" or a NAME that names one statistics entry; left
 * out, the threshold applies to the Aggregated row.
 */
#ifndef CICADA_THRESHOLD_H
#define CICADA_THRESHOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

struct stats;

enum threshold_metric {
    TM_RPS,
    TM_FAIL_RATIO,
    TM_REQUESTS,
    TM_FAILURES,
    TM_AVG,
    TM_MIN,
    TM_MAX,
    TM_MEDIAN,
    TM_PERCENTILE,
};

enum threshold_op { TOP_LT, TOP_LE, TOP_GT, TOP_GE, TOP_EQ };

struct threshold {
    char *text;              /* as written, normalised: "POST /predict: p95 < 150 ms" */
    char *entry_method;      /* NULL: any method (or the Aggregated row if no name) */
    char *entry_name;        /* NULL: the Aggregated row */
    enum threshold_metric metric;
    double percentile;       /* TM_PERCENTILE: 0.95 */
    enum threshold_op op;
    double limit;            /* ms for times, a ratio for fail_ratio */
    struct origin origin;    /* where it was written */
    int entry;               /* resolved statistics entry; -1 = Aggregated */
};

/* One evaluation of a threshold, in storage the caller owns. */
struct threshold_result {
    bool evaluated;
    bool passed;
    bool no_data;            /* the entry had no requests */
    double measured;
};

/*
 * Parse one expression. Returns 0 and fills *t (entry unresolved), or -1
 * with *err (allocated) saying what is wrong.
 */
int threshold_parse(const char *text, struct threshold *t, char **err);
void threshold_free(struct threshold *t);

/* Find t's entry among the statistics entries; 0, or -1 with *err. */
int threshold_resolve(struct threshold *t, const struct stats *s, char **err);

/* Evaluate on a copy of the statistics nobody writes, into *out; returns out->passed. */
bool threshold_eval(const struct threshold *t, const struct stats *s,
                    struct threshold_result *out);

/* "180 ms", "85.3 req/s", "0.52%", "no requests": what r measured, in t's unit. */
const char *threshold_format_value(const struct threshold *t, const struct threshold_result *r,
                                   char *buf, size_t size);

/* The metric's name as written in expressions ("p95", "rps"). */
const char *threshold_metric_name(const struct threshold *t, char *buf, size_t size);
const char *threshold_op_text(enum threshold_op op);

#endif
