/*
 * headless.c: the console front end. It starts the run at once, prints
 * the periodic table every CONSOLE_INTERVAL seconds (the first right away,
 * before any user starts, as Locust does), and when the runner reports
 * that everything stopped it prints the final tables and leaves the loop.
 */
#include "config.h"

#include <stdio.h>

#include "console.h"
#include "headless.h"
#include "log.h"
#include "shape.h"
#include "snapshot.h"
#include "util.h"

#define CONSOLE_INTERVAL 2.0
#define LOGGER "cicada.main"

struct headless {
    struct app *app;
    ev_timer print_timer;
    int exit_status;
};

/* Print the periodic table from the latest snapshot. */
static void
print_table(struct headless *h)
{
    struct snapshot *view = snapshots_take(&h->app->snapshots);

    console_print_requests(stderr, &view->stats, console_name_width(), true);
    if (runner_open(h->app->runner))
        log_info(LOGGER, "Open model: %.4g arrivals/s offered, %llu dropped so far (no free "
                 "user in the pool of %u)", runner_arrival_rate(h->app->runner),
                 (unsigned long long)view->stats.dropped, h->app->settings.users);
    fflush(stderr);
    snapshot_release(view);
}

/* Every 2 s. */
static void
on_print(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct headless *h = t->data;

    (void)loop;
    (void)revents;
    print_table(h);
}

/*
 * At DEBUG level: the whole run's response-time percentiles to the
 * microsecond (the tables round them as Locust does, to whole ms at best),
 * for comparisons with other tools at sub-millisecond latencies.
 */
static void
log_precise_percentiles(struct app *app)
{
    static const double ps[] = { 0.50, 0.90, 0.99, 0.999 };
    struct snapshot *snap;
    const struct stats *view;
    char line[256];
    size_t used = 0, i;

    if (!log_enabled(LOG_DEBUG))
        return;
    snap = snapshots_take(&app->snapshots);
    view = &snap->stats;
    for (i = 0; i < ARRAY_LEN(ps) && used < sizeof(line); i++) {
        uint64_t n = view->total.hist.total;
        uint64_t rank = (uint64_t)((double)n * ps[i]);
        int k = snprintf(line + used, sizeof(line) - used, "%sp%g %.3f ms", i ? ", " : "",
                         ps[i] * 100, (double)hist_value_at_rank(&view->total.hist, rank) / 1000.0);

        if (k < 0)
            break;
        used += (size_t)k;
    }
    log_debug(LOGGER, "Aggregated response times (to 1.6%%, %llu requests): %s",
              (unsigned long long)view->total.hist.total, line);
    snapshot_release(snap);
}

/* Runner events: when everything stopped, finish. */
static void
on_runner(struct runner *r, enum runner_event ev, void *arg)
{
    struct headless *h = arg;

    (void)r;
    if (ev != RUNNER_EVENT_STOPPED)
        return;
    ev_timer_stop(h->app->loop, &h->print_timer);
    ev_break(h->app->loop, EVBREAK_ALL);
}

int
headless_run(struct app *app)
{
    struct headless h;
    const struct settings *s = &app->settings;

    h.app = app;
    h.exit_status = 0;

    app_watch_signals(app, NULL, NULL);
    runner_set_listener(app->runner, on_runner, &h);

    if (app->scenario.shape != NULL)
        log_info(LOGGER, "Load shape (%s) of %zu stages: the run ends after %g seconds",
                 shape_form(app->scenario.shape), shape_nstages(app->scenario.shape),
                 shape_duration(app->scenario.shape));
    if (s->run_time > 0)
        log_info(LOGGER, "Run time limit set to %g seconds", s->run_time);
    else if (app->scenario.shape == NULL)
        log_info(LOGGER, "No run time limit set, use CTRL+C to interrupt");
    log_info(LOGGER, "Starting cicada %s", PACKAGE_VERSION);
    if (!s->only_summary) {
        print_table(&h);
        ev_timer_init(&h.print_timer, on_print, CONSOLE_INTERVAL, CONSOLE_INTERVAL);
        h.print_timer.data = &h;
        ev_timer_start(app->loop, &h.print_timer);
    } else {
        ev_timer_init(&h.print_timer, on_print, 0., 0.);
    }
    if (app->capacity != NULL)
        capacity_start(app->capacity);
    else
        runner_start(app->runner, s->users, s->spawn_rate);
    ev_run(app->loop, 0);

    app_unwatch_signals(app);
    runner_set_listener(app->runner, NULL, NULL);

    h.exit_status = app_finish(app);
    log_precise_percentiles(app);
    return h.exit_status;
}
