/*
 * app.h: the program layer: its one context (settings, scenario,
 * statistics, the runner and the demo target) and the steps every front end
 * shares: getting ready, the stop policy for signals, writing reports,
 * choosing the exit status. Front ends (the headless console, the dashboard
 * in ui/) see the engine only through this header and the ones it
 * includes; only main.c knows which front ends there are.
 */
#ifndef CICADA_APP_H
#define CICADA_APP_H

#include <stdbool.h>
#include <stdio.h>

#include <ev.h>

#include "capacity.h"
#include "demo.h"
#include "options.h"
#include "runner.h"
#include "scenario.h"
#include "selfmon.h"
#include "settings.h"
#include "snapshot.h"
#include "stats.h"
#include "threshold.h"

/* Exit statuses (man cicada, EXIT STATUS). */
#define EXIT_OK 0
#define EXIT_FAILURES 1
#define EXIT_USAGE 2
#define EXIT_THRESHOLD 3
#define EXIT_REPORT 4        /* a report asked for could not be written */

struct app;

/* A front end's part in a stop signal (the first one): leave its screen, say so. */
typedef void (*app_stop_fn)(struct app *app, int signum, void *arg);

struct app {
    struct settings settings;
    struct cli_args cli;
    struct scenario scenario;
    bool scenario_loaded;
    struct stats stats;
    bool stats_ready;
    struct snapshots snapshots; /* every reader's copy of stats, one a tick (when stats_ready) */
    struct runner *runner;
    struct demo *demo;
    char *demo_url;
    char *oneoff_url;        /* the URL argument of a one-off run (taken from cli.positional) */
    struct ev_loop *loop;
    int stop_signal;         /* SIGINT/SIGTERM/SIGHUP that stopped the run, or 0 */
    int final_status;        /* app_finish's exit status (an abandoned worker: app_free exits with it) */
    ev_signal sigint, sigterm, sighup;
    app_stop_fn on_stop;     /* the running front end's part in a stop signal */
    void *on_stop_arg;
    bool reports_written;

    /* reports and thresholds (report.h, threshold.h) */
    struct csv_report *csv;
    ev_timer report_timer;   /* once a second: CSV files, threshold abort */
    struct threshold_result *threshold_results; /* the last evaluation, one per threshold */
    struct selfmon selfmon;  /* the generator's own CPU and descriptors, each second */
    bool cpu_warned;         /* the busy-CPU warning was given for this test */
    bool threshold_aborted;  /* a threshold stopped the run */
    bool thresholds_failed;  /* the final evaluation found a failed threshold */
    bool report_failed;      /* a report could not be written (EXIT_REPORT) */

    /* the capacity search (--find-capacity): NULL for a test */
    struct capacity_search *capacity;
    struct capacity_conf capacity_default; /* when the scenario has no [capacity] */
    const struct capacity_conf *capacity_conf;
};

/*
 * Parse the command line, load the scenario, apply every layer of
 * settings, check them, start the demo target, check that the host
 * answers, make the runner and open the reports. Returns -1 when a front
 * end should run the test, else the exit status to end with (after a
 * message, or --help/--version). Call app_free() in both cases.
 */
int app_init(struct app *app, int argc, char **argv);

/* Should the test run without the dashboard (--headless, or no terminal)? */
bool app_headless(const struct app *app);

/*
 * The stop policy every front end shares, while it runs: the first SIGINT,
 * SIGTERM or SIGHUP calls on_stop (may be NULL), then stops the test (or
 * leaves the loop when none runs); a second SIGINT or SIGTERM abandons the
 * requests in flight.
 */
void app_watch_signals(struct app *app, app_stop_fn on_stop, void *arg);
void app_unwatch_signals(struct app *app);

/*
 * The ending every front end shares once its loop is over: write the
 * reports, print the final tables; returns the exit status.
 */
int app_finish(struct app *app);

/* Free everything app_init made. */
void app_free(struct app *app);

/*
 * The exit status of a finished run: 130/143/129 after a signal; for the
 * capacity search, 0 when it found MAX_RPS, else 4 or 5; 3 when a
 * threshold failed, the --exit-code-on-error status when any request
 * failed, else 0.
 */
int app_exit_status(struct app *app);

/*
 * Once every user stopped: evaluate the thresholds on the final statistics
 * and write every report asked for (once; later calls do nothing).
 */
int app_write_reports(struct app *app);

/*
 * Evaluate every threshold on a statistics copy into out (one result per
 * threshold, the caller's storage); returns how many failed. The dashboard
 * calls it on its own copy, with its own results, to show them live.
 */
size_t app_eval_thresholds(const struct app *app, const struct stats *view,
                           struct threshold_result *out);

/*
 * Point the test at another base URL before a test starts (the dashboard's
 * start panel): check it, check that it answers, and resolve every task
 * against it. Returns 0, or -1 with *err (allocated) and nothing changed.
 */
int app_change_host(struct app *app, const char *url, char **err);

/*
 * The open model's lines after the final tables: arrivals sent and
 * dropped, and the response times from the actual send.
 */
void app_print_open_model(struct app *app, FILE *out, const struct stats *view);

/* Print the final tables to stderr ("Shutting down" first, as Locust does). */
void app_print_summary(struct app *app, int exit_status);

#endif
