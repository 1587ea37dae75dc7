/*
 * stats_delta.h: what one worker thread records between two merges.
 *
 * A worker records every finished request into its own struct stats_delta,
 * without locks or allocation, and merges it into the shared model once a
 * second (stats_merge, stats.h). The delta knows the model only through the
 * model's epoch (stats_delta_bind), so that what was recorded before a reset
 * is not merged after it.
 */
#ifndef CICADA_STATS_DELTA_H
#define CICADA_STATS_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "stats_model.h"

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

void stats_delta_free(struct stats_delta *d);

/* After a merge: forget what was recorded (stats_merge calls it). */
void stats_delta_clear(struct stats_delta *d);

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

#endif
