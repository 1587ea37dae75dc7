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

/* Users step for + and -: a tenth of the target, at least one. */
static unsigned
user_step(unsigned target)
{
    unsigned step = (target + 5) / 10;

    return step > 0 ? step : 1;
}

void
dash_change_users(struct dash *d, int dir)
{
    enum runner_state st = runner_state(d->runner);
    unsigned target = runner_target_users(d->runner), step = user_step(target), next;

    if (st != RUNNER_SPAWNING && st != RUNNER_RUNNING) {
        dash_message(d, "no test is running: s starts one");
        return;
    }
    if (dir > 0)
        next = target + step;
    else
        next = target > step ? target - step : 1;
    if (next == target)
        return;
    runner_start(d->runner, next, runner_spawn_rate(d->runner));
    if (runner_target_users(d->runner) < next) {
        next = runner_target_users(d->runner);
        dash_message(d, "users: %u -> %u, capped by the open-file limit (see the log)", target, next);
    } else {
        dash_message(d, "users: %u -> %u", target, next);
    }
    d->app->settings.users = next;
}
