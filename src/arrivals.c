/*
 * arrivals.c: the open model's arrival schedule (see arrivals.h).
 */
#include "config.h"

#include <math.h>
#include <strings.h>

#include "arrivals.h"
#include "rng.h"

void
arrivals_init(struct arrivals *a, enum arrivals_kind kind)
{
    a->kind = kind;
    a->t0 = 0;
    a->r0 = a->r1 = 0;
    a->ramp = 0;
    a->u = 0;
    a->due = INFINITY;
    a->started = false;
}

double
arrivals_rate(const struct arrivals *a, double t)
{
    double tau = t - a->t0;

    if (tau <= 0)
        return a->r0;
    if (tau >= a->ramp)
        return a->r1;
    return a->r0 + (a->r1 - a->r0) * tau / a->ramp;
}

double
arrivals_count(const struct arrivals *a, double t)
{
    double tau = t - a->t0, in_ramp;

    if (tau <= 0)
        return 0;
    if (tau <= a->ramp)
        return a->r0 * tau + (a->r1 - a->r0) * tau * tau / (2 * a->ramp);
    in_ramp = a->ramp;
    return (a->r0 + a->r1) / 2 * in_ramp + a->r1 * (tau - in_ramp);
}

/* The time at which the segment's expected count reaches u. */
static double
time_of(const struct arrivals *a, double u)
{
    double at_ramp_end = arrivals_count(a, a->t0 + a->ramp);

    if (a->r0 <= 0 && a->r1 <= 0)
        return INFINITY;
    if (u <= 0)
        return a->t0;

    if (a->ramp > 0 && u <= at_ramp_end) {
        /* r0 tau + k tau^2 = u with k = (r1 - r0) / (2 ramp): the smaller root */
        double k = (a->r1 - a->r0) / (2 * a->ramp);
        double disc = a->r0 * a->r0 + 4 * k * u;

        if (disc < 0)
            disc = 0;
        if (a->r0 + sqrt(disc) <= 0)
            return INFINITY;
        return a->t0 + 2 * u / (a->r0 + sqrt(disc));
    }
    if (a->r1 <= 0)
        return INFINITY;
    return a->t0 + a->ramp + (u - at_ramp_end) / a->r1;
}

/* An exponential draw of mean 1. */
static double
exp1(uint64_t rng[4])
{
    double unit = (double)(rng64(rng) >> 11) * 0x1.0p-53;

    return -log1p(-unit);
}

void
arrivals_set(struct arrivals *a, double now, double to, double ramp, double phase,
             uint64_t rng[4])
{
    double from = a->started ? arrivals_rate(a, now) : 0;
    double left;

    if (!a->started) {
        /* the first segment */
        left = a->kind == ARRIVALS_POISSON ? exp1(rng) : phase;
    } else {
        /* the part of the current interval still to go, on the old clock */
        left = a->u - arrivals_count(a, now);
        if (!(left >= 0))
            left = 0;
        if (a->kind == ARRIVALS_UNIFORM && left > 1)
            left = 1;
    }
    if (to < 0)
        to = 0;
    a->t0 = now;
    a->r0 = from;
    a->r1 = to;
    a->ramp = ramp > 0 ? ramp : 0;
    if (a->ramp == 0)
        a->r0 = to;
    a->u = left;
    a->started = true;
    a->due = time_of(a, a->u);
}

void
arrivals_advance(struct arrivals *a, uint64_t rng[4])
{
    a->u += a->kind == ARRIVALS_POISSON ? exp1(rng) : 1.0;
    a->due = time_of(a, a->u);
}

int
arrivals_parse(const char *text, enum arrivals_kind *kind)
{
    if (strcasecmp(text, "uniform") == 0) {
        *kind = ARRIVALS_UNIFORM;
        return 0;
    }
    if (strcasecmp(text, "poisson") == 0) {
        *kind = ARRIVALS_POISSON;
        return 0;
    }
    return -1;
}

const char *
arrivals_name(enum arrivals_kind kind)
{
    return kind == ARRIVALS_POISSON ? "poisson" : "uniform";
}
