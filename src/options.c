/*
 * options.c: the option table and everything driven by it: value parsing
 * and validation, the command-line parser, the environment layer and
 * --help. The INI loader (scenario.c) uses the same rows for [run] and
 * [demo], so a key means the same thing wherever it is given.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "options.h"
#include "sigv4.h"
#include "threshold.h"
#include "units.h"
#include "util.h"

enum option_id {
    O_FILE = 1,
    O_HOST,
    O_USERS,
    O_SPAWN_RATE,
    O_RUN_TIME,
    O_THREADS,
    O_STOP_TIMEOUT,
    O_TIMEOUT,
    O_CONNECT_TIMEOUT,
    O_HEADLESS,
    O_AUTOSTART,
    O_ONLY_SUMMARY,
    O_RESET_STATS,
    O_EXIT_CODE_ON_ERROR,
    O_LOGLEVEL,
    O_LOGFILE,
    O_DEMO,
    O_DEMO_ONLY,
    O_DEMO_SLOTS,
    O_DEMO_SERVICE_TIME,
    O_DEMO_SERVICE_CV,
    O_DEMO_QUEUE,
    O_DEMO_PORT,
    O_NO_COLOR,
    O_REFRESH,
    O_CSV,
    O_CSV_FULL_HISTORY,
    O_JSON,
    O_HTML,
    O_THRESHOLD,
    O_THRESHOLD_ABORT,
    O_THRESHOLD_GRACE,
    O_HELP,
    O_VERSION,
    O_ENV_FILE,
    O_USER_CLASSES,
    O_TAGS,
    O_EXCLUDE_TAGS,
    O_MAX_FILE_SIZE,
    O_AWS_SIGV4,
    O_AWS_REGION,
    O_AWS_PROFILE,
    O_WORKER,
    O_MASTER_HOST,
    O_MASTER_PORT,
    O_MASTER_TIMEOUT,
    O_LOCUSTFILE,
    /* issue 16: the one-off run, Locust's informational commands and config */
    O_METHOD,
    O_DATA,
    O_DATA_FILE,
    O_HEADER,
    O_DUMP_INI,
    O_AUTOQUIT,
    O_LIST,
    O_SHOW_TASK_RATIO,
    O_SHOW_TASK_RATIO_JSON,
    O_PRINT_STATS,
    O_CONFIG,
    O_RATE,
    O_ARRIVALS,
    O_FIND_CAPACITY,
    O_MODE,
};

const struct option_def option_table[] = {
    { "file", 'f', OPT_PATH, NULL, NULL, "CICADA_FILE", "FILE",
      "scenario file (INI, see cicada.ini(5))", O_FILE },
    { "host", 'H', OPT_URL, "run", "host", "CICADA_HOST", "URL",
      "base URL of the API under test, e.g. http://127.0.0.1:8000", O_HOST },
    { "users", 'u', OPT_UINT, "run", "users", "CICADA_USERS", "N",
      "peak number of concurrent users (default 1)", O_USERS },
    { "spawn-rate", 'r', OPT_RATE, "run", "spawn_rate", "CICADA_SPAWN_RATE", "RATE",
      "users started per second (default 1)", O_SPAWN_RATE },
    { "run-time", 't', OPT_DURATION, "run", "run_time", "CICADA_RUN_TIME", "TIME",
      "stop after TIME (20, 20s, 3m, 2h, 1h20m); default: until stopped", O_RUN_TIME },
    { "rate", 0, OPT_RATE, "run", "rate", "CICADA_RATE", "R",
      "open model: start R task iterations a second whatever the server does, each by a "
      "free user of the pool (-u caps it); latency counts from the intended start", O_RATE },
    { "arrivals", 0, OPT_STRING, "run", "arrivals", "CICADA_ARRIVALS", "KIND",
      "open model: uniform (evenly spaced, the default) or poisson arrivals", O_ARRIVALS },
    { "find-capacity", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "search the peak RPS one instance holds, stepping the load as [capacity] says "
      "(also mode = capacity in [run])", O_FIND_CAPACITY },
    { "mode", 0, OPT_STRING, "run", "mode", "CICADA_MODE", "MODE",
      "test (the default) or capacity (as --find-capacity)", O_MODE },
    { "user-classes", 0, OPT_STRING, "run", "user_classes", "CICADA_USER_CLASSES", "A,B",
      "run only these user classes (as naming them after the options)", O_USER_CLASSES },
    { "tags", 'T', OPT_STRING, "run", "tags", "CICADA_TAGS", "TAGS",
      "run only tasks having one of these tags (-T a,b or, as Locust, -T a b)", O_TAGS },
    { "exclude-tags", 'E', OPT_STRING, "run", "exclude_tags", "CICADA_EXCLUDE_TAGS", "TAGS",
      "never run tasks having one of these tags (-E a,b or -E a b)", O_EXCLUDE_TAGS },
    { "threads", 0, OPT_UINT, "run", "threads", "CICADA_THREADS", "N",
      "worker threads (default: one per CPU cicada may use)", O_THREADS },
    { "stop-timeout", 's', OPT_TIMEOUT, "run", "stop_timeout", "CICADA_STOP_TIMEOUT", "TIME",
      "on stop, wait up to TIME for requests in flight (default: until they finish)",
      O_STOP_TIMEOUT },
    { "timeout", 0, OPT_DURATION, "run", "timeout", "CICADA_TIMEOUT", "TIME",
      "per-request timeout (default 60s)", O_TIMEOUT },
    { "connect-timeout", 0, OPT_DURATION, "run", "connect_timeout", "CICADA_CONNECT_TIMEOUT",
      "TIME", "connection timeout (default 10s)", O_CONNECT_TIMEOUT },
    { "headless", 0, OPT_FLAG, "run", "headless", "CICADA_HEADLESS", NULL,
      "no dashboard: print Locust's tables to stderr", O_HEADLESS },
    { "autostart", 0, OPT_FLAG, "run", "autostart", "CICADA_AUTOSTART", NULL,
      "start at once, skipping the dashboard's start panel", O_AUTOSTART },
    { "only-summary", 0, OPT_FLAG, "run", "only_summary", "CICADA_ONLY_SUMMARY", NULL,
      "print only the final tables, not the periodic ones", O_ONLY_SUMMARY },
    { "reset-stats", 0, OPT_FLAG, "run", "reset_stats", "CICADA_RESET_STATS", NULL,
      "reset statistics once all users are spawned", O_RESET_STATS },
    { "exit-code-on-error", 0, OPT_EXIT_CODE, "run", "exit_code_on_error",
      "CICADA_EXIT_CODE_ON_ERROR", "CODE",
      "exit status when any request failed (default 1)", O_EXIT_CODE_ON_ERROR },
    { "loglevel", 'L', OPT_LOGLEVEL, "run", "loglevel", "CICADA_LOGLEVEL", "LEVEL",
      "DEBUG, INFO, WARNING, ERROR or CRITICAL (default INFO)", O_LOGLEVEL },
    { "logfile", 0, OPT_PATH, "run", "logfile", "CICADA_LOGFILE", "FILE",
      "write log lines to FILE instead of stderr", O_LOGFILE },
    { "demo", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "start the built-in demo target and test it (with conf/demo.ini unless -f)", O_DEMO },
    { "demo-only", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "only run the demo target, print its URL and serve until stopped", O_DEMO_ONLY },
    { "demo-slots", 0, OPT_UINT, "demo", "slots", "CICADA_DEMO_SLOTS", "N",
      "demo target: requests served at once (default 4)", O_DEMO_SLOTS },
    { "demo-service-time", 0, OPT_DURATION_MS, "demo", "service_time",
      "CICADA_DEMO_SERVICE_TIME", "TIME", "demo target: mean service time (default 20ms)",
      O_DEMO_SERVICE_TIME },
    { "demo-service-cv", 0, OPT_FRACTION, "demo", "service_cv", "CICADA_DEMO_SERVICE_CV", "CV",
      "demo target: service time's coefficient of variation (default 0.25)", O_DEMO_SERVICE_CV },
    { "demo-queue", 0, OPT_UINT, "demo", "queue", "CICADA_DEMO_QUEUE", "N",
      "demo target: queue places before it answers 503 (default 32)", O_DEMO_QUEUE },
    { "demo-port", 0, OPT_UINT, "demo", "port", "CICADA_DEMO_PORT", "PORT",
      "demo target: port on 127.0.0.1 (default: a free port)", O_DEMO_PORT },
    { "no-color", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "no colours in the dashboard (also when NO_COLOR is set)", O_NO_COLOR },
    { "refresh", 0, OPT_DURATION, "run", "refresh", "CICADA_REFRESH", "TIME",
      "dashboard redraw interval (default 0.25s: at most 4 redraws a second)", O_REFRESH },
    { "csv", 0, OPT_PATH, "run", "csv", "CICADA_CSV", "PREFIX",
      "write PREFIX_stats.csv, _stats_history.csv, _failures.csv and _exceptions.csv "
      "(Locust's format)", O_CSV },
    { "csv-full-history", 0, OPT_FLAG, "run", "csv_full_history", "CICADA_CSV_FULL_HISTORY",
      NULL, "history rows for every entry, not only Aggregated (needs --csv)",
      O_CSV_FULL_HISTORY },
    { "json", 0, OPT_PATH, "run", "json", "CICADA_JSON", "FILE",
      "write the run's configuration, statistics, errors, time series and thresholds as JSON",
      O_JSON },
    { "html", 0, OPT_PATH, "run", "html", "CICADA_HTML", "FILE",
      "write a self-contained HTML report (tables and SVG charts)", O_HTML },
    { "threshold", 0, OPT_THRESHOLD, "thresholds", "threshold", NULL, "EXPR",
      "pass/fail gate such as 'p95<150ms', 'rps>=100', 'POST /predict: fail_ratio<1%' "
      "(repeatable; exit 3 when one fails)", O_THRESHOLD },
    { "threshold-abort", 0, OPT_FLAG, "thresholds", "abort_on_fail", "CICADA_THRESHOLD_ABORT",
      NULL, "stop the run as soon as a threshold fails (after the grace period)",
      O_THRESHOLD_ABORT },
    { "threshold-grace", 0, OPT_TIMEOUT, "thresholds", "grace", "CICADA_THRESHOLD_GRACE",
      "TIME", "time after the start before --threshold-abort may stop the run (default 10s)",
      O_THRESHOLD_GRACE },
    { "aws-sigv4", 0, OPT_STRING, "run", "aws_sigv4", "CICADA_AWS_SIGV4", "SERVICE",
      "sign every request with AWS SigV4 for SERVICE (sagemaker, execute-api, lambda...)",
      O_AWS_SIGV4 },
    { "aws-region", 0, OPT_STRING, "run", "aws_region", "CICADA_AWS_REGION", "REGION",
      "AWS region to sign for (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)",
      O_AWS_REGION },
    { "aws-profile", 0, OPT_STRING, "run", "aws_profile", "CICADA_AWS_PROFILE", "NAME",
      "AWS credentials profile (default: AWS_PROFILE, else the environment's keys, "
      "else 'default')", O_AWS_PROFILE },
    { "env-file", 0, OPT_PATH, NULL, NULL, "CICADA_ENV_FILE", "FILE",
      "variables for ${NAME} in the scenario (default: .env next to it)", O_ENV_FILE },
    { "max-file-size", 0, OPT_STRING, NULL, NULL, "CICADA_MAX_FILE_SIZE", "SIZE",
      "largest data, body or env file read, and scenario file (default 64M)", O_MAX_FILE_SIZE },
    { "worker", 0, OPT_FLAG, "run", "worker", "CICADA_WORKER", NULL,
      "run as a worker of a Locust master, which decides users and run time",
      O_WORKER },
    { "master-host", 0, OPT_STRING, "run", "master_host", "CICADA_MASTER_HOST", "HOST",
      "host of the Locust master to join with --worker (default 127.0.0.1)", O_MASTER_HOST },
    { "master-port", 0, OPT_UINT, "run", "master_port", "CICADA_MASTER_PORT", "PORT",
      "port the Locust master listens on for workers (default 5557)", O_MASTER_PORT },
    { "master-timeout", 0, OPT_DURATION, "run", "master_timeout", "CICADA_MASTER_TIMEOUT",
      "TIME", "--worker: give up after TIME without a master (default 60s)", O_MASTER_TIMEOUT },
    { "locustfile", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "print a locustfile with the scenario's user classes for the Locust master, and exit",
      O_LOCUSTFILE },
    /* issue 16: a one-off run without a scenario file, as wrk, hey and curl users expect */
    { "method", 'm', OPT_STRING, NULL, NULL, NULL, "METHOD",
      "with a URL argument: the request's method (default GET, POST with -d or -D)", O_METHOD },
    { "data", 'd', OPT_STRING, NULL, NULL, NULL, "BODY",
      "with a URL argument: the request's body", O_DATA },
    { "data-file", 'D', OPT_PATH, NULL, NULL, NULL, "FILE",
      "with a URL argument: the request's body, read from FILE", O_DATA_FILE },
    { "header", 'A', OPT_STRING, NULL, NULL, NULL, "'NAME: VALUE'",
      "with a URL argument: a request header (repeatable)", O_HEADER },
    { "dump-ini", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "with a URL argument: print the scenario it makes as an INI file and exit", O_DUMP_INI },
    /* Locust's informational commands and options */
    { "list", 'l', OPT_FLAG, NULL, NULL, NULL, NULL,
      "list the user classes and their tasks, and exit", O_LIST },
    { "show-task-ratio", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "print each task's share per user class and overall (Locust's format), and exit",
      O_SHOW_TASK_RATIO },
    { "show-task-ratio-json", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "the same as JSON (Locust's format), and exit", O_SHOW_TASK_RATIO_JSON },
    { "autoquit", 0, OPT_TIMEOUT, "run", "autoquit", "CICADA_AUTOQUIT", "TIME",
      "leave the dashboard TIME after the run ends (with --autostart)", O_AUTOQUIT },
    { "print-stats", 0, OPT_FLAG, "run", "print_stats", "CICADA_PRINT_STATS", NULL,
      "with the dashboard: also write the periodic tables to stderr when it is not the "
      "terminal", O_PRINT_STATS },
    { "config", 0, OPT_PATH, NULL, NULL, NULL, "FILE",
      "read Locust's configuration file FILE (default: ./locust.conf if present)", O_CONFIG },
    { "help", 'h', OPT_FLAG, NULL, NULL, NULL, NULL, "print this help and exit", O_HELP },
    { "version", 'V', OPT_FLAG, NULL, NULL, NULL, NULL, "print the version and exit",
      O_VERSION },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct option_def *
option_by_name(const char *name)
{
    const struct option_def *o;

    for (o = option_table; o->name != NULL; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

const struct option_def *
option_by_key(const char *section, const char *key)
{
    const struct option_def *o;

    for (o = option_table; o->name != NULL; o++)
        if (o->section != NULL && strcmp(o->section, section) == 0 &&
            strcmp(o->key, key) == 0)
            return o;
    return NULL;
}

const struct option_def *
option_by_short(int c)
{
    const struct option_def *o;

    for (o = option_table; o->name != NULL; o++)
        if (o->short_name != 0 && o->short_name == c)
            return o;
    return NULL;
}

const char *const *
option_keys(const char *section)
{
    static const char *run_keys[ARRAY_LEN(option_table)];
    static const char *demo_keys[ARRAY_LEN(option_table)];
    static const char *threshold_keys[ARRAY_LEN(option_table)];
    const char **keys = strcmp(section, "demo") == 0         ? demo_keys
                        : strcmp(section, "thresholds") == 0 ? threshold_keys
                                                             : run_keys;
    const struct option_def *o;
    size_t n = 0;

    for (o = option_table; o->name != NULL; o++)
        if (o->section != NULL && strcmp(o->section, section) == 0)
            keys[n++] = o->key;
    keys[n] = NULL;
    return keys;
}

/* Parse a boolean as written in INI files and variables. */
static int
parse_bool(const char *text, bool *value)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    size_t i;

    for (i = 0; i < ARRAY_LEN(yes); i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *value = true;
            return 0;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *value = false;
            return 0;
        }
    }
    return -1;
}

/* Check a base URL: http or https, with a host. 0, or -1 with *why. */
static int
check_url(const char *text, char **why)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = -1;

    if (strncasecmp(text, "http://", 7) != 0 && strncasecmp(text, "https://", 8) != 0) {
        *why = xstrdup("expected a URL starting with http:// or https://");
    } else if (curl_url_set(u, CURLUPART_URL, text, 0) != CURLUE_OK) {
        *why = xstrdup("not a valid URL");
    } else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == NULL ||
               host[0] == '\0') {
        *why = xstrdup("the URL has no host");
    } else if (strchr(text, '?') != NULL || strchr(text, '#') != NULL) {
        *why = xstrdup("the base URL must not have a query or fragment");
    } else {
        rc = 0;
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* Replace a string setting. */
static void
set_string(char **slot, const char *text)
{
    free(*slot);
    *slot = xstrdup(text);
}

int
option_set(struct settings *s, const struct option_def *opt, const char *text,
           const struct origin *where, char **err)
{
    unsigned long long n;
    double d;
    bool b = false;
    char *why = NULL;
    enum log_level level;

    switch (opt->type) {
    case OPT_FLAG:
        if (parse_bool(text, &b) < 0) {
            *err = xasprintf("bad value \"%s\" for %s: expected true or false", text,
                             opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    case OPT_THRESHOLD:
    case OPT_STRING:
    case OPT_PATH:
        if (text[0] == '\0') {
            *err = xasprintf("%s needs a value", opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    case OPT_URL:
        if (check_url(text, &why) < 0) {
            *err = xasprintf("bad value \"%s\" for %s: %s", text,
                             opt->key ? opt->key : opt->name, why);
            free(why);
            return -1;
        }
        break;
    case OPT_UINT:
        if (units_parse_count(text, &n) < 0 || n > 1000000000ULL) {
            *err = xasprintf("bad value \"%s\" for %s: expected a whole number >= %d", text,
                             opt->key ? opt->key : opt->name, opt->id == O_DEMO_PORT ? 0 : 1);
            return -1;
        }
        if (n == 0 && opt->id != O_DEMO_PORT) {
            *err = xasprintf("bad value \"%s\" for %s: must be at least 1", text,
                             opt->key ? opt->key : opt->name);
            return -1;
        }
        if ((opt->id == O_THREADS && n > 256) ||
            ((opt->id == O_DEMO_PORT || opt->id == O_MASTER_PORT) && n > 65535) ||
            (opt->id == O_USERS && n > 10000000)) {
            *err = xasprintf("bad value \"%s\" for %s: too large (at most %d)", text,
                             opt->key ? opt->key : opt->name,
                             opt->id == O_THREADS                                  ? 256
                             : opt->id == O_DEMO_PORT || opt->id == O_MASTER_PORT ? 65535
                                                                                  : 10000000);
            return -1;
        }
        break;
    case OPT_RATE:
        if (units_parse_double(text, &d) < 0 || !(d > 0) || d > 1e7) {
            *err = xasprintf("bad value \"%s\" for %s: expected a number above 0 "
                             "(%s per second, e.g. 10 or 0.5)",
                             text, opt->key ? opt->key : opt->name,
                             opt->id == O_RATE ? "task iterations started" : "users started");
            return -1;
        }
        break;
    case OPT_DURATION:
    case OPT_DURATION_MS:
        if ((opt->type == OPT_DURATION ? units_parse_duration(text, &d)
                                       : units_parse_duration_ms(text, &d)) < 0 ||
            !(d > 0)) {
            *err = xasprintf("bad value \"%s\" for %s: expected a duration above 0 "
                             "such as %s",
                             text, opt->key ? opt->key : opt->name,
                             opt->type == OPT_DURATION ? "20, 20s, 3m, 2h, 1h20m or 1.5s"
                                                       : "20ms, 0.5s or 20 (milliseconds)");
            return -1;
        }
        break;
    case OPT_TIMEOUT:
        if (units_parse_duration(text, &d) < 0 || d < 0) {
            *err = xasprintf("bad value \"%s\" for %s: expected a duration such as 0, "
                             "10s or 1m",
                             text, opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    case OPT_EXIT_CODE:
        if (units_parse_count(text, &n) < 0 || n > 255) {
            *err = xasprintf("bad value \"%s\" for %s: expected an exit status from 0 to 255",
                             text, opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    case OPT_LOGLEVEL:
        if (log_parse_level(text, &level) < 0) {
            *err = xasprintf("bad value \"%s\" for %s: expected DEBUG, INFO, WARNING, "
                             "ERROR or CRITICAL",
                             text, opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    case OPT_FRACTION:
        if (units_parse_double(text, &d) < 0 || d < 0 || d > 10) {
            *err = xasprintf("bad value \"%s\" for %s: expected a number from 0 to 10", text,
                             opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    }

    switch (opt->id) {
    case O_FILE:
        set_string(&s->scenario_path, text);
        s->scenario_origin = *where;
        break;
    case O_HOST:
        set_string(&s->host, text);
        s->host_origin = *where;
        break;
    case O_USERS:
        s->users = (unsigned)n;
        s->users_origin = *where;
        break;
    case O_SPAWN_RATE:
        s->spawn_rate = d;
        s->spawn_rate_origin = *where;
        break;
    case O_RUN_TIME:
        s->run_time = d;
        s->run_time_origin = *where;
        break;
    case O_THREADS:
        s->threads = (unsigned)n;
        break;
    case O_STOP_TIMEOUT:
        s->stop_timeout = d;
        break;
    case O_TIMEOUT:
        s->timeout = d;
        break;
    case O_CONNECT_TIMEOUT:
        s->connect_timeout = d;
        break;
    case O_HEADLESS:
        s->headless = b;
        break;
    case O_AUTOSTART:
        s->autostart = b;
        break;
    case O_ONLY_SUMMARY:
        s->only_summary = b;
        break;
    case O_RESET_STATS:
        s->reset_stats = b;
        break;
    case O_EXIT_CODE_ON_ERROR:
        s->exit_code_on_error = (int)n;
        break;
    case O_LOGLEVEL:
        s->loglevel = level;
        break;
    case O_LOGFILE:
        set_string(&s->logfile, text);
        break;
    case O_DEMO:
        s->demo = b;
        break;
    case O_DEMO_ONLY:
        s->demo_only = b;
        break;
    case O_DEMO_SLOTS:
        s->demo_conf.slots = (unsigned)n;
        break;
    case O_DEMO_SERVICE_TIME:
        s->demo_conf.service_ms = d * 1000.0;
        break;
    case O_DEMO_SERVICE_CV:
        s->demo_conf.service_cv = d;
        break;
    case O_DEMO_QUEUE:
        s->demo_conf.queue = (unsigned)n;
        break;
    case O_DEMO_PORT:
        s->demo_conf.port = (int)n;
        break;
    case O_NO_COLOR:
        s->no_color = b;
        break;
    case O_REFRESH:
        s->refresh = d;
        break;
    case O_CSV:
        set_string(&s->csv_prefix, text);
        s->csv_origin = *where;
        break;
    case O_CSV_FULL_HISTORY:
        s->csv_full_history = b;
        break;
    case O_JSON:
        set_string(&s->json_path, text);
        s->json_origin = *where;
        break;
    case O_HTML:
        set_string(&s->html_path, text);
        s->html_origin = *where;
        break;
    case O_THRESHOLD: {
        struct threshold t;

        if (threshold_parse(text, &t, err) < 0)
            return -1;
        t.origin = *where;
        s->thresholds = xrealloc(s->thresholds, (s->nthresholds + 1) * sizeof(*s->thresholds));
        s->thresholds[s->nthresholds++] = t;
        break;
    }
    case O_THRESHOLD_ABORT:
        s->threshold_abort = b;
        break;
    case O_THRESHOLD_GRACE:
        s->threshold_grace = d;
        break;
    case O_USER_CLASSES:
        set_string(&s->user_classes, text);
        s->user_classes_origin = *where;
        break;
    case O_TAGS:
        set_string(&s->tags, text);
        s->tags_origin = *where;
        break;
    case O_EXCLUDE_TAGS:
        set_string(&s->exclude_tags, text);
        s->exclude_tags_origin = *where;
        break;
    case O_HELP:
        s->print_help = b;
        break;
    case O_VERSION:
        s->print_version = b;
        break;
    case O_ENV_FILE:
        set_string(&s->env_file, text);
        break;
    case O_MAX_FILE_SIZE:
        /* process-wide: util.c's file reads (set before the scenario is read) */
        if (units_parse_size(text, &n) < 0 || n == 0) {
            *err = xasprintf("bad value \"%s\" for %s: expected a size above 0 such as "
                             "64M, 1G or 500k", text, opt->name);
            return -1;
        }
        util_set_max_file_size(n);
        break;
    case O_AWS_SIGV4:
        if (!sigv4_valid_service(text) || strcmp(text, "s3") == 0) {
            *err = xasprintf("bad value \"%s\" for %s: %s", text, opt->key,
                             strcmp(text, "s3") == 0
                                 ? "S3 signs paths and bodies its own way, which cicada does "
                                   "not do"
                                 : "expected an AWS service name in lower case, such as "
                                   "sagemaker, execute-api or lambda");
            return -1;
        }
        set_string(&s->aws_sigv4, text);
        break;
    case O_AWS_REGION:
        if (!sigv4_valid_region(text)) {
            *err = xasprintf("bad value \"%s\" for %s: expected an AWS region such as "
                             "us-east-1 or eu-west-2", text, opt->key);
            return -1;
        }
        set_string(&s->aws_region, text);
        s->aws_region_origin = *where;
        break;
    case O_AWS_PROFILE:
        set_string(&s->aws_profile, text);
        break;
    case O_WORKER:
        s->worker = b;
        break;
    case O_MASTER_HOST:
        set_string(&s->master_host, text);
        break;
    case O_MASTER_PORT:
        s->master_port = (unsigned)n;
        break;
    case O_MASTER_TIMEOUT:
        s->master_timeout = d;
        break;
    case O_LOCUSTFILE:
        s->print_locustfile = b;
        break;
    case O_METHOD:
        set_string(&s->oneoff_method, text);
        break;
    case O_DATA:
        set_string(&s->oneoff_data, text);
        break;
    case O_DATA_FILE:
        set_string(&s->oneoff_data_file, text);
        break;
    case O_HEADER:
        s->oneoff_headers = xrealloc(s->oneoff_headers,
                                     (s->noneoff_headers + 1) * sizeof(*s->oneoff_headers));
        s->oneoff_headers[s->noneoff_headers++] = xstrdup(text);
        break;
    case O_DUMP_INI:
        s->dump_ini = b;
        break;
    case O_AUTOQUIT:
        s->autoquit = d;
        break;
    case O_LIST:
        s->list_classes = b;
        break;
    case O_SHOW_TASK_RATIO:
        s->show_task_ratio = b;
        break;
    case O_SHOW_TASK_RATIO_JSON:
        s->show_task_ratio_json = b;
        break;
    case O_PRINT_STATS:
        s->print_stats = b;
        break;
    case O_CONFIG:
        set_string(&s->locust_config, text);
        break;
    case O_RATE:
        s->rate = d;
        s->rate_origin = *where;
        break;
    case O_ARRIVALS:
        if (arrivals_parse(text, &s->arrivals) < 0) {
            *err = xasprintf("bad value \"%s\" for %s: expected uniform or poisson", text,
                             opt->key ? opt->key : opt->name);
            return -1;
        }
        break;
    case O_FIND_CAPACITY:
        s->find_capacity = b;
        if (b)
            s->mode_origin = *where;
        break;
    case O_MODE:
        if (strcasecmp(text, "capacity") == 0) {
            s->find_capacity = true;
        } else if (strcasecmp(text, "test") == 0) {
            s->find_capacity = false;
        } else {
            *err = xasprintf("bad value \"%s\" for %s: expected test or capacity", text,
                             opt->key ? opt->key : opt->name);
            return -1;
        }
        s->mode_origin = *where;
        break;
    default:
        fatal("option %s has no setter", opt->name);
    }
    return 0;
}

/* ---- command line ---- */

/* Record one parsed option. */
static void
cli_push(struct cli_args *a, const struct option_def *opt, const char *text, const char *flag)
{
    a->values = xrealloc(a->values, (a->nvalues + 1) * sizeof(*a->values));
    a->values[a->nvalues].opt = opt;
    a->values[a->nvalues].text = xstrdup(text);
    a->values[a->nvalues].flag = xstrdup(flag);
    a->nvalues++;
}

/* The names of all long flags, for suggestions. */
static const char *const *
long_names(void)
{
    static const char *names[ARRAY_LEN(option_table)];
    size_t i;

    for (i = 0; option_table[i].name != NULL; i++)
        names[i] = option_table[i].name;
    names[i] = NULL;
    return names;
}

int
cli_parse(int argc, char **argv, struct cli_args *out, char **err)
{
    size_t n = ARRAY_LEN(option_table);
    struct option *longopts = xcalloc(n, sizeof(*longopts));
    struct buf shorts;
    size_t i;
    int c, index, rc = 0;

    memset(out, 0, sizeof(*out));
    buf_init(&shorts);
    buf_puts(&shorts, ":");
    for (i = 0; option_table[i].name != NULL; i++) {
        const struct option_def *o = &option_table[i];

        longopts[i].name = o->name;
        longopts[i].has_arg = o->type == OPT_FLAG ? no_argument : required_argument;
        longopts[i].flag = NULL;
        longopts[i].val = 1000 + (int)i;
        if (o->short_name != 0) {
            buf_append(&shorts, &o->short_name, 1);
            if (o->type != OPT_FLAG)
                buf_puts(&shorts, ":");
        }
    }

    opterr = 0;
    optind = 0;              /* GNU getopt: start afresh, forgetting any earlier argv */
    while ((c = getopt_long(argc, argv, shorts.data, longopts, &index)) != -1) {
        const struct option_def *o = NULL;
        const char *typed = argv[optind - 1];
        char flag[64];

        if (c == '?' || c == ':') {
            const char *bad = typed;

            if (optopt != 0 && optopt < 1000) {
                snprintf(flag, sizeof(flag), "-%c", optopt);
                bad = flag;
            }
            if (c == ':') {
                *err = xasprintf("%s needs a value (see cicada --help)", bad);
            } else if (strncmp(bad, "--", 2) == 0) {
                char *name = xstrdup(bad + 2);
                const char *near;

                name[strcspn(name, "=")] = '\0';
                near = str_suggest(name, long_names());
                if (near != NULL)
                    *err = xasprintf("unknown option '--%s' (did you mean '--%s'?)", name, near);
                else
                    *err = xasprintf("unknown option '--%s' (see cicada --help)", name);
                free(name);
            } else {
                *err = xasprintf("unknown option '%s' (see cicada --help)", bad);
            }
            rc = -1;
            break;
        }
        if (c >= 1000) {
            o = &option_table[c - 1000];
            snprintf(flag, sizeof(flag), "--%s", o->name);
        } else {
            o = option_by_short(c);
            snprintf(flag, sizeof(flag), "-%c", c);
        }
        if (o == NULL)
            fatal("getopt returned %d", c);
        /*
         * A value given as the next word that looks like a flag
         * ("--json --headless") is a forgotten value, not a file name;
         * "--json=--odd-name" (or -x-odd, attached) says it is meant.
         */
        if (o->type != OPT_FLAG && optarg == argv[optind - 1] && optarg[0] == '-' &&
            (optarg[1] == '-' || (optarg[1] >= 'a' && optarg[1] <= 'z') ||
             (optarg[1] >= 'A' && optarg[1] <= 'Z'))) {
            *err = xasprintf("%s needs a value, but the next word '%s' looks like an option "
                             "(write %s%s%s if that is the value)",
                             flag, optarg, flag, flag[1] == '-' ? "=" : "", optarg);
            rc = -1;
            break;
        }
        if ((o->id == O_TAGS || o->id == O_EXCLUDE_TAGS) && optarg == argv[optind - 1]) {
            /*
             * -T tag1 tag2, as Locust takes it: the words after the value
             * that are not options (nor URLs) are more tags
             */
            struct buf tags;

            buf_init(&tags);
            buf_puts(&tags, optarg);
            while (optind < argc && argv[optind][0] != '-' && argv[optind][0] != '\0' &&
                   strstr(argv[optind], "://") == NULL) {
                buf_puts(&tags, ",");
                buf_puts(&tags, argv[optind++]);
            }
            cli_push(out, o, tags.data, flag);
            buf_free(&tags);
            continue;
        }
        cli_push(out, o, o->type == OPT_FLAG ? "true" : optarg, flag);
    }
    if (rc == 0) {
        for (; optind < argc; optind++) {
            out->positional = xrealloc(out->positional,
                                       (out->npositional + 1) * sizeof(*out->positional));
            out->positional[out->npositional++] = xstrdup(argv[optind]);
        }
    }
    free(longopts);
    buf_free(&shorts);
    if (rc < 0)
        cli_args_free(out);  /* fuzz_cli: what was parsed before the error leaked */
    return rc;
}

void
cli_args_free(struct cli_args *a)
{
    size_t i;

    for (i = 0; i < a->nvalues; i++) {
        free(a->values[i].text);
        free(a->values[i].flag);
    }
    free(a->values);
    for (i = 0; i < a->npositional; i++)
        free(a->positional[i]);
    free(a->positional);
    memset(a, 0, sizeof(*a));
}

const char *
cli_value(const struct cli_args *a, const char *name)
{
    const char *value = NULL;
    size_t i;

    for (i = 0; i < a->nvalues; i++)
        if (strcmp(a->values[i].opt->name, name) == 0)
            value = a->values[i].text;
    return value;
}

int
settings_apply_env(struct settings *s, char **err)
{
    const struct option_def *o;

    for (o = option_table; o->name != NULL; o++) {
        const char *value;
        struct origin where = { ORIGIN_ENV, NULL, 0, NULL };
        char *why = NULL;

        if (o->env == NULL || (value = getenv(o->env)) == NULL || value[0] == '\0')
            continue;
        where.file = o->env;
        if (option_set(s, o, value, &where, &why) < 0) {
            *err = xasprintf("%s: %s", o->env, why);
            free(why);
            return -1;
        }
    }
    return 0;
}

int
settings_apply_cli(struct settings *s, const struct cli_args *a, char **err)
{
    size_t i;

    for (i = 0; i < a->nvalues; i++) {
        struct origin where = { ORIGIN_CLI, NULL, 0, a->values[i].flag };
        char *why = NULL;

        if (option_set(s, a->values[i].opt, a->values[i].text, &where, &why) < 0) {
            *err = xasprintf("%s: %s", a->values[i].flag, why);
            free(why);
            return -1;
        }
    }
    return 0;
}

void
options_print_help(FILE *out)
{
    const struct option_def *o;

    fputs("Usage: cicada [OPTIONS] [USERCLASS ...]\n"
          "\n"
          "Load-test an HTTP API with simulated users described in an INI scenario,\n"
          "with a live dashboard on a terminal or Locust's tables when headless.\n"
          "\n"
          "Options:\n",
          out);
    for (o = option_table; o->name != NULL; o++) {
        char left[64];

        if (o->short_name != 0)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        if (strlen(left) > 28)
            fprintf(out, "  %s\n  %-28s %s\n", left, "", o->help);
        else
            fprintf(out, "  %-28s %s\n", left, o->help);
    }
    fputs("\n"
          "Values come from the scenario's [run] and [demo] sections, then CICADA_*\n"
          "environment variables, then the command line; later ones win.\n"
          "\n"
          "Exit status: 0 success, 1 some requests failed, 2 usage or scenario error,\n"
          "3 a threshold was crossed, 4 a report could not be written, 5 a --worker lost\n"
          "its master, 6 the capacity search found no MAX_RPS (above max, or below start),\n"
          "7 the generator was its limit, 130/143 stopped by SIGINT/SIGTERM.\n"
          "See cicada(1) and cicada.ini(5).\n",
          out);
}
