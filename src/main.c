/*
 * main.c: cicada's entry point and the one place that knows the front ends:
 * the program layer (app.c) gets everything ready, then the dashboard runs
 * the test on a terminal, or the headless console when there is none (or
 * when the dashboard cannot drive the terminal); with --worker, a Locust
 * master drives the test through the Locust worker session, shown by the
 * dashboard on a terminal, else by the headless one-line status.
 */
#include "config.h"

#include "app.h"
#include "headless.h"
#include "locust_headless.h"
#include "locust_worker.h"
#include "ui.h"

int
main(int argc, char **argv)
{
    struct app app;
    int status = app_init(&app, argc, argv);

    if (status < 0 && app.settings.worker) {
        struct locust_worker *w = locust_worker_new(&app, &status);

        if (w != NULL && !app_headless(&app))
            status = ui_run_worker(&app, w);
        if (w != NULL && status < 0)
            status = locust_headless_run(&app, w);
        locust_worker_free(w);
    }
    if (status < 0 && !app_headless(&app))
        status = ui_run(&app);
    if (status < 0)
        status = headless_run(&app);
    app_free(&app);
    return status;
}
