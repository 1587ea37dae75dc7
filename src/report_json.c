/*
 * report_json.c: --json FILE, one document built with cJSON:
 *
 *   { "cicada": {version}, "run": {times, stop reason, exit status},
 *     "config": {settings and scenario, secrets redacted},
 *     "stats": [per entry], "aggregated": {...}, "errors": [...],
 *     "series": [per second], "thresholds": [...], "generator": {CPU, RSS} }
 *
 * tests/report.schema.json describes it and the tests validate against it.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "outfile.h"
#include "capacity.h"
#include "report.h"
#include "secret.h"
#include "threshold.h"
#include "util.h"

/* A number, or null when it is not finite. */
static void
add_number(cJSON *obj, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

/* Would this header's value be a credential? */
static bool
secret_header(const char *name, size_t len)
{
    static const char *const words[] = { "auth", "token", "key", "secret", "cookie",
                                         "password", "credential", "signature" };
    char lower[128];
    size_t i;

    if (len >= sizeof(lower))
        len = sizeof(lower) - 1;
    for (i = 0; i < len; i++)
        lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    lower[len] = '\0';
    for (i = 0; i < ARRAY_LEN(words); i++)
        if (strstr(lower, words[i]) != NULL)
            return true;
    return false;
}

/* "Name: value" with the value replaced when it may be a credential. */
static cJSON *
header_item(const char *header)
{
    const char *colon = strchr(header, ':');
    char *text;
    cJSON *item;

    if (colon != NULL && secret_header(header, (size_t)(colon - header)))
        text = xasprintf("%.*s: [redacted]", (int)(colon - header), header);
    else
        text = xstrdup(header);
    secret_redact(text);
    item = cJSON_CreateString(text);
    free(text);
    return item;
}

/* A URL without its password ("http://user:[redacted]@host"). */
static char *
redact_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *at, *colon, *slash;

    if (scheme == NULL)
        return report_redact(url);
    slash = strchr(scheme + 3, '/');
    at = strchr(scheme + 3, '@');
    if (at == NULL || (slash != NULL && at > slash))
        return report_redact(url);
    colon = memchr(scheme + 3, ':', (size_t)(at - (scheme + 3)));
    if (colon == NULL)
        return report_redact(url);
    {
        char *out = xasprintf("%.*s:[redacted]%s", (int)(colon - url), url, at);

        secret_redact(out);
        return out;
    }
}

/* Add a string with every secret masked. */
static void
add_redacted(cJSON *obj, const char *key, const char *value)
{
    char *copy = report_redact(value);

    cJSON_AddStringToObject(obj, key, copy);
    free(copy);
}

static const char *
wait_name(enum wait_kind k)
{
    switch (k) {
    case WAIT_CONSTANT: return "constant";
    case WAIT_BETWEEN: return "between";
    case WAIT_PACING: return "pacing";
    case WAIT_THROUGHPUT: return "throughput";
    }
    return "?";
}

static cJSON *
config_json(const struct report_run *run)
{
    const struct settings *s = run->settings;
    const struct scenario *sc = run->scenario;
    cJSON *cfg = cJSON_CreateObject(), *classes = cJSON_AddArrayToObject(cfg, "classes");
    char *host = run->host != NULL ? redact_url(run->host) : NULL;

    cJSON_AddStringToObject(cfg, "scenario", sc != NULL && sc->path != NULL ? sc->path : "");
    if (host != NULL)
        cJSON_AddStringToObject(cfg, "host", host);
    else
        cJSON_AddNullToObject(cfg, "host");
    free(host);
    cJSON_AddNumberToObject(cfg, "users", s->users);
    add_number(cfg, "spawn_rate", s->spawn_rate);
    if (s->run_time > 0)
        add_number(cfg, "run_time_s", s->run_time);
    else
        cJSON_AddNullToObject(cfg, "run_time_s");
    cJSON_AddNumberToObject(cfg, "threads", run->threads);
    add_number(cfg, "timeout_s", s->timeout);
    add_number(cfg, "connect_timeout_s", s->connect_timeout);
    if (s->stop_timeout >= 0)
        add_number(cfg, "stop_timeout_s", s->stop_timeout);
    else
        cJSON_AddNullToObject(cfg, "stop_timeout_s");
    cJSON_AddBoolToObject(cfg, "demo", s->demo);
    for (size_t i = 0; sc != NULL && i < sc->nclasses; i++) {
        const struct user_class *uc = &sc->classes[i];
        cJSON *c = cJSON_CreateObject(), *tasks, *headers, *wait;

        cJSON_AddStringToObject(c, "name", uc->name);
        cJSON_AddNumberToObject(c, "weight", uc->weight);
        cJSON_AddNumberToObject(c, "fixed_count", uc->fixed_count);
        wait = cJSON_AddObjectToObject(c, "wait");
        cJSON_AddStringToObject(wait, "kind", wait_name(uc->wait.kind));
        add_number(wait, "a", uc->wait.a);
        add_number(wait, "b", uc->wait.b);
        headers = cJSON_AddArrayToObject(c, "headers");
        for (size_t h = 0; h < uc->nheaders; h++)
            cJSON_AddItemToArray(headers, header_item(uc->headers[h]));
        tasks = cJSON_AddArrayToObject(c, "tasks");
        for (size_t j = 0; j < uc->ntasks; j++) {
            const struct task *t = &uc->tasks[j];
            cJSON *tj = cJSON_CreateObject(), *th;

            cJSON_AddStringToObject(tj, "id", t->id);
            cJSON_AddStringToObject(tj, "method", t->method);
            add_redacted(tj, "path", t->path);
            add_redacted(tj, "name", t->name != NULL ? t->name : t->path);
            cJSON_AddNumberToObject(tj, "weight", t->weight);
            th = cJSON_AddArrayToObject(tj, "headers");
            for (size_t h = 0; h < t->nheaders; h++)
                cJSON_AddItemToArray(th, header_item(t->headers[h]));
            cJSON_AddNumberToObject(tj, "body_bytes", (double)t->body_len);
            cJSON_AddItemToArray(tasks, tj);
        }
        cJSON_AddItemToArray(classes, c);
    }
    return cfg;
}

static cJSON *
entry_json(const struct stats *s, const struct stats_entry *e)
{
    cJSON *o = cJSON_CreateObject(), *pct;

    cJSON_AddStringToObject(o, "method", e->method);
    add_redacted(o, "name", e->name);
    cJSON_AddNumberToObject(o, "num_requests", (double)e->num_requests);
    cJSON_AddNumberToObject(o, "num_failures", (double)e->num_failures);
    cJSON_AddNumberToObject(o, "num_resent", (double)e->num_resent);
    add_number(o, "fail_ratio", stats_fail_ratio(e));
    cJSON_AddNumberToObject(o, "num_throttled", (double)e->num_throttled);
    add_number(o, "throttle_ratio", stats_throttle_ratio(e));
    add_number(o, "median_response_time_ms", stats_median_ms(e));
    add_number(o, "avg_response_time_ms", stats_avg_ms(e));
    add_number(o, "min_response_time_ms", stats_min_ms(e));
    add_number(o, "max_response_time_ms", stats_max_ms(e));
    add_number(o, "avg_time_to_first_byte_ms",
               e->hist.total ? (double)e->total_ttfb_us / 1000.0 / (double)e->hist.total : 0);
    add_number(o, "avg_content_length", stats_avg_bytes(e));
    add_number(o, "total_rps", stats_total_rps(s, e));
    add_number(o, "total_fail_per_sec", stats_total_fail_per_sec(s, e));
    add_number(o, "current_rps", stats_current_rps(s, e));
    add_number(o, "current_fail_per_sec", stats_current_fail_per_sec(s, e));
    pct = cJSON_AddObjectToObject(o, "percentiles_ms");
    for (int i = 0; i < STATS_NPERCENTILES; i++) {
        char key[16];

        snprintf(key, sizeof(key), "%s", stats_percentile_labels[i]);
        key[strcspn(key, "%")] = '\0';
        if (e->num_requests == 0)
            cJSON_AddNullToObject(pct, key);
        else
            cJSON_AddNumberToObject(pct, key, (double)stats_percentile_ms(e, stats_percentiles[i]));
    }
    return o;
}

/*
 * The open model: what was offered, what was dropped, and the response
 * times from the actual send (the tables time them from the intended start).
 */
static cJSON *
open_model_json(const struct report_run *run)
{
    static const double ps[] = { 0.50, 0.90, 0.95, 0.99, 1.0 };
    static const char *const names[] = { "50", "90", "95", "99", "100" };
    const struct stats *s = run->stats;
    const struct settings *set = run->settings;
    cJSON *o = cJSON_CreateObject(), *send, *pct;
    uint64_t n = s->send_hist.total;

    if (set->rate > 0)
        cJSON_AddNumberToObject(o, "rate", set->rate);
    else
        cJSON_AddNullToObject(o, "rate");
    cJSON_AddStringToObject(o, "arrivals", arrivals_name(set->arrivals));
    cJSON_AddNumberToObject(o, "pool_users", run->target_users);
    cJSON_AddNumberToObject(o, "sent", (double)n);
    cJSON_AddNumberToObject(o, "dropped", (double)s->dropped);
    cJSON_AddStringToObject(o, "response_time_from", "intended start");
    send = cJSON_AddObjectToObject(o, "from_send");
    cJSON_AddNumberToObject(send, "num_requests", (double)n);
    if (n > 0)
        cJSON_AddNumberToObject(send, "avg_ms", (double)s->send_rt_sum_us / (double)n / 1000.0);
    else
        cJSON_AddNullToObject(send, "avg_ms");
    pct = cJSON_AddObjectToObject(send, "percentiles_ms");
    for (size_t i = 0; i < ARRAY_LEN(ps); i++) {
        uint64_t rank = ps[i] >= 1.0 ? n : (uint64_t)((double)n * ps[i]);

        if (n == 0)
            cJSON_AddNullToObject(pct, names[i]);
        else
            cJSON_AddNumberToObject(pct, names[i],
                                    (double)hist_value_at_rank(&s->send_hist, rank) / 1000.0);
    }
    return o;
}

/* The capacity search: the result and every step. */
static cJSON *
capacity_json(const struct capacity_result *r)
{
    cJSON *o = cJSON_CreateObject(), *steps;
    bool found = r->outcome == CAPACITY_FOUND && r->best != NULL;

    cJSON_AddStringToObject(o, "load", capacity_load_name(r->load));
    cJSON_AddStringToObject(o, "outcome", capacity_outcome_name(r->outcome));
    cJSON_AddStringToObject(o, "verdict", r->verdict);
    if (found) {
        cJSON *at = cJSON_AddObjectToObject(o, "at");

        cJSON_AddNumberToObject(o, "max_rps", r->max_rps);
        cJSON_AddNumberToObject(o, "invocations_per_instance", r->invocations_per_instance);
        cJSON_AddNumberToObject(at, "load", r->best->load);
        cJSON_AddNumberToObject(at, "concurrency", r->best->concurrency);
        cJSON_AddNumberToObject(at, "p50_ms", r->best->p50_ms);
        cJSON_AddNumberToObject(at, "p95_ms", r->best->p95_ms);
        cJSON_AddNumberToObject(at, "p99_ms", r->best->p99_ms);
    } else {
        cJSON_AddNullToObject(o, "max_rps");
        cJSON_AddNullToObject(o, "invocations_per_instance");
        cJSON_AddNullToObject(o, "at");
    }
    cJSON_AddNumberToObject(o, "safety_factor", r->safety_factor);
    steps = cJSON_AddArrayToObject(o, "steps");
    for (size_t i = 0; i < r->nsteps; i++) {
        const struct capacity_step *st = &r->steps[i];
        cJSON *j = cJSON_CreateObject();

        cJSON_AddNumberToObject(j, "step", st->index);
        cJSON_AddBoolToObject(j, "refine", st->refine);
        cJSON_AddNumberToObject(j, "load", st->load);
        cJSON_AddNumberToObject(j, "offered_rps", st->offered);
        cJSON_AddNumberToObject(j, "achieved_rps", st->achieved);
        cJSON_AddNumberToObject(j, "rps", st->rps);
        cJSON_AddNumberToObject(j, "requests", (double)st->requests);
        cJSON_AddNumberToObject(j, "p50_ms", st->p50_ms);
        cJSON_AddNumberToObject(j, "p95_ms", st->p95_ms);
        cJSON_AddNumberToObject(j, "p99_ms", st->p99_ms);
        cJSON_AddNumberToObject(j, "fail_ratio", st->fail_ratio);
        cJSON_AddNumberToObject(j, "throttled", (double)st->throttled);
        cJSON_AddNumberToObject(j, "throttle_ratio", st->throttle_ratio);
        cJSON_AddNumberToObject(j, "concurrency", st->concurrency);
        cJSON_AddNumberToObject(j, "generator_cpu", st->cpu_busiest);
        cJSON_AddNumberToObject(j, "dropped", (double)st->dropped);
        cJSON_AddStringToObject(j, "verdict", capacity_verdict_name(st->verdict));
        cJSON_AddStringToObject(j, "why", st->why);
        cJSON_AddItemToArray(steps, j);
    }
    return o;
}

static cJSON *
thresholds_json(const struct settings *s, const struct threshold_result *results)
{
    cJSON *arr = cJSON_CreateArray();

    for (size_t i = 0; i < s->nthresholds; i++) {
        const struct threshold *t = &s->thresholds[i];
        const struct threshold_result *res = &results[i];
        cJSON *o = cJSON_CreateObject();
        char buf[64], where[256];

        cJSON_AddStringToObject(o, "threshold", t->text);
        if (t->entry_name != NULL) {
            cJSON *entry = cJSON_AddObjectToObject(o, "entry");

            if (t->entry_method != NULL)
                cJSON_AddStringToObject(entry, "method", t->entry_method);
            else
                cJSON_AddNullToObject(entry, "method");
            cJSON_AddStringToObject(entry, "name", t->entry_name);
        } else {
            cJSON_AddStringToObject(o, "entry", "Aggregated");
        }
        cJSON_AddStringToObject(o, "metric", threshold_metric_name(t, buf, sizeof(buf)));
        cJSON_AddStringToObject(o, "op", threshold_op_text(t->op));
        add_number(o, "limit", t->limit);
        if (res->evaluated && !res->no_data)
            add_number(o, "measured", res->measured);
        else
            cJSON_AddNullToObject(o, "measured");
        cJSON_AddStringToObject(o, "unit", t->metric == TM_FAIL_RATIO ||
                                                   t->metric == TM_THROTTLE_RATIO
                                               ? "ratio"
                                           : t->metric == TM_RPS ? "req/s"
                                           : t->metric == TM_REQUESTS || t->metric == TM_FAILURES ||
                                                   t->metric == TM_THROTTLED
                                               ? "count"
                                               : "ms");
        cJSON_AddBoolToObject(o, "passed", res->evaluated && res->passed);
        cJSON_AddStringToObject(o, "origin", origin_describe(&t->origin, where, sizeof(where)));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int
json_report_write(const char *path, const struct report_run *run, char **err)
{
    const struct stats *s = run->stats;
    cJSON *root = cJSON_CreateObject(), *meta, *r, *arr, *gen;
    char buf[64];
    int *order;
    char *text;
    struct outfile out;
    int rc = 0;

    meta = cJSON_AddObjectToObject(root, "cicada");
    cJSON_AddStringToObject(meta, "version", PACKAGE_VERSION);
    cJSON_AddStringToObject(meta, "generated_at", report_iso_time(time_wall(), buf, sizeof(buf)));

    r = cJSON_AddObjectToObject(root, "run");
    if (run->start_time > 0) {
        cJSON_AddStringToObject(r, "start", report_iso_time(run->start_time, buf, sizeof(buf)));
        add_number(r, "start_unix", run->start_time);
        cJSON_AddStringToObject(r, "end", report_iso_time(run->end_time, buf, sizeof(buf)));
        add_number(r, "end_unix", run->end_time);
        add_number(r, "duration_s", run->end_time - run->start_time);
    } else {
        cJSON_AddNullToObject(r, "start");
        cJSON_AddNullToObject(r, "start_unix");
        cJSON_AddNullToObject(r, "end");
        cJSON_AddNullToObject(r, "end_unix");
        cJSON_AddNumberToObject(r, "duration_s", 0);
    }
    cJSON_AddStringToObject(r, "stopped_by", run->stopped_by != NULL ? run->stopped_by : "");
    cJSON_AddNumberToObject(r, "exit_status", run->exit_status);
    cJSON_AddNumberToObject(r, "target_users", run->target_users);

    cJSON_AddItemToObject(root, "config", config_json(run));

    arr = cJSON_AddArrayToObject(root, "stats");
    order = stats_sorted(s);
    for (size_t i = 0; i < s->nentries; i++)
        cJSON_AddItemToArray(arr, entry_json(s, &s->entries[order[i]]));
    free(order);
    cJSON_AddItemToObject(root, "aggregated", entry_json(s, &s->total));

    arr = cJSON_AddArrayToObject(root, "errors");
    for (size_t i = 0; i < s->nerrors; i++) {
        const struct stats_error *e = &s->errors[i];
        cJSON *o = cJSON_CreateObject();
        const struct stats_entry *en = &s->entries[e->entry];

        cJSON_AddStringToObject(o, "method", en->method);
        add_redacted(o, "name", en->name);
        add_redacted(o, "error", e->reason);
        if (e->example != NULL)
            add_redacted(o, "example", e->example);
        cJSON_AddNumberToObject(o, "occurrences", (double)e->occurrences);
        cJSON_AddStringToObject(o, "first_seen", report_iso_time(e->first_seen, buf, sizeof(buf)));
        cJSON_AddStringToObject(o, "last_seen", report_iso_time(e->last_seen, buf, sizeof(buf)));
        cJSON_AddItemToArray(arr, o);
    }

    arr = cJSON_AddArrayToObject(root, "series");
    for (size_t i = 0; i < s->nseries; i++) {
        const struct stats_point *p = &s->series[i];
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "time", (double)p->sec);
        cJSON_AddNumberToObject(o, "users", p->users);
        add_number(o, "current_rps", p->current_rps);
        add_number(o, "current_fail_per_sec", p->current_fail_per_sec);
        add_number(o, "p50_ms", p->p50_ms);
        add_number(o, "p95_ms", p->p95_ms);
        add_number(o, "avg_ms", p->avg_ms);
        cJSON_AddNumberToObject(o, "requests", (double)p->requests);
        cJSON_AddNumberToObject(o, "failures", (double)p->failures);
        cJSON_AddNumberToObject(o, "dropped", (double)p->dropped);
        cJSON_AddItemToArray(arr, o);
    }

    cJSON_AddItemToObject(root, "thresholds", thresholds_json(run->settings, run->thresholds));
    if (run->open)
        cJSON_AddItemToObject(root, "open_model", open_model_json(run));
    if (run->capacity != NULL)
        cJSON_AddItemToObject(root, "capacity", capacity_json(run->capacity));

    gen = cJSON_AddObjectToObject(root, "generator");
    add_number(gen, "cpu_user_s", run->cpu_user_s);
    add_number(gen, "cpu_system_s", run->cpu_system_s);
    if (run->start_time > 0 && run->end_time > run->start_time)
        add_number(gen, "cpu_percent", (run->cpu_user_s + run->cpu_system_s) * 100.0 /
                                           (run->end_time - run->start_time));
    else
        cJSON_AddNullToObject(gen, "cpu_percent");
    cJSON_AddNumberToObject(gen, "peak_rss_kb", (double)run->peak_rss_kb);
    cJSON_AddNumberToObject(gen, "threads", run->threads);

    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (text == NULL) {
        *err = xstrdup("out of memory building the JSON report");
        return -1;
    }
    if (outfile_open(&out, path, err) < 0) {
        rc = -1;
    } else {
        fputs(text, out.f);
        fputc('\n', out.f);
        if (outfile_commit(&out, err) < 0)
            rc = -1;
    }
    cJSON_free(text);
    return rc;
}
