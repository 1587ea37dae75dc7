/*
 * sigv4_check: signs every request of the JSON lines tests/aws/sigv4_oracle.py
 * wrote (inputs and botocore's Authorization header) with cicada's signer and
 * compares byte for byte. Prints one line per mismatch with both canonical
 * requests; exit 0 only when every case matches. Also checks that the signing
 * key is derived once per (date, region, service), not once per request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sigv4.h"
#include "util.h"

static unsigned char *
unhex(const char *s, size_t *n)
{
    size_t len = strlen(s) / 2, i;
    unsigned char *out = xmalloc(len + 1);

    for (i = 0; i < len; i++) {
        unsigned v;

        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
    *n = len;
    return out;
}

static const char *
str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * --bench N [BODY_BYTES]: sign a typical InvokeEndpoint request N times and
 * print the time per signature (what signing adds to each request).
 */
static int
bench(long n, size_t body_len)
{
    static const struct sigv4_header hdr[] = {
        { "Host", 4, "runtime.sagemaker.us-east-1.amazonaws.com", 41 },
        { "Content-Type", 12, "application/json", 16 },
        { "Accept", 6, "application/json", 16 },
        { "User-Agent", 10, "cicada/0.1.0", 12 },
        { "X-Amz-Date", 10, "20261202T081500Z", 16 },
        { "X-Amz-Security-Token", 20, "IQoJb3JpZ2luX2VjEXAMPLETOKENIQoJb3JpZ2luX2VjEXAMPLETOKEN", 56 },
    };
    struct sigv4_creds cr = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              "IQoJb3JpZ2luX2VjEXAMPLETOKEN" };
    struct sigv4_request rq;
    struct sigv4_key key;
    struct buf auth;
    char *body = xmalloc(body_len + 1);
    double t0, t1;
    long i;

    memset(body, 'x', body_len);
    memset(&key, 0, sizeof(key));
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.path = "/endpoints/my-endpoint/invocations";
    rq.path_len = strlen(rq.path);
    rq.headers = hdr;
    rq.nheaders = ARRAY_LEN(hdr);
    rq.body = body;
    rq.body_len = body_len;
    buf_init(&auth);
    t0 = time_mono();
    for (i = 0; i < n; i++) {
        auth.len = 0;
        sigv4_sign(&cr, 1, "us-east-1", "sagemaker", "20261202T081500Z", &rq, &key, &auth, NULL);
    }
    t1 = time_mono();
    printf("sign POST with a %zu-byte body: %.2f us per request (%ld signatures, %u key "
           "derivation%s)\n", body_len, (t1 - t0) * 1e6 / (double)n, n, key.derivations,
           key.derivations == 1 ? "" : "s");
    buf_free(&auth);
    free(body);
    return 0;
}

int
main(int argc, char **argv)
{
    FILE *f;
    char *line = NULL;
    size_t cap = 0, ncases = 0, bad = 0;
    ssize_t len;
    struct sigv4_key key;
    unsigned expect_derivations = 0;
    char last_scope[128] = "";

    if (argc > 2 && strcmp(argv[1], "--bench") == 0)
        return bench(atol(argv[2]), argc > 3 ? (size_t)atol(argv[3]) : 200);
    f = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    memset(&key, 0, sizeof(key));
    while ((len = getline(&line, &cap, f)) > 0) {
        cJSON *c = cJSON_Parse(line), *hs, *h;
        struct sigv4_header hdr[32];
        struct sigv4_request rq;
        struct sigv4_creds cr;
        struct buf auth, canon;
        size_t n = 0;
        unsigned char *body;
        const char *query = str(c, "query"), *time_ = str(c, "time");
        char scope[128];

        if (c == NULL) {
            fprintf(stderr, "bad JSON line\n");
            return 2;
        }
        memset(&rq, 0, sizeof(rq));
        hs = cJSON_GetObjectItemCaseSensitive(c, "headers");
        cJSON_ArrayForEach(h, hs) {
            const char *name = cJSON_GetArrayItem(h, 0)->valuestring;
            const char *value = cJSON_GetArrayItem(h, 1)->valuestring;

            hdr[n].name = name;
            hdr[n].name_len = strlen(name);
            hdr[n].value = value;
            hdr[n].value_len = strlen(value);
            n++;
        }
        rq.method = str(c, "method");
        rq.path = str(c, "path");
        rq.path_len = strlen(rq.path);
        rq.query = query;
        rq.query_len = query != NULL ? strlen(query) : 0;
        rq.headers = hdr;
        rq.nheaders = n;
        body = unhex(str(c, "body"), &rq.body_len);
        rq.body = body;
        cr.key_id = str(c, "key");
        cr.secret = str(c, "secret");
        cr.token = str(c, "token");
        buf_init(&auth);
        buf_init(&canon);
        snprintf(scope, sizeof(scope), "%.8s/%s/%s", time_, str(c, "region"), str(c, "service"));
        if (strcmp(scope, last_scope) != 0)
            expect_derivations++;
        snprintf(last_scope, sizeof(last_scope), "%s", scope);
        sigv4_sign(&cr, 1, str(c, "region"), str(c, "service"), time_, &rq, &key, &auth, &canon);
        /* the same request again: same bytes, no new derivation */
        {
            struct buf again;

            buf_init(&again);
            sigv4_sign(&cr, 1, str(c, "region"), str(c, "service"), time_, &rq, &key, &again,
                       NULL);
            if (strcmp(again.data, auth.data) != 0) {
                printf("case %zu: signing twice gave two answers\n", ncases);
                bad++;
            }
            buf_free(&again);
        }
        if (strcmp(auth.data, str(c, "expect")) != 0) {
            printf("case %zu: %s %s?%s\n  cicada:   %s\n  botocore: %s\n"
                   "  cicada canonical:\n%s\n  botocore canonical:\n%s\n",
                   ncases, rq.method, rq.path, query ? query : "(none)", auth.data,
                   str(c, "expect"), canon.data, str(c, "canonical"));
            bad++;
        }
        ncases++;
        free(body);
        buf_free(&auth);
        buf_free(&canon);
        cJSON_Delete(c);
    }
    free(line);
    if (key.derivations != expect_derivations) {
        printf("signing key derived %u times for %u scopes\n", key.derivations,
               expect_derivations);
        bad++;
    }
    printf("%zu cases, %zu mismatches, %u key derivations\n", ncases, bad, key.derivations);
    return bad == 0 && ncases > 0 ? 0 : 1;
}
