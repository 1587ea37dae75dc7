/*
 * settings.h: the run's settings, from the INI file's [run] and [demo]
 * sections, CICADA_* environment variables and the command line, in that
 * order of precedence. Every value remembers where it came from, so that
 * an error can name the file and line, the variable or the flag.
 */
#ifndef CICADA_SETTINGS_H
#define CICADA_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "arrivals.h"
#include "demo_conf.h"
#include "log.h"

struct threshold;

enum origin_kind {
    ORIGIN_DEFAULT,
    ORIGIN_FILE,
    ORIGIN_ENV,
    ORIGIN_CLI,
};

/* Where a value came from. */
struct origin {
    enum origin_kind kind;
    const char *file;        /* ORIGIN_FILE: path; ORIGIN_ENV: variable name */
    int line;                /* ORIGIN_FILE */
    const char *flag;        /* ORIGIN_CLI: "--users" or "-u" as typed */
};

/* "conf/x.ini:12", "CICADA_USERS", "--users" or "default": into buf. */
const char *origin_describe(const struct origin *o, char *buf, size_t size);

struct settings {
    char *scenario_path;     /* -f FILE; NULL with --demo means the built-in demo.ini */
    char *env_file;          /* --env-file FILE: variables for ${NAME}; NULL: SCENARIO_DIR/.env */
    char *host;              /* base URL */
    unsigned users;
    double spawn_rate;
    double run_time;         /* seconds; 0 = until stopped */
    unsigned threads;        /* 0 = one per core */
    double rate;             /* --rate: open model, task iterations started per second; 0 = closed */
    enum arrivals_kind arrivals; /* evenly spaced or Poisson arrivals (open model) */
    bool find_capacity;      /* --find-capacity, mode = capacity: the capacity search */
    double stop_timeout;     /* seconds; < 0 = let requests in flight finish */
    double timeout;          /* per-request timeout, seconds */
    double connect_timeout;  /* seconds */
    bool headless;
    bool autostart;
    bool only_summary;
    bool reset_stats;
    bool demo;
    bool demo_only;
    bool no_color;
    double refresh;          /* dashboard redraw interval, seconds */
    int exit_code_on_error;
    enum log_level loglevel;
    char *logfile;
    struct demo_conf demo_conf;
    char *user_classes;      /* --user-classes A,B: the classes to run (NULL: all) */
    char *tags;              /* -T: run only tasks with one of these tags */
    char *exclude_tags;      /* -E: never run tasks with one of these tags */

    /* AWS SigV4 (aws.c): the service to sign for, its region, the credentials' profile */
    char *aws_sigv4;         /* NULL: no signing unless a class or task asks */
    char *aws_region;
    char *aws_profile;
    /* Locust worker (--worker) */
    bool worker;
    char *master_host;       /* NULL: 127.0.0.1 */
    unsigned master_port;    /* 5557 */
    double master_timeout;   /* seconds without a master before giving up */
    bool print_locustfile;   /* --locustfile */

    /* reports */
    char *csv_prefix;        /* --csv PREFIX: PREFIX_stats.csv, ... */
    bool csv_full_history;   /* a history row per entry, not only Aggregated */
    char *json_path;         /* --json FILE */
    char *html_path;         /* --html FILE */

    /* thresholds ([thresholds] and --threshold, in the order given) */
    struct threshold *thresholds;
    size_t nthresholds;
    bool threshold_abort;    /* stop the run as soon as one fails (after the grace) */
    double threshold_grace;  /* seconds after the start before an abort may happen */

    /* what a Locust, wrk or hey user reaches for first (issue 16) */
    char *oneoff_method;     /* -m METHOD: the one-off run's method (with a URL argument) */
    char *oneoff_data;       /* -d BODY */
    char *oneoff_data_file;  /* -D FILE */
    char **oneoff_headers;   /* -A 'Name: value', repeatable */
    size_t noneoff_headers;
    double autoquit;         /* --autoquit N: leave the dashboard N s after the run; < 0 never */
    bool list_classes;       /* -l/--list */
    bool show_task_ratio;    /* --show-task-ratio */
    bool show_task_ratio_json;
    bool print_stats;        /* --print-stats: periodic tables with the dashboard */

    /* origins of the values that later errors may need to name */
    struct origin host_origin;
    struct origin users_origin;
    struct origin spawn_rate_origin;
    struct origin rate_origin;
    struct origin mode_origin;
    struct origin run_time_origin;
    struct origin scenario_origin;
    struct origin csv_origin;
    struct origin json_origin;
    struct origin html_origin;
    struct origin user_classes_origin;
    struct origin tags_origin;
    struct origin exclude_tags_origin;
    struct origin aws_region_origin;
};

void settings_init(struct settings *s);
void settings_free(struct settings *s);

#endif
