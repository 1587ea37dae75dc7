/*
 * capacity.h: the capacity search (--find-capacity, mode = capacity): the
 * SageMaker guide's procedure in one command. The load is raised step by
 * step (an arrival rate, the open model, or a number of users, the closed
 * one); each step holds for step_time, its first `warmup` seconds left out
 * of its statistics; a step fails on a limit in the threshold language
 * (absolute, "p95 < 500ms", or relative to the first step, "p95 < 2x"),
 * or when its throughput stops following the load; after the first
 * failing step, the load is bisected `refine` times between the last good
 * and the first bad. MAX_RPS is the achieved (successful) requests a
 * second of the highest passing step, and SageMakerVariantInvocationsPer
 * Instance = MAX_RPS x safety_factor x 60.
 *
 * A step whose load the generator could not make (its busiest worker
 * thread near a whole core, or, with load = rate, arrivals dropped because
 * the pool of users was exhausted while the server kept its limits) stops
 * the search: the generator was the limit, and that is never reported as
 * the server's capacity.
 *
 * The [capacity] section is read by capconf.h; the search drives the
 * runner as a load shape does, from the main loop.
 */
#ifndef CICADA_CAPACITY_H
#define CICADA_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <ev.h>

#include "capconf.h"
#include "runner.h"
#include "settings.h"
#include "snapshot.h"
#include "stats.h"

/* Exit statuses of a search that found no MAX_RPS (man cicada, EXIT STATUS). */
#define EXIT_CAPACITY_INCONCLUSIVE 6 /* max reached without failing, or the first step failed */
#define EXIT_CAPACITY_GENERATOR 7    /* the generator, not the server, was the limit */

enum capacity_verdict { STEP_PASS, STEP_FAIL, STEP_GENERATOR, STEP_CUT };

struct capacity_step {
    unsigned index;          /* 1, 2, ... */
    bool refine;             /* a bisection step */
    double load;             /* the rate or the users */
    double offered;          /* req/s asked for (users: users x the first step's rate per user) */
    double achieved;         /* successful responses a second */
    double rps;              /* all responses a second */
    double p50_ms, p95_ms, p99_ms;
    double fail_ratio;
    double throttle_ratio;   /* failures by throttling (429, 503, AWS throttling) / requests */
    double concurrency;      /* requests in flight on average (Little's law) */
    double cpu_busiest;      /* the busiest worker thread, share of one core */
    uint64_t requests, dropped, throttled;
    enum capacity_verdict verdict;
    char why[256];
};

enum capacity_outcome {
    CAPACITY_RUNNING,
    CAPACITY_FOUND,          /* MAX_RPS found */
    CAPACITY_ABOVE_MAX,      /* max reached without failing: the capacity is above it */
    CAPACITY_FIRST_FAILED,   /* the first step failed: the capacity is below start */
    CAPACITY_GENERATOR,      /* the generator could not make the load */
    CAPACITY_CUT,            /* stopped (signal, run time) before an answer */
};

struct capacity_result {
    enum capacity_load load;
    enum capacity_outcome outcome;
    struct capacity_step *steps;
    size_t nsteps;
    const struct capacity_step *best; /* the highest passing step, or NULL */
    double max_rps;
    double safety_factor;
    double invocations_per_instance;
    char verdict[512];
};

struct capacity_search;

/*
 * A search over the runner (which must be READY): nothing happens until
 * capacity_start. on_done is called once the search decided and the run
 * was asked to stop.
 */
struct capacity_search *capacity_new(struct ev_loop *loop, struct runner *runner,
                                     struct snapshots *snapshots,
                                     const struct settings *settings,
                                     const struct capacity_conf *conf);
void capacity_free(struct capacity_search *cs);

void capacity_start(struct capacity_search *cs);

/* The run stopped for another reason (signal, run time): finish the result. */
void capacity_cut(struct capacity_search *cs, const char *why);

/* The result so far (steps finished; the outcome once decided). */
const struct capacity_result *capacity_result(const struct capacity_search *cs);

/* The step under way, for a live view. */
struct capacity_live {
    unsigned step;           /* its index: 1, 2, ... */
    bool refine;             /* a bisection step */
    bool measuring;          /* false: still in its warm-up */
    double load;             /* the rate or the users */
    double elapsed;          /* seconds since it began */
    double step_time, warmup;
};

/* The step under way: true and *out, or false (not started, or decided). */
bool capacity_live(const struct capacity_search *cs, struct capacity_live *out);

/* Where the step table's header and rows go as steps end: stderr by
 * default, NULL for nowhere (the dashboard owns the terminal). */
void capacity_set_table(struct capacity_search *cs, FILE *out);

/* "step 3: 156 req/s offered (3.2 s of 4 s)" about the step under way, or NULL. */
const char *capacity_status(const struct capacity_search *cs, char *buf, size_t size);

/* The exit status the outcome calls for: 0, EXIT_CAPACITY_INCONCLUSIVE or EXIT_CAPACITY_GENERATOR. */
int capacity_exit_status(const struct capacity_result *r);

/* The headless table: its header, one step's row, and the final summary. */
void capacity_print_header(FILE *out, enum capacity_load load);
void capacity_print_step(FILE *out, const struct capacity_step *st);
void capacity_print_summary(FILE *out, const struct capacity_result *r);

const char *capacity_verdict_name(enum capacity_verdict v);
const char *capacity_outcome_name(enum capacity_outcome o);

/* PREFIX_capacity.csv: one row per step; 0, or -1 (errno set). */
int capacity_write_csv(const char *path, const struct capacity_result *r);

#endif
