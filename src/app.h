/*
 * app.h: the program's one context: settings, scenario, statistics, the
 * runner and the demo target, and the steps every front end shares
 * (starting, writing reports, choosing the exit status). Front ends (the
 * headless console, the dashboard in ui/) see the engine only through this
 * header and the ones it includes.
 */
#ifndef CICADA_APP_H
#define CICADA_APP_H

#include <stdbool.h>

#include <ev.h>

#include "demo.h"
#include "options.h"
#include "runner.h"
#include "scenario.h"
#include "settings.h"
#include "stats.h"

/* Exit statuses (DESIGN.md §4). */
#define EXIT_OK 0
#define EXIT_FAILURES 1
#define EXIT_USAGE 2
#define EXIT_THRESHOLD 3
#define EXIT_REPORT 4        /* a report asked for could not be written */

struct app {
    struct settings settings;
    struct cli_args cli;
    struct scenario scenario;
    bool scenario_loaded;
    struct stats stats;
    bool stats_ready;
    struct runner *runner;
    struct demo *demo;
    char *demo_url;
    struct ev_loop *loop;
    int stop_signal;         /* SIGINT/SIGTERM/SIGHUP that stopped the run, or 0 */
    bool reports_written;

    /* reports and thresholds (report.h, threshold.h) */
    struct csv_report *csv;
    ev_timer report_timer;   /* once a second: CSV files, threshold abort */
    struct stats report_view; /* the timer's copy of the statistics */
    bool threshold_aborted;  /* a threshold stopped the run */
    bool thresholds_failed;  /* the final evaluation found a failed threshold */
    bool report_failed;      /* a report could not be written (EXIT_REPORT) */
};

int app_main(int argc, char **argv);

/*
 * The exit status of a finished run: 130/143/129 after a signal, 3 when a
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
 * Evaluate every threshold on a statistics copy; returns how many failed.
 * (The dashboard calls it on its own copy to show them live.)
 */
size_t app_eval_thresholds(struct app *app, const struct stats *view);

/*
 * Point the test at another base URL before a test starts (the dashboard's
 * start panel): check it, check that it answers, and resolve every task
 * against it. Returns 0, or -1 with *err (allocated) and nothing changed.
 */
int app_change_host(struct app *app, const char *url, char **err);

/* Print the final tables to stderr ("Shutting down" first, as Locust does). */
void app_print_summary(struct app *app, int exit_status);

#endif
