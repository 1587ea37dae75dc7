/*
 * ui.c: the dashboard's main loop. Everything happens on the main thread's
 * libev loop, next to the runner: an ev_io watcher reads keys (keys.c says
 * what they do), one ev_timer copies the statistics and redraws at most
 * `refresh` times a second
 * (ncurses then sends only the cells that changed, so nothing flickers),
 * an ev_signal watcher takes SIGWINCH (reflow), and app.c's stop policy
 * takes SIGINT, SIGTERM and SIGHUP (the test stops, then the dashboard
 * leaves). Crashes and fatal() restore the terminal
 * first. On the way out the screen is given back (endwin), the log lines
 * kept while the screen was ours are printed, reports are written, and
 * the final tables go to the normal screen so they stay in the scrollback.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <curses.h>

#include "console.h"
#include "dash.h"
#include "log.h"
#include "ui.h"
#include "util.h"

#define LOGGER "cicada.main"

/* The one dashboard of the process, for the crash handlers only. */
static struct dash *crash_dash;

/* Give the terminal back (safe to call twice). */
static void
screen_off(struct dash *d)
{
    if (d->screen_on) {
        d->screen_on = false;
        endwin();
    }
}

/* fatal() hook: restore the terminal before the message. */
static void
on_fatal(void)
{
    if (crash_dash != NULL)
        screen_off(crash_dash);
}

/* SIGSEGV and friends: restore the terminal, then die as we would have. */
static void
on_crash(int sig)
{
    if (crash_dash != NULL && crash_dash->screen_on) {
        crash_dash->screen_on = false;
        endwin();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Keep log lines while the screen is ours; any thread may call this. */
static void
on_log(enum log_level level, const char *line, void *arg)
{
    struct dash *d = arg;
    const char *msg;
    size_t slot;

    pthread_mutex_lock(&d->log_lock);
    slot = (d->log_head + d->log_count) % DASH_LOG_LINES;
    if (d->log_count == DASH_LOG_LINES) {
        free(d->log[d->log_head]);
        d->log_head = (d->log_head + 1) % DASH_LOG_LINES;
        d->log_dropped++;
        slot = (d->log_head + d->log_count - 1) % DASH_LOG_LINES;
    } else {
        d->log_count++;
    }
    d->log[slot] = xstrdup(line);
    /* the footer shows the message without its "[time] host/LEVEL/logger: " prefix */
    msg = strstr(line, "]");
    msg = msg != NULL ? strstr(msg, ": ") : NULL;
    snprintf(d->log_last, sizeof(d->log_last), "%s", msg != NULL ? msg + 2 : line);
    d->log_last_level = (int)level;
    d->log_last_time = time_mono();
    pthread_mutex_unlock(&d->log_lock);
}

/* After the screen is given back: print the kept log lines to stderr. */
static void
flush_log(struct dash *d)
{
    size_t i;

    pthread_mutex_lock(&d->log_lock);
    if (d->log_dropped > 0)
        fprintf(stderr, "(%zu earlier log lines not kept)\n", d->log_dropped);
    for (i = 0; i < d->log_count; i++) {
        size_t k = (d->log_head + i) % DASH_LOG_LINES;

        fputs(d->log[k], stderr);
        fputc('\n', stderr);
        free(d->log[k]);
        d->log[k] = NULL;
    }
    d->log_count = 0;
    pthread_mutex_unlock(&d->log_lock);
    fflush(stderr);
}

/* Read the latest statistics snapshot from now on (the previous one is given back). */
static void
take_view(struct dash *d)
{
    struct snapshot *snap = snapshots_take(&d->app->snapshots);

    snapshot_release(d->snap);
    d->snap = snap;
    d->view = &snap->stats;
}

/* Take the latest statistics and draw everything. */
static void
draw(struct dash *d, bool fresh_copy)
{
    if (!d->screen_on)
        return;
    if (fresh_copy) {
        take_view(d);
        views_sort(d);
    }
    if (d->message[0] != '\0' && time_mono() > d->message_until)
        d->message[0] = '\0';
    views_draw(d);
    if (d->mode != MODE_NORMAL)
        panel_draw(d);
    doupdate();
    d->last_draw = time_mono();
}

/* The redraw timer. */
static void
on_redraw(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct dash *d = t->data;

    (void)loop;
    (void)revents;
    draw(d, true);
}

/* Keys are waiting. */
static void
on_input(struct ev_loop *loop, ev_io *w, int revents)
{
    struct dash *d = w->data;
    int key, n = 0;
    bool fresh = false;

    (void)revents;
    if (!d->screen_on) {
        /* the terminal is gone (SIGHUP): stop reading it */
        ev_io_stop(loop, w);
        return;
    }
    while ((key = getch()) != ERR && n++ < 64) {
        if (key == KEY_RESIZE)
            continue;
        if (d->mode != MODE_NORMAL && panel_key(d, key))
            continue;
        if (dash_key(d, key))
            fresh = true;
        if (!d->screen_on)
            return;
    }
    /* answer keys at once; the timer keeps the data redraws at their rate */
    draw(d, fresh);
}

/* SIGWINCH: learn the new size and reflow. */
static void
on_winch(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct dash *d = w->data;
    struct winsize ws;

    (void)loop;
    (void)revents;
    if (!d->screen_on)
        return;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    /* resizeterm queues a KEY_RESIZE; the input watcher drops it */
    erase();
    draw(d, false);
}

/*
 * The dashboard's part in a stop signal (app.c stops the test): leave once
 * it stopped; after SIGHUP the terminal is gone, so never draw or read it again.
 */
static void
on_stop_signal(struct app *app, int signum, void *arg)
{
    struct dash *d = arg;

    d->quit = true;
    if (signum == SIGHUP) {
        ev_io_stop(app->loop, &d->input);
        screen_off(d);
    }
    if (d->worker != NULL)
        workerview_signal(d, signum);
}

/* --autoquit: the time after the run is up; leave unless a new test started. */
static void
on_autoquit(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct dash *d = t->data;
    enum runner_state st = runner_state(d->runner);

    (void)loop;
    (void)revents;
    if (st == RUNNER_READY || st == RUNNER_STOPPED) {
        log_info(LOGGER, "--autoquit time reached, shutting down");
        dash_request_quit(d);
    }
}

/* --print-stats: Locust's periodic table to stderr (not the terminal) while a test runs. */
static void
on_print_stats(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct dash *d = t->data;
    enum runner_state st = runner_state(d->runner);
    struct snapshot *view;

    (void)loop;
    (void)revents;
    if (st != RUNNER_SPAWNING && st != RUNNER_RUNNING && st != RUNNER_STOPPING)
        return;
    view = snapshots_take(&d->app->snapshots);
    console_print_requests(stderr, &view->stats, console_name_width(), true);
    fflush(stderr);
    snapshot_release(view);
}

/* Runner events: finish a quit once everything stopped. */
static void
on_runner(struct runner *r, enum runner_event ev, void *arg)
{
    struct dash *d = arg;

    if (ev == RUNNER_EVENT_STOPPED && d->app->capacity != NULL) {
        /* a stop the search did not decide ends it too (its result says why) */
        capacity_cut(d->app->capacity, d->app->stop_signal != 0 ? "a signal"
                                        : runner_time_limit_hit(r) ? "the run time"
                                                                   : "a stop");
        if (!d->quit)
            dash_message(d, "capacity search over: %s (q quits and writes the reports)",
                         capacity_outcome_name(capacity_result(d->app->capacity)->outcome));
    }
    if (ev == RUNNER_EVENT_STOPPED && d->quit)
        ev_break(d->app->loop, EVBREAK_ALL);
    else if (ev == RUNNER_EVENT_TIME_LIMIT)
        dash_message(d, "run time reached: stopping");
    else if (ev == RUNNER_EVENT_STOPPED && runner_time_limit_hit(r))
        dash_message(d, "run time reached: stopped (n starts a new test, q quits)");
    if (ev == RUNNER_EVENT_STOPPED && !d->quit && d->app->settings.autoquit >= 0) {
        log_info(LOGGER, "--autoquit: leaving in %g seconds (n starts a new test instead)",
                 d->app->settings.autoquit);
        ev_timer_stop(d->app->loop, &d->autoquit);
        ev_timer_set(&d->autoquit, d->app->settings.autoquit, 0.);
        ev_timer_start(d->app->loop, &d->autoquit);
    }
}

/* Colours, or attributes alone when colour is off or missing. */
static void
set_theme(struct dash *d)
{
    struct dash_theme *t = &d->theme;

    t->header = A_REVERSE;
    t->tab_active = A_REVERSE | A_BOLD;
    t->good = A_BOLD;
    t->busy = A_BOLD;
    t->bad = A_BOLD;
    t->dim = A_NORMAL;
    t->series[0] = A_BOLD;
    t->series[1] = A_NORMAL;
    t->title = A_BOLD;
    if (!d->color)
        return;
    start_color();
    use_default_colors();
    init_pair(1, COLOR_BLACK, COLOR_CYAN);
    init_pair(2, COLOR_GREEN, -1);
    init_pair(3, COLOR_YELLOW, -1);
    init_pair(4, COLOR_RED, -1);
    init_pair(5, COLOR_CYAN, -1);
    init_pair(6, COLOR_BLUE, -1);
    t->header = COLOR_PAIR(1);
    t->tab_active = COLOR_PAIR(1) | A_BOLD;
    t->good = COLOR_PAIR(2) | A_BOLD;
    t->busy = COLOR_PAIR(3) | A_BOLD;
    t->bad = COLOR_PAIR(4) | A_BOLD;
    t->series[0] = COLOR_PAIR(2) | A_BOLD;
    t->series[1] = COLOR_PAIR(4) | A_BOLD;
    t->title = COLOR_PAIR(5) | A_BOLD;
}

/* Take the terminal; false if curses cannot drive it. */
static bool
screen_on(struct dash *d)
{
    const char *no_color = getenv("NO_COLOR");
    SCREEN *scr;

    /* keys come from the terminal even when standard input is redirected */
    d->keys = stdin;
    if (!isatty(STDIN_FILENO)) {
        d->keys = fopen("/dev/tty", "r");
        if (d->keys == NULL)
            return false;
    }
    scr = newterm(NULL, stdout, d->keys);
    if (scr == NULL) {
        if (d->keys != stdin)
            fclose(d->keys);
        d->keys = NULL;
        return false;
    }
    set_term(scr);
    /*
     * A terminal without cursor addressing (TERM=dumb, unknown types
     * curses maps to dumb) would get the whole screen on one line, and a
     * run waiting for q: the caller runs headless instead.
     */
    {
        const char *cup = tigetstr("cup");

        if (cup == NULL || cup == (char *)-1 || cup[0] == '\0') {
            endwin();
            delscreen(scr);
            if (d->keys != stdin)
                fclose(d->keys);
            d->keys = NULL;
            d->no_cursor = true;
            return false;
        }
    }
    d->screen_on = true;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    d->color = has_colors() && !d->app->settings.no_color &&
               !(no_color != NULL && no_color[0] != '\0');
    set_theme(d);
    return true;
}

static int
run(struct app *app, struct locust_worker *worker)
{
    struct dash *d = xcalloc(1, sizeof(*d));
    struct sigaction sa;
    const char *codeset;
    int status, sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    bool no_cursor;
    size_t i;

    /* the locale decides UTF-8 only; numbers keep their C format (Locust's tables) */
    setlocale(LC_CTYPE, "");
    codeset = nl_langinfo(CODESET);
    d->app = app;
    d->runner = app->runner;
    d->worker = worker;
    d->utf8 = codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
    d->ascii_charts = !d->utf8;
    d->refresh = app->settings.refresh > 0.05 ? app->settings.refresh : 0.05;
    d->sort_col = COL_NAME;
    d->sort_desc = false;
    d->sel_entry = -1;
    d->detail_entry = -1;
    take_view(d);
    d->thresholds = xcalloc(app->settings.nthresholds + 1, sizeof(*d->thresholds));
    pthread_mutex_init(&d->log_lock, NULL);

    /* signals first, so that curses leaves SIGWINCH to us */
    app_watch_signals(app, on_stop_signal, d);
    ev_signal_init(&d->sigwinch, on_winch, SIGWINCH);
    d->sigwinch.data = d;
    ev_signal_start(app->loop, &d->sigwinch);

    if (!screen_on(d)) {
        app_unwatch_signals(app);
        ev_signal_stop(app->loop, &d->sigwinch);
        snapshot_release(d->snap);
        free(d->thresholds);
        pthread_mutex_destroy(&d->log_lock);
        no_cursor = d->no_cursor;
        free(d);
        log_warning(LOGGER, "the dashboard cannot drive this terminal (TERM=%s%s): "
                    "running headless", getenv("TERM") ? getenv("TERM") : "",
                    no_cursor ? ", no cursor addressing" : "");
        return UI_UNAVAILABLE;
    }
    crash_dash = d;
    util_set_fatal_hook(on_fatal);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_crash;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < ARRAY_LEN(sigs); i++)
        sigaction(sigs[i], &sa, NULL);
    if (app->settings.logfile == NULL)
        log_set_sink(on_log, d);
    runner_set_listener(d->runner, on_runner, d);

    ev_io_init(&d->input, on_input, fileno(d->keys), EV_READ);
    d->input.data = d;
    ev_io_start(app->loop, &d->input);
    ev_timer_init(&d->print_stats, on_print_stats, 2., 2.);
    d->print_stats.data = d;
    if (app->settings.print_stats) {
        if (isatty(STDERR_FILENO))
            log_warning(LOGGER, "--print-stats: standard error is the dashboard's terminal; "
                        "redirect it (2>FILE) to get the periodic tables");
        else
            ev_timer_start(app->loop, &d->print_stats);
    }
    ev_timer_init(&d->autoquit, on_autoquit, 0., 0.);
    d->autoquit.data = d;
    ev_timer_init(&d->redraw, on_redraw, 0., d->refresh);
    d->redraw.data = d;
    ev_timer_start(app->loop, &d->redraw);

    log_info(LOGGER, "Starting cicada %s", PACKAGE_VERSION);
    if (app->settings.run_time > 0)
        log_info(LOGGER, "Run time limit set to %g seconds", app->settings.run_time);
    if (d->worker != NULL) {
        workerview_start(d);     /* the master sets the load */
    } else if (app->capacity != NULL) {
        /* the search sets the load itself: no start panel; its view shows it */
        capacity_set_table(app->capacity, NULL);
        d->current = VIEW_CAPACITY;
        capacity_start(app->capacity);
    } else if (app->settings.autostart) {
        dash_start(d, app->settings.users, app->settings.spawn_rate);
    } else {
        panel_open_start(d);
    }
    draw(d, true);

    ev_run(app->loop, 0);

    ev_io_stop(app->loop, &d->input);
    ev_timer_stop(app->loop, &d->redraw);
    ev_timer_stop(app->loop, &d->autoquit);
    ev_timer_stop(app->loop, &d->print_stats);
    app_unwatch_signals(app);
    ev_signal_stop(app->loop, &d->sigwinch);
    runner_set_listener(d->runner, NULL, NULL);
    screen_off(d);
    log_set_sink(NULL, NULL);
    util_set_fatal_hook(NULL);
    crash_dash = NULL;
    for (i = 0; i < ARRAY_LEN(sigs); i++)
        signal(sigs[i], SIG_DFL);
    flush_log(d);
    if (app->capacity != NULL) {
        /* the step table the headless log would have had, for the scrollback */
        const struct capacity_result *r = capacity_result(app->capacity);

        capacity_print_header(stderr, r->load);
        for (i = 0; i < r->nsteps; i++)
            capacity_print_step(stderr, &r->steps[i]);
    }

    status = d->worker != NULL ? workerview_finish(d) : app_finish(app);

    if (d->keys != NULL && d->keys != stdin)
        fclose(d->keys);
    snapshot_release(d->snap);
    free(d->thresholds);
    free(d->rows_data);
    pthread_mutex_destroy(&d->log_lock);
    free(d);
    return status;
}

int
ui_run(struct app *app)
{
    return run(app, NULL);
}

int
ui_run_worker(struct app *app, struct locust_worker *w)
{
    return run(app, w);
}
