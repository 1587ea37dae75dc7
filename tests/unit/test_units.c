/*
 * test_units.c: durations (Locust's --run-time forms plus ms and decimals),
 * counts, sizes, plain decimals, the short duration format and the clock.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

/* Assert that a duration parses to the expected seconds. */
static void
duration_ok(const char *text, double want)
{
    double got = -1;

    if (units_parse_duration(text, &got) != 0)
        fail_msg("\"%s\" rejected", text != NULL ? text : "(null)");
    if (fabs(got - want) > 1e-9)
        fail_msg("\"%s\" gave %g, want %g", text, got, want);
}

/* Assert that a duration is rejected and the output left alone. */
static void
duration_bad(const char *text)
{
    double got = -7;

    if (units_parse_duration(text, &got) == 0)
        fail_msg("\"%s\" accepted as %g", text != NULL ? text : "(null)", got);
    assert_true(got == -7);
}

/* Locust's --run-time forms, plus ms and decimals. */
static void
test_duration(void **state)
{
    (void)state;
    duration_ok("20", 20);
    duration_ok("0", 0);
    duration_ok("20s", 20);
    duration_ok("3m", 180);
    duration_ok("2h", 7200);
    duration_ok("1h20m", 4800);
    duration_ok("3h30m10s", 12610);
    duration_ok("1m30s", 90);
    duration_ok("1h5s", 3605);
    duration_ok("1.5s", 1.5);
    duration_ok("250ms", 0.25);
    duration_ok("1s500ms", 1.5);
    duration_ok("0.5", 0.5);
    duration_ok(".5s", 0.5);
    duration_ok("1.25h", 4500);
    duration_ok("007s", 7);

    duration_bad("");
    duration_bad(NULL);
    duration_bad("-1");
    duration_bad("-5s");
    duration_bad("+5s");
    duration_bad("20x");
    duration_bad("s");
    duration_bad("ms");
    duration_bad("20 s");
    duration_bad(" 20");
    duration_bad("20 ");
    duration_bad("1m1h");
    duration_bad("1s1s");
    duration_bad("1m30");
    duration_bad("1.5.5s");
    duration_bad("1e3");
    duration_bad("20S");
    duration_bad("1d");
    duration_bad(".");
    duration_bad("99999999999999999999999h");
}

/* A bare number means milliseconds in the _ms form; units work as usual. */
static void
test_duration_ms(void **state)
{
    double d = -1;

    (void)state;
    assert_int_equal(units_parse_duration_ms("20", &d), 0);
    assert_true(fabs(d - 0.02) < 1e-12);
    assert_int_equal(units_parse_duration_ms("20ms", &d), 0);
    assert_true(fabs(d - 0.02) < 1e-12);
    assert_int_equal(units_parse_duration_ms("1.5s", &d), 0);
    assert_true(d == 1.5);
    assert_int_equal(units_parse_duration_ms("2m", &d), 0);
    assert_true(d == 120);
    assert_int_equal(units_parse_duration_ms("", &d), -1);
    assert_int_equal(units_parse_duration_ms("-20", &d), -1);
    assert_int_equal(units_parse_duration_ms("20msx", &d), -1);
}

/* Counts: whole numbers with k, M, G. */
static void
test_count(void **state)
{
    unsigned long long n = 0;

    (void)state;
    assert_int_equal(units_parse_count("1000", &n), 0);
    assert_int_equal(n, 1000);
    assert_int_equal(units_parse_count("0", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(units_parse_count("10k", &n), 0);
    assert_int_equal(n, 10000);
    assert_int_equal(units_parse_count("10K", &n), 0);
    assert_int_equal(n, 10000);
    assert_int_equal(units_parse_count("1.5k", &n), 0);
    assert_int_equal(n, 1500);
    assert_int_equal(units_parse_count("2M", &n), 0);
    assert_int_equal(n, 2000000);
    assert_int_equal(units_parse_count("3G", &n), 0);
    assert_int_equal(n, 3000000000ULL);
    assert_int_equal(units_parse_count("18446744073709551615", &n), 0);
    assert_true(n == 18446744073709551615ULL);

    n = 77;
    assert_int_equal(units_parse_count("", &n), -1);
    assert_int_equal(units_parse_count(NULL, &n), -1);
    assert_int_equal(units_parse_count("-1", &n), -1);
    assert_int_equal(units_parse_count("1.5", &n), -1);
    assert_int_equal(units_parse_count("1.0001k", &n), -1);
    assert_int_equal(units_parse_count("10x", &n), -1);
    assert_int_equal(units_parse_count("10kk", &n), -1);
    assert_int_equal(units_parse_count("2m", &n), -1);
    assert_int_equal(units_parse_count(" 1", &n), -1);
    assert_int_equal(units_parse_count("18446744073709551616", &n), -1);
    assert_int_equal(units_parse_count("18446744073709552k", &n), -1);
    assert_int_equal(units_parse_count("1e3", &n), -1);
    assert_int_equal(n, 77);
}

/* Decimals: plain and with an exponent; no sign, NaN, inf or junk. */
static void
test_double(void **state)
{
    double d = 0;

    (void)state;
    assert_int_equal(units_parse_double("0.5", &d), 0);
    assert_true(d == 0.5);
    assert_int_equal(units_parse_double("10", &d), 0);
    assert_true(d == 10);
    assert_int_equal(units_parse_double(".25", &d), 0);
    assert_true(d == 0.25);
    assert_int_equal(units_parse_double("5.", &d), 0);
    assert_true(d == 5);
    assert_int_equal(units_parse_double("0.1", &d), 0);
    assert_true(d == 0.1);
    assert_int_equal(units_parse_double("1e3", &d), 0);
    assert_true(d == 1000);
    assert_int_equal(units_parse_double("2.5E-2", &d), 0);
    assert_true(d == 0.025);
    assert_int_equal(units_parse_double("123456.789", &d), 0);
    assert_true(d == 123456.789);

    d = 9;
    assert_int_equal(units_parse_double("", &d), -1);
    assert_int_equal(units_parse_double(NULL, &d), -1);
    assert_int_equal(units_parse_double("-1", &d), -1);
    assert_int_equal(units_parse_double("nan", &d), -1);
    assert_int_equal(units_parse_double("inf", &d), -1);
    assert_int_equal(units_parse_double("1x", &d), -1);
    assert_int_equal(units_parse_double("1e", &d), -1);
    assert_int_equal(units_parse_double("1e400", &d), -1);
    assert_int_equal(units_parse_double(".", &d), -1);
    assert_int_equal(units_parse_double("1,5", &d), -1);
    assert_int_equal(units_parse_double("1 ", &d), -1);
    assert_true(d == 9);
}

/* Sizes: k, M, G, T are powers of 1024, with optional B or iB. */
static void
test_size(void **state)
{
    unsigned long long n = 0;

    (void)state;
    assert_int_equal(units_parse_size("512", &n), 0);
    assert_int_equal(n, 512);
    assert_int_equal(units_parse_size("512B", &n), 0);
    assert_int_equal(n, 512);
    assert_int_equal(units_parse_size("16k", &n), 0);
    assert_int_equal(n, 16384);
    assert_int_equal(units_parse_size("16KB", &n), 0);
    assert_int_equal(n, 16384);
    assert_int_equal(units_parse_size("1M", &n), 0);
    assert_int_equal(n, 1048576);
    assert_int_equal(units_parse_size("2MiB", &n), 0);
    assert_int_equal(n, 2097152);
    assert_int_equal(units_parse_size("1.5M", &n), 0);
    assert_int_equal(n, 1572864);
    assert_int_equal(units_parse_size("1g", &n), 0);
    assert_int_equal(n, 1073741824ULL);
    assert_int_equal(units_parse_size("16777215T", &n), 0);
    assert_true(n == 16777215ULL << 40);

    n = 5;
    assert_int_equal(units_parse_size("", &n), -1);
    assert_int_equal(units_parse_size("-1", &n), -1);
    assert_int_equal(units_parse_size("1.5", &n), -1);
    assert_int_equal(units_parse_size("1X", &n), -1);
    assert_int_equal(units_parse_size("1MiBs", &n), -1);
    assert_int_equal(units_parse_size("16777216T", &n), -1);
    assert_int_equal(units_parse_size("99999999999999999999", &n), -1);
    assert_int_equal(n, 5);
}

/* The short duration format, truncating to whole seconds. */
static void
test_format(void **state)
{
    char buf[32];
    char tiny[4];

    (void)state;
    assert_string_equal(units_format_duration(0, buf, sizeof(buf)), "0s");
    assert_string_equal(units_format_duration(12, buf, sizeof(buf)), "12s");
    assert_string_equal(units_format_duration(59.9, buf, sizeof(buf)), "59s");
    assert_string_equal(units_format_duration(60, buf, sizeof(buf)), "1m00s");
    assert_string_equal(units_format_duration(245, buf, sizeof(buf)), "4m05s");
    assert_string_equal(units_format_duration(3723, buf, sizeof(buf)), "1h02m03s");
    assert_string_equal(units_format_duration(36000, buf, sizeof(buf)), "10h00m00s");
    assert_string_equal(units_format_duration(-5, buf, sizeof(buf)), "0s");
    assert_string_equal(units_format_duration(NAN, buf, sizeof(buf)), "0s");
    /* a small buffer is cut, never overrun */
    assert_string_equal(units_format_duration(3723, tiny, sizeof(tiny)), "1h0");
}

/* Run the units tests. */
/* Axis ticks are 1, 2 or 5 x 10^n; user counts whole (issue 16: 28.6, 273, 12.5 users). */
static bool
nice(double step)
{
    double m = step / pow(10, floor(log10(step) + 1e-9));

    return fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6;
}

static void
test_ticks(void **state)
{
    static const double maxes[] = { 0.07, 0.3, 1, 2.5, 7, 28.6, 50, 99, 100, 109, 273, 2866,
                                    12345, 1e6 };
    size_t i;
    int ticks;

    (void)state;
    for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
        for (ticks = 2; ticks <= 8; ticks++) {
            for (int whole = 0; whole <= 1; whole++) {
                double step = units_tick_step(maxes[i], ticks, whole), top;

                top = units_tick_top(maxes[i], step);
                assert_true(nice(step));
                assert_true(top >= maxes[i] - 1e-9);
                assert_true(top / step <= ticks + 1e-6);
                /* the step is the smallest nice one that fits */
                assert_true(top - step < maxes[i] + 1e-9 || (whole && step == 1));
                if (whole)
                    assert_true(step >= 1 && step == floor(step));
            }
        }
    }
    assert_true(units_tick_step(28.6, 4, true) == 10);
    assert_true(units_tick_top(28.6, 10) == 30);
    assert_true(units_tick_step(273, 5, false) == 100);
    assert_true(units_tick_top(273, 100) == 300);
    assert_true(units_tick_step(50, 4, true) == 20);
    assert_true(units_tick_step(3, 4, true) == 1);
    assert_true(units_tick_step(2, 4, false) == 0.5);
    assert_true(units_tick_step(0, 4, true) == 1);
    assert_true(units_tick_top(0, 1) == 1);
}

/* Assert what the clock shows for some seconds. */
static void
clock_is(double seconds, const char *want)
{
    char buf[32];

    memset(buf, 'x', sizeof(buf));
    if (strcmp(units_format_clock(seconds, buf, sizeof(buf)), want) != 0)
        fail_msg("%g s shows \"%s\", want \"%s\"", seconds, buf, want);
}

/*
 * One clock for the dashboard's header (elapsed, left) and its charts'
 * time axis: whole seconds gone by, as a stopwatch shows them. The charts
 * used to round (59.6 s read 1:00 under a header saying 0:59).
 */
static void
test_clock(void **state)
{
    char small[4] = "zzz";

    (void)state;
    clock_is(0, "0:00");
    clock_is(0.5, "0:00");
    clock_is(0.999, "0:00");
    clock_is(1, "0:01");
    clock_is(59.6, "0:59");
    clock_is(59.999, "0:59");
    clock_is(60, "1:00");
    clock_is(61.5, "1:01");
    clock_is(599.5, "9:59");
    clock_is(3599.9, "59:59");
    clock_is(3600, "1:00:00");
    clock_is(3661.7, "1:01:01");
    clock_is(36000 + 59.9, "10:00:59");
    /* nothing to show before the start, or for no number at all */
    clock_is(-3, "0:00");
    clock_is(NAN, "0:00");
    clock_is(INFINITY, "0:00");
    /* a huge value still formats, bounded */
    {
        char buf[32];

        units_format_clock(1e300, buf, sizeof(buf));
        assert_true(strlen(buf) > 7 && strlen(buf) < sizeof(buf));
    }
    /* a short buffer is cut, never overrun; an empty one is left alone */
    assert_string_equal(units_format_clock(125, small, sizeof(small)), "2:0");
    assert_string_equal(units_format_clock(125, small, 0), "2:0");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_duration_ms),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_clock),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
