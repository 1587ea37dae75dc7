/*
 * test_arrivals.c: the open model's schedule: evenly spaced arrivals at a
 * constant rate land exactly rate x time in a window, with no drift; a ramp
 * lands its integral; a rate change keeps the interval already waited;
 * Poisson arrivals have the right mean; the kinds parse.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "arrivals.h"
#include "rng.h"

/* Arrivals due in [from, to). */
static unsigned long
count_until(struct arrivals *a, double to, uint64_t rng[4])
{
    unsigned long n = 0;

    while (a->due < to) {
        n++;
        arrivals_advance(a, rng);
    }
    return n;
}

static void
test_uniform_constant(void **state)
{
    struct arrivals a;
    uint64_t rng[4];

    (void)state;
    rng_seed(rng, 1);
    arrivals_init(&a, ARRIVALS_UNIFORM);
    arrivals_set(&a, 1000.0, 0, 0, 0, rng);      /* open, no arrivals yet */
    assert_true(isinf(a.due));
    arrivals_set(&a, 1000.0, 200, 0, 0, rng);
    assert_true(fabs(a.due - 1000.0) < 1e-9);    /* phase 0: the first at once */
    assert_int_equal(count_until(&a, 1020.0, rng), 4000);
    /* absolute: the 4,001st is due at exactly 20 s, to the nanosecond */
    assert_true(fabs(a.due - 1020.0) < 1e-6);
}

static void
test_phase_interleaves(void **state)
{
    struct arrivals a;
    uint64_t rng[4];

    (void)state;
    rng_seed(rng, 2);
    arrivals_init(&a, ARRIVALS_UNIFORM);
    arrivals_set(&a, 0, 100, 0, 0.5, rng);
    assert_true(fabs(a.due - 0.005) < 1e-12);
}

static void
test_ramp(void **state)
{
    struct arrivals a;
    uint64_t rng[4];

    (void)state;
    rng_seed(rng, 3);
    arrivals_init(&a, ARRIVALS_UNIFORM);
    arrivals_set(&a, 0, 0, 0, 0, rng);
    arrivals_set(&a, 0, 100, 10, 0, rng);        /* 0 -> 100/s over 10 s: 500 */
    assert_true(fabs(arrivals_rate(&a, 5) - 50) < 1e-9);
    assert_true(fabs(arrivals_count(&a, 10) - 500) < 1e-9);
    assert_int_equal(count_until(&a, 10.0 - 1e-9, rng), 500);
    /* then held: 100 more a second */
    assert_int_equal(count_until(&a, 12.0 - 1e-9, rng), 200);
    /* down to 0 over 4 s: 200 more, then none */
    arrivals_set(&a, 12.0 - 1e-9, 0, 4, 0, rng);
    assert_true(labs((long)count_until(&a, 100, rng) - 200) <= 1);
    assert_true(isinf(a.due));
}

static void
test_change_keeps_interval(void **state)
{
    struct arrivals a;
    uint64_t rng[4];

    (void)state;
    rng_seed(rng, 4);
    arrivals_init(&a, ARRIVALS_UNIFORM);
    arrivals_set(&a, 0, 10, 0, 0, rng);          /* due 0, 0.1, 0.2, ... */
    assert_int_equal(count_until(&a, 0.25, rng), 3);
    /* at 0.25, half of the 0.1 s interval is still to go: at 20/s that is 0.025 s */
    arrivals_set(&a, 0.25, 20, 0, 0, rng);
    assert_true(fabs(a.due - 0.275) < 1e-9);
}

static void
test_poisson_mean(void **state)
{
    struct arrivals a;
    uint64_t rng[4];
    unsigned long n;

    (void)state;
    rng_seed(rng, 5);
    arrivals_init(&a, ARRIVALS_POISSON);
    arrivals_set(&a, 0, 0, 0, 0, rng);
    arrivals_set(&a, 0, 1000, 0, 0, rng);
    n = count_until(&a, 100, rng);               /* mean 100,000, sd 316 */
    assert_true(n > 98500 && n < 101500);
}

static void
test_parse(void **state)
{
    enum arrivals_kind k;

    (void)state;
    assert_int_equal(arrivals_parse("Poisson", &k), 0);
    assert_int_equal(k, ARRIVALS_POISSON);
    assert_int_equal(arrivals_parse("uniform", &k), 0);
    assert_int_equal(k, ARRIVALS_UNIFORM);
    assert_int_equal(arrivals_parse("even", &k), -1);
    assert_string_equal(arrivals_name(ARRIVALS_POISSON), "poisson");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_constant),
        cmocka_unit_test(test_phase_interleaves),
        cmocka_unit_test(test_ramp),
        cmocka_unit_test(test_change_keeps_interval),
        cmocka_unit_test(test_poisson_mean),
        cmocka_unit_test(test_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
