/*
 * report.h: the files a run leaves behind.
 *
 *   --csv PREFIX   Locust 2.12.1's four CSV files (report_csv.c): the stats
 *                  and failures files rewritten every second, a history row
 *                  appended every second, and all of them written one last
 *                  time at exit, whatever stopped the run.
 *   --json FILE    one document: configuration, statistics, errors, the
 *                  per-second series, thresholds, the generator's CPU use
 *                  (report_json.c, with cJSON).
 *   --html FILE    one self-contained page with tables and SVG charts
 *                  (report_html.c).
 *
 * The writers read a copy of the statistics that nobody else writes and a
 * struct report_run describing the run; they never touch the engine.
 */
#ifndef CICADA_REPORT_H
#define CICADA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scenario.h"
#include "settings.h"
#include "stats.h"
#include "threshold.h"

struct capacity_result;

/* What the JSON and HTML reports say about the run besides its statistics. */
struct report_run {
    const struct settings *settings;
    const struct scenario *scenario;
    const struct stats *stats;       /* the final copy */
    const struct threshold_result *thresholds; /* one per settings->thresholds */
    const char *host;
    double start_time;               /* unix time the test started (0: never) */
    double end_time;
    const char *stopped_by;          /* "run time", "SIGINT", "threshold", "user", ... */
    int exit_status;
    unsigned threads;
    unsigned target_users;
    double cpu_user_s, cpu_system_s; /* the whole process */
    long peak_rss_kb;
    bool open;                       /* the open model ran (--rate, rate stages) */
    const struct capacity_result *capacity; /* the capacity search's, or NULL */
};

/* Python's repr() of a float ("50.123", "140.0", "1e-05"): what Locust's CSV holds. */
char *report_float_repr(double v, char *buf, size_t size);

/* A copy of text with every secret (secret.h) masked; caller frees. */
char *report_redact(const char *text);

/* "2026-11-23T10:06:12Z" for a unix time. */
char *report_iso_time(double t, char *buf, size_t size);

/* ---- CSV ---- */

struct csv_report;

/*
 * Create the four files and write their header rows. Returns NULL and sets
 * *err (allocated) when a file cannot be created. With open_model, the
 * history rows end with one more column, "Dropped Arrivals" (so far).
 */
struct csv_report *csv_report_open(const char *prefix, bool full_history, bool open_model,
                                   char **err);

/* Rewrite the stats and failures files and append history rows for second `now`. */
void csv_report_tick(struct csv_report *c, const struct stats *s, unsigned users, double now);

/* Last write at exit (stats, failures, one more history row); closes the files. 0 or -1. */
int csv_report_close(struct csv_report *c, const struct stats *s, unsigned users, double now);

/* ---- JSON and HTML ---- */

/* 0, or -1 with *err (allocated). */
int json_report_write(const char *path, const struct report_run *run, char **err);
int html_report_write(const char *path, const struct report_run *run, char **err);

#endif
