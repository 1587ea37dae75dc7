/*
 * capconf.h: the [capacity] section of a scenario (cicada.ini(5)): what
 * the capacity search steps (an arrival rate or users), from where to
 * where, how long each step holds, and the limits that fail a step. Loading
 * a scenario needs only this; the search itself is capacity.h.
 */
#ifndef CICADA_CAPCONF_H
#define CICADA_CAPCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

enum capacity_load { CAPACITY_RATE, CAPACITY_USERS };

struct threshold;

/* A limit relative to the first step: "p95 < 2x". */
struct capacity_relative {
    struct threshold *t;     /* the metric and operator; limit = factor x first step's */
    double factor;
    char *text;
    int line;
};

struct capacity_conf {
    int line;                /* of [capacity]; 0: none */
    const char *file;
    enum capacity_load load;
    double start, step, max;
    bool step_mult;          /* step is a factor (x1.25), else added */
    double step_time, warmup;
    struct threshold *limits; /* absolute, threshold_parse'd */
    size_t nlimits;
    struct capacity_relative *relative;
    size_t nrelative;
    double min_ratio;        /* achieved below this share of offered: the step fails */
    double min_gain;         /* achieved gaining less than this over the previous step */
    double cpu_limit;        /* busiest worker thread, share of a core: the generator's limit */
    unsigned refine;
    double safety_factor;
    int start_line, step_line, max_line, step_time_line, warmup_line; /* 0: default */
};

void capacity_conf_init(struct capacity_conf *c);
void capacity_conf_free(struct capacity_conf *c);

/* One key of [capacity] (at line); 0, or -1 with *err (without file:line). */
int capacity_key(struct capacity_conf *c, const char *key, const char *value, int line,
                 char **err);

/* The keys are all read: check them together; 0, or -1 with *err ("file:line: ..."). */
int capacity_finish(struct capacity_conf *c, const char *file, char **err);

/* Resolve the limits' statistics entries; 0, or -1 with *err naming file:line. */
int capacity_resolve(struct capacity_conf *c, const struct stats *s, char **err);

/* "rate" or "users". */
const char *capacity_load_name(enum capacity_load l);

#endif
