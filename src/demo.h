/*
 * demo.h: the embedded demo target, a simulated inference endpoint with a
 * fixed capacity, running on its own thread inside cicada.
 *
 * It has `slots` service slots; each request to POST /predict (or any
 * path under /predict) holds a slot for a service time drawn from a
 * log-normal distribution with mean service_ms and coefficient of variation
 * service_cv; requests that find every slot busy wait in a FIFO queue of
 * `queue` places; a request that finds the queue full gets 503 at once.
 * GET /health answers 200 at once without a slot. Its true capacity is
 * slots / service time requests per second, so latency grows and failures
 * appear as users increase.
 */
#ifndef CICADA_DEMO_H
#define CICADA_DEMO_H

#include <stdint.h>

#include "demo_conf.h"

struct demo_counts {
    uint64_t requests;       /* every request received */
    uint64_t served;         /* answered after service */
    uint64_t rejected;       /* 503: queue full */
    unsigned busy;           /* slots in use now */
    unsigned queued;         /* waiting now */
};

struct demo;

/* Start on 127.0.0.1 on its own thread; NULL and *err (allocated) on failure. */
struct demo *demo_start(const struct demo_conf *conf, char **err);

int demo_port(const struct demo *d);

/* A consistent copy of the counters (thread-safe). */
void demo_counts(struct demo *d, struct demo_counts *out);

/* Stop the thread, close everything and free. */
void demo_stop(struct demo *d);

#endif
