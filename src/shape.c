/*
 * shape.c: the [shape] section. Three forms, told apart by their keys:
 *
 *   stages   stage = DURATION USERS [RATE]      (repeated, in order)
 *   steps    start_users, step_users, step_time, max_users, spawn_rate, hold
 *   spike    base_users, spike_users, before, spike_time, after,
 *            spawn_rate, spike_rate
 *   rates    rate_stage = DURATION RATE          (repeated, in order; the open
 *            model: the arrival rate ramps linearly from the stage before's,
 *            0 at the start, to RATE over DURATION)
 *
 * Every form compiles to a list of stages. A stage without a rate ramps
 * evenly over its duration (k6's stages); a step or spike without rates
 * reaches each new user count in about a second.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shape.h"
#include "units.h"
#include "util.h"

#define MAX_USERS 10000000ULL
#define MAX_STAGES 10000

enum shape_form {
    FORM_NONE,
    FORM_STAGES,
    FORM_STEPS,
    FORM_SPIKE,
    FORM_RATES,
};

/* A key with its value and the line it was on (0: not given). */
struct num {
    double v;
    int line;
};

struct shape {
    int line;                /* of [shape] */
    enum shape_form form;
    const char *form_key;    /* the key that decided the form */
    int form_line;

    /* stages as written (FORM_STAGES), rate 0 = even ramp */
    struct shape_stage *written;
    size_t nwritten;

    /* steps and spike */
    struct num start_users, step_users, step_time, max_users, hold;
    struct num base_users, spike_users, before, spike_time, after, spike_rate;
    struct num spawn_rate;

    struct shape_stage *stages;
    size_t nstages;
    double duration;
};

static const char *const form_names[] = { "", "stages", "steps", "spike", "rates" };

/* Every key, for suggestions. */
static const char *const shape_keys[] = {
    "stage", "start_users", "step_users", "step_time", "max_users", "hold", "base_users",
    "spike_users", "before", "spike_time", "after", "spike_rate", "spawn_rate", "rate_stage",
    NULL,
};

struct shape *
shape_new(int line)
{
    struct shape *sh = xcalloc(1, sizeof(*sh));

    sh->line = line;
    return sh;
}

void
shape_free(struct shape *sh)
{
    if (sh == NULL)
        return;
    free(sh->written);
    free(sh->stages);
    free(sh);
}

int
shape_line(const struct shape *sh)
{
    return sh->line;
}

/* Parse a user count (0 allowed). */
static int
parse_users(const char *key, const char *text, double *out, char **err)
{
    unsigned long long n;

    if (units_parse_count(text, &n) < 0 || n > MAX_USERS) {
        *err = xasprintf("bad value \"%s\" for %s: expected a whole number of users from 0 "
                         "to %llu", text, key, MAX_USERS);
        return -1;
    }
    *out = (double)n;
    return 0;
}

/* Parse a duration above 0. */
static int
parse_time(const char *key, const char *text, double *out, char **err)
{
    if (units_parse_duration(text, out) < 0 || !(*out > 0) || *out > 1e7) {
        *err = xasprintf("bad value \"%s\" for %s: expected a duration above 0 such as 30, "
                         "30s, 2m or 1h30m", text, key);
        return -1;
    }
    return 0;
}

/* Parse a spawn rate above 0. */
static int
parse_rate(const char *key, const char *text, double *out, char **err)
{
    if (units_parse_double(text, out) < 0 || !(*out > 0) || *out > 1e7) {
        *err = xasprintf("bad value \"%s\" for %s: expected a number of users per second "
                         "above 0, such as 10 or 0.5", text, key);
        return -1;
    }
    return 0;
}

/* Parse "DURATION USERS [RATE]". */
static int
parse_stage(const char *value, struct shape_stage *st, char **err)
{
    char *copy = xstrdup(value);
    char *words[4], *save = NULL, *w;
    size_t n = 0;
    double users = 0;
    int rc = -1;

    for (w = strtok_r(copy, " \t", &save); w != NULL && n < 4; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    st->rate = 0;
    if (n < 2 || n > 3) {
        *err = xasprintf("bad stage \"%s\": write stage = DURATION USERS [RATE], e.g. "
                         "stage = 30s 50 10", value);
    } else if (parse_time("the stage's duration", words[0], &st->duration, err) == 0 &&
               parse_users("the stage's users", words[1], &users, err) == 0 &&
               (n == 2 || parse_rate("the stage's rate", words[2], &st->rate, err) == 0)) {
        st->users = (unsigned)users;
        rc = 0;
    }
    free(copy);
    return rc;
}

/* Parse "DURATION RATE" (arrivals per second, 0 allowed). */
static int
parse_rate_stage(const char *value, struct shape_stage *st, char **err)
{
    char *copy = xstrdup(value);
    char *words[3], *save = NULL, *w;
    size_t n = 0;
    int rc = -1;

    for (w = strtok_r(copy, " \t", &save); w != NULL && n < 3; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    st->users = 0;
    st->rate = 1;
    if (n != 2) {
        *err = xasprintf("bad rate_stage \"%s\": write rate_stage = DURATION RATE, e.g. "
                         "rate_stage = 1m 200 (ramp to 200 arrivals a second over a minute)",
                         value);
    } else if (parse_time("the stage's duration", words[0], &st->duration, err) == 0) {
        if (units_parse_double(words[1], &st->arrival_rate) < 0 || !(st->arrival_rate >= 0) ||
            st->arrival_rate > 1e7)
            *err = xasprintf("bad rate \"%s\" in rate_stage: expected arrivals per second, "
                             "0 or more, such as 200 or 0.5", words[1]);
        else
            rc = 0;
    }
    free(copy);
    return rc;
}

/* The form a key belongs to (FORM_NONE: either steps or spike). */
static enum shape_form
key_form(const char *key)
{
    static const char *const steps[] = { "start_users", "step_users", "step_time",
                                         "max_users", "hold", NULL };
    static const char *const spike[] = { "base_users", "spike_users", "before", "spike_time",
                                         "after", "spike_rate", NULL };
    size_t i;

    if (strcmp(key, "stage") == 0)
        return FORM_STAGES;
    if (strcmp(key, "rate_stage") == 0)
        return FORM_RATES;
    for (i = 0; steps[i] != NULL; i++)
        if (strcmp(key, steps[i]) == 0)
            return FORM_STEPS;
    for (i = 0; spike[i] != NULL; i++)
        if (strcmp(key, spike[i]) == 0)
            return FORM_SPIKE;
    return FORM_NONE;
}

/* Store a number key. */
static int
set_num(struct num *slot, const char *key, const char *value, int line,
        int (*parse)(const char *, const char *, double *, char **), char **err)
{
    if (parse(key, value, &slot->v, err) < 0)
        return -1;
    slot->line = line;
    return 0;
}

int
shape_key(struct shape *sh, const char *key, const char *value, int line, char **err)
{
    enum shape_form form;
    bool known = false;
    size_t i;

    for (i = 0; shape_keys[i] != NULL; i++)
        if (strcmp(key, shape_keys[i]) == 0)
            known = true;
    if (!known) {
        const char *near = str_suggest(key, shape_keys);

        if (near != NULL)
            *err = xasprintf("unknown key '%s' in [shape] (did you mean '%s'?)", key, near);
        else
            *err = xasprintf("unknown key '%s' in [shape]: use stage = DURATION USERS [RATE], "
                             "the step keys (start_users, step_users, step_time, max_users) "
                             "or the spike keys (base_users, spike_users, before, spike_time, "
                             "after)", key);
        return -1;
    }
    form = key_form(key);
    if (strcmp(key, "spawn_rate") == 0 && sh->form == FORM_RATES) {
        *err = xasprintf("spawn_rate does not go with rate_stage (line %d): the pool of "
                         "users (-u) starts at once", sh->form_line);
        return -1;
    }
    if (strcmp(key, "spawn_rate") == 0 && sh->form == FORM_STAGES) {
        *err = xasprintf("spawn_rate does not go with stages (stage at line %d): give each "
                         "stage its rate, stage = DURATION USERS RATE", sh->form_line);
        return -1;
    }
    if (form == FORM_RATES && sh->spawn_rate.line != 0) {
        *err = xasprintf("rate_stage does not go with spawn_rate (line %d): the pool of "
                         "users (-u) starts at once", sh->spawn_rate.line);
        return -1;
    }
    if (form == FORM_STAGES && sh->spawn_rate.line != 0) {
        *err = xasprintf("stage does not go with spawn_rate (line %d): give each stage its "
                         "rate, stage = DURATION USERS RATE", sh->spawn_rate.line);
        return -1;
    }
    if (form != FORM_NONE && sh->form != FORM_NONE && form != sh->form) {
        *err = xasprintf("'%s' belongs to a %s shape, but this [shape] is a %s shape ('%s' "
                         "at line %d): one [shape] has one form", key, form_names[form],
                         form_names[sh->form], sh->form_key, sh->form_line);
        return -1;
    }
    if (form != FORM_NONE && sh->form == FORM_NONE) {
        sh->form = form;
        for (i = 0; shape_keys[i] != NULL; i++)
            if (strcmp(key, shape_keys[i]) == 0)
                sh->form_key = shape_keys[i];
        sh->form_line = line;
    }

    if (strcmp(key, "rate_stage") == 0 || strcmp(key, "stage") == 0) {
        struct shape_stage st;
        int rc = key[0] == 'r' ? parse_rate_stage(value, &st, err) : parse_stage(value, &st, err);

        if (rc < 0)
            return -1;
        if (sh->nwritten >= MAX_STAGES) {
            *err = xasprintf("too many stages (at most %d)", MAX_STAGES);
            return -1;
        }
        sh->written = xrealloc(sh->written, (sh->nwritten + 1) * sizeof(*sh->written));
        sh->written[sh->nwritten++] = st;
        return 0;
    }
    if (strcmp(key, "start_users") == 0)
        return set_num(&sh->start_users, key, value, line, parse_users, err);
    if (strcmp(key, "step_users") == 0) {
        if (set_num(&sh->step_users, key, value, line, parse_users, err) < 0)
            return -1;
        if (sh->step_users.v < 1) {
            *err = xasprintf("bad value \"%s\" for step_users: must be at least 1", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "step_time") == 0)
        return set_num(&sh->step_time, key, value, line, parse_time, err);
    if (strcmp(key, "max_users") == 0) {
        if (set_num(&sh->max_users, key, value, line, parse_users, err) < 0)
            return -1;
        if (sh->max_users.v < 1) {
            *err = xasprintf("bad value \"%s\" for max_users: must be at least 1", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "hold") == 0)
        return set_num(&sh->hold, key, value, line, parse_time, err);
    if (strcmp(key, "base_users") == 0)
        return set_num(&sh->base_users, key, value, line, parse_users, err);
    if (strcmp(key, "spike_users") == 0)
        return set_num(&sh->spike_users, key, value, line, parse_users, err);
    if (strcmp(key, "before") == 0)
        return set_num(&sh->before, key, value, line, parse_time, err);
    if (strcmp(key, "spike_time") == 0)
        return set_num(&sh->spike_time, key, value, line, parse_time, err);
    if (strcmp(key, "after") == 0)
        return set_num(&sh->after, key, value, line, parse_time, err);
    if (strcmp(key, "spike_rate") == 0)
        return set_num(&sh->spike_rate, key, value, line, parse_rate, err);
    return set_num(&sh->spawn_rate, key, value, line, parse_rate, err);
}

/* Append a compiled stage. */
static void
push_stage(struct shape *sh, double duration, unsigned users, double rate)
{
    sh->stages = xrealloc(sh->stages, (sh->nstages + 1) * sizeof(*sh->stages));
    sh->stages[sh->nstages].duration = duration;
    sh->stages[sh->nstages].users = users;
    sh->stages[sh->nstages].rate = rate > 0 ? rate : 1;
    sh->stages[sh->nstages].arrival_rate = -1;
    sh->nstages++;
    sh->duration += duration;
}

/* "file:line: the step shape needs KEY". */
static int
missing(const struct shape *sh, const char *file, const char *key, const char *example,
        char **err)
{
    *err = xasprintf("%s:%d: the %s shape needs %s (e.g. %s)", file, sh->line,
                     form_names[sh->form], key, example);
    return -1;
}

/* Compile the written stages. */
static void
compile_stages(struct shape *sh)
{
    unsigned prev = 0;
    size_t i;

    for (i = 0; i < sh->nwritten; i++) {
        const struct shape_stage *st = &sh->written[i];
        double rate = st->rate;

        if (rate == 0) {
            unsigned delta = st->users > prev ? st->users - prev : prev - st->users;

            rate = delta / st->duration;
        }
        push_stage(sh, st->duration, st->users, rate);
        prev = st->users;
    }
}

/* Compile a step load; 0 or -1 with *err. */
static int
compile_steps(struct shape *sh, const char *file, char **err)
{
    double start, step, max, rate, hold, users;

    if (sh->step_users.line == 0)
        return missing(sh, file, "step_users", "step_users = 10", err);
    if (sh->step_time.line == 0)
        return missing(sh, file, "step_time", "step_time = 30s", err);
    if (sh->max_users.line == 0)
        return missing(sh, file, "max_users", "max_users = 100", err);
    step = sh->step_users.v;
    start = sh->start_users.line != 0 ? sh->start_users.v : step;
    max = sh->max_users.v;
    rate = sh->spawn_rate.line != 0 ? sh->spawn_rate.v : step;
    hold = sh->hold.line != 0 ? sh->hold.v : sh->step_time.v;
    if (start > max) {
        *err = xasprintf("%s:%d: start_users (%g) is above max_users (%g)", file,
                         sh->start_users.line, start, max);
        return -1;
    }
    if ((max - start) / step + 1 > MAX_STAGES) {
        *err = xasprintf("%s:%d: from %.0f to %.0f users by %.0f makes more than %d steps: take "
                         "bigger steps", file, sh->step_users.line, start, max, step,
                         MAX_STAGES);
        return -1;
    }
    for (users = start; users < max; users += step)
        push_stage(sh, sh->step_time.v, (unsigned)users, rate);
    push_stage(sh, hold, (unsigned)max, rate);
    return 0;
}

/* Compile a spike; 0 or -1 with *err. */
static int
compile_spike(struct shape *sh, const char *file, char **err)
{
    double base, peak, rate, spike_rate;

    if (sh->base_users.line == 0)
        return missing(sh, file, "base_users", "base_users = 10", err);
    if (sh->spike_users.line == 0)
        return missing(sh, file, "spike_users", "spike_users = 100", err);
    if (sh->before.line == 0)
        return missing(sh, file, "before", "before = 1m", err);
    if (sh->spike_time.line == 0)
        return missing(sh, file, "spike_time", "spike_time = 30s", err);
    base = sh->base_users.v;
    peak = sh->spike_users.v;
    if (peak <= base) {
        *err = xasprintf("%s:%d: spike_users (%g) must be above base_users (%g)", file,
                         sh->spike_users.line, peak, base);
        return -1;
    }
    rate = sh->spawn_rate.line != 0 ? sh->spawn_rate.v : base;
    spike_rate = sh->spike_rate.line != 0 ? sh->spike_rate.v : peak - base;
    push_stage(sh, sh->before.v, (unsigned)base, rate);
    push_stage(sh, sh->spike_time.v, (unsigned)peak, spike_rate);
    push_stage(sh, sh->after.line != 0 ? sh->after.v : sh->before.v, (unsigned)base,
               spike_rate);
    return 0;
}

int
shape_finish(struct shape *sh, const char *file, char **err)
{
    switch (sh->form) {
    case FORM_NONE:
        if (sh->spawn_rate.line != 0)
            *err = xasprintf("%s:%d: [shape] has only spawn_rate: add stages (stage = "
                             "DURATION USERS [RATE]), a step load (step_users, step_time, "
                             "max_users) or a spike (base_users, spike_users, before, "
                             "spike_time)", file, sh->line);
        else
            *err = xasprintf("%s:%d: [shape] is empty: add stages (stage = DURATION USERS "
                             "[RATE]), a step load (step_users, step_time, max_users) or a "
                             "spike (base_users, spike_users, before, spike_time)", file,
                             sh->line);
        return -1;
    case FORM_STAGES:
        compile_stages(sh);
        return 0;
    case FORM_RATES:
        for (size_t i = 0; i < sh->nwritten; i++) {
            push_stage(sh, sh->written[i].duration, 0, 1);
            sh->stages[sh->nstages - 1].arrival_rate = sh->written[i].arrival_rate;
        }
        return 0;
    case FORM_STEPS:
        return compile_steps(sh, file, err);
    case FORM_SPIKE:
        return compile_spike(sh, file, err);
    }
    return -1;
}

size_t
shape_nstages(const struct shape *sh)
{
    return sh->nstages;
}

const struct shape_stage *
shape_stage(const struct shape *sh, size_t i)
{
    return &sh->stages[i];
}

double
shape_duration(const struct shape *sh)
{
    return sh->duration;
}

unsigned
shape_peak_users(const struct shape *sh)
{
    unsigned peak = 0;
    size_t i;

    for (i = 0; i < sh->nstages; i++)
        if (sh->stages[i].users > peak)
            peak = sh->stages[i].users;
    return peak;
}

int
shape_is_rate(const struct shape *sh)
{
    return sh != NULL && sh->form == FORM_RATES;
}

const char *
shape_form(const struct shape *sh)
{
    return form_names[sh->form];
}

const char *
shape_describe(const struct shape *sh, size_t i, char *buf, size_t size)
{
    const struct shape_stage *st = &sh->stages[i];
    char time[32];

    if (st->duration < 60 && st->duration != (double)(long)st->duration)
        snprintf(time, sizeof(time), "%.3gs", st->duration);
    else
        units_format_duration(st->duration, time, sizeof(time));
    if (st->arrival_rate >= 0)
        snprintf(buf, size, "stage %zu/%zu: to %.4g arrivals/s over %s", i + 1, sh->nstages,
                 st->arrival_rate, time);
    else
        snprintf(buf, size, "stage %zu/%zu: %u user%s at %.3g/s for %s", i + 1,
                 sh->nstages, st->users, st->users == 1 ? "" : "s", st->rate, time);
    return buf;
}
