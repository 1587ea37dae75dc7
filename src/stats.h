/*
 * stats.h: the statistics model, in Locust's terms.
 *
 * One entry per (method, name) plus the Aggregated entry ("total"), each
 * with counts, min/max/sum of response times, content bytes, a latency
 * histogram and a short ring of per-second request and failure counts (for
 * Locust's "current" rates); an error table keyed by (entry, reason) in order
 * of first occurrence; and a per-second series of the whole run (charts,
 * history). Times are kept in microseconds and shown in milliseconds.
 *
 * Threads: worker threads record into their own struct stats_delta without
 * locks, and merge it into the shared struct stats once a second
 * (stats_merge takes the lock). Front ends take a consistent copy with
 * stats_copy and read only their copy (the program takes one a tick for
 * them all: snapshot.h). All the computing functions
 * (percentiles, rates) work on a struct stats that nobody else writes: a
 * copy, or the shared one while holding its lock.
 */
#ifndef CICADA_STATS_H
#define CICADA_STATS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

/* Locust's PERCENTILES_TO_REPORT and the labels of its percentile table. */
#define STATS_NPERCENTILES 11
extern const double stats_percentiles[STATS_NPERCENTILES];
extern const char *const stats_percentile_labels[STATS_NPERCENTILES];

#define STATS_RING 32        /* per-second counters kept per entry (>= 13) */
#define STATS_WINDOW 10      /* seconds in the "current" response-time window */
#define STATS_RECENT 12      /* per-second latency histograms kept for the window */

struct stats_second {
    int64_t sec;             /* unix second of completion; -1 = unused */
    uint64_t requests;
    uint64_t failures;
};

struct stats_entry {
    char *method;            /* "GET"; empty for the Aggregated entry */
    char *name;              /* "/predict"; "Aggregated" for the total */
    uint64_t num_requests;   /* failures included, as in Locust */
    uint64_t num_failures;
    uint64_t num_resent;     /* requests sent once more after a kept connection died unanswered */
    uint64_t num_throttled;  /* failures by throttling (429, 503, AWS throttling types) */
    uint64_t total_rt_us;
    uint64_t min_rt_us;      /* UINT64_MAX until the first sample */
    uint64_t max_rt_us;
    uint64_t total_ttfb_us;  /* time to first byte, summed */
    uint64_t total_bytes;    /* response body bytes */
    double last_request_ts;  /* unix time of the last completion; 0 = none */
    struct stats_second ring[STATS_RING];
    struct hist hist;
};

struct stats_error {
    int entry;               /* index into entries */
    char *reason;            /* "HTTP 503", "Connection refused", ... */
    char *example;           /* a grouped reason's first full text (NULL when not grouped) */
    uint64_t occurrences;
    double first_seen;       /* unix time */
    double last_seen;
};

/* One point a second over the whole run, for charts and history. */
struct stats_point {
    int64_t sec;             /* unix second */
    double current_rps;
    double current_fail_per_sec;
    double p50_ms;           /* current window (0 when unknown) */
    double p95_ms;
    double avg_ms;           /* cumulative average */
    uint64_t requests;       /* cumulative totals at that second */
    uint64_t failures;
    unsigned users;
    uint64_t dropped;        /* open model: cumulative arrivals dropped at that second */
};

struct stats {
    pthread_mutex_t lock;
    uint64_t epoch;          /* bumped by every reset */
    uint64_t version;        /* bumped by every change (under the lock); a copy keeps its source's */
    double start_time;       /* unix time of the start or last reset */
    struct stats_entry *entries;
    size_t nentries, entries_cap;
    /* stats_entry_id's open-addressing index of entries by (method, name):
     * covers the first nindexed entries; a copy starts without one */
    size_t *index;
    size_t index_cap, nindexed;
    struct stats_entry total;
    struct stats_error *errors;
    size_t nerrors, errors_cap;
    struct stats_point *series;
    size_t nseries, series_cap;
    /*
     * The open model (--rate): arrivals that found no free user, and the
     * response times from the actual send (the entries time them from the
     * arrival's intended start); every request when open, none otherwise.
     */
    uint64_t dropped;
    uint64_t send_rt_sum_us;
    struct hist send_hist;
    /* latency histograms of the last seconds (aggregate), by merge second */
    struct hist recent[STATS_RECENT];
    int64_t recent_sec[STATS_RECENT];
};

/* ---- the shared model ---- */

void stats_init(struct stats *s);
void stats_free(struct stats *s);

/* Find or add the entry for (method, name); thread-safe; returns its index. */
int stats_entry_id(struct stats *s, const char *method, const char *name);

/* Clear every entry, error and the series; keep the entries' names. */
void stats_reset(struct stats *s, double now);

/* Deep copy of src (taken under src's lock) into dst, reusing dst's memory. */
void stats_copy(struct stats *dst, struct stats *src);

/* src's version (under its lock): a copy with the same version holds the same. */
uint64_t stats_version(struct stats *s);

/*
 * The same without the per-second series (left empty): for copies taken
 * every second that only print tables or evaluate thresholds, so that a
 * long run does not keep one more copy of a series that grows every second.
 */
void stats_copy_tables(struct stats *dst, struct stats *src);

/* Append a series point for second `sec` (takes the lock). */
void stats_sample(struct stats *s, int64_t sec, unsigned users);

/* ---- a worker's local delta ---- */

#define STATS_DELTA_ERRORS 64
#define STATS_REASON_MAX 160

struct stats_delta_entry {
    uint64_t requests, failures, resent, throttled;
    uint64_t rt_sum_us, rt_min_us, rt_max_us, ttfb_sum_us, bytes;
    double last_ts;
    struct stats_second secs[4];
    struct hist hist;
};

struct stats_delta_error {
    int entry;
    int kind;                /* caller's classification (see http.h) */
    long code;
    long detail;
    uint64_t count;
    double first_seen, last_seen;
    bool group;              /* merge under the reason with its numbers as "N" (stats_delta_group) */
    char reason[STATS_REASON_MAX];
};

struct stats_delta {
    uint64_t epoch;          /* epoch of the model when recording began */
    const uint64_t *model_epoch; /* the model's epoch, read at the first record after a merge */
    bool dirty;
    struct stats_delta_entry *entries;
    size_t nentries;
    struct stats_delta_error errors[STATS_DELTA_ERRORS];
    size_t nerrors;
    uint64_t errors_lost;    /* distinct errors beyond the table, merged as "other" */
    uint64_t dropped;        /* open model: arrivals with no free user */
    uint64_t send_rt_sum_us; /* open model: response times from the actual send */
    struct hist send_hist;
};

void stats_delta_init(struct stats_delta *d);

/* Tie the delta to the model it merges into, so a delta begun after a reset is kept. */
void stats_delta_bind(struct stats_delta *d, const struct stats *s);
void stats_delta_free(struct stats_delta *d);

/* Make room for entry ids below n (allocates; call outside the hot path). */
void stats_delta_reserve(struct stats_delta *d, size_t n);

/* Record one finished request (failures included). now = unix time. */
void stats_delta_record(struct stats_delta *d, int entry, uint64_t rt_us, uint64_t ttfb_us,
                        uint64_t bytes, bool failed, double now);

/* Count n resends of the request just recorded (see num_resent). */
void stats_delta_resent(struct stats_delta *d, int entry, unsigned n);
/* Count one of the failures recorded as throttling (after stats_delta_record). */
void stats_delta_throttled(struct stats_delta *d, int entry);
/* Open model: count n arrivals that found no free user. */
void stats_delta_dropped(struct stats_delta *d, uint64_t n);

/* Open model: one response time from the actual send (recorded after stats_delta_record). */
void stats_delta_send_time(struct stats_delta *d, uint64_t rt_us);

/*
 * Count one failure reason. The (entry, kind, code, detail) key finds the
 * slot; reason is formatted by the caller only when the slot is new, so
 * this returns the slot's buffer to fill, or NULL if the key exists already.
 */
char *stats_delta_error(struct stats_delta *d, int entry, int kind, long code, long detail,
                        double now);

/*
 * The reason just filled into a buffer stats_delta_error returned holds
 * numbers that vary ("transfer closed with 5120 bytes remaining to read"):
 * the model groups it with the others that differ only in their numbers
 * (runs of digits read as "N"), keeping the first full text as an example.
 */
void stats_delta_group(char *reason);

/* reason with every run of digits replaced by "N", into out (size bytes). */
void stats_reason_normalise(const char *reason, char *out, size_t size);

/*
 * Add the delta to the model (takes the lock) unless the model was reset
 * since the delta began; then clear the delta and set its epoch.
 */
void stats_merge(struct stats *s, struct stats_delta *d);

/* ---- Locust's rules, on a model nobody else writes ---- */

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
