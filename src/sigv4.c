/*
 * sigv4.c: AWS Signature Version 4, written from AWS's description of the
 * algorithm (canonical request, string to sign, signing key, signature) and
 * checked byte for byte against botocore's SigV4Auth (tests/sigv4_oracle.py).
 *
 * Canonical URI: dot segments removed and runs of '/' collapsed, then every
 * byte but unreserved ones and '/' percent-encoded (so a path sent as
 * "/a%20b" is signed as "/a%2520b", as AWS wants for services other than S3).
 * Canonical query: each name and value percent-decoded and encoded again with
 * the unreserved set, sorted by name then value, "name=" for a name without
 * a value. For a query that is already in AWS's encoding (what cicada sends
 * when the scenario writes it so) this equals what botocore signs.
 */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "sigv4.h"

static const char hexdig[] = "0123456789abcdef";
static const char HEXDIG[] = "0123456789ABCDEF";

/*
 * SHA-256 is fetched once, and each thread keeps one digest context: an
 * implicit fetch and a context per call (what EVP_Digest and HMAC() do)
 * cost more than hashing a small body. HMAC is written out over that
 * context (RFC 2104: H(K^opad, H(K^ipad, m))).
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static _Thread_local EVP_MD_CTX *tctx;

static void thread_done(void *arg);

static void
fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (sha256_md == NULL)
        fatal("OpenSSL has no SHA-256");
    if (pthread_key_create(&thread_key, thread_done) != 0)
        fatal("pthread_key_create failed");
}

static EVP_MD_CTX *
ctx(void)
{
    if (tctx == NULL) {
        pthread_once(&sha256_once, fetch_sha256);
        tctx = EVP_MD_CTX_new();
        if (tctx == NULL)
            fatal("out of memory");
        pthread_setspecific(thread_key, tctx);
    }
    if (EVP_DigestInit_ex2(tctx, sha256_md, NULL) != 1)
        fatal("SHA-256 failed");
    return tctx;
}

static void
sha256(const void *data, size_t len, unsigned char out[32])
{
    EVP_MD_CTX *c = ctx();

    if (EVP_DigestUpdate(c, data, len) != 1 || EVP_DigestFinal_ex(c, out, NULL) != 1)
        fatal("SHA-256 failed");
}

static void
hmac(const void *key, size_t klen, const void *data, size_t len, unsigned char out[32])
{
    unsigned char k[64], pad[64], inner[32];
    EVP_MD_CTX *c;
    size_t i;

    memset(k, 0, sizeof(k));
    if (klen > sizeof(k))
        sha256(key, klen, k);
    else
        memcpy(k, key, klen);
    for (i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    c = ctx();
    if (EVP_DigestUpdate(c, pad, 64) != 1 || EVP_DigestUpdate(c, data, len) != 1 ||
        EVP_DigestFinal_ex(c, inner, NULL) != 1)
        fatal("HMAC-SHA256 failed");
    for (i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    c = ctx();
    if (EVP_DigestUpdate(c, pad, 64) != 1 || EVP_DigestUpdate(c, inner, 32) != 1 ||
        EVP_DigestFinal_ex(c, out, NULL) != 1)
        fatal("HMAC-SHA256 failed");
    memset(k, 0, sizeof(k));
    memset(pad, 0, sizeof(pad));
}

static void
hex_append(struct buf *b, const unsigned char *d, size_t n)
{
    size_t i;

    buf_reserve(b, 2 * n + 1);
    for (i = 0; i < n; i++) {
        b->data[b->len++] = hexdig[d[i] >> 4];
        b->data[b->len++] = hexdig[d[i] & 15];
    }
    b->data[b->len] = '\0';
}

void
sigv4_amz_date(time_t t, char out[17])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
        memcpy(out, "19700101T000000Z", 17);
}

bool
sigv4_header_unsigned(const char *name, size_t len)
{
    /* the hop-by-hop headers and those proxies or clients rewrite, as botocore leaves them */
    static const char *const skip[] = { "connection", "expect", "keep-alive",
                                        "proxy-authenticate", "proxy-authorization", "te",
                                        "trailer", "transfer-encoding", "upgrade", "user-agent",
                                        "x-amzn-trace-id", "authorization", NULL };
    size_t i;

    for (i = 0; skip[i] != NULL; i++)
        if (strlen(skip[i]) == len && strncasecmp(skip[i], name, len) == 0)
            return true;
    return false;
}

static bool
unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Append s percent-encoded (unreserved bytes, and '/' when keep_slash, as they are). */
static void
uri_encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
    size_t i;

    buf_reserve(b, 3 * n + 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (unreserved(c) || (keep_slash && c == '/')) {
            b->data[b->len++] = (char)c;
        } else {
            b->data[b->len++] = '%';
            b->data[b->len++] = HEXDIG[c >> 4];
            b->data[b->len++] = HEXDIG[c & 15];
        }
    }
    b->data[b->len] = '\0';
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Append s with its %XX sequences decoded, then encoded as AWS wants. */
static void
query_part(struct buf *b, const char *s, size_t n)
{
    char tmp[256];
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        int hi, lo;

        if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0) {
            tmp[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            tmp[k++] = s[i];
        }
        if (k == sizeof(tmp)) {
            uri_encode(b, tmp, k, false);
            k = 0;
        }
    }
    uri_encode(b, tmp, k, false);
}

/* One query pair, encoded, as offsets into a scratch buffer. */
struct qpair {
    size_t off, klen, len;   /* "key=value" at off, key is klen long */
};

/* Scratch space of a thread's signing: reused, never freed while the thread signs. */
struct scratch {
    struct buf q;            /* encoded query pairs */
    struct qpair *pairs;
    size_t npairs, pcap;
    size_t *hidx;            /* indexes of the signed headers, sorted */
    size_t hcap;
    const char **seg;        /* path segments kept */
    size_t *segl, scap;
    struct buf cr;           /* canonical request */
    struct buf sts;          /* string to sign */
};

static _Thread_local struct scratch scratch;

/* A signing thread ends: free its context and scratch space. */
static void
thread_done(void *arg)
{
    EVP_MD_CTX_free(arg);
    tctx = NULL;
    buf_free(&scratch.q);
    buf_free(&scratch.cr);
    buf_free(&scratch.sts);
    free(scratch.pairs);
    free(scratch.hidx);
    free(scratch.seg);
    free(scratch.segl);
    memset(&scratch, 0, sizeof(scratch));
}

/* Canonical URI: botocore's remove_dot_segments (runs of '/' collapsed), then encoded. */
static void
canonical_path(struct buf *b, const char *p, size_t n)
{
    const char **seg;
    size_t *segl, nseg = 0, i = 0, k;

    if (n / 2 + 1 > scratch.scap) {
        scratch.scap = n / 2 + 1;
        scratch.seg = xrealloc(scratch.seg, scratch.scap * sizeof(*scratch.seg));
        scratch.segl = xrealloc(scratch.segl, scratch.scap * sizeof(*scratch.segl));
    }
    seg = scratch.seg;
    segl = scratch.segl;

    if (n == 0) {
        buf_puts(b, "/");
        return;
    }
    while (i < n) {
        size_t j = i;

        while (j < n && p[j] != '/')
            j++;
        if (j > i && !(j - i == 1 && p[i] == '.')) {
            if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
                if (nseg > 0)
                    nseg--;
            } else {
                seg[nseg] = p + i;
                segl[nseg++] = j - i;
            }
        }
        i = j + 1;
    }
    if (p[0] == '/')
        buf_puts(b, "/");
    for (k = 0; k < nseg; k++) {
        if (k > 0)
            buf_puts(b, "/");
        uri_encode(b, seg[k], segl[k], false);
    }
    if (p[n - 1] == '/' && nseg > 0)
        buf_puts(b, "/");
}

static int
qpair_cmp(const void *a, const void *b, const char *base)
{
    const struct qpair *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(base + x->off, base + y->off, n);

    if (c != 0)
        return c;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    n = x->len - x->klen < y->len - y->klen ? x->len - x->klen : y->len - y->klen;
    c = memcmp(base + x->off + x->klen, base + y->off + y->klen, n);
    if (c != 0)
        return c;
    return x->len - x->klen < y->len - y->klen ? -1 : x->len == y->len ? 0 : 1;
}

static void
canonical_query(struct buf *out, const char *q, size_t n)
{
    struct scratch *s = &scratch;
    size_t i = 0, a, b;

    if (q == NULL || n == 0)
        return;
    s->q.len = 0;
    s->npairs = 0;
    while (i <= n) {
        size_t j = i, eq;
        struct qpair pr;

        while (j < n && q[j] != '&')
            j++;
        if (j > i) {
            for (eq = i; eq < j && q[eq] != '='; eq++)
                ;
            pr.off = s->q.len;
            query_part(&s->q, q + i, eq - i);
            pr.klen = s->q.len - pr.off;
            buf_puts(&s->q, "=");
            if (eq < j)
                query_part(&s->q, q + eq + 1, j - eq - 1);
            pr.len = s->q.len - pr.off;
            if (s->npairs == s->pcap) {
                s->pcap = s->pcap ? s->pcap * 2 : 16;
                s->pairs = xrealloc(s->pairs, s->pcap * sizeof(*s->pairs));
            }
            s->pairs[s->npairs++] = pr;
        }
        i = j + 1;
    }
    /* insertion sort: queries are short */
    for (a = 1; a < s->npairs; a++) {
        struct qpair v = s->pairs[a];

        for (b = a; b > 0 && qpair_cmp(&s->pairs[b - 1], &v, s->q.data) > 0; b--)
            s->pairs[b] = s->pairs[b - 1];
        s->pairs[b] = v;
    }
    for (a = 0; a < s->npairs; a++) {
        /* the '=' between key and value was encoded as itself */
        if (a > 0)
            buf_puts(out, "&");
        buf_append(out, s->q.data + s->pairs[a].off, s->pairs[a].len);
    }
}

/* Compare two header names case-insensitively, as lower-cased strings sort. */
static int
name_cmp(const struct sigv4_header *x, const struct sigv4_header *y)
{
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len, i;

    for (i = 0; i < n; i++) {
        int a = tolower((unsigned char)x->name[i]), b = tolower((unsigned char)y->name[i]);

        if (a != b)
            return a - b;
    }
    return x->name_len == y->name_len ? 0 : x->name_len < y->name_len ? -1 : 1;
}

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Append a value trimmed, with every run of white space made one space. */
static void
header_value(struct buf *b, const char *v, size_t n)
{
    size_t i = 0;
    bool first = true;

    while (i < n) {
        size_t j;

        while (i < n && is_space(v[i]))
            i++;
        if (i == n)
            break;
        for (j = i; j < n && !is_space(v[j]); j++)
            ;
        if (!first)
            buf_append(b, " ", 1);
        buf_append(b, v + i, j - i);
        first = false;
        i = j;
    }
}

static void
lower_append(struct buf *b, const char *s, size_t n)
{
    size_t i;

    buf_reserve(b, n + 1);
    for (i = 0; i < n; i++)
        b->data[b->len++] = (char)tolower((unsigned char)s[i]);
    b->data[b->len] = '\0';
}

/* Derive the signing key when the date, region, service or secret changed. */
static void
derive_key(const struct sigv4_creds *cr, uint64_t secret_gen, const char *region,
           const char *service, const char *amz_date, struct sigv4_key *k)
{
    unsigned char a[32], b[32];
    char first[4 + 256];
    size_t slen = strlen(cr->secret);

    if (k->secret_gen == secret_gen && memcmp(k->date, amz_date, 8) == 0 && k->date[0] != '\0' &&
        strcmp(k->region, region) == 0 && strcmp(k->service, service) == 0)
        return;
    if (slen > 256)
        slen = 256;
    memcpy(first, "AWS4", 4);
    memcpy(first + 4, cr->secret, slen);
    hmac(first, 4 + slen, amz_date, 8, a);
    memset(first, 0, sizeof(first));
    hmac(a, 32, region, strlen(region), b);
    hmac(b, 32, service, strlen(service), a);
    hmac(a, 32, "aws4_request", 12, k->key);
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    memcpy(k->date, amz_date, 8);
    k->date[8] = '\0';
    snprintf(k->region, sizeof(k->region), "%s", region);
    snprintf(k->service, sizeof(k->service), "%s", service);
    k->secret_gen = secret_gen;
    k->derivations++;
}

void
sigv4_sign(const struct sigv4_creds *cr, uint64_t secret_gen, const char *region,
           const char *service, const char *amz_date, const struct sigv4_request *rq,
           struct sigv4_key *key, struct buf *auth, struct buf *canonical)
{
    struct scratch *s = &scratch;
    unsigned char hash[32], sig[32];
    size_t i, j, n = 0, signed_at;

    /* which headers are signed, sorted by name (stable: repeated ones keep their order) */
    if (rq->nheaders > s->hcap) {
        s->hcap = rq->nheaders;
        s->hidx = xrealloc(s->hidx, s->hcap * sizeof(*s->hidx));
    }
    for (i = 0; i < rq->nheaders; i++) {
        const struct sigv4_header *h = &rq->headers[i];

        if (sigv4_header_unsigned(h->name, h->name_len))
            continue;
        for (j = n; j > 0 && name_cmp(&rq->headers[s->hidx[j - 1]], h) > 0; j--)
            s->hidx[j] = s->hidx[j - 1];
        s->hidx[j] = i;
        n++;
    }

    /* the canonical request */
    s->cr.len = 0;
    buf_puts(&s->cr, rq->method);
    buf_puts(&s->cr, "\n");
    canonical_path(&s->cr, rq->path, rq->path_len);
    buf_puts(&s->cr, "\n");
    canonical_query(&s->cr, rq->query, rq->query_len);
    buf_puts(&s->cr, "\n");
    for (i = 0; i < n; i++) {
        const struct sigv4_header *h = &rq->headers[s->hidx[i]];

        if (i > 0 && name_cmp(&rq->headers[s->hidx[i - 1]], h) == 0) {
            buf_puts(&s->cr, ",");
        } else {
            if (i > 0)
                buf_puts(&s->cr, "\n");
            lower_append(&s->cr, h->name, h->name_len);
            buf_puts(&s->cr, ":");
        }
        header_value(&s->cr, h->value, h->value_len);
    }
    buf_puts(&s->cr, "\n\n");
    signed_at = s->cr.len;
    for (i = 0; i < n; i++) {
        const struct sigv4_header *h = &rq->headers[s->hidx[i]];

        if (i > 0 && name_cmp(&rq->headers[s->hidx[i - 1]], h) == 0)
            continue;
        if (i > 0)
            buf_puts(&s->cr, ";");
        lower_append(&s->cr, h->name, h->name_len);
    }
    buf_puts(&s->cr, "\n");
    sha256(rq->body != NULL ? rq->body : "", rq->body_len, hash);
    hex_append(&s->cr, hash, 32);
    if (canonical != NULL)
        buf_append(canonical, s->cr.data, s->cr.len);

    /* the string to sign */
    derive_key(cr, secret_gen, region, service, amz_date, key);
    s->sts.len = 0;
    buf_puts(&s->sts, "AWS4-HMAC-SHA256\n");
    buf_append(&s->sts, amz_date, 16);
    buf_puts(&s->sts, "\n");
    buf_append(&s->sts, amz_date, 8);
    buf_printf(&s->sts, "/%s/%s/aws4_request\n", region, service);
    sha256(s->cr.data, s->cr.len, hash);
    hex_append(&s->sts, hash, 32);
    hmac(key->key, 32, s->sts.data, s->sts.len, sig);

    /* Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=... */
    buf_puts(auth, "AWS4-HMAC-SHA256 Credential=");
    buf_puts(auth, cr->key_id);
    buf_puts(auth, "/");
    buf_append(auth, amz_date, 8);
    buf_printf(auth, "/%s/%s/aws4_request, SignedHeaders=", region, service);
    /* the signed header list ends the canonical request's headers part, before its last line */
    buf_append(auth, s->cr.data + signed_at, s->cr.len - signed_at - 65);
    buf_puts(auth, ", Signature=");
    hex_append(auth, sig, 32);
}

bool
sigv4_valid_region(const char *r)
{
    size_t n = strlen(r), i, dashes = 0;

    /* "us-east-1", "us-gov-west-1", "cn-north-1", "eu-central-2", "us-isob-east-1" */
    if (n < 5 || n > SIGV4_NAME_MAX || !islower((unsigned char)r[0]) ||
        !isdigit((unsigned char)r[n - 1]))
        return false;
    for (i = 0; i < n; i++) {
        if (r[i] == '-') {
            if (i == 0 || r[i - 1] == '-')
                return false;
            dashes++;
        } else if (!islower((unsigned char)r[i]) && !isdigit((unsigned char)r[i])) {
            return false;
        }
    }
    return dashes >= 2;
}

bool
sigv4_valid_service(const char *sv)
{
    size_t n = strlen(sv), i;

    if (n == 0 || n > SIGV4_NAME_MAX || !islower((unsigned char)sv[0]))
        return false;
    for (i = 0; i < n; i++)
        if (!islower((unsigned char)sv[i]) && !isdigit((unsigned char)sv[i]) && sv[i] != '-')
            return false;
    return sv[n - 1] != '-';
}
