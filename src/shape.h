/*
 * shape.h: load shapes, the [shape] section of a scenario. A shape is a
 * list of stages, each a number of users to reach at a spawn rate and how
 * long the stage lasts; it is written as stages (like k6's stages or
 * Locust's StagesShape), as a step load, or as a spike, and always
 * compiled to stages. A shape of arrival rates (rate_stage = DURATION RATE,
 * the open model) ramps the rate instead, with the users from -u as its pool. The runner follows the stages and ends the run when
 * the last one is over.
 */
#ifndef CICADA_SHAPE_H
#define CICADA_SHAPE_H

#include <stddef.h>

struct shape_stage {
    double duration;         /* seconds, > 0 */
    unsigned users;          /* users to reach */
    double rate;             /* users started (or stopped) per second, > 0 */
    double arrival_rate;     /* rate stages: arrivals per second reached at the stage's end
                                (a linear ramp from the stage before's); < 0: a users stage */
};

struct shape;

/* A new, empty shape for a [shape] section at line. */
struct shape *shape_new(int line);
void shape_free(struct shape *sh);

/* Line of the [shape] section header. */
int shape_line(const struct shape *sh);

/* One key of [shape]. Returns 0, or -1 with *err (allocated, without file:line). */
int shape_key(struct shape *sh, const char *key, const char *value, int line, char **err);

/*
 * The section is complete: check it and compile it to stages. Returns 0, or
 * -1 with *err as "file:line: message".
 */
int shape_finish(struct shape *sh, const char *file, char **err);

size_t shape_nstages(const struct shape *sh);
const struct shape_stage *shape_stage(const struct shape *sh, size_t i);

/* Seconds from the start to the end of the last stage. */
double shape_duration(const struct shape *sh);

/* The most users any stage asks for. */
unsigned shape_peak_users(const struct shape *sh);

/* "stage 2/3: 50 users at 10/s for 1m" into buf. */
const char *shape_describe(const struct shape *sh, size_t i, char *buf, size_t size);

/* Is it a shape of arrival rates (rate_stage, the open model) rather than of users? */
int shape_is_rate(const struct shape *sh);

/* "stages", "steps", "spike" or "rates". */
const char *shape_form(const struct shape *sh);

#endif
