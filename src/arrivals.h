/*
 * arrivals.h: the open model's arrival schedule for one worker thread.
 *
 * Arrivals are due at absolute times computed from the start of the
 * current segment, never from when the last one was handled, so a late
 * loop does not drift the schedule: it only makes the late arrivals start
 * late (and their latency, timed from the intended start, shows it).
 *
 * A segment ramps the rate linearly from r0 to r1 over `ramp` seconds and
 * then holds r1 (r0 == r1: a constant rate). The k-th arrival is due when
 * the segment's expected count N(t) = integral of the rate reaches u_k:
 * u_k = phase + k for evenly spaced arrivals, and a sum of exponential
 * draws of mean 1 for Poisson arrivals (a Poisson process with a varying
 * rate is a unit-rate one on N's clock).
 */
#ifndef CICADA_ARRIVALS_H
#define CICADA_ARRIVALS_H

#include <stdbool.h>
#include <stdint.h>

enum arrivals_kind { ARRIVALS_UNIFORM, ARRIVALS_POISSON };

struct arrivals {
    enum arrivals_kind kind;
    double t0;               /* the segment's start (the caller's clock, seconds) */
    double r0, r1;           /* rate at t0 and after the ramp, per second (>= 0) */
    double ramp;             /* seconds of the linear ramp (0: none) */
    double u;                /* expected count since t0 at which the next arrival is due */
    double due;              /* its time; INFINITY when none will come */
    bool started;            /* arrivals_set was called */
};

/* No arrivals until arrivals_set. */
void arrivals_init(struct arrivals *a, enum arrivals_kind kind);

/*
 * From `now`, ramp from the rate of now to `to` over `ramp` seconds (0:
 * at once). The first segment starts at phase (in [0, 1): a fraction of
 * an interval, to interleave workers) for even spacing; a later one keeps
 * the part of the interval already waited.
 */
void arrivals_set(struct arrivals *a, double now, double to, double ramp, double phase,
                  uint64_t rng[4]);

/* The rate at time t. */
double arrivals_rate(const struct arrivals *a, double t);

/* The expected number of arrivals from t0 to t. */
double arrivals_count(const struct arrivals *a, double t);

/* The next arrival was taken: schedule the one after. */
void arrivals_advance(struct arrivals *a, uint64_t rng[4]);

/* "uniform" or "poisson" to the kind; 0, or -1 if neither. */
int arrivals_parse(const char *text, enum arrivals_kind *kind);
const char *arrivals_name(enum arrivals_kind kind);

#endif
