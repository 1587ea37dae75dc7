/*
 * test_report.c: what the reports rest on: Python's float repr (Locust's
 * CSV numbers), the threshold language (every form, every error), and
 * threshold evaluation on a model with known requests.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "stats.h"
#include "threshold.h"
#include "util.h"

#define START 1700000000.0

/* Values checked against CPython 3's repr(). */
static void
test_float_repr(void **state)
{
    static const struct { double v; const char *repr; } cases[] = {
        { 50.123, "50.123" },
        { 140.0, "140.0" },
        { 0.1 + 0.2, "0.30000000000000004" },
        { 1e-05, "1e-05" },
        { 0.0001, "0.0001" },
        { 1e16, "1e+16" },
        { 1e15, "1000000000000000.0" },
        { 3.943301622639239, "3.943301622639239" },
        { 1345.0420094736196, "1345.0420094736196" },
        { 2.0 / 3.0, "0.6666666666666666" },
        { 153.0, "153.0" },
        { 0.0, "0.0" },
        { 12345678.9, "12345678.9" },
        { 1.5e-07, "1.5e-07" },
    };
    char buf[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        assert_string_equal(report_float_repr(cases[i].v, buf, sizeof(buf)), cases[i].repr);
}

static void
test_iso_time(void **state)
{
    char buf[64];

    (void)state;
    assert_string_equal(report_iso_time(1700000000.7, buf, sizeof(buf)), "2023-11-14T22:13:20Z");
}

/* Parse text and check the normalised form. */
static void
parses_as(const char *text, const char *normal)
{
    struct threshold t;
    char *err = NULL;

    if (threshold_parse(text, &t, &err) < 0)
        fail_msg("'%s' did not parse: %s", text, err);
    assert_string_equal(t.text, normal);
    threshold_free(&t);
}

static void
test_parse_forms(void **state)
{
    struct threshold t;
    char *err = NULL;

    (void)state;
    parses_as("p95<150ms", "p95 < 150 ms");
    parses_as("p95 < 150", "p95 < 150 ms");
    parses_as("p(99) <= 0.2s", "p99 <= 200 ms");
    parses_as("p99.9<1s", "p99.9 < 1000 ms");
    parses_as("rps>=100", "rps >= 100");
    parses_as("rps >= 100/s", "rps >= 100");
    parses_as("fail_ratio<1%", "fail_ratio < 1%");
    parses_as("error_rate < 0.01", "fail_ratio < 1%");
    parses_as("avg<100", "avg < 100 ms");
    parses_as("max<=2s", "max <= 2000 ms");
    parses_as("min > 1", "min > 1 ms");
    parses_as("median<50ms", "median < 50 ms");
    parses_as("requests >= 5000", "requests >= 5000");
    parses_as("failures == 0", "failures == 0");
    parses_as("POST /predict: p95<150ms", "POST /predict: p95 < 150 ms");
    parses_as("/health: max < 50", "/health: max < 50 ms");
    parses_as("POST /v1/models/m:predict: p99<300", "POST /v1/models/m:predict: p99 < 300 ms");
    parses_as("Aggregated: rps > 1", "rps > 1");

    assert_int_equal(threshold_parse("POST /predict: p95<150ms", &t, &err), 0);
    assert_string_equal(t.entry_method, "POST");
    assert_string_equal(t.entry_name, "/predict");
    assert_int_equal(t.metric, TM_PERCENTILE);
    assert_true(t.percentile > 0.9499 && t.percentile < 0.9501);
    assert_int_equal(t.op, TOP_LT);
    assert_true(t.limit == 150);
    threshold_free(&t);
}

/* Parse text, expect an error that contains want. */
static void
fails_with(const char *text, const char *want)
{
    struct threshold t;
    char *err = NULL;

    if (threshold_parse(text, &t, &err) == 0)
        fail_msg("'%s' parsed but should not", text);
    if (strstr(err, want) == NULL)
        fail_msg("'%s': error '%s' does not say '%s'", text, err, want);
    free(err);
}

static void
test_parse_errors(void **state)
{
    (void)state;
    fails_with("p95", "expected METRIC OP VALUE");
    fails_with("p96x<1", "bad percentile");
    fails_with("p0<1", "bad percentile");
    fails_with("p101<1", "bad percentile");
    fails_with("rsp<100", "did you mean 'rps'");
    fails_with("latency<100", "unknown metric");
    fails_with("p95<150 minutes", "bad unit");
    fails_with("p95<fast", "expected a number");
    fails_with("p95<-1", "expected a number >= 0");
    fails_with("fail_ratio<5", "ratio from 0 to 1");
    fails_with("rps>1 MB", "bad unit");
    fails_with("requests>1.5", "whole number");
    fails_with("p95 =< 150", "bad comparison");
    fails_with("p95 != 150", "bad comparison");
    fails_with("p95 < 150 < 200", "one comparison");
    fails_with("< 150", "no metric");
    fails_with("p95 <", "no value");
    fails_with(": p95<1", "nothing before ':'");
}

/* A model with 100 requests on GET /a (10..1000 ms; 5 failed) and 10 on POST /b (5 ms). */
static struct stats *
model(void)
{
    struct stats *s = xmalloc(sizeof(*s));
    struct stats_delta d;
    int a, b;

    stats_init(s);
    stats_reset(s, START);
    a = stats_entry_id(s, "GET", "/a");
    b = stats_entry_id(s, "POST", "/b");
    stats_delta_init(&d);
    stats_delta_bind(&d, s);
    stats_delta_reserve(&d, s->nentries);
    for (int i = 1; i <= 100; i++)
        stats_delta_record(&d, a, (uint64_t)i * 10000, 0, 10, i <= 5, START + 9);
    for (int i = 0; i < 10; i++)
        stats_delta_record(&d, b, 5000, 0, 10, false, START + 10);
    stats_merge(s, &d);
    stats_delta_free(&d);
    return s;
}

/* Parse, resolve and evaluate one threshold on s. */
static bool
holds(struct stats *s, const char *text, double *measured)
{
    struct threshold t;
    struct threshold_result res;
    char *err = NULL;
    bool ok;

    if (threshold_parse(text, &t, &err) < 0)
        fail_msg("'%s': %s", text, err);
    if (threshold_resolve(&t, s, &err) < 0)
        fail_msg("'%s': %s", text, err);
    ok = threshold_eval(&t, s, &res);
    if (measured != NULL)
        *measured = res.measured;
    threshold_free(&t);
    return ok;
}

static void
test_eval(void **state)
{
    struct stats *s = model();
    double v;

    (void)state;
    /* 110 requests over 10 s */
    assert_true(holds(s, "rps >= 11", &v));
    assert_true(v > 10.99 && v < 11.01);
    assert_false(holds(s, "rps > 11", NULL));
    /* 5 of 110 failed */
    assert_true(holds(s, "fail_ratio < 5%", &v));
    assert_false(holds(s, "fail_ratio < 4%", NULL));
    assert_true(holds(s, "failures == 5", NULL));
    assert_true(holds(s, "requests >= 110", NULL));
    /* GET /a: 10, 20 ... 1000 ms; p95 = value at rank 95 = 960 ms */
    assert_true(holds(s, "GET /a: p95 <= 960", &v));
    assert_true(v == 960);
    assert_false(holds(s, "/a: p95 < 960ms", NULL));
    assert_true(holds(s, "/a: max <= 1s", NULL));
    assert_true(holds(s, "/a: min >= 10", NULL));
    assert_true(holds(s, "/a: avg > 500", &v));
    assert_true(v > 504.9 && v < 505.1);
    assert_true(holds(s, "POST /b: median == 5", NULL));
    assert_true(holds(s, "/b: fail_ratio == 0", NULL));
    stats_free(s);
    free(s);
}

static void
test_resolve_errors(void **state)
{
    struct stats *s = model();
    struct threshold t;
    char *err = NULL;

    (void)state;
    assert_int_equal(threshold_parse("/nope: p95<1", &t, &err), 0);
    assert_int_equal(threshold_resolve(&t, s, &err), -1);
    assert_non_null(strstr(err, "no statistics entry /nope"));
    assert_non_null(strstr(err, "\"GET /a\""));
    free(err);
    threshold_free(&t);
    assert_int_equal(threshold_parse("PUT /a: p95<1", &t, &err), 0);
    assert_int_equal(threshold_resolve(&t, s, &err), -1);
    free(err);
    threshold_free(&t);
    /* the same name under two methods needs the method */
    stats_entry_id(s, "POST", "/a");
    assert_int_equal(threshold_parse("/a: p95<1", &t, &err), 0);
    assert_int_equal(threshold_resolve(&t, s, &err), -1);
    assert_non_null(strstr(err, "names 2 entries"));
    free(err);
    threshold_free(&t);
    stats_free(s);
    free(s);
}

/* No request: a latency gate cannot pass; count gates still work. */
static void
test_no_data(void **state)
{
    struct stats *s = xmalloc(sizeof(*s));

    (void)state;
    stats_init(s);
    stats_reset(s, START);
    assert_false(holds(s, "p95 < 1000", NULL));
    assert_false(holds(s, "fail_ratio < 1%", NULL));
    assert_true(holds(s, "failures == 0", NULL));
    stats_free(s);
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_repr),
        cmocka_unit_test(test_iso_time),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_no_data),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
