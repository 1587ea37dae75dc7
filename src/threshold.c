/*
 * threshold.c: parsing, resolving and evaluating thresholds (see
 * threshold.h for the language).
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stats.h"
#include "threshold.h"
#include "units.h"
#include "util.h"

static const char *const metric_names[] = {
    "rps", "fail_ratio", "requests", "failures", "avg", "min", "max", "median", "pNN", NULL,
};

/* Is this metric a response time (ms)? */
static bool
is_time(enum threshold_metric m)
{
    return m == TM_AVG || m == TM_MIN || m == TM_MAX || m == TM_MEDIAN || m == TM_PERCENTILE;
}

const char *
threshold_op_text(enum threshold_op op)
{
    switch (op) {
    case TOP_LT: return "<";
    case TOP_LE: return "<=";
    case TOP_GT: return ">";
    case TOP_GE: return ">=";
    case TOP_EQ: return "==";
    }
    return "?";
}

const char *
threshold_metric_name(const struct threshold *t, char *buf, size_t size)
{
    if (t->metric == TM_PERCENTILE)
        snprintf(buf, size, "p%g", t->percentile * 100.0);
    else
        snprintf(buf, size, "%s", metric_names[t->metric]);
    return buf;
}

/* Parse the metric word; 0 or -1 with *err. */
static int
parse_metric(const char *word, struct threshold *t, char **err)
{
    static const struct { const char *name; enum threshold_metric m; } names[] = {
        { "rps", TM_RPS }, { "req/s", TM_RPS }, { "throughput", TM_RPS },
        { "fail_ratio", TM_FAIL_RATIO }, { "failure_rate", TM_FAIL_RATIO },
        { "error_rate", TM_FAIL_RATIO },
        { "requests", TM_REQUESTS }, { "failures", TM_FAILURES },
        { "avg", TM_AVG }, { "average", TM_AVG }, { "min", TM_MIN }, { "max", TM_MAX },
        { "median", TM_MEDIAN }, { "med", TM_MEDIAN },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(names); i++) {
        if (strcasecmp(word, names[i].name) == 0) {
            t->metric = names[i].m;
            return 0;
        }
    }
    /* p95, p99.9, p(95) */
    if ((word[0] == 'p' || word[0] == 'P') && word[1] != '\0') {
        char digits[32];
        const char *w = word + 1;
        size_t len = strlen(w);
        double p;

        if (w[0] == '(' && len >= 2 && w[len - 1] == ')') {
            w++;
            len -= 2;
        }
        if (len > 0 && len < sizeof(digits)) {
            memcpy(digits, w, len);
            digits[len] = '\0';
            if (units_parse_double(digits, &p) == 0 && p > 0 && p <= 100) {
                t->metric = TM_PERCENTILE;
                t->percentile = p / 100.0;
                return 0;
            }
        }
        *err = xasprintf("bad percentile '%s': write p50, p95, p99 or p99.9 (0 < N <= 100)",
                         word);
        return -1;
    }
    {
        const char *near = str_suggest(word, metric_names);

        if (near != NULL && strcmp(near, "pNN") != 0)
            *err = xasprintf("unknown metric '%s' (did you mean '%s'?)", word, near);
        else
            *err = xasprintf("unknown metric '%s': expected rps, fail_ratio, requests, "
                             "failures, avg, min, max, median or a percentile such as p95",
                             word);
    }
    return -1;
}

/* Parse the limit with its unit for the metric; 0 or -1 with *err. */
static int
parse_limit(const char *text, struct threshold *t, char **err)
{
    char number[64];
    const char *unit;
    size_t n = 0;
    double v;

    while (text[n] != '\0' && (isdigit((unsigned char)text[n]) || text[n] == '.' ||
                               text[n] == '-' || text[n] == '+' || text[n] == 'e'))
        n++;
    /* "1e" followed by no digit is a number and a unit we do not know: let it fail below */
    if (n == 0 || n >= sizeof(number)) {
        *err = xasprintf("bad limit '%s': expected a number", text);
        return -1;
    }
    memcpy(number, text, n);
    number[n] = '\0';
    if (units_parse_double(number, &v) < 0 || v < 0) {
        *err = xasprintf("bad limit '%s': expected a number >= 0", text);
        return -1;
    }
    unit = text + n;
    while (*unit == ' ')
        unit++;
    if (is_time(t->metric)) {
        if (*unit == '\0' || strcmp(unit, "ms") == 0) {
            t->limit = v;
        } else if (strcmp(unit, "s") == 0) {
            t->limit = v * 1000.0;
        } else {
            *err = xasprintf("bad unit '%s' for a response time: use ms or s", unit);
            return -1;
        }
    } else if (t->metric == TM_FAIL_RATIO) {
        if (strcmp(unit, "%") == 0) {
            t->limit = v / 100.0;
        } else if (*unit == '\0' && v <= 1) {
            t->limit = v;
        } else if (*unit == '\0') {
            *err = xasprintf("bad limit '%s' for fail_ratio: write a ratio from 0 to 1 "
                             "(0.01) or a percentage (1%%)", text);
            return -1;
        } else {
            *err = xasprintf("bad unit '%s' for fail_ratio: use %% or none", unit);
            return -1;
        }
    } else if (t->metric == TM_RPS) {
        if (*unit != '\0' && strcmp(unit, "/s") != 0 && strcmp(unit, "req/s") != 0 &&
            strcmp(unit, "rps") != 0) {
            *err = xasprintf("bad unit '%s' for rps: use none or /s", unit);
            return -1;
        }
        t->limit = v;
    } else {
        if (*unit != '\0' || v != floor(v)) {
            *err = xasprintf("bad limit '%s' for %s: expected a whole number", text,
                             metric_names[t->metric]);
            return -1;
        }
        t->limit = v;
    }
    return 0;
}

int
threshold_parse(const char *text, struct threshold *t, char **err)
{
    char *copy = xstrdup(text);
    char *expr = copy, *entry = NULL, *colon, *op, *metric, *limit;
    char mbuf[32], vbuf[64];
    size_t oplen;

    memset(t, 0, sizeof(*t));
    t->entry = -1;
    /* the entry is everything before the last ':' (names may hold ':') */
    colon = strrchr(copy, ':');
    if (colon != NULL) {
        *colon = '\0';
        entry = str_trim(copy);
        expr = colon + 1;
        if (entry[0] == '\0') {
            *err = xasprintf("threshold \"%s\": nothing before ':' (write METHOD NAME: or "
                             "NAME: before the metric, or leave the ':' out)", text);
            goto fail;
        }
    }
    op = strpbrk(expr, "<>=!");
    if (op == NULL) {
        *err = xasprintf("threshold \"%s\": expected METRIC OP VALUE such as p95<150ms, "
                         "rps>=100 or fail_ratio<1%%", text);
        goto fail;
    }
    if (op[0] == '<' && op[1] == '=') {
        t->op = TOP_LE, oplen = 2;
    } else if (op[0] == '>' && op[1] == '=') {
        t->op = TOP_GE, oplen = 2;
    } else if (op[0] == '<') {
        t->op = TOP_LT, oplen = 1;
    } else if (op[0] == '>') {
        t->op = TOP_GT, oplen = 1;
    } else if (op[0] == '=' && op[1] == '=') {
        t->op = TOP_EQ, oplen = 2;
    } else {
        *err = xasprintf("threshold \"%s\": bad comparison: use <, <=, >, >= or ==", text);
        goto fail;
    }
    limit = str_trim(op + oplen);
    *op = '\0';
    metric = str_trim(expr);
    if (metric[0] == '\0') {
        *err = xasprintf("threshold \"%s\": no metric before '%s'", text,
                         threshold_op_text(t->op));
        goto fail;
    }
    if (strpbrk(limit, "<>=!") != NULL) {
        *err = xasprintf("threshold \"%s\": one comparison per threshold", text);
        goto fail;
    }
    if (limit[0] == '\0') {
        *err = xasprintf("threshold \"%s\": no value after '%s'", text, threshold_op_text(t->op));
        goto fail;
    }
    {
        char *why = NULL;

        if (parse_metric(metric, t, &why) < 0 || parse_limit(limit, t, &why) < 0) {
            *err = xasprintf("threshold \"%s\": %s", text, why);
            free(why);
            goto fail;
        }
    }
    if (entry != NULL) {
        char *space = strchr(entry, ' ');
        bool has_method = false;

        if (space != NULL) {
            const char *p;

            has_method = true;
            for (p = entry; p < space; p++)
                if (!isupper((unsigned char)*p))
                    has_method = false;
        }
        if (has_method) {
            t->entry_method = xstrndup(entry, (size_t)(space - entry));
            t->entry_name = xstrdup(str_trim(space + 1));
        } else {
            t->entry_name = xstrdup(entry);
        }
        if (strcasecmp(t->entry_name, "Aggregated") == 0 && t->entry_method == NULL) {
            free(t->entry_name);
            t->entry_name = NULL;
        }
    }

    threshold_metric_name(t, mbuf, sizeof(mbuf));
    if (is_time(t->metric))
        snprintf(vbuf, sizeof(vbuf), "%g ms", t->limit);
    else if (t->metric == TM_FAIL_RATIO)
        snprintf(vbuf, sizeof(vbuf), "%g%%", t->limit * 100.0);
    else
        snprintf(vbuf, sizeof(vbuf), "%g", t->limit);
    t->text = xasprintf("%s%s%s%s%s %s %s", t->entry_method ? t->entry_method : "",
                        t->entry_method ? " " : "", t->entry_name ? t->entry_name : "",
                        t->entry_name ? ": " : "", mbuf, threshold_op_text(t->op), vbuf);
    free(copy);
    return 0;
fail:
    free(copy);
    threshold_free(t);
    return -1;
}

void
threshold_free(struct threshold *t)
{
    free(t->text);
    free(t->entry_method);
    free(t->entry_name);
    t->text = t->entry_method = t->entry_name = NULL;
}

int
threshold_resolve(struct threshold *t, const struct stats *s, char **err)
{
    size_t i;
    int found = -1, matches = 0;

    t->entry = -1;
    if (t->entry_name == NULL)
        return 0;
    for (i = 0; i < s->nentries; i++) {
        const struct stats_entry *e = &s->entries[i];

        if (strcmp(e->name, t->entry_name) != 0)
            continue;
        if (t->entry_method != NULL && strcmp(e->method, t->entry_method) != 0)
            continue;
        found = (int)i;
        matches++;
    }
    if (matches == 1) {
        t->entry = found;
        return 0;
    }
    if (matches > 1) {
        *err = xasprintf("threshold \"%s\": '%s' names %d entries (one per method): write "
                         "METHOD %s: ...", t->text, t->entry_name, matches, t->entry_name);
        return -1;
    }
    {
        struct buf names;
        size_t shown = 0;

        buf_init(&names);
        for (i = 0; i < s->nentries && shown < 8; i++, shown++)
            buf_printf(&names, "%s\"%s %s\"", shown ? ", " : "", s->entries[i].method,
                       s->entries[i].name);
        if (i < s->nentries)
            buf_puts(&names, ", ...");
        *err = xasprintf("threshold \"%s\": no statistics entry %s%s%s (entries: %s)", t->text,
                         t->entry_method ? t->entry_method : "", t->entry_method ? " " : "",
                         t->entry_name, names.len ? names.data : "none");
        buf_free(&names);
    }
    return -1;
}

bool
threshold_eval(const struct threshold *t, const struct stats *s, struct threshold_result *out)
{
    const struct stats_entry *e = t->entry >= 0 && (size_t)t->entry < s->nentries
                                      ? &s->entries[t->entry]
                                      : &s->total;
    double v = 0;

    out->evaluated = true;
    out->no_data = e->num_requests == 0;
    switch (t->metric) {
    case TM_RPS: v = stats_total_rps(s, e); break;
    case TM_FAIL_RATIO: v = stats_fail_ratio(e); break;
    case TM_REQUESTS: v = (double)e->num_requests; break;
    case TM_FAILURES: v = (double)e->num_failures; break;
    case TM_AVG: v = stats_avg_ms(e); break;
    case TM_MIN: v = stats_min_ms(e); break;
    case TM_MAX: v = stats_max_ms(e); break;
    case TM_MEDIAN: v = stats_median_ms(e); break;
    case TM_PERCENTILE: v = (double)stats_percentile_ms(e, t->percentile); break;
    }
    out->measured = v;
    /* a gate that saw no request cannot pass, except on the counts themselves */
    if (out->no_data && t->metric != TM_REQUESTS && t->metric != TM_FAILURES) {
        out->passed = false;
        return false;
    }
    switch (t->op) {
    case TOP_LT: out->passed = v < t->limit; break;
    case TOP_LE: out->passed = v <= t->limit; break;
    case TOP_GT: out->passed = v > t->limit; break;
    case TOP_GE: out->passed = v >= t->limit; break;
    case TOP_EQ: out->passed = fabs(v - t->limit) < 1e-9; break;
    }
    return out->passed;
}

const char *
threshold_format_value(const struct threshold *t, const struct threshold_result *r,
                       char *buf, size_t size)
{
    double v = r->measured;

    if (r->evaluated && r->no_data && t->metric != TM_REQUESTS && t->metric != TM_FAILURES)
        snprintf(buf, size, "no requests");
    else if (is_time(t->metric))
        snprintf(buf, size, "%.*f ms", v < 100 && v != floor(v) ? 1 : 0, v);
    else if (t->metric == TM_FAIL_RATIO)
        snprintf(buf, size, "%.2f%%", v * 100.0);
    else if (t->metric == TM_RPS)
        snprintf(buf, size, "%.1f req/s", v);
    else
        snprintf(buf, size, "%.0f", v);
    return buf;
}
