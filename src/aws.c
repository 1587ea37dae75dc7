/*
 * aws.c: signing tasks' requests with SigV4 and naming AWS's errors.
 *
 * Per request (aws_sign): the URL is split into host, path and query as
 * libcurl sends them, the header lines become the signer's headers (with
 * Host, X-Amz-Date and, for temporary credentials, X-Amz-Security-Token),
 * and the lines to add are written into the connection's own buffers. The
 * credentials are copied into the connection only when their generation
 * changed (a refresh), and the signing key is derived again only when the
 * date, region, service or credentials changed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws.h"
#include "awscreds.h"
#include "log.h"
#include "secret.h"
#include "sigv4.h"

#define LOGGER "cicada.aws"

static bool active;

bool
aws_active(void)
{
    return active;
}

/* ---- setup ---- */

/* The host of a URL (no user info, no port) into buf; "" if none. */
static const char *
url_host(const char *url, char *buf, size_t size)
{
    const char *p = strstr(url, "://"), *end, *at;
    size_t n;

    buf[0] = '\0';
    if (p == NULL)
        return buf;
    p += 3;
    end = p + strcspn(p, "/?#");
    at = memchr(p, '@', (size_t)(end - p));
    if (at != NULL)
        p = at + 1;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));

        if (close != NULL)
            end = close + 1;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));

        if (colon != NULL)
            end = colon;
    }
    n = (size_t)(end - p) < size - 1 ? (size_t)(end - p) : size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* Is host one of AWS's own names? */
static bool
aws_host(const char *host)
{
    static const char *const tails[] = { ".amazonaws.com", ".amazonaws.com.cn", ".on.aws",
                                         ".api.aws", NULL };
    size_t n = strlen(host), i;

    for (i = 0; tails[i] != NULL; i++) {
        size_t t = strlen(tails[i]);

        if (n > t && strcasecmp(host + n - t, tails[i]) == 0)
            return true;
    }
    return false;
}

/* The region named by an AWS host's labels ("runtime.sagemaker.eu-west-1..."), into buf. */
static bool
host_region(const char *host, char *buf, size_t size)
{
    char *copy = xstrdup(host), *save = NULL, *label;
    bool found = false;

    for (label = strtok_r(copy, ".", &save); label != NULL; label = strtok_r(NULL, ".", &save)) {
        if (sigv4_valid_region(label)) {
            snprintf(buf, size, "%s", label);
            found = true;
            break;
        }
    }
    free(copy);
    return found;
}

/* Does the task (or its class) send this header itself? */
static bool
sends_header(const struct user_class *c, const struct task *t, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; i < t->nheaders; i++)
        if (strncasecmp(t->headers[i], name, n) == 0 && t->headers[i][n] == ':')
            return true;
    for (i = 0; i < c->nheaders; i++)
        if (strncasecmp(c->headers[i], name, n) == 0 && c->headers[i][n] == ':')
            return true;
    return false;
}

int
aws_setup(struct scenario *sc, const struct settings *s, char **err)
{
    const char *fallback = NULL, *fallback_from = NULL, *source = NULL;
    char *profile_region = NULL, where[256];
    bool any = false, warned_http = false, warned_tls = false, loaded = false;
    size_t i, j;
    int rc = -1;

    for (i = 0; i < sc->nclasses && !any; i++)
        for (j = 0; j < sc->classes[i].ntasks; j++)
            if (sc->classes[i].tasks[j].opts.aws_sigv4[0] != '\0' || s->aws_sigv4 != NULL)
                any = true;
    active = any;
    if (!any)
        return 0;

    if (s->aws_region != NULL) {
        fallback = s->aws_region;
        fallback_from = origin_describe(&s->aws_region_origin, where, sizeof(where));
    } else if (getenv("AWS_REGION") != NULL && getenv("AWS_REGION")[0] != '\0') {
        fallback = getenv("AWS_REGION");
        fallback_from = "AWS_REGION";
    } else if (getenv("AWS_DEFAULT_REGION") != NULL && getenv("AWS_DEFAULT_REGION")[0] != '\0') {
        fallback = getenv("AWS_DEFAULT_REGION");
        fallback_from = "AWS_DEFAULT_REGION";
    }
    if (fallback != NULL && !sigv4_valid_region(fallback)) {
        *err = xasprintf("%s: \"%s\" is not an AWS region name such as us-east-1", fallback_from,
                         fallback);
        return -1;
    }

    for (i = 0; i < sc->nclasses; i++) {
        struct user_class *c = &sc->classes[i];

        for (j = 0; j < c->ntasks; j++) {
            struct task *t = &c->tasks[j];
            char host[256], hregion[64];

            if (t->opts.aws_sigv4[0] == '\0' && s->aws_sigv4 != NULL)
                snprintf(t->opts.aws_sigv4, sizeof(t->opts.aws_sigv4), "%s", s->aws_sigv4);
            if (t->opts.aws_sigv4[0] == '\0')
                continue;
            if (!loaded) {
                if (awscreds_load(s->aws_profile, &source, &profile_region, err) < 0)
                    goto out;
                loaded = true;
                if (fallback == NULL && profile_region != NULL) {
                    if (!sigv4_valid_region(profile_region)) {
                        *err = xasprintf("the AWS profile's region \"%s\" is not a region name "
                                         "such as us-east-1", profile_region);
                        goto out;
                    }
                    fallback = profile_region;
                    fallback_from = "the AWS profile";
                }
            }
            if (t->opts.aws_region[0] == '\0' && fallback != NULL)
                snprintf(t->opts.aws_region, sizeof(t->opts.aws_region), "%s", fallback);
            if (t->opts.aws_region[0] == '\0') {
                *err = xasprintf("%s:%d: task '%s' signs for %s but no region is set: add "
                                 "aws_region = us-east-1 (or --aws-region, AWS_REGION)",
                                 sc->path, t->line, t->id, t->opts.aws_sigv4);
                goto out;
            }
            if (sends_header(c, t, "Authorization")) {
                *err = xasprintf("%s:%d: task '%s' sets its own Authorization header and "
                                 "aws_sigv4: use one or the other", sc->path, t->line, t->id);
                goto out;
            }
            url_host(t->url, host, sizeof(host));
            if (aws_host(host) && host_region(host, hregion, sizeof(hregion)) &&
                strcmp(hregion, t->opts.aws_region) != 0) {
                *err = xasprintf("%s:%d: task '%s' calls %s, in region %s, but signs for "
                                 "region %s: every request would get 403", sc->path, t->line,
                                 t->id, host, hregion, t->opts.aws_region);
                goto out;
            }
            if (strncasecmp(t->url, "http://", 7) == 0 && !warned_http) {
                log_warning(LOGGER, "aws_sigv4 on a plain http:// host (%s): fine for a local "
                            "stand-in, but AWS endpoints take https:// only", host);
                warned_http = true;
            }
            if (t->opts.verify_tls == 0 && aws_host(host) && !warned_tls) {
                log_warning(LOGGER, "verify_tls = false for the AWS host %s: signed requests "
                            "would go to whoever answers for it", host);
                warned_tls = true;
            }
        }
    }
    if (loaded) {
        log_info(LOGGER, "AWS credentials from %s", source);
        awscreds_start_refresh();
    }
    rc = 0;
out:
    free(profile_region);
    return rc;
}

void
aws_shutdown(void)
{
    if (active)
        awscreds_shutdown();
    active = false;
}

/* ---- per request ---- */

struct aws_conn {
    uint64_t gen;
    char *key_id, *secret, *token;
    struct sigv4_key key;
    time_t date_sec;
    char amz_date[17];
    struct sigv4_header *hdr;
    size_t hcap;
    struct buf out[3];
    char *lines[3];
};

void
aws_conn_free(struct aws_conn *a)
{
    size_t i;

    if (a == NULL)
        return;
    free(a->key_id);
    if (a->secret != NULL)
        memset(a->secret, 0, strlen(a->secret));
    free(a->secret);
    free(a->token);
    free(a->hdr);
    for (i = 0; i < 3; i++)
        buf_free(&a->out[i]);
    memset(&a->key, 0, sizeof(a->key));
    free(a);
}

char **
aws_sign(struct aws_conn **ap, const char *service, const char *region, const char *method,
         const char *url, const struct curl_slist *list, const void *body, size_t body_len,
         size_t *nout)
{
    const struct curl_slist *l;
    size_t nlines = 0;
    struct aws_conn *a = *ap;
    struct sigv4_request rq;
    struct sigv4_creds cr;
    const char *p, *auth_end, *path, *q;
    size_t n = 0, i;
    bool has_host = false;
    uint64_t g;
    time_t now;

    if (a == NULL) {
        a = *ap = xcalloc(1, sizeof(*a));
        for (i = 0; i < 3; i++)
            buf_init(&a->out[i]);
    }
    g = awscreds_generation();
    if (g != a->gen) {
        time_t expires;

        free(a->key_id);
        free(a->secret);
        free(a->token);
        a->gen = awscreds_get(&a->key_id, &a->secret, &a->token, &expires);
    }
    now = time(NULL);
    if (now != a->date_sec) {
        sigv4_amz_date(now, a->amz_date);
        a->date_sec = now;
    }

    /* scheme://authority/path?query#fragment */
    p = strstr(url, "://");
    p = p != NULL ? p + 3 : url;
    auth_end = p + strcspn(p, "/?#");
    path = auth_end;
    q = path + strcspn(path, "?#");

    for (l = list; l != NULL; l = l->next)
        nlines++;
    if (nlines + 4 > a->hcap) {
        a->hcap = nlines + 4;
        a->hdr = xrealloc(a->hdr, a->hcap * sizeof(*a->hdr));
    }
    for (l = list; l != NULL; l = l->next) {
        const char *line = l->data;
        size_t nl = strcspn(line, ":;");
        const char *v;

        if (line[nl] == '\0')
            continue;
        v = line + nl + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (line[nl] == ':' && *v == '\0')
            continue;        /* "Name:" removes a header libcurl would add */
        a->hdr[n].name = line;
        a->hdr[n].name_len = nl;
        a->hdr[n].value = v;
        a->hdr[n].value_len = strlen(v);
        if (nl == 4 && strncasecmp(line, "host", 4) == 0)
            has_host = true;
        n++;
    }
    if (!has_host) {
        const char *h = p, *at = memchr(p, '@', (size_t)(auth_end - p));
        size_t hl;

        if (at != NULL)
            h = at + 1;
        hl = (size_t)(auth_end - h);
        /* libcurl leaves the scheme's default port out of Host */
        if ((strncasecmp(url, "https:", 6) == 0 && hl > 4 && memcmp(h + hl - 4, ":443", 4) == 0) ||
            (strncasecmp(url, "http:", 5) == 0 && hl > 3 && memcmp(h + hl - 3, ":80", 3) == 0))
            hl -= strncasecmp(url, "https:", 6) == 0 ? 4 : 3;
        a->hdr[n].name = "Host";
        a->hdr[n].name_len = 4;
        a->hdr[n].value = h;
        a->hdr[n].value_len = hl;
        n++;
    }
    a->out[0].len = 0;
    buf_puts(&a->out[0], "X-Amz-Date: ");
    buf_append(&a->out[0], a->amz_date, 16);
    a->hdr[n].name = "X-Amz-Date";
    a->hdr[n].name_len = 10;
    a->hdr[n].value = a->amz_date;
    a->hdr[n].value_len = 16;
    n++;
    *nout = 0;
    a->lines[(*nout)++] = a->out[0].data;
    if (a->token != NULL) {
        a->out[1].len = 0;
        buf_puts(&a->out[1], "X-Amz-Security-Token: ");
        buf_puts(&a->out[1], a->token);
        a->hdr[n].name = "X-Amz-Security-Token";
        a->hdr[n].name_len = 20;
        a->hdr[n].value = a->token;
        a->hdr[n].value_len = strlen(a->token);
        n++;
        a->lines[(*nout)++] = a->out[1].data;
    }

    memset(&rq, 0, sizeof(rq));
    rq.method = method;
    rq.path = path;
    rq.path_len = (size_t)(q - path);
    if (*q == '?') {
        rq.query = q + 1;
        rq.query_len = strcspn(q + 1, "#");
    }
    rq.headers = a->hdr;
    rq.nheaders = n;
    rq.body = body;
    rq.body_len = body_len;
    cr.key_id = a->key_id;
    cr.secret = a->secret;
    cr.token = a->token;
    a->out[2].len = 0;
    buf_puts(&a->out[2], "Authorization: ");
    sigv4_sign(&cr, a->gen, region, service, a->amz_date, &rq, &a->key, &a->out[2], NULL);
    a->lines[(*nout)++] = a->out[2].data;
    if (log_enabled(LOG_DEBUG))
        log_debug(LOGGER, "%s %s signed: %s", method, url, a->out[2].data);
    return a->lines;
}

/* ---- errors ---- */

/* Copy a type name, keeping the part after '#' and before ':' and only safe characters. */
static void
clean_type(const char *s, size_t n, char *type, size_t size)
{
    const char *hash = memchr(s, '#', n), *colon;
    size_t i, k = 0;

    if (hash != NULL) {
        n -= (size_t)(hash + 1 - s);
        s = hash + 1;
    }
    colon = memchr(s, ':', n);
    if (colon != NULL)
        n = (size_t)(colon - s);
    for (i = 0; i < n && k + 1 < size && k < 64; i++) {
        char c = s[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-')
            type[k++] = c;
        else if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        else
            break;
    }
    type[k] = '\0';
}

bool
aws_error_type(const char *hdr, size_t hdr_len, const char *body, size_t body_len, char *type,
               size_t size, long *orig)
{
    cJSON *j = NULL;
    const cJSON *v;
    size_t i = 0;

    type[0] = '\0';
    *orig = 0;
    if (hdr != NULL && hdr_len > 0)
        clean_type(hdr, hdr_len, type, size);
    while (i < body_len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (body != NULL && i < body_len && body[i] == '{')
        j = cJSON_ParseWithLength(body, body_len);
    if (j != NULL) {
        if (type[0] == '\0') {
            v = cJSON_GetObjectItemCaseSensitive(j, "__type");
            if (!cJSON_IsString(v))
                v = cJSON_GetObjectItemCaseSensitive(j, "code");
            if (cJSON_IsString(v))
                clean_type(v->valuestring, strlen(v->valuestring), type, size);
        }
        v = cJSON_GetObjectItemCaseSensitive(j, "OriginalStatusCode");
        if (cJSON_IsNumber(v) && v->valuedouble >= 100 && v->valuedouble < 1000)
            *orig = (long)v->valuedouble;
        cJSON_Delete(j);
    }
    return type[0] != '\0';
}

bool
aws_throttling(long status, const char *type)
{
    static const char *const names[] = { "ThrottlingException", "ThrottledException",
                                         "TooManyRequestsException", "RequestLimitExceeded",
                                         "SlowDown", "ProvisionedThroughputExceededException",
                                         "RequestThrottled", "RequestThrottledException",
                                         "ServiceUnavailable", "ServiceUnavailableException",
                                         "ModelNotReadyException", NULL };
    size_t i;

    if (status == 429 || status == 503)
        return true;
    if (type == NULL || type[0] == '\0')
        return false;
    for (i = 0; names[i] != NULL; i++)
        if (strcmp(type, names[i]) == 0)
            return true;
    return false;
}

long
aws_error_key(const char *type, long orig)
{
    uint32_t h = 2166136261u;
    const char *p;

    for (p = type; *p != '\0'; p++) {
        h ^= (unsigned char)*p;
        h *= 16777619u;
    }
    h ^= (uint32_t)orig;
    h *= 16777619u;
    return (long)(h & 0x7fffffff) | 1;
}
