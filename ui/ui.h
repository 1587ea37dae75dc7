/*
 * ui.h: the live dashboard (ncurses). It drives the runner and reads
 * statistics copies through app.h; no ncurses type appears here, so the
 * engine never includes curses.
 */
#ifndef CICADA_UI_H
#define CICADA_UI_H

#include "app.h"

/* Run the dashboard until the user quits; returns the exit status. */
int ui_run(struct app *app);

#endif
