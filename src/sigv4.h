/*
 * sigv4.h: AWS Signature Version 4 (AWS4-HMAC-SHA256) for one request, as
 * AWS specifies it for services other than S3: the canonical request (method,
 * path normalised and URI-encoded again, sorted query, lower-cased sorted
 * headers with collapsed spaces, signed header list, SHA-256 of the body),
 * the string to sign, and the signature with a signing key derived from the
 * secret, the date, the region and the service.
 *
 * The signing key is cached in a struct sigv4_key and derived again only when
 * the date, region, service or credentials change (once a day per region),
 * so a request costs two SHA-256 and one HMAC-SHA256. Uses OpenSSL's
 * libcrypto. Nothing here reads the clock or the environment.
 */
#ifndef CICADA_SIGV4_H
#define CICADA_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

/* One header as sent ("Name", "value"; not NUL-terminated). */
struct sigv4_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct sigv4_request {
    const char *method;      /* "POST" */
    const char *path;        /* as sent, before any '?' ("/endpoints/x/invocations") */
    size_t path_len;
    const char *query;       /* as sent, after '?' (NULL or "" for none) */
    size_t query_len;
    const struct sigv4_header *headers;  /* every header sent, Host included */
    size_t nheaders;
    const void *body;
    size_t body_len;
};

struct sigv4_creds {
    const char *key_id;
    const char *secret;
    const char *token;       /* NULL: long-term credentials */
};

/* The derived signing key of (date, region, service, secret). */
struct sigv4_key {
    char date[9];            /* YYYYMMDD; "" = none yet */
    char region[48];
    char service[48];
    uint64_t secret_gen;     /* which secret it was derived from */
    unsigned char key[32];
    unsigned derivations;    /* how many times derived (tests, bench) */
};

/* Longest region and service name accepted. */
#define SIGV4_NAME_MAX 47

/* "20260102T030405Z" of t (UTC), into out[17]. */
void sigv4_amz_date(time_t t, char out[17]);

/* Is a header of this name left unsigned (as the AWS SDKs do: user-agent, expect...)? */
bool sigv4_header_unsigned(const char *name, size_t len);

/*
 * Sign rq at amz_date ("YYYYMMDDTHHMMSSZ") for region and service. The
 * request's headers must already include X-Amz-Date (= amz_date) and, with a
 * token, X-Amz-Security-Token. secret_gen identifies the secret for the key
 * cache (any number that changes when the secret changes). Appends the
 * Authorization header's value to auth. When canonical is not NULL, the
 * canonical request is appended to it (tests, DEBUG).
 */
void sigv4_sign(const struct sigv4_creds *cr, uint64_t secret_gen, const char *region,
                const char *service, const char *amz_date, const struct sigv4_request *rq,
                struct sigv4_key *key, struct buf *auth, struct buf *canonical);

/* Valid names: region "us-east-1" style; service lower-case letters, digits, '-'. */
bool sigv4_valid_region(const char *region);
bool sigv4_valid_service(const char *service);

#endif
