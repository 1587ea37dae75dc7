/*
 * runner.c: the run's state machine on the main loop.
 *
 * Spawning follows Locust: batches of max(1, floor(rate)) users, one batch
 * every batch/rate seconds, the first at once. Each new user goes to the
 * class that most lacks users (fixed counts first, then by weight, ties to
 * the first name in alphabetical order, which gives the same sequence as
 * Locust's smooth weighted round robin) and to the least loaded worker. The
 * dispatch log remembers the order, so ramping down removes the newest
 * users first.
 *
 * With a load shape, the start follows the shape's first stage and a timer
 * moves to the next stage when one is over; the run stops after the last.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdlimit.h"
#include "log.h"
#include "runner.h"
#include "shape.h"
#include "util.h"
#include "worker.h"

#define LOGGER "cicada.runner"

struct dispatch {
    unsigned cls;
    unsigned worker;
};

struct runner {
    struct ev_loop *loop;
    const struct settings *settings;
    const struct scenario *sc;
    struct stats *stats;
    struct worker **workers;
    unsigned nworkers;
    unsigned *worker_load;   /* users dispatched per worker */

    enum runner_state state;
    unsigned target;
    double rate;
    double started_mono;     /* 0 before the first start */
    double stopped_mono;
    unsigned generation;     /* of the last stop */
    bool time_limit_hit;     /* the last test ended at its run time */
    bool shape_done;         /* the last test ended with its load shape */

    unsigned *class_order;   /* class indices sorted by name */
    unsigned *class_count;   /* users dispatched per class */
    struct dispatch *log;
    size_t nlog, log_cap;
    bool class_full_warned;

    /* the open model: arrivals at a rate, served by the pool of users */
    bool open;               /* this test runs the open model */
    double start_rate;       /* runner_start_rate's rate for the next start (0: settings') */
    bool quiet_spawn;        /* no warning for a high spawn rate (the capacity search's steps) */
    double rate_from, rate_to; /* total arrivals per second, ramping from, to */
    double rate_since, rate_ramp; /* time_mono() the ramp began; its length (0: none) */

    size_t stage;            /* the shape's current stage */
    bool shape_active;       /* the shape drives the user count */

    ev_timer spawn_timer;
    ev_timer run_timer;
    ev_timer stop_timer;
    ev_timer tick_timer;
    ev_timer shape_timer;
    ev_timer abandon_timer;  /* told to abandon everything: workers answer by then, or are left */
    ev_async notify;
    bool *abandoned;         /* workers that did not answer a stop: never joined nor freed */
    double grace;            /* the abandon timer's delay, for the message */
    unsigned nabandoned;
    double stop_bound;       /* seconds a stop waits for requests in flight when the stop
                                timeout says "until they finish": they are bounded by timeouts */

    runner_listener listener;
    void *listener_arg;
};

static const char *const state_names[] = { "READY", "SPAWNING", "RUNNING", "STOPPING",
                                           "STOPPED" };

const char *
runner_state_name(enum runner_state s)
{
    return state_names[s];
}

/* Tell the front end. */
static void
emit(struct runner *r, enum runner_event ev)
{
    if (r->listener != NULL)
        r->listener(r, ev, r->listener_arg);
}

/* Change state and tell the front end. */
static void
set_state(struct runner *r, enum runner_state s)
{
    if (r->state == s)
        return;
    r->state = s;
    emit(r, RUNNER_EVENT_STATE);
}

/* The class that should get the next user, or -1 if none may. */
static int
next_class(struct runner *r)
{
    const struct scenario *sc = r->sc;
    unsigned weighted_users = 0, total_weight = 0;
    double best_deficit = -1e300;
    int best = -1;
    size_t k;

    /* fixed counts first, round robin in name order */
    for (k = 0; k < sc->nclasses; k++) {
        unsigned c = r->class_order[k];

        if (sc->classes[c].fixed_count > 0 && r->class_count[c] < sc->classes[c].fixed_count) {
            if (best < 0 || r->class_count[c] < r->class_count[best])
                best = (int)c;
        }
    }
    if (best >= 0)
        return best;
    for (k = 0; k < sc->nclasses; k++) {
        const struct user_class *uc = &sc->classes[k];

        if (uc->fixed_count == 0 && uc->weight > 0) {
            weighted_users += r->class_count[k];
            total_weight += uc->weight;
        }
    }
    if (total_weight == 0)
        return -1;
    for (k = 0; k < sc->nclasses; k++) {
        unsigned c = r->class_order[k];
        const struct user_class *uc = &sc->classes[c];
        double deficit;

        if (uc->fixed_count != 0 || uc->weight == 0)
            continue;
        deficit = (double)uc->weight / total_weight * (weighted_users + 1) - r->class_count[c];
        if (deficit > best_deficit + 1e-9) {
            best_deficit = deficit;
            best = (int)c;
        }
    }
    return best;
}

/* The worker with the fewest users (one left behind by a stop gets none). */
static unsigned
least_loaded(struct runner *r)
{
    unsigned best = r->nworkers, i;

    for (i = 0; i < r->nworkers; i++)
        if (!r->abandoned[i] && (best == r->nworkers || r->worker_load[i] < r->worker_load[best]))
            best = i;
    return best < r->nworkers ? best : 0;
}

const char *
runner_class_counts(const struct runner *r, char *buf, size_t size)
{
    size_t used = 0, k;

    used += (size_t)snprintf(buf, size, "{");
    for (k = 0; k < r->sc->nclasses && used < size; k++) {
        unsigned c = r->class_order[k];

        used += (size_t)snprintf(buf + used, size - used, "%s\"%s\": %u", k ? ", " : "",
                                 r->sc->classes[c].name, r->class_count[c]);
    }
    if (used < size)
        snprintf(buf + used, size - used, "}");
    return buf;
}

/* Every user asked for is dispatched. */
static void
spawning_complete(struct runner *r)
{
    char counts[1024];

    ev_timer_stop(r->loop, &r->spawn_timer);
    if (r->state != RUNNER_SPAWNING)
        return;
    log_info(LOGGER, "All users spawned: %s (%zu total users)",
             runner_class_counts(r, counts, sizeof(counts)), r->nlog);
    set_state(r, RUNNER_RUNNING);
    if (r->settings->reset_stats) {
        log_info(LOGGER, "Resetting stats");
        stats_reset(r->stats, time_wall());
    }
}

/* One spawn batch towards the target (up or down). */
static void
spawn_step(struct runner *r)
{
    unsigned batch = r->rate >= 1 ? (unsigned)r->rate : 1;
    unsigned *spawn = xcalloc((size_t)r->nworkers * r->sc->nclasses, sizeof(*spawn));
    unsigned n, i;
    size_t c;

    if (r->nlog < r->target) {
        for (n = 0; n < batch && r->nlog < r->target; n++) {
            int cls = next_class(r);
            unsigned wk;

            if (cls < 0) {
                if (!r->class_full_warned)
                    log_warning(LOGGER, "Only %zu users can be started: every user class "
                                "has a fixed count and all are reached", r->nlog);
                r->class_full_warned = true;
                r->target = (unsigned)r->nlog;
                break;
            }
            wk = least_loaded(r);
            if (r->nlog == r->log_cap) {
                r->log_cap = r->log_cap ? r->log_cap * 2 : 256;
                r->log = xrealloc(r->log, r->log_cap * sizeof(*r->log));
            }
            r->log[r->nlog].cls = (unsigned)cls;
            r->log[r->nlog].worker = wk;
            r->nlog++;
            r->class_count[cls]++;
            r->worker_load[wk]++;
            spawn[wk * r->sc->nclasses + (unsigned)cls]++;
        }
        for (i = 0; i < r->nworkers; i++)
            for (c = 0; c < r->sc->nclasses; c++)
                if (spawn[i * r->sc->nclasses + c] > 0)
                    worker_send(r->workers[i], WORKER_SPAWN, (unsigned)c,
                                spawn[i * r->sc->nclasses + c], 0);
    } else if (r->nlog > r->target) {
        for (n = 0; n < batch && r->nlog > r->target; n++) {
            struct dispatch d = r->log[--r->nlog];

            r->class_count[d.cls]--;
            r->worker_load[d.worker]--;
            spawn[d.worker * r->sc->nclasses + d.cls]++;
        }
        for (i = 0; i < r->nworkers; i++)
            for (c = 0; c < r->sc->nclasses; c++)
                if (spawn[i * r->sc->nclasses + c] > 0)
                    worker_send(r->workers[i], WORKER_REMOVE, (unsigned)c,
                                spawn[i * r->sc->nclasses + c], 0);
    }
    free(spawn);
    if (r->nlog == r->target)
        spawning_complete(r);
}

/* The spawn timer: next batch. */
static void
on_spawn(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    spawn_step(t->data);
}

/* The run time is over. */
static void
on_run_time(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;

    (void)loop;
    (void)revents;
    log_info(LOGGER, "--run-time limit reached, shutting down");
    r->time_limit_hit = true;
    emit(r, RUNNER_EVENT_TIME_LIMIT);
    runner_stop(r);
}

static void ramp_to(struct runner *r, unsigned users, double spawn_rate);

/*
 * The open model begins: every worker opens with no arrivals yet, so that
 * the users spawned next park in its free pool; runner_set_rate then
 * starts the arrivals once the pool is made.
 */
static void
open_begin(struct runner *r)
{
    unsigned i;

    r->open = true;
    for (i = 0; i < r->nworkers; i++)
        worker_set_rate(r->workers[i], ev_time(), 0, 0, r->settings->arrivals,
                        (double)i / r->nworkers);
}

/* Enter the shape's current stage. */
static void
enter_stage(struct runner *r)
{
    const struct shape_stage *st = shape_stage(r->sc->shape, r->stage);
    char what[128];

    log_info(LOGGER, "Shape: %s", shape_describe(r->sc->shape, r->stage, what, sizeof(what)));
    ev_timer_stop(r->loop, &r->shape_timer);
    ev_timer_set(&r->shape_timer, st->duration, 0.);
    ev_timer_start(r->loop, &r->shape_timer);
    if (st->arrival_rate >= 0) {
        /* the whole pool first (the worker makes it before the arrivals begin) */
        if (r->stage == 0) {
            open_begin(r);
            ramp_to(r, r->settings->users, r->settings->users);
        }
        runner_set_rate(r, st->arrival_rate, st->duration);
        return;
    }
    ramp_to(r, st->users, st->rate);
}

/* A stage is over: the next one, or the end of the run. */
static void
on_shape(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;

    (void)loop;
    (void)revents;
    if (!r->shape_active)
        return;
    if (++r->stage < shape_nstages(r->sc->shape)) {
        enter_stage(r);
        return;
    }
    r->shape_active = false;
    log_info(LOGGER, "Shape: all %zu stages done, shutting down", shape_nstages(r->sc->shape));
    r->shape_done = true;
    emit(r, RUNNER_EVENT_TIME_LIMIT);
    runner_stop(r);
}

/* The stop timeout is over: abandon what is left. */
static void
on_stop_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;

    (void)loop;
    (void)revents;
    if (r->state != RUNNER_STOPPING)
        return;
    log_info(LOGGER, "Not all users finished their tasks & terminated in %g seconds. "
             "Stopping them...", r->settings->stop_timeout);
    runner_kill(r);
}

/* The stop is over: every worker answered, or the unresponsive ones were left. */
static void
stop_done(struct runner *r)
{
    ev_timer_stop(r->loop, &r->stop_timer);
    ev_timer_stop(r->loop, &r->abandon_timer);
    ev_timer_stop(r->loop, &r->tick_timer);
    r->stopped_mono = time_mono();
    stats_sample(r->stats, (int64_t)time_wall(), 0);
    set_state(r, RUNNER_STOPPED);
    emit(r, RUNNER_EVENT_STOPPED);
}

/* Has worker i still to answer the last stop (and was not left behind)? */
static bool
stop_pending(const struct runner *r, unsigned i)
{
    return !r->abandoned[i] && worker_stopped_generation(r->workers[i]) != r->generation;
}

/*
 * Workers were told to abandon everything and some did not answer: a
 * library call that never returns (libcurl 7.88 can spin inside
 * curl_multi_socket_action). The run ends without them: their statistics
 * of the last second are lost, the rest is reported.
 */
static void
on_abandon(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;
    unsigned i;

    (void)loop;
    (void)revents;
    if (r->state != RUNNER_STOPPING)
        return;
    for (i = 0; i < r->nworkers; i++) {
        if (!stop_pending(r, i))
            continue;
        r->abandoned[i] = true;
        r->nabandoned++;
        log_error(LOGGER, "Worker thread %u did not answer within %g s of being told to stop: "
                  "abandoned (%u users, %u requests in flight; its last second of statistics "
                  "is lost)", i, r->grace, worker_users(r->workers[i]),
                  worker_in_flight(r->workers[i]));
    }
    stop_done(r);
}

/* Once a second: a series point. */
static void
on_tick(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct runner *r = t->data;

    (void)loop;
    (void)revents;
    if (r->state == RUNNER_SPAWNING || r->state == RUNNER_RUNNING || r->state == RUNNER_STOPPING)
        stats_sample(r->stats, (int64_t)time_wall(), runner_user_count(r));
}

/* A worker has news: is the stop complete? */
static void
on_notify(struct ev_loop *loop, ev_async *a, int revents)
{
    struct runner *r = a->data;
    unsigned i;

    (void)loop;
    (void)revents;
    if (r->state != RUNNER_STOPPING)
        return;
    for (i = 0; i < r->nworkers; i++)
        if (stop_pending(r, i))
            return;
    stop_done(r);
}

/* Compare class indices by their names in the scenario (qsort_r's context). */
static int
cmp_class(const void *a, const void *b, void *arg)
{
    const struct scenario *sc = arg;

    return strcmp(sc->classes[*(const unsigned *)a].name, sc->classes[*(const unsigned *)b].name);
}

/* A worker stopped its users (called from its thread): wake the main loop. */
static void
wake_runner(void *arg)
{
    struct runner *r = arg;

    ev_async_send(r->loop, &r->notify);
}

/*
 * How long requests in flight can take to finish after a stop when the stop
 * timeout says "until they finish": the longest request timeout, once for
 * the request in flight and once per on_stop task, and a second more.
 */
static double
stop_bound(const struct settings *settings, const struct scenario *sc)
{
    double longest = settings->timeout, bound = 0;
    size_t i, j;

    for (i = 0; i < sc->nclasses; i++)
        for (j = 0; j < sc->classes[i].ntasks; j++)
            if (sc->classes[i].tasks[j].opts.timeout > longest)
                longest = sc->classes[i].tasks[j].opts.timeout;
    for (i = 0; i < sc->nclasses; i++)
        if ((double)(1 + sc->classes[i].n_on_stop) * longest > bound)
            bound = (double)(1 + sc->classes[i].n_on_stop) * longest;
    return bound + 1.0;
}

struct runner *
runner_new(struct ev_loop *loop, const struct settings *settings, const struct scenario *sc,
           struct stats *stats)
{
    struct runner *r = xcalloc(1, sizeof(*r));
    struct worker_context ctx;
    unsigned i;

    r->loop = loop;
    r->settings = settings;
    r->sc = sc;
    r->stats = stats;
    r->state = RUNNER_READY;
    r->nworkers = settings->threads ? settings->threads : cpu_count();
    r->workers = xcalloc(r->nworkers, sizeof(*r->workers));
    r->worker_load = xcalloc(r->nworkers, sizeof(*r->worker_load));
    r->class_count = xcalloc(sc->nclasses, sizeof(*r->class_count));
    r->class_order = xcalloc(sc->nclasses, sizeof(*r->class_order));
    for (i = 0; i < sc->nclasses; i++)
        r->class_order[i] = i;
    qsort_r(r->class_order, sc->nclasses, sizeof(*r->class_order), cmp_class, (void *)sc);

    ev_timer_init(&r->spawn_timer, on_spawn, 0., 0.);
    r->spawn_timer.data = r;
    ev_timer_init(&r->run_timer, on_run_time, 0., 0.);
    r->run_timer.data = r;
    ev_timer_init(&r->stop_timer, on_stop_timeout, 0., 0.);
    r->stop_timer.data = r;
    ev_timer_init(&r->tick_timer, on_tick, 1., 1.);
    r->tick_timer.data = r;
    ev_timer_init(&r->shape_timer, on_shape, 0., 0.);
    r->shape_timer.data = r;
    ev_timer_init(&r->abandon_timer, on_abandon, 0., 0.);
    r->abandon_timer.data = r;
    r->abandoned = xcalloc(r->nworkers, sizeof(*r->abandoned));
    r->stop_bound = stop_bound(settings, sc);
    ev_async_init(&r->notify, on_notify);
    r->notify.data = r;
    ev_async_start(loop, &r->notify);

    ctx.settings = settings;
    ctx.scenario = sc;
    ctx.stats = stats;
    ctx.notify = wake_runner;
    ctx.notify_arg = r;
    for (i = 0; i < r->nworkers; i++)
        r->workers[i] = worker_new(&ctx, i);
    for (i = 0; i < r->nworkers; i++)
        worker_start(r->workers[i]);
    return r;
}

void
runner_free(struct runner *r)
{
    unsigned i;

    if (r == NULL)
        return;
    for (i = 0; i < r->nworkers; i++)
        if (!r->abandoned[i])
            worker_free(r->workers[i]);
    ev_timer_stop(r->loop, &r->abandon_timer);
    free(r->abandoned);
    ev_timer_stop(r->loop, &r->spawn_timer);
    ev_timer_stop(r->loop, &r->run_timer);
    ev_timer_stop(r->loop, &r->stop_timer);
    ev_timer_stop(r->loop, &r->tick_timer);
    ev_timer_stop(r->loop, &r->shape_timer);
    ev_async_stop(r->loop, &r->notify);
    free(r->workers);
    free(r->worker_load);
    free(r->class_count);
    free(r->class_order);
    free(r->log);
    free(r);
}

void
runner_set_listener(struct runner *r, runner_listener fn, void *arg)
{
    r->listener = fn;
    r->listener_arg = arg;
}

/* Users beyond what the open-file limit allows (say, raised from the dashboard) are left out. */
static unsigned
cap_users(struct runner *r, unsigned users)
{
    unsigned long limit = fdlimit_current();
    unsigned most = fdlimit_max_users(limit, r->nworkers, r->settings->demo);

    if (users <= most)
        return users;
    log_warning(LOGGER, "%u users cannot each have a connection with the open-file limit of %lu: "
                "running %u users; %s", users, limit, most, fdlimit_howto);
    return most;
}

void
runner_start(struct runner *r, unsigned users, double spawn_rate)
{
    if (r->state == RUNNER_STOPPING)
        return;
    if (r->state == RUNNER_READY || r->state == RUNNER_STOPPED) {
        double rate = r->start_rate > 0 ? r->start_rate : r->settings->rate;

        r->start_rate = 0;
        r->open = rate > 0 || shape_is_rate(r->sc->shape);
        r->rate_from = r->rate_to = 0;
        r->rate_ramp = 0;
        /* timers count from now, not from the loop's last iteration */
        ev_now_update(r->loop);
        stats_reset(r->stats, time_wall());
        r->started_mono = time_mono();
        r->stopped_mono = 0;
        r->time_limit_hit = false;
        r->shape_done = false;
        r->class_full_warned = false;
        if (r->settings->run_time > 0) {
            ev_timer_set(&r->run_timer, r->settings->run_time, 0.);
            ev_timer_start(r->loop, &r->run_timer);
        }
        ev_timer_again(r->loop, &r->tick_timer);
        if (r->sc->shape != NULL) {
            r->shape_active = true;
            r->stage = 0;
            enter_stage(r);
            return;
        }
        if (r->open) {
            /* the whole pool at once, then the arrivals (a worker makes its users first) */
            open_begin(r);
            ramp_to(r, users, users);
            runner_set_rate(r, rate, 0);
            return;
        }
    } else if (r->shape_active) {
        r->shape_active = false;
        ev_timer_stop(r->loop, &r->shape_timer);
        log_info(LOGGER, "Shape: users set by hand, the [shape] no longer applies");
    }
    ramp_to(r, users, spawn_rate);
}

/* Set the target and the spawn rate, and take the first step. */
static void
ramp_to(struct runner *r, unsigned users, double spawn_rate)
{
    double interval;
    unsigned batch;

    users = cap_users(r, users);
    if (spawn_rate > 100 && !r->open && !r->quiet_spawn)
        log_warning(LOGGER, "Your selected spawn rate is very high (>100), and this is known to "
                    "sometimes cause issues. Do you really need to ramp up that fast?");
    r->target = users;
    r->rate = spawn_rate;
    log_info(LOGGER, "Ramping to %u users at a rate of %.2f per second", users, spawn_rate);
    set_state(r, RUNNER_SPAWNING);
    batch = spawn_rate >= 1 ? (unsigned)spawn_rate : 1;
    interval = batch / spawn_rate;
    ev_timer_stop(r->loop, &r->spawn_timer);
    ev_timer_set(&r->spawn_timer, interval, interval);
    ev_timer_start(r->loop, &r->spawn_timer);
    spawn_step(r);
}

bool
runner_set_class_users(struct runner *r, const unsigned *counts)
{
    const struct scenario *sc = r->sc;
    unsigned *delta = xcalloc((size_t)r->nworkers * sc->nclasses, sizeof(*delta));
    unsigned long most = fdlimit_max_users(fdlimit_current(), r->nworkers, r->settings->demo);
    size_t i, kept = 0, c;
    char buf[1024];

    if (r->state == RUNNER_STOPPING) {
        free(delta);
        return false;
    }
    if (r->state == RUNNER_READY || r->state == RUNNER_STOPPED) {
        ev_now_update(r->loop);
        stats_reset(r->stats, time_wall());
        r->started_mono = time_mono();
        r->stopped_mono = 0;
        r->time_limit_hit = false;
        r->shape_done = false;
        ev_timer_again(r->loop, &r->tick_timer);
    }
    ev_timer_stop(r->loop, &r->spawn_timer);
    ev_timer_stop(r->loop, &r->shape_timer);
    r->shape_active = false;
    set_state(r, RUNNER_SPAWNING);

    /* surplus users go, newest first */
    for (i = r->nlog; i-- > 0;) {
        struct dispatch d = r->log[i];

        if (r->class_count[d.cls] > counts[d.cls]) {
            r->class_count[d.cls]--;
            r->worker_load[d.worker]--;
            delta[d.worker * sc->nclasses + d.cls]++;
            r->log[i].cls = UINT32_MAX;
        }
    }
    for (i = 0; i < r->nlog; i++)
        if (r->log[i].cls != UINT32_MAX)
            r->log[kept++] = r->log[i];
    r->nlog = kept;
    for (i = 0; i < r->nworkers; i++)
        for (c = 0; c < sc->nclasses; c++)
            if (delta[i * sc->nclasses + c] > 0)
                worker_send(r->workers[i], WORKER_REMOVE, (unsigned)c,
                            delta[i * sc->nclasses + c], 0);

    /* missing users come, to the least loaded thread */
    memset(delta, 0, (size_t)r->nworkers * sc->nclasses * sizeof(*delta));
    for (c = 0; c < sc->nclasses; c++) {
        while (r->class_count[c] < counts[c]) {
            unsigned wk = least_loaded(r);

            if (r->nlog >= most) {
                log_warning(LOGGER, "%u users cannot each have a connection with the open-file "
                            "limit: running %zu users; %s", counts[c], r->nlog, fdlimit_howto);
                break;
            }
            if (r->nlog == r->log_cap) {
                r->log_cap = r->log_cap ? r->log_cap * 2 : 256;
                r->log = xrealloc(r->log, r->log_cap * sizeof(*r->log));
            }
            r->log[r->nlog].cls = (unsigned)c;
            r->log[r->nlog].worker = wk;
            r->nlog++;
            r->class_count[c]++;
            r->worker_load[wk]++;
            delta[wk * sc->nclasses + c]++;
        }
    }
    for (i = 0; i < r->nworkers; i++)
        for (c = 0; c < sc->nclasses; c++)
            if (delta[i * sc->nclasses + c] > 0)
                worker_send(r->workers[i], WORKER_SPAWN, (unsigned)c,
                            delta[i * sc->nclasses + c], 0);
    free(delta);
    r->target = (unsigned)r->nlog;
    log_debug(LOGGER, "Users per class: %s (%zu total users)",
              runner_class_counts(r, buf, sizeof(buf)), r->nlog);
    set_state(r, RUNNER_RUNNING);
    return true;
}

unsigned
runner_class_users(const struct runner *r, size_t cls)
{
    return cls < r->sc->nclasses ? r->class_count[cls] : 0;
}

/* Stop, letting requests in flight finish for up to limit seconds (< 0: the stop timeout). */
static void
stop_within(struct runner *r, double limit)
{
    unsigned i;
    double wait = r->settings->stop_timeout;

    if (r->state == RUNNER_READY || r->state == RUNNER_STOPPED || r->state == RUNNER_STOPPING)
        return;
    ev_timer_stop(r->loop, &r->spawn_timer);
    ev_timer_stop(r->loop, &r->run_timer);
    ev_timer_stop(r->loop, &r->shape_timer);
    r->shape_active = false;
    r->rate_from = r->rate_to = 0;
    r->rate_ramp = 0;
    r->generation++;
    set_state(r, RUNNER_STOPPING);
    r->nlog = 0;
    r->target = 0;
    memset(r->class_count, 0, r->sc->nclasses * sizeof(*r->class_count));
    memset(r->worker_load, 0, r->nworkers * sizeof(*r->worker_load));
    for (i = 0; i < r->nworkers; i++)
        if (!r->abandoned[i])
            worker_send(r->workers[i], WORKER_STOP_ALL, 0, 0, r->generation);
    /* "until they finish" still has an end: the requests' own timeouts */
    if (wait < 0)
        wait = r->stop_bound;
    if (limit >= 0 && (wait == 0 || wait > limit))
        wait = limit > 0 ? limit : 0;
    if (wait > 0) {
        ev_timer_set(&r->stop_timer, wait, 0.);
        ev_timer_start(r->loop, &r->stop_timer);
    } else if (r->settings->stop_timeout != 0) {
        runner_kill(r);      /* no time left for requests in flight */
    } else {
        /* stop timeout 0: the workers abandon at once; an unresponsive one is left after the grace */
        r->grace = RUNNER_ABANDON_GRACE;
        ev_timer_set(&r->abandon_timer, RUNNER_ABANDON_GRACE, 0.);
        ev_timer_start(r->loop, &r->abandon_timer);
    }
}

void
runner_stop(struct runner *r)
{
    stop_within(r, -1);
}

void
runner_terminate(struct runner *r)
{
    stop_within(r, RUNNER_TERM_TIMEOUT);
}

/* Abandon what is in flight; workers that do not answer within grace seconds are left. */
static void
kill_within(struct runner *r, double grace)
{
    unsigned i;

    if (r->state != RUNNER_STOPPING)
        stop_within(r, 0);
    if (r->state != RUNNER_STOPPING)
        return;
    for (i = 0; i < r->nworkers; i++)
        if (!r->abandoned[i])
            worker_send(r->workers[i], WORKER_KILL_ALL, 0, 0, r->generation);
    if (!ev_is_active(&r->abandon_timer) || grace < ev_timer_remaining(r->loop, &r->abandon_timer)) {
        ev_timer_stop(r->loop, &r->abandon_timer);
        r->grace = grace;
        ev_timer_set(&r->abandon_timer, grace, 0.);
        ev_timer_start(r->loop, &r->abandon_timer);
    }
}

void
runner_kill(struct runner *r)
{
    kill_within(r, RUNNER_ABANDON_GRACE);
}

void
runner_give_up(struct runner *r)
{
    kill_within(r, RUNNER_GIVE_UP_GRACE);
}

unsigned
runner_abandoned(const struct runner *r)
{
    return r != NULL ? r->nabandoned : 0;
}

void
runner_reset_stats(struct runner *r)
{
    stats_reset(r->stats, time_wall());
}

enum runner_state
runner_state(const struct runner *r)
{
    return r->state;
}

bool
runner_time_limit_hit(const struct runner *r)
{
    return r->time_limit_hit;
}

bool
runner_shape_done(const struct runner *r)
{
    return r->shape_done;
}

unsigned
runner_target_users(const struct runner *r)
{
    return r->target;
}

unsigned
runner_user_count(const struct runner *r)
{
    unsigned i, n = 0;

    for (i = 0; i < r->nworkers; i++)
        n += worker_users(r->workers[i]);
    return n;
}

double
runner_spawn_rate(const struct runner *r)
{
    return r->rate;
}

unsigned
runner_threads(const struct runner *r)
{
    return r->nworkers;
}

double
runner_elapsed(const struct runner *r)
{
    if (r->started_mono == 0)
        return 0;
    if (r->stopped_mono != 0)
        return r->stopped_mono - r->started_mono;
    return time_mono() - r->started_mono;
}

double
runner_remaining(const struct runner *r)
{
    double left = -1, shape_left;

    if (r->settings->run_time > 0)
        left = r->settings->run_time - runner_elapsed(r);
    if (r->shape_active || (r->sc->shape != NULL && r->state == RUNNER_READY)) {
        shape_left = shape_duration(r->sc->shape) - runner_elapsed(r);
        if (left < 0 || shape_left < left)
            left = shape_left;
    }
    if (left == -1)
        return -1;
    return left > 0 ? left : 0;
}

const char *
runner_shape_status(const struct runner *r, char *buf, size_t size)
{
    const struct shape_stage *st;

    if (!r->shape_active)
        return NULL;
    st = shape_stage(r->sc->shape, r->stage);
    if (st->arrival_rate >= 0) {
        snprintf(buf, size, "stage %zu/%zu: to %.4g arrivals/s", r->stage + 1,
                 shape_nstages(r->sc->shape), st->arrival_rate);
        return buf;
    }
    snprintf(buf, size, "stage %zu/%zu: %u user%s at %.3g/s", r->stage + 1,
             shape_nstages(r->sc->shape), st->users, st->users == 1 ? "" : "s", st->rate);
    return buf;
}

void
runner_set_rate(struct runner *r, double rate, double ramp)
{
    double at = ev_time();
    unsigned i;

    r->rate_from = runner_arrival_rate(r);
    r->rate_to = rate;
    r->rate_since = time_mono();
    r->rate_ramp = ramp;
    r->open = true;
    if (ramp > 0)
        log_info(LOGGER, "Open model: arrivals ramping from %.4g to %.4g per second over %gs "
                 "(%s)", r->rate_from, rate, ramp, arrivals_name(r->settings->arrivals));
    else
        log_info(LOGGER, "Open model: %.4g arrivals per second (%s)", rate,
                 arrivals_name(r->settings->arrivals));
    for (i = 0; i < r->nworkers; i++)
        worker_set_rate(r->workers[i], at, rate / r->nworkers, ramp, r->settings->arrivals,
                        (double)i / r->nworkers);
}

bool
runner_open(const struct runner *r)
{
    return r->open;
}

double
runner_arrival_rate(const struct runner *r)
{
    double t;

    if (!r->open)
        return 0;
    t = time_mono() - r->rate_since;
    if (r->rate_ramp <= 0 || t >= r->rate_ramp)
        return r->rate_to;
    return r->rate_from + (r->rate_to - r->rate_from) * (t > 0 ? t : 0) / r->rate_ramp;
}

void
runner_start_rate(struct runner *r, unsigned pool, double rate)
{
    r->start_rate = rate;
    runner_start(r, pool, pool);
}

void
runner_quiet_spawn(struct runner *r, bool quiet)
{
    r->quiet_spawn = quiet;
}

double
runner_worker_cpu(const struct runner *r, unsigned i)
{
    return i < r->nworkers ? worker_cpu_seconds(r->workers[i]) : 0;
}
