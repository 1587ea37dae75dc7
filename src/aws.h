/*
 * aws.h: AWS on top of the HTTP layer. aws_setup resolves every task's
 * aws_sigv4 service and aws_region (task, then class, then [run] and its
 * CLI/env forms, then AWS_REGION, AWS_DEFAULT_REGION and the profile's
 * region), checks them against the host, and finds the credentials. The
 * HTTP layer then calls aws_sign for each request of a signed task, once its
 * templates are expanded, and aws_error_type to name a failed call by the
 * error type AWS sent.
 */
#ifndef CICADA_AWS_H
#define CICADA_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"
#include "settings.h"
#include <curl/curl.h>

#include "util.h"

/*
 * After scenario_prepare: resolve, check and load credentials if any task
 * signs. Warnings go to the log. Returns 0, or -1 with *err (one line).
 */
int aws_setup(struct scenario *sc, const struct settings *s, char **err);

/* Does any task sign? (set by aws_setup) */
bool aws_active(void);

/* Stop the credentials refresh (at exit). */
void aws_shutdown(void);

/* A connection's signing state (opaque; allocated on its first signed request). */
struct aws_conn;

void aws_conn_free(struct aws_conn *a);

/*
 * Sign one request: url as sent (scheme://host[:port]/path?query), the header
 * list as given to libcurl ("Name: value"; "Name:" lines remove a header and
 * are not sent), the body. Returns the lines to add (X-Amz-Date,
 * [X-Amz-Security-Token,] Authorization), *nout of them, owned by *ap.
 */
char **aws_sign(struct aws_conn **ap, const char *service, const char *region, const char *method,
                const char *url, const struct curl_slist *list, const void *body,
                size_t body_len, size_t *nout);

/*
 * The error type of a failed AWS answer: the x-amzn-ErrorType header's
 * value (hdr, may be NULL) or "__type" of a JSON body, without its
 * namespace; with ModelError, the model's own status (OriginalStatusCode)
 * goes to *orig (0 if none). Returns false when there is none. type gets a
 * short name made only of letters, digits, '.', '_' and '-'.
 */
bool aws_error_type(const char *hdr, size_t hdr_len, const char *body, size_t body_len,
                    char *type, size_t size, long *orig);

/* Is this failure throttling (429, 503, or an AWS throttling error type)? */
bool aws_throttling(long status, const char *type);

/* A stable number for (type, orig), for the statistics' error key. */
long aws_error_key(const char *type, long orig);

#endif
