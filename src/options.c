/*
 * options.c: the option table and everything driven by it: value parsing
 * and validation, the command-line parser, the environment layer and
 * --help. The INI loader (scenario.c) uses the same rows for [run] and
 * [demo], so a key means the same thing wherever it is given.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "options.h"
#include "sigv4.h"
#include "threshold.h"
#include "units.h"
#include "util.h"

/*
 * Row helpers: FIELD(users) stores into settings.users, its C type found
 * by the compiler (a field of any other type does not compile); ORIGIN
 * records where the value came from; LIMITS bounds a number.
 */
#define OPTION_FIELD_TYPE(lvalue)                                                         \
    _Generic((lvalue), bool: FIELD_BOOL, unsigned: FIELD_UINT, int: FIELD_INT,           \
             double: FIELD_DOUBLE, char *: FIELD_STRING)
#define FIELD(f)                                                                          \
    .field_type = OPTION_FIELD_TYPE(((struct settings *)0)->f),                           \
    .field = offsetof(struct settings, f)
#define ORIGIN(f) .origin = offsetof(struct settings, f)
#define LIMITS(lo, hi) .min = (lo), .max = (hi)

/* The largest count any option takes (OPT_UINT rows' max is at most this). */
#define COUNT_MAX 1000000000

/* The options that do more than store their value (defined below the table). */
static option_validate_fn validate_aws_service, validate_aws_region;
static option_set_fn set_arrivals, set_mode, set_find_capacity, add_threshold, add_header,
    set_max_file_size, read_by_caller;

const struct option_def option_table[] = {
    { "file", 'f', OPT_PATH, NULL, NULL, "CICADA_FILE", "FILE",
      "scenario file (INI, see cicada.ini(5))",
      FIELD(scenario_path), ORIGIN(scenario_origin) },
    { "host", 'H', OPT_URL, "run", "host", "CICADA_HOST", "URL",
      "base URL of the API under test, e.g. http://127.0.0.1:8000",
      FIELD(host), ORIGIN(host_origin) },
    { "users", 'u', OPT_UINT, "run", "users", "CICADA_USERS", "N",
      "peak number of concurrent users (default 1)",
      FIELD(users), ORIGIN(users_origin), LIMITS(1, 10000000) },
    { "spawn-rate", 'r', OPT_RATE, "run", "spawn_rate", "CICADA_SPAWN_RATE", "RATE",
      "users started per second (default 1)",
      FIELD(spawn_rate), ORIGIN(spawn_rate_origin), .max = 1e7, .unit = "users started" },
    { "run-time", 't', OPT_DURATION, "run", "run_time", "CICADA_RUN_TIME", "TIME",
      "stop after TIME (20, 20s, 3m, 2h, 1h20m); default: until stopped",
      FIELD(run_time), ORIGIN(run_time_origin) },
    { "rate", 0, OPT_RATE, "run", "rate", "CICADA_RATE", "R",
      "open model: start R task iterations a second whatever the server does, each by a "
      "free user of the pool (-u caps it); latency counts from the intended start",
      FIELD(rate), ORIGIN(rate_origin), .max = 1e7, .unit = "task iterations started" },
    { "arrivals", 0, OPT_STRING, "run", "arrivals", "CICADA_ARRIVALS", "KIND",
      "open model: uniform (evenly spaced, the default) or poisson arrivals",
      .set = set_arrivals },
    { "find-capacity", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "search the peak RPS one instance holds, stepping the load as [capacity] says "
      "(also mode = capacity in [run])",
      .set = set_find_capacity },
    { "mode", 0, OPT_STRING, "run", "mode", "CICADA_MODE", "MODE",
      "test (the default) or capacity (as --find-capacity)",
      .set = set_mode },
    { "user-classes", 0, OPT_STRING, "run", "user_classes", "CICADA_USER_CLASSES", "A,B",
      "run only these user classes (as naming them after the options)",
      FIELD(user_classes), ORIGIN(user_classes_origin) },
    { "tags", 'T', OPT_STRING, "run", "tags", "CICADA_TAGS", "TAGS",
      "run only tasks having one of these tags (-T a,b or, as Locust, -T a b)",
      FIELD(tags), ORIGIN(tags_origin), .more_words = true },
    { "exclude-tags", 'E', OPT_STRING, "run", "exclude_tags", "CICADA_EXCLUDE_TAGS", "TAGS",
      "never run tasks having one of these tags (-E a,b or -E a b)",
      FIELD(exclude_tags), ORIGIN(exclude_tags_origin), .more_words = true },
    { "threads", 0, OPT_UINT, "run", "threads", "CICADA_THREADS", "N",
      "worker threads (default: one per CPU cicada may use)",
      FIELD(threads), LIMITS(1, 256) },
    { "stop-timeout", 's', OPT_TIMEOUT, "run", "stop_timeout", "CICADA_STOP_TIMEOUT", "TIME",
      "on stop, wait up to TIME for requests in flight (default: until they finish)",
      FIELD(stop_timeout) },
    { "timeout", 0, OPT_DURATION, "run", "timeout", "CICADA_TIMEOUT", "TIME",
      "per-request timeout (default 60s)",
      FIELD(timeout) },
    { "connect-timeout", 0, OPT_DURATION, "run", "connect_timeout", "CICADA_CONNECT_TIMEOUT",
      "TIME", "connection timeout (default 10s)",
      FIELD(connect_timeout) },
    { "headless", 0, OPT_FLAG, "run", "headless", "CICADA_HEADLESS", NULL,
      "no dashboard: print Locust's tables to stderr",
      FIELD(headless) },
    { "autostart", 0, OPT_FLAG, "run", "autostart", "CICADA_AUTOSTART", NULL,
      "start at once, skipping the dashboard's start panel",
      FIELD(autostart) },
    { "only-summary", 0, OPT_FLAG, "run", "only_summary", "CICADA_ONLY_SUMMARY", NULL,
      "print only the final tables, not the periodic ones",
      FIELD(only_summary) },
    { "reset-stats", 0, OPT_FLAG, "run", "reset_stats", "CICADA_RESET_STATS", NULL,
      "reset statistics once all users are spawned",
      FIELD(reset_stats) },
    { "exit-code-on-error", 0, OPT_EXIT_CODE, "run", "exit_code_on_error",
      "CICADA_EXIT_CODE_ON_ERROR", "CODE",
      "exit status when any request failed (default 1)",
      FIELD(exit_code_on_error) },
    { "loglevel", 'L', OPT_LOGLEVEL, "run", "loglevel", "CICADA_LOGLEVEL", "LEVEL",
      "DEBUG, INFO, WARNING, ERROR or CRITICAL (default INFO)",
      FIELD(loglevel) },
    { "logfile", 0, OPT_PATH, "run", "logfile", "CICADA_LOGFILE", "FILE",
      "write log lines to FILE instead of stderr",
      FIELD(logfile) },
    { "demo", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "start the built-in demo target and test it (with conf/demo.ini unless -f)",
      FIELD(demo) },
    { "demo-only", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "only run the demo target, print its URL and serve until stopped",
      FIELD(demo_only) },
    { "demo-slots", 0, OPT_UINT, "demo", "slots", "CICADA_DEMO_SLOTS", "N",
      "demo target: requests served at once (default 4)",
      FIELD(demo_conf.slots), LIMITS(1, COUNT_MAX) },
    { "demo-service-time", 0, OPT_DURATION_MS, "demo", "service_time",
      "CICADA_DEMO_SERVICE_TIME", "TIME", "demo target: mean service time (default 20ms)",
      FIELD(demo_conf.service_ms) },
    { "demo-service-cv", 0, OPT_FRACTION, "demo", "service_cv", "CICADA_DEMO_SERVICE_CV", "CV",
      "demo target: service time's coefficient of variation (default 0.25)",
      FIELD(demo_conf.service_cv), LIMITS(0, 10) },
    { "demo-queue", 0, OPT_UINT, "demo", "queue", "CICADA_DEMO_QUEUE", "N",
      "demo target: queue places before it answers 503 (default 32)",
      FIELD(demo_conf.queue), LIMITS(1, COUNT_MAX) },
    { "demo-port", 0, OPT_UINT, "demo", "port", "CICADA_DEMO_PORT", "PORT",
      "demo target: port on 127.0.0.1 (default: a free port)",
      FIELD(demo_conf.port), LIMITS(0, 65535) },
    { "no-color", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "no colours in the dashboard (also when NO_COLOR is set)",
      FIELD(no_color) },
    { "refresh", 0, OPT_DURATION, "run", "refresh", "CICADA_REFRESH", "TIME",
      "dashboard redraw interval (default 0.25s: at most 4 redraws a second)",
      FIELD(refresh) },
    { "csv", 0, OPT_PATH, "run", "csv", "CICADA_CSV", "PREFIX",
      "write PREFIX_stats.csv, _stats_history.csv, _failures.csv and _exceptions.csv "
      "(Locust's format)",
      FIELD(csv_prefix), ORIGIN(csv_origin) },
    { "csv-full-history", 0, OPT_FLAG, "run", "csv_full_history", "CICADA_CSV_FULL_HISTORY",
      NULL, "history rows for every entry, not only Aggregated (needs --csv)",
      FIELD(csv_full_history) },
    { "json", 0, OPT_PATH, "run", "json", "CICADA_JSON", "FILE",
      "write the run's configuration, statistics, errors, time series and thresholds as JSON",
      FIELD(json_path), ORIGIN(json_origin) },
    { "html", 0, OPT_PATH, "run", "html", "CICADA_HTML", "FILE",
      "write a self-contained HTML report (tables and SVG charts)",
      FIELD(html_path), ORIGIN(html_origin) },
    { "threshold", 0, OPT_THRESHOLD, "thresholds", "threshold", NULL, "EXPR",
      "pass/fail gate such as 'p95<150ms', 'rps>=100', 'POST /predict: fail_ratio<1%' "
      "(repeatable; exit 3 when one fails)",
      .set = add_threshold },
    { "threshold-abort", 0, OPT_FLAG, "thresholds", "abort_on_fail", "CICADA_THRESHOLD_ABORT",
      NULL, "stop the run as soon as a threshold fails (after the grace period)",
      FIELD(threshold_abort) },
    { "threshold-grace", 0, OPT_TIMEOUT, "thresholds", "grace", "CICADA_THRESHOLD_GRACE",
      "TIME", "time after the start before --threshold-abort may stop the run (default 10s)",
      FIELD(threshold_grace) },
    { "aws-sigv4", 0, OPT_STRING, "run", "aws_sigv4", "CICADA_AWS_SIGV4", "SERVICE",
      "sign every request with AWS SigV4 for SERVICE (sagemaker, execute-api, lambda...)",
      FIELD(aws_sigv4), .validate = validate_aws_service },
    { "aws-region", 0, OPT_STRING, "run", "aws_region", "CICADA_AWS_REGION", "REGION",
      "AWS region to sign for (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)",
      FIELD(aws_region), ORIGIN(aws_region_origin), .validate = validate_aws_region },
    { "aws-profile", 0, OPT_STRING, "run", "aws_profile", "CICADA_AWS_PROFILE", "NAME",
      "AWS credentials profile (default: AWS_PROFILE, else the environment's keys, "
      "else 'default')",
      FIELD(aws_profile) },
    { "env-file", 0, OPT_PATH, NULL, NULL, "CICADA_ENV_FILE", "FILE",
      "variables for ${NAME} in the scenario (default: .env next to it)",
      FIELD(env_file) },
    { "max-file-size", 0, OPT_STRING, NULL, NULL, "CICADA_MAX_FILE_SIZE", "SIZE",
      "largest data, body or env file read, and scenario file (default 64M)",
      .set = set_max_file_size },
    { "worker", 0, OPT_FLAG, "run", "worker", "CICADA_WORKER", NULL,
      "run as a worker of a Locust master, which decides users and run time",
      FIELD(worker) },
    { "master-host", 0, OPT_STRING, "run", "master_host", "CICADA_MASTER_HOST", "HOST",
      "host of the Locust master to join with --worker (default 127.0.0.1)",
      FIELD(master_host) },
    { "master-port", 0, OPT_UINT, "run", "master_port", "CICADA_MASTER_PORT", "PORT",
      "port the Locust master listens on for workers (default 5557)",
      FIELD(master_port), LIMITS(1, 65535) },
    { "master-timeout", 0, OPT_DURATION, "run", "master_timeout", "CICADA_MASTER_TIMEOUT",
      "TIME", "--worker: give up after TIME without a master (default 60s)",
      FIELD(master_timeout) },
    { "locustfile", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "print a locustfile with the scenario's user classes for the Locust master, and exit",
      FIELD(print_locustfile) },
    /* issue 16: a one-off run without a scenario file, as wrk, hey and curl users expect */
    { "method", 'm', OPT_STRING, NULL, NULL, NULL, "METHOD",
      "with a URL argument: the request's method (default GET, POST with -d or -D)",
      FIELD(oneoff_method) },
    { "data", 'd', OPT_STRING, NULL, NULL, NULL, "BODY",
      "with a URL argument: the request's body",
      FIELD(oneoff_data) },
    { "data-file", 'D', OPT_PATH, NULL, NULL, NULL, "FILE",
      "with a URL argument: the request's body, read from FILE",
      FIELD(oneoff_data_file) },
    { "header", 'A', OPT_STRING, NULL, NULL, NULL, "'NAME: VALUE'",
      "with a URL argument: a request header (repeatable)",
      .set = add_header },
    { "dump-ini", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "with a URL argument: print the scenario it makes as an INI file and exit",
      .set = read_by_caller },
    /* Locust's informational commands and options */
    { "list", 'l', OPT_FLAG, NULL, NULL, NULL, NULL,
      "list the user classes and their tasks, and exit",
      FIELD(list_classes) },
    { "show-task-ratio", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "print each task's share per user class and overall (Locust's format), and exit",
      FIELD(show_task_ratio) },
    { "show-task-ratio-json", 0, OPT_FLAG, NULL, NULL, NULL, NULL,
      "the same as JSON (Locust's format), and exit",
      FIELD(show_task_ratio_json) },
    { "autoquit", 0, OPT_TIMEOUT, "run", "autoquit", "CICADA_AUTOQUIT", "TIME",
      "leave the dashboard TIME after the run ends (with --autostart)",
      FIELD(autoquit) },
    { "print-stats", 0, OPT_FLAG, "run", "print_stats", "CICADA_PRINT_STATS", NULL,
      "with the dashboard: also write the periodic tables to stderr when it is not the "
      "terminal",
      FIELD(print_stats) },
    { "config", 0, OPT_PATH, NULL, NULL, NULL, "FILE",
      "read Locust's configuration file FILE (default: ./locust.conf if present)",
      .set = read_by_caller },
    { "help", 'h', OPT_FLAG, NULL, NULL, NULL, NULL, "print this help and exit",
      .set = read_by_caller },
    { "version", 'V', OPT_FLAG, NULL, NULL, NULL, NULL, "print the version and exit",
      .set = read_by_caller },
    { .name = NULL },
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

static const struct option_def *
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
validate_url(const char *text, char **why)
{
    CURLU *u = curl_url();
    char *host = NULL;
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

/* The name a message gives an option: its INI key, else its long flag. */
static const char *
label(const struct option_def *opt)
{
    return opt->key != NULL ? opt->key : opt->name;
}

/* *err = "bad value "TEXT" for LABEL: " and the reason; returns -1. */
static int PRINTFLIKE(4, 5)
bad_value(const struct option_def *opt, const char *text, char **err, const char *fmt, ...)
{
    va_list ap;
    char *why;

    va_start(ap, fmt);
    why = xvasprintf(fmt, ap);
    va_end(ap);
    *err = xasprintf("bad value \"%s\" for %s: %s", text, label(opt), why);
    free(why);
    return -1;
}

/* Parse text as the row's type says and check it; 0, or -1 with *err. */
static int
parse_value(const struct option_def *opt, const char *text, union option_value *v, char **err)
{
    char *why = NULL;
    enum log_level level;

    switch (opt->type) {
    case OPT_FLAG:
        if (parse_bool(text, &v->b) < 0)
            return bad_value(opt, text, err, "expected true or false");
        return 0;
    case OPT_THRESHOLD:
    case OPT_STRING:
    case OPT_PATH:
        if (text[0] == '\0') {
            *err = xasprintf("%s needs a value", label(opt));
            return -1;
        }
        return 0;
    case OPT_URL:
        if (validate_url(text, &why) < 0) {
            bad_value(opt, text, err, "%s", why);
            free(why);
            return -1;
        }
        return 0;
    case OPT_UINT:
        if (units_parse_count(text, &v->n) < 0 || v->n > COUNT_MAX)
            return bad_value(opt, text, err, "expected a whole number >= %.0f", opt->min);
        if (v->n < opt->min)
            return bad_value(opt, text, err, "must be at least %.0f", opt->min);
        if (v->n > opt->max)
            return bad_value(opt, text, err, "too large (at most %.0f)", opt->max);
        return 0;
    case OPT_RATE:
        if (units_parse_double(text, &v->d) < 0 || !(v->d > 0) || v->d > opt->max)
            return bad_value(opt, text, err, "expected a number above 0 (%s per second, e.g. "
                             "10 or 0.5)", opt->unit);
        return 0;
    case OPT_DURATION:
        if (units_parse_duration(text, &v->d) < 0 || !(v->d > 0))
            return bad_value(opt, text, err, "expected a duration above 0 such as 20, 20s, "
                             "3m, 2h, 1h20m or 1.5s");
        return 0;
    case OPT_DURATION_MS:
        if (units_parse_duration_ms(text, &v->d) < 0 || !(v->d > 0))
            return bad_value(opt, text, err, "expected a duration above 0 such as 20ms, 0.5s "
                             "or 20 (milliseconds)");
        v->d *= 1000.0;
        return 0;
    case OPT_TIMEOUT:
        if (units_parse_duration(text, &v->d) < 0 || v->d < 0)
            return bad_value(opt, text, err, "expected a duration such as 0, 10s or 1m");
        return 0;
    case OPT_EXIT_CODE:
        if (units_parse_count(text, &v->n) < 0 || v->n > 255)
            return bad_value(opt, text, err, "expected an exit status from 0 to 255");
        return 0;
    case OPT_LOGLEVEL:
        if (log_parse_level(text, &level) < 0)
            return bad_value(opt, text, err, "expected DEBUG, INFO, WARNING, ERROR or "
                             "CRITICAL");
        v->n = level;
        return 0;
    case OPT_FRACTION:
        if (units_parse_double(text, &v->d) < 0 || v->d < opt->min || v->d > opt->max)
            return bad_value(opt, text, err, "expected a number from %g to %g", opt->min,
                             opt->max);
        return 0;
    }
    fatal("option %s has an unknown type %d", opt->name, (int)opt->type);
}

/* Can a field of this C type hold a value of the row's type? */
static bool
field_fits(enum option_type type, enum option_field field)
{
    switch (type) {
    case OPT_FLAG:
        return field == FIELD_BOOL;
    case OPT_STRING:
    case OPT_PATH:
    case OPT_URL:
        return field == FIELD_STRING;
    case OPT_UINT:
    case OPT_EXIT_CODE:
    case OPT_LOGLEVEL:
        return field == FIELD_UINT || field == FIELD_INT;
    case OPT_RATE:
    case OPT_DURATION:
    case OPT_DURATION_MS:
    case OPT_TIMEOUT:
    case OPT_FRACTION:
        return field == FIELD_DOUBLE;
    case OPT_THRESHOLD:
        return false;
    }
    return false;
}

const char *
option_row_problem(const struct option_def *o)
{
    if ((o->section == NULL) != (o->key == NULL))
        return "a section needs a key, and a key a section";
    if ((o->type == OPT_FLAG) != (o->arg == NULL))
        return "a flag takes no argument name; any other type needs one";
    if (o->help == NULL)
        return "no help text";
    if (o->field_type == FIELD_NONE && o->set == NULL)
        return "neither a field nor a setter: the value would go nowhere";
    if (o->field_type != FIELD_NONE && o->set != NULL)
        return "both a field and a setter";
    if (o->field_type != FIELD_NONE && !field_fits(o->type, o->field_type))
        return "its field cannot hold a value of its type";
    if ((o->type == OPT_UINT || o->type == OPT_FRACTION) &&
        !(o->min >= 0 && o->min <= o->max && o->max > 0))
        return "a number needs LIMITS(min, max)";
    if (o->type == OPT_UINT && o->max > COUNT_MAX)
        return "a count's max is at most COUNT_MAX";
    if (o->type == OPT_RATE && (!(o->max > 0) || o->unit == NULL))
        return "a rate needs its .max and .unit";
    return NULL;
}

/* Store a checked value in the row's field, and where it came from. */
static void
store(struct settings *s, const struct option_def *opt, const char *text,
      const union option_value *v, const struct origin *where)
{
    void *field = (char *)s + opt->field;

    switch (opt->field_type) {
    case FIELD_BOOL:
        *(bool *)field = v->b;
        break;
    case FIELD_UINT:
        *(unsigned *)field = (unsigned)v->n;
        break;
    case FIELD_INT:
        *(int *)field = (int)v->n;
        break;
    case FIELD_DOUBLE:
        *(double *)field = v->d;
        break;
    case FIELD_STRING:
        set_string((char **)field, text);
        break;
    case FIELD_NONE:
        fatal("option %s has no setter", opt->name);
    }
    if (opt->origin != 0)
        *(struct origin *)((char *)s + opt->origin) = *where;
}

int
option_set(struct settings *s, const struct option_def *opt, const char *text,
           const struct origin *where, char **err)
{
    union option_value v = { 0 };
    const char *problem = option_row_problem(opt);

    if (problem != NULL)
        fatal("option %s: %s", opt->name, problem);
    if (parse_value(opt, text, &v, err) < 0)
        return -1;
    if (opt->validate != NULL && opt->validate(opt, text, err) < 0)
        return -1;
    if (opt->set != NULL)
        return opt->set(s, opt, text, &v, where, err);
    store(s, opt, text, &v, where);
    return 0;
}

/* ---- the options that do more than store their value ---- */

/* --aws-sigv4: a service cicada can sign for. */
static int
validate_aws_service(const struct option_def *opt, const char *text, char **err)
{
    if (strcmp(text, "s3") == 0)
        return bad_value(opt, text, err, "S3 signs paths and bodies its own way, which cicada "
                         "does not do");
    if (!sigv4_valid_service(text))
        return bad_value(opt, text, err, "expected an AWS service name in lower case, such "
                         "as sagemaker, execute-api or lambda");
    return 0;
}

static int
validate_aws_region(const struct option_def *opt, const char *text, char **err)
{
    if (!sigv4_valid_region(text))
        return bad_value(opt, text, err, "expected an AWS region such as us-east-1 or "
                         "eu-west-2");
    return 0;
}

static int
set_arrivals(struct settings *s, const struct option_def *opt, const char *text,
             const union option_value *v, const struct origin *where, char **err)
{
    if (arrivals_parse(text, &s->arrivals) < 0)
        return bad_value(opt, text, err, "expected uniform or poisson");
    return 0;
}

/* mode = test | capacity: the same switch as --find-capacity. */
static int
set_mode(struct settings *s, const struct option_def *opt, const char *text,
         const union option_value *v, const struct origin *where, char **err)
{
    if (strcasecmp(text, "capacity") == 0)
        s->find_capacity = true;
    else if (strcasecmp(text, "test") == 0)
        s->find_capacity = false;
    else
        return bad_value(opt, text, err, "expected test or capacity");
    s->mode_origin = *where;
    return 0;
}

/* --find-capacity: where the mode came from is remembered only when it is on. */
static int
set_find_capacity(struct settings *s, const struct option_def *opt, const char *text,
                  const union option_value *v, const struct origin *where, char **err)
{
    s->find_capacity = v->b;
    if (v->b)
        s->mode_origin = *where;
    return 0;
}

/* --threshold, threshold = in [thresholds]: each one given adds one. */
static int
add_threshold(struct settings *s, const struct option_def *opt, const char *text,
              const union option_value *v, const struct origin *where, char **err)
{
    struct threshold t;

    if (threshold_parse(text, &t, err) < 0)
        return -1;
    t.origin = *where;
    s->thresholds = xrealloc(s->thresholds, (s->nthresholds + 1) * sizeof(*s->thresholds));
    s->thresholds[s->nthresholds++] = t;
    return 0;
}

/* -A: each one given adds a header. */
static int
add_header(struct settings *s, const struct option_def *opt, const char *text,
           const union option_value *v, const struct origin *where, char **err)
{
    s->oneoff_headers = xrealloc(s->oneoff_headers,
                                 (s->noneoff_headers + 1) * sizeof(*s->oneoff_headers));
    s->oneoff_headers[s->noneoff_headers++] = xstrdup(text);
    return 0;
}

/* --max-file-size: process-wide, util.c's file reads (set before the scenario is read). */
static int
set_max_file_size(struct settings *s, const struct option_def *opt, const char *text,
                  const union option_value *v, const struct origin *where, char **err)
{
    unsigned long long n;

    if (units_parse_size(text, &n) < 0 || n == 0)
        return bad_value(opt, text, err, "expected a size above 0 such as 64M, 1G or 500k");
    util_set_max_file_size(n);
    return 0;
}

/*
 * --help, --version, --config, --dump-ini: app.c reads them from the
 * command line (cli_value) before any setting applies; nothing to store.
 */
static int
read_by_caller(struct settings *s, const struct option_def *opt, const char *text,
               const union option_value *v, const struct origin *where, char **err)
{
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
        if (o->more_words && optarg == argv[optind - 1]) {
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
