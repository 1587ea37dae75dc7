/*
 * target.c: the HTTP server the integration tests run cicada against. It
 * counts every request it receives (per "METHOD /path" too), can delay
 * responses, answer chosen statuses and sizes, echo bodies, hand out login
 * tokens, and record each request as one JSON line; GET /__stats and
 * POST /__reset (not counted) let a test read and zero the counters.
 * A known capacity: --slots N --service MS serves N requests at a time,
 * each for MS milliseconds, with --queue Q more waiting in line (503 beyond
 * it): N / MS * 1000 answers a second at most. A stall: --stall-every P
 * --stall-for S holds every answer due in the first S ms of each P ms
 * (from the start) until that window ends.
 * Requests in flight are counted per "METHOD /path" too (with a delay and
 * no wait, that is the number of users running each task), and --trace
 * writes the number in flight ten times a second.
 *
 * Invariants: one thread, one ev_loop; in_flight counts counted requests
 * received and not yet answered, and every delayed answer is on the
 * delayed list until its timer fires (or the program stops); the only
 * state outside struct target is what libev keeps for the signal watchers.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <ev.h>

#include "httpd.h"
#include "util.h"

#define MAX_PATH_KEYS 100000          /* distinct "METHOD /path" keys kept */
#define MAX_BYTES (256UL * 1024 * 1024)   /* largest /bytes/<n> */
#define OTHER_KEY "(other)"

/* One "METHOD /path" counter in the open-addressing table. */
struct path_count {
    char *key;
    uint64_t count;
    unsigned in_flight, max_in_flight;
};

struct path_table {
    struct path_count *slots;
    size_t cap;                       /* a power of two */
    size_t len;
};

/* An answer waiting for its delay. */
struct delayed {
    ev_timer timer;
    struct target *t;
    struct httpd_req *req;
    int status;
    const char *ctype;
    const char *body;                 /* owned, or the request's own body */
    size_t len;
    char *owned;
    int slot;                         /* served in a slot (--slots): free it when answered */
    struct delayed *prev, *next;
};

/* A request waiting in line for a slot (--slots). */
struct waiting {
    struct httpd_req *req;
    struct waiting *next;
};

struct target {
    struct ev_loop *loop;
    struct httpd *srv;
    double delay_ms;
    int status;
    FILE *record;
    int record_dirty;
    FILE *trace;
    ev_timer trace_timer;
    ev_timer flush_timer;
    ev_signal sigint, sigterm;
    uint64_t requests;
    uint64_t logins;
    unsigned in_flight, max_in_flight;
    struct path_table paths;
    struct buf key;                   /* scratch for "METHOD /path" */
    struct delayed *delayed;
    unsigned slots, busy, queue_max, queued;
    double service_ms;
    struct waiting *line, *line_tail;
    uint64_t rejected;
    double stall_every_ms, stall_for_ms, started;
};

/* FNV-1a hash of a string. */
static uint64_t
hash_str(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

/* The slot for key: where it is, or the empty slot where it would go. */
static struct path_count *
paths_slot(struct path_table *pt, const char *key)
{
    size_t i = (size_t)hash_str(key) & (pt->cap - 1);

    while (pt->slots[i].key != NULL && strcmp(pt->slots[i].key, key) != 0)
        i = (i + 1) & (pt->cap - 1);
    return &pt->slots[i];
}

/* Double the table's size and rehash. */
static void
paths_grow(struct path_table *pt)
{
    struct path_count *old = pt->slots;
    size_t oldcap = pt->cap, i;

    pt->cap = oldcap ? oldcap * 2 : 64;
    pt->slots = xcalloc(pt->cap, sizeof(*pt->slots));
    for (i = 0; i < oldcap; i++)
        if (old[i].key != NULL)
            *paths_slot(pt, old[i].key) = old[i];
    free(old);
}

/* Count one request under key (or under OTHER_KEY once the table is full); its slot. */
static struct path_count *
paths_add(struct path_table *pt, const char *key)
{
    struct path_count *slot;

    if (pt->cap == 0 || (pt->len + 1) * 10 > pt->cap * 7)
        paths_grow(pt);
    slot = paths_slot(pt, key);
    if (slot->key == NULL) {
        if (pt->len >= MAX_PATH_KEYS && strcmp(key, OTHER_KEY) != 0)
            return paths_add(pt, OTHER_KEY);
        slot->key = xstrdup(key);
        pt->len++;
    }
    slot->count++;
    return slot;
}

/* Zero the counts; what is in flight stays in flight. */
static void
paths_zero(struct path_table *pt)
{
    size_t i;

    for (i = 0; i < pt->cap; i++) {
        pt->slots[i].count = 0;
        pt->slots[i].max_in_flight = pt->slots[i].in_flight;
    }
}

/* Forget every key. */
static void
paths_clear(struct path_table *pt)
{
    size_t i;

    for (i = 0; i < pt->cap; i++)
        free(pt->slots[i].key);
    free(pt->slots);
    pt->slots = NULL;
    pt->cap = pt->len = 0;
}

/* Length of the path part of a request target (before '?' or '#'). */
static size_t
path_len(const char *target)
{
    return strcspn(target, "?#");
}

/* Whether the target's path equals path. */
static int
path_is(const char *target, const char *path)
{
    size_t n = strlen(path);

    return path_len(target) == n && strncmp(target, path, n) == 0;
}

/* If the target's path is prefix + argument, the argument (NUL-terminated copy in out). */
static int
path_arg(const char *target, const char *prefix, char *out, size_t outlen)
{
    size_t n = strlen(prefix), len = path_len(target);

    if (len <= n || strncmp(target, prefix, n) != 0 || len - n >= outlen)
        return 0;
    memcpy(out, target + n, len - n);
    out[len - n] = '\0';
    return 1;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    unsigned lo = 0x80, hi = 0xbf;

    if (s[0] >= 0x01 && s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    /* no overlong forms, no surrogates, nothing above U+10FFFF */
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/* Append len bytes at s to b as valid UTF-8: NUL and invalid bytes become U+FFFD. */
static void
append_utf8(struct buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    buf_reserve(b, len);
    while (i < len) {
        size_t n = utf8_seq(p + i, len - i);

        if (n == 0) {
            buf_append(b, "\xef\xbf\xbd", 3);
            i++;
        } else {
            buf_append(b, p + i, n);
            i += n;
        }
    }
    b->data[b->len] = '\0';     /* buf_reserve left room for it */
}

/* A JSON string of len bytes at s, made valid UTF-8. */
static cJSON *
json_text(const char *s, size_t len)
{
    struct buf b;
    cJSON *item;

    buf_init(&b);
    append_utf8(&b, s, len);
    item = cJSON_CreateString(b.data != NULL ? b.data : "");
    buf_free(&b);
    return item;
}

/* Append one JSON line describing req to the record file. */
static void
target_record(struct target *t, const struct httpd_req *req)
{
    cJSON *line = cJSON_CreateObject(), *headers = cJSON_CreateObject();
    char *text;
    int i;

    cJSON_AddNumberToObject(line, "time", time_wall());
    cJSON_AddStringToObject(line, "method", req->method);
    cJSON_AddItemToObject(line, "target", json_text(req->target, strlen(req->target)));
    cJSON_AddNumberToObject(line, "conn", (double)req->conn_id);
    for (i = 0; i < req->nheaders; i++)
        cJSON_AddItemToObject(headers, req->headers[i].name,
                              json_text(req->headers[i].value, strlen(req->headers[i].value)));
    cJSON_AddItemToObject(line, "headers", headers);
    cJSON_AddItemToObject(line, "body", json_text(req->body, req->body_len));
    cJSON_AddNumberToObject(line, "body_len", (double)req->body_len);
    text = cJSON_PrintUnformatted(line);
    if (text != NULL) {
        fputs(text, t->record);
        fputc('\n', t->record);
        t->record_dirty = 1;
        cJSON_free(text);
    }
    cJSON_Delete(line);
}

/* Flush the record file if anything was written since the last flush. */
static void
target_flush(struct target *t)
{
    if (t->record != NULL && t->record_dirty) {
        fflush(t->record);
        t->record_dirty = 0;
    }
}

/* Periodic timer: flush the record and trace files. */
static void
on_flush(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct target *t = w->data;

    target_flush(t);
    if (t->trace != NULL)
        fflush(t->trace);
}

/* Every 0.1 s with --trace: "time in_flight connections". */
static void
on_trace(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct target *t = w->data;

    fprintf(t->trace, "%.3f %u %u\n", time_wall(), t->in_flight, httpd_connections(t->srv));
}

/* A counted request is answered: update in_flight, its path's too, and free its key. */
static void
target_release(struct target *t, struct httpd_req *req)
{
    if (req->user != NULL) {
        struct path_count *slot = t->paths.cap ? paths_slot(&t->paths, req->user) : NULL;

        if (slot != NULL && slot->key != NULL && slot->in_flight > 0)
            slot->in_flight--;
        free(req->user);
        req->user = NULL;
    }
    t->in_flight--;
}

/* Send a counted request's answer and update in_flight. */
static void
target_answer(struct target *t, struct httpd_req *req, int status, const char *ctype,
              const char *body, size_t len)
{
    target_release(t, req);
    httpd_respond(t->srv, req, status, NULL, ctype, body, len);
}

static void serve_in_slot(struct target *t, struct httpd_req *req);

/* --stall-every/--stall-for: ms to hold an answer due now (0 outside a stall). */
static double
stall_hold_ms(const struct target *t)
{
    double phase;

    if (t->stall_every_ms <= 0 || t->stall_for_ms <= 0)
        return 0;
    phase = fmod((time_wall() - t->started) * 1000.0, t->stall_every_ms);
    return phase < t->stall_for_ms ? t->stall_for_ms - phase : 0;
}

/* Timer: a delayed answer is due. */
static void
on_delayed(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct delayed *dl = w->data;
    struct target *t = dl->t;

    if (dl->prev != NULL)
        dl->prev->next = dl->next;
    else
        t->delayed = dl->next;
    if (dl->next != NULL)
        dl->next->prev = dl->prev;
    target_answer(t, dl->req, dl->status, dl->ctype, dl->body, dl->len);
    free(dl->owned);
    if (dl->slot) {
        t->busy--;
        if (t->line != NULL) {
            struct waiting *wt = t->line;

            t->line = wt->next;
            if (t->line == NULL)
                t->line_tail = NULL;
            t->queued--;
            serve_in_slot(t, wt->req);
            free(wt);
        }
    }
    free(dl);
}

/* Answer now, or after delay_ms (owned is freed once sent). */
static void
target_reply(struct target *t, struct httpd_req *req, double delay_ms, int status,
             const char *ctype, const char *body, size_t len, char *owned)
{
    struct delayed *dl;
    double hold = stall_hold_ms(t);

    if (hold > delay_ms)
        delay_ms = hold;
    if (delay_ms <= 0.0) {
        target_answer(t, req, status, ctype, body, len);
        free(owned);
        return;
    }
    dl = xcalloc(1, sizeof(*dl));
    dl->t = t;
    dl->req = req;
    dl->status = status;
    dl->ctype = ctype;
    dl->body = body;
    dl->len = len;
    dl->owned = owned;
    dl->next = t->delayed;
    if (t->delayed != NULL)
        t->delayed->prev = dl;
    t->delayed = dl;
    /* measure the delay from now, not from the start of this loop iteration */
    ev_now_update(t->loop);
    ev_timer_init(&dl->timer, on_delayed, delay_ms / 1000.0, 0.0);
    dl->timer.data = dl;
    ev_timer_start(t->loop, &dl->timer);
}

/* Serve a request in a free slot for the service time (--slots). */
static void
serve_in_slot(struct target *t, struct httpd_req *req)
{
    static const char ok[] = "{\"ok\":true}";

    t->busy++;
    target_reply(t, req, t->service_ms, t->status, "application/json", ok, sizeof(ok) - 1, NULL);
    /* the newest delayed answer is this one */
    t->delayed->slot = 1;
}

/* --slots: serve now, wait in line, or answer 503 when the line is full. */
static void
slot_admit(struct target *t, struct httpd_req *req)
{
    static const char busy[] = "{\"error\":\"busy\"}";
    struct waiting *wt;

    if (t->busy < t->slots) {
        serve_in_slot(t, req);
        return;
    }
    if (t->queued >= t->queue_max) {
        t->rejected++;
        target_answer(t, req, 503, "application/json", busy, sizeof(busy) - 1);
        return;
    }
    wt = xcalloc(1, sizeof(*wt));
    wt->req = req;
    if (t->line_tail != NULL)
        t->line_tail->next = wt;
    else
        t->line = wt;
    t->line_tail = wt;
    t->queued++;
}

/* A counted request: count, record and answer by path. */
static void
target_counted(struct target *t, struct httpd_req *req)
{
    static const char ok[] = "{\"ok\":true}";
    const char *json = "application/json";
    double delay = t->delay_ms;
    int status = t->status;
    char arg[64], *end, *owned;
    size_t plen = path_len(req->target);

    t->requests++;
    t->in_flight++;
    if (t->in_flight > t->max_in_flight)
        t->max_in_flight = t->in_flight;
    t->key.len = 0;
    buf_puts(&t->key, req->method);
    buf_append(&t->key, " ", 1);
    append_utf8(&t->key, req->target, plen);
    {
        struct path_count *slot = paths_add(&t->paths, t->key.data);

        if (++slot->in_flight > slot->max_in_flight)
            slot->max_in_flight = slot->in_flight;
        req->user = xstrdup(slot->key);
    }
    if (t->record != NULL)
        target_record(t, req);

    if (t->slots > 0) {
        slot_admit(t, req);
    } else if (path_arg(req->target, "/delay/", arg, sizeof(arg))) {
        double ms = strtod(arg, &end);

        if (*end != '\0' || !(ms >= 0.0) || ms > 3600e3) {
            target_answer(t, req, 400, json, "{\"error\":\"bad delay\"}", 21);
            return;
        }
        target_reply(t, req, ms, status, json, ok, sizeof(ok) - 1, NULL);
    } else if (path_arg(req->target, "/status/", arg, sizeof(arg))) {
        long code = strtol(arg, &end, 10);

        if (*end != '\0' || code < 200 || code > 599) {
            target_answer(t, req, 400, json, "{\"error\":\"bad status\"}", 22);
            return;
        }
        owned = xasprintf("{\"status\":%ld}", code);
        target_reply(t, req, delay, (int)code, json, owned, strlen(owned), owned);
    } else if (path_arg(req->target, "/bytes/", arg, sizeof(arg))) {
        unsigned long n = strtoul(arg, &end, 10);

        if (*end != '\0' || arg[0] == '-' || n > MAX_BYTES) {
            target_answer(t, req, 400, json, "{\"error\":\"bad size\"}", 20);
            return;
        }
        owned = xmalloc(n);
        memset(owned, 'x', n);
        target_reply(t, req, delay, status, "application/octet-stream", owned, n, owned);
    } else if (path_is(req->target, "/echo")) {
        const char *ctype = httpd_header(req, "Content-Type");

        /* the request, and so its body, stays valid until it is answered */
        target_reply(t, req, delay, status, ctype ? ctype : "application/octet-stream",
                     req->body, req->body_len, NULL);
    } else if (path_is(req->target, "/redirect")) {
        target_release(t, req);    /* LeakSanitizer: the path key was never freed here */
        httpd_respond(t->srv, req, 302, "Location: /landed\r\n", json, ok, sizeof(ok) - 1);
    } else if (path_is(req->target, "/login")) {
        /* a distinct token per login, in the body, and a matching session header */
        char extra[64];

        owned = xasprintf("{\"token\":\"tok-%llu\"}", (unsigned long long)++t->logins);
        snprintf(extra, sizeof(extra), "X-Session: sess-%llu\r\n",
                 (unsigned long long)t->logins);
        target_release(t, req);
        httpd_respond(t->srv, req, status, extra, json, owned, strlen(owned));
        free(owned);
    } else {
        target_reply(t, req, delay, status, json, ok, sizeof(ok) - 1, NULL);
    }
}

/* GET /__stats: the counters as JSON. */
static void
target_stats(struct target *t, struct httpd_req *req)
{
    cJSON *root = cJSON_CreateObject(), *by_path = cJSON_CreateObject();
    cJSON *now_by_path = cJSON_CreateObject(), *max_by_path = cJSON_CreateObject();
    unsigned long total;
    unsigned peak;
    char *text;
    size_t i;

    httpd_conn_counts(t->srv, &total, &peak, 0);
    cJSON_AddNumberToObject(root, "requests", (double)t->requests);
    for (i = 0; i < t->paths.cap; i++) {
        const struct path_count *pc = &t->paths.slots[i];

        if (pc->key == NULL)
            continue;
        if (pc->count > 0)
            cJSON_AddNumberToObject(by_path, pc->key, (double)pc->count);
        if (pc->in_flight > 0)
            cJSON_AddNumberToObject(now_by_path, pc->key, pc->in_flight);
        if (pc->max_in_flight > 0)
            cJSON_AddNumberToObject(max_by_path, pc->key, pc->max_in_flight);
    }
    cJSON_AddItemToObject(root, "by_path", by_path);
    cJSON_AddItemToObject(root, "in_flight_by_path", now_by_path);
    cJSON_AddItemToObject(root, "max_in_flight_by_path", max_by_path);
    cJSON_AddNumberToObject(root, "in_flight", t->in_flight);
    cJSON_AddNumberToObject(root, "rejected", (double)t->rejected);
    cJSON_AddNumberToObject(root, "started", t->started);
    cJSON_AddNumberToObject(root, "max_in_flight", t->max_in_flight);
    cJSON_AddNumberToObject(root, "connections", httpd_connections(t->srv));
    cJSON_AddNumberToObject(root, "max_connections", peak);
    cJSON_AddNumberToObject(root, "connections_total", (double)total);
    text = cJSON_PrintUnformatted(root);
    httpd_respond(t->srv, req, 200, NULL, "application/json", text, strlen(text));
    cJSON_free(text);
    cJSON_Delete(root);
}

/* POST /__reset: zero the counters. */
static void
target_reset(struct target *t)
{
    t->requests = 0;
    t->rejected = 0;
    t->logins = 0;
    t->max_in_flight = t->in_flight;
    paths_zero(&t->paths);
    httpd_conn_counts(t->srv, NULL, NULL, 1);
}

/* Control endpoints under /__: not counted. */
static void
target_control(struct target *t, struct httpd_req *req)
{
    static const char ok[] = "{\"ok\":true}";
    static const char missing[] = "{\"error\":\"no such control endpoint\"}";
    static const char method[] = "{\"error\":\"method not allowed\"}";

    target_flush(t);
    if (path_is(req->target, "/__stats")) {
        if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
            httpd_respond(t->srv, req, 405, "Allow: GET\r\n", "application/json",
                          method, sizeof(method) - 1);
            return;
        }
        target_stats(t, req);
    } else if (path_is(req->target, "/__reset")) {
        if (strcmp(req->method, "POST") != 0) {
            httpd_respond(t->srv, req, 405, "Allow: POST\r\n", "application/json",
                          method, sizeof(method) - 1);
            return;
        }
        target_reset(t);
        httpd_respond(t->srv, req, 200, NULL, "application/json", ok, sizeof(ok) - 1);
    } else {
        httpd_respond(t->srv, req, 404, NULL, "application/json", missing, sizeof(missing) - 1);
    }
}

/* Every request. */
static void
target_handle(struct httpd *srv, struct httpd_req *req, void *arg)
{
    struct target *t = arg;

    if (strncmp(req->target, "/__", 3) == 0)
        target_control(t, req);
    else
        target_counted(t, req);
}

/* SIGINT or SIGTERM: end the loop. */
static void
on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    ev_break(loop, EVBREAK_ALL);
}

/* Write the port to path atomically (path.tmp, then rename); 0 or -1. */
static int
write_port_file(const char *path, int port)
{
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = -1;

    if (f != NULL) {
        int bad = fprintf(f, "%d\n", port) < 0;

        if (fclose(f) == 0 && !bad && rename(tmp, path) == 0)
            rc = 0;
    }
    if (rc < 0) {
        fprintf(stderr, "target: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* Raise the open file limit to its maximum, for thousands of connections. */
static void
raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Print the usage text to f. */
static void
usage(FILE *f)
{
    fputs("usage: target [options]\n"
          "A test HTTP server that counts and records the requests it receives.\n"
          "\n"
          "  --listen ADDR      address to listen on (default 127.0.0.1; ::1 for IPv6)\n"
          "  --port N           port (default 0: a free port)\n"
          "  --port-file FILE   write the bound port to FILE once listening\n"
          "  --delay MS         delay every counted response by MS milliseconds\n"
          "  --record FILE      append one JSON line per counted request to FILE\n"
          "  --status N         status of counted responses (default 200)\n"
          "  --trace FILE       every 0.1 s append \"time in_flight connections\" to FILE\n"
          "  --slots N          a known capacity: serve N counted requests at a time...\n"
          "  --service MS       ...each for MS milliseconds (default 10)...\n"
          "  --queue Q          ...with Q more waiting in line, 503 beyond (default 64)\n"
          "  --stall-every MS   hold every answer due in the first --stall-for MS of\n"
          "  --stall-for MS     each --stall-every MS (from the start) until that ends\n"
          "  --help             show this help\n"
          "\n"
          "Paths (counted): /delay/<ms>  /status/<code>  /bytes/<n>  /echo\n"
          "                 /login (token tok-N in JSON, header X-Session: sess-N)\n"
          "                 /redirect (302 to /landed)\n"
          "                 anything else: 200 {\"ok\":true}\n"
          "Control (not counted): GET /__stats (with in_flight_by_path and\n"
          "max_in_flight_by_path), POST /__reset\n", f);
}

/* Parse a number option in [lo, hi]; exits with status 2 if bad. */
static double
number_arg(const char *name, const char *value, double lo, double hi)
{
    char *end;
    double v = strtod(value, &end);

    if (end == value || *end != '\0' || !(v >= lo && v <= hi)) {
        fprintf(stderr, "target: bad value \"%s\" for --%s\n", value, name);
        exit(2);
    }
    return v;
}

/* Parse the options, listen and serve until SIGINT or SIGTERM. */
int
main(int argc, char **argv)
{
    static const struct option options[] = {
        { "listen", required_argument, NULL, 'l' },
        { "port", required_argument, NULL, 'p' },
        { "port-file", required_argument, NULL, 'f' },
        { "delay", required_argument, NULL, 'd' },
        { "record", required_argument, NULL, 'r' },
        { "status", required_argument, NULL, 's' },
        { "trace", required_argument, NULL, 't' },
        { "slots", required_argument, NULL, 'S' },
        { "service", required_argument, NULL, 'V' },
        { "queue", required_argument, NULL, 'Q' },
        { "stall-every", required_argument, NULL, 'E' },
        { "stall-for", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct target t;
    const char *listen_addr = "127.0.0.1", *port_file = NULL, *record = NULL, *trace = NULL;
    char *err = NULL;
    int port = 0, opt;

    memset(&t, 0, sizeof(t));
    t.status = 200;
    t.service_ms = 10;
    t.queue_max = 64;
    t.started = time_wall();
    buf_init(&t.key);
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'l': listen_addr = optarg; break;
        case 'p': port = (int)number_arg("port", optarg, 0, 65535); break;
        case 'f': port_file = optarg; break;
        case 'd': t.delay_ms = number_arg("delay", optarg, 0, 3600e3); break;
        case 'r': record = optarg; break;
        case 's': t.status = (int)number_arg("status", optarg, 200, 599); break;
        case 't': trace = optarg; break;
        case 'S': t.slots = (unsigned)number_arg("slots", optarg, 1, 100000); break;
        case 'V': t.service_ms = number_arg("service", optarg, 0.1, 60e3); break;
        case 'Q': t.queue_max = (unsigned)number_arg("queue", optarg, 0, 1000000); break;
        case 'E': t.stall_every_ms = number_arg("stall-every", optarg, 1, 3600e3); break;
        case 'F': t.stall_for_ms = number_arg("stall-for", optarg, 0, 3600e3); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "target: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (record != NULL) {
        t.record = fopen(record, "a");
        if (t.record == NULL) {
            fprintf(stderr, "target: cannot open %s: %s\n", record, strerror(errno));
            return 1;
        }
        setvbuf(t.record, NULL, _IOFBF, 1 << 16);
    }
    if (trace != NULL && (t.trace = fopen(trace, "a")) == NULL) {
        fprintf(stderr, "target: cannot open %s: %s\n", trace, strerror(errno));
        return 1;
    }
    t.loop = EV_DEFAULT;
    t.srv = httpd_new(t.loop, listen_addr, port, target_handle, &t, &err);
    if (t.srv == NULL) {
        fprintf(stderr, "target: %s\n", err);
        free(err);
        return 1;
    }
    if (port_file != NULL && write_port_file(port_file, httpd_port(t.srv)) < 0)
        return 1;
    ev_signal_init(&t.sigint, on_signal, SIGINT);
    ev_signal_init(&t.sigterm, on_signal, SIGTERM);
    ev_signal_start(t.loop, &t.sigint);
    ev_signal_start(t.loop, &t.sigterm);
    ev_timer_init(&t.flush_timer, on_flush, 0.2, 0.2);
    t.flush_timer.data = &t;
    ev_timer_start(t.loop, &t.flush_timer);
    ev_timer_init(&t.trace_timer, on_trace, 0.1, 0.1);
    t.trace_timer.data = &t;
    if (t.trace != NULL)
        ev_timer_start(t.loop, &t.trace_timer);

    ev_run(t.loop, 0);

    while (t.line != NULL) {
        struct waiting *wt = t.line;

        t.line = wt->next;
        free(wt->req->user);
        wt->req->user = NULL;
        free(wt);
    }
    while (t.delayed != NULL) {
        struct delayed *dl = t.delayed;

        t.delayed = dl->next;
        ev_timer_stop(t.loop, &dl->timer);
        free(dl->req->user);
        dl->req->user = NULL;
        free(dl->owned);
        free(dl);
    }
    httpd_free(t.srv);
    if (t.record != NULL && fclose(t.record) != 0) {
        fprintf(stderr, "target: cannot write %s: %s\n", record, strerror(errno));
        return 1;
    }
    paths_clear(&t.paths);
    buf_free(&t.key);
    ev_timer_stop(t.loop, &t.flush_timer);
    ev_timer_stop(t.loop, &t.trace_timer);
    if (t.trace != NULL)
        fclose(t.trace);
    ev_signal_stop(t.loop, &t.sigint);
    ev_signal_stop(t.loop, &t.sigterm);
    ev_loop_destroy(t.loop);
    return 0;
}
