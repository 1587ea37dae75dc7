/*
 * test_selfmon.c: the generator's view of itself: a thread that burns a
 * known amount of CPU shows as the busiest thread with a share above zero,
 * descriptors opened between two samples are counted, and saturation is
 * the busiest thread above SELFMON_BUSY_PERCENT.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "selfmon.h"

static double
thread_cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pthread_barrier_t step;

/*
 * Alive across both samples: wait for the first, burn 0.3 s of this
 * thread's own CPU time (however busy the machine is), wait for the second.
 */
static void *
burn(void *arg)
{
    volatile unsigned long x = 0;
    double start;

    (void)arg;
    pthread_barrier_wait(&step);
    start = thread_cpu();
    while (thread_cpu() - start < 0.3)
        x++;
    pthread_barrier_wait(&step);
    pthread_barrier_wait(&step);
    return NULL;
}

static void
test_busiest_thread(void **state)
{
    struct selfmon m;
    pthread_t t;
    int fds[3];

    int before;

    (void)state;
    pthread_barrier_init(&step, NULL, 2);
    assert_int_equal(pthread_create(&t, NULL, burn, NULL), 0);
    selfmon_init(&m);
    assert_int_equal(m.open_fds, -1);
    selfmon_sample(&m, 2);
    assert_true(m.open_fds >= 3);
    before = m.open_fds;
    pthread_barrier_wait(&step);     /* burn */
    for (int i = 0; i < 3; i++)
        assert_true((fds[i] = open("/dev/null", O_RDONLY)) >= 0);
    pthread_barrier_wait(&step);     /* burnt, still alive */
    selfmon_sample(&m, 2);
    pthread_barrier_wait(&step);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&step);
    assert_int_equal(m.open_fds, before + 3);
    /* 0.3 CPU-s in one thread: a share above zero, whatever the wall time was */
    assert_true(m.cpu_percent > 0.0);
    assert_true(m.cpu_busiest > 0.0);
    for (int i = 0; i < 3; i++)
        close(fds[i]);
}

static void
test_saturated(void **state)
{
    struct selfmon m;

    (void)state;
    selfmon_init(&m);
    m.cpu_busiest = SELFMON_BUSY_PERCENT - 1;
    assert_false(selfmon_saturated(&m));
    m.cpu_busiest = SELFMON_BUSY_PERCENT + 1;
    assert_true(selfmon_saturated(&m));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busiest_thread),
        cmocka_unit_test(test_saturated),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
