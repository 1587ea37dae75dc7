/*
 * awscreds.c: where AWS credentials come from (see awscreds.h), and their
 * refresh. The current set lives behind a mutex; its generation and expiry
 * are atomics, so the per-request path reads two integers and takes the lock
 * only when a refresh published a new set.
 *
 * The container and instance metadata endpoints are asked with a blocking
 * libcurl easy handle, at start and from the refresh thread: never from a
 * worker.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <ini.h>

#include "awscreds.h"
#include "log.h"
#include "secret.h"
#include "util.h"

#define LOGGER "cicada.aws"

enum source_kind { SRC_NONE, SRC_ENV, SRC_PROFILE, SRC_CONTAINER, SRC_IMDS };

static struct {
    char *key_id, *secret, *token;
    enum source_kind kind;
    char *container_url;     /* SRC_CONTAINER: where to ask again */
    char *imds_base;         /* SRC_IMDS: endpoint, and the role */
    char *imds_role;
    char source[512];
    pthread_t thread;
    bool thread_running, stopping;
} store;

static pthread_mutex_t store_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t store_wake = PTHREAD_COND_INITIALIZER;

static _Atomic uint64_t generation;
static _Atomic int64_t expires_at;
/* set before the refresh thread starts: secret.c's list may no longer grow */
static bool refreshing;
static atomic_flag warned_expired = ATOMIC_FLAG_INIT;

/* Mask a value from now on, while that is allowed (before the run). */
static void
mask(const char *value)
{
    if (!refreshing)
        secret_add(value);
}

/* ---- small helpers ---- */

static const char *
env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

time_t
awscreds_parse_time(const char *text)
{
    struct tm tm;
    const char *end;

    if (text == NULL)
        return -1;
    memset(&tm, 0, sizeof(tm));
    end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end == NULL)
        return -1;
    if (*end == '.')
        for (end++; *end >= '0' && *end <= '9'; end++)
            ;
    if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0 && strcmp(end, "") != 0)
        return -1;
    return timegm(&tm);
}

/* Replace the current set (takes ownership of the strings). */
static void
publish(char *key_id, char *secret, char *token, time_t expires)
{
    pthread_mutex_lock(&store_lock);
    free(store.key_id);
    if (store.secret != NULL)
        memset(store.secret, 0, strlen(store.secret));
    free(store.secret);
    free(store.token);
    store.key_id = key_id;
    store.secret = secret;
    store.token = token;
    atomic_store(&expires_at, (int64_t)expires);
    atomic_fetch_add(&generation, 1);
    pthread_mutex_unlock(&store_lock);
}

uint64_t
awscreds_generation(void)
{
    return atomic_load_explicit(&generation, memory_order_acquire);
}

uint64_t
awscreds_get(char **key_id, char **secret, char **token, time_t *expires)
{
    uint64_t g;

    pthread_mutex_lock(&store_lock);
    *key_id = xstrdup(store.key_id != NULL ? store.key_id : "");
    *secret = xstrdup(store.secret != NULL ? store.secret : "");
    *token = store.token != NULL ? xstrdup(store.token) : NULL;
    *expires = (time_t)atomic_load(&expires_at);
    g = atomic_load(&generation);
    pthread_mutex_unlock(&store_lock);
    return g;
}

bool
awscreds_usable(double now)
{
    int64_t e = atomic_load_explicit(&expires_at, memory_order_acquire);

    if (e == 0 || now < (double)e - 1.0)
        return true;
    if (!atomic_flag_test_and_set(&warned_expired))
        log_warning(LOGGER, "the AWS credentials from %s expire within a second or have expired%s: users wait for new "
                    "ones and send nothing", store.source,
                    refreshing ? " and could not be fetched again yet"
                               : " and cannot be refreshed (stop the run and export new ones)");
    return false;
}

time_t
awscreds_expiry(void)
{
    return (time_t)atomic_load(&expires_at);
}

/* ---- HTTP for the endpoints (blocking) ---- */

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;

    if (b->len + size * n > 65536)
        return 0;
    buf_append(b, data, size * n);
    return size * n;
}

/*
 * method url with one optional header line; returns the status (0 when
 * there was no answer, *err then says why) and the body in out.
 */
static long
fetch(const char *method, const char *url, const char *header, struct buf *out, char **err)
{
    CURL *e = curl_easy_init();
    struct curl_slist *h = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    long status = 0;
    CURLcode rc;

    if (e == NULL)
        fatal("curl_easy_init failed");
    out->len = 0;
    buf_puts(out, "");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 2000L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (header != NULL) {
        h = curl_slist_append(h, header);
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    }
    rc = curl_easy_perform(e);
    if (rc == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    else
        *err = xstrdup(errbuf[0] ? errbuf : curl_easy_strerror(rc));
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return status;
}

/*
 * Parse an endpoint's JSON credentials; 0 and the fields, or -1 and *err.
 * Both endpoints answer {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}.
 */
static int
parse_creds(const char *body, char **key_id, char **secret, char **token, time_t *expires,
            char **err)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *k, *s, *t, *x;
    int rc = -1;

    k = cJSON_GetObjectItemCaseSensitive(j, "AccessKeyId");
    s = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
    t = cJSON_GetObjectItemCaseSensitive(j, "Token");
    x = cJSON_GetObjectItemCaseSensitive(j, "Expiration");
    if (j == NULL) {
        *err = xstrdup("the answer is not JSON");
    } else if (!cJSON_IsString(k) || !cJSON_IsString(s) || k->valuestring[0] == '\0' ||
               s->valuestring[0] == '\0') {
        *err = xstrdup("the answer has no AccessKeyId and SecretAccessKey");
    } else if (cJSON_IsString(x) && awscreds_parse_time(x->valuestring) < 0) {
        *err = xstrdup("the answer's Expiration is not a time");
    } else {
        *key_id = xstrdup(k->valuestring);
        *secret = xstrdup(s->valuestring);
        *token = cJSON_IsString(t) && t->valuestring[0] != '\0' ? xstrdup(t->valuestring) : NULL;
        *expires = cJSON_IsString(x) ? awscreds_parse_time(x->valuestring) : 0;
        rc = 0;
    }
    cJSON_Delete(j);
    return rc;
}

/* ---- container credentials ---- */

/* The container endpoint's URL, or NULL when neither variable is set. */
static char *
container_url(void)
{
    const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");

    if (rel != NULL)
        return xasprintf("http://169.254.170.2%s%s", rel[0] == '/' ? "" : "/", rel);
    if (full != NULL)
        return xstrdup(full);
    return NULL;
}

/* Ask the container endpoint: 0 with the set, or -1 with *err. */
static int
container_fetch(const char *url, char **key_id, char **secret, char **token, time_t *expires,
                char **err)
{
    const char *tok = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const char *tok_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    char *file_tok = NULL, *header = NULL, *why = NULL;
    struct buf body;
    long status;
    int rc = -1;

    if (tok_file != NULL) {
        size_t len;

        file_tok = file_read_all(tok_file, &len, &why);
        if (file_tok == NULL) {
            *err = xasprintf("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: %s", why);
            free(why);
            return -1;
        }
        str_trim(file_tok);
        tok = file_tok;
    }
    if (tok != NULL) {
        mask(tok);
        header = xasprintf("Authorization: %s", tok);
    }
    buf_init(&body);
    status = fetch("GET", url, header, &body, &why);
    if (status == 0)
        *err = xasprintf("no answer from %s: %s", url, why);
    else if (status != 200)
        *err = xasprintf("%s answered HTTP %ld", url, status);
    else if (parse_creds(body.data, key_id, secret, token, expires, &why) == 0)
        rc = 0;
    else
        *err = xasprintf("%s: %s", url, why);
    free(why);
    free(header);
    free(file_tok);
    buf_free(&body);
    return rc;
}

/* ---- instance metadata (IMDSv2) ---- */

static char *
imds_base(void)
{
    const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    char *b = xstrdup(ep != NULL ? ep : "http://169.254.169.254");
    size_t n = strlen(b);

    while (n > 0 && b[n - 1] == '/')
        b[--n] = '\0';
    return b;
}

/* Token, then (the role if not known), then the role's credentials. */
static int
imds_fetch(const char *base, char **role, char **key_id, char **secret, char **token,
           time_t *expires, char **err)
{
    struct buf body;
    char *url, *hdr = NULL, *why = NULL;
    long status;
    int rc = -1;

    buf_init(&body);
    url = xasprintf("%s/latest/api/token", base);
    status = fetch("PUT", url, "X-aws-ec2-metadata-token-ttl-seconds: 21600", &body, &why);
    free(url);
    if (status != 200) {
        *err = status == 0 ? xasprintf("no answer from %s: %s", base, why)
                           : xasprintf("%s answered HTTP %ld to the token request", base, status);
        goto out;
    }
    str_trim(body.data);
    mask(body.data);
    hdr = xasprintf("X-aws-ec2-metadata-token: %s", body.data);
    if (*role == NULL) {
        url = xasprintf("%s/latest/meta-data/iam/security-credentials/", base);
        status = fetch("GET", url, hdr, &body, &why);
        free(url);
        if (status != 200 || body.data[0] == '\0') {
            *err = status == 0 ? xasprintf("no answer from %s: %s", base, why)
                               : xasprintf("%s has no instance role (HTTP %ld)", base, status);
            goto out;
        }
        body.data[strcspn(body.data, "\r\n")] = '\0';
        *role = xstrdup(str_trim(body.data));
    }
    url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s", base, *role);
    status = fetch("GET", url, hdr, &body, &why);
    free(url);
    if (status != 200)
        *err = status == 0 ? xasprintf("no answer from %s: %s", base, why)
                           : xasprintf("%s answered HTTP %ld for role %s", base, status, *role);
    else if (parse_creds(body.data, key_id, secret, token, expires, &why) == 0)
        rc = 0;
    else
        *err = xasprintf("%s, role %s: %s", base, *role, why);
out:
    free(why);
    free(hdr);
    buf_free(&body);
    return rc;
}

/* ---- shared files ---- */

struct profile_read {
    const char *want;        /* section name wanted */
    bool found;
    char *key_id, *secret, *token, *region;
    char *unsupported;       /* a key cicada cannot follow (role_arn, sso_..., credential_process) */
};

static int
on_ini(void *user, const char *section, const char *name, const char *value)
{
    struct profile_read *p = user;
    char **slot = NULL;

    if (strcmp(section, p->want) != 0)
        return 1;
    p->found = true;
    if (strcmp(name, "aws_access_key_id") == 0)
        slot = &p->key_id;
    else if (strcmp(name, "aws_secret_access_key") == 0)
        slot = &p->secret;
    else if (strcmp(name, "aws_session_token") == 0 || strcmp(name, "aws_security_token") == 0)
        slot = &p->token;
    else if (strcmp(name, "region") == 0)
        slot = &p->region;
    else if ((strcmp(name, "role_arn") == 0 || strncmp(name, "sso_", 4) == 0 ||
              strcmp(name, "credential_process") == 0 ||
              strcmp(name, "web_identity_token_file") == 0) && p->unsupported == NULL)
        p->unsupported = xstrdup(name);
    if (slot != NULL) {
        free(*slot);
        *slot = xstrdup(value);
    }
    return 1;
}

static void
profile_read_free(struct profile_read *p)
{
    free(p->key_id);
    free(p->secret);
    free(p->token);
    free(p->region);
    free(p->unsupported);
}

/* The path of a shared file: the variable's value, else ~/.aws/NAME. */
static char *
shared_path(const char *var, const char *name)
{
    const char *v = env(var), *home = env("HOME");

    if (v != NULL) {
        if (v[0] == '~' && v[1] == '/' && home != NULL)
            return xasprintf("%s%s", home, v + 1);
        return xstrdup(v);
    }
    return xasprintf("%s/.aws/%s", home != NULL ? home : "", name);
}

/* Read one section of an INI file; -1 if the file cannot be read (absent is not an error). */
static int
read_section(const char *path, const char *section, struct profile_read *p, bool *exists,
             char **err)
{
    struct stat st;
    int rc;

    p->want = section;
    *exists = stat(path, &st) == 0;
    if (!*exists)
        return 0;
    rc = ini_parse(path, on_ini, p);
    if (rc < 0) {
        *err = xasprintf("%s: cannot read it: %s", path, strerror(errno));
        return -1;
    }
    if (rc > 0) {
        *err = xasprintf("%s:%d: not an AWS shared file line", path, rc);
        return -1;
    }
    return 0;
}

/*
 * The profile from the credentials file, then the config file. Returns 1
 * when found with keys, 0 when the profile is absent from both (*looked says
 * where it looked), -1 on an error (*err).
 */
static int
profile_load(const char *name, struct profile_read *out, char **looked, char **err)
{
    char *cred_path = shared_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    char *conf_path = shared_path("AWS_CONFIG_FILE", "config");
    char *conf_section = strcmp(name, "default") == 0 ? xstrdup("default")
                                                       : xasprintf("profile %s", name);
    struct profile_read conf;
    bool cred_exists, conf_exists;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&conf, 0, sizeof(conf));
    if (read_section(cred_path, name, out, &cred_exists, err) < 0 ||
        read_section(conf_path, conf_section, &conf, &conf_exists, err) < 0)
        goto done;
    *looked = xasprintf("%s (%s) and %s (%s)", cred_path, cred_exists ? "read" : "absent",
                        conf_path, conf_exists ? "read" : "absent");
    /* keys in the credentials file win; the config file may hold them too */
    if (out->key_id == NULL && out->secret == NULL) {
        out->key_id = conf.key_id;
        out->secret = conf.secret;
        out->token = conf.token;
        conf.key_id = conf.secret = conf.token = NULL;
    }
    out->region = conf.region;
    conf.region = NULL;
    if (out->unsupported == NULL) {
        out->unsupported = conf.unsupported;
        conf.unsupported = NULL;
    }
    out->found = out->found || conf.found;
    if (!out->found) {
        rc = 0;
    } else if ((out->key_id == NULL) != (out->secret == NULL)) {
        *err = xasprintf("AWS profile '%s' in %s has %s but not %s", name,
                         cred_exists ? cred_path : conf_path,
                         out->key_id != NULL ? "aws_access_key_id" : "aws_secret_access_key",
                         out->key_id != NULL ? "aws_secret_access_key" : "aws_access_key_id");
    } else if (out->key_id == NULL) {
        if (out->unsupported != NULL)
            *err = xasprintf("AWS profile '%s' gets its credentials through %s, which cicada "
                             "does not follow: export them first (e.g. eval \"$(aws configure "
                             "export-credentials --profile %s --format env)\")",
                             name, out->unsupported, name);
        else
            rc = 2;  /* found, without keys: only its region counts */
    } else {
        rc = 1;
    }
done:
    profile_read_free(&conf);
    free(cred_path);
    free(conf_path);
    free(conf_section);
    return rc;
}

/* ---- finding them ---- */

static const char *
expiry_text(time_t t, char *buf, size_t size)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* Register a fresh set's secret parts for masking, then make it current. */
static void
adopt(enum source_kind kind, char *key_id, char *secret, char *token, time_t expires)
{
    secret_add(secret);
    if (token != NULL)
        secret_add(token);
    store.kind = kind;
    publish(key_id, secret, token, expires);
}

int
awscreds_load(const char *profile, const char **source, char **region, char **err)
{
    const char *key = env("AWS_ACCESS_KEY_ID"), *sec = env("AWS_SECRET_ACCESS_KEY");
    const char *name = profile;
    struct profile_read pr;
    char *looked = NULL, *why = NULL, *url;
    char *k = NULL, *s = NULL, *t = NULL;
    time_t exp = 0, now = time(NULL);
    char when[32];
    int prc;

    *region = NULL;
    if (name == NULL)
        name = env("AWS_PROFILE");
    if (name == NULL)
        name = env("AWS_DEFAULT_PROFILE");
    if (name == NULL)
        name = "default";

    /* half a key pair is a mistake, whichever source would have won */
    if ((key != NULL) != (sec != NULL)) {
        *err = xasprintf("%s is set but %s is not: set both or neither",
                         key != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                         key != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return -1;
    }
    prc = profile_load(name, &pr, &looked, err);
    if (prc < 0) {
        profile_read_free(&pr);
        return -1;
    }
    if (pr.region != NULL)
        *region = xstrdup(pr.region);
    if (prc == 0 && (profile != NULL || env("AWS_PROFILE") != NULL)) {
        *err = xasprintf("AWS profile '%s' (%s) not found in %s", name,
                         profile != NULL ? "aws_profile" : "AWS_PROFILE", looked);
        goto fail;
    }

    /* an explicit profile comes first, as the AWS CLI's --profile */
    if (prc == 1 && profile != NULL) {
        snprintf(store.source, sizeof(store.source), "profile '%s' (%s)", name, looked);
        adopt(SRC_PROFILE, pr.key_id, pr.secret, pr.token, 0);
        pr.key_id = pr.secret = pr.token = NULL;
        goto found;
    }
    if (key != NULL) {
        const char *x = env("AWS_CREDENTIAL_EXPIRATION");

        if (x != NULL && (exp = awscreds_parse_time(x)) < 0) {
            *err = xasprintf("AWS_CREDENTIAL_EXPIRATION: \"%s\" is not a time such as "
                             "2026-12-02T10:00:00Z", x);
            goto fail;
        }
        if (x != NULL && exp <= now) {
            *err = xasprintf("the AWS session in AWS_ACCESS_KEY_ID expired at %s "
                             "(AWS_CREDENTIAL_EXPIRATION) and environment credentials cannot "
                             "be refreshed: export new ones",
                             expiry_text(exp, when, sizeof(when)));
            goto fail;
        }
        snprintf(store.source, sizeof(store.source), "the environment (AWS_ACCESS_KEY_ID%s)",
                 env("AWS_SESSION_TOKEN") != NULL ? ", AWS_SESSION_TOKEN" : "");
        adopt(SRC_ENV, xstrdup(key), xstrdup(sec),
              env("AWS_SESSION_TOKEN") != NULL ? xstrdup(env("AWS_SESSION_TOKEN")) : NULL, exp);
        goto found;
    }
    if (prc == 1) {
        snprintf(store.source, sizeof(store.source), "profile '%s' (%s)", name, looked);
        adopt(SRC_PROFILE, pr.key_id, pr.secret, pr.token, 0);
        pr.key_id = pr.secret = pr.token = NULL;
        goto found;
    }
    if ((url = container_url()) != NULL) {
        if (container_fetch(url, &k, &s, &t, &exp, &why) < 0) {
            *err = xasprintf("AWS container credentials: %s", why);
            free(url);
            goto fail;
        }
        store.container_url = url;
        snprintf(store.source, sizeof(store.source), "the container credentials endpoint %s",
                 url);
        adopt(SRC_CONTAINER, k, s, t, exp);
        goto found;
    }
    {
        const char *off = env("AWS_EC2_METADATA_DISABLED");
        char *base = imds_base(), *role = NULL;

        if (off != NULL && strcasecmp(off, "true") == 0) {
            why = xstrdup("disabled by AWS_EC2_METADATA_DISABLED");
        } else if (imds_fetch(base, &role, &k, &s, &t, &exp, &why) == 0) {
            store.imds_base = base;
            store.imds_role = role;
            snprintf(store.source, sizeof(store.source),
                     "the EC2 instance metadata service %s (role %s)", base, role);
            adopt(SRC_IMDS, k, s, t, exp);
            goto found;
        }
        *err = xasprintf("no AWS credentials found: looked in AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY (not set), keys of profile '%s' in %s, "
                         "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI (not set), "
                         "the EC2 instance metadata service at %s (%s)",
                         name, looked, base, why);
        free(base);
        free(role);
        goto fail;
    }

found:
    exp = awscreds_expiry();
    if (exp != 0 && exp <= now) {
        *err = xasprintf("the AWS credentials from %s expired at %s", store.source,
                         expiry_text(exp, when, sizeof(when)));
        goto fail;
    }
    if (exp != 0) {
        size_t n = strlen(store.source);

        snprintf(store.source + n, sizeof(store.source) - n, ", expiring %s%s",
                 expiry_text(exp, when, sizeof(when)),
                 store.kind == SRC_CONTAINER || store.kind == SRC_IMDS
                     ? ", fetched again before then" : "");
    }
    {
        size_t n = strlen(store.source);

        if (store.token != NULL)
            snprintf(store.source + n, sizeof(store.source) - n, ", with a session token");
    }
    *source = store.source;
    profile_read_free(&pr);
    free(looked);
    free(why);
    return 0;
fail:
    profile_read_free(&pr);
    free(looked);
    free(why);
    free(*region);
    *region = NULL;
    return -1;
}

/* ---- refresh ---- */

/* When to fetch again: halfway to the expiry, at most 15 minutes before it. */
static double
refresh_time(time_t expires, double now)
{
    double left = (double)expires - now, margin = left / 2;

    if (margin > 900)
        margin = 900;
    if (margin < 0)
        margin = 0;
    return (double)expires - margin;
}

static void *
refresh_main(void *arg)
{
    double next = refresh_time(awscreds_expiry(), time_wall());
    unsigned failures = 0;

    (void)arg;
    pthread_mutex_lock(&store_lock);
    while (!store.stopping) {
        double now = time_wall();
        struct timespec until;
        char *k = NULL, *s = NULL, *t = NULL, *why = NULL;
        time_t exp = 0;
        int rc;

        if (now < next) {
            until.tv_sec = (time_t)next;
            until.tv_nsec = (long)((next - (double)(time_t)next) * 1e9);
            pthread_cond_timedwait(&store_wake, &store_lock, &until);
            continue;
        }
        pthread_mutex_unlock(&store_lock);
        if (store.kind == SRC_CONTAINER)
            rc = container_fetch(store.container_url, &k, &s, &t, &exp, &why);
        else
            rc = imds_fetch(store.imds_base, &store.imds_role, &k, &s, &t, &exp, &why);
        now = time_wall();
        if (rc == 0 && exp != 0 && exp <= now) {
            rc = -1;
            why = xstrdup("the new credentials have expired already");
            free(k);
            free(s);
            free(t);
        }
        if (rc == 0) {
            char when[32];

            atomic_flag_clear(&warned_expired);
            /* no secret_add here: the list is fixed once the run started; nothing prints these */
            publish(k, s, t, exp);
            log_debug(LOGGER, "AWS credentials fetched again from %s, expiring %s",
                      store.kind == SRC_CONTAINER ? store.container_url : store.imds_base,
                      exp != 0 ? expiry_text(exp, when, sizeof(when)) : "never");
            failures = 0;
            next = exp != 0 ? refresh_time(exp, now) : now + 3600;
        } else {
            double left = (double)awscreds_expiry() - now;

            if (failures++ % 10 == 0)
                log_warning(LOGGER, "cannot refresh the AWS credentials (%s); %s", why,
                            left > 0 ? "trying again" : "they have expired: requests wait");
            next = now + (left > 60 ? 10.0 : 1.0);
        }
        free(why);
        pthread_mutex_lock(&store_lock);
    }
    pthread_mutex_unlock(&store_lock);
    return NULL;
}

void
awscreds_start_refresh(void)
{
    if (store.thread_running || awscreds_expiry() == 0 ||
        (store.kind != SRC_CONTAINER && store.kind != SRC_IMDS))
        return;
    store.stopping = false;
    refreshing = true;
    if (pthread_create(&store.thread, NULL, refresh_main, NULL) != 0)
        fatal("cannot start the AWS credentials refresh thread");
    store.thread_running = true;
}

void
awscreds_shutdown(void)
{
    if (store.thread_running) {
        pthread_mutex_lock(&store_lock);
        store.stopping = true;
        pthread_cond_signal(&store_wake);
        pthread_mutex_unlock(&store_lock);
        pthread_join(store.thread, NULL);
        store.thread_running = false;
    }
    refreshing = false;
    publish(NULL, NULL, NULL, 0);
    atomic_store(&generation, 0);
    free(store.container_url);
    free(store.imds_base);
    free(store.imds_role);
    store.container_url = store.imds_base = store.imds_role = NULL;
    store.kind = SRC_NONE;
}
