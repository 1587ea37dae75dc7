/*
 * demo.c: the embedded demo target declared in demo.h, a simulated
 * sentiment model with a fixed capacity, on its own thread and ev_loop.
 *
 * Invariants: everything but the counters is touched only by the demo
 * thread; the counters are written under the mutex by that thread and read
 * under it by demo_counts. A slot is busy exactly while its timer runs and
 * holds one request; a request in the FIFO ring waits for the first slot to
 * free; busy == number of busy slots and queued == ring length at all
 * times. The thread owns the loop from demo_start to demo_stop; demo_stop
 * wakes it with an ev_async, and the thread frees the server before it ends.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <ev.h>

#include "demo.h"
#include "httpd.h"
#include "util.h"

#define DEMO_MODEL "demo-sentiment-v1"

struct demo_slot {
    struct demo *d;
    ev_timer timer;
    struct httpd_req *req;           /* NULL when the slot is free */
};

struct demo {
    struct demo_conf conf;
    struct ev_loop *loop;
    struct httpd *srv;
    int port;
    ev_async stop_w;
    pthread_t thread;
    struct demo_slot *slots;
    struct httpd_req **ring;         /* FIFO of conf.queue places */
    unsigned ring_head, ring_len;
    uint64_t rng;                    /* xorshift64* state, demo thread only */
    double mu, sigma;                /* of the log-normal service time, in ms */
    pthread_mutex_t lock;
    struct demo_counts counts;
};

/* Next 64 random bits (xorshift64*). */
static uint64_t
demo_random(struct demo *d)
{
    uint64_t x = d->rng;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    d->rng = x;
    return x * UINT64_C(2685821657736338717);
}

/* A uniform double in (0, 1). */
static double
demo_uniform(struct demo *d)
{
    return ((double)(demo_random(d) >> 11) + 0.5) / 9007199254740992.0;
}

/* A service time in seconds, log-normal with the configured mean and CV. */
static double
demo_service_time(struct demo *d)
{
    double z, ms;

    if (d->sigma <= 0.0)
        return d->conf.service_ms / 1000.0;
    /* Box-Muller: one standard normal from two uniforms */
    z = sqrt(-2.0 * log(demo_uniform(d))) * cos(2.0 * M_PI * demo_uniform(d));
    ms = exp(d->mu + d->sigma * z);
    return ms / 1000.0;
}

/* Add to the counters under the lock (busy and queued take signed deltas). */
static void
demo_count(struct demo *d, int requests, int served, int rejected, int busy, int queued)
{
    pthread_mutex_lock(&d->lock);
    d->counts.requests += (uint64_t)requests;
    d->counts.served += (uint64_t)served;
    d->counts.rejected += (uint64_t)rejected;
    d->counts.busy = (unsigned)((int)d->counts.busy + busy);
    d->counts.queued = (unsigned)((int)d->counts.queued + queued);
    pthread_mutex_unlock(&d->lock);
}

/* Whether word (lower case) appears in text as a whole word, case-insensitively. */
static int
has_word(const char *text, size_t len, const char *word)
{
    size_t wl = strlen(word), i;

    for (i = 0; i + wl <= len; i++) {
        if (strncasecmp(text + i, word, wl) != 0)
            continue;
        if (i > 0 && isalpha((unsigned char)text[i - 1]))
            continue;
        if (i + wl < len && isalpha((unsigned char)text[i + wl]))
            continue;
        return 1;
    }
    return 0;
}

/* The answer of the "model": a label and score derived from the text. */
static void
demo_classify(const char *body, size_t len, char *out, size_t outlen)
{
    static const char *const positive[] = {
        "love", "loved", "great", "good", "wonderful", "excellent", "amazing", "best",
        "like", "liked", "happy", "fantastic", "awesome", "perfect", "enjoyed", "brilliant",
        "nice", "beautiful", "recommend", "fun"
    };
    static const char *const negative[] = {
        "hate", "hated", "bad", "terrible", "awful", "worst", "boring", "poor", "sad",
        "horrible", "disappointing", "disappointed", "waste", "broken", "ugly", "slow",
        "refund", "never", "not", "dull"
    };
    size_t i;
    int pos = 0, neg = 0;
    uint32_t h = 2166136261u;
    double score;
    const char *label;

    for (i = 0; i < ARRAY_LEN(positive); i++)
        pos += has_word(body, len, positive[i]);
    for (i = 0; i < ARRAY_LEN(negative); i++)
        neg += has_word(body, len, negative[i]);
    /* FNV-1a of the text: the same text always gets the same score */
    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)body[i]) * 16777619u;
    if (pos == neg) {
        label = (h & 1) ? "positive" : "negative";
        score = 0.50 + (double)(h % 20) / 100.0;
    } else {
        int margin = pos > neg ? pos - neg : neg - pos;

        label = pos > neg ? "positive" : "negative";
        score = 1.0 - 0.3 / (double)(margin + 1) - (double)(h % 5) / 100.0;
    }
    snprintf(out, outlen, "{\"label\":\"%s\",\"score\":%.2f,\"model\":\"" DEMO_MODEL "\"}",
             label, score);
}

/* Put a request into a free slot for one service time. */
static void
demo_serve(struct demo *d, struct demo_slot *s, struct httpd_req *req)
{
    s->req = req;
    /* time the service from now, not from the start of this loop iteration */
    ev_now_update(d->loop);
    ev_timer_set(&s->timer, demo_service_time(d), 0.0);
    ev_timer_start(d->loop, &s->timer);
}

/* Slot timer: the service is done; answer and take the next waiting request. */
static void
on_slot_done(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct demo_slot *s = w->data;
    struct demo *d = s->d;
    struct httpd_req *req = s->req, *next = NULL;
    char body[128];

    s->req = NULL;
    /* count first: a client that sees the answer must see it counted */
    if (d->ring_len > 0) {
        next = d->ring[d->ring_head];
        d->ring_head = (d->ring_head + 1) % d->conf.queue;
        d->ring_len--;
        demo_count(d, 0, 1, 0, 0, -1);
    } else {
        demo_count(d, 0, 1, 0, -1, 0);
    }
    demo_classify(req->body, req->body_len, body, sizeof(body));
    httpd_respond(d->srv, req, 200, NULL, "application/json", body, strlen(body));
    if (next != NULL)
        demo_serve(d, s, next);
}

/* POST /predict: a free slot, a place in the queue, or 503. */
static void
demo_predict(struct demo *d, struct httpd_req *req)
{
    static const char full[] =
        "{\"error\":\"overloaded\",\"detail\":\"all slots busy and the queue is full\"}";
    unsigned i;

    for (i = 0; i < d->conf.slots; i++) {
        if (d->slots[i].req == NULL) {
            demo_count(d, 1, 0, 0, 1, 0);
            demo_serve(d, &d->slots[i], req);
            return;
        }
    }
    if (d->ring_len < d->conf.queue) {
        d->ring[(d->ring_head + d->ring_len) % d->conf.queue] = req;
        d->ring_len++;
        demo_count(d, 1, 0, 0, 0, 1);
        return;
    }
    demo_count(d, 1, 0, 1, 0, 0);
    httpd_respond(d->srv, req, 503, "Retry-After: 1\r\n", "application/json",
                  full, sizeof(full) - 1);
}

/* Whether the request target's path is path or starts with it. */
static int
path_starts(const char *target, const char *path)
{
    return strncmp(target, path, strlen(path)) == 0;
}

/* Whether the request target's path (without the query) equals path. */
static int
path_is(const char *target, const char *path)
{
    size_t n = strlen(path);

    return strncmp(target, path, n) == 0 && (target[n] == '\0' || target[n] == '?');
}

/* Every request: route it. */
static void
demo_handle(struct httpd *srv, struct httpd_req *req, void *arg)
{
    static const char health[] = "{\"status\":\"ok\"}";
    static const char missing[] = "{\"error\":\"not found\"}";
    struct demo *d = arg;
    char *text;

    if (path_starts(req->target, "/predict")) {
        demo_predict(d, req);
        return;
    }
    demo_count(d, 1, 0, 0, 0, 0);
    if (path_is(req->target, "/health")) {
        httpd_respond(srv, req, 200, NULL, "application/json", health, sizeof(health) - 1);
    } else if (path_is(req->target, "/")) {
        text = xasprintf("cicada demo target: a simulated sentiment model (" DEMO_MODEL ")\n"
                         "POST /predict with a JSON body such as {\"text\": \"I loved it\"}\n"
                         "GET /health answers at once\n"
                         "%u service slots, mean service time %.1f ms (cv %.2f), "
                         "queue of %u places, 503 when the queue is full\n",
                         d->conf.slots, d->conf.service_ms, d->conf.service_cv, d->conf.queue);
        httpd_respond(srv, req, 200, NULL, "text/plain; charset=utf-8", text, strlen(text));
        free(text);
    } else {
        httpd_respond(srv, req, 404, NULL, "application/json", missing, sizeof(missing) - 1);
    }
}

/* Async watcher: demo_stop asks the loop to end. */
static void
on_stop(struct ev_loop *loop, ev_async *w, int revents)
{
    ev_break(loop, EVBREAK_ALL);
}

/* The demo thread: run the loop, then free the server on this thread. */
static void *
demo_thread(void *arg)
{
    struct demo *d = arg;
    unsigned i;

    ev_run(d->loop, 0);
    for (i = 0; i < d->conf.slots; i++)
        ev_timer_stop(d->loop, &d->slots[i].timer);
    ev_async_stop(d->loop, &d->stop_w);
    /* frees the requests in slots and in the queue too */
    httpd_free(d->srv);
    d->srv = NULL;
    return NULL;
}

/* Start the demo target on 127.0.0.1 on its own thread. */
struct demo *
demo_start(const struct demo_conf *conf, char **err)
{
    struct demo *d = xcalloc(1, sizeof(*d));
    sigset_t all, old;
    unsigned i;
    int rc;

    d->conf = *conf;
    if (d->conf.slots == 0)
        d->conf.slots = 1;
    if (d->conf.service_ms < 0.0)
        d->conf.service_ms = 0.0;
    if (d->conf.service_cv < 0.0)
        d->conf.service_cv = 0.0;
    if (d->conf.service_cv > 0.0 && d->conf.service_ms > 0.0) {
        d->sigma = sqrt(log(1.0 + d->conf.service_cv * d->conf.service_cv));
        d->mu = log(d->conf.service_ms) - d->sigma * d->sigma / 2.0;
    }
    d->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)(uintptr_t)d ^ UINT64_C(0x9e3779b97f4a7c15);
    if (d->rng == 0)
        d->rng = 1;
    pthread_mutex_init(&d->lock, NULL);
    d->slots = xcalloc(d->conf.slots, sizeof(*d->slots));
    d->ring = xcalloc(d->conf.queue ? d->conf.queue : 1, sizeof(*d->ring));
    d->loop = ev_loop_new(EVFLAG_AUTO);
    if (d->loop == NULL) {
        *err = xstrdup("cannot create an event loop");
        goto fail;
    }
    for (i = 0; i < d->conf.slots; i++) {
        d->slots[i].d = d;
        ev_timer_init(&d->slots[i].timer, on_slot_done, 0.0, 0.0);
        d->slots[i].timer.data = &d->slots[i];
    }
    d->srv = httpd_new(d->loop, "127.0.0.1", d->conf.port, demo_handle, d, err);
    if (d->srv == NULL)
        goto fail;
    d->port = httpd_port(d->srv);
    ev_async_init(&d->stop_w, on_stop);
    ev_async_start(d->loop, &d->stop_w);
    /* the thread takes no signals: they belong to the main loop */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&d->thread, NULL, demo_thread, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        *err = xasprintf("cannot start the demo thread: %s", strerror(rc));
        ev_async_stop(d->loop, &d->stop_w);
        httpd_free(d->srv);
        goto fail;
    }
    return d;

fail:
    if (d->loop != NULL)
        ev_loop_destroy(d->loop);
    pthread_mutex_destroy(&d->lock);
    free(d->slots);
    free(d->ring);
    free(d);
    return NULL;
}

/* The port the demo listens on. */
int
demo_port(const struct demo *d)
{
    return d->port;
}

/* A consistent copy of the counters. */
void
demo_counts(struct demo *d, struct demo_counts *out)
{
    pthread_mutex_lock(&d->lock);
    *out = d->counts;
    pthread_mutex_unlock(&d->lock);
}

/* Stop the thread, close everything and free. */
void
demo_stop(struct demo *d)
{
    if (d == NULL)
        return;
    ev_async_send(d->loop, &d->stop_w);
    pthread_join(d->thread, NULL);
    ev_loop_destroy(d->loop);
    pthread_mutex_destroy(&d->lock);
    free(d->slots);
    free(d->ring);
    free(d);
}
