/*
 * headless.h: the headless front end: Locust's periodic statistics table
 * every 2 s on stderr, then the final tables; SIGINT, SIGTERM and SIGHUP
 * stop the run cleanly (a second SIGINT abandons requests in flight).
 */
#ifndef CICADA_HEADLESS_H
#define CICADA_HEADLESS_H

#include "app.h"

/* Run the test to its end; returns the exit status. */
int headless_run(struct app *app);

#endif
