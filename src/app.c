/*
 * app.c: the program's flow. Parse the command line, load the scenario
 * (its [run] and [demo] sections are the lowest layer of settings), apply
 * CICADA_* variables and then the flags, check everything, start the demo
 * target if asked, check that the host answers, and hand over to a front
 * end (main.c chooses it). The front ends share, from here, the stop policy
 * for signals and the ending (reports, exit status, final tables).
 * Every user error ends here with one line naming the file:line, the
 * variable or the flag, and exit status 2, before any traffic is sent.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "console.h"
#include "demo.h"
#include "aws.h"
#include "fdlimit.h"
#include "http.h"
#include "locustfile.h"
#include "inspect.h"
#include "locustconf.h"
#include "log.h"
#include "oneoff.h"
#include "report.h"
#include "threshold.h"
#include "secret.h"
#include "select.h"
#include "shape.h"
#include "util.h"

#define LOGGER "cicada.main"

extern const char demo_ini_text[];

/* Print "cicada: message" to stderr. */
static void PRINTFLIKE(1, 2)
usage_error(const char *fmt, ...)
{
    va_list ap;

    char *msg;

    va_start(ap, fmt);
    msg = xvasprintf(fmt, ap);
    va_end(ap);
    secret_redact(msg);
    fprintf(stderr, "cicada: %s\n", msg);
    free(msg);
}

/*
 * Raise the open-file limit to the hard limit, and check that the users
 * asked for can each have a connection: EXIT_USAGE after a message, or -1.
 */
static int
check_open_files(struct app *app)
{
    const struct settings *s = &app->settings;
    unsigned threads = runner_threads(app->runner);
    unsigned long limit = fdlimit_raise();
    unsigned most = fdlimit_max_users(limit, threads, s->demo);
    char where[256];

    if (s->users <= most)
        return -1;
    usage_error("%s: %u users need %lu open files (one connection each) but the limit is %lu: "
                "at most %u users fit; %s",
                origin_describe(&s->users_origin, where, sizeof(where)), s->users,
                fdlimit_needed(s->users, threads, s->demo), limit, most, fdlimit_howto);
    return EXIT_USAGE;
}

/* Load the scenario file (or the built-in demo.ini); 0 or -1 after a message. */
static int
load_scenario(struct app *app)
{
    struct settings *s = &app->settings;
    const char *path = s->scenario_path;
    char *err = NULL;
    int rc;

    if (path == NULL && s->demo) {
        rc = scenario_load(&app->scenario, "demo.ini (built in)", demo_ini_text, s, &err);
    } else if (path == NULL) {
        if (access("cicada.ini", F_OK) == 0) {
            path = "cicada.ini";
        } else {
            usage_error("no scenario: give -f FILE (see cicada.ini(5)), or try cicada --demo");
            return -1;
        }
        rc = scenario_load(&app->scenario, path, NULL, s, &err);
    } else {
        if (oneoff_is_locustfile(path)) {
            char where[256];

            usage_error("%s: %s is a Python locustfile; cicada reads INI scenarios: "
                        "man 5 cicada.ini, TRANSLATING A LOCUSTFILE, gives the INI key "
                        "for each locustfile construct, with a worked example",
                        origin_describe(&s->scenario_origin, where, sizeof(where)), path);
            return -1;
        }
        if (access(path, R_OK) != 0) {
            char where[256];

            usage_error("%s: cannot read scenario file '%s': %s",
                        origin_describe(&s->scenario_origin, where, sizeof(where)), path,
                        strerror(errno));
            return -1;
        }
        rc = scenario_load(&app->scenario, path, NULL, s, &err);
    }
    if (rc < 0) {
        usage_error("%s", err);
        free(err);
        return -1;
    }
    app->scenario_loaded = true;
    return 0;
}

/*
 * A URL among the arguments: the one-off run (oneoff.h) instead of a
 * scenario file. Returns 0 without a URL, 1 when the scenario is loaded,
 * 2 after --dump-ini printed it, or -1 after a message.
 */
static int
load_oneoff(struct app *app)
{
    static const char *const flags[] = { "method", "data", "data-file", "header", "users",
                                         "spawn-rate", "run-time" };
    struct settings *s = &app->settings, tmp;
    struct cli_args *a = &app->cli;
    const char *url = NULL;
    char *text, *err = NULL;
    size_t i, j;
    int rc = 1;

    for (i = 0; i < a->npositional; i++) {
        if (oneoff_is_url(a->positional[i]) && url != NULL) {
            usage_error("%s: one URL at a time (a scenario file has as many tasks as you like)",
                        a->positional[i]);
            return -1;
        }
        if (oneoff_is_url(a->positional[i]))
            url = a->positional[i];
    }
    /* the URL is not a user class name: app owns it from here */
    for (i = 0, j = 0; i < a->npositional; i++)
        if (a->positional[i] != url)
            a->positional[j++] = a->positional[i];
    a->npositional = j;
    app->oneoff_url = (char *)url;
    if (url == NULL) {
        for (i = 0; i < a->nvalues; i++) {
            const char *name = a->values[i].opt->name;

            if (strcmp(name, "method") == 0 || strcmp(name, "data") == 0 ||
                strcmp(name, "data-file") == 0 || strcmp(name, "header") == 0 ||
                strcmp(name, "dump-ini") == 0) {
                usage_error("%s is for a one-off run: give the URL to test as an argument "
                            "(cicada -u 10 -t 30s %s http://127.0.0.1:8000/path)",
                            a->values[i].flag, a->values[i].flag);
                return -1;
            }
        }
        return 0;
    }
    if (s->scenario_path != NULL || s->demo) {
        usage_error("%s: give a scenario file (-f) or a URL, not both", url);
        return -1;
    }
    /* the flags the INI text needs, checked with the flag named */
    settings_init(&tmp);
    for (i = 0; i < a->nvalues; i++) {
        struct origin o = { ORIGIN_CLI, NULL, 0, a->values[i].flag };

        for (j = 0; j < ARRAY_LEN(flags); j++)
            if (strcmp(a->values[i].opt->name, flags[j]) == 0 &&
                option_set(&tmp, a->values[i].opt, a->values[i].text, &o, &err) < 0) {
                usage_error("%s: %s", a->values[i].flag, err);
                free(err);
                settings_free(&tmp);
                return -1;
            }
    }
    text = oneoff_ini(url, &tmp, cli_value(a, "users"), cli_value(a, "spawn-rate"),
                      cli_value(a, "run-time"), &err);
    settings_free(&tmp);
    if (text == NULL) {
        usage_error("%s", err);
        free(err);
        return -1;
    }
    if (cli_value(a, "dump-ini") != NULL) {
        fputs(text, stdout);
        free(text);
        return 2;
    }
    if (scenario_load(&app->scenario, "(one-off run)", text, s, &err) < 0) {
        usage_error("%s", err);
        free(err);
        rc = -1;
    } else {
        app->scenario_loaded = true;
    }
    free(text);
    return rc;
}

/* Checks that need every layer applied; 0 or -1 after a message. */
static int
check_settings(struct app *app)
{
    struct settings *s = &app->settings;
    char where[256];

    if (s->demo && s->host != NULL && s->host_origin.kind != ORIGIN_FILE) {
        usage_error("%s: --demo tests its own built-in target; leave out the host",
                    origin_describe(&s->host_origin, where, sizeof(where)));
        return -1;
    }
    if (s->autoquit >= 0 && !s->autostart && !s->headless) {
        usage_error("--autoquit works with --autostart (as in Locust): the dashboard leaves "
                    "that long after the run it started ends");
        return -1;
    }
    if (!s->demo && s->host == NULL) {
        size_t i, j;
        bool relative = false;

        for (i = 0; i < app->scenario.nclasses; i++)
            for (j = 0; j < app->scenario.classes[i].ntasks; j++)
                if (app->scenario.classes[i].tasks[j].path[0] == '/')
                    relative = true;
        if (relative) {
            usage_error("no host: give -H URL, set host = URL in [run] of %s, or use --demo",
                        app->scenario.path);
            return -1;
        }
    }
    return 0;
}

/*
 * --find-capacity: its [capacity] (or the defaults), what does not go with
 * it, and the pool or the users it needs; 0 or -1 after a message.
 */
static int
check_capacity(struct app *app)
{
    struct settings *s = &app->settings;
    const struct capacity_conf *c;
    char where[256], *err = NULL;

    if (app->scenario.capacity != NULL) {
        app->capacity_conf = app->scenario.capacity;
    } else {
        capacity_conf_init(&app->capacity_default);
        if (capacity_finish(&app->capacity_default, app->scenario.path, &err) < 0) {
            usage_error("%s", err);
            free(err);
            return -1;
        }
        app->capacity_conf = &app->capacity_default;
    }
    c = app->capacity_conf;
    if (app->scenario.shape != NULL) {
        usage_error("%s: the capacity search sets the load itself: it does not go with the "
                    "[shape] at %s:%d", origin_describe(&s->mode_origin, where, sizeof(where)),
                    app->scenario.path, shape_line(app->scenario.shape));
        return -1;
    }
    if (s->rate > 0) {
        usage_error("%s: the capacity search sets the rate itself: leave out --rate (use start, "
                    "step and max in [capacity])",
                    origin_describe(&s->rate_origin, where, sizeof(where)));
        return -1;
    }
    if (s->run_time > 0 && s->run_time < c->step_time) {
        char line[64] = "the default";

        if (c->step_time_line > 0)
            snprintf(line, sizeof(line), "%s:%d", app->scenario.path, c->step_time_line);
        usage_error("%s: a run time of %gs is shorter than one capacity step (step_time = %gs, "
                    "%s)", origin_describe(&s->run_time_origin, where, sizeof(where)),
                    s->run_time, c->step_time, line);
        return -1;
    }
    if (c->load == CAPACITY_USERS) {
        s->users = (unsigned)c->max;
        s->users_origin.kind = ORIGIN_DEFAULT;
    } else if (s->users_origin.kind == ORIGIN_DEFAULT) {
        /* the pool: twice the highest rate, at least 100 */
        double pool = c->max * 2;

        s->users = pool < 100 ? 100 : pool > 10000 ? 10000 : (unsigned)pool;
    }
    return 0;
}

/* Open the log; 0 or -1 after a message. */
static int
open_log(struct app *app)
{
    char *err = NULL;

    if (log_open(app->settings.loglevel, app->settings.logfile, &err) < 0) {
        usage_error("--logfile: %s", err);
        free(err);
        return -1;
    }
    return 0;
}

/* Start the demo target; 0 or -1 after a message. */
static int
start_demo(struct app *app)
{
    char *err = NULL;

    app->demo = demo_start(&app->settings.demo_conf, &err);
    if (app->demo == NULL) {
        usage_error("cannot start the demo target: %s", err);
        free(err);
        return -1;
    }
    app->demo_url = xasprintf("http://127.0.0.1:%d", demo_port(app->demo));
    return 0;
}

/* --demo-only: serve until a signal. */
static void
on_demo_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

/* Run only the demo target. */
static int
serve_demo(struct app *app)
{
    ev_signal sigint, sigterm;
    struct demo_counts counts;

    if (start_demo(app) < 0)
        return EXIT_USAGE;
    printf("Demo target listening on %s (POST /predict, GET /health); Ctrl-C stops it\n",
           app->demo_url);
    fflush(stdout);
    ev_signal_init(&sigint, on_demo_signal, SIGINT);
    ev_signal_init(&sigterm, on_demo_signal, SIGTERM);
    ev_signal_start(app->loop, &sigint);
    ev_signal_start(app->loop, &sigterm);
    ev_run(app->loop, 0);
    demo_counts(app->demo, &counts);
    printf("Demo target served %llu requests (%llu answered 503)\n",
           (unsigned long long)counts.requests, (unsigned long long)counts.rejected);
    return EXIT_OK;
}

int
app_exit_status(struct app *app)
{
    if (app->stop_signal != 0)
        return 128 + app->stop_signal;
    if (app->report_failed)
        return EXIT_REPORT;
    if (app->capacity != NULL)
        return capacity_exit_status(capacity_result(app->capacity));
    if (app->thresholds_failed || app->threshold_aborted)
        return EXIT_THRESHOLD;
    if (app->stats.total.num_failures > 0)
        return app->settings.exit_code_on_error;
    return EXIT_OK;
}

size_t
app_eval_thresholds(const struct app *app, const struct stats *view,
                    struct threshold_result *out)
{
    size_t failed = 0;

    for (size_t i = 0; i < app->settings.nthresholds; i++)
        if (!threshold_eval(&app->settings.thresholds[i], view, &out[i]))
            failed++;
    return failed;
}

/* Why the last test ended, in words for the reports. */
static const char *
stopped_by(struct app *app)
{
    switch (app->stop_signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: break;
    }
    if (app->threshold_aborted)
        return "threshold";
    if (app->capacity != NULL && capacity_result(app->capacity)->outcome != CAPACITY_RUNNING &&
        capacity_result(app->capacity)->outcome != CAPACITY_CUT &&
        !(app->runner != NULL && runner_time_limit_hit(app->runner)))
        return "capacity search";
    if (app->runner != NULL && runner_shape_done(app->runner))
        return "shape";
    if (app->runner != NULL && runner_time_limit_hit(app->runner))
        return "run time";
    if (app->runner != NULL && runner_state(app->runner) == RUNNER_READY)
        return "not started";
    return "stopped";
}

int
app_write_reports(struct app *app)
{
    struct settings *s = &app->settings;
    struct report_run run;
    struct snapshot *snap;
    const struct stats *final;
    struct rusage ru;
    char *err = NULL;
    int rc = 0, exit_status;

    if (app->reports_written)
        return 0;
    app->reports_written = true;
    if (!app->stats_ready)
        return 0;
    if (app->capacity != NULL) {
        capacity_cut(app->capacity, app->stop_signal != 0 ? "a signal" : "the run time");
        if (s->csv_prefix != NULL) {
            char *path = xasprintf("%s_capacity.csv", s->csv_prefix);

            if (capacity_write_csv(path, capacity_result(app->capacity)) != 0) {
                log_error(LOGGER, "could not write %s: %s", path, strerror(errno));
                rc = -1;
            }
            free(path);
        }
    }
    ev_timer_stop(app->loop, &app->report_timer);

    snap = snapshots_take(&app->snapshots);
    final = &snap->stats;
    if (s->nthresholds > 0)
        app->thresholds_failed = app_eval_thresholds(app, final, app->threshold_results) > 0;
    exit_status = app_exit_status(app);

    if (app->csv != NULL) {
        if (csv_report_close(app->csv, final, runner_user_count(app->runner), time_wall()) < 0) {
            log_error(LOGGER, "could not write every CSV file %s_*.csv: %s", s->csv_prefix,
                      strerror(errno));
            rc = -1;
        }
        app->csv = NULL;
    }
    if (s->json_path == NULL && s->html_path == NULL) {
        snapshot_release(snap);
        if (rc < 0)
            app->report_failed = true;
        return rc;
    }

    memset(&run, 0, sizeof(run));
    run.settings = s;
    run.scenario = &app->scenario;
    run.stats = final;
    run.host = s->host;
    if (app->runner != NULL && runner_state(app->runner) != RUNNER_READY) {
        run.start_time = final->start_time;
        run.end_time = final->nseries > 0 ? (double)final->series[final->nseries - 1].sec + 1
                                         : time_wall();
        if (final->total.last_request_ts > run.end_time)
            run.end_time = final->total.last_request_ts;
    }
    run.thresholds = app->threshold_results;
    run.stopped_by = stopped_by(app);
    run.exit_status = exit_status;
    run.open = app->runner != NULL && runner_open(app->runner);
    run.capacity = app->capacity != NULL ? capacity_result(app->capacity) : NULL;
    run.threads = app->runner != NULL ? runner_threads(app->runner) : 0;
    run.target_users = app->runner != NULL && runner_target_users(app->runner) > 0
                           ? runner_target_users(app->runner)
                           : s->users;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        run.cpu_user_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
        run.cpu_system_s = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        run.peak_rss_kb = ru.ru_maxrss;
    }
    if (s->json_path != NULL) {
        log_info(LOGGER, "writing json report to file: %s", s->json_path);
        if (json_report_write(s->json_path, &run, &err) < 0) {
            log_error(LOGGER, "%s", err);
            free(err);
            err = NULL;
            rc = -1;
        }
    }
    if (s->html_path != NULL) {
        log_info(LOGGER, "writing html report to file: %s", s->html_path);
        if (html_report_write(s->html_path, &run, &err) < 0) {
            log_error(LOGGER, "%s", err);
            free(err);
            rc = -1;
        }
    }
    snapshot_release(snap);
    if (rc < 0)
        app->report_failed = true;
    return rc;
}

int
app_change_host(struct app *app, const char *url, char **err)
{
    struct settings *s = &app->settings;
    struct origin where = { ORIGIN_CLI, NULL, 0, "the start panel" };
    char *why = NULL;
    char *old;

    if (runner_state(app->runner) != RUNNER_READY && runner_state(app->runner) != RUNNER_STOPPED) {
        *err = xstrdup("the host can change only while no test runs");
        return -1;
    }
    if (s->host != NULL && strcmp(s->host, url) == 0)
        return 0;
    old = s->host != NULL ? xstrdup(s->host) : NULL;
    if (option_set(s, option_by_name("host"), url, &where, &why) < 0) {
        *err = why;
        free(old);
        return -1;
    }
    if (http_preflight(url, s, &why) < 0 ||
        scenario_prepare(&app->scenario, url, &app->stats, &why) < 0) {
        *err = xasprintf("host %s is unreachable: %s", url, why);
        free(why);
        free(s->host);
        s->host = old;
        return -1;
    }
    http_prepare(&app->scenario);
    free(old);
    log_info(LOGGER, "Host set to %s", url);
    return 0;
}

/* Each threshold with its result and measured value, after the final tables. */
static void
print_thresholds(struct app *app, FILE *out)
{
    const struct settings *s = &app->settings;
    size_t failed = 0, i;

    if (s->nthresholds == 0)
        return;
    for (i = 0; i < s->nthresholds; i++)
        if (!app->threshold_results[i].passed)
            failed++;
    fprintf(out, "Thresholds: %zu passed, %zu failed%s\n", s->nthresholds - failed, failed,
            app->threshold_aborted ? " (the run was stopped when one failed)" : "");
    for (i = 0; i < s->nthresholds; i++) {
        const struct threshold *t = &s->thresholds[i];
        const struct threshold_result *res = &app->threshold_results[i];
        char value[64], where[256];

        fprintf(out, "  %s  %-40s measured %-16s (%s)\n", res->passed ? "PASS" : "FAIL", t->text,
                threshold_format_value(t, res, value, sizeof(value)),
                origin_describe(&t->origin, where, sizeof(where)));
    }
    fputc('\n', out);
}

void
app_print_open_model(struct app *app, FILE *out, const struct stats *view)
{
    const struct hist *h = &view->send_hist;
    uint64_t n = h->total;

    fprintf(out, "Open model: %llu arrivals sent, %llu dropped (no free user in the pool of %u); "
            "the response times above count from each arrival's intended start\n",
            (unsigned long long)n, (unsigned long long)view->dropped, app->settings.users);
    if (n > 0)
        fprintf(out, "From the actual send: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n",
                (double)hist_value_at_rank(h, (uint64_t)(n * 0.50)) / 1000.0,
                (double)hist_value_at_rank(h, (uint64_t)(n * 0.90)) / 1000.0,
                (double)hist_value_at_rank(h, (uint64_t)(n * 0.99)) / 1000.0,
                (double)hist_value_at_rank(h, n) / 1000.0);
    fputc('\n', out);
}

void
app_print_summary(struct app *app, int exit_status)
{
    struct snapshot *view;

    log_info(LOGGER, "Shutting down (exit code %d)", exit_status);
    view = snapshots_take(&app->snapshots);
    console_print_final(stderr, &view->stats, console_name_width());
    if (app->runner != NULL && runner_open(app->runner))
        app_print_open_model(app, stderr, &view->stats);
    print_thresholds(app, stderr);
    if (app->capacity != NULL)
        capacity_print_summary(stderr, capacity_result(app->capacity));
    fflush(stderr);
    snapshot_release(view);
    log_debug(LOGGER, "Statistics: %llu snapshots copied for %llu reads",
              (unsigned long long)app->snapshots.copies, (unsigned long long)app->snapshots.takes);
}

/* Can a report be created at path? 0, or -1 after a message naming the option. */
static int
check_report_path(const char *path, const struct origin *o, bool is_prefix)
{
    char where[256];
    char *copy = xstrdup(path);
    const char *dir = dirname(copy);
    struct stat st;
    int rc = 0;

    /* (--csv PREFIX names no file itself) */
    if (!is_prefix && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
            usage_error("%s: cannot write %s: it is %s, not a regular file",
                        origin_describe(o, where, sizeof(where)), path,
                        file_kind(st.st_mode));
            rc = -1;
        }
        /* else written directly (outfile.h): its directory need not be writable */
    } else if (access(dir, F_OK) != 0) {
        usage_error("%s: cannot write %s: the directory '%s' does not exist",
                    origin_describe(o, where, sizeof(where)), path, dir);
        rc = -1;
    } else if (access(dir, W_OK) != 0) {
        usage_error("%s: cannot write %s: the directory '%s' is not writable",
                    origin_describe(o, where, sizeof(where)), path, dir);
        rc = -1;
    }
    free(copy);
    return rc;
}

/*
 * Once a second: the generator's own CPU (warn once a test when one thread
 * is saturated, as Locust does), the CSV files, and the thresholds when they
 * may abort the run.
 */
static void
on_report_tick(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct app *app = t->data;
    const struct settings *s = &app->settings;
    enum runner_state st = runner_state(app->runner);
    bool active = st == RUNNER_SPAWNING || st == RUNNER_RUNNING || st == RUNNER_STOPPING;
    struct snapshot *view;

    (void)loop;
    (void)revents;
    selfmon_sample(&app->selfmon, runner_threads(app->runner));
    if (!active) {
        app->cpu_warned = false;
    } else if (!app->cpu_warned && selfmon_saturated(&app->selfmon)) {
        app->cpu_warned = true;
        log_warning("root", "CPU usage above 90%%! This may constrain your throughput and may "
                    "even give inconsistent response time measurements!");
    }
    if (!active || (app->csv == NULL && !(s->threshold_abort && s->nthresholds > 0)))
        return;
    view = snapshots_take(&app->snapshots);   /* the CSV rows and thresholds */
    if (app->csv != NULL)
        csv_report_tick(app->csv, &view->stats, runner_user_count(app->runner), time_wall());
    if (s->threshold_abort && s->nthresholds > 0 && !app->threshold_aborted &&
        st != RUNNER_STOPPING && runner_elapsed(app->runner) >= s->threshold_grace &&
        app_eval_thresholds(app, &view->stats, app->threshold_results) > 0) {
        for (size_t i = 0; i < s->nthresholds; i++) {
            const struct threshold *th = &s->thresholds[i];
            const struct threshold_result *res = &app->threshold_results[i];
            char value[64];

            if (!res->passed)
                log_warning(LOGGER, "Threshold failed: %s (measured %s); stopping the run", th->text,
                            threshold_format_value(th, res, value, sizeof(value)));
        }
        app->threshold_aborted = true;
        runner_stop(app->runner);
    }
    snapshot_release(view);
}

/*
 * Check the report options, resolve the thresholds' entries, create the CSV
 * files and start the report timer; 0 or -1 after a message.
 */
static int
open_reports(struct app *app)
{
    struct settings *s = &app->settings;
    char where[256];
    char *err = NULL;

    app->threshold_results = xcalloc(s->nthresholds + 1, sizeof(*app->threshold_results));
    if (app->capacity_conf != NULL &&
        capacity_resolve((struct capacity_conf *)app->capacity_conf, &app->stats, &err) < 0) {
        usage_error("%s", err);
        free(err);
        return -1;
    }
    for (size_t i = 0; i < s->nthresholds; i++) {
        if (threshold_resolve(&s->thresholds[i], &app->stats, &err) < 0) {
            usage_error("%s: %s", origin_describe(&s->thresholds[i].origin, where, sizeof(where)),
                        err);
            free(err);
            return -1;
        }
    }
    if (s->csv_full_history && s->csv_prefix == NULL) {
        usage_error("--csv-full-history needs --csv PREFIX (or csv = PREFIX in [run])");
        return -1;
    }
    if ((s->csv_prefix != NULL && check_report_path(s->csv_prefix, &s->csv_origin, true) < 0) ||
        (s->json_path != NULL && check_report_path(s->json_path, &s->json_origin, false) < 0) ||
        (s->html_path != NULL && check_report_path(s->html_path, &s->html_origin, false) < 0))
        return -1;
    if (s->csv_prefix != NULL) {
        app->csv = csv_report_open(s->csv_prefix, s->csv_full_history,
                                   s->rate > 0 || shape_is_rate(app->scenario.shape) ||
                                       (app->capacity_conf != NULL &&
                                        app->capacity_conf->load == CAPACITY_RATE), &err);
        if (app->csv == NULL) {
            usage_error("%s: %s", origin_describe(&s->csv_origin, where, sizeof(where)), err);
            free(err);
            return -1;
        }
    }
    selfmon_init(&app->selfmon);
    selfmon_sample(&app->selfmon, runner_threads(app->runner));
    ev_timer_init(&app->report_timer, on_report_tick, 1.0, 1.0);
    app->report_timer.data = app;
    ev_timer_start(app->loop, &app->report_timer);
    return 0;
}

void
app_free(struct app *app)
{
    if (app->csv != NULL)
        csv_report_close(app->csv, &app->stats, 0, time_wall());
    if (runner_abandoned(app->runner) > 0) {
        /* a worker thread still runs inside a library call: free nothing it may touch */
        log_close();
        fflush(NULL);
        _exit(app->final_status);
    }
    capacity_free(app->capacity);
    if (app->capacity_conf == &app->capacity_default)
        capacity_conf_free(&app->capacity_default);
    runner_free(app->runner);
    if (app->demo != NULL)
        demo_stop(app->demo);
    if (app->scenario_loaded) {
        http_unprepare(&app->scenario);
        scenario_free(&app->scenario);
    }
    if (app->stats_ready) {
        snapshots_free(&app->snapshots);
        stats_free(&app->stats);
    }
    free(app->demo_url);
    free(app->threshold_results);
    free(app->oneoff_url);
    cli_args_free(&app->cli);
    aws_shutdown();
    settings_free(&app->settings);
    log_close();
    http_global_cleanup();
}

/* Everything between parsing and running; returns an exit status or -1 to run. */
/*
 * --max-file-size (or CICADA_MAX_FILE_SIZE) bounds the files read while the
 * scenario loads, so it is applied before; 0 or -1 after a message.
 */
static int
early_max_file_size(struct app *app)
{
    const struct option_def *opt = option_by_name("max-file-size");
    const char *text = getenv("CICADA_MAX_FILE_SIZE");
    const char *flag = "CICADA_MAX_FILE_SIZE";
    struct origin o = { ORIGIN_ENV, "CICADA_MAX_FILE_SIZE", 0, NULL };
    char *err = NULL;

    for (size_t i = 0; i < app->cli.nvalues; i++) {
        if (app->cli.values[i].opt == opt) {
            text = app->cli.values[i].text;
            flag = app->cli.values[i].flag;
            o.kind = ORIGIN_CLI;
            o.flag = flag;
        }
    }
    if (text == NULL || (text[0] == '\0' && o.kind == ORIGIN_ENV))
        return 0;
    if (option_set(&app->settings, opt, text, &o, &err) < 0) {
        usage_error("%s: %s", flag, err);
        free(err);
        return -1;
    }
    return 0;
}

static int
prepare(struct app *app, int argc, char **argv)
{
    struct settings *s = &app->settings;
    char *err = NULL;
    char where[256];
    const char *file;

    if (cli_parse(argc, argv, &app->cli, &err) < 0) {
        usage_error("%s", err);
        free(err);
        return EXIT_USAGE;
    }
    if (cli_value(&app->cli, "help") != NULL) {
        options_print_help(stdout);
        return EXIT_OK;
    }
    if (cli_value(&app->cli, "version") != NULL) {
        printf("cicada %s (libcurl %s, %s)\n", PACKAGE_VERSION,
               curl_version_info(CURLVERSION_NOW)->version, http_allocator());
        return EXIT_OK;
    }

    /* the scenario file and --demo come from the environment and flags only */
    if ((file = getenv("CICADA_FILE")) != NULL && file[0] != '\0') {
        struct origin o = { ORIGIN_ENV, "CICADA_FILE", 0, NULL };

        option_set(s, option_by_name("file"), file, &o, &err);
    }
    if ((file = getenv("CICADA_ENV_FILE")) != NULL && file[0] != '\0') {
        struct origin o = { ORIGIN_ENV, "CICADA_ENV_FILE", 0, NULL };

        option_set(s, option_by_name("env-file"), file, &o, &err);
    }
    for (size_t i = 0; i < app->cli.nvalues; i++) {
        const struct cli_value *v = &app->cli.values[i];
        struct origin o = { ORIGIN_CLI, NULL, 0, v->flag };

        if (strcmp(v->opt->name, "file") == 0 || strcmp(v->opt->name, "demo") == 0 ||
            strcmp(v->opt->name, "demo-only") == 0 || strcmp(v->opt->name, "env-file") == 0)
            option_set(s, v->opt, v->text, &o, &err);
    }
    if (early_max_file_size(app) < 0)
        return EXIT_USAGE;
    if (s->demo_only) {
        if (settings_apply_env(s, &err) < 0 || settings_apply_cli(s, &app->cli, &err) < 0) {
            usage_error("%s", err);
            free(err);
            return EXIT_USAGE;
        }
        return serve_demo(app);
    }

    /* Locust's configuration (locust.conf or --config, LOCUST_*): below cicada's own */
    if (locustconf_apply(s, cli_value(&app->cli, "config"), &err) < 0) {
        usage_error("%s", err);
        free(err);
        return EXIT_USAGE;
    }
    switch (load_oneoff(app)) {
    case 0:
        if (load_scenario(app) < 0)
            return EXIT_USAGE;
        break;
    case 1:
        break;
    case 2:
        return EXIT_OK;
    default:
        return EXIT_USAGE;
    }
    if (settings_apply_env(s, &err) < 0 || settings_apply_cli(s, &app->cli, &err) < 0) {
        usage_error("%s", err);
        free(err);
        return EXIT_USAGE;
    }
    /* Locust's informational commands: -l, --show-task-ratio(-json); no host needed */
    if (s->list_classes || s->show_task_ratio || s->show_task_ratio_json) {
        if (s->list_classes) {
            inspect_list(stdout, &app->scenario);
            return EXIT_OK;
        }
        if (scenario_select(&app->scenario, s, app->cli.positional, app->cli.npositional,
                            &err) < 0) {
            usage_error("%s", err);
            free(err);
            return EXIT_USAGE;
        }
        if (s->show_task_ratio)
            inspect_task_ratio(stdout, &app->scenario, s);
        else
            inspect_task_ratio_json(stdout, &app->scenario, s);
        return EXIT_OK;
    }
    if ((!s->print_locustfile && check_settings(app) < 0) || open_log(app) < 0)
        return EXIT_USAGE;
    if (scenario_select(&app->scenario, s, app->cli.positional, app->cli.npositional,
                        &err) < 0) {
        usage_error("%s", err);
        free(err);
        return EXIT_USAGE;
    }
    if (s->print_locustfile) {
        locustfile_print(stdout, &app->scenario, s);
        return EXIT_OK;
    }
    if (s->find_capacity && check_capacity(app) < 0)
        return EXIT_USAGE;
    if (app->scenario.shape != NULL && s->rate > 0 && !shape_is_rate(app->scenario.shape)) {
        usage_error("%s: --rate (the open model) does not go with the [shape] of users at "
                    "%s:%d: give the rates as rate_stage = DURATION RATE in [shape], or leave "
                    "out the rate", origin_describe(&s->rate_origin, where, sizeof(where)),
                    app->scenario.path, shape_line(app->scenario.shape));
        return EXIT_USAGE;
    }
    if (shape_is_rate(app->scenario.shape) && s->rate > 0) {
        usage_error("%s: --rate does not go with the rate stages of [shape] at %s:%d: one "
                    "or the other", origin_describe(&s->rate_origin, where, sizeof(where)),
                    app->scenario.path, shape_line(app->scenario.shape));
        return EXIT_USAGE;
    }
    if (s->rate > 0 || shape_is_rate(app->scenario.shape)) {
        /* the open model's pool: -u, or twice the peak rate (100 at least) */
        double peak = s->rate;

        for (size_t i = 0; app->scenario.shape != NULL && shape_is_rate(app->scenario.shape) &&
                           i < shape_nstages(app->scenario.shape); i++)
            if (shape_stage(app->scenario.shape, i)->arrival_rate > peak)
                peak = shape_stage(app->scenario.shape, i)->arrival_rate;
        if (s->users_origin.kind == ORIGIN_DEFAULT)
            s->users = peak * 2 > 100 ? (peak * 2 < 10000 ? (unsigned)(peak * 2 + 0.5) : 10000)
                                      : 100;
    } else if (app->scenario.shape != NULL) {
        const struct origin *o = s->users_origin.kind != ORIGIN_DEFAULT ? &s->users_origin
                                                                         : &s->spawn_rate_origin;

        if (o->kind != ORIGIN_DEFAULT)
            log_warning(LOGGER, "%s has a [shape], which sets the users and the spawn rate: "
                        "those given by %s are ignored", app->scenario.path,
                        origin_describe(o, where, sizeof(where)));
        s->users = shape_peak_users(app->scenario.shape);
    }

    if (s->demo) {
        if (start_demo(app) < 0)
            return EXIT_USAGE;
        free(s->host);
        s->host = xstrdup(app->demo_url);
        log_info(LOGGER, "Demo target listening on %s (%u slots, %.0f ms service time, "
                 "queue %u)", app->demo_url, s->demo_conf.slots, s->demo_conf.service_ms,
                 s->demo_conf.queue);
    }

    stats_init(&app->stats);
    snapshots_init(&app->snapshots, &app->stats);
    app->stats_ready = true;
    if (scenario_prepare(&app->scenario, s->host, &app->stats, &err) < 0 ||
        aws_setup(&app->scenario, s, &err) < 0) {
        usage_error("%s", err);
        free(err);
        return EXIT_USAGE;
    }
    http_prepare(&app->scenario);

    if (s->host != NULL && http_preflight(s->host, s, &err) < 0) {
        usage_error("%s: host %s is unreachable: %s",
                    origin_describe(&s->host_origin, where, sizeof(where)), s->host, err);
        free(err);
        return EXIT_USAGE;
    }
    return -1;
}

int
app_init(struct app *app, int argc, char **argv)
{
    int status;

    memset(app, 0, sizeof(*app));
    settings_init(&app->settings);
    signal(SIGPIPE, SIG_IGN);
    http_global_init();
    app->loop = ev_default_loop(EVFLAG_AUTO);

    status = prepare(app, argc, argv);
    if (status < 0) {
        app->runner = runner_new(app->loop, &app->settings, &app->scenario, &app->stats);
        if (app->settings.find_capacity) {
            runner_quiet_spawn(app->runner, true);
            app->capacity = capacity_new(app->loop, app->runner, &app->snapshots, &app->settings,
                                         app->capacity_conf);
        }
        status = check_open_files(app);
        if (status < 0 && open_reports(app) < 0)
            status = EXIT_USAGE;
    }
    return status;
}

bool
app_headless(const struct app *app)
{
    return app->settings.headless || !isatty(STDOUT_FILENO);
}

/* SIGINT, SIGTERM, SIGHUP: the one stop policy of every front end. */
static void
on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct app *app = w->data;
    enum runner_state st = runner_state(app->runner);

    (void)revents;
    if (app->stop_signal != 0) {
        /* a second SIGINT or SIGTERM abandons the requests in flight */
        if (w->signum == SIGINT || w->signum == SIGTERM)
            runner_give_up(app->runner);
        return;
    }
    app->stop_signal = w->signum;
    if (app->on_stop != NULL)
        app->on_stop(app, w->signum, app->on_stop_arg);
    if (w->signum == SIGINT)
        log_info(LOGGER, "KeyboardInterrupt: stopping (Ctrl-C again to abandon requests in "
                 "flight)");
    else
        log_info(LOGGER, "Got %s signal", w->signum == SIGTERM ? "SIGTERM" : "SIGHUP");
    if (st == RUNNER_STOPPED || st == RUNNER_READY)
        ev_break(loop, EVBREAK_ALL);
    else if (w->signum == SIGINT)
        runner_stop(app->runner);
    else
        runner_terminate(app->runner);   /* reports within seconds: docker stop kills after 10 */
}

void
app_watch_signals(struct app *app, app_stop_fn on_stop, void *arg)
{
    ev_signal *w[] = { &app->sigint, &app->sigterm, &app->sighup };
    int signums[] = { SIGINT, SIGTERM, SIGHUP };

    app->on_stop = on_stop;
    app->on_stop_arg = arg;
    for (size_t i = 0; i < ARRAY_LEN(w); i++) {
        ev_signal_init(w[i], on_stop_signal, signums[i]);
        w[i]->data = app;
        ev_signal_start(app->loop, w[i]);
    }
}

void
app_unwatch_signals(struct app *app)
{
    ev_signal_stop(app->loop, &app->sigint);
    ev_signal_stop(app->loop, &app->sigterm);
    ev_signal_stop(app->loop, &app->sighup);
    app->on_stop = NULL;
    app->on_stop_arg = NULL;
}

static volatile sig_atomic_t finish_signal;

static void
on_finish_signal(int signum)
{
    finish_signal = signum;
}

int
app_finish(struct app *app)
{
    static const int signums[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa, old[ARRAY_LEN(signums)];
    int status;

    /*
     * The loop no longer watches the stop signals: until the reports and
     * the final tables are written, SIGINT, SIGTERM and SIGHUP are noted
     * and do not kill the process. Without SA_RESTART, one of them ends a
     * wait that could last forever (a FIFO report nobody reads): that
     * report is abandoned, exit status 4.
     */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_finish_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_LEN(signums); i++)
        sigaction(signums[i], &sa, &old[i]);
    app_write_reports(app);
    status = app_exit_status(app);
    app_print_summary(app, status);
    app->final_status = status;
    for (size_t i = 0; i < ARRAY_LEN(signums); i++)
        sigaction(signums[i], &old[i], NULL);
    if (finish_signal != 0)
        log_info(LOGGER, "Got %s while writing the reports: they were written (one waiting "
                 "for a reader is abandoned)", finish_signal == SIGINT ? "SIGINT"
                 : finish_signal == SIGTERM ? "SIGTERM" : "SIGHUP");
    return status;
}
