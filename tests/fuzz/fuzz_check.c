/*
 * fuzz_check.c: response checks and captures on arbitrary bodies. The
 * input's first line is an expect_json, expect_body or capture value (the
 * first byte picks which), the rest is the response body.
 */
#include "config.h"

#include "fuzz.h"

#include "check.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl;
    char *spec, *err = NULL;
    const char *body;
    size_t body_len;
    struct check c;
    struct capture cap;
    struct check_response r;
    struct buf out;
    char msg[256];
    int mode;

    if (size < 1)
        return 0;
    mode = data[0] % 3;
    data++;
    size--;
    nl = memchr(data, '\n', size);
    spec = fuzz_string(data, nl != NULL ? (size_t)(nl - data) : size);
    body = nl != NULL ? (const char *)nl + 1 : "";
    body_len = nl != NULL ? size - (size_t)(nl + 1 - data) : 0;
    memset(&r, 0, sizeof(r));
    r.body = body;
    r.len = body_len;
    r.seconds = 0.01;
    if (mode == 2) {
        if (capture_parse(spec, &cap, &err) == 0) {
            enum check_failure why;

            buf_init(&out);
            why = capture_json(&cap, &r, &out);
            capture_describe(&cap, why, msg, sizeof(msg));
            buf_free(&out);
            capture_free(&cap);
        }
    } else if ((mode == 0 ? check_parse_json(spec, &c, &err)
                          : check_parse_body(spec, &c, &err)) == 0) {
        enum check_failure why = check_run(&c, &r);

        check_describe(&c, why, msg, sizeof(msg));
        check_free(&c);
    }
    check_response_done(&r);
    free(err);
    free(spec);
    return 0;
}
