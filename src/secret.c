/*
 * secret.c: the list of secret values and their masking. The list is the
 * one piece of process-wide state here, like the log's destination: every
 * printer must see it, and it is written only before the run starts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "util.h"

static struct {
    char **values;
    size_t n;
} secrets;

static void secret_add_one(const char *value);

/*
 * A URL's parts are secrets of their own: a failure reason quotes the host
 * alone ("Could not resolve host: ..."), a log line the user name alone.
 */
static void
secret_add_url_parts(const char *value)
{
    const char *auth = strstr(value, "://"), *end, *at, *host, *colon;
    char *part;

    if (auth == NULL)
        return;
    auth += 3;
    end = auth + strcspn(auth, "/?#");
    at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    host = auth;
    if (at != NULL) {
        colon = memchr(auth, ':', (size_t)(at - auth));
        part = xstrndup(auth, (size_t)((colon != NULL ? colon : at) - auth));
        secret_add_one(part);
        free(part);
        if (colon != NULL) {
            part = xstrndup(colon + 1, (size_t)(at - colon - 1));
            secret_add_one(part);
            free(part);
        }
        host = at + 1;
    }
    if (*host == '[') {
        colon = memchr(host, ']', (size_t)(end - host));
        if (colon != NULL)
            colon++;
    } else {
        colon = memchr(host, ':', (size_t)(end - host));
    }
    part = xstrndup(host, (size_t)((colon != NULL ? colon : end) - host));
    secret_add_one(part);
    free(part);
}

void
secret_add(const char *value)
{
    if (value == NULL)
        return;
    secret_add_url_parts(value);
    secret_add_one(value);
}

static void
secret_add_one(const char *value)
{
    size_t i;

    if (value == NULL || strlen(value) < SECRET_MIN_LEN)
        return;
    for (i = 0; i < secrets.n; i++)
        if (strcmp(secrets.values[i], value) == 0)
            return;
    /* longest first: a whole URL is masked as one before its host alone */
    for (i = 0; i < secrets.n && strlen(secrets.values[i]) >= strlen(value); i++)
        ;
    secrets.values = xrealloc(secrets.values, (secrets.n + 1) * sizeof(*secrets.values));
    memmove(&secrets.values[i + 1], &secrets.values[i], (secrets.n - i) * sizeof(*secrets.values));
    secrets.values[i] = xstrdup(value);
    secrets.n++;
}

/*
 * Mask the user information of every URL in s ("user:pw@" before the host
 * becomes "***@"): a password, or a token passed as the user name.
 */
static void
redact_userinfo(char *s)
{
    char *p = s;

    while ((p = strstr(p, "://")) != NULL) {
        char *auth = p + 3, *at = NULL, *q;
        size_t n;

        for (q = auth; *q != '\0' && strchr("/?#\"'<> \t\r\n", *q) == NULL; q++)
            if (*q == '@')
                at = q;
        p = q;
        if (at == NULL || at == auth)
            continue;
        n = (size_t)(at - auth);
        if (n < 3) {
            memset(auth, '*', n);
            continue;
        }
        memcpy(auth, "***", 3);
        memmove(auth + 3, at, strlen(at) + 1);
        p = auth + 3;
    }
}

void
secret_redact(char *s)
{
    size_t i;

    if (s == NULL)
        return;
    redact_userinfo(s);
    for (i = 0; i < secrets.n; i++) {
        const char *v = secrets.values[i];
        size_t vlen = strlen(v);
        char *hit;

        /* "***" is shorter than any secret, so the text only shrinks */
        while ((hit = strstr(s, v)) != NULL) {
            memcpy(hit, "***", 3);
            memmove(hit + 3, hit + vlen, strlen(hit + vlen) + 1);
        }
    }
}

void
secret_clear(void)
{
    size_t i;

    for (i = 0; i < secrets.n; i++)
        free(secrets.values[i]);
    free(secrets.values);
    secrets.values = NULL;
    secrets.n = 0;
}
