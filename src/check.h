/*
 * check.h: what is read from a response. Checks turn a response into a
 * failure with a reason (the body contains a text, a JSON field exists or
 * has a value, the response time stays under a bound); captures copy a
 * JSON field or a header into one of the user's variables, for its later
 * requests ({{var NAME}}). Both read the response body only when a task
 * has them; the body is then kept in a bounded buffer.
 */
#ifndef CICADA_CHECK_H
#define CICADA_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "util.h"

/* Most checks, and most captures, of one task (failures are keyed by their index). */
#define MAX_CHECKS 32

/* Most response body kept for checks and captures. */
#define CHECK_BODY_MAX (1024 * 1024)

enum check_kind {
    CHECK_BODY,              /* the body contains text */
    CHECK_JSON_EXISTS,       /* a JSON field exists */
    CHECK_JSON_EQUALS,       /* a JSON field equals a JSON value */
    CHECK_TIME,              /* response time at most max_seconds */
};

struct check {
    enum check_kind kind;
    char *text;              /* CHECK_BODY: the text; CHECK_JSON_*: the field path */
    cJSON *want;             /* CHECK_JSON_EQUALS */
    char *want_text;         /* as written */
    double max_seconds;      /* CHECK_TIME */
};

enum capture_kind {
    CAPTURE_JSON,
    CAPTURE_HEADER,
};

struct capture {
    char *name;
    int var;                 /* index in the template library */
    enum capture_kind kind;
    char *field;             /* JSON path or header name */
};

/* Why a check or capture failed (the "detail" of a failure). */
enum check_failure {
    CHECK_OK = 0,
    CHECK_MISSING,           /* text not found, field or header missing */
    CHECK_MISMATCH,          /* JSON field has another value */
    CHECK_NOT_JSON,          /* the body is not JSON */
    CHECK_TOO_BIG,           /* the body exceeded CHECK_BODY_MAX */
    CHECK_SLOW,              /* response time above the bound */
};

/* Parse expect_body, expect_json, max_response_time; 0 or -1 with *err. */
int check_parse_body(const char *value, struct check *c, char **err);
int check_parse_json(const char *value, struct check *c, char **err);
int check_parse_time(const char *value, struct check *c, char **err);
void check_free(struct check *c);

/* Parse "NAME json FIELD" or "NAME header HEADER"; 0 or -1 with *err. */
int capture_parse(const char *value, struct capture *cap, char **err);
void capture_free(struct capture *cap);

/*
 * The response as the checks see it. json is parsed on first need and
 * must be released with check_response_done.
 */
struct check_response {
    const char *body;
    size_t len;
    bool truncated;
    double seconds;
    cJSON *json;
    bool json_tried;
};

/* Run one check; CHECK_OK or why it failed. */
enum check_failure check_run(const struct check *c, struct check_response *r);

/* Run one JSON capture into out (replaced); CHECK_OK or why not. */
enum check_failure capture_json(const struct capture *cap, struct check_response *r,
                                struct buf *out);

void check_response_done(struct check_response *r);

/* The failure reason of a check or capture, into buf. */
void check_describe(const struct check *c, enum check_failure why, char *buf, size_t size);
void capture_describe(const struct capture *cap, enum check_failure why, char *buf,
                      size_t size);

/* The item at a field path such as "a.b.0.c" (numbers index arrays), or NULL. */
cJSON *json_lookup(cJSON *root, const char *path);

#endif
