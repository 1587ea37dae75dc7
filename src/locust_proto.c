/*
 * locust_proto.c: encoding and decoding Locust's worker messages with
 * msgpack-c. Encoding follows what Locust's own Python worker sends (str
 * for text, float64 for times, integer keys in the histograms, nil for an
 * unknown minimum); decoding checks every type before use, ignores keys it
 * does not know and rejects trailing bytes.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <msgpack.h>

#include "locust_proto.h"
#include "util.h"

/* ---- encoding ---- */

static void
pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);

    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

/* Start [type, ...]: the array header and the type. */
static void
begin(msgpack_sbuffer *sb, msgpack_packer *pk, const char *type)
{
    msgpack_sbuffer_init(sb);
    msgpack_packer_init(pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(pk, 3);
    pack_str(pk, type);
}

/* End with the node id and hand the bytes over. */
static void
finish(msgpack_sbuffer *sb, msgpack_packer *pk, const char *node_id, struct locust_out *o)
{
    pack_str(pk, node_id);
    o->len = sb->size;
    o->data = msgpack_sbuffer_release(sb);
    msgpack_sbuffer_destroy(sb);
    if (o->data == NULL) {
        /* an empty buffer cannot happen (three elements at least); keep the contract anyway */
        o->data = xstrdup("");
        o->len = 0;
    }
}

void
locust_out_free(struct locust_out *o)
{
    free(o->data);
    o->data = NULL;
    o->len = 0;
}

void
locust_encode_client_ready(struct locust_out *o, const char *node_id)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;

    begin(&sb, &pk, "client_ready");
    msgpack_pack_int(&pk, -1);
    finish(&sb, &pk, node_id, o);
}

void
locust_encode_nil(struct locust_out *o, const char *type, const char *node_id)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;

    begin(&sb, &pk, type);
    msgpack_pack_nil(&pk);
    finish(&sb, &pk, node_id, o);
}

void
locust_encode_heartbeat(struct locust_out *o, const char *node_id, const char *state,
                        double cpu_percent, uint64_t rss_bytes)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;

    begin(&sb, &pk, "heartbeat");
    msgpack_pack_map(&pk, 3);
    pack_str(&pk, "state");
    pack_str(&pk, state);
    pack_str(&pk, "current_cpu_usage");
    msgpack_pack_double(&pk, cpu_percent);
    pack_str(&pk, "current_memory_usage");
    msgpack_pack_uint64(&pk, rss_bytes);
    finish(&sb, &pk, node_id, o);
}

/* {"A": n, ...} */
static unsigned long
pack_users(msgpack_packer *pk, const struct locust_users *u)
{
    unsigned long total = 0;
    size_t i;

    msgpack_pack_map(pk, u->n);
    for (i = 0; i < u->n; i++) {
        pack_str(pk, u->names[i]);
        msgpack_pack_unsigned_int(pk, u->counts[i]);
        total += u->counts[i];
    }
    return total;
}

void
locust_encode_spawning_complete(struct locust_out *o, const char *node_id,
                                const struct locust_users *u)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    unsigned long total;

    begin(&sb, &pk, "spawning_complete");
    msgpack_pack_map(&pk, 2);
    pack_str(&pk, "user_classes_count");
    total = pack_users(&pk, u);
    pack_str(&pk, "user_count");
    msgpack_pack_unsigned_long(&pk, total);
    finish(&sb, &pk, node_id, o);
}

void
locust_encode_exception(struct locust_out *o, const char *node_id, const char *msg,
                        const char *traceback)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;

    begin(&sb, &pk, "exception");
    msgpack_pack_map(&pk, 2);
    pack_str(&pk, "msg");
    pack_str(&pk, msg);
    pack_str(&pk, "traceback");
    pack_str(&pk, traceback);
    finish(&sb, &pk, node_id, o);
}

/* ---- the statistics report ---- */

void
locust_reporter_init(struct locust_reporter *r)
{
    memset(r, 0, sizeof(*r));
    stats_init(&r->prev);
}

void
locust_reporter_free(struct locust_reporter *r)
{
    stats_free(&r->prev);
    r->have_prev = false;
}

/* Copy a model copy into the reporter's baseline. */
static void
keep(struct locust_reporter *r, struct stats *now, double wall)
{
    stats_copy(&r->prev, now);
    r->have_prev = true;
    r->interval_start = wall;
}

void
locust_reporter_baseline(struct locust_reporter *r, struct stats *now, double wall)
{
    keep(r, now, wall);
}

/* One entry's change over the interval. */
struct entry_delta {
    uint64_t requests, failures, timed, rt_us, bytes;
    uint64_t min_us, max_us;     /* UINT64_MAX / 0 when none timed */
    double last_ts;              /* 0: none */
    struct hist hist;
    struct stats_second secs[STATS_RING];
    size_t nsecs;
};

/*
 * now - before (before NULL: everything in now). The interval's minimum is
 * exact when the running minimum went down (that value is new); otherwise
 * it is the lowest bucket's value, never below the running minimum, so the
 * master's minimum over all reports is the true one (same for the maximum).
 */
static void
entry_diff(struct entry_delta *d, const struct stats_entry *now, const struct stats_entry *before)
{
    size_t k;

    d->requests = now->num_requests - (before ? before->num_requests : 0);
    d->failures = now->num_failures - (before ? before->num_failures : 0);
    d->rt_us = now->total_rt_us - (before ? before->total_rt_us : 0);
    d->bytes = now->total_bytes - (before ? before->total_bytes : 0);
    if (before != NULL)
        hist_diff(&d->hist, &now->hist, &before->hist);
    else {
        hist_reset(&d->hist);
        hist_merge(&d->hist, &now->hist);
    }
    d->timed = d->hist.total;
    d->min_us = UINT64_MAX;
    d->max_us = 0;
    if (d->timed > 0) {
        if (before == NULL || now->min_rt_us < before->min_rt_us)
            d->min_us = now->min_rt_us;
        else {
            d->min_us = hist_value_at_rank(&d->hist, 0);
            if (d->min_us < now->min_rt_us)
                d->min_us = now->min_rt_us;
            if (d->min_us > now->max_rt_us)
                d->min_us = now->max_rt_us;
        }
        if (before == NULL || now->max_rt_us > before->max_rt_us)
            d->max_us = now->max_rt_us;
        else {
            d->max_us = hist_value_at_rank(&d->hist, d->timed - 1);
            if (d->max_us > now->max_rt_us)
                d->max_us = now->max_rt_us;
            if (d->max_us < d->min_us)
                d->max_us = d->min_us;
        }
    }
    d->last_ts = d->requests > 0 ? now->last_request_ts : 0;
    d->nsecs = 0;
    for (k = 0; k < STATS_RING; k++) {
        const struct stats_second *s = &now->ring[k];
        uint64_t req = s->requests, fail = s->failures;

        if (s->sec < 0)
            continue;
        if (before != NULL && before->ring[k].sec == s->sec) {
            req -= before->ring[k].requests;
            fail -= before->ring[k].failures;
        }
        if (req == 0 && fail == 0)
            continue;
        d->secs[d->nsecs].sec = s->sec;
        d->secs[d->nsecs].requests = req;
        d->secs[d->nsecs].failures = fail;
        d->nsecs++;
    }
}

/* A StatsEntry map of Locust's 14 keys. */
static void
pack_entry(msgpack_packer *pk, const char *method, const char *name, const struct entry_delta *d,
           double start_time)
{
    uint32_t i;
    size_t k, nkeys = 0, nfail = 0;
    long prev_key = -1;

    msgpack_pack_map(pk, 14);
    pack_str(pk, "name");
    pack_str(pk, name);
    pack_str(pk, "method");
    pack_str(pk, method);
    pack_str(pk, "last_request_timestamp");
    if (d->last_ts > 0)
        msgpack_pack_double(pk, d->last_ts);
    else
        msgpack_pack_nil(pk);
    pack_str(pk, "start_time");
    msgpack_pack_double(pk, start_time);
    pack_str(pk, "num_requests");
    msgpack_pack_uint64(pk, d->requests);
    pack_str(pk, "num_none_requests");
    msgpack_pack_uint64(pk, d->requests > d->timed ? d->requests - d->timed : 0);
    pack_str(pk, "num_failures");
    msgpack_pack_uint64(pk, d->failures);
    pack_str(pk, "total_response_time");
    msgpack_pack_double(pk, (double)d->rt_us / 1000.0);
    pack_str(pk, "max_response_time");
    msgpack_pack_double(pk, (double)d->max_us / 1000.0);
    pack_str(pk, "min_response_time");
    if (d->min_us != UINT64_MAX)
        msgpack_pack_double(pk, (double)d->min_us / 1000.0);
    else
        msgpack_pack_nil(pk);
    pack_str(pk, "total_content_length");
    msgpack_pack_uint64(pk, d->bytes);

    /* response_times: rounding is monotonic, so equal keys are neighbours */
    pack_str(pk, "response_times");
    for (i = d->hist.lo; i < d->hist.hi; i++) {
        long key;

        if (d->hist.counts[i] == 0)
            continue;
        key = stats_locust_round_ms((double)hist_bucket_value(i) / 1000.0);
        if (key != prev_key)
            nkeys++;
        prev_key = key;
    }
    msgpack_pack_map(pk, nkeys);
    prev_key = -1;
    for (i = d->hist.lo; i < d->hist.hi;) {
        long key;
        uint64_t count = 0;

        if (d->hist.counts[i] == 0) {
            i++;
            continue;
        }
        key = stats_locust_round_ms((double)hist_bucket_value(i) / 1000.0);
        while (i < d->hist.hi &&
               (d->hist.counts[i] == 0 ||
                stats_locust_round_ms((double)hist_bucket_value(i) / 1000.0) == key)) {
            count += d->hist.counts[i];
            i++;
        }
        msgpack_pack_long(pk, key);
        msgpack_pack_uint64(pk, count);
    }

    pack_str(pk, "num_reqs_per_sec");
    for (k = 0; k < d->nsecs; k++)
        if (d->secs[k].failures > 0)
            nfail++;
    msgpack_pack_map(pk, d->nsecs);
    for (k = 0; k < d->nsecs; k++) {
        msgpack_pack_int64(pk, d->secs[k].sec);
        msgpack_pack_uint64(pk, d->secs[k].requests);
    }
    pack_str(pk, "num_fail_per_sec");
    msgpack_pack_map(pk, nfail);
    for (k = 0; k < d->nsecs; k++) {
        if (d->secs[k].failures == 0)
            continue;
        msgpack_pack_int64(pk, d->secs[k].sec);
        msgpack_pack_uint64(pk, d->secs[k].failures);
    }
}

void
locust_encode_stats(struct locust_out *o, const char *node_id, struct locust_reporter *r,
                    struct stats *now, const struct locust_users *u, double wall)
{
    bool fresh = !r->have_prev || r->prev.epoch != now->epoch;
    double start = fresh && now->start_time > r->interval_start ? now->start_time
                                                                : r->interval_start;
    struct entry_delta *d = xmalloc(sizeof(*d));
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t i, nentries = 0, nerrors = 0;
    unsigned long total_users;

    if (start <= 0)
        start = wall;
    hist_init(&d->hist);
    begin(&sb, &pk, "stats");
    msgpack_pack_map(&pk, 5);

    /* entries with something to say */
    for (i = 0; i < now->nentries; i++) {
        const struct stats_entry *before =
            !fresh && i < r->prev.nentries ? &r->prev.entries[i] : NULL;

        if (now->entries[i].num_requests != (before ? before->num_requests : 0) ||
            now->entries[i].num_failures != (before ? before->num_failures : 0))
            nentries++;
    }
    pack_str(&pk, "stats");
    msgpack_pack_array(&pk, nentries);
    for (i = 0; i < now->nentries; i++) {
        const struct stats_entry *e = &now->entries[i];
        const struct stats_entry *before =
            !fresh && i < r->prev.nentries ? &r->prev.entries[i] : NULL;

        if (e->num_requests == (before ? before->num_requests : 0) &&
            e->num_failures == (before ? before->num_failures : 0))
            continue;
        entry_diff(d, e, before);
        pack_entry(&pk, e->method, e->name, d, start);
    }

    pack_str(&pk, "stats_total");
    entry_diff(d, &now->total, fresh ? NULL : &r->prev.total);
    pack_entry(&pk, "", "Aggregated", d, start);
    r->last_requests = d->requests;
    r->last_interval = wall - start;
    r->sent_requests += d->requests;
    r->sent_failures += d->failures;

    /* errors: the table keeps first-seen order, so indices below the old count are the same errors */
    for (i = 0; i < now->nerrors; i++) {
        uint64_t before = !fresh && i < r->prev.nerrors ? r->prev.errors[i].occurrences : 0;

        if (now->errors[i].occurrences > before)
            nerrors++;
    }
    pack_str(&pk, "errors");
    msgpack_pack_map(&pk, nerrors);
    for (i = 0; i < now->nerrors; i++) {
        const struct stats_error *err = &now->errors[i];
        uint64_t before = !fresh && i < r->prev.nerrors ? r->prev.errors[i].occurrences : 0;
        const struct stats_entry *e;
        char *key;

        if (err->occurrences <= before)
            continue;
        e = err->entry >= 0 && (size_t)err->entry < now->nentries ? &now->entries[err->entry]
                                                                   : &now->total;
        key = xasprintf("%s.%s.%s", e->method, e->name, err->reason);
        pack_str(&pk, key);
        free(key);
        msgpack_pack_map(&pk, 4);
        pack_str(&pk, "method");
        pack_str(&pk, e->method);
        pack_str(&pk, "name");
        pack_str(&pk, e->name);
        pack_str(&pk, "error");
        pack_str(&pk, err->reason);
        pack_str(&pk, "occurrences");
        msgpack_pack_uint64(&pk, err->occurrences - before);
    }

    pack_str(&pk, "user_classes_count");
    total_users = pack_users(&pk, u);
    pack_str(&pk, "user_count");
    msgpack_pack_unsigned_long(&pk, total_users);
    finish(&sb, &pk, node_id, o);
    free(d);
    keep(r, now, wall);
}

/* ---- decoding ---- */

static bool
is_str(const msgpack_object *o)
{
    return o->type == MSGPACK_OBJECT_STR;
}

/* A msgpack string as a C string (allocated); NUL bytes inside are kept out by the caller. */
static char *
dup_str(const msgpack_object *o)
{
    char *s = xmalloc(o->via.str.size + 1);

    memcpy(s, o->via.str.ptr, o->via.str.size);
    s[o->via.str.size] = '\0';
    return s;
}

static bool
str_eq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);

    return is_str(o) && o->via.str.size == n && memcmp(o->via.str.ptr, s, n) == 0;
}

/* A number of any msgpack kind as a double; false if it is not a number. */
static bool
as_double(const msgpack_object *o, double *v)
{
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        *v = (double)o->via.u64;
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        *v = (double)o->via.i64;
        return true;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        *v = o->via.f64;
        return isfinite(*v);
    default:
        return false;
    }
}

/* The value of key in a map, or NULL. */
static const msgpack_object *
map_get(const msgpack_object *map, const char *key)
{
    uint32_t i;

    if (map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (i = 0; i < map->via.map.size; i++)
        if (str_eq(&map->via.map.ptr[i].key, key))
            return &map->via.map.ptr[i].val;
    return NULL;
}

static const struct {
    const char *name;
    enum locust_type type;
} types[] = {
    { "ack", LOCUST_ACK },
    { "spawn", LOCUST_SPAWN },
    { "stop", LOCUST_STOP },
    { "quit", LOCUST_QUIT },
    { "reconnect", LOCUST_RECONNECT },
    { "heartbeat", LOCUST_HEARTBEAT },
    { "spawning_complete", LOCUST_SPAWNING_COMPLETE },
    { "update_user_class", LOCUST_UPDATE_USER_CLASS },
};

/* The spawn message's data; 0 or -1 with *err. */
static int
decode_spawn(const msgpack_object *data, struct locust_msg *m, char **err)
{
    const msgpack_object *ts, *counts, *host, *stop;
    uint32_t i;

    if (data->type != MSGPACK_OBJECT_MAP) {
        *err = xstrdup("spawn without a map of data");
        return -1;
    }
    ts = map_get(data, "timestamp");
    counts = map_get(data, "user_classes_count");
    if (ts == NULL || !as_double(ts, &m->timestamp)) {
        *err = xstrdup("spawn without a numeric timestamp");
        return -1;
    }
    if (counts == NULL || counts->type != MSGPACK_OBJECT_MAP) {
        *err = xstrdup("spawn without a user_classes_count map");
        return -1;
    }
    m->classes = xcalloc(counts->via.map.size + 1, sizeof(*m->classes));
    for (i = 0; i < counts->via.map.size; i++) {
        const msgpack_object *k = &counts->via.map.ptr[i].key;
        const msgpack_object *v = &counts->via.map.ptr[i].val;

        if (!is_str(k) || memchr(k->via.str.ptr, '\0', k->via.str.size) != NULL ||
            k->via.str.size == 0) {
            *err = xstrdup("spawn: a user class name that is not a string");
            return -1;
        }
        if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER || v->via.u64 > 10000000) {
            *err = xasprintf("spawn: the count of class '%.*s' is not a whole number up to "
                             "10000000", (int)(k->via.str.size > 64 ? 64 : k->via.str.size),
                             k->via.str.ptr);
            return -1;
        }
        m->classes[m->nclasses].name = dup_str(k);
        m->classes[m->nclasses].count = (unsigned long)v->via.u64;
        m->nclasses++;
    }
    host = map_get(data, "host");
    if (host != NULL && is_str(host) && host->via.str.size > 0 &&
        memchr(host->via.str.ptr, '\0', host->via.str.size) == NULL)
        m->host = dup_str(host);
    stop = map_get(data, "stop_timeout");
    m->stop_timeout = -1;
    if (stop != NULL && stop->type != MSGPACK_OBJECT_NIL &&
        (!as_double(stop, &m->stop_timeout) || m->stop_timeout < 0)) {
        *err = xstrdup("spawn: stop_timeout is neither nil nor a number >= 0");
        return -1;
    }
    return 0;
}

int
locust_decode(const void *buf, size_t len, struct locust_msg *m, char **err)
{
    msgpack_unpacked res;
    msgpack_unpack_return ret;
    const msgpack_object *arr, *type, *data, *node;
    size_t off = 0, i;
    int rc = -1;

    memset(m, 0, sizeof(*m));
    m->ack_index = -1;
    m->stop_timeout = -1;
    *err = NULL;
    msgpack_unpacked_init(&res);
    ret = msgpack_unpack_next(&res, buf, len, &off);
    if (ret == MSGPACK_UNPACK_CONTINUE || len == 0) {
        *err = xasprintf("truncated message (%zu bytes)", len);
        goto out;
    }
    if (ret != MSGPACK_UNPACK_SUCCESS) {
        *err = xasprintf("not msgpack (%zu bytes)", len);
        goto out;
    }
    if (off != len) {
        *err = xasprintf("%zu bytes after the message", len - off);
        goto out;
    }
    arr = &res.data;
    if (arr->type != MSGPACK_OBJECT_ARRAY || arr->via.array.size != 3) {
        *err = xstrdup("not an array of three (type, data, node id)");
        goto out;
    }
    type = &arr->via.array.ptr[0];
    data = &arr->via.array.ptr[1];
    node = &arr->via.array.ptr[2];
    if (!is_str(type)) {
        *err = xstrdup("the message type is not a string");
        goto out;
    }
    if (!is_str(node) || memchr(node->via.str.ptr, '\0', node->via.str.size) != NULL) {
        *err = xstrdup("the node id is not a string");
        goto out;
    }
    snprintf(m->type_name, sizeof(m->type_name), "%.*s",
             (int)(type->via.str.size < sizeof(m->type_name) - 1 ? type->via.str.size
                                                                 : sizeof(m->type_name) - 1),
             type->via.str.ptr);
    for (i = 0; m->type_name[i] != '\0'; i++)
        if ((unsigned char)m->type_name[i] < 0x20 || (unsigned char)m->type_name[i] == 0x7f)
            m->type_name[i] = '?';
    m->node_id = dup_str(node);
    m->type = LOCUST_UNKNOWN;
    for (i = 0; i < ARRAY_LEN(types); i++)
        if (str_eq(type, types[i].name))
            m->type = types[i].type;
    switch (m->type) {
    case LOCUST_ACK: {
        const msgpack_object *index = map_get(data, "index");
        double v;

        if (index != NULL && as_double(index, &v) && v >= 0 && v < 1e9)
            m->ack_index = (long)v;
        break;
    }
    case LOCUST_SPAWN:
        if (decode_spawn(data, m, err) < 0)
            goto out;
        break;
    default:
        break;
    }
    rc = 0;
out:
    msgpack_unpacked_destroy(&res);
    if (rc < 0)
        locust_msg_free(m);
    return rc;
}

void
locust_msg_free(struct locust_msg *m)
{
    size_t i;

    for (i = 0; i < m->nclasses; i++)
        free(m->classes[i].name);
    free(m->classes);
    free(m->node_id);
    free(m->host);
    m->classes = NULL;
    m->nclasses = 0;
    m->node_id = NULL;
    m->host = NULL;
}

/* ---- node id ---- */

void
locust_node_id(char *buf, size_t size)
{
    char host[256];
    unsigned char rnd[16];
    char hex[33];
    size_t i;
    FILE *f = fopen("/dev/urandom", "rb");

    if (f == NULL || fread(rnd, 1, sizeof(rnd), f) != sizeof(rnd)) {
        /* no /dev/urandom: time and pid still make it unique enough on one host */
        uint64_t x = (uint64_t)(time_wall() * 1e6) ^ ((uint64_t)getpid() << 32);

        for (i = 0; i < sizeof(rnd); i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            rnd[i] = (unsigned char)(x >> 56);
        }
    }
    if (f != NULL)
        fclose(f);
    for (i = 0; i < sizeof(rnd); i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    for (i = 0; host[i] != '\0'; i++)
        if ((unsigned char)host[i] < 0x21 || (unsigned char)host[i] > 0x7e)
            host[i] = '-';
    snprintf(buf, size, "%.200s_%s", host, hex);
}
