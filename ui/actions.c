/*
 * actions.c: what the dashboard does to the test, for its key handlers and
 * its panels alike: start or change it, quit, and say so in the status line.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "dash.h"
#include "util.h"

#define MESSAGE_SECONDS 6.0

void
dash_message(struct dash *d, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(d->message, sizeof(d->message), fmt, ap);
    va_end(ap);
    d->message_until = time_mono() + MESSAGE_SECONDS;
}

void
dash_request_quit(struct dash *d)
{
    enum runner_state st = runner_state(d->runner);

    d->quit = true;
    if (st == RUNNER_READY || st == RUNNER_STOPPED)
        ev_break(d->app->loop, EVBREAK_ALL);
    else
        runner_stop(d->runner);
}

void
dash_start(struct dash *d, unsigned users, double rate)
{
    runner_start(d->runner, users, rate);
    if (runner_target_users(d->runner) < users) {
        dash_message(d, "%u users do not fit the open-file limit: running %u (see the log)", users,
                     runner_target_users(d->runner));
        d->app->settings.users = runner_target_users(d->runner);
    }
}
