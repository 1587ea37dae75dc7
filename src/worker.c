/*
 * worker.c: a worker thread. Its libev loop drives a few libcurl multi
 * handles through curl_multi_socket_action (an ev_io per socket, one
 * ev_timer per multi handle for libcurl's timeout) and runs the users
 * living on it. Users are spread over multi handles of WORKER_GROUP_USERS
 * at most, because libcurl scans a multi handle's connection pool for
 * every transfer: small pools keep that cost flat as users grow.
 *
 * A user is a small state machine: run its class's on_start requests once,
 * then pick a task (by weight, or the next in file order), send its
 * request, record the result, wait, repeat; when stopped gracefully, run
 * the on_stop requests before leaving. Users and their easy handles are
 * pooled and reused; the per-request path takes no lock and logs nothing,
 * and its buffers (expanded templates, a body kept for checks) grow to the
 * largest request once and are reused. Statistics go into the worker's own delta, merged into
 * the shared model once a second and whenever the worker runs out of users
 * after a stop.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>

#include "aws.h"
#include "awscreds.h"
#include "arrivals.h"
#include "http.h"
#include "log.h"
#include "rng.h"
#include "stats.h"
#include "util.h"
#include "worker.h"

#define FLUSH_INTERVAL 1.0

enum user_state {
    USER_FREE,               /* in the pool */
    USER_WAITING,            /* between tasks */
    USER_READY,              /* its next request goes out before the loop waits again */
    USER_IN_FLIGHT,          /* a request is with libcurl */
    USER_IDLE,               /* open model: in the worker's free pool, waiting for an arrival */
};

/* Which requests a user is sending. */
enum user_stage {
    STAGE_START,             /* the class's on_start tasks, in order */
    STAGE_MAIN,              /* the tasks, by weight or in order */
    STAGE_STOP,              /* the on_stop tasks, then the user leaves */
};

/* A socket libcurl asked the worker to watch. */
struct sock {
    ev_io io;                /* first: on_sock gets the sock from its ev_io; io.data is the group */
    bool conn;               /* a connection socket, opened and not yet closed by our callbacks */
    bool lingering;          /* libcurl let it go (idle) since the loop last waited; its
                                watcher stops before the loop waits unless it is taken again */
    int port;                /* its local port, once known (0 before) */
};

/* One libcurl multi handle and the users whose handles it drives. */
struct multi_group {
    struct worker *w;
    CURLM *multi;
    ev_timer timer;          /* libcurl's timeout */
    unsigned nusers;
    size_t maxconnects;      /* libcurl's connection pool size */
    bool kick;               /* handles were added: run libcurl's timeouts now */
};

struct user {
    struct worker *w;
    struct multi_group *g;
    unsigned cls;
    const struct user_class *uc;
    enum user_state state;
    enum user_stage stage;
    size_t step;             /* next on_start/on_stop task; next task when sequential */
    bool stop_after_request; /* stop once the request in flight finishes */
    const struct task *task;
    struct buf *vars;        /* captured variables, by the template library's index */
    size_t nvars;
    double last_start;       /* when the current task started (pacing) */
    bool has_arrival;        /* open model: an arrival is assigned, due at `arrival` */
    double arrival;          /* its intended start (ev_time's clock) */
    double late;             /* open model: seconds from the intended start to the send; < 0: closed */
    ev_timer wait_timer;
    struct http_conn conn;
    struct user *next_free;
};

struct command {
    enum worker_cmd cmd;
    unsigned cls, count, generation;
    double rate, ramp, phase, at; /* WORKER_RATE */
    enum arrivals_kind kind;
};

struct worker {
    void (*notify)(void *arg);
    void *notify_arg;
    const struct settings *settings;
    const struct scenario *sc;
    struct stats *stats;
    unsigned index;
    pthread_t thread;
    bool started;

    struct ev_loop *loop;
    ev_async wake;
    ev_prepare prepare;      /* sends the ready users' requests, all together */
    ev_check woke;           /* first thing after the loop wakes: note the time */
    double woke_at;          /* time_mono() when the loop last woke */
    double sock_began;       /* time_mono() when on_sock began with the socket at hand; 0 outside */
    ev_periodic flush_timer;  /* at every whole second of the wall clock (capacity.c relies on it) */
    struct multi_group **groups; /* never shrinks; a user keeps its group while alive */
    size_t ngroups;
    struct sock **socks;     /* by file descriptor, allocated once per fd number */
    size_t nsocks;
    int *port_fd;            /* connection socket + 1 by local port; 0 none, -1 ambiguous */
    int *lingering;          /* sockets gone idle this loop iteration (socket_cb) */
    size_t nlingering, lingering_cap;

    pthread_mutex_t lock;    /* guards the command queue */
    struct command *queue;
    size_t nqueue, queue_cap;

    struct user **users;     /* alive, in spawn order */
    size_t nusers, users_cap;
    struct user *free_users;
    struct user **ready;     /* users whose next request is due now */
    size_t nready, ready_cap;

    bool stopping;           /* a STOP_ALL is being carried out */
    unsigned stop_generation;
    atomic_uint alive;
    unsigned in_flight;      /* requests on the wire (this thread's count) */
    atomic_uint in_flight_seen; /* its copy for other threads: a plain store, no read-modify-write */
    atomic_uint stopped_generation;

    struct stats_delta delta;
    uint64_t rng[4];

    /* the open model (arrivals.c): set by WORKER_RATE, cleared by a stop */
    bool open;
    struct arrivals arr;
    ev_timer arrival_timer;
    struct user **idle;      /* free users, the last one parked on top */
    size_t nidle, idle_cap;
    unsigned *class_users;   /* users alive per class */
};

/* ---- random numbers (xoshiro256**, seeded per worker) ---- */

/* Next 64 random bits. */
static inline uint64_t
rng_next(struct worker *w)
{
    return rng64(w->rng);
}

/* Uniform in [0, 1). */
static inline double
rng_unit(struct worker *w)
{
    return (double)(rng_next(w) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n). */
static inline unsigned
rng_below(struct worker *w, unsigned n)
{
    return (unsigned)(((rng_next(w) >> 32) * (uint64_t)n) >> 32);
}

/* ---- libcurl glue ---- */

static void drain_finished(struct multi_group *g);

/* A socket is ready: tell libcurl. */
static void
on_sock(struct ev_loop *loop, ev_io *io, int revents)
{
    struct sock *sk = (struct sock *)io;
    struct multi_group *g = io->data;
    int flags = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
                (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
    int running;

    (void)loop;
    if (sk->lingering)
        return;              /* an idle connection libcurl no longer watches */
    g->w->sock_began = time_mono();
    curl_multi_socket_action(g->multi, io->fd, flags, &running);
    drain_finished(g);
    g->w->sock_began = 0;
}

/* The loop woke up (before any other callback runs): note when. */
static void
on_woke(struct ev_loop *loop, ev_check *c, int revents)
{
    struct worker *w = c->data;

    (void)loop;
    (void)revents;
    w->woke_at = time_mono();
}

/* libcurl's timeout expired. */
static void
on_curl_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct multi_group *g = t->data;
    int running;

    (void)loop;
    (void)revents;
    curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain_finished(g);
}

/* The worker's record for file descriptor fd, made on first use. */
static struct sock *
sock_get(struct worker *w, int fd)
{
    struct sock *sk;

    if ((size_t)fd >= w->nsocks) {
        size_t n = w->nsocks ? w->nsocks : 256;

        while (n <= (size_t)fd)
            n *= 2;
        w->socks = xrealloc(w->socks, n * sizeof(*w->socks));
        memset(w->socks + w->nsocks, 0, (n - w->nsocks) * sizeof(*w->socks));
        w->nsocks = n;
    }
    sk = w->socks[fd];
    if (sk == NULL) {
        sk = xcalloc(1, sizeof(*sk));
        ev_init(&sk->io, on_sock);
        w->socks[fd] = sk;
    }
    return sk;
}

/* Note a connection socket's local port, once, for http.c's check before reuse. */
static void
sock_learn_port(struct worker *w, struct sock *sk, int fd)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    int port = 0;

    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return;
    if (sa.ss_family == AF_INET)
        port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
    else if (sa.ss_family == AF_INET6)
        port = ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
    if (port <= 0 || port > 65535)
        return;
    if (w->port_fd == NULL)
        w->port_fd = xcalloc(65536, sizeof(*w->port_fd));
    sk->port = port;
    /* one local port may serve connections to two hosts: then it says nothing */
    w->port_fd[port] = w->port_fd[port] == 0 || w->port_fd[port] == fd + 1 ? fd + 1 : -1;
}

/* http.c asks: the socket of the connection with this local port, or -1. */
static int
sock_of_port(void *ctx, long port)
{
    struct worker *w = ctx;

    if (w->port_fd == NULL || port <= 0 || port > 65535 || w->port_fd[port] <= 0)
        return -1;
    return w->port_fd[port] - 1;
}

/* Forget a connection socket's local port. */
static void
sock_forget_port(struct worker *w, struct sock *sk, int fd)
{
    if (sk->port != 0 && w->port_fd != NULL && w->port_fd[sk->port] == fd + 1)
        w->port_fd[sk->port] = 0;
    sk->port = 0;
}

/*
 * CURLMOPT_SOCKETFUNCTION: watch, re-watch or forget a socket.
 *
 * A connection going idle (CURL_POLL_REMOVE when its transfer ends) is
 * usually taken again by the next request before the loop waits: its
 * watcher is left running until then (sock_stop_lingering), so that the
 * pair costs no epoll_ctl. Only connection sockets opened and closed
 * through cicada's own callbacks get this; any other socket libcurl hands
 * over (a resolver's) is stopped at once, as its number may be reused
 * without cicada hearing of the close.
 */
static int
socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct multi_group *g = userp;
    struct worker *w = g->w;
    struct sock *sk;
    int events = 0;

    (void)easy;
    (void)socketp;
    if (fd < 0)
        return 0;
    sk = sock_get(w, fd);
    if (what == CURL_POLL_REMOVE) {
        if (!ev_is_active(&sk->io) || sk->lingering)
            return 0;
        if (!sk->conn) {
            ev_io_stop(w->loop, &sk->io);
            return 0;
        }
        sk->lingering = true;
        if (w->nlingering == w->lingering_cap) {
            w->lingering_cap = w->lingering_cap ? 2 * w->lingering_cap : 64;
            w->lingering = xrealloc(w->lingering, w->lingering_cap * sizeof(*w->lingering));
        }
        w->lingering[w->nlingering++] = fd;
        return 0;
    }
    if (sk->conn && sk->port == 0)
        sock_learn_port(w, sk, fd);
    if (what & CURL_POLL_IN)
        events |= EV_READ;
    if (what & CURL_POLL_OUT)
        events |= EV_WRITE;
    sk->io.data = g;         /* a file descriptor number may move between groups */
    if (ev_is_active(&sk->io)) {
        if (sk->conn && (sk->io.events & (EV_READ | EV_WRITE)) == events) {
            sk->lingering = false;
            return 0;
        }
        ev_io_stop(w->loop, &sk->io);
    }
    sk->lingering = false;
    ev_io_set(&sk->io, fd, events);
    ev_io_start(w->loop, &sk->io);
    return 0;
}

/* Stop the watchers of connections that went idle and were not taken again. */
static void
sock_stop_lingering(struct worker *w)
{
    size_t i;

    for (i = 0; i < w->nlingering; i++) {
        struct sock *sk = w->socks[w->lingering[i]];

        if (sk->lingering) {
            sk->lingering = false;
            ev_io_stop(w->loop, &sk->io);
        }
    }
    w->nlingering = 0;
}

/* CURLOPT_OPENSOCKETFUNCTION: open a connection's socket, and know it is one. */
static curl_socket_t
open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct worker *w = clientp;
    curl_socket_t fd;

    (void)purpose;
    fd = socket(addr->family, addr->socktype, addr->protocol);
    if (fd >= 0) {
        struct sock *sk = sock_get(w, fd);

        if (ev_is_active(&sk->io))
            ev_io_stop(w->loop, &sk->io);   /* a closed socket's watcher, never told */
        sk->lingering = false;
        sk->conn = true;
        sk->port = 0;
    }
    return fd;
}

/* CURLOPT_CLOSESOCKETFUNCTION: a connection closes; its watcher goes first. */
static int
close_socket_cb(void *clientp, curl_socket_t fd)
{
    struct worker *w = clientp;

    if (fd >= 0 && (size_t)fd < w->nsocks && w->socks[fd] != NULL) {
        struct sock *sk = w->socks[fd];

        if (ev_is_active(&sk->io))
            ev_io_stop(w->loop, &sk->io);
        sock_forget_port(w, sk, fd);
        sk->lingering = false;
        sk->conn = false;
    }
    return close(fd);
}

/* CURLMOPT_TIMERFUNCTION: (re)arm or cancel the group's timer. */
static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct multi_group *g = userp;

    (void)multi;
    ev_timer_stop(g->w->loop, &g->timer);
    if (timeout_ms >= 0) {
        ev_timer_set(&g->timer, (double)timeout_ms / 1000.0, 0.);
        ev_timer_start(g->w->loop, &g->timer);
    }
    return 0;
}

/* A new multi handle for the worker. */
static struct multi_group *
group_new(struct worker *w)
{
    struct multi_group *g = xcalloc(1, sizeof(*g));

    g->w = w;
    ev_timer_init(&g->timer, on_curl_timer, 0., 0.);
    g->timer.data = g;
    g->multi = curl_multi_init();
    if (g->multi == NULL)
        fatal("curl_multi_init failed");
    curl_multi_setopt(g->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(g->multi, CURLMOPT_SOCKETDATA, g);
    curl_multi_setopt(g->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(g->multi, CURLMOPT_TIMERDATA, g);
    w->groups = xrealloc(w->groups, (w->ngroups + 1) * sizeof(*w->groups));
    w->groups[w->ngroups++] = g;
    return g;
}

/* The group a new user joins: the first with room, or a new one. */
static struct multi_group *
group_pick(struct worker *w)
{
    struct multi_group *g = NULL;
    size_t i;

    for (i = 0; i < w->ngroups; i++) {
        if (w->groups[i]->nusers < WORKER_GROUP_USERS) {
            g = w->groups[i];
            break;
        }
    }
    if (g == NULL)
        g = group_new(w);
    g->nusers++;
    if (g->nusers > g->maxconnects) {
        /* keep one pooled connection per user, as Locust's users each keep theirs */
        g->maxconnects = g->nusers + g->nusers / 4 + 8;
        curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long)g->maxconnects);
    }
    return g;
}

/* ---- users ---- */

static void user_next(struct user *u);
static void user_refused(struct user *u);
static void user_record(struct user *u, struct http_result *r, bool refused);
static void report_stop_if_done(struct worker *w);
static void idle_remove(struct user *u);
static void user_park(struct user *u);
static void user_make_ready(struct user *u);

/*
 * A request on the wire is abandoned (a stop that does not wait, or waited
 * long enough): the server may have received it, so it is counted, as a
 * failure saying so.
 */
static void
user_abandoned(struct user *u)
{
    struct worker *w = u->w;
    const struct task *t = u->task;
    struct http_result res;
    double now = ev_now(w->loop);
    double took = now - u->last_start;
    char *reason;

    memset(&res, 0, sizeof(res));
    res.failed = true;
    res.kind = HTTP_ERR_ABANDONED;
    res.total_us = took > 0 ? (uint64_t)(took * 1e6) : 0;
    stats_delta_record(&w->delta, t->entry, res.total_us, 0, u->conn.body_bytes, true, now);
    reason = stats_delta_error(&w->delta, t->entry, res.kind, 0, 0, now);
    if (reason != NULL)
        http_describe(&res, &u->conn, w->settings, t, reason, STATS_REASON_MAX);
}

/*
 * Count requests going on or off the wire. Only this thread changes the
 * count; other threads read the copy (the runner names it when a worker
 * does not answer a stop), so a request costs a plain store, not an atomic
 * read-modify-write.
 */
static void
in_flight_add(struct worker *w, bool on)
{
    if (on)
        w->in_flight++;
    else
        w->in_flight--;
    atomic_store_explicit(&w->in_flight_seen, w->in_flight, memory_order_relaxed);
}

/* Forget a user: stop its timer, return it to the pool. */
static void
user_release(struct user *u)
{
    struct worker *w = u->w;
    size_t i;

    if (u->state == USER_WAITING)
        ev_timer_stop(w->loop, &u->wait_timer);
    if (u->state == USER_IDLE)
        idle_remove(u);
    if (w->class_users != NULL && w->class_users[u->cls] > 0)
        w->class_users[u->cls]--;
    /* a USER_READY user stays in w->ready, which skips users no longer ready */
    if (u->state == USER_IN_FLIGHT) {
        curl_multi_remove_handle(u->g->multi, u->conn.easy);
        in_flight_add(w, false);
        if (u->conn.sends > 0)
            user_abandoned(u);
    }
    u->g->nusers--;
    u->g = NULL;
    for (i = w->nusers; i-- > 0;) {
        if (w->users[i] == u) {
            memmove(&w->users[i], &w->users[i + 1], (w->nusers - i - 1) * sizeof(*w->users));
            w->nusers--;
            break;
        }
    }
    u->state = USER_FREE;
    u->has_arrival = false;
    u->stop_after_request = false;
    u->next_free = w->free_users;
    w->free_users = u;
    atomic_store(&w->alive, (unsigned)w->nusers);
}

/* The wait after a task, by the class's wait function (Locust's semantics). */
static double
user_wait_time(struct user *u, double now)
{
    const struct wait_spec *ws = &u->uc->wait;
    double pace;

    switch (ws->kind) {
    case WAIT_CONSTANT:
        return ws->a;
    case WAIT_BETWEEN:
        return ws->a + rng_unit(u->w) * (ws->b - ws->a);
    case WAIT_PACING:
        pace = ws->a;
        break;
    case WAIT_THROUGHPUT:
        pace = 1.0 / ws->a;
        break;
    default:
        return 0;
    }
    pace -= now - u->last_start;
    return pace > 0 ? pace : 0;
}

/* The wait is over. */
static void
on_wait_done(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct user *u = t->data;

    (void)loop;
    (void)revents;
    user_next(u);
}

/* The next task of the main stage: by weight, or the next in file order. */
static const struct task *
pick_task(struct user *u)
{
    const struct user_class *uc = u->uc;
    unsigned pick;
    size_t n;

    if (uc->sequential) {
        /* the next task with a weight, in file order (total_weight > 0: one exists) */
        for (n = 0; n < uc->ntasks; n++) {
            const struct task *t = &uc->tasks[u->step++ % uc->ntasks];

            if (t->phase == PHASE_TASK && t->weight > 0)
                return t;
        }
    }
    pick = rng_below(u->w, uc->total_weight);
    return scenario_pick_task(uc, pick);
}

/* Pick the next task and send its request (a user in STAGE_STOP with none left leaves). */
static void
user_next(struct user *u)
{
    struct worker *w = u->w;
    const struct user_class *uc = u->uc;
    struct tmpl_rt rt = { w->rng, u->vars };

    if (u->state == USER_IDLE)
        idle_remove(u);
    /* AWS credentials past their expiry and not yet fetched again: sign nothing, wait */
    if (aws_active() && !awscreds_usable(ev_now(w->loop))) {
        u->state = USER_WAITING;
        ev_timer_set(&u->wait_timer, 0.2, 0.);
        ev_timer_start(w->loop, &u->wait_timer);
        return;
    }
    if (u->stage == STAGE_START && u->step >= uc->n_on_start) {
        u->stage = STAGE_MAIN;
        u->step = 0;
    }
    if (u->stage == STAGE_START) {
        u->task = &uc->tasks[uc->on_start[u->step++]];
    } else if (u->stage == STAGE_STOP) {
        if (u->step >= uc->n_on_stop) {
            user_release(u);
            report_stop_if_done(w);
            return;
        }
        u->task = &uc->tasks[uc->on_stop[u->step++]];
    } else {
        if (w->open && !u->has_arrival) {
            user_park(u);
            return;
        }
        u->task = pick_task(u);
    }
    u->late = -1;
    if (u->has_arrival) {
        double late = ev_time() - u->arrival;

        u->has_arrival = false;
        u->late = late > 0 ? late : 0;
    }
    u->last_start = ev_now(w->loop);
    if (!http_conn_set_task(&u->conn, u->task, &rt)) {
        user_refused(u);
        return;
    }
    u->state = USER_IN_FLIGHT;
    in_flight_add(w, true);
    curl_multi_add_handle(u->g->multi, u->conn.easy);
    u->g->kick = true;
}

/*
 * Before the loop waits: send the requests of the users that finished a
 * task without a wait. Adding them here rather than from inside libcurl's
 * callbacks sends them in one burst once every ready socket was read,
 * which costs less than a send between every two reads (the target's
 * process is woken once per burst rather than once per request).
 */
static void
on_prepare(struct ev_loop *loop, ev_prepare *p, int revents)
{
    struct worker *w = p->data;
    size_t i;
    int running;

    (void)loop;
    (void)revents;
    do {
        size_t n = w->nready;

        for (i = 0; i < n; i++) {
            struct user *u = w->ready[i];

            if (u->state == USER_READY)
                user_next(u);
        }
        /* users made ready meanwhile (by the kicks below) move up to the front */
        if (w->nready > n)
            memmove(w->ready, w->ready + n, (w->nready - n) * sizeof(*w->ready));
        w->nready -= n;
        for (i = 0; i < w->ngroups; i++) {
            struct multi_group *g = w->groups[i];

            if (g->kick) {
                g->kick = false;
                curl_multi_socket_action(g->multi, CURL_SOCKET_TIMEOUT, 0, &running);
                drain_finished(g);
            }
        }
    } while (w->nready > 0);
    sock_stop_lingering(w);
}

/*
 * A response read from a socket the loop woke up for was there when it woke:
 * the time the worker then spent on other sockets before this one is its
 * own backlog, not the server's. Take it off the response time, so that a
 * busy generator does not report its own queue as latency (wrk, which
 * times a response when it gets round to it, does; at 64 users on one core
 * that is half of what it reports). What stays in: everything up to the
 * wake-up and this socket's own reading and parsing. The one case timed
 * early is a response whose last bytes arrived after the wake-up and before
 * the read, and then by less than the backlog (microseconds to a fraction
 * of a millisecond under full load). Transfers that end from a timer or
 * while requests are being sent are left as libcurl timed them.
 */
static void
discount_loop_backlog(const struct worker *w, struct http_result *res)
{
    uint64_t backlog;

    if (w->sock_began == 0 || w->woke_at == 0 || w->sock_began <= w->woke_at)
        return;
    backlog = (uint64_t)((w->sock_began - w->woke_at) * 1e6);
    if (res->total_us <= backlog)
        return;
    res->total_us -= backlog;
    if (res->ttfb_us > res->total_us)
        res->ttfb_us = res->total_us;
}

/* A request finished: record it, then wait or stop. */
static void
user_done(struct user *u, CURLcode rc)
{
    struct worker *w = u->w;
    const struct task *t = u->task;
    struct http_result res;

    curl_multi_remove_handle(u->g->multi, u->conn.easy);
    if (http_conn_again(&u->conn, rc)) {
        /* not sent (a dead kept connection), or a safe request that died unanswered on one */
        curl_multi_add_handle(u->g->multi, u->conn.easy);
        u->g->kick = true;
        return;
    }
    in_flight_add(w, false);
    u->state = USER_WAITING;
    http_result_read(&u->conn, t, rc, &res);
    discount_loop_backlog(w, &res);
    http_inspect(&u->conn, t, &res, u->vars);
    user_record(u, &res, false);
}

/*
 * A request whose templates would put a CR, LF or NUL into a header or the
 * URL: not sent, counted as a failure saying why.
 */
static void
user_refused(struct user *u)
{
    struct http_result res;

    memset(&res, 0, sizeof(res));
    res.failed = true;
    res.kind = HTTP_ERR_UNSAFE;
    res.code = u->conn.unsafe;
    u->state = USER_WAITING;
    user_record(u, &res, true);
}

/* Record a finished (or refused) request, then wait or stop. */
static void
user_record(struct user *u, struct http_result *r, bool refused)
{
    struct worker *w = u->w;
    const struct task *t = u->task;
    struct http_result res = *r;
    double now = ev_now(w->loop);
    double wait;

    if (u->late >= 0) {
        /* open model: timed from the arrival's intended start; the time from the send kept too */
        if (!refused)
            stats_delta_send_time(&w->delta, res.total_us);
        res.total_us += (uint64_t)(u->late * 1e6);
        u->late = -1;
    }
    stats_delta_record(&w->delta, t->entry, res.total_us, res.ttfb_us, res.bytes, res.failed,
                       now);
    if (res.resends > 0)
        stats_delta_resent(&w->delta, t->entry, res.resends);
    if (res.failed && res.throttled)
        stats_delta_throttled(&w->delta, t->entry);
    if (res.failed) {
        char *reason = stats_delta_error(&w->delta, t->entry, res.kind, res.code, res.detail, now);

        if (reason != NULL)
            if (http_describe(&res, &u->conn, w->settings, t, reason, STATS_REASON_MAX))
                stats_delta_group(reason);
    }
    if (u->stop_after_request) {
        u->stop_after_request = false;
        if (u->stage != STAGE_STOP && u->uc->n_on_stop > 0) {
            u->stage = STAGE_STOP;
            u->step = 0;
        } else if (u->stage != STAGE_STOP) {
            user_release(u);
            report_stop_if_done(w);
            return;
        }
    }
    /* on_start and on_stop requests follow each other without a wait */
    if (u->stage != STAGE_MAIN && !refused) {
        user_next(u);
        return;
    }
    if (w->open) {
        user_park(u);        /* no wait: the next arrival brings the next task */
        return;
    }
    wait = u->stage == STAGE_MAIN ? user_wait_time(u, now) : 0;
    if (wait <= 0 && refused) {
        /* not on the ready list: on_prepare would send (and refuse) it again at once */
        ev_timer_set(&u->wait_timer, 0., 0.);
        ev_timer_start(w->loop, &u->wait_timer);
    } else if (wait <= 0) {
        if (w->nready == w->ready_cap) {
            w->ready_cap = w->ready_cap ? w->ready_cap * 2 : 64;
            w->ready = xrealloc(w->ready, w->ready_cap * sizeof(*w->ready));
        }
        w->ready[w->nready++] = u;
        u->state = USER_READY;
    } else {
        ev_timer_set(&u->wait_timer, wait, 0.);
        ev_timer_start(w->loop, &u->wait_timer);
    }
}

/* Drain libcurl's finished transfers: each one ends its user's request. */
static void
drain_finished(struct multi_group *g)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(g->multi, &left)) != NULL) {
        struct user *u = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&u);
        user_done(u, msg->data.result);
    }
}

/* Take a user from the pool (or make one) for class cls and start it. */
static void
user_spawn(struct worker *w, unsigned cls)
{
    struct user *u = w->free_users;

    if (u != NULL) {
        w->free_users = u->next_free;
    } else {
        u = xcalloc(1, sizeof(*u));
        u->w = w;
        http_conn_init(&u->conn, w->settings, u);
        u->conn.sock_of_port = sock_of_port;
        u->conn.sock_ctx = w;
        curl_easy_setopt(u->conn.easy, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
        curl_easy_setopt(u->conn.easy, CURLOPT_OPENSOCKETDATA, w);
        curl_easy_setopt(u->conn.easy, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
        curl_easy_setopt(u->conn.easy, CURLOPT_CLOSESOCKETDATA, w);
        ev_timer_init(&u->wait_timer, on_wait_done, 0., 0.);
        u->wait_timer.data = u;
    }
    u->cls = cls;
    u->uc = &w->sc->classes[cls];
    u->has_arrival = false;
    u->late = -1;
    if (w->class_users != NULL)
        w->class_users[cls]++;
    u->stop_after_request = false;
    u->stage = STAGE_START;
    u->step = 0;
    if (u->nvars < tmpl_lib_nvars(w->sc->lib)) {
        size_t i, n = tmpl_lib_nvars(w->sc->lib);

        u->vars = xrealloc(u->vars, n * sizeof(*u->vars));
        for (i = u->nvars; i < n; i++)
            buf_init(&u->vars[i]);
        u->nvars = n;
    }
    for (size_t i = 0; i < u->nvars; i++)
        u->vars[i].len = 0;      /* a new user has captured nothing */
    if (w->nusers == w->users_cap) {
        w->users_cap = w->users_cap ? w->users_cap * 2 : 64;
        w->users = xrealloc(w->users, w->users_cap * sizeof(*w->users));
    }
    w->users[w->nusers++] = u;
    atomic_store(&w->alive, (unsigned)w->nusers);
    u->g = group_pick(w);
    user_next(u);
}

/*
 * Stop a user: gracefully, after its request in flight and its on_stop
 * requests; otherwise now, abandoning them.
 */
static void
user_stop(struct user *u, bool graceful)
{
    if (!graceful) {
        user_release(u);
    } else if (u->stage == STAGE_STOP) {
        /* already running its on_stop requests */
    } else if (u->state == USER_IN_FLIGHT) {
        u->stop_after_request = true;
    } else if (u->uc->n_on_stop > 0) {
        ev_timer_stop(u->w->loop, &u->wait_timer);
        u->has_arrival = false;
        u->stage = STAGE_STOP;
        u->step = 0;
        user_next(u);
    } else {
        user_release(u);
    }
}

/* If a stop is under way and no user is left, merge and tell the runner. */
static void
report_stop_if_done(struct worker *w)
{
    if (!w->stopping || w->nusers > 0)
        return;
    w->stopping = false;
    stats_merge(w->stats, &w->delta);
    atomic_store(&w->stopped_generation, w->stop_generation);
    w->notify(w->notify_arg);
}

/* ---- the open model: arrivals handed to free users ---- */

/* Open model: the user waits in the free pool for an arrival. */
static void
user_park(struct user *u)
{
    struct worker *w = u->w;

    if (w->nidle == w->idle_cap) {
        w->idle_cap = w->idle_cap ? w->idle_cap * 2 : 64;
        w->idle = xrealloc(w->idle, w->idle_cap * sizeof(*w->idle));
    }
    w->idle[w->nidle++] = u;
    u->state = USER_IDLE;
}

/* Take the user out of the free pool. */
static void
idle_remove(struct user *u)
{
    struct worker *w = u->w;
    size_t i;

    for (i = w->nidle; i-- > 0;) {
        if (w->idle[i] == u) {
            memmove(&w->idle[i], &w->idle[i + 1], (w->nidle - i - 1) * sizeof(*w->idle));
            w->nidle--;
            break;
        }
    }
    u->state = USER_WAITING;
}

/* Its next request goes out from on_prepare, with the other ready users'. */
static void
user_make_ready(struct user *u)
{
    struct worker *w = u->w;

    if (w->nready == w->ready_cap) {
        w->ready_cap = w->ready_cap ? w->ready_cap * 2 : 64;
        w->ready = xrealloc(w->ready, w->ready_cap * sizeof(*w->ready));
    }
    w->ready[w->nready++] = u;
    u->state = USER_READY;
}

/*
 * A free user for an arrival, or NULL: its class is drawn in proportion to
 * the users of each class on this worker (the runner dispatched them by
 * weight and fixed count); a class with no free user now gives way to the
 * last user parked of any class. The last parked goes first: its
 * connection is the warmest.
 */
static struct user *
idle_take(struct worker *w)
{
    struct user *u;
    size_t i;

    if (w->nidle == 0)
        return NULL;
    u = w->idle[w->nidle - 1];
    if (w->sc->nclasses > 1 && w->nusers > 0) {
        unsigned pick = rng_below(w, (unsigned)w->nusers), cls = 0;

        while (cls + 1 < w->sc->nclasses && pick >= w->class_users[cls])
            pick -= w->class_users[cls++];
        for (i = w->nidle; i-- > 0;) {
            if (w->idle[i]->cls == cls) {
                u = w->idle[i];
                break;
            }
        }
    }
    idle_remove(u);
    return u;
}

/* (Re)arm the arrival timer for the next arrival due. */
static void
arrival_schedule(struct worker *w)
{
    double after;

    ev_timer_stop(w->loop, &w->arrival_timer);
    if (!w->open || w->arr.due == INFINITY)
        return;
    after = w->arr.due - ev_now(w->loop);
    ev_timer_set(&w->arrival_timer, after > 0 ? after : 0., 0.);
    ev_timer_start(w->loop, &w->arrival_timer);
}

/*
 * Arrivals are due: each goes to a free user, due at its scheduled time
 * (its latency counts from then); one with no free user is dropped, and
 * counted. A loop that fell behind hands out every arrival due at once.
 */
static void
on_arrival(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct worker *w = t->data;
    double now = ev_time();
    uint64_t dropped = 0;
    unsigned n = 0;

    (void)loop;
    (void)revents;
    while (w->open && w->arr.due <= now && n++ < 100000) {
        struct user *u = idle_take(w);

        if (u == NULL) {
            dropped++;
        } else {
            u->has_arrival = true;
            u->arrival = w->arr.due;
            user_make_ready(u);
        }
        arrivals_advance(&w->arr, w->rng);
    }
    if (dropped > 0)
        stats_delta_dropped(&w->delta, dropped);
    arrival_schedule(w);
}

/* WORKER_RATE: from the runner's time, ramp to the command's rate (the first one makes the worker open). */
static void
open_set_rate(struct worker *w, const struct command *c)
{
    if (!w->open) {
        w->open = true;
        arrivals_init(&w->arr, c->kind);
    }
    arrivals_set(&w->arr, c->at, c->rate, c->ramp, c->phase, w->rng);
    arrival_schedule(w);
}

/* A stop: no more arrivals. */
static void
open_end(struct worker *w)
{
    w->open = false;
    arrivals_init(&w->arr, ARRIVALS_UNIFORM);
    ev_timer_stop(w->loop, &w->arrival_timer);
}

/* Carry out one command. */
static void
run_command(struct worker *w, const struct command *c)
{
    bool graceful = w->settings->stop_timeout != 0;
    unsigned n;
    size_t i;

    switch (c->cmd) {
    case WORKER_SPAWN:
        w->stopping = false;
        for (n = 0; n < c->count; n++)
            user_spawn(w, c->cls);
        break;
    case WORKER_REMOVE:
        n = 0;
        for (i = w->nusers; i-- > 0 && n < c->count;) {
            struct user *u = w->users[i];

            if (u->cls != c->cls || u->stop_after_request || u->stage == STAGE_STOP)
                continue;
            n++;
            user_stop(u, graceful);
            if (i > w->nusers)
                i = w->nusers;
        }
        break;
    case WORKER_RATE:
        open_set_rate(w, c);
        break;
    case WORKER_STOP_ALL:
    case WORKER_KILL_ALL:
    case WORKER_QUIT:
        open_end(w);
        w->stopping = true;
        w->stop_generation = c->generation;
        for (i = w->nusers; i-- > 0;) {
            if (i >= w->nusers)
                continue;
            user_stop(w->users[i], c->cmd == WORKER_STOP_ALL && graceful);
        }
        report_stop_if_done(w);
        if (c->cmd == WORKER_QUIT) {
            stats_merge(w->stats, &w->delta);
            ev_break(w->loop, EVBREAK_ALL);
        }
        break;
    }
}

/* Commands arrived. */
static void
on_wake(struct ev_loop *loop, ev_async *a, int revents)
{
    struct worker *w = a->data;
    struct command *batch;
    size_t n, i;

    (void)loop;
    (void)revents;
    pthread_mutex_lock(&w->lock);
    batch = w->queue;
    n = w->nqueue;
    w->queue = NULL;
    w->nqueue = 0;
    w->queue_cap = 0;
    pthread_mutex_unlock(&w->lock);
    for (i = 0; i < n; i++)
        run_command(w, &batch[i]);
    free(batch);
    /* requests added by the commands go out from on_prepare, before the loop waits */
}

/*
 * Once a second, at the whole second of the wall clock on every worker:
 * hand the statistics over; finish a stop.
 */
static void
on_flush(struct ev_loop *loop, ev_periodic *t, int revents)
{
    struct worker *w = t->data;

    (void)loop;
    (void)revents;
    stats_merge(w->stats, &w->delta);
    report_stop_if_done(w);
}

/* The thread's body. */
static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    sigset_t set;

    /* signals belong to the main thread */
    sigfillset(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    ev_run(w->loop, 0);
    return NULL;
}

struct worker *
worker_new(const struct worker_context *ctx, unsigned index)
{
    struct worker *w = xcalloc(1, sizeof(*w));
    uint64_t seed = (uint64_t)(time_wall() * 1e6) ^ ((uint64_t)index << 48) ^ (uint64_t)(uintptr_t)w;

    w->notify = ctx->notify;
    w->notify_arg = ctx->notify_arg;
    w->settings = ctx->settings;
    w->sc = ctx->scenario;
    w->stats = ctx->stats;
    w->index = index;
    rng_seed(w->rng, seed);
    pthread_mutex_init(&w->lock, NULL);
    stats_delta_init(&w->delta);
    stats_delta_reserve(&w->delta, w->stats->nentries);
    stats_delta_bind(&w->delta, w->stats);

    w->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    if (w->loop == NULL)
        fatal("ev_loop_new failed");
    ev_async_init(&w->wake, on_wake);
    w->wake.data = w;
    ev_async_start(w->loop, &w->wake);
    ev_prepare_init(&w->prepare, on_prepare);
    ev_check_init(&w->woke, on_woke);
    ev_set_priority(&w->woke, EV_MAXPRI);
    w->woke.data = w;
    ev_check_start(w->loop, &w->woke);
    w->prepare.data = w;
    ev_prepare_start(w->loop, &w->prepare);
    arrivals_init(&w->arr, ARRIVALS_UNIFORM);
    ev_timer_init(&w->arrival_timer, on_arrival, 0., 0.);
    w->arrival_timer.data = w;
    w->class_users = xcalloc(w->sc->nclasses ? w->sc->nclasses : 1, sizeof(*w->class_users));
    ev_periodic_init(&w->flush_timer, on_flush, 0., FLUSH_INTERVAL, NULL);
    w->flush_timer.data = w;
    ev_periodic_start(w->loop, &w->flush_timer);
    return w;
}

void
worker_start(struct worker *w)
{
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
        fatal("cannot start a worker thread");
    w->started = true;
}

/* Queue a command and wake the worker. */
static void
queue_command(struct worker *w, const struct command *c)
{
    pthread_mutex_lock(&w->lock);
    if (w->nqueue == w->queue_cap) {
        w->queue_cap = w->queue_cap ? w->queue_cap * 2 : 16;
        w->queue = xrealloc(w->queue, w->queue_cap * sizeof(*w->queue));
    }
    w->queue[w->nqueue++] = *c;
    pthread_mutex_unlock(&w->lock);
    ev_async_send(w->loop, &w->wake);
}

void
worker_send(struct worker *w, enum worker_cmd cmd, unsigned cls, unsigned count,
            unsigned generation)
{
    struct command c;

    memset(&c, 0, sizeof(c));
    c.cmd = cmd;
    c.cls = cls;
    c.count = count;
    c.generation = generation;
    queue_command(w, &c);
}

void
worker_set_rate(struct worker *w, double at, double rate, double ramp, enum arrivals_kind kind,
                double phase)
{
    struct command c;

    memset(&c, 0, sizeof(c));
    c.cmd = WORKER_RATE;
    c.rate = rate;
    c.ramp = ramp;
    c.kind = kind;
    c.phase = phase;
    c.at = at;
    queue_command(w, &c);
}

double
worker_cpu_seconds(const struct worker *w)
{
    clockid_t clock;
    struct timespec ts;

    if (!w->started || pthread_getcpuclockid(w->thread, &clock) != 0 ||
        clock_gettime(clock, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned
worker_users(const struct worker *w)
{
    return atomic_load(&((struct worker *)w)->alive);
}

unsigned
worker_in_flight(const struct worker *w)
{
    return atomic_load_explicit(&((struct worker *)w)->in_flight_seen, memory_order_relaxed);
}

unsigned
worker_stopped_generation(const struct worker *w)
{
    return atomic_load(&((struct worker *)w)->stopped_generation);
}

void
worker_free(struct worker *w)
{
    struct user *u;
    size_t i;

    if (w->started) {
        worker_send(w, WORKER_QUIT, 0, 0, 0);
        pthread_join(w->thread, NULL);
    }
    while ((u = w->free_users) != NULL) {
        w->free_users = u->next_free;
        http_conn_free(&u->conn);
        for (i = 0; i < u->nvars; i++)
            buf_free(&u->vars[i]);
        free(u->vars);
        free(u);
    }
    free(w->users);
    free(w->ready);
    free(w->idle);
    free(w->class_users);
    for (i = 0; i < w->ngroups; i++) {
        curl_multi_cleanup(w->groups[i]->multi);
        free(w->groups[i]);
    }
    free(w->groups);
    for (i = 0; i < w->nsocks; i++) {
        if (w->socks[i] != NULL && ev_is_active(&w->socks[i]->io))
            ev_io_stop(w->loop, &w->socks[i]->io);
        free(w->socks[i]);
    }
    free(w->socks);
    free(w->port_fd);
    free(w->lingering);
    ev_loop_destroy(w->loop);
    stats_delta_free(&w->delta);
    pthread_mutex_destroy(&w->lock);
    free(w->queue);
    free(w);
}
