/*
 * locust_headless.c: the Locust worker without a screen. The session
 * (locust_worker.c) does the work; this front end forwards the stop
 * signals to it and, after each report to the master, logs one line:
 * "master HOST:PORT: running, 10 users, 250.3 RPS".
 */
#include "config.h"

#include "locust_headless.h"
#include "log.h"

#define LOGGER "cicada.worker"

static void
on_report(struct locust_worker *w, void *arg)
{
    struct app *app = arg;
    struct locust_worker_status st;

    if (app->settings.only_summary)
        return;
    locust_worker_status(w, &st);
    log_info(LOGGER, "master %s: %s, %u users, %.1f RPS", st.master,
             locust_worker_state_name(st.state), st.users, st.rps);
}

static void
on_stop(struct app *app, int signum, void *arg)
{
    (void)app;
    locust_worker_signal(arg, signum);
}

int
locust_headless_run(struct app *app, struct locust_worker *w)
{
    struct locust_worker_hooks hooks = { on_report, app };

    app_watch_signals(app, on_stop, w);
    locust_worker_start(w, &hooks);
    ev_run(app->loop, 0);
    app_unwatch_signals(app);
    return locust_worker_end(w);
}
