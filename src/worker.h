/*
 * worker.h: one worker thread: a libev loop driving a few libcurl multi
 * handles, and the simulated users living on it. Workers share nothing
 * with each other; the runner talks to them only through commands, and
 * they hand their statistics to the shared model once a second.
 */
#ifndef CICADA_WORKER_H
#define CICADA_WORKER_H

#include <stdbool.h>

#include "arrivals.h"
#include "scenario.h"
#include "settings.h"
#include "stats.h"

struct worker;

/*
 * What a worker is given when it is made: the run's read-only settings and
 * scenario, the shared statistics it merges into, and a wake-up for its
 * owner (called from the worker's thread when it has stopped every user).
 */
struct worker_context {
    const struct settings *settings;
    const struct scenario *scenario;
    struct stats *stats;
    void (*notify)(void *arg);
    void *notify_arg;
};

/* Users per libcurl multi handle (libcurl's cost per transfer grows with its pool). */
#define WORKER_GROUP_USERS 32

enum worker_cmd {
    WORKER_SPAWN,            /* start `count` users of class `cls` */
    WORKER_REMOVE,           /* stop the newest `count` users of class `cls` */
    WORKER_STOP_ALL,         /* stop every user (requests in flight finish if graceful) */
    WORKER_KILL_ALL,         /* stop every user now, abandoning requests in flight */
    WORKER_QUIT,             /* kill everything, merge statistics, end the thread */
    WORKER_RATE,             /* open model: arrivals at a rate (worker_set_rate) */
};

struct worker *worker_new(const struct worker_context *ctx, unsigned index);

/* Start the thread. */
void worker_start(struct worker *w);

/* Queue a command and wake the worker (any thread). */
void worker_send(struct worker *w, enum worker_cmd cmd, unsigned cls, unsigned count,
                 unsigned generation);

/*
 * The open model (any thread): from `at` (ev_time's clock: when the runner
 * decided, so that a worker busy making users catches up rather than
 * dropping the schedule), ramp this worker's arrival rate to
 * `rate` per second over `ramp` seconds (0: at once). The first call makes
 * the worker open: its users no longer wait between tasks but park in a
 * free pool, and each arrival is served by a free user (or dropped and
 * counted when none is free). phase in [0, 1) offsets the first of evenly
 * spaced arrivals, to interleave workers. A stop ends it.
 */
void worker_set_rate(struct worker *w, double at, double rate, double ramp,
                     enum arrivals_kind kind, double phase);

/* CPU seconds the worker's thread has used (any thread; 0 if unknown). */
double worker_cpu_seconds(const struct worker *w);

/* Users alive on this worker now (any thread). */
unsigned worker_users(const struct worker *w);

/* Requests in flight now (any thread). */
unsigned worker_in_flight(const struct worker *w);

/*
 * The generation of the last STOP_ALL/KILL_ALL after which this worker has
 * no users left and has merged its statistics (any thread).
 */
unsigned worker_stopped_generation(const struct worker *w);

/* Send QUIT, join the thread and free it. */
void worker_free(struct worker *w);

#endif
