/*
 * test_fdlimit.c: how many users an open-file limit allows: the largest
 * count whose need fits, one more does not, the demo target's second file
 * per user, and the limit raised to the hard limit.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "fdlimit.h"

/* The answer is the largest fitting count, for many limits and thread counts. */
static void
test_max_users_fits(void **state)
{
    unsigned long limits[] = { 0, 64, 100, 256, 1024, 4096, 20000, 1048576 };
    unsigned threads[] = { 1, 2, 8 };
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        for (j = 0; j < sizeof(threads) / sizeof(threads[0]); j++) {
            unsigned most = fdlimit_max_users(limits[i], threads[j], false);

            if (most > 0)
                assert_true(fdlimit_needed(most, threads[j], false) <= limits[i]);
            assert_true(fdlimit_needed(most + 1, threads[j], false) > limits[i]);
        }
    }
}

/* Each user needs at least one file, two with the demo target; threads cost some. */
static void
test_needed(void **state)
{
    (void)state;
    assert_true(fdlimit_needed(1000, 1, false) >= 1000);
    assert_true(fdlimit_needed(1000, 1, true) >= 2000);
    assert_true(fdlimit_needed(1000, 8, false) > fdlimit_needed(1000, 1, false));
    /* the 10,000 users of the benchmark fit this machine's usual hard limit of 20,000 */
    assert_true(fdlimit_max_users(20000, 2, false) >= 10000);
    /* 256 files: more than a hundred users, fewer than 256 */
    assert_in_range(fdlimit_max_users(256, 2, false), 100, 255);
    assert_true(fdlimit_max_users(256, 2, true) < fdlimit_max_users(256, 2, false));
    assert_true(fdlimit_max_users(256, 2, true) <= 256 / 2);
}

/* The soft limit goes up to the hard limit. */
static void
test_raise(void **state)
{
    struct rlimit rl;
    unsigned long now;

    (void)state;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max < 128)
        skip();
    rl.rlim_cur = 64;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    assert_int_equal(fdlimit_current(), 64);
    now = fdlimit_raise();
    assert_int_equal(now, rl.rlim_max);
    assert_int_equal(fdlimit_current(), rl.rlim_max);
}

/* Run the fdlimit tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_users_fits),
        cmocka_unit_test(test_needed),
        cmocka_unit_test(test_raise),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
