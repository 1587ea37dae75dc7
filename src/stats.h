/*
 * stats.h: the shared statistics model (stats_model.h) and what changes it.
 *
 * Threads: worker threads record into their own struct stats_delta
 * (stats_delta.h) without locks, and merge it into the shared struct stats
 * once a second (stats_merge takes the lock). Front ends read a snapshot
 * the program takes for them all (snapshot.h, stats_copy under the lock).
 * Locust's rules (stats_locust.h) work on a struct stats that nobody else
 * writes: a copy, or the shared one while holding its lock.
 *
 * This header brings the three with it, for the model's many readers.
 */
#ifndef CICADA_STATS_H
#define CICADA_STATS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats_delta.h"
#include "stats_locust.h"
#include "stats_model.h"

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

/* Tie the delta to the model it merges into, so a delta begun after a reset is kept. */
void stats_delta_bind(struct stats_delta *d, const struct stats *s);

/*
 * Add the delta to the model (takes the lock) unless the model was reset
 * since the delta began; then clear the delta and set its epoch.
 */
void stats_merge(struct stats *s, struct stats_delta *d);

#endif
