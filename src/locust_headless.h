/*
 * locust_headless.h: the headless front end of the Locust worker session
 * (--worker without a terminal, or with --headless): one status line
 * per report to the master on the log (master, state, users, RPS).
 */
#ifndef CICADA_LOCUST_HEADLESS_H
#define CICADA_LOCUST_HEADLESS_H

#include "app.h"
#include "locust_worker.h"

/* Serve the master until the session ends; returns the exit status (locust_worker.h). */
int locust_headless_run(struct app *app, struct locust_worker *w);

#endif
