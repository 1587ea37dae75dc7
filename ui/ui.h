/*
 * ui.h: the live dashboard (ncurses). It drives the runner and reads
 * statistics copies through app.h; no ncurses type appears here, so the
 * engine never includes curses.
 */
#ifndef CICADA_UI_H
#define CICADA_UI_H

#include "app.h"

/* ui_run()'s answer when curses cannot drive this terminal (nothing was run). */
#define UI_UNAVAILABLE (-1)

/*
 * Run the dashboard until the user quits; returns the exit status, or
 * UI_UNAVAILABLE after a warning when the terminal cannot be driven.
 */
int ui_run(struct app *app);

struct locust_worker;

/*
 * The same dashboard as the Locust worker session's front end (--worker):
 * the master drives the test; returns the session's exit status
 * (locust_worker.h), or UI_UNAVAILABLE as ui_run.
 */
int ui_run_worker(struct app *app, struct locust_worker *w);

#endif
