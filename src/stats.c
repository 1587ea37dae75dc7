/*
 * stats.c: the shared statistics model declared in stats.h, and the merge
 * of the workers' deltas into it.
 *
 * The model (entries, the Aggregated total, errors, the per-second series
 * and the recent aggregate histograms) lives behind one mutex, and every
 * change bumps its version, so that the program copies it for its readers
 * only when it moved (snapshot.c). Worker threads fill a private struct
 * stats_delta (stats_delta.c) without locks and fold it in with stats_merge.
 */
#include "config.h"

#include <stddef.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

/* Error reason used for failures that found no free slot in a delta. */
#define STATS_OTHER_ERRORS "other errors"

/* ---- per-second rings ---- */

/* Add counts for second sec, replacing an older second; counts older than the slot's are dropped. */
static void
ring_add(struct stats_second *ring, size_t n, int64_t sec, uint64_t requests, uint64_t failures)
{
    struct stats_second *slot = &ring[stats_ring_slot(sec, n)];

    if (slot->sec != sec) {
        if (slot->sec > sec)
            return;
        slot->sec = sec;
        slot->requests = 0;
        slot->failures = 0;
    }
    slot->requests += requests;
    slot->failures += failures;
}

/* ---- entries ---- */

/* Zero an entry's counters, keeping its names. */
static void
entry_clear(struct stats_entry *e)
{
    e->num_requests = 0;
    e->num_failures = 0;
    e->num_resent = 0;
    e->num_throttled = 0;
    e->total_rt_us = 0;
    e->min_rt_us = UINT64_MAX;
    e->max_rt_us = 0;
    e->total_ttfb_us = 0;
    e->total_bytes = 0;
    e->last_request_ts = 0;
    stats_ring_clear(e->ring, STATS_RING);
    hist_reset(&e->hist);
}

/* Set up a fresh entry owning copies of method and name. */
static void
entry_init(struct stats_entry *e, const char *method, const char *name)
{
    e->method = xstrdup(method);
    e->name = xstrdup(name);
    hist_init(&e->hist);
    entry_clear(e);
}

/* Release an entry's names. */
static void
entry_free(struct stats_entry *e)
{
    free(e->method);
    free(e->name);
    e->method = NULL;
    e->name = NULL;
}

/* Replace *dst with a copy of src unless it already holds the same text. */
static void
copy_string(char **dst, const char *src)
{
    if (*dst != NULL && strcmp(*dst, src) == 0)
        return;
    free(*dst);
    *dst = xstrdup(src);
}

/* Copy everything but the names' storage from src into an initialised dst. */
static void
entry_copy(struct stats_entry *dst, const struct stats_entry *src)
{
    copy_string(&dst->method, src->method);
    copy_string(&dst->name, src->name);
    dst->num_requests = src->num_requests;
    dst->num_failures = src->num_failures;
    dst->num_resent = src->num_resent;
    dst->num_throttled = src->num_throttled;
    dst->total_rt_us = src->total_rt_us;
    dst->min_rt_us = src->min_rt_us;
    dst->max_rt_us = src->max_rt_us;
    dst->total_ttfb_us = src->total_ttfb_us;
    dst->total_bytes = src->total_bytes;
    dst->last_request_ts = src->last_request_ts;
    memcpy(dst->ring, src->ring, sizeof(dst->ring));
    hist_reset(&dst->hist);
    hist_merge(&dst->hist, &src->hist);
}

/* ---- the shared model ---- */

/* The last id given to a model. */
static uint64_t next_id;

/* Set up an empty model with the Aggregated entry. */
void
stats_init(struct stats *s)
{
    size_t i;

    pthread_mutex_init(&s->lock, NULL);
    s->epoch = 0;
    s->version = 0;
    s->start_time = 0;
    s->entries = NULL;
    s->nentries = 0;
    s->index = NULL;
    s->index_cap = s->nindexed = 0;
    s->entries_cap = 0;
    entry_init(&s->total, "", "Aggregated");
    s->errors = NULL;
    s->nerrors = 0;
    s->errors_cap = 0;
    s->series = NULL;
    s->nseries = 0;
    s->series_cap = 0;
    s->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
    s->series_of = 0;
    for (i = 0; i < STATS_RECENT; i++) {
        hist_init(&s->recent[i]);
        s->recent_sec[i] = -1;
    }
    s->dropped = 0;
    s->send_rt_sum_us = 0;
    hist_init(&s->send_hist);
}

/* Release everything the model owns. */
void
stats_free(struct stats *s)
{
    size_t i;

    for (i = 0; i < s->nentries; i++)
        entry_free(&s->entries[i]);
    free(s->entries);
    entry_free(&s->total);
    for (i = 0; i < s->nerrors; i++) {
        free(s->errors[i].reason);
        free(s->errors[i].example);
    }
    free(s->errors);
    free(s->series);
    free(s->index);
    s->index = NULL;
    s->index_cap = s->nindexed = 0;
    pthread_mutex_destroy(&s->lock);
    s->entries = NULL;
    s->errors = NULL;
    s->series = NULL;
    s->nentries = s->entries_cap = 0;
    s->nerrors = s->errors_cap = 0;
    s->nseries = s->series_cap = 0;
}

/* Grow the entries array to hold at least n entries. */
static void
entries_reserve(struct stats *s, size_t n)
{
    size_t cap = s->entries_cap ? s->entries_cap : 8;

    if (n <= s->entries_cap)
        return;
    while (cap < n)
        cap *= 2;
    s->entries = xrealloc(s->entries, cap * sizeof(*s->entries));
    s->entries_cap = cap;
}

/* FNV-1a of method and name: the index's hash. */
static size_t
entry_hash(const char *method, const char *name)
{
    size_t h = (size_t)1469598103934665603ULL;

    for (const char *p = method; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
    h = (h ^ 0xff) * (size_t)1099511628211ULL;
    for (const char *p = name; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
    return h;
}

/* The index slot holding (method, name), or the empty slot where it would go. */
static size_t
index_find(const struct stats *s, const char *method, const char *name)
{
    size_t mask = s->index_cap - 1;
    size_t i;

    for (i = entry_hash(method, name) & mask; s->index[i] != SIZE_MAX; i = (i + 1) & mask) {
        const struct stats_entry *e = &s->entries[s->index[i]];

        if (strcmp(e->name, name) == 0 && strcmp(e->method, method) == 0)
            break;
    }
    return i;
}

/* Index every entry again, with room for n (a power of two, at least twice n). */
static void
index_rebuild(struct stats *s, size_t n)
{
    size_t cap = 64;

    while (cap < n * 2)
        cap *= 2;
    if (cap != s->index_cap) {
        free(s->index);
        s->index = xmalloc(cap * sizeof(*s->index));
        s->index_cap = cap;
    }
    for (size_t i = 0; i < cap; i++)
        s->index[i] = SIZE_MAX;
    for (size_t k = 0; k < s->nentries; k++)
        s->index[index_find(s, s->entries[k].method, s->entries[k].name)] = k;
    s->nindexed = s->nentries;
}

/* Find or add the entry for (method, name) under the lock (linear in entries no more). */
int
stats_entry_id(struct stats *s, const char *method, const char *name)
{
    size_t i, slot;

    pthread_mutex_lock(&s->lock);
    if ((s->nentries + 1) * 2 > s->index_cap || s->nindexed != s->nentries)
        index_rebuild(s, s->nentries + 1);
    slot = index_find(s, method, name);
    if (s->index[slot] != SIZE_MAX) {
        i = s->index[slot];
        pthread_mutex_unlock(&s->lock);
        return (int)i;
    }
    entries_reserve(s, s->nentries + 1);
    entry_init(&s->entries[s->nentries], method, name);
    i = s->nentries++;
    s->index[slot] = i;
    s->nindexed = s->nentries;
    s->version++;
    pthread_mutex_unlock(&s->lock);
    return (int)i;
}

/* Zero every counter, error, series point and recent histogram; start a new epoch. */
void
stats_reset(struct stats *s, double now)
{
    size_t i;

    pthread_mutex_lock(&s->lock);
    __atomic_store_n(&s->epoch, s->epoch + 1, __ATOMIC_RELEASE);
    s->version++;
    s->start_time = now;
    for (i = 0; i < s->nentries; i++)
        entry_clear(&s->entries[i]);
    entry_clear(&s->total);
    for (i = 0; i < s->nerrors; i++) {
        free(s->errors[i].reason);
        free(s->errors[i].example);
    }
    s->nerrors = 0;
    s->nseries = 0;
    s->dropped = 0;
    s->send_rt_sum_us = 0;
    hist_reset(&s->send_hist);
    for (i = 0; i < STATS_RECENT; i++) {
        hist_reset(&s->recent[i]);
        s->recent_sec[i] = -1;
    }
    pthread_mutex_unlock(&s->lock);
}

/* Deep copy of src into dst (set up by stats_init), reusing dst's memory. */
static void
copy_stats(struct stats *dst, struct stats *src, bool series)
{
    size_t i, from = 0;
    uint64_t origin;

    pthread_mutex_lock(&src->lock);
    /*
     * A model's series only grows within an epoch, but for its last point
     * (the same second sampled again), and every copy's series is the
     * model's at some moment: a copy of the same model's series in the same
     * epoch needs only the points from its own last one on.
     */
    origin = src->series_of != 0 ? src->series_of : src->id;
    if (dst->series_of == origin && dst->epoch == src->epoch && dst->nseries > 0 &&
        dst->nseries <= src->nseries)
        from = dst->nseries - 1;
    dst->epoch = src->epoch;
    dst->version = src->version;
    dst->start_time = src->start_time;
    dst->dropped = src->dropped;
    dst->send_rt_sum_us = src->send_rt_sum_us;
    hist_reset(&dst->send_hist);
    hist_merge(&dst->send_hist, &src->send_hist);

    entries_reserve(dst, src->nentries);
    for (i = src->nentries; i < dst->nentries; i++)
        entry_free(&dst->entries[i]);
    for (i = dst->nentries; i < src->nentries; i++) {
        dst->entries[i].method = NULL;
        dst->entries[i].name = NULL;
        hist_init(&dst->entries[i].hist);
    }
    for (i = 0; i < src->nentries; i++)
        entry_copy(&dst->entries[i], &src->entries[i]);
    dst->nentries = src->nentries;
    dst->nindexed = (size_t)-1;    /* dst's index, if any, is rebuilt when used */
    entry_copy(&dst->total, &src->total);

    if (src->nerrors > dst->errors_cap) {
        dst->errors = xrealloc(dst->errors, src->nerrors * sizeof(*dst->errors));
        for (i = dst->errors_cap; i < src->nerrors; i++)
            dst->errors[i].reason = dst->errors[i].example = NULL;
        dst->errors_cap = src->nerrors;
    }
    for (i = src->nerrors; i < dst->nerrors; i++) {
        free(dst->errors[i].reason);
        free(dst->errors[i].example);
        dst->errors[i].reason = dst->errors[i].example = NULL;
    }
    for (i = dst->nerrors; i < src->nerrors; i++)
        dst->errors[i].reason = dst->errors[i].example = NULL;
    for (i = 0; i < src->nerrors; i++) {
        char *reason = dst->errors[i].reason, *example = dst->errors[i].example;

        dst->errors[i] = src->errors[i];
        dst->errors[i].reason = reason;
        dst->errors[i].example = example;
        copy_string(&dst->errors[i].reason, src->errors[i].reason);
        if (src->errors[i].example != NULL) {
            copy_string(&dst->errors[i].example, src->errors[i].example);
        } else {
            free(dst->errors[i].example);
            dst->errors[i].example = NULL;
        }
    }
    dst->nerrors = src->nerrors;

    if (!series) {
        dst->nseries = 0;
        dst->series_of = 0;
    } else if (src->nseries > dst->series_cap) {
        /* geometric, as the source grows: not one reallocation a second per copy */
        size_t cap = dst->series_cap ? dst->series_cap * 2 : 256;

        if (cap < src->nseries)
            cap = src->nseries;
        dst->series = xrealloc(dst->series, cap * sizeof(*dst->series));
        dst->series_cap = cap;
    }
    if (series && src->nseries > from)
        memcpy(dst->series + from, src->series + from,
               (src->nseries - from) * sizeof(*dst->series));
    if (series) {
        dst->nseries = src->nseries;
        dst->series_of = origin;
    }

    for (i = 0; i < STATS_RECENT; i++) {
        hist_reset(&dst->recent[i]);
        hist_merge(&dst->recent[i], &src->recent[i]);
        dst->recent_sec[i] = src->recent_sec[i];
    }
    pthread_mutex_unlock(&src->lock);
}

void
stats_copy(struct stats *dst, struct stats *src)
{
    copy_stats(dst, src, true);
}

void
stats_copy_tables(struct stats *dst, struct stats *src)
{
    copy_stats(dst, src, false);
}

uint64_t
stats_version(struct stats *s)
{
    uint64_t v;

    pthread_mutex_lock(&s->lock);
    v = s->version;
    pthread_mutex_unlock(&s->lock);
    return v;
}

/* Append (or, for the same second, replace) a series point under the lock. */
void
stats_sample(struct stats *s, int64_t sec, unsigned users)
{
    struct stats_point p;

    pthread_mutex_lock(&s->lock);
    p.sec = sec;
    p.current_rps = stats_current_rps(s, &s->total);
    p.current_fail_per_sec = stats_current_fail_per_sec(s, &s->total);
    p.p50_ms = stats_current_percentile_ms(s, 0.50, sec);
    p.p95_ms = stats_current_percentile_ms(s, 0.95, sec);
    p.avg_ms = stats_avg_ms(&s->total);
    p.requests = s->total.num_requests;
    p.failures = s->total.num_failures;
    p.users = users;
    p.dropped = s->dropped;
    if (s->nseries > 0 && s->series[s->nseries - 1].sec == sec) {
        s->series[s->nseries - 1] = p;
    } else {
        if (s->nseries == s->series_cap) {
            s->series_cap = s->series_cap ? s->series_cap * 2 : 256;
            s->series = xrealloc(s->series, s->series_cap * sizeof(*s->series));
        }
        s->series[s->nseries++] = p;
    }
    s->version++;
    pthread_mutex_unlock(&s->lock);
}

/* ---- merging a worker's delta ---- */

void
stats_delta_bind(struct stats_delta *d, const struct stats *s)
{
    d->model_epoch = &s->epoch;
    d->epoch = __atomic_load_n(&s->epoch, __ATOMIC_ACQUIRE);
}

/*
 * Add count occurrences of (entry, reason) to the model's error table,
 * keeping first-seen order. A grouped reason is stored with its numbers as
 * "N", its first full text as the example.
 */
static void
model_add_error(struct stats *s, int entry, const char *full, bool group, uint64_t count,
                double first, double last)
{
    struct stats_error *e;
    char normal[STATS_REASON_MAX];
    const char *reason = full;
    size_t i;

    if (group) {
        stats_reason_normalise(full, normal, sizeof(normal));
        reason = normal;
        if (strcmp(normal, full) == 0)
            group = false;   /* no numbers: nothing to give an example of */
    }
    for (i = 0; i < s->nerrors; i++) {
        e = &s->errors[i];
        if (e->entry == entry && strcmp(e->reason, reason) == 0) {
            e->occurrences += count;
            if (first < e->first_seen)
                e->first_seen = first;
            if (last > e->last_seen)
                e->last_seen = last;
            return;
        }
    }
    if (s->nerrors == s->errors_cap) {
        s->errors_cap = s->errors_cap ? s->errors_cap * 2 : 16;
        s->errors = xrealloc(s->errors, s->errors_cap * sizeof(*s->errors));
    }
    e = &s->errors[s->nerrors++];
    e->entry = entry;
    e->reason = xstrdup(reason);
    e->example = group ? xstrdup(full) : NULL;
    e->occurrences = count;
    e->first_seen = first;
    e->last_seen = last;
}

/*
 * Merge the failures that found no slot as "other errors". Every failure
 * is reported once through stats_delta_error, so an entry's failures not
 * covered by its slots are the lost ones; what cannot be placed that way
 * goes to the entry of the last slot.
 */
static void
merge_lost_errors(struct stats *s, const struct stats_delta *d, double now)
{
    uint64_t left = d->errors_lost;
    size_t i, j;

    for (i = 0; i < d->nentries && i < s->nentries && left > 0; i++) {
        uint64_t covered = 0, other;

        for (j = 0; j < d->nerrors; j++)
            if (d->errors[j].entry == (int)i)
                covered += d->errors[j].count;
        if (d->entries[i].failures <= covered)
            continue;
        other = d->entries[i].failures - covered;
        if (other > left)
            other = left;
        model_add_error(s, (int)i, STATS_OTHER_ERRORS, false, other, now, now);
        left -= other;
    }
    if (left > 0 && d->nerrors > 0) {
        int entry = d->errors[d->nerrors - 1].entry;

        if (entry >= 0 && (size_t)entry < s->nentries)
            model_add_error(s, entry, STATS_OTHER_ERRORS, false, left, now, now);
    }
}

/* Add one delta entry's numbers to a model entry. */
static void
entry_add(struct stats_entry *e, const struct stats_delta_entry *de)
{
    size_t k;

    e->num_requests += de->requests;
    e->num_failures += de->failures;
    e->num_resent += de->resent;
    e->num_throttled += de->throttled;
    e->total_rt_us += de->rt_sum_us;
    if (de->rt_min_us < e->min_rt_us)
        e->min_rt_us = de->rt_min_us;
    if (de->rt_max_us > e->max_rt_us)
        e->max_rt_us = de->rt_max_us;
    e->total_ttfb_us += de->ttfb_sum_us;
    e->total_bytes += de->bytes;
    if (de->last_ts > e->last_request_ts)
        e->last_request_ts = de->last_ts;
    for (k = 0; k < ARRAY_LEN(de->secs); k++)
        if (de->secs[k].sec >= 0 && (de->secs[k].requests || de->secs[k].failures))
            ring_add(e->ring, STATS_RING, de->secs[k].sec, de->secs[k].requests,
                     de->secs[k].failures);
    hist_merge(&e->hist, &de->hist);
}

/* Fold the delta into the model unless it predates the last reset; then clear it. */
void
stats_merge(struct stats *s, struct stats_delta *d)
{
    double now = time_wall();
    int64_t sec = (int64_t)now;
    size_t i, slot = stats_ring_slot(sec, STATS_RECENT);
    uint64_t epoch;

    pthread_mutex_lock(&s->lock);
    if (d->dirty && d->epoch == s->epoch) {
        struct hist *recent = &s->recent[slot];

        if (s->recent_sec[slot] != sec) {
            hist_reset(recent);
            s->recent_sec[slot] = sec;
        }
        for (i = 0; i < d->nentries && i < s->nentries; i++) {
            const struct stats_delta_entry *de = &d->entries[i];

            if (de->requests == 0)
                continue;
            entry_add(&s->entries[i], de);
            entry_add(&s->total, de);
            hist_merge(recent, &de->hist);
        }
        for (i = 0; i < d->nerrors; i++) {
            const struct stats_delta_error *err = &d->errors[i];

            if (err->entry >= 0 && (size_t)err->entry < s->nentries)
                model_add_error(s, err->entry, err->reason, err->group, err->count,
                                err->first_seen, err->last_seen);
        }
        if (d->errors_lost > 0)
            merge_lost_errors(s, d, now);
        s->dropped += d->dropped;
        s->send_rt_sum_us += d->send_rt_sum_us;
        hist_merge(&s->send_hist, &d->send_hist);
        s->version++;
    }
    epoch = s->epoch;
    pthread_mutex_unlock(&s->lock);

    stats_delta_clear(d);
    d->epoch = epoch;
}
