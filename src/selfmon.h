/*
 * selfmon.h: the generator watching itself: the CPU its process and its
 * busiest thread used over the last second, and its open descriptors, so
 * that every front end, the reports and the capacity search can tell when
 * cicada, not the target, may be the bottleneck.
 */
#ifndef CICADA_SELFMON_H
#define CICADA_SELFMON_H

#include <stdbool.h>
#include <stddef.h>

/* Above this share of one core in one thread, the generator may be the limit. */
#define SELFMON_BUSY_PERCENT 90.0
#define SELFMON_MAX_THREADS 512

struct selfmon {
    double cpu_percent;      /* the process, 100 = one core; 0 before two samples */
    double cpu_busiest;      /* its busiest thread, 100 = one core */
    int open_fds;            /* -1 when unknown */

    /* the previous sample */
    double last_wall, last_total;
    struct selfmon_thread {
        long tid;
        double seconds;
    } prev[SELFMON_MAX_THREADS];
    size_t nprev;
};

void selfmon_init(struct selfmon *m);

/*
 * Take a sample (reads /proc/self); the rates cover the time since the
 * previous one. threads: how many threads share the load, for the busiest
 * thread's share where /proc/self/task cannot be read.
 */
void selfmon_sample(struct selfmon *m, unsigned threads);

/* Is one thread busier than SELFMON_BUSY_PERCENT of a core? */
bool selfmon_saturated(const struct selfmon *m);

#endif
