/*
 * stats_model.h: the statistics model's data, in Locust's terms.
 *
 * One entry per (method, name) plus the Aggregated entry ("total"), each
 * with counts, min/max/sum of response times, content bytes, a latency
 * histogram and a short ring of per-second request and failure counts (for
 * Locust's "current" rates); an error table keyed by (entry, reason) in order
 * of first occurrence; and a per-second series of the whole run (charts,
 * history). Times are kept in microseconds and shown in milliseconds.
 *
 * Only the types: stats.h changes a model, stats_delta.h is what a worker
 * records before it merges, stats_locust.h reads a model as Locust does.
 */
#ifndef CICADA_STATS_MODEL_H
#define CICADA_STATS_MODEL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

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
    uint64_t version;        /* bumped by each change (under the lock); copies carry the source's */
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
    uint64_t id;             /* this model's number, unique in the process (stats_init) */
    uint64_t series_of;      /* a copy: the id of the model its series comes from; 0 none */
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

/* Slot of a unix second in a ring of n slots (seconds may be negative in tests). */
static inline size_t
stats_ring_slot(int64_t sec, size_t n)
{
    int64_t m = sec % (int64_t)n;

    return (size_t)(m < 0 ? m + (int64_t)n : m);
}

/* Mark every second of a ring unused. */
static inline void
stats_ring_clear(struct stats_second *ring, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ring[i].sec = -1;
        ring[i].requests = 0;
        ring[i].failures = 0;
    }
}

#endif
