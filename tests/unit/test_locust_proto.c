/*
 * test_locust_proto.c: Locust's worker messages. Encodings are compared
 * with bytes Locust itself produces (the protocol reference's examples);
 * decoding is checked on good and malformed frames; statistics reports
 * are decoded back and must carry exactly what happened since the
 * previous report (counts, Locust-rounded histogram keys, per-second
 * counts, errors, nil minimum when empty), nothing twice, and start afresh
 * after a reset.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "locust_proto.h"
#include "stats.h"
#include "util.h"

#define START 1700000000.0

static void
test_client_ready_bytes(void **state)
{
    static const unsigned char want[] = { 0x93, 0xac, 'c', 'l', 'i', 'e', 'n', 't', '_', 'r',
                                          'e', 'a', 'd', 'y', 0xff, 0xaf, 'm', 'y', 'h', 'o',
                                          's', 't', '_', '0', '1', '2', '3', 'a', 'b', 'c',
                                          'd' };
    static const unsigned char quit[] = { 0x93, 0xa4, 'q', 'u', 'i', 't', 0xc0, 0xaf, 'm',
                                          'y', 'h', 'o', 's', 't', '_', '0', '1', '2', '3',
                                          'a', 'b', 'c', 'd' };
    struct locust_out o;

    (void)state;
    locust_encode_client_ready(&o, "myhost_0123abcd");
    assert_int_equal(o.len, sizeof(want));
    assert_memory_equal(o.data, want, sizeof(want));
    locust_out_free(&o);
    locust_encode_nil(&o, "quit", "myhost_0123abcd");
    assert_int_equal(o.len, sizeof(quit));
    assert_memory_equal(o.data, quit, sizeof(quit));
    locust_out_free(&o);
}

/* Pack [type, data, id] with data built by fn. */
static void
pack_msg(msgpack_sbuffer *sb, const char *type, void (*fn)(msgpack_packer *), const char *id)
{
    msgpack_packer pk;

    msgpack_sbuffer_init(sb);
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_str_with_body(&pk, type, strlen(type));
    fn(&pk);
    msgpack_pack_str_with_body(&pk, id, strlen(id));
}

static void
key(msgpack_packer *pk, const char *k)
{
    msgpack_pack_str_with_body(pk, k, strlen(k));
}

static void
spawn_data(msgpack_packer *pk)
{
    msgpack_pack_map(pk, 5);
    key(pk, "timestamp");
    msgpack_pack_double(pk, 1700000000.25);
    key(pk, "user_classes_count");
    msgpack_pack_map(pk, 2);
    key(pk, "A");
    msgpack_pack_int(pk, 3);
    key(pk, "B-2");
    msgpack_pack_int(pk, 0);
    key(pk, "host");
    key(pk, "http://x:1");
    key(pk, "stop_timeout");
    msgpack_pack_nil(pk);
    key(pk, "parsed_options");
    msgpack_pack_map(pk, 2);
    key(pk, "tags");
    msgpack_pack_array(pk, 2);
    msgpack_pack_true(pk);
    msgpack_pack_float(pk, 1.5f);
    msgpack_pack_int(pk, -7);
    msgpack_pack_bin_with_body(pk, "\0\1", 2);
}

static void
ack_data(msgpack_packer *pk)
{
    msgpack_pack_map(pk, 1);
    key(pk, "index");
    msgpack_pack_int(pk, 4);
}

static void
nil_data(msgpack_packer *pk)
{
    msgpack_pack_nil(pk);
}

static void
bad_spawn_data(msgpack_packer *pk)
{
    msgpack_pack_map(pk, 2);
    key(pk, "timestamp");
    msgpack_pack_double(pk, 1.0);
    key(pk, "user_classes_count");
    msgpack_pack_map(pk, 1);
    key(pk, "A");
    msgpack_pack_int(pk, -1);
}

static void
test_decode(void **state)
{
    msgpack_sbuffer sb;
    struct locust_msg m;
    char *err = NULL;

    (void)state;
    pack_msg(&sb, "spawn", spawn_data, "h_1");
    assert_int_equal(locust_decode(sb.data, sb.size, &m, &err), 0);
    assert_int_equal(m.type, LOCUST_SPAWN);
    assert_string_equal(m.node_id, "h_1");
    assert_true(m.timestamp == 1700000000.25);
    assert_int_equal(m.nclasses, 2);
    assert_string_equal(m.classes[0].name, "A");
    assert_int_equal(m.classes[0].count, 3);
    assert_string_equal(m.classes[1].name, "B-2");
    assert_int_equal(m.classes[1].count, 0);
    assert_string_equal(m.host, "http://x:1");
    assert_true(m.stop_timeout < 0);
    locust_msg_free(&m);

    /* trailing bytes */
    msgpack_sbuffer_write(&sb, "\xc0", 1);
    assert_int_equal(locust_decode(sb.data, sb.size, &m, &err), -1);
    assert_non_null(strstr(err, "after the message"));
    free(err);
    msgpack_sbuffer_destroy(&sb);

    pack_msg(&sb, "ack", ack_data, "h_1");
    assert_int_equal(locust_decode(sb.data, sb.size, &m, &err), 0);
    assert_int_equal(m.type, LOCUST_ACK);
    assert_int_equal(m.ack_index, 4);
    locust_msg_free(&m);
    /* every prefix is truncated, never a crash */
    for (size_t n = 0; n < sb.size; n++) {
        assert_int_equal(locust_decode(sb.data, n, &m, &err), -1);
        free(err);
    }
    msgpack_sbuffer_destroy(&sb);

    pack_msg(&sb, "something_new", nil_data, "h_1");
    assert_int_equal(locust_decode(sb.data, sb.size, &m, &err), 0);
    assert_int_equal(m.type, LOCUST_UNKNOWN);
    assert_string_equal(m.type_name, "something_new");
    locust_msg_free(&m);
    msgpack_sbuffer_destroy(&sb);

    pack_msg(&sb, "spawn", bad_spawn_data, "h_1");
    assert_int_equal(locust_decode(sb.data, sb.size, &m, &err), -1);
    assert_non_null(strstr(err, "class 'A'"));
    free(err);
    msgpack_sbuffer_destroy(&sb);

    pack_msg(&sb, "spawn", nil_data, "h_1");
    assert_int_equal(locust_decode(sb.data, sb.size, &m, &err), -1);
    free(err);
    msgpack_sbuffer_destroy(&sb);

    assert_int_equal(locust_decode("\xc1", 1, &m, &err), -1);
    free(err);
    assert_int_equal(locust_decode("\x92\x01\x02", 3, &m, &err), -1);
    assert_non_null(strstr(err, "three"));
    free(err);
}

/* ---- reports ---- */

/* Find key in a msgpack map. */
static const msgpack_object *
get(const msgpack_object *map, const char *k)
{
    assert_int_equal(map->type, MSGPACK_OBJECT_MAP);
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *kk = &map->via.map.ptr[i].key;

        if (kk->type == MSGPACK_OBJECT_STR && kk->via.str.size == strlen(k) &&
            memcmp(kk->via.str.ptr, k, kk->via.str.size) == 0)
            return &map->via.map.ptr[i].val;
    }
    fail_msg("no key %s", k);
    return NULL;
}

/* An integer map's value for an integer key (0 if absent); checks keys are integers. */
static uint64_t
int_map(const msgpack_object *map, int64_t k)
{
    uint64_t v = 0;

    assert_int_equal(map->type, MSGPACK_OBJECT_MAP);
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *kk = &map->via.map.ptr[i].key;

        assert_int_equal(kk->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
        if ((int64_t)kk->via.u64 == k)
            v = map->via.map.ptr[i].val.via.u64;
    }
    return v;
}

struct report {
    msgpack_unpacked up;
    const msgpack_object *data;
    struct locust_out out;   /* the bytes: unpacked strings point into them */
};

static void
report_free(struct report *r)
{
    msgpack_unpacked_destroy(&r->up);
    locust_out_free(&r->out);
}

static void
encode_report(struct report *r, struct locust_reporter *rep, struct stats *model, double wall)
{
    static const char *names[] = { "A" };
    static const unsigned counts[] = { 2 };
    struct locust_users u = { names, counts, 1 };
    struct stats view;
    size_t off = 0;

    stats_init(&view);
    stats_copy(&view, model);
    locust_encode_stats(&r->out, "h_1", rep, &view, &u, wall);
    stats_free(&view);
    msgpack_unpacked_init(&r->up);
    assert_int_equal(msgpack_unpack_next(&r->up, r->out.data, r->out.len, &off),
                     MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, r->out.len);
    assert_int_equal(r->up.data.type, MSGPACK_OBJECT_ARRAY);
    r->data = &r->up.data.via.array.ptr[1];
}

static void
record(struct stats *s, struct stats_delta *d, int entry, uint64_t rt_us, bool failed,
       double now)
{
    stats_delta_record(d, entry, rt_us, rt_us / 2, 100, failed, now);
    if (failed) {
        char *slot = stats_delta_error(d, entry, 1, 500, 0, now);

        if (slot != NULL)
            snprintf(slot, STATS_REASON_MAX, "HTTP 500");
    }
    stats_merge(s, d);
}

static void
test_report_deltas(void **state)
{
    struct stats *s = xmalloc(sizeof(*s));
    struct stats_delta d;
    struct locust_reporter rep;
    struct report r;
    const msgpack_object *total, *entries, *rt;
    int a, b;

    (void)state;
    stats_init(s);
    stats_reset(s, START);
    a = stats_entry_id(s, "GET", "/a");
    b = stats_entry_id(s, "POST", "/b");
    stats_delta_init(&d);
    stats_delta_reserve(&d, s->nentries);
    stats_delta_bind(&d, s);
    stats_merge(s, &d);
    locust_reporter_init(&rep);

    /* first interval: 142 ms (140), 158 ms (160), 2.3 ms (2), a failure in 1 ms */
    record(s, &d, a, 142000, false, START + 1.2);
    record(s, &d, a, 158000, false, START + 1.7);
    record(s, &d, a, 2300, false, START + 2.1);
    record(s, &d, b, 1000, true, START + 2.5);
    encode_report(&r, &rep, s, START + 3);
    entries = get(r.data, "stats");
    assert_int_equal(entries->via.array.size, 2);
    total = get(r.data, "stats_total");
    assert_int_equal(get(total, "num_requests")->via.u64, 4);
    assert_int_equal(get(total, "num_failures")->via.u64, 1);
    assert_int_equal(get(total, "num_none_requests")->via.u64, 0);
    assert_true(get(total, "min_response_time")->via.f64 == 1.0);
    assert_true(get(total, "max_response_time")->via.f64 == 158.0);
    assert_true(get(total, "total_response_time")->via.f64 == 303.3);
    assert_int_equal(get(total, "total_content_length")->via.u64, 400);
    rt = get(total, "response_times");
    assert_int_equal(int_map(rt, 140), 1);
    assert_int_equal(int_map(rt, 160), 1);
    assert_int_equal(int_map(rt, 2), 1);
    assert_int_equal(int_map(rt, 1), 1);
    assert_int_equal(int_map(get(total, "num_reqs_per_sec"), (int64_t)START + 1), 2);
    assert_int_equal(int_map(get(total, "num_reqs_per_sec"), (int64_t)START + 2), 2);
    assert_int_equal(int_map(get(total, "num_fail_per_sec"), (int64_t)START + 2), 1);
    assert_true(get(total, "start_time")->via.f64 == START);
    assert_true(get(total, "last_request_timestamp")->via.f64 == START + 2.5);
    assert_int_equal(get(r.data, "errors")->via.map.size, 1);
    assert_int_equal(get(&get(r.data, "errors")->via.map.ptr[0].val, "occurrences")->via.u64, 1);
    assert_int_equal(get(r.data, "user_count")->via.u64, 2);
    report_free(&r);

    /* an empty interval: no entries, nil minimum and last request, no errors */
    encode_report(&r, &rep, s, START + 6);
    assert_int_equal(get(r.data, "stats")->via.array.size, 0);
    total = get(r.data, "stats_total");
    assert_int_equal(get(total, "num_requests")->via.u64, 0);
    assert_int_equal(get(total, "min_response_time")->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(get(total, "last_request_timestamp")->type, MSGPACK_OBJECT_NIL);
    assert_int_equal(get(total, "response_times")->via.map.size, 0);
    assert_int_equal(get(r.data, "errors")->via.map.size, 0);
    assert_true(get(total, "start_time")->via.f64 == START + 3);
    report_free(&r);

    /* only what is new: one more failure of the same reason, a request in a second seen before */
    record(s, &d, b, 3000, true, START + 2.9);
    record(s, &d, a, 50000, false, START + 7.5);
    encode_report(&r, &rep, s, START + 9);
    entries = get(r.data, "stats");
    assert_int_equal(entries->via.array.size, 2);
    total = get(r.data, "stats_total");
    assert_int_equal(get(total, "num_requests")->via.u64, 2);
    assert_int_equal(get(total, "num_failures")->via.u64, 1);
    assert_int_equal(int_map(get(total, "num_reqs_per_sec"), (int64_t)START + 2), 1);
    assert_int_equal(int_map(get(total, "num_reqs_per_sec"), (int64_t)START + 7), 1);
    assert_int_equal(int_map(get(total, "response_times"), 50), 1);
    assert_int_equal(int_map(get(total, "response_times"), 3), 1);
    /* the interval's extremes stay within the run's */
    assert_true(get(total, "min_response_time")->via.f64 >= 1.0);
    assert_true(get(total, "max_response_time")->via.f64 <= 158.0);
    assert_int_equal(get(&get(r.data, "errors")->via.map.ptr[0].val, "occurrences")->via.u64, 1);
    assert_int_equal(rep.sent_requests, 6);
    assert_int_equal(rep.sent_failures, 2);
    report_free(&r);

    /* a reset (a new test): everything after it is new, nothing before it comes back */
    stats_reset(s, START + 10);
    stats_merge(s, &d);
    record(s, &d, a, 1000, false, START + 10.5);
    encode_report(&r, &rep, s, START + 12);
    total = get(r.data, "stats_total");
    assert_int_equal(get(total, "num_requests")->via.u64, 1);
    assert_true(get(total, "min_response_time")->via.f64 == 1.0);
    assert_true(get(total, "start_time")->via.f64 == START + 10);
    report_free(&r);

    /* a baseline forgets what was not reported */
    record(s, &d, a, 1000, false, START + 12.5);
    {
        struct stats view;

        stats_init(&view);
        stats_copy(&view, s);
        locust_reporter_baseline(&rep, &view, START + 13);
        stats_free(&view);
    }
    encode_report(&r, &rep, s, START + 15);
    assert_int_equal(get(get(r.data, "stats_total"), "num_requests")->via.u64, 0);
    report_free(&r);

    locust_reporter_free(&rep);
    stats_delta_free(&d);
    stats_free(s);
    free(s);
}

static void
test_node_id(void **state)
{
    char a[300], b[300];
    const char *us;

    (void)state;
    locust_node_id(a, sizeof(a));
    locust_node_id(b, sizeof(b));
    assert_string_not_equal(a, b);
    us = strrchr(a, '_');
    assert_non_null(us);
    assert_int_equal(strlen(us + 1), 32);
    assert_int_equal(strspn(us + 1, "0123456789abcdef"), 32);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_ready_bytes),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_report_deltas),
        cmocka_unit_test(test_node_id),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
