/*
 * snapshot.c: the statistics snapshots declared in snapshot.h: one deep
 * copy per change of the model, shared by every reader, reused once no
 * reader holds it.
 */
#include "config.h"

#include <stdlib.h>

#include "snapshot.h"
#include "util.h"

void
snapshots_init(struct snapshots *p, struct stats *model)
{
    p->model = model;
    p->latest = NULL;
    p->all = NULL;
    p->copies = 0;
    p->takes = 0;
}

void
snapshots_free(struct snapshots *p)
{
    struct snapshot *s = p->all, *next;

    for (; s != NULL; s = next) {
        next = s->next;
        stats_free(&s->stats);
        free(s);
    }
    p->all = p->latest = NULL;
}

/* A snapshot nobody holds, to copy into (a new one when all are held). */
static struct snapshot *
spare(struct snapshots *p)
{
    struct snapshot *s;

    for (s = p->all; s != NULL; s = s->next)
        if (s->holders == 0)
            return s;
    s = xcalloc(1, sizeof(*s));
    stats_init(&s->stats);
    s->next = p->all;
    p->all = s;
    return s;
}

struct snapshot *
snapshots_take(struct snapshots *p)
{
    struct snapshot *s = p->latest;

    if (s == NULL || stats_version(p->model) != s->stats.version) {
        uint64_t generation = s != NULL ? s->generation + 1 : 1;

        /* the previous latest stays whole for the readers that hold it */
        if (s != NULL)
            snapshot_release(s);
        s = spare(p);
        stats_copy(&s->stats, p->model);
        s->generation = generation;
        s->holders = 1;      /* the publisher's, while it is the latest */
        p->latest = s;
        p->copies++;
    }
    p->takes++;
    return snapshot_hold(s);
}

struct snapshot *
snapshot_hold(struct snapshot *s)
{
    s->holders++;
    return s;
}

void
snapshot_release(struct snapshot *s)
{
    if (s != NULL && s->holders > 0)
        s->holders--;
}
