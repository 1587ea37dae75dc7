/*
 * stats_delta.c: a worker's record of what finished since its last merge,
 * declared in stats_delta.h: counts, response-time sums and histograms per
 * entry, a few seconds of per-second counts, and a small table of failure
 * reasons keyed by the caller's classification, all without locks.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "stats_delta.h"
#include "util.h"

/* Zero one delta entry. */
static void
delta_entry_clear(struct stats_delta_entry *e)
{
    e->requests = 0;
    e->failures = 0;
    e->resent = 0;
    e->throttled = 0;
    e->rt_sum_us = 0;
    e->rt_min_us = UINT64_MAX;
    e->rt_max_us = 0;
    e->ttfb_sum_us = 0;
    e->bytes = 0;
    e->last_ts = 0;
    stats_ring_clear(e->secs, ARRAY_LEN(e->secs));
    hist_reset(&e->hist);
}

/* Set up an empty delta with no entries. */
void
stats_delta_init(struct stats_delta *d)
{
    d->epoch = 0;
    d->model_epoch = NULL;
    d->dirty = false;
    d->entries = NULL;
    d->nentries = 0;
    d->nerrors = 0;
    d->errors_lost = 0;
    d->dropped = 0;
    d->send_rt_sum_us = 0;
    hist_init(&d->send_hist);
}

/* The first record after a merge starts the delta in the model's current epoch. */
static inline void
delta_touch(struct stats_delta *d)
{
    if (!d->dirty) {
        if (d->model_epoch != NULL)
            d->epoch = __atomic_load_n(d->model_epoch, __ATOMIC_ACQUIRE);
        d->dirty = true;
    }
}

/* Release the delta's entries. */
void
stats_delta_free(struct stats_delta *d)
{
    free(d->entries);
    d->entries = NULL;
    d->nentries = 0;
    d->nerrors = 0;
    d->errors_lost = 0;
    d->dirty = false;
}

/* Make room for entry ids below n. */
void
stats_delta_reserve(struct stats_delta *d, size_t n)
{
    size_t i;

    if (n <= d->nentries)
        return;
    d->entries = xrealloc(d->entries, n * sizeof(*d->entries));
    for (i = d->nentries; i < n; i++) {
        hist_init(&d->entries[i].hist);
        delta_entry_clear(&d->entries[i]);
    }
    d->nentries = n;
}

/* Zero what was recorded since the last merge (only the entries that hold something). */
void
stats_delta_clear(struct stats_delta *d)
{
    size_t i;

    if (!d->dirty)
        return;
    for (i = 0; i < d->nentries; i++)
        if (d->entries[i].requests != 0 || d->entries[i].hist.lo < d->entries[i].hist.hi)
            delta_entry_clear(&d->entries[i]);
    d->nerrors = 0;
    d->errors_lost = 0;
    d->dropped = 0;
    d->send_rt_sum_us = 0;
    if (d->send_hist.lo < d->send_hist.hi)
        hist_reset(&d->send_hist);
    d->dirty = false;
}

/* Record one finished request into the delta: no lock, no allocation. */
void
stats_delta_record(struct stats_delta *d, int entry, uint64_t rt_us, uint64_t ttfb_us,
                   uint64_t bytes, bool failed, double now)
{
    struct stats_delta_entry *e = &d->entries[entry];
    int64_t sec = (int64_t)now;
    struct stats_second *slot = &e->secs[(uint64_t)sec % ARRAY_LEN(e->secs)];

    e->requests++;
    e->failures += failed;
    e->rt_sum_us += rt_us;
    e->rt_min_us = rt_us < e->rt_min_us ? rt_us : e->rt_min_us;
    e->rt_max_us = rt_us > e->rt_max_us ? rt_us : e->rt_max_us;
    e->ttfb_sum_us += ttfb_us;
    e->bytes += bytes;
    e->last_ts = now > e->last_ts ? now : e->last_ts;
    if (slot->sec != sec) {
        slot->sec = sec;
        slot->requests = 0;
        slot->failures = 0;
    }
    slot->requests++;
    slot->failures += failed;
    hist_record(&e->hist, rt_us);
    delta_touch(d);
}

void
stats_delta_resent(struct stats_delta *d, int entry, unsigned n)
{
    d->entries[entry].resent += n;
    delta_touch(d);
}

void
stats_delta_dropped(struct stats_delta *d, uint64_t n)
{
    d->dropped += n;
    delta_touch(d);
}

void
stats_delta_throttled(struct stats_delta *d, int entry)
{
    d->entries[entry].throttled++;
    delta_touch(d);
}

void
stats_delta_send_time(struct stats_delta *d, uint64_t rt_us)
{
    d->send_rt_sum_us += rt_us;
    hist_record(&d->send_hist, rt_us);
    delta_touch(d);
}

/* Count one failure under its (entry, kind, code, detail) key; a new key returns its reason buffer. */
char *
stats_delta_error(struct stats_delta *d, int entry, int kind, long code, long detail,
                  double now)
{
    struct stats_delta_error *err;
    size_t i;

    delta_touch(d);
    for (i = 0; i < d->nerrors; i++) {
        err = &d->errors[i];
        if (err->entry == entry && err->kind == kind && err->code == code &&
            err->detail == detail) {
            err->count++;
            if (now > err->last_seen)
                err->last_seen = now;
            return NULL;
        }
    }
    if (d->nerrors == STATS_DELTA_ERRORS) {
        d->errors_lost++;
        return NULL;
    }
    err = &d->errors[d->nerrors++];
    err->entry = entry;
    err->kind = kind;
    err->code = code;
    err->detail = detail;
    err->count = 1;
    err->first_seen = now;
    err->last_seen = now;
    err->group = false;
    err->reason[0] = '\0';
    return err->reason;
}

void
stats_delta_group(char *reason)
{
    struct stats_delta_error *err =
        (struct stats_delta_error *)(void *)(reason - offsetof(struct stats_delta_error, reason));

    err->group = true;
}

void
stats_reason_normalise(const char *reason, char *out, size_t size)
{
    size_t n = 0;

    if (size == 0)
        return;
    while (*reason != '\0' && n + 1 < size) {
        if (isdigit((unsigned char)*reason)) {
            out[n++] = 'N';
            while (isdigit((unsigned char)*reason))
                reason++;
        } else {
            out[n++] = *reason++;
        }
    }
    out[n] = '\0';
}
