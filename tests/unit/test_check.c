/*
 * test_check.c: response checks and captures: parsing (with the message of
 * each bad form), JSON field paths, each check's verdict and its reason.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"

/* A response with this body, taking seconds. */
static struct check_response
response(const char *body, double seconds)
{
    struct check_response r;

    memset(&r, 0, sizeof(r));
    r.body = body;
    r.len = strlen(body);
    r.seconds = seconds;
    return r;
}

/* Parse with fn, run on body, compare the verdict and reason. */
static void
verdict(int (*fn)(const char *, struct check *, char **), const char *value, const char *body,
        double seconds, enum check_failure want, const char *reason)
{
    struct check c;
    struct check_response r = response(body, seconds);
    char *err = NULL;
    char buf[200];
    enum check_failure got;

    if (fn(value, &c, &err) < 0)
        fail_msg("\"%s\" rejected: %s", value, err);
    got = check_run(&c, &r);
    if (got != want)
        fail_msg("\"%s\" on %s: verdict %d, want %d", value, body, got, want);
    if (reason != NULL) {
        check_describe(&c, got, buf, sizeof(buf));
        assert_string_equal(buf, reason);
    }
    check_response_done(&r);
    check_free(&c);
}

static void
test_body(void **state)
{
    (void)state;
    verdict(check_parse_body, "ham", "{\"label\": \"ham\"}", 0, CHECK_OK, NULL);
    verdict(check_parse_body, "spam", "{\"label\": \"ham\"}", 0, CHECK_MISSING,
            "body does not contain \"spam\"");
    verdict(check_parse_body, "x", "", 0, CHECK_MISSING, NULL);
}

static void
test_json(void **state)
{
    const char *doc = "{\"label\": \"spam\", \"p\": 0.5, \"ok\": true, \"none\": null,"
                      " \"result\": {\"scores\": [0.1, {\"v\": 7}]}}";

    (void)state;
    verdict(check_parse_json, "label", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "result.scores.1.v", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "none", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "result.scores.2", doc, 0, CHECK_MISSING,
            "JSON field result.scores.2 missing");
    verdict(check_parse_json, "label.x", doc, 0, CHECK_MISSING, NULL);
    verdict(check_parse_json, "label == \"spam\"", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "label == spam", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "label == ham", doc, 0, CHECK_MISMATCH,
            "JSON field label is not ham");
    verdict(check_parse_json, "p == 0.5", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "p == \"0.5\"", doc, 0, CHECK_MISMATCH, NULL);
    verdict(check_parse_json, "ok == true", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "result.scores.1 == {\"v\": 7}", doc, 0, CHECK_OK, NULL);
    verdict(check_parse_json, "label", "<html>", 0, CHECK_NOT_JSON,
            "body is not JSON (expected field label)");
}

static void
test_time(void **state)
{
    (void)state;
    verdict(check_parse_time, "500ms", "", 0.4, CHECK_OK, NULL);
    verdict(check_parse_time, "500ms", "", 0.6, CHECK_SLOW, "response time above 500 ms");
    verdict(check_parse_time, "2", "", 2.5, CHECK_SLOW, "response time above 2000 ms");
}

static void
test_too_big(void **state)
{
    struct check c;
    struct check_response r = response("{\"a\": 1", 0);
    char *err = NULL, buf[200];

    (void)state;
    r.truncated = true;
    assert_int_equal(check_parse_json("a", &c, &err), 0);
    assert_int_equal(check_run(&c, &r), CHECK_TOO_BIG);
    check_describe(&c, CHECK_TOO_BIG, buf, sizeof(buf));
    assert_string_equal(buf, "response body over 1048576 bytes: too large to check");
    check_free(&c);
}

static void
test_bad_checks(void **state)
{
    struct check c;
    char *err = NULL;
    const char *bad_json[] = { "", "a..b", ".a", "a.", "[0]", "a b", "label ==", NULL };
    size_t i;

    (void)state;
    for (i = 0; bad_json[i] != NULL; i++) {
        if (check_parse_json(bad_json[i], &c, &err) == 0)
            fail_msg("expect_json \"%s\" accepted", bad_json[i]);
        assert_non_null(strstr(err, "bad expect_json"));
        free(err);
    }
    assert_int_equal(check_parse_body("", &c, &err), -1);
    free(err);
    assert_int_equal(check_parse_time("0", &c, &err), -1);
    assert_non_null(strstr(err, "max_response_time"));
    free(err);
    assert_int_equal(check_parse_time("fast", &c, &err), -1);
    free(err);
}

static void
test_captures(void **state)
{
    struct capture cap;
    struct check_response r = response("{\"token\": \"abc\", \"n\": 5, \"o\": {\"k\": [1]}}", 0);
    struct buf out;
    char *err = NULL, buf[200];

    (void)state;
    buf_init(&out);
    assert_int_equal(capture_parse("tok json token", &cap, &err), 0);
    assert_int_equal(cap.kind, CAPTURE_JSON);
    assert_int_equal(capture_json(&cap, &r, &out), CHECK_OK);
    assert_string_equal(out.data, "abc");
    capture_free(&cap);
    assert_int_equal(capture_parse("n json n", &cap, &err), 0);
    assert_int_equal(capture_json(&cap, &r, &out), CHECK_OK);
    assert_string_equal(out.data, "5");
    capture_free(&cap);
    assert_int_equal(capture_parse("o json o", &cap, &err), 0);
    assert_int_equal(capture_json(&cap, &r, &out), CHECK_OK);
    assert_string_equal(out.data, "{\"k\":[1]}");
    capture_free(&cap);
    assert_int_equal(capture_parse("m json missing", &cap, &err), 0);
    assert_int_equal(capture_json(&cap, &r, &out), CHECK_MISSING);
    capture_describe(&cap, CHECK_MISSING, buf, sizeof(buf));
    assert_string_equal(buf, "capture m: JSON field missing missing");
    capture_free(&cap);
    assert_int_equal(capture_parse("s header X-Session", &cap, &err), 0);
    assert_int_equal(cap.kind, CAPTURE_HEADER);
    capture_describe(&cap, CHECK_MISSING, buf, sizeof(buf));
    assert_string_equal(buf, "capture s: header X-Session missing");
    capture_free(&cap);
    assert_int_equal(capture_parse("tok", &cap, &err), -1);
    assert_non_null(strstr(err, "write capture = NAME json FIELD"));
    free(err);
    assert_int_equal(capture_parse("a/b json x", &cap, &err), -1);
    assert_non_null(strstr(err, "bad capture name"));
    free(err);
    check_response_done(&r);
    buf_free(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_bad_checks),
        cmocka_unit_test(test_captures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
