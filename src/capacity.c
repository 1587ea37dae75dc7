/*
 * capacity.c: the capacity search (see capacity.h): the steps on the main
 * loop, each step's verdict, the result, and its headless table and CSV
 * file. The [capacity] keys are capconf.c's.
 *
 * A step's statistics are the difference of two copies of the shared
 * model, taken at the end of its warm-up and at its end. Workers merge
 * once a second each on their own periodic timer, so a copy holds each
 * worker's requests up to its last merge: two copies a whole number of
 * seconds apart hold, per worker, exactly that many seconds. That is why
 * the measured part of a step (step_time - warmup) is a whole number of
 * seconds.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capacity.h"
#include "log.h"
#include "threshold.h"
#include "units.h"
#include "util.h"

#define LOGGER "cicada.capacity"

enum phase { PH_IDLE, PH_WARMUP, PH_MEASURE, PH_DONE };

struct capacity_search {
    double copy_at;          /* wall time of the next statistics copy (a half second) */
    struct ev_loop *loop;
    struct runner *runner;
    struct snapshots *snapshots; /* the statistics, read at the copy times */
    const struct settings *settings;
    const struct capacity_conf *conf;
    ev_timer timer;
    enum phase phase;
    double load;             /* of the step under way */
    bool refining;
    unsigned refine_left;
    double good, bad;        /* the last good and first bad loads; < 0: none yet */
    double per_user;         /* users: the first step's achieved req/s per user */
    double *first;           /* the first step's value of each relative limit */
    double step_began;       /* time_mono() */
    double window_began;     /* time_wall() at the end of the warm-up */
    double *cpu_began;       /* CPU seconds of each worker then */
    struct snapshot *begin;  /* the statistics at the end of the warm-up (held) */
    struct stats win;        /* the measured window: end - begin */
    struct capacity_result res;
    FILE *table;             /* the step rows as they end: stderr, or NULL */
};

const char *
capacity_verdict_name(enum capacity_verdict v)
{
    static const char *const names[] = { "pass", "fail", "generator", "cut" };

    return names[v];
}

const char *
capacity_outcome_name(enum capacity_outcome o)
{
    static const char *const names[] = { "running", "found", "above_max", "first_step_failed",
                                         "generator", "cut" };

    return names[o];
}

struct capacity_search *
capacity_new(struct ev_loop *loop, struct runner *runner, struct snapshots *snapshots,
             const struct settings *settings, const struct capacity_conf *conf)
{
    struct capacity_search *cs = xcalloc(1, sizeof(*cs));

    cs->loop = loop;
    cs->runner = runner;
    cs->snapshots = snapshots;
    cs->settings = settings;
    cs->conf = conf;
    cs->good = cs->bad = -1;
    cs->table = stderr;
    cs->first = xcalloc(conf->nrelative + 1, sizeof(*cs->first));
    cs->cpu_began = xcalloc(runner_threads(runner), sizeof(*cs->cpu_began));
    stats_init(&cs->win);
    cs->res.load = conf->load;
    cs->res.safety_factor = conf->safety_factor;
    cs->res.outcome = CAPACITY_RUNNING;
    ev_init(&cs->timer, NULL);
    cs->timer.data = cs;
    return cs;
}

void
capacity_free(struct capacity_search *cs)
{
    if (cs == NULL)
        return;
    ev_timer_stop(cs->loop, &cs->timer);
    snapshot_release(cs->begin);
    stats_free(&cs->win);
    free(cs->res.steps);
    free(cs->first);
    free(cs->cpu_began);
    free(cs);
}

const struct capacity_result *
capacity_result(const struct capacity_search *cs)
{
    return &cs->res;
}

static void on_timer(struct ev_loop *loop, ev_timer *t, int revents);

/*
 * Seconds from now to the first half second of the wall clock at least
 * delay away. Workers merge their statistics at every whole second
 * (worker.c), so copies taken at half seconds fall between merges: a
 * merge late by up to half a second (a busy machine) still lands on the
 * right side of a copy, and a window of whole seconds holds exactly that
 * many seconds of every worker.
 */
static double
half_second_after(double delay)
{
    double now = ev_time(), at = floor(now + delay - 0.5) + 0.5;

    if (at < now + delay)
        at += 1.0;
    return at - now;
}

/* Start a step at load: set the runner to it and wait out the warm-up. */
static void
step_begin(struct capacity_search *cs, double load)
{
    const struct capacity_conf *c = cs->conf;

    cs->load = load;
    cs->phase = PH_WARMUP;
    cs->step_began = time_mono();
    if (c->load == CAPACITY_RATE) {
        log_info(LOGGER, "Capacity step %zu%s: %.4g arrivals a second", cs->res.nsteps + 1,
                 cs->refining ? " (refining)" : "", load);
        if (runner_state(cs->runner) == RUNNER_READY)
            runner_start_rate(cs->runner, cs->settings->users, load);
        else
            runner_set_rate(cs->runner, load, 0);
    } else {
        unsigned users = (unsigned)load;

        log_info(LOGGER, "Capacity step %zu%s: %u users", cs->res.nsteps + 1,
                 cs->refining ? " (refining)" : "", users);
        runner_start(cs->runner, users, users);
    }
    ev_timer_stop(cs->loop, &cs->timer);
    cs->copy_at = ev_time() + half_second_after(c->warmup > 0 ? c->warmup : 0.001);
    ev_timer_init(&cs->timer, on_timer, fmax(cs->copy_at - ev_time(), 0.001), 0.);
    cs->timer.data = cs;
    ev_timer_start(cs->loop, &cs->timer);
}

/* The statistics of the step's measured window: end - begin. */
static void
window_stats(struct capacity_search *cs, struct snapshot *end, double seconds)
{
    struct stats *w = &cs->win;
    const struct stats *b = &cs->begin->stats;
    size_t i;

    stats_copy(w, &end->stats);
    for (i = 0; i <= w->nentries; i++) {
        struct stats_entry *e = i < w->nentries ? &w->entries[i] : &w->total;
        const struct stats_entry *be = i < w->nentries ? (i < b->nentries ? &b->entries[i] : NULL)
                                                       : &b->total;

        if (be != NULL) {
            e->num_requests -= be->num_requests;
            e->num_failures -= be->num_failures;
            e->num_resent -= be->num_resent;
            e->num_throttled -= be->num_throttled;
            e->total_rt_us -= be->total_rt_us;
            e->total_ttfb_us -= be->total_ttfb_us;
            e->total_bytes -= be->total_bytes;
            hist_diff(&e->hist, &e->hist, &be->hist);
        }
        if (e->hist.total > 0) {
            e->min_rt_us = hist_value_at_rank(&e->hist, 0);
            e->max_rt_us = hist_value_at_rank(&e->hist, e->hist.total);
        } else {
            e->min_rt_us = UINT64_MAX;
            e->max_rt_us = 0;
        }
        e->last_request_ts = cs->window_began + seconds;
    }
    w->start_time = cs->window_began;
    w->dropped -= b->dropped;
}

/* The next load up from load. */
static double
next_load(const struct capacity_conf *c, double load)
{
    double next = c->step_mult ? load * c->step : load + c->step;

    if (c->load == CAPACITY_USERS) {
        next = floor(next + 0.5);
        if (next <= load)
            next = load + 1;
    }
    return next;
}

/* Decide: the search is over. */
static void
finish(struct capacity_search *cs, enum capacity_outcome outcome, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
finish(struct capacity_search *cs, enum capacity_outcome outcome, const char *fmt, ...)
{
    struct capacity_result *r = &cs->res;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->verdict, sizeof(r->verdict), fmt, ap);
    va_end(ap);
    r->outcome = outcome;
    cs->phase = PH_DONE;
    ev_timer_stop(cs->loop, &cs->timer);
    if (outcome == CAPACITY_FOUND && r->best != NULL) {
        r->max_rps = r->best->achieved;
        r->invocations_per_instance = r->max_rps * r->safety_factor * 60.0;
    }
    log_info(LOGGER, "Capacity search over: %s", r->verdict);
    runner_stop(cs->runner);
}

/* The best passing step (highest achieved). */
static void
update_best(struct capacity_result *r)
{
    r->best = NULL;
    for (size_t i = 0; i < r->nsteps; i++)
        if (r->steps[i].verdict == STEP_PASS &&
            (r->best == NULL || r->steps[i].achieved > r->best->achieved))
            r->best = &r->steps[i];
}

/* "120.5 req/s offered" or "12 users". */
static const char *
load_text(const struct capacity_conf *c, double load, char *buf, size_t size)
{
    if (c->load == CAPACITY_USERS)
        snprintf(buf, size, "%.0f users", load);
    else
        snprintf(buf, size, "%.4g req/s offered", load);
    return buf;
}

/* Judge the step that just ended; returns its verdict. */
static enum capacity_verdict
judge(struct capacity_search *cs, struct capacity_step *st)
{
    const struct capacity_conf *c = cs->conf;
    const struct stats *w = &cs->win;
    char value[64];
    size_t i;

    /* the generator first: a load it could not make says nothing of the server */
    if (st->cpu_busiest >= c->cpu_limit) {
        snprintf(st->why, sizeof(st->why), "generator: its busiest worker thread used %.0f%% "
                 "of a core (cpu_limit %.0f%%); add --threads or a machine", st->cpu_busiest * 100,
                 c->cpu_limit * 100);
        return STEP_GENERATOR;
    }
    if (w->total.num_requests == 0) {
        snprintf(st->why, sizeof(st->why), "no response in the step");
        return st->dropped > 0 ? STEP_GENERATOR : STEP_FAIL;
    }
    for (i = 0; i < c->nlimits; i++) {
        const struct threshold *t = &c->limits[i];
        struct threshold_result res;

        if (!threshold_eval(t, w, &res)) {
            snprintf(st->why, sizeof(st->why), "limit %s: measured %s", t->text,
                     threshold_format_value(t, &res, value, sizeof(value)));
            return STEP_FAIL;
        }
    }
    for (i = 0; i < c->nrelative; i++) {
        struct capacity_relative *rl = &c->relative[i];
        struct threshold_result res;

        threshold_eval(rl->t, w, &res);
        if (st->index == 1) {
            cs->first[i] = res.measured;
            continue;
        }
        if (!(rl->t->op == TOP_LT ? res.measured < rl->factor * cs->first[i]
                                  : res.measured <= rl->factor * cs->first[i])) {
            snprintf(st->why, sizeof(st->why), "limit %s: measured %s, %.1fx the first step's "
                     "%.1f ms", rl->text,
                     threshold_format_value(rl->t, &res, value, sizeof(value)),
                     cs->first[i] > 0 ? res.measured / cs->first[i] : 0, cs->first[i]);
            return STEP_FAIL;
        }
    }
    if (st->dropped > 0) {
        snprintf(st->why, sizeof(st->why), "generator: %llu arrivals dropped, every user of the "
                 "pool of %u was busy (raise -u)", (unsigned long long)st->dropped,
                 cs->settings->users);
        return STEP_GENERATOR;
    }
    if (st->achieved < c->min_ratio * st->offered) {
        snprintf(st->why, sizeof(st->why), "throughput: %.1f req/s achieved of %.1f offered "
                 "(%.0f%%, below min_ratio %.0f%%)", st->achieved, st->offered,
                 st->offered > 0 ? st->achieved / st->offered * 100 : 0, c->min_ratio * 100);
        return STEP_FAIL;
    }
    if (c->load == CAPACITY_USERS && !st->refine && cs->res.nsteps > 0) {
        const struct capacity_step *prev = &cs->res.steps[cs->res.nsteps - 1];

        if (prev->verdict == STEP_PASS && st->achieved < prev->achieved * (1 + c->min_gain)) {
            snprintf(st->why, sizeof(st->why), "throughput: %+.1f%% over the step before "
                     "(%.1f req/s) for %+.0f%% users, below min_gain %.0f%%",
                     prev->achieved > 0 ? (st->achieved / prev->achieved - 1) * 100 : 0,
                     prev->achieved, (st->load / prev->load - 1) * 100, c->min_gain * 100);
            return STEP_FAIL;
        }
    }
    snprintf(st->why, sizeof(st->why), "within every limit");
    return STEP_PASS;
}

/* The step's measured window is over: measure, judge, go on. */
static void
step_end(struct capacity_search *cs)
{
    const struct capacity_conf *c = cs->conf;
    struct capacity_result *r = &cs->res;
    struct capacity_step *st;
    double seconds = c->step_time - c->warmup, busiest = 0;
    const struct stats_entry *e;
    struct snapshot *end;
    char a[64], b[64];
    unsigned i;

    end = snapshots_take(cs->snapshots);
    for (i = 0; i < runner_threads(cs->runner); i++) {
        double used = (runner_worker_cpu(cs->runner, i) - cs->cpu_began[i]) / seconds;

        if (used > busiest)
            busiest = used;
    }
    window_stats(cs, end, seconds);
    snapshot_release(end);
    e = &cs->win.total;
    r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
    st = &r->steps[r->nsteps];
    memset(st, 0, sizeof(*st));
    st->index = (unsigned)r->nsteps + 1;
    st->refine = cs->refining;
    st->load = cs->load;
    st->requests = e->num_requests;
    st->rps = (double)e->num_requests / seconds;
    st->achieved = (double)(e->num_requests - e->num_failures) / seconds;
    st->fail_ratio = stats_fail_ratio(e);
    st->throttled = e->num_throttled;
    st->throttle_ratio = stats_throttle_ratio(e);
    st->p50_ms = e->num_requests ? (double)stats_percentile_ms(e, 0.50) : 0;
    st->p95_ms = e->num_requests ? (double)stats_percentile_ms(e, 0.95) : 0;
    st->p99_ms = e->num_requests ? (double)stats_percentile_ms(e, 0.99) : 0;
    st->concurrency = (double)e->total_rt_us / 1e6 / seconds;
    st->cpu_busiest = busiest;
    st->dropped = cs->win.dropped;
    if (c->load == CAPACITY_RATE) {
        st->offered = cs->load;
    } else {
        if (r->nsteps == 0)
            cs->per_user = st->achieved / cs->load;
        st->offered = cs->per_user * cs->load;
    }
    st->verdict = judge(cs, st);
    r->nsteps++;
    update_best(r);
    st = &r->steps[r->nsteps - 1];
    log_info(LOGGER, "Capacity step %u: %s, %.1f req/s achieved, p95 %.0f ms, %.2f%% failed: "
             "%s (%s)", st->index, load_text(c, st->load, a, sizeof(a)), st->achieved, st->p95_ms,
             st->fail_ratio * 100, capacity_verdict_name(st->verdict), st->why);
    if (cs->table != NULL)
        capacity_print_step(cs->table, st);

    if (st->verdict == STEP_GENERATOR) {
        finish(cs, CAPACITY_GENERATOR, "the generator, not the server, was the limit at %s (%s)%s",
               load_text(c, st->load, a, sizeof(a)), st->why,
               r->best != NULL ? "; the server held every load below it" : "");
        return;
    }
    if (!cs->refining) {
        if (st->verdict == STEP_PASS) {
            double next = next_load(c, cs->load);

            cs->good = cs->load;
            if (cs->load >= c->max) {
                finish(cs, CAPACITY_ABOVE_MAX, "every step passed up to max (%s): the capacity "
                       "is above it (%.1f req/s achieved there)", load_text(c, c->max, a, sizeof(a)),
                       st->achieved);
                return;
            }
            step_begin(cs, next > c->max ? c->max : next);
            return;
        }
        if (cs->good < 0) {
            finish(cs, CAPACITY_FIRST_FAILED, "the first step (%s) failed: %s; the capacity is "
                   "below start", load_text(c, st->load, a, sizeof(a)), st->why);
            return;
        }
        cs->bad = cs->load;
        cs->refining = true;
        cs->refine_left = c->refine;
    } else if (st->verdict == STEP_PASS) {
        cs->good = cs->load;
    } else {
        cs->bad = cs->load;
    }
    /* bisect between the last good and the first bad load */
    if (cs->refine_left > 0) {
        double mid = (cs->good + cs->bad) / 2;

        if (c->load == CAPACITY_USERS)
            mid = floor(mid);
        if (mid > cs->good && mid < cs->bad) {
            cs->refine_left--;
            step_begin(cs, mid);
            return;
        }
    }
    {
        const struct capacity_step *best = r->best;
        const struct capacity_step *fail = NULL;

        for (size_t k = 0; k < r->nsteps; k++)
            if (r->steps[k].verdict == STEP_FAIL && r->steps[k].load == cs->bad)
                fail = &r->steps[k];
        finish(cs, CAPACITY_FOUND, "MAX_RPS %.1f req/s at %s (concurrency %.1f, p95 %.0f ms); "
               "%s failed: %s", best->achieved, load_text(c, best->load, a, sizeof(a)),
               best->concurrency, best->p95_ms, load_text(c, cs->bad, b, sizeof(b)),
               fail != NULL ? fail->why : "");
    }
}

static void
on_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct capacity_search *cs = t->data;
    const struct capacity_conf *c = cs->conf;
    unsigned i;

    (void)loop;
    (void)revents;
    if (runner_state(cs->runner) == RUNNER_STOPPING || runner_state(cs->runner) == RUNNER_STOPPED)
        return;              /* stopped by a signal or the run time: capacity_cut ends it */
    if (cs->phase == PH_WARMUP) {
        snapshot_release(cs->begin);
        cs->begin = snapshots_take(cs->snapshots);
        cs->window_began = time_wall();
        for (i = 0; i < runner_threads(cs->runner); i++)
            cs->cpu_began[i] = runner_worker_cpu(cs->runner, i);
        cs->phase = PH_MEASURE;
        /* the end copy a whole number of seconds after the planned begin copy */
        cs->copy_at += round(c->step_time - c->warmup);
        ev_timer_init(&cs->timer, on_timer, fmax(cs->copy_at - ev_time(), 0.001), 0.);
        cs->timer.data = cs;
        ev_timer_start(cs->loop, &cs->timer);
    } else if (cs->phase == PH_MEASURE) {
        step_end(cs);
    }
}

void
capacity_start(struct capacity_search *cs)
{
    const struct capacity_conf *c = cs->conf;
    char a[64], b[64];

    log_info(LOGGER, "Capacity search: load = %s from %s to %s, step %s%g, %gs a step (the "
             "first %gs left out), refine %u", capacity_load_name(c->load),
             load_text(c, c->start, a, sizeof(a)), load_text(c, c->max, b, sizeof(b)),
             c->step_mult ? "x" : "+", c->step, c->step_time, c->warmup, c->refine);
    if (cs->table != NULL)
        capacity_print_header(cs->table, c->load);
    step_begin(cs, c->start);
}

void
capacity_cut(struct capacity_search *cs, const char *why)
{
    struct capacity_result *r = &cs->res;

    if (cs->phase == PH_DONE)
        return;
    ev_timer_stop(cs->loop, &cs->timer);
    cs->phase = PH_DONE;
    if (cs->bad >= 0 && r->best != NULL) {
        r->outcome = CAPACITY_FOUND;
        r->max_rps = r->best->achieved;
        r->invocations_per_instance = r->max_rps * r->safety_factor * 60.0;
        snprintf(r->verdict, sizeof(r->verdict), "MAX_RPS %.1f req/s (%s cut the refining "
                 "short)", r->max_rps, why);
    } else {
        r->outcome = CAPACITY_CUT;
        snprintf(r->verdict, sizeof(r->verdict), "%s stopped the search after %zu steps, before "
                 "any step failed: no MAX_RPS", why, r->nsteps);
    }
    log_info(LOGGER, "Capacity search over: %s", r->verdict);
}

bool
capacity_live(const struct capacity_search *cs, struct capacity_live *out)
{
    if (cs->phase != PH_WARMUP && cs->phase != PH_MEASURE)
        return false;
    out->step = (unsigned)cs->res.nsteps + 1;
    out->refine = cs->refining;
    out->measuring = cs->phase == PH_MEASURE;
    out->load = cs->load;
    out->elapsed = time_mono() - cs->step_began;
    out->step_time = cs->conf->step_time;
    out->warmup = cs->conf->warmup;
    return true;
}

void
capacity_set_table(struct capacity_search *cs, FILE *out)
{
    cs->table = out;
}

const char *
capacity_status(const struct capacity_search *cs, char *buf, size_t size)
{
    if (cs->phase != PH_WARMUP && cs->phase != PH_MEASURE)
        return NULL;
    snprintf(buf, size, "capacity step %zu%s: %.4g %s (%.0f of %gs)", cs->res.nsteps + 1,
             cs->refining ? " refining" : "", cs->load,
             cs->conf->load == CAPACITY_USERS ? "users" : "req/s",
             time_mono() - cs->step_began, cs->conf->step_time);
    return buf;
}

int
capacity_exit_status(const struct capacity_result *r)
{
    switch (r->outcome) {
    case CAPACITY_FOUND: return 0;
    case CAPACITY_GENERATOR: return EXIT_CAPACITY_GENERATOR;
    default: return EXIT_CAPACITY_INCONCLUSIVE;
    }
}

void
capacity_print_header(FILE *out, enum capacity_load load)
{
    fprintf(out, "Capacity %-5s %10s %10s %10s %8s %8s %8s %7s %7s %8s %9s  %s\n", "step",
            load == CAPACITY_USERS ? "users" : "rate", "offered", "achieved", "p50", "p95", "p99",
            "fail%", "thrott%", "dropped", "verdict", "why");
    fflush(out);
}

void
capacity_print_step(FILE *out, const struct capacity_step *st)
{
    char step[16];

    snprintf(step, sizeof(step), "%u%s", st->index, st->refine ? "r" : "");
    fprintf(out, "Capacity %-5s %10.4g %10.1f %10.1f %8.0f %8.0f %8.0f %7.2f %7.2f %8llu %9s  %s\n",
            step, st->load, st->offered, st->achieved, st->p50_ms, st->p95_ms, st->p99_ms,
            st->fail_ratio * 100, st->throttle_ratio * 100, (unsigned long long)st->dropped,
            capacity_verdict_name(st->verdict), st->why);
    fflush(out);
}

void
capacity_print_summary(FILE *out, const struct capacity_result *r)
{
    fprintf(out, "\nCapacity search (load = %s): %s\n", capacity_load_name(r->load),
            capacity_outcome_name(r->outcome));
    if (r->outcome == CAPACITY_FOUND && r->best != NULL) {
        const struct capacity_step *b = r->best;

        fprintf(out, "  MAX_RPS                              %.1f req/s\n", r->max_rps);
        fprintf(out, "  at load                              %.4g %s (concurrency %.1f)\n",
                b->load, r->load == CAPACITY_USERS ? "users" : "req/s offered", b->concurrency);
        fprintf(out, "  latency there                        p50 %.0f ms, p95 %.0f ms, p99 %.0f ms\n",
                b->p50_ms, b->p95_ms, b->p99_ms);
        fprintf(out, "  SageMakerVariantInvocationsPerInstance = %.1f x %g x 60 = %.0f\n",
                r->max_rps, r->safety_factor, r->invocations_per_instance);
    }
    fprintf(out, "  verdict: %s\n\n", r->verdict);
    fflush(out);
}

int
capacity_write_csv(const char *path, const struct capacity_result *r)
{
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return -1;
    fprintf(f, "Step,Refine,Load,Offered Requests/s,Achieved Requests/s,Requests/s,"
            "50%%,95%%,99%%,Failure Ratio,Throttle Ratio,Concurrency,Generator CPU,Dropped Arrivals,"
            "Verdict,Why\r\n");
    for (size_t i = 0; i < r->nsteps; i++) {
        const struct capacity_step *s = &r->steps[i];
        char why[sizeof(s->why) * 2];
        size_t k = 0;

        for (const char *p = s->why; *p != '\0' && k + 2 < sizeof(why); p++) {
            if (*p == '"')
                why[k++] = '"';
            why[k++] = *p;
        }
        why[k] = '\0';
        fprintf(f, "%u,%s,%g,%.3f,%.3f,%.3f,%.0f,%.0f,%.0f,%.6f,%.6f,%.3f,%.3f,%llu,%s,\"%s\"\r\n",
                s->index, s->refine ? "yes" : "no", s->load, s->offered, s->achieved, s->rps,
                s->p50_ms, s->p95_ms, s->p99_ms, s->fail_ratio, s->throttle_ratio, s->concurrency, s->cpu_busiest,
                (unsigned long long)s->dropped, capacity_verdict_name(s->verdict), why);
    }
    return fclose(f);
}
