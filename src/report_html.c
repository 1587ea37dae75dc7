/*
 * report_html.c: --html FILE, one self-contained page (no script, no
 * external asset; opens offline and prints): the run's summary, the
 * thresholds, Locust's request statistics, response time and failures
 * tables, and three charts drawn as inline SVG from the per-second series:
 * requests and failures per second, median and 95th percentile response
 * times, and users. Lines differ by dash pattern as well as colour.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "capacity.h"
#include "report.h"
#include "threshold.h"
#include "units.h"
#include "util.h"

/* Text with secrets masked and &, <, >, " escaped. */
static void
put_text(FILE *f, const char *text)
{
    char *copy = report_redact(text);
    const char *s;

    for (s = copy; *s != '\0'; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
    free(copy);
}

static void
put_cell(FILE *f, const char *text, bool num)
{
    fputs(num ? "<td class=\"n\">" : "<td>", f);
    put_text(f, text);
    fputs("</td>", f);
}

static void
put_num(FILE *f, const char *fmt, double v)
{
    char buf[64];

    snprintf(buf, sizeof(buf), fmt, v);
    put_cell(f, buf, true);
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "margin:2em auto;max-width:1100px;padding:0 1em;color:#1b1b1b;background:#fff}"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;"
    "border-bottom:1px solid #ccc;padding-bottom:.2em}"
    "table{border-collapse:collapse;width:100%;font-size:.9em}"
    "th,td{padding:.25em .5em;border-bottom:1px solid #e2e2e2;text-align:left}"
    "th{background:#f3f3f3}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.total td{font-weight:bold;border-top:2px solid #888}"
    ".pass{color:#116611;font-weight:bold}.fail{color:#b00020;font-weight:bold}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}"
    "dd{margin:0}figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.3em}"
    "svg{width:100%;height:auto;border:1px solid #ddd}"
    "svg text{font-size:12px;fill:#333}.axis{stroke:#999;stroke-width:1}"
    ".grid{stroke:#eee;stroke-width:1}.legend{font-size:12px}"
    ".s0{fill:none;stroke:#1f6fbf;stroke-width:2}"
    ".s1{fill:none;stroke:#c0392b;stroke-width:2;stroke-dasharray:6 4}"
    "@media print{body{margin:0;max-width:none}figure,table{break-inside:avoid}"
    "svg{border:none}}";

/* Which value of a series point a chart line shows. */
enum series_field { F_RPS, F_FAILS, F_P50, F_P95, F_USERS, F_DROPPED };

static double
field(const struct stats_point *p, enum series_field which)
{
    switch (which) {
    case F_RPS: return p->current_rps;
    case F_FAILS: return p->current_fail_per_sec;
    case F_P50: return p->p50_ms;
    case F_P95: return p->p95_ms;
    case F_USERS: return p->users;
    case F_DROPPED: return (double)p->dropped;
    }
    return 0;
}

/* One chart: up to two lines over the run's seconds, with axes and a legend. */
static void
put_chart(FILE *f, const struct stats *s, const char *id, const char *title, const char *unit,
          const enum series_field *fields, const char *const *labels, int nlines, bool whole)
{
    const double W = 900, H = 260, L = 60, R = 20, T = 30, B = 40;
    double pw = W - L - R, ph = H - T - B, ymax = 0;
    int64_t t0, t1;
    size_t i;
    int k;

    fprintf(f, "<figure id=\"%s\"><figcaption>", id);
    put_text(f, title);
    fputs("</figcaption>\n", f);
    fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", W, H);
    put_text(f, title);
    fputs("\" xmlns=\"http://www.w3.org/2000/svg\">\n", f);
    if (s->nseries == 0) {
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">no data</text></svg></figure>\n", W / 2 - 30,
                H / 2);
        return;
    }
    t0 = s->series[0].sec;
    t1 = s->series[s->nseries - 1].sec;
    if (t1 <= t0)
        t1 = t0 + 1;
    for (i = 0; i < s->nseries; i++)
        for (k = 0; k < nlines; k++)
            if (field(&s->series[i], fields[k]) > ymax)
                ymax = field(&s->series[i], fields[k]);
    /* grid and y labels: ticks at 1, 2 or 5 x 10^n (whole numbers for users) */
    {
        double step = units_tick_step(ymax, 5, whole);
        int nticks;

        ymax = units_tick_top(ymax, step);
        nticks = (int)lround(ymax / step);
        for (k = 0; k <= nticks; k++) {
            double y = T + ph - ph * k / (double)nticks;

            fprintf(f, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>",
                    L, y, L + pw, y);
            fprintf(f, "<text class=\"tick\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                    L - 6, y + 4, k * step);
        }
    }
    /* x labels: run time at 0, half and the end */
    for (k = 0; k <= 2; k++) {
        double secs = (double)(t1 - t0) * k / 2.0;
        double x = L + pw * k / 2.0;

        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%d:%02d</text>", x,
                T + ph + 18, (int)(secs / 60), (int)fmod(secs, 60));
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">run time (m:ss)</text>\n",
            L + pw / 2, H - 4);
    fprintf(f, "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
               "text-anchor=\"middle\">", T + ph / 2, T + ph / 2);
    put_text(f, unit);
    fputs("</text>\n", f);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>", L, T, L,
            T + ph);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", L,
            T + ph, L + pw, T + ph);

    for (k = 0; k < nlines; k++) {
        fprintf(f, "<polyline class=\"s%d\" data-series=\"", k);
        put_text(f, labels[k]);
        fputs("\" points=\"", f);
        for (i = 0; i < s->nseries; i++) {
            double x = L + pw * (double)(s->series[i].sec - t0) / (double)(t1 - t0);
            double y = T + ph - ph * field(&s->series[i], fields[k]) / ymax;

            fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
        }
        fputs("\"/>\n", f);
        /* legend */
        fprintf(f, "<line class=\"s%d\" x1=\"%.0f\" y1=\"14\" x2=\"%.0f\" y2=\"14\"/>", k,
                L + 10 + k * 200, L + 40 + k * 200);
        fprintf(f, "<text class=\"legend\" x=\"%.0f\" y=\"18\">", L + 46 + k * 200);
        put_text(f, labels[k]);
        fputs("</text>\n", f);
    }
    fputs("</svg></figure>\n", f);
}

static void
put_stats_table(FILE *f, const struct stats *s, const int *order)
{
    fputs("<h2>Request Statistics</h2>\n<table id=\"request-stats\"><thead><tr><th>Type</th>"
          "<th>Name</th><th class=\"n\"># Requests</th><th class=\"n\"># Fails</th>"
          "<th class=\"n\">Average (ms)</th><th class=\"n\">Min (ms)</th>"
          "<th class=\"n\">Max (ms)</th><th class=\"n\">Average size (bytes)</th>"
          "<th class=\"n\">RPS</th><th class=\"n\">Failures/s</th>"
          "<th class=\"n\" title=\"average time from sending the request to the first byte "
          "of the response\">Avg time to first byte (ms)</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i <= s->nentries; i++) {
        const struct stats_entry *e = i < s->nentries ? &s->entries[order[i]] : &s->total;

        fputs(i < s->nentries ? "<tr>" : "<tr class=\"total\">", f);
        put_cell(f, e->method, false);
        put_cell(f, e->name, false);
        put_num(f, "%.0f", (double)e->num_requests);
        put_num(f, "%.0f", (double)e->num_failures);
        put_num(f, "%.0f", stats_avg_ms(e));
        put_num(f, "%.0f", stats_min_ms(e));
        put_num(f, "%.0f", stats_max_ms(e));
        put_num(f, "%.0f", stats_avg_bytes(e));
        put_num(f, "%.1f", stats_total_rps(s, e));
        put_num(f, "%.1f", stats_total_fail_per_sec(s, e));
        put_num(f, "%.1f", stats_avg_ttfb_ms(e));
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void
put_percentile_table(FILE *f, const struct stats *s, const int *order)
{
    fputs("<h2>Response Time Statistics</h2>\n<table id=\"response-times\"><thead><tr>"
          "<th>Type</th><th>Name</th>",
          f);
    for (int k = 0; k < STATS_NPERCENTILES; k++)
        fprintf(f, "<th class=\"n\">%s ile (ms)</th>", stats_percentile_labels[k]);
    fputs("<th class=\"n\"># reqs</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i <= s->nentries; i++) {
        const struct stats_entry *e = i < s->nentries ? &s->entries[order[i]] : &s->total;

        fputs(i < s->nentries ? "<tr>" : "<tr class=\"total\">", f);
        put_cell(f, e->method, false);
        put_cell(f, e->name, false);
        for (int k = 0; k < STATS_NPERCENTILES; k++) {
            if (e->num_requests == 0)
                put_cell(f, "N/A", true);
            else
                put_num(f, "%.0f", (double)stats_percentile_ms(e, stats_percentiles[k]));
        }
        put_num(f, "%.0f", (double)e->num_requests);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

static void
put_failures_table(FILE *f, const struct stats *s)
{
    size_t *order = xcalloc(s->nerrors + 1, sizeof(*order));
    size_t i, j;

    fputs("<h2>Failures Statistics</h2>\n", f);
    if (s->nerrors == 0) {
        fputs("<p id=\"failures\">No failures.</p>\n", f);
        free(order);
        return;
    }
    /* most frequent first */
    for (i = 0; i < s->nerrors; i++) {
        for (j = i; j > 0 && s->errors[order[j - 1]].occurrences < s->errors[i].occurrences; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    fputs("<table id=\"failures\"><thead><tr><th class=\"n\"># Failures</th><th>Method</th>"
          "<th>Name</th><th>Error</th></tr></thead><tbody>\n",
          f);
    for (i = 0; i < s->nerrors; i++) {
        const struct stats_error *e = &s->errors[order[i]];

        fputs("<tr>", f);
        put_num(f, "%.0f", (double)e->occurrences);
        put_cell(f, s->entries[e->entry].method, false);
        put_cell(f, s->entries[e->entry].name, false);
        put_cell(f, e->reason, false);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
    free(order);
}

static void
put_thresholds(FILE *f, const struct settings *st, const struct threshold_result *results)
{
    if (st->nthresholds == 0)
        return;
    fputs("<h2>Thresholds</h2>\n<table id=\"thresholds\"><thead><tr><th>Result</th>"
          "<th>Threshold</th><th class=\"n\">Measured</th></tr></thead><tbody>\n",
          f);
    for (size_t i = 0; i < st->nthresholds; i++) {
        const struct threshold *t = &st->thresholds[i];
        const struct threshold_result *res = &results[i];
        char buf[64];

        fprintf(f, "<tr><td class=\"%s\">%s</td>", res->passed ? "pass" : "fail",
                res->passed ? "PASS" : "FAIL");
        put_cell(f, t->text, false);
        put_cell(f, threshold_format_value(t, res, buf, sizeof(buf)), true);
        fputs("</tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
}

/*
 * The capacity search: the result, every step's row, and latency against
 * throughput (p50 and p95 over the achieved req/s of each step, in the
 * order run), the passing steps' points green, the others red.
 */
static void
put_capacity(FILE *f, const struct capacity_result *r)
{
    const double W = 900, H = 300, L = 60, R = 20, T = 30, B = 40;
    double pw = W - L - R, ph = H - T - B, xmax = 0, ymax = 0;
    size_t i;
    int k;

    fputs("<h2>Capacity</h2>\n<p id=\"capacity-verdict\">", f);
    fprintf(f, "<b>%s</b> (load = %s): ", capacity_outcome_name(r->outcome),
            capacity_load_name(r->load));
    put_text(f, r->verdict);
    fputs("</p>\n", f);
    if (r->outcome == CAPACITY_FOUND && r->best != NULL)
        fprintf(f, "<p id=\"capacity-result\">MAX_RPS <b>%.1f</b> req/s at %.4g %s "
                "(concurrency %.1f; p50 %.0f ms, p95 %.0f ms, p99 %.0f ms). "
                "SageMakerVariantInvocationsPerInstance = %.1f &times; %g &times; 60 = "
                "<b>%.0f</b></p>\n", r->max_rps, r->best->load,
                r->load == CAPACITY_USERS ? "users" : "req/s offered", r->best->concurrency,
                r->best->p50_ms, r->best->p95_ms, r->best->p99_ms, r->max_rps, r->safety_factor,
                r->invocations_per_instance);
    fputs("<table id=\"capacity-steps\"><thead><tr><th>Step</th><th class=\"n\">Load</th>"
          "<th class=\"n\">Offered req/s</th><th class=\"n\">Achieved req/s</th>"
          "<th class=\"n\">p50 ms</th><th class=\"n\">p95 ms</th><th class=\"n\">p99 ms</th>"
          "<th class=\"n\">Failed</th><th class=\"n\">Throttled</th><th class=\"n\">Dropped</th><th>Verdict</th><th>Why</th>"
          "</tr></thead><tbody>\n", f);
    for (i = 0; i < r->nsteps; i++) {
        const struct capacity_step *st = &r->steps[i];
        char step[16];

        snprintf(step, sizeof(step), "%u%s", st->index, st->refine ? " (refine)" : "");
        fputs("<tr>", f);
        put_cell(f, step, false);
        put_num(f, "%.4g", st->load);
        put_num(f, "%.1f", st->offered);
        put_num(f, "%.1f", st->achieved);
        put_num(f, "%.0f", st->p50_ms);
        put_num(f, "%.0f", st->p95_ms);
        put_num(f, "%.0f", st->p99_ms);
        put_num(f, "%.2f%%", st->fail_ratio * 100);
        put_num(f, "%.2f%%", st->throttle_ratio * 100);
        put_num(f, "%.0f", (double)st->dropped);
        fprintf(f, "<td class=\"%s\">%s</td>", st->verdict == STEP_PASS ? "pass" : "fail",
                capacity_verdict_name(st->verdict));
        put_cell(f, st->why, false);
        fputs("</tr>\n", f);
        if (st->achieved > xmax)
            xmax = st->achieved;
        if (st->p95_ms > ymax)
            ymax = st->p95_ms;
    }
    fputs("</tbody></table>\n", f);
    if (r->nsteps == 0)
        return;
    xmax = units_nice_ceiling(xmax > 0 ? xmax : 1);
    ymax = units_nice_ceiling(ymax > 0 ? ymax : 1);
    fputs("<figure id=\"chart-capacity\"><figcaption>Latency against throughput"
          "</figcaption>\n", f);
    fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\""
            "Latency against throughput\" xmlns=\"http://www.w3.org/2000/svg\">\n", W, H);
    for (k = 0; k <= 4; k++) {
        double y = T + ph - ph * k / 4.0, x = L + pw * k / 4.0;

        fprintf(f, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", L,
                y, L + pw, y);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>", L - 6, y + 4,
                ymax * k / 4.0);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n", x,
                T + ph + 18, xmax * k / 4.0);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">achieved req/s</text>\n",
            L + pw / 2, H - 4);
    fprintf(f, "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" "
               "text-anchor=\"middle\">ms</text>\n", T + ph / 2, T + ph / 2);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>", L, T,
            L, T + ph);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", L,
            T + ph, L + pw, T + ph);
    for (k = 0; k < 2; k++) {
        fprintf(f, "<polyline class=\"s%d\" data-series=\"%s\" points=\"", k,
                k == 0 ? "p95" : "p50");
        for (i = 0; i < r->nsteps; i++) {
            const struct capacity_step *st = &r->steps[i];
            double v = k == 0 ? st->p95_ms : st->p50_ms;

            fprintf(f, "%s%.1f,%.1f", i ? " " : "", L + pw * st->achieved / xmax,
                    T + ph - ph * v / ymax);
        }
        fputs("\"/>\n", f);
        fprintf(f, "<line class=\"s%d\" x1=\"%.0f\" y1=\"14\" x2=\"%.0f\" y2=\"14\"/>"
                "<text class=\"legend\" x=\"%.0f\" y=\"18\">%s</text>\n", k, L + 10 + k * 200,
                L + 40 + k * 200, L + 46 + k * 200, k == 0 ? "95th percentile" : "Median");
    }
    for (i = 0; i < r->nsteps; i++) {
        const struct capacity_step *st = &r->steps[i];

        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>step %u: "
                "%.1f req/s, p95 %.0f ms, %s</title></circle>\n", L + pw * st->achieved / xmax,
                T + ph - ph * st->p95_ms / ymax, st->verdict == STEP_PASS ? "#116611" : "#b00020",
                st->index, st->achieved, st->p95_ms, capacity_verdict_name(st->verdict));
    }
    fputs("</svg></figure>\n", f);
}

/* The open model's lines of the summary. */
static void
put_open_model(FILE *f, const struct report_run *run)
{
    const struct stats *s = run->stats;
    const struct hist *h = &s->send_hist;
    uint64_t n = h->total;

    fputs("<dt>Open model</dt><dd id=\"open-model\">", f);
    if (run->settings->rate > 0)
        fprintf(f, "%g arrivals/s (%s), ", run->settings->rate,
                arrivals_name(run->settings->arrivals));
    else
        fprintf(f, "rate stages (%s), ", arrivals_name(run->settings->arrivals));
    fprintf(f, "%llu sent, %llu dropped (no free user in the pool of %u); the response times "
            "count from each arrival's intended start", (unsigned long long)n,
            (unsigned long long)s->dropped, run->target_users);
    if (n > 0)
        fprintf(f, "; from the actual send: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms",
                (double)hist_value_at_rank(h, (uint64_t)(n * 0.50)) / 1000.0,
                (double)hist_value_at_rank(h, (uint64_t)(n * 0.90)) / 1000.0,
                (double)hist_value_at_rank(h, (uint64_t)(n * 0.99)) / 1000.0);
    fputs("</dd>\n", f);
}

int
html_report_write(const char *path, const struct report_run *run, char **err)
{
    static const enum series_field rps[] = { F_RPS, F_FAILS };
    static const enum series_field times[] = { F_P95, F_P50 };
    static const enum series_field users[] = { F_USERS };
    static const char *const rps_labels[] = { "RPS", "Failures/s" };
    static const char *const time_labels[] = { "95th percentile", "Median" };
    static const char *const user_labels[] = { "Users" };
    const struct stats *s = run->stats;
    char t0[64], t1[64], dur[32];
    int *order;
    FILE *f;
    struct outfile out;

    if (outfile_open(&out, path, err) < 0)
        return -1;
    f = out.f;
    order = stats_sorted(s);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>cicada test report</title>\n<style>",
          f);
    fputs(style, f);
    fputs("</style></head><body>\n<h1>cicada test report</h1>\n<dl id=\"summary\">\n", f);
    if (run->start_time > 0) {
        report_iso_time(run->start_time, t0, sizeof(t0));
        report_iso_time(run->end_time, t1, sizeof(t1));
        units_format_duration(run->end_time - run->start_time, dur, sizeof(dur));
        fprintf(f, "<dt>During</dt><dd>%s &ndash; %s (%s)</dd>\n", t0, t1, dur);
    } else {
        fputs("<dt>During</dt><dd>no test was started</dd>\n", f);
    }
    fputs("<dt>Target host</dt><dd>", f);
    put_text(f, run->host != NULL ? run->host : "(per task)");
    fputs("</dd>\n<dt>Script</dt><dd>", f);
    put_text(f, run->scenario != NULL && run->scenario->path ? run->scenario->path : "");
    fprintf(f, "</dd>\n<dt>Users</dt><dd>%u (spawn rate %g/s, %u thread%s)</dd>\n",
            run->target_users, run->settings->spawn_rate, run->threads,
            run->threads == 1 ? "" : "s");
    fputs("<dt>Stopped by</dt><dd>", f);
    put_text(f, run->stopped_by != NULL ? run->stopped_by : "");
    fprintf(f, " (exit status %d)</dd>\n", run->exit_status);
    fprintf(f, "<dt>Requests</dt><dd>%llu, %llu failed (%.2f%%)</dd>\n",
            (unsigned long long)s->total.num_requests, (unsigned long long)s->total.num_failures,
            stats_fail_ratio(&s->total) * 100.0);
    if (s->total.num_resent > 0)
        fprintf(f, "<dt>Resent</dt><dd id=\"resent\">%llu safe requests sent once more after a "
                "kept connection closed without answering (the server may have received both)"
                "</dd>\n", (unsigned long long)s->total.num_resent);
    fprintf(f, "<dt>Throttled</dt><dd>%llu (%.2f%% of requests: 429, 503 or AWS throttling)</dd>\n",
            (unsigned long long)s->total.num_throttled, stats_throttle_ratio(&s->total) * 100.0);
    fprintf(f, "<dt>Generator CPU</dt><dd>%.2f s user, %.2f s system; peak RSS %ld KiB</dd>\n",
            run->cpu_user_s, run->cpu_system_s, run->peak_rss_kb);
    if (run->open)
        put_open_model(f, run);
    fputs("</dl>\n", f);

    if (run->capacity != NULL)
        put_capacity(f, run->capacity);
    put_thresholds(f, run->settings, run->thresholds);
    put_stats_table(f, s, order);
    put_percentile_table(f, s, order);
    put_failures_table(f, s);

    fputs("<h2>Charts</h2>\n", f);
    put_chart(f, s, "chart-rps", "Total Requests per Second", "per second", rps, rps_labels, 2, false);
    put_chart(f, s, "chart-response-times", "Response Times (ms)", "ms", times, time_labels, 2,
              false);
    put_chart(f, s, "chart-users", "Number of Users", "users", users, user_labels, 1, true);
    if (run->open) {
        static const enum series_field dropped[] = { F_DROPPED };
        static const char *const dropped_labels[] = { "Dropped arrivals (so far)" };

        put_chart(f, s, "chart-dropped", "Arrivals Dropped (no free user)", "arrivals", dropped,
                  dropped_labels, 1, true);
    }
    fprintf(f, "<p><small>cicada %s</small></p>\n</body></html>\n", PACKAGE_VERSION);
    free(order);
    return outfile_commit(&out, err);
}
