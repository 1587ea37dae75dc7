/*
 * runner.h: the run's state machine (ready, spawning, running, stopping,
 * stopped), owned by the main thread. It spawns users at the spawn rate,
 * spread over classes (fixed counts first, then by weight) and over worker
 * threads, enforces the run time and the stop timeout, samples the
 * statistics once a second, and takes commands from whichever front end
 * drives it (headless console, dashboard, Locust worker).
 */
#ifndef CICADA_RUNNER_H
#define CICADA_RUNNER_H

#include <stdbool.h>

#include <ev.h>

#include "scenario.h"
#include "settings.h"
#include "stats.h"

enum runner_state {
    RUNNER_READY,
    RUNNER_SPAWNING,
    RUNNER_RUNNING,
    RUNNER_STOPPING,
    RUNNER_STOPPED,
};

enum runner_event {
    RUNNER_EVENT_STATE,      /* the state changed */
    RUNNER_EVENT_STOPPED,    /* every user stopped and statistics are final */
    RUNNER_EVENT_TIME_LIMIT, /* the run time was reached (a stop follows) */
};

struct runner;

typedef void (*runner_listener)(struct runner *r, enum runner_event ev, void *arg);

/* Create the runner and its worker threads; nothing is sent yet. */
struct runner *runner_new(struct ev_loop *loop, const struct settings *settings,
                          const struct scenario *sc, struct stats *stats);
void runner_free(struct runner *r);

void runner_set_listener(struct runner *r, runner_listener fn, void *arg);

/*
 * Start a test (from ready or stopped: statistics are reset) or change the
 * running one's user count and spawn rate (Locust's "Edit"). With a load
 * shape, a start follows the shape (users and spawn_rate are not used) and
 * a change by hand ends it.
 */
void runner_start(struct runner *r, unsigned users, double spawn_rate);

/*
 * Set the users of every class at once, counts[i] for class i (a Locust
 * master's spawn: it paces the ramp itself). From ready or stopped this
 * starts a test (statistics are reset); no run time, shape or spawn rate
 * applies. Returns false while a stop is under way.
 */
bool runner_set_class_users(struct runner *r, const unsigned *counts);

/* Users dispatched to class i now. */
unsigned runner_class_users(const struct runner *r, size_t cls);

/* Stop every user; a stop timeout of 0 abandons requests in flight. */
void runner_stop(struct runner *r);

/*
 * A stop always ends. The stop timeout "until they finish" waits as long
 * as the requests' own timeouts allow, and no longer; when the time is up
 * the workers are told to abandon what is in flight (counted as failures),
 * and a worker that does not answer within RUNNER_ABANDON_GRACE seconds (a
 * library call that never returns) is left behind: the run is stopped
 * without it, and runner_abandoned says how many were.
 */
#define RUNNER_ABANDON_GRACE 2.0
#define RUNNER_GIVE_UP_GRACE 0.5
#define RUNNER_TERM_TIMEOUT 3.0

/* Abandon whatever is still in flight now. */
void runner_kill(struct runner *r);

/*
 * A terminate signal: stop, giving requests in flight RUNNER_TERM_TIMEOUT
 * seconds at most (less if the stop timeout says so), so that the reports
 * are written within about five seconds (container runtimes kill after 10).
 */
void runner_terminate(struct runner *r);

/* A second signal: abandon what is in flight and leave unresponsive workers at once. */
void runner_give_up(struct runner *r);

/* Worker threads left behind by the last stop (never joined: exit without freeing). */
unsigned runner_abandoned(const struct runner *r);

/* Clear the statistics (Locust's "Reset Stats"). */
void runner_reset_stats(struct runner *r);

enum runner_state runner_state(const struct runner *r);
const char *runner_state_name(enum runner_state s);

unsigned runner_target_users(const struct runner *r);

/* Did the last test end because its run time was over? */
bool runner_time_limit_hit(const struct runner *r);

/* Did the last test end because its load shape was over? */
bool runner_shape_done(const struct runner *r);
unsigned runner_user_count(const struct runner *r);   /* alive now, over all workers */
double runner_spawn_rate(const struct runner *r);
unsigned runner_threads(const struct runner *r);

/* Seconds since the test started (0 before), and left of the run time (-1: no limit). */
double runner_elapsed(const struct runner *r);
double runner_remaining(const struct runner *r);

/* The load shape's stage, "stage 2/3: 50 users at 10/s" into buf, or NULL without one. */
const char *runner_shape_status(const struct runner *r, char *buf, size_t size);

/*
 * The open model: from now, ramp the arrival rate (all threads together,
 * split evenly over them) to `rate` per second over `ramp` seconds (0: at
 * once). runner_start does it for --rate and rate stages; the capacity
 * search calls it between its steps.
 */
void runner_set_rate(struct runner *r, double rate, double ramp);

/* Start (from ready or stopped) an open-model test at `rate`, with a pool of `pool` users. */
void runner_start_rate(struct runner *r, unsigned pool, double rate);

/* Leave out the warning about spawn rates above 100 (the capacity search's steps). */
void runner_quiet_spawn(struct runner *r, bool quiet);

/* CPU seconds worker thread i has used. */
double runner_worker_cpu(const struct runner *r, unsigned i);

/* Does the test run the open model? Its offered arrival rate now (0: closed). */
bool runner_open(const struct runner *r);
double runner_arrival_rate(const struct runner *r);

/* Users per class dispatched now, as {"A": 5, "B": 2} into buf. */
const char *runner_class_counts(const struct runner *r, char *buf, size_t size);

#endif
