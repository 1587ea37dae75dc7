/*
 * locust_worker.h: the Locust worker session (--worker). cicada joins an
 * unmodified Locust master (locust --master) over ZeroMQ as one of its
 * workers: the master starts, changes, stops and ends the test, and
 * cicada reports its statistics to it every 3 s.
 *
 * The session is engine-side and has no screen of its own: a front end
 * (the headless one-line status of locust_headless.h, or the dashboard)
 * starts it on the app's loop, reads its state through
 * locust_worker_status(), forwards the stop signals and may ask it to
 * leave. The loop ends when the session does.
 *
 * Ends: the master's quit (status 0); the front end's leave (status 0:
 * the dashboard's q); SIGINT/SIGTERM/SIGHUP (app.c's stop policy; 128 +
 * the signal, after a last report and a quit to the master); no master
 * ever answered within --master-timeout (2); the master was lost (its
 * connection closed, or its heartbeats, from masters that send them,
 * stopped for --master-timeout) and none took cicada back within
 * --master-timeout (EXIT_MASTER_LOST).
 */
#ifndef CICADA_LOCUST_WORKER_H
#define CICADA_LOCUST_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

#define EXIT_MASTER_LOST 5

struct locust_worker;

/* Where the session stands with its master. */
enum locust_worker_state {
    LW_CONNECTING,           /* no connection to the master's port yet */
    LW_WAITING,              /* connected, client_ready sent, no answer yet */
    LW_READY,                /* registered, no test started yet */
    LW_SPAWNING,             /* the master's spawn is being applied */
    LW_RUNNING,
    LW_STOPPING,             /* users are stopping (the master's stop, or leaving) */
    LW_STOPPED,              /* the master stopped the test; ready for the next */
    LW_LOST,                 /* the master was lost: retrying until --master-timeout */
    LW_LEAVING,              /* on the way out (quit, signal, leave) */
};

/* A snapshot of the session, for a front end. */
struct locust_worker_status {
    enum locust_worker_state state;
    const char *master;      /* host:port of the master */
    const char *node_id;     /* "host_0123..." (Locust's form) */
    long index;              /* the master's worker index, -1 before its first ack */
    unsigned users;          /* running now */
    unsigned users_asked;    /* as the master's last spawn asked (0 after a stop) */
    double since_message;    /* seconds since the last message from the master, -1: none yet */
    double retry_in;         /* LW_CONNECTING/WAITING/LOST: seconds to the next client_ready, else -1 */
    double give_up_in;       /* LW_CONNECTING/WAITING/LOST: seconds left of --master-timeout, else -1 */
    double rps;              /* requests per second in the last report to the master */
    uint64_t reports;        /* statistics reports sent */
    uint64_t sent_requests, sent_failures; /* what the reports carried so far */
};

/* What a front end hears from the session (each may be NULL). */
struct locust_worker_hooks {
    /* after each report to the master (every 3 s while registered) */
    void (*on_report)(struct locust_worker *w, void *arg);
    void *arg;
};

/*
 * Check the settings for a worker (the ones the master decides are named
 * in one warning and not used) and the master's address. Returns the
 * session, or NULL with *status set (a message was printed).
 */
struct locust_worker *locust_worker_new(struct app *app, int *status);

/*
 * Join the master on the app's loop (the session takes the runner's
 * listener); the front end then runs the loop, which ends with the
 * session. The front end watches the stop signals and calls
 * locust_worker_signal from its app_stop_fn.
 */
void locust_worker_start(struct locust_worker *w, const struct locust_worker_hooks *hooks);

/* The front end's part in the first stop signal: leave with 128 + signum. */
void locust_worker_signal(struct locust_worker *w, int signum);

/* Leave the master as a stop signal does (last report, quit), exit status 0. */
void locust_worker_leave(struct locust_worker *w);

void locust_worker_status(const struct locust_worker *w, struct locust_worker_status *out);

/* "running", "waiting for the master", "master lost", ... */
const char *locust_worker_state_name(enum locust_worker_state st);

/*
 * Once the loop is over: close the connection (the quit, if any, goes
 * out first), say what was reported, write the reports; returns the
 * exit status. Call once, then locust_worker_free().
 */
int locust_worker_end(struct locust_worker *w);

void locust_worker_free(struct locust_worker *w);

#endif
