/*
 * locust_worker.c: cicada as a worker of a Locust master.
 *
 * One ZeroMQ DEALER socket whose routing id is the node id (as Locust's
 * workers do), watched by libev through ZMQ_FD; a libzmq socket monitor
 * tells when the connection to the master closes (Locust 2.12 masters send
 * nothing periodically, so that is how a killed master is noticed).
 *
 * States: waiting (client_ready sent, every 5 s on a fresh socket until an
 * ack), registered (heartbeat every 1 s, statistics every 3 s; spawn sets
 * the users of each class at once through the runner), and the two ways
 * out of registered: a stop (users stop, last report, client_stopped,
 * client_ready again) and an exit (users stop, last report, quit).
 * Statistics leave only while registered, so nothing queued for a lost
 * master lands in the next one: losing the master closes the socket
 * without lingering and takes the model as it is then as the new baseline.
 *
 * The session has no screen: front ends (locust_headless.c, the dashboard)
 * start it, read locust_worker_status() and forward the stop signals.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.h>

#include "locust_proto.h"
#include "locust_worker.h"
#include "log.h"
#include "util.h"

#define LOGGER "cicada.worker"
#define HEARTBEAT_INTERVAL 1.0
#define REPORT_INTERVAL 3.0
#define RETRY_INTERVAL 5.0
#define QUIT_GRACE 0.3       /* the master waits 0.5 s for the last report after its quit */
#define REOPEN_DELAY 0.5     /* between closing a socket and opening the next with the same id */

struct locust_worker {
    struct app *app;
    void *ctx;
    void *sock;
    void *mon;
    unsigned gen;            /* sockets opened, for the monitor's name */
    char id[300];
    char endpoint[320];
    char master[300];        /* host:port, for messages */

    bool registered;         /* acked and not stopped since */
    bool ever_registered;
    bool lost;               /* a master was lost; waiting for one to take us back */
    double wait_since;       /* mono time the wait for an ack began */
    long index;
    double last_spawn_ts;
    bool master_hb_seen;
    double master_hb_last;

    bool stop_pending;       /* the master's stop: client_stopped once the users stopped */
    bool exit_pending;       /* leaving: finish once the users stopped */
    bool send_quit;          /* tell the master on the way out */
    bool quit_sent;          /* linger at close so that it leaves */
    int exit_status;
    double ready_delay;      /* master's stop_timeout: pause before client_ready */

    unsigned *want;          /* users per scenario class, from the last spawn */
    bool want_pending;       /* to apply once a stop is over */
    bool *class_named;       /* was the class in the master's last spawn */
    bool missing_warned;
    char **master_names;     /* the classes of the last spawn, the master's order */
    size_t nmaster;
    char **unknown_warned;   /* class names the scenario lacks, each warned once */
    size_t nunknown;
    const char **rep_names;
    unsigned *rep_counts;

    struct locust_reporter rep;

    /* what front ends see (locust_worker_status) */
    struct locust_worker_hooks hooks;
    bool connected;          /* the monitor saw the connection open (and not close since) */
    double last_msg;         /* mono time of the last message from the master, 0: none */
    unsigned asked;          /* users the master's last spawn asked of this worker */
    bool stopped;            /* the master stopped the test (until its next spawn) */
    bool done;               /* finish_exit ran: the loop is ending */
    ev_timer end_timer;      /* leaves the loop (also when the session ends before it runs) */
    uint64_t reports;
    uint64_t malformed;

    double cpu_wall, cpu_secs, cpu_percent;

    ev_io sock_io, mon_io;
    bool reopen_ready;       /* send client_ready once the socket is open again */
    ev_timer hb_timer, report_timer, retry_timer, ready_timer, pump_timer, quit_timer;
    ev_timer reopen_timer;
};

static void pump(struct locust_worker *w);
static void finish_exit(struct locust_worker *w);
static void begin_exit(struct locust_worker *w, int status, bool tell_master);

/* ---- the socket ---- */

static void
on_sock(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    (void)revents;
    pump(io->data);
}

static void
sock_close(struct locust_worker *w, int linger)
{
    if (w->sock == NULL)
        return;
    ev_io_stop(w->app->loop, &w->sock_io);
    ev_io_stop(w->app->loop, &w->mon_io);
    zmq_socket_monitor(w->sock, NULL, 0);
    if (w->mon != NULL) {
        int zero = 0;

        zmq_setsockopt(w->mon, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_close(w->mon);
        w->mon = NULL;
    }
    zmq_setsockopt(w->sock, ZMQ_LINGER, &linger, sizeof(linger));
    zmq_close(w->sock);
    w->sock = NULL;
    w->connected = false;
}

/* A fresh DEALER with our id, connecting to the master; false after a message. */
static bool
sock_open(struct locust_worker *w)
{
    int one = 1, idle = 30, linger = 1000, fd;
    size_t fdlen = sizeof(fd);
    char addr[64];

    sock_close(w, 0);
    w->sock = zmq_socket(w->ctx, ZMQ_DEALER);
    if (w->sock == NULL) {
        log_error(LOGGER, "cannot create a ZeroMQ socket: %s", zmq_strerror(errno));
        return false;
    }
    zmq_setsockopt(w->sock, ZMQ_ROUTING_ID, w->id, strlen(w->id));
    zmq_setsockopt(w->sock, ZMQ_LINGER, &linger, sizeof(linger));
    zmq_setsockopt(w->sock, ZMQ_TCP_KEEPALIVE, &one, sizeof(one));
    zmq_setsockopt(w->sock, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof(idle));
    if (strchr(w->endpoint, '[') != NULL)
        zmq_setsockopt(w->sock, ZMQ_IPV6, &one, sizeof(one));
    snprintf(addr, sizeof(addr), "inproc://cicada-monitor-%u", ++w->gen);
    if (zmq_socket_monitor(w->sock, addr, ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) == 0) {
        w->mon = zmq_socket(w->ctx, ZMQ_PAIR);
        if (w->mon != NULL && zmq_connect(w->mon, addr) != 0) {
            zmq_close(w->mon);
            w->mon = NULL;
        }
    }
    if (zmq_connect(w->sock, w->endpoint) != 0) {
        log_error(LOGGER, "cannot connect to %s: %s", w->endpoint, zmq_strerror(errno));
        return false;
    }
    if (zmq_getsockopt(w->sock, ZMQ_FD, &fd, &fdlen) == 0) {
        ev_io_init(&w->sock_io, on_sock, fd, EV_READ);
        w->sock_io.data = w;
        ev_io_start(w->app->loop, &w->sock_io);
    }
    fdlen = sizeof(fd);
    if (w->mon != NULL && zmq_getsockopt(w->mon, ZMQ_FD, &fd, &fdlen) == 0) {
        ev_io_init(&w->mon_io, on_sock, fd, EV_READ);
        w->mon_io.data = w;
        ev_io_start(w->app->loop, &w->mon_io);
    }
    return true;
}

/* Send one encoded message (and free it); a full queue drops it. */
static void
send_out(struct locust_worker *w, struct locust_out *o)
{
    if (w->sock != NULL && zmq_send(w->sock, o->data, o->len, ZMQ_DONTWAIT) < 0)
        log_debug(LOGGER, "could not queue a message for the master: %s", zmq_strerror(errno));
    locust_out_free(o);
}

static void
send_nil(struct locust_worker *w, const char *type)
{
    struct locust_out o;

    locust_encode_nil(&o, type, w->id);
    send_out(w, &o);
}

static void
send_ready(struct locust_worker *w)
{
    struct locust_out o;

    locust_encode_client_ready(&o, w->id);
    send_out(w, &o);
}

static void
send_exception(struct locust_worker *w, const char *msg)
{
    struct locust_out o;

    if (!w->registered)
        return;
    locust_encode_exception(&o, w->id, msg, msg);
    send_out(w, &o);
}

/* ---- users per class, as reported ---- */

/* Fill rep_names/rep_counts from the master's last spawn; returns how many. */
static size_t
users_now(struct locust_worker *w, struct locust_users *u, bool wanted)
{
    const struct scenario *sc = &w->app->scenario;
    size_t i;

    for (i = 0; i < w->nmaster; i++) {
        int c = scenario_class_index(sc, w->master_names[i]);

        w->rep_names[i] = w->master_names[i];
        if (c < 0)
            w->rep_counts[i] = 0;
        else
            w->rep_counts[i] = wanted ? w->want[c] : runner_class_users(w->app->runner, (size_t)c);
    }
    u->names = w->rep_names;
    u->counts = w->rep_counts;
    u->n = w->nmaster;
    return w->nmaster;
}

/* ---- reports ---- */

static void
send_stats(struct locust_worker *w)
{
    struct locust_out o;
    struct locust_users u;
    struct snapshot *view = snapshots_take(&w->app->snapshots);

    users_now(w, &u, false);
    locust_encode_stats(&o, w->id, &w->rep, &view->stats, &u, time_wall());
    snapshot_release(view);
    send_out(w, &o);
    w->reports++;
}

/* Forget what was not reported: nothing before now goes to any master. */
static void
rebaseline(struct locust_worker *w)
{
    struct snapshot *view = snapshots_take(&w->app->snapshots);

    locust_reporter_baseline(&w->rep, &view->stats, time_wall());
    snapshot_release(view);
}

static const char *
heartbeat_state(struct locust_worker *w)
{
    switch (runner_state(w->app->runner)) {
    case RUNNER_SPAWNING:
        return "spawning";
    case RUNNER_RUNNING:
    case RUNNER_STOPPING:
        return "running";
    default:
        return "ready";
    }
}

/* Percent of one core used since the last call, as Locust's psutil figure. */
static double
cpu_sample(struct locust_worker *w)
{
    struct rusage ru;
    double now = time_mono(), secs;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return w->cpu_percent;
    secs = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    if (w->cpu_wall > 0 && now - w->cpu_wall > 0.1)
        w->cpu_percent = 100.0 * (secs - w->cpu_secs) / (now - w->cpu_wall);
    w->cpu_wall = now;
    w->cpu_secs = secs;
    return w->cpu_percent;
}

static uint64_t
rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;

    if (f == NULL)
        return 0;
    if (fscanf(f, "%lu %lu", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* ---- states ---- */

/*
 * client_ready again every 5 s, or twice within a shorter --master-timeout:
 * each try is on a fresh socket, and a master still holding the previous
 * connection under the same id ignores the first try (libzmq's ROUTER).
 */
static double
retry_interval(const struct locust_worker *w)
{
    double t = w->app->settings.master_timeout / 2;

    return t < RETRY_INTERVAL ? t : RETRY_INTERVAL;
}

/*
 * A new socket with the same id, after a pause: libzmq's ROUTER ignores a
 * connection under an id it still holds, and closing is asynchronous, so
 * the master must see the old connection go first. Nothing is sent in
 * between (send_out skips a closed socket).
 */
static void
reopen(struct locust_worker *w, bool ready)
{
    sock_close(w, 0);
    w->reopen_ready = ready;
    ev_timer_stop(w->app->loop, &w->reopen_timer);
    ev_timer_set(&w->reopen_timer, REOPEN_DELAY, 0.);
    ev_timer_start(w->app->loop, &w->reopen_timer);
}

static void
on_reopen(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct locust_worker *w = t->data;

    (void)loop;
    (void)revents;
    if (w->exit_pending)
        return;
    if (!sock_open(w)) {
        begin_exit(w, w->ever_registered ? EXIT_MASTER_LOST : EXIT_USAGE, false);
        return;
    }
    if (w->reopen_ready && !w->registered)
        send_ready(w);
    pump(w);
}

/* Begin (or go on) waiting for an ack: a fresh socket and a client_ready. */
static void
wait_for_master(struct locust_worker *w, bool restart_clock)
{
    if (restart_clock)
        w->wait_since = time_mono();
    if (w->sock != NULL) {
        reopen(w, true);
    } else if (!sock_open(w)) {
        w->exit_status = EXIT_USAGE;
        w->exit_pending = true;
        w->send_quit = false;
        runner_stop(w->app->runner);
        finish_exit(w);
        return;
    } else {
        send_ready(w);
    }
    ev_timer_stop(w->app->loop, &w->retry_timer);
    ev_timer_set(&w->retry_timer, retry_interval(w), retry_interval(w));
    ev_timer_start(w->app->loop, &w->retry_timer);
    pump(w);
}

/* Leave: stop the users, then (finish_exit) a last report, quit, and out of the loop. */
static void
begin_exit(struct locust_worker *w, int status, bool tell_master)
{
    enum runner_state st = runner_state(w->app->runner);

    if (w->exit_pending)
        return;
    w->exit_pending = true;
    w->exit_status = status;
    w->send_quit = tell_master && w->registered;
    w->want_pending = false;
    ev_timer_stop(w->app->loop, &w->retry_timer);
    ev_timer_stop(w->app->loop, &w->ready_timer);
    if (st == RUNNER_READY || st == RUNNER_STOPPED) {
        finish_exit(w);
        return;
    }
    runner_stop(w->app->runner);
    if (w->send_quit) {
        /* the master counts only what arrives within half a second */
        ev_timer_set(&w->quit_timer, QUIT_GRACE, 0.);
        ev_timer_start(w->app->loop, &w->quit_timer);
    }
}

static void
finish_exit(struct locust_worker *w)
{
    if (w->send_quit) {
        send_stats(w);
        send_nil(w, "quit");
        w->send_quit = false;
        w->quit_sent = true;
    }
    w->registered = false;
    w->done = true;
    /* through a timer: an ev_break before the loop runs would be lost */
    ev_timer_set(&w->end_timer, 0., 0.);
    ev_timer_start(w->app->loop, &w->end_timer);
}

static void
on_end(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)t;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

/* The master is gone: stop the users and wait for one to take us back. */
static void
master_lost(struct locust_worker *w, const char *why)
{
    unsigned users = runner_user_count(w->app->runner);

    log_warning(LOGGER, "Lost the Locust master at %s (%s): stopping %u users; waiting up to "
                "%g s for a master to take this worker back (--master-timeout)",
                w->master, why, users, w->app->settings.master_timeout);
    w->registered = false;
    w->lost = true;
    w->stopped = false;
    w->asked = 0;
    w->stop_pending = false;
    w->want_pending = false;
    w->master_hb_seen = false;
    ev_timer_stop(w->app->loop, &w->ready_timer);
    runner_stop(w->app->runner);
    wait_for_master(w, true);
}

/* After the master's stop, once the users stopped. */
static void
finish_stop(struct locust_worker *w)
{
    w->stop_pending = false;
    w->stopped = true;
    send_stats(w);
    send_nil(w, "client_stopped");
    w->registered = false;
    log_info(LOGGER, "Stopped; ready for the next test");
    if (w->ready_delay > 0) {
        ev_timer_set(&w->ready_timer, w->ready_delay, 0.);
        ev_timer_start(w->app->loop, &w->ready_timer);
    } else {
        send_ready(w);
        w->wait_since = time_mono();
        ev_timer_again(w->app->loop, &w->retry_timer);
    }
}

static void
on_ready_later(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct locust_worker *w = t->data;

    (void)loop;
    (void)revents;
    if (w->exit_pending || w->registered)
        return;
    send_ready(w);
    w->wait_since = time_mono();
    ev_timer_again(w->app->loop, &w->retry_timer);
    pump(w);
}

/* ---- messages from the master ---- */

static void
on_ack(struct locust_worker *w, const struct locust_msg *m)
{
    if (w->registered || w->exit_pending) {
        log_debug(LOGGER, "another ack from the master (ignored)");
        return;
    }
    w->registered = true;
    w->index = m->ack_index;
    w->last_spawn_ts = 0;
    w->master_hb_seen = false;
    ev_timer_stop(w->app->loop, &w->retry_timer);
    rebaseline(w);
    if (!w->ever_registered)
        log_info(LOGGER, "Joined the Locust master at %s as worker index %ld (%s)", w->master,
                 w->index, w->id);
    else if (w->lost)
        log_info(LOGGER, "Rejoined a Locust master at %s as worker index %ld", w->master,
                 w->index);
    else
        log_debug(LOGGER, "registered again with the master as worker index %ld", w->index);
    w->ever_registered = true;
    w->lost = false;
    ev_timer_again(w->app->loop, &w->hb_timer);
    ev_timer_again(w->app->loop, &w->report_timer);
}

/* Has this name been warned about? Remember it if not. */
static bool
first_unknown(struct locust_worker *w, const char *name)
{
    size_t i;

    for (i = 0; i < w->nunknown; i++)
        if (strcmp(w->unknown_warned[i], name) == 0)
            return false;
    w->unknown_warned = xrealloc(w->unknown_warned, (w->nunknown + 1) * sizeof(char *));
    w->unknown_warned[w->nunknown++] = xstrdup(name);
    return true;
}

static void
apply_users(struct locust_worker *w)
{
    if (!runner_set_class_users(w->app->runner, w->want))
        w->want_pending = true;
    else
        w->want_pending = false;
}

static void
on_spawn(struct locust_worker *w, const struct locust_msg *m)
{
    struct app *app = w->app;
    const struct scenario *sc = &app->scenario;
    struct locust_out o;
    struct locust_users u;
    size_t i;

    if (!w->registered || w->exit_pending) {
        log_warning(LOGGER, "Ignoring a spawn from a master this worker is not registered with");
        return;
    }
    send_nil(w, "spawning");
    if (m->timestamp <= w->last_spawn_ts) {
        log_debug(LOGGER, "an older spawn message (ignored)");
        return;
    }
    w->last_spawn_ts = m->timestamp;
    if (m->stop_timeout >= 0) {
        app->settings.stop_timeout = m->stop_timeout;
        w->ready_delay = m->stop_timeout;
    }
    if (m->host != NULL && (app->settings.host == NULL || strcmp(m->host, app->settings.host) != 0)) {
        enum runner_state st = runner_state(app->runner);
        char *err = NULL;

        if ((st == RUNNER_READY || st == RUNNER_STOPPED) && app_change_host(app, m->host, &err) < 0) {
            log_error(LOGGER, "The master's host %s cannot be used: %s; keeping %s", m->host, err,
                      app->settings.host ? app->settings.host : "(none)");
            free(err);
        } else if (st != RUNNER_READY && st != RUNNER_STOPPED) {
            log_warning(LOGGER, "The master's host %s arrived during a test; keeping %s", m->host,
                        app->settings.host ? app->settings.host : "(none)");
        }
    }

    for (i = 0; i < w->nmaster; i++)
        free(w->master_names[i]);
    w->master_names = xrealloc(w->master_names, (m->nclasses + 1) * sizeof(char *));
    w->rep_names = xrealloc(w->rep_names, (m->nclasses + 1) * sizeof(char *));
    w->rep_counts = xrealloc(w->rep_counts, (m->nclasses + 1) * sizeof(unsigned));
    w->nmaster = m->nclasses;
    w->stopped = false;
    w->asked = 0;
    for (i = 0; i < m->nclasses; i++)
        w->asked += (unsigned)m->classes[i].count;
    memset(w->want, 0, sc->nclasses * sizeof(*w->want));
    memset(w->class_named, 0, sc->nclasses * sizeof(*w->class_named));
    for (i = 0; i < m->nclasses; i++) {
        int c = scenario_class_index(sc, m->classes[i].name);

        w->master_names[i] = xstrdup(m->classes[i].name);
        if (c >= 0) {
            w->want[c] = (unsigned)m->classes[i].count;
            w->class_named[c] = true;
        } else if (first_unknown(w, m->classes[i].name)) {
            char *msg = xasprintf("cicada worker %s: the master's user class '%s' is not in %s; "
                                  "this worker runs no user of it (generate the master's "
                                  "locustfile with: cicada --locustfile -f %s)",
                                  w->id, m->classes[i].name, sc->path, sc->path);

            log_error(LOGGER, "%s", msg);
            send_exception(w, msg);
            free(msg);
        }
    }
    if (!w->missing_warned) {
        for (i = 0; i < sc->nclasses; i++) {
            if (w->class_named[i])
                continue;
            char *msg = xasprintf("cicada worker %s: user class '%s' of %s is not in the "
                                  "master's locustfile, so the master never starts it "
                                  "(generate the master's locustfile with: cicada --locustfile "
                                  "-f %s)", w->id, sc->classes[i].name, sc->path, sc->path);

            log_error(LOGGER, "%s", msg);
            send_exception(w, msg);
            free(msg);
            w->missing_warned = true;
        }
    }
    apply_users(w);
    users_now(w, &u, true);
    locust_encode_spawning_complete(&o, w->id, &u);
    send_out(w, &o);
}

static void
on_stop(struct locust_worker *w)
{
    enum runner_state st = runner_state(w->app->runner);

    if (!w->registered || w->exit_pending || w->stop_pending)
        return;
    log_info(LOGGER, "The master stopped the test: stopping %u users",
             runner_user_count(w->app->runner));
    w->stop_pending = true;
    w->want_pending = false;
    w->asked = 0;
    if (st == RUNNER_READY || st == RUNNER_STOPPED)
        finish_stop(w);
    else
        runner_stop(w->app->runner);
}

static void
handle(struct locust_worker *w, const void *buf, size_t len)
{
    struct locust_msg m;
    char *err = NULL;

    if (locust_decode(buf, len, &m, &err) < 0) {
        w->malformed++;
        log_warning(LOGGER, "Ignoring a malformed message from the master: %s", err);
        free(err);
        return;
    }
    if (strcmp(m.node_id, w->id) != 0) {
        log_warning(LOGGER, "Ignoring a '%s' message addressed to another worker", m.type_name);
        locust_msg_free(&m);
        return;
    }
    w->last_msg = time_mono();
    switch (m.type) {
    case LOCUST_ACK:
        on_ack(w, &m);
        break;
    case LOCUST_SPAWN:
        on_spawn(w, &m);
        break;
    case LOCUST_STOP:
        on_stop(w);
        break;
    case LOCUST_QUIT:
        log_info(LOGGER, "The master quit: stopping %u users and sending the last report",
                 runner_user_count(w->app->runner));
        begin_exit(w, EXIT_OK, true);
        break;
    case LOCUST_RECONNECT:
        log_info(LOGGER, "The master asked this worker to reconnect");
        reopen(w, false);
        break;
    case LOCUST_HEARTBEAT:
        w->master_hb_seen = true;
        w->master_hb_last = time_mono();
        break;
    case LOCUST_SPAWNING_COMPLETE:
    case LOCUST_UPDATE_USER_CLASS:
        log_debug(LOGGER, "'%s' from the master (nothing to do)", m.type_name);
        break;
    case LOCUST_UNKNOWN:
        log_info(LOGGER, "Ignoring a message of type '%s' from the master (not one cicada "
                 "handles)", m.type_name);
        break;
    }
    locust_msg_free(&m);
}

/* A monitor event: the connection to the master opened or closed. */
static void
handle_event(struct locust_worker *w, const unsigned char *frame, size_t len)
{
    uint16_t event;

    if (len < 2)
        return;
    memcpy(&event, frame, sizeof(event));
    if (event == ZMQ_EVENT_CONNECTED) {
        w->connected = true;
        log_debug(LOGGER, "connected to %s", w->endpoint);
    } else if (event == ZMQ_EVENT_DISCONNECTED) {
        log_debug(LOGGER, "disconnected from %s", w->endpoint);
        w->connected = false;
        if (w->registered && !w->exit_pending)
            master_lost(w, "its connection closed");
    }
}

/* Read everything waiting on the socket and the monitor. */
static void
pump(struct locust_worker *w)
{
    static bool busy;
    zmq_msg_t msg;
    int guard = 0;

    if (busy)
        return;
    busy = true;
    while (guard++ < 10000) {
        bool any = false;
        int more;
        size_t more_len;

        if (w->mon != NULL) {
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, w->mon, ZMQ_DONTWAIT) >= 0) {
                void *mon = w->mon;

                any = true;
                more = 0;
                more_len = sizeof(more);
                zmq_getsockopt(mon, ZMQ_RCVMORE, &more, &more_len);
                /* read the address frame first: handling may replace the monitor */
                {
                    unsigned char ev[8] = { 0 };
                    size_t n = zmq_msg_size(&msg) < sizeof(ev) ? zmq_msg_size(&msg) : sizeof(ev);

                    memcpy(ev, zmq_msg_data(&msg), n);
                    while (more) {
                        zmq_msg_close(&msg);
                        zmq_msg_init(&msg);
                        if (zmq_msg_recv(&msg, mon, ZMQ_DONTWAIT) < 0)
                            break;
                        more_len = sizeof(more);
                        zmq_getsockopt(mon, ZMQ_RCVMORE, &more, &more_len);
                    }
                    zmq_msg_close(&msg);
                    handle_event(w, ev, n);
                }
            } else {
                zmq_msg_close(&msg);
            }
        }
        if (w->sock != NULL) {
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, w->sock, ZMQ_DONTWAIT) >= 0) {
                void *sock = w->sock;

                any = true;
                more = 0;
                more_len = sizeof(more);
                zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
                if (more) {
                    log_warning(LOGGER, "Ignoring a message of several frames from the master");
                    while (more) {
                        zmq_msg_close(&msg);
                        zmq_msg_init(&msg);
                        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0)
                            break;
                        more_len = sizeof(more);
                        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
                    }
                    zmq_msg_close(&msg);
                } else {
                    handle(w, zmq_msg_data(&msg), zmq_msg_size(&msg));
                    zmq_msg_close(&msg);
                }
            } else {
                zmq_msg_close(&msg);
            }
        }
        if (!any)
            break;
    }
    busy = false;
}

/* ---- timers and signals ---- */

static void
on_heartbeat(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct locust_worker *w = t->data;
    struct locust_out o;
    double cpu = cpu_sample(w);

    (void)loop;
    (void)revents;
    if (!w->registered || w->exit_pending)
        return;
    if (w->master_hb_seen && time_mono() - w->master_hb_last > w->app->settings.master_timeout) {
        char why[96];

        snprintf(why, sizeof(why), "no heartbeat from it for %g s",
                 w->app->settings.master_timeout);
        master_lost(w, why);
        return;
    }
    locust_encode_heartbeat(&o, w->id, heartbeat_state(w), cpu, rss_bytes());
    send_out(w, &o);
    pump(w);
}

/* Every 3 s: the report to the master, then the front end's turn. */
static void
on_report(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct locust_worker *w = t->data;

    (void)loop;
    (void)revents;
    if (!w->registered || w->exit_pending)
        return;
    send_stats(w);
    pump(w);
    if (w->hooks.on_report != NULL)
        w->hooks.on_report(w, w->hooks.arg);
}

static void
on_retry(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct locust_worker *w = t->data;
    double waited = time_mono() - w->wait_since;
    double limit = w->app->settings.master_timeout;

    (void)loop;
    (void)revents;
    if (w->registered || w->exit_pending)
        return;
    if (waited >= limit - 0.01) {
        if (!w->ever_registered) {
            log_error(LOGGER, "No Locust master answered at %s within %g s (is locust --master "
                      "running there, with --master-bind-port %u?); giving up", w->master, limit,
                      w->app->settings.master_port);
            begin_exit(w, EXIT_USAGE, false);
        } else {
            log_error(LOGGER, "No Locust master took this worker back at %s within %g s; giving up",
                      w->master, limit);
            begin_exit(w, EXIT_MASTER_LOST, false);
        }
        return;
    }
    log_info(LOGGER, "No answer from a Locust master at %s yet; trying again (giving up in %.0f s)",
             w->master, limit - waited);
    wait_for_master(w, false);
}

static void
on_quit_grace(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct locust_worker *w = t->data;

    (void)loop;
    (void)revents;
    if (w->exit_pending && runner_state(w->app->runner) == RUNNER_STOPPING)
        runner_kill(w->app->runner);
}

static void
on_pump(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    pump(t->data);
}

/*
 * The first SIGINT, SIGTERM or SIGHUP (app.c's stop policy, which then
 * stops the users, or leaves the loop when none run), through the front
 * end: leave the master with a last report once the users stopped.
 */
void
locust_worker_signal(struct locust_worker *w, int signum)
{
    log_info(LOGGER, "Stopping %u users, sending the last report and leaving the master",
             runner_user_count(w->app->runner));
    begin_exit(w, 128 + signum, true);
}

void
locust_worker_leave(struct locust_worker *w)
{
    if (w->exit_pending)
        return;
    log_info(LOGGER, "Leaving the master: stopping %u users and sending the last report",
             runner_user_count(w->app->runner));
    begin_exit(w, EXIT_OK, true);
}

/* Runner events: a stop is over. */
static void
on_runner(struct runner *r, enum runner_event ev, void *arg)
{
    struct locust_worker *w = arg;

    (void)r;
    if (ev != RUNNER_EVENT_STOPPED)
        return;
    ev_timer_stop(w->app->loop, &w->quit_timer);
    if (w->exit_pending)
        finish_exit(w);
    else if (w->stop_pending)
        finish_stop(w);
    else if (w->want_pending && w->registered)
        apply_users(w);
}

/* ---- settings ---- */

/*
 * Log, once, which settings a worker does not use (the master decides
 * them), and neutralise them.
 */
static void
check_settings(struct app *app)
{
    struct settings *s = &app->settings;
    char ignored[1024] = "", where[256];
    size_t used = 0;

#define IGNORE(...)                                                                            \
    do {                                                                                       \
        int k_ = snprintf(ignored + used, sizeof(ignored) - used, "%s", used ? ", " : "");     \
        if (k_ > 0 && (size_t)k_ < sizeof(ignored) - used)                                     \
            used += (size_t)k_;                                                                \
        k_ = snprintf(ignored + used, sizeof(ignored) - used, __VA_ARGS__);                    \
        if (k_ > 0 && (size_t)k_ < sizeof(ignored) - used)                                     \
            used += (size_t)k_;                                                                \
    } while (0)

    if (s->users_origin.kind != ORIGIN_DEFAULT && app->scenario.shape == NULL)
        IGNORE("users (%s)", origin_describe(&s->users_origin, where, sizeof(where)));
    if (s->spawn_rate_origin.kind != ORIGIN_DEFAULT)
        IGNORE("spawn rate (%s)", origin_describe(&s->spawn_rate_origin, where, sizeof(where)));
    if (s->run_time > 0)
        IGNORE("run time");
    if (app->scenario.shape != NULL)
        IGNORE("the [shape] of %s", app->scenario.path);
    if (s->autostart)
        IGNORE("autostart");
    if (s->reset_stats)
        IGNORE("reset-stats (give it to the master)");
    if (s->nthresholds > 0)
        IGNORE("thresholds");
#undef IGNORE
    if (used > 0)
        log_warning(LOGGER, "--worker: the Locust master decides when and how many users run; "
                    "ignoring %s", ignored);
    s->run_time = 0;
    s->autostart = false;
    s->reset_stats = false;
    s->threshold_abort = false;
}

/* ---- the session ---- */

struct locust_worker *
locust_worker_new(struct app *app, int *status)
{
    struct locust_worker *w;
    const struct settings *s = &app->settings;
    const char *host = s->master_host != NULL ? s->master_host : "127.0.0.1";
    struct addrinfo hints, *res = NULL;
    int rc;

    check_settings(app);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "cicada: --master-host: cannot resolve '%s': %s\n", host,
                gai_strerror(rc));
        *status = EXIT_USAGE;
        return NULL;
    }
    freeaddrinfo(res);

    w = xcalloc(1, sizeof(*w));
    w->app = app;
    w->index = -1;
    w->ready_delay = 0;
    locust_node_id(w->id, sizeof(w->id));
    if (strchr(host, ':') != NULL) {
        snprintf(w->endpoint, sizeof(w->endpoint), "tcp://[%s]:%u", host, s->master_port);
        snprintf(w->master, sizeof(w->master), "[%s]:%u", host, s->master_port);
    } else {
        snprintf(w->endpoint, sizeof(w->endpoint), "tcp://%s:%u", host, s->master_port);
        snprintf(w->master, sizeof(w->master), "%s:%u", host, s->master_port);
    }
    w->want = xcalloc(app->scenario.nclasses + 1, sizeof(*w->want));
    w->class_named = xcalloc(app->scenario.nclasses + 1, sizeof(*w->class_named));
    locust_reporter_init(&w->rep);

    ev_timer_init(&w->hb_timer, on_heartbeat, 0., HEARTBEAT_INTERVAL);
    ev_timer_init(&w->report_timer, on_report, 0., REPORT_INTERVAL);
    ev_timer_init(&w->retry_timer, on_retry, retry_interval(w), retry_interval(w));
    ev_timer_init(&w->ready_timer, on_ready_later, 0., 0.);
    ev_timer_init(&w->pump_timer, on_pump, 0.2, 0.2);
    ev_timer_init(&w->quit_timer, on_quit_grace, 0., 0.);
    ev_timer_init(&w->reopen_timer, on_reopen, 0., 0.);
    ev_timer_init(&w->end_timer, on_end, 0., 0.);
    w->reopen_timer.data = w->end_timer.data = w;
    w->hb_timer.data = w->report_timer.data = w->retry_timer.data = w;
    w->ready_timer.data = w->pump_timer.data = w->quit_timer.data = w;
    return w;
}

void
locust_worker_start(struct locust_worker *w, const struct locust_worker_hooks *hooks)
{
    struct app *app = w->app;

    if (hooks != NULL)
        w->hooks = *hooks;
    w->ctx = zmq_ctx_new();
    ev_timer_start(app->loop, &w->pump_timer);
    runner_set_listener(app->runner, on_runner, w);
    log_info(LOGGER, "Starting cicada %s as a Locust worker: joining the master at %s "
             "(%u threads; giving up after %g s without a master)", PACKAGE_VERSION, w->master,
             runner_threads(app->runner), app->settings.master_timeout);
    cpu_sample(w);
    wait_for_master(w, true);
}

const char *
locust_worker_state_name(enum locust_worker_state st)
{
    switch (st) {
    case LW_CONNECTING: return "connecting";
    case LW_WAITING: return "waiting for the master";
    case LW_READY: return "ready";
    case LW_SPAWNING: return "spawning";
    case LW_RUNNING: return "running";
    case LW_STOPPING: return "stopping";
    case LW_STOPPED: return "stopped";
    case LW_LOST: return "master lost";
    case LW_LEAVING: return "leaving";
    }
    return "?";
}

static enum locust_worker_state
session_state(const struct locust_worker *w)
{
    if (w->exit_pending || w->done)
        return LW_LEAVING;
    if (w->registered) {
        switch (runner_state(w->app->runner)) {
        case RUNNER_SPAWNING: return LW_SPAWNING;
        case RUNNER_RUNNING: return LW_RUNNING;
        case RUNNER_STOPPING: return LW_STOPPING;
        default: return w->stopped ? LW_STOPPED : LW_READY;
        }
    }
    if (w->stop_pending || (w->stopped && !w->lost))
        return runner_state(w->app->runner) == RUNNER_STOPPING ? LW_STOPPING : LW_STOPPED;
    if (w->lost)
        return LW_LOST;
    return w->connected ? LW_WAITING : LW_CONNECTING;
}

void
locust_worker_status(const struct locust_worker *w, struct locust_worker_status *out)
{
    double now = time_mono();

    memset(out, 0, sizeof(*out));
    out->state = session_state(w);
    out->master = w->master;
    out->node_id = w->id;
    out->index = w->index;
    out->users = runner_user_count(w->app->runner);
    out->users_asked = w->asked;
    out->since_message = w->last_msg > 0 ? now - w->last_msg : -1;
    out->retry_in = out->give_up_in = -1;
    if (out->state == LW_CONNECTING || out->state == LW_WAITING || out->state == LW_LOST) {
        double left = w->app->settings.master_timeout - (now - w->wait_since);

        out->give_up_in = left > 0 ? left : 0;
        if (ev_is_active(&w->retry_timer))
            out->retry_in = ev_timer_remaining(w->app->loop, (ev_timer *)&w->retry_timer);
        if (out->retry_in > out->give_up_in)
            out->retry_in = out->give_up_in;
    }
    out->rps = w->rep.last_interval > 0 ? (double)w->rep.last_requests / w->rep.last_interval : 0;
    out->reports = w->reports;
    out->sent_requests = w->rep.sent_requests;
    out->sent_failures = w->rep.sent_failures;
}

int
locust_worker_end(struct locust_worker *w)
{
    struct app *app = w->app;
    int status;

    runner_set_listener(app->runner, NULL, NULL);
    ev_timer_stop(app->loop, &w->hb_timer);
    ev_timer_stop(app->loop, &w->report_timer);
    ev_timer_stop(app->loop, &w->retry_timer);
    ev_timer_stop(app->loop, &w->ready_timer);
    ev_timer_stop(app->loop, &w->pump_timer);
    ev_timer_stop(app->loop, &w->quit_timer);
    ev_timer_stop(app->loop, &w->reopen_timer);
    ev_timer_stop(app->loop, &w->end_timer);
    sock_close(w, w->quit_sent ? 1000 : 0);
    if (w->ctx != NULL)
        zmq_ctx_term(w->ctx);
    w->ctx = NULL;

    status = w->exit_status;
    app->final_status = status;
    log_info(LOGGER, "Leaving (exit code %d): %llu requests (%llu failures) reported to the "
             "master in %llu reports", status, (unsigned long long)w->rep.sent_requests,
             (unsigned long long)w->rep.sent_failures, (unsigned long long)w->reports);
    app_write_reports(app);
    return status;
}

void
locust_worker_free(struct locust_worker *w)
{
    size_t i;

    if (w == NULL)
        return;
    for (i = 0; i < w->nmaster; i++)
        free(w->master_names[i]);
    free(w->master_names);
    for (i = 0; i < w->nunknown; i++)
        free(w->unknown_warned[i]);
    free(w->unknown_warned);
    free(w->rep_names);
    free(w->rep_counts);
    free(w->want);
    free(w->class_named);
    locust_reporter_free(&w->rep);
    free(w);
}
