/*
 * locust_proto.h: the messages of Locust's master/worker protocol (2.x),
 * as msgpack arrays [type, data, node_id] in one ZeroMQ frame: decoding
 * what the master sends (total over msgpack: anything malformed is an
 * error string, never a crash) and encoding what a worker sends, among
 * them the statistics report, a delta since the previous report computed
 * from two copies of the statistics model. No sockets here: see
 * locust_worker.h. The wire format is Locust's own (locust/rpc/protocol.py,
 * the messages of locust/runners.py).
 */
#ifndef CICADA_LOCUST_PROTO_H
#define CICADA_LOCUST_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

enum locust_type {
    LOCUST_UNKNOWN,          /* a type we do not handle (custom messages...) */
    LOCUST_ACK,
    LOCUST_SPAWN,
    LOCUST_STOP,
    LOCUST_QUIT,
    LOCUST_RECONNECT,
    LOCUST_HEARTBEAT,
    LOCUST_SPAWNING_COMPLETE,
    LOCUST_UPDATE_USER_CLASS,
};

/* One class's absolute user count, as the master sends it in spawn. */
struct locust_class_count {
    char *name;
    unsigned long count;
};

/* A message from the master, decoded. */
struct locust_msg {
    enum locust_type type;
    char type_name[48];      /* as received (cut), for messages */
    char *node_id;
    long ack_index;          /* ack: {"index": n}; -1 if absent */
    /* spawn */
    double timestamp;
    struct locust_class_count *classes;
    size_t nclasses;
    char *host;              /* NULL when nil */
    double stop_timeout;     /* < 0 when nil */
};

/*
 * Decode one frame. Returns 0, or -1 with *err (allocated) saying what is
 * wrong with it (not msgpack, not an array of three, wrong types, a spawn
 * without its counts...). Unknown types decode as LOCUST_UNKNOWN.
 */
int locust_decode(const void *buf, size_t len, struct locust_msg *m, char **err);
void locust_msg_free(struct locust_msg *m);

/* An encoded message (allocated). */
struct locust_out {
    char *data;
    size_t len;
};

void locust_out_free(struct locust_out *o);

/* ["client_ready", -1, id]: -1 skips the master's version check. */
void locust_encode_client_ready(struct locust_out *o, const char *node_id);

/* [type, nil, id]: spawning, client_stopped, quit. */
void locust_encode_nil(struct locust_out *o, const char *type, const char *node_id);

/* ["heartbeat", {"state", "current_cpu_usage", "current_memory_usage"}, id]. */
void locust_encode_heartbeat(struct locust_out *o, const char *node_id, const char *state,
                             double cpu_percent, uint64_t rss_bytes);

/* Users per class as counted by the worker (names are borrowed). */
struct locust_users {
    const char **names;
    const unsigned *counts;
    size_t n;
};

/* ["spawning_complete", {"user_classes_count", "user_count"}, id]. */
void locust_encode_spawning_complete(struct locust_out *o, const char *node_id,
                                     const struct locust_users *u);

/* ["exception", {"msg", "traceback"}, id]: shown by the master, counted in its exit code. */
void locust_encode_exception(struct locust_out *o, const char *node_id, const char *msg,
                             const char *traceback);

/*
 * The statistics reporter: remembers the model as last reported, so each
 * report carries what happened since (requests, failures, response-time
 * histogram keyed by Locust-rounded ms, per-second counts, errors).
 */
struct locust_reporter {
    struct stats prev;       /* the model at the last report */
    bool have_prev;
    double interval_start;   /* unix time the current interval began */
    /* what the reports carried so far (for messages and tests) */
    uint64_t sent_requests, sent_failures;
    uint64_t last_requests;  /* in the last report */
    double last_interval;    /* seconds covered by the last report */
};

void locust_reporter_init(struct locust_reporter *r);
void locust_reporter_free(struct locust_reporter *r);

/* Take `now` (a copy of the model) as the baseline: nothing before it is ever reported. */
void locust_reporter_baseline(struct locust_reporter *r, struct stats *now, double wall);

/*
 * ["stats", report, id]: what `now` (a copy of the model, which the
 * reporter reads but does not keep) holds beyond the previous report; the
 * reporter then takes `now` as its baseline. A model reset since the last
 * report (a new test) is noticed by its epoch: everything in `now` is new.
 */
void locust_encode_stats(struct locust_out *o, const char *node_id, struct locust_reporter *r,
                         struct stats *now, const struct locust_users *u, double wall);

/* "host_0123...": the host name, '_' and 32 random hex digits, into buf. */
void locust_node_id(char *buf, size_t size);

#endif
