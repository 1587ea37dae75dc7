/*
 * locust_worker.h: the Locust worker front end (--worker). cicada joins an
 * unmodified Locust master (locust --master) over ZeroMQ as one of its
 * workers: the master starts, changes, stops and ends the test, and
 * cicada reports its statistics to it every 3 s. Headless: one status
 * line per report on the log.
 *
 * Ends: the master's quit (status 0); SIGINT/SIGTERM/SIGHUP (app.c's
 * stop policy; 128 + the signal, after a last report and a quit to the
 * master); no master ever
 * answered within --master-timeout (2); the master was lost (its
 * connection closed, or its heartbeats, from masters that send them,
 * stopped for --master-timeout) and none took cicada back within
 * --master-timeout (EXIT_MASTER_LOST).
 */
#ifndef CICADA_LOCUST_WORKER_H
#define CICADA_LOCUST_WORKER_H

#include "app.h"

#define EXIT_MASTER_LOST 5

/* Join the master and serve it until it quits; returns the exit status. */
int locust_worker_run(struct app *app);

#endif
