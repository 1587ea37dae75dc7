/*
 * capconf.c: the [capacity] section: its keys, checked one by one and then
 * together, and its limits in the threshold language, resolved against
 * the statistics entries. What runs the search is capacity.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capconf.h"
#include "log.h"
#include "threshold.h"
#include "units.h"
#include "util.h"

static const char *const capacity_keys[] = {
    "load", "start", "step", "max", "step_time", "warmup", "limit", "min_ratio", "min_gain",
    "cpu_limit", "refine", "safety_factor", NULL,
};

void
capacity_conf_init(struct capacity_conf *c)
{
    memset(c, 0, sizeof(*c));
    c->load = CAPACITY_RATE;
    c->start = 10;
    c->step = 1.5;
    c->step_mult = true;
    c->max = 10000;
    c->step_time = 30;
    c->warmup = 5;
    c->min_ratio = 0.9;
    c->min_gain = 0.05;
    c->cpu_limit = 0.9;
    c->refine = 3;
    c->safety_factor = 0.5;
}

void
capacity_conf_free(struct capacity_conf *c)
{
    for (size_t i = 0; i < c->nlimits; i++)
        threshold_free(&c->limits[i]);
    free(c->limits);
    for (size_t i = 0; i < c->nrelative; i++) {
        threshold_free(c->relative[i].t);
        free(c->relative[i].t);
        free(c->relative[i].text);
    }
    free(c->relative);
    memset(c, 0, sizeof(*c));
}

/* "90%" or "0.9" as a fraction in [lo, hi]; 0 or -1. */
static int
parse_share(const char *text, double lo, double hi, double *out)
{
    char *copy = xstrdup(text), *t = str_trim(copy);
    size_t n = strlen(t);
    double v;
    int rc;

    if (n > 0 && t[n - 1] == '%') {
        t[n - 1] = '\0';
        rc = units_parse_double(str_trim(t), &v);
        v /= 100.0;
    } else {
        rc = units_parse_double(t, &v);
    }
    free(copy);
    if (rc < 0 || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

/* Is a threshold's metric a time? */
static bool
time_metric(enum threshold_metric m)
{
    return m == TM_AVG || m == TM_MIN || m == TM_MAX || m == TM_MEDIAN || m == TM_PERCENTILE;
}

/* limit = EXPR: absolute (the threshold language) or "METRIC < Fx" (relative to step 1). */
static int
parse_limit(struct capacity_conf *c, const char *value, int line, char **err)
{
    char *copy = xstrdup(value), *t = str_trim(copy);
    size_t n = strlen(t);
    struct threshold th;
    int rc = -1;

    if (n > 1 && (t[n - 1] == 'x' || t[n - 1] == 'X')) {
        /* relative: the number before the x is a factor of the first step's value */
        char *num = t + n - 1, *why = NULL;
        double factor;

        while (num > t && (isdigit((unsigned char)num[-1]) || num[-1] == '.'))
            num--;
        *(t + n - 1) = '\0';
        if (units_parse_double(num, &factor) < 0 || !(factor > 0)) {
            *err = xasprintf("bad limit \"%s\": a relative limit is METRIC < FACTORx, "
                             "e.g. p95 < 2x (twice the first step's p95)", value);
        } else {
            char *expr;

            *num = '\0';
            expr = xasprintf("%s 1", t);
            if (threshold_parse(expr, &th, &why) < 0) {
                *err = xasprintf("bad limit \"%s\": %s", value, why);
                free(why);
            } else if (!time_metric(th.metric) || th.entry_name != NULL ||
                       (th.op != TOP_LT && th.op != TOP_LE)) {
                *err = xasprintf("bad limit \"%s\": a relative limit takes a time of the "
                                 "Aggregated row (avg, median, max, pN) and < or <=, "
                                 "e.g. p95 < 2x", value);
                threshold_free(&th);
            } else {
                struct capacity_relative *r;

                c->relative = xrealloc(c->relative, (c->nrelative + 1) * sizeof(*c->relative));
                r = &c->relative[c->nrelative++];
                r->t = xmalloc(sizeof(*r->t));
                *r->t = th;
                r->factor = factor;
                r->text = xstrdup(value);
                r->line = line;
                rc = 0;
            }
            free(expr);
        }
    } else {
        char *why = NULL;

        if (threshold_parse(t, &th, &why) < 0) {
            *err = xasprintf("bad limit \"%s\": %s", value, why);
            free(why);
        } else {
            th.origin.kind = ORIGIN_FILE;
            th.origin.line = line;
            c->limits = xrealloc(c->limits, (c->nlimits + 1) * sizeof(*c->limits));
            c->limits[c->nlimits++] = th;
            rc = 0;
        }
    }
    free(copy);
    return rc;
}

int
capacity_key(struct capacity_conf *c, const char *key, const char *value, int line, char **err)
{
    double d;
    unsigned long long n;

    if (strcmp(key, "load") == 0) {
        if (strcasecmp(value, "rate") == 0) {
            c->load = CAPACITY_RATE;
        } else if (strcasecmp(value, "users") == 0) {
            c->load = CAPACITY_USERS;
        } else {
            *err = xasprintf("bad value \"%s\" for load: expected rate (arrivals a second, the "
                             "open model) or users (concurrent users, the closed model)", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "start") == 0 || strcmp(key, "max") == 0) {
        if (units_parse_double(value, &d) < 0 || !(d > 0) || d > 1e7) {
            *err = xasprintf("bad value \"%s\" for %s: expected a load above 0 (arrivals a "
                             "second, or users)", value, key);
            return -1;
        }
        if (key[0] == 's') {
            c->start = d;
            c->start_line = line;
        } else {
            c->max = d;
            c->max_line = line;
        }
        return 0;
    }
    if (strcmp(key, "step") == 0) {
        const char *v = value;
        bool mult = false;

        if (v[0] == 'x' || v[0] == 'X' || v[0] == '*') {
            mult = true;
            v++;
        } else if (v[0] == '+') {
            v++;
        }
        if (units_parse_double(v, &d) < 0 || !(d > 0) || (mult && !(d > 1)) || d > 1e7) {
            *err = xasprintf("bad value \"%s\" for step: expected +N (added, above 0) or xF "
                             "(multiplied, above 1), e.g. +20 or x1.25", value);
            return -1;
        }
        c->step = d;
        c->step_mult = mult;
        c->step_line = line;
        return 0;
    }
    if (strcmp(key, "step_time") == 0 || strcmp(key, "warmup") == 0) {
        if (units_parse_duration(value, &d) < 0 || d < 0 || d > 1e6 ||
            (key[0] == 's' && d < 1)) {
            *err = xasprintf("bad value \"%s\" for %s: expected a duration%s such as 30s or 1m",
                             value, key, key[0] == 's' ? " of 1 s or more" : "");
            return -1;
        }
        if (key[0] == 's') {
            c->step_time = d;
            c->step_time_line = line;
        } else {
            c->warmup = d;
            c->warmup_line = line;
        }
        return 0;
    }
    if (strcmp(key, "limit") == 0)
        return parse_limit(c, value, line, err);
    if (strcmp(key, "min_ratio") == 0 || strcmp(key, "min_gain") == 0 ||
        strcmp(key, "cpu_limit") == 0 || strcmp(key, "safety_factor") == 0) {
        double hi = strcmp(key, "cpu_limit") == 0 ? 1.0 : strcmp(key, "min_gain") == 0 ? 10.0 : 1.0;

        if (parse_share(value, 0, hi, &d) < 0 || (strcmp(key, "safety_factor") == 0 && d <= 0)) {
            *err = xasprintf("bad value \"%s\" for %s: expected a share such as 90%% or 0.9 "
                             "(%s)", value, key, hi > 1 ? "0 to 1000%" : "0 to 100%");
            return -1;
        }
        if (key[1] == 'i' && key[4] == 'r')
            c->min_ratio = d;
        else if (key[1] == 'i')
            c->min_gain = d;
        else if (key[0] == 'c')
            c->cpu_limit = d;
        else
            c->safety_factor = d;
        return 0;
    }
    if (strcmp(key, "refine") == 0) {
        if (units_parse_count(value, &n) < 0 || n > 20) {
            *err = xasprintf("bad value \"%s\" for refine: expected bisection steps from 0 to 20",
                             value);
            return -1;
        }
        c->refine = (unsigned)n;
        return 0;
    }
    {
        const char *near = str_suggest(key, capacity_keys);

        if (near != NULL)
            *err = xasprintf("unknown key '%s' in [capacity] (did you mean '%s'?)", key, near);
        else
            *err = xasprintf("unknown key '%s' in [capacity]: the keys are load, start, step, "
                             "max, step_time, warmup, limit, min_ratio, min_gain, cpu_limit, "
                             "refine and safety_factor", key);
    }
    return -1;
}

int
capacity_finish(struct capacity_conf *c, const char *file, char **err)
{
    c->file = file;
    if (c->load == CAPACITY_USERS) {
        /* users count in whole users: the defaults for a closed model */
        if (c->start_line == 0)
            c->start = 1;
        if (c->step_line == 0) {
            c->step = 2;
            c->step_mult = true;
        }
        if (c->max_line == 0)
            c->max = 1000;
        if (c->start != floor(c->start) || c->max != floor(c->max) ||
            (!c->step_mult && c->step != floor(c->step))) {
            *err = xasprintf("%s:%d: with load = users, start, max and an added step are whole "
                             "numbers of users", file,
                             c->start != floor(c->start) ? c->start_line
                             : c->max != floor(c->max)   ? c->max_line
                                                         : c->step_line);
            return -1;
        }
    }
    if (c->max < c->start) {
        *err = xasprintf("%s:%d: max (%g) is below start (%g)", file,
                         c->max_line ? c->max_line : c->start_line ? c->start_line : c->line,
                         c->max, c->start);
        return -1;
    }
    if (c->warmup >= c->step_time) {
        *err = xasprintf("%s:%d: warmup (%gs) leaves nothing of step_time (%gs) to measure", file,
                         c->warmup_line ? c->warmup_line : c->step_time_line ? c->step_time_line
                                                                             : c->line,
                         c->warmup, c->step_time);
        return -1;
    }
    /* the measured part: a whole number of seconds (see the top of the file) */
    {
        double window = floor(c->step_time - c->warmup + 0.5);

        if (window < 1)
            window = 1;
        c->warmup = c->step_time - window;
    }
    for (size_t i = 0; i < c->nlimits; i++)
        c->limits[i].origin.file = file;
    if (c->nlimits == 0 && c->nrelative == 0) {
        struct threshold th;
        char *why = NULL;

        /* the default: successes drop */
        if (threshold_parse("fail_ratio < 1%", &th, &why) < 0)
            fatal("default capacity limit: %s", why);
        th.origin.kind = ORIGIN_DEFAULT;
        c->limits = xmalloc(sizeof(*c->limits));
        c->limits[0] = th;
        c->nlimits = 1;
    }
    return 0;
}

int
capacity_resolve(struct capacity_conf *c, const struct stats *s, char **err)
{
    for (size_t i = 0; i < c->nlimits; i++) {
        char *why = NULL;

        if (threshold_resolve(&c->limits[i], s, &why) < 0) {
            *err = xasprintf("%s:%d: %s", c->file ? c->file : "", c->limits[i].origin.line, why);
            free(why);
            return -1;
        }
    }
    for (size_t i = 0; i < c->nrelative; i++)
        c->relative[i].t->entry = -1;
    return 0;
}

/* ---- the search ---- */

const char *
capacity_load_name(enum capacity_load l)
{
    return l == CAPACITY_USERS ? "users" : "rate";
}
