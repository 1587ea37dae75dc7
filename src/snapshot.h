/*
 * snapshot.h: one read-only copy of the statistics a tick, for every reader.
 *
 * The shared model (stats.h) changes when a worker merges (once a second
 * each), when the runner samples the series and at a reset. The readers on
 * the main loop (the dashboard, the headless tables, the report timer, the
 * capacity search, the Locust worker) do not copy it themselves: they ask
 * the publisher for the latest snapshot. The publisher takes a new deep copy
 * only when the model changed since the last one (stats_version), numbers it
 * with the next generation and hands out that one copy to every reader until
 * the model changes again; what a reader gets is what its own copy would
 * have held at that moment.
 *
 * A published snapshot never changes. A reader that keeps pointers into one
 * past its callback holds it (snapshots_take returns it held) and releases it
 * when done; a released one that is not the latest is reused for a later
 * copy. The publisher and its snapshots belong to the main loop's thread.
 */
#ifndef CICADA_SNAPSHOT_H
#define CICADA_SNAPSHOT_H

#include <stdint.h>

#include "stats.h"

struct snapshot {
    uint64_t generation;     /* 1, 2, ... in the order published */
    struct stats stats;      /* the copy: read it, never write it */
    unsigned holders;        /* readers holding it, and the publisher while it is the latest */
    struct snapshot *next;   /* the publisher's list of every snapshot it made */
};

struct snapshots {
    struct stats *model;     /* the shared model copied from */
    struct snapshot *latest; /* NULL before the first take */
    struct snapshot *all;
    uint64_t copies;         /* deep copies taken (one per generation) */
    uint64_t takes;          /* snapshots handed to readers */
};

void snapshots_init(struct snapshots *p, struct stats *model);

/* Free every snapshot; readers must have released theirs. */
void snapshots_free(struct snapshots *p);

/*
 * The latest snapshot of the model, copied first when the model changed
 * since the latest was taken; held for the caller, who releases it.
 */
struct snapshot *snapshots_take(struct snapshots *p);

/* Hold s once more (a second place keeps it). */
struct snapshot *snapshot_hold(struct snapshot *s);

/* Give up one hold on s (NULL: nothing). */
void snapshot_release(struct snapshot *s);

#endif
