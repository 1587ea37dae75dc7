/*
 * tserver.h: a tiny HTTP/1.1 server for the unit tests of the HTTP layer,
 * the worker and the runner. It listens on 127.0.0.1 (a port the kernel
 * picks) in a thread of its own, keeps connections alive, and counts what
 * it received: every request it read in full, per path, and what it did
 * with it. What it answers depends on the path:
 *
 *   /status/NNN   status NNN, body "ok"
 *   /drop         read, then close the connection without answering
 *   /reset        read, then reset the connection (RST) without answering
 *   /hold...      no answer until tserver_release (then 200)
 *   /short/K      Content-Length: 1000, K bytes of it, then close
 *   anything else 200, body "ok"
 *
 * and on the two faults of issue 14 it can be set to stand in for:
 * answer_per_conn = N answers the first N requests of each connection and
 * drops the next one it reads (reads it, closes without answering);
 * drop_from = N drops every request from the N-th read (1-based) on;
 * close_after = N closes each connection right after its N-th answer
 * (an idle keep-alive connection closed by the server, with no
 * "Connection: close" said).
 */
#ifndef CICADA_TEST_TSERVER_H
#define CICADA_TEST_TSERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define TSERVER_PATHS 32

struct tserver_path {
    char path[64];
    unsigned long count;
};

struct tserver {
    int port;
    char url[64];              /* "http://127.0.0.1:PORT" */

    /* the fault to play (set before the client sends) */
    unsigned answer_per_conn;  /* 0: no limit */
    unsigned long drop_from;   /* 0: never */
    unsigned close_after;      /* 0: never */

    /* what it saw (read them with tserver_lock held, or after tserver_stop) */
    unsigned long requests;    /* read in full */
    unsigned long answered;    /* answered in full (status line to last byte) */
    unsigned long failed;      /* answered with a status >= 400 */
    unsigned long dropped;     /* read and closed without an answer (or a short one) */
    unsigned long connections; /* accepted */
    unsigned long held;        /* waiting for tserver_release now */
    struct tserver_path paths[TSERVER_PATHS];
    size_t npaths;
    char last[8192];           /* the last request read, head and body, NUL-terminated */

    /* private */
    int lfd, wake[2];
    bool release, quit;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/* Start a server (and unset the proxy variables of the environment); aborts on failure. */
void tserver_start(struct tserver *ts);

/* Stop the thread, close everything. The counters stay readable. */
void tserver_stop(struct tserver *ts);

void tserver_lock(struct tserver *ts);
void tserver_unlock(struct tserver *ts);

/* The counters at one moment (assert on the copy: a failed assert must not hold the lock). */
struct tserver_counts {
    unsigned long requests, answered, failed, dropped, connections, held;
};
struct tserver_counts tserver_counts(struct tserver *ts);

/* Set the fault to play (see above). */
void tserver_fault(struct tserver *ts, unsigned answer_per_conn, unsigned long drop_from);

/* Close each connection after its n-th answer (0: never). */
void tserver_close_after(struct tserver *ts, unsigned n);

/* Zero the counters and the fault settings (between test cases). */
void tserver_reset(struct tserver *ts);

/* Requests read for path (exact match, query left out). */
unsigned long tserver_path_count(struct tserver *ts, const char *path);

/*
 * Wait until the server has read at least n requests (or, with held, has
 * n requests held); false after `bound` seconds, a bound against a hang,
 * not a measure.
 */
bool tserver_wait_requests(struct tserver *ts, unsigned long n, double bound);
bool tserver_wait_held(struct tserver *ts, unsigned long n, double bound);

/* Answer every held request (200), and those that arrive later. */
void tserver_release(struct tserver *ts);

/* A copy of the last request read, into buf. */
void tserver_last(struct tserver *ts, char *buf, size_t size);

#endif
