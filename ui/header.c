/*
 * header.c: what is drawn around the views: the two header lines (state,
 * users, time, host; rates, the generator's own load, the thresholds), the
 * footer (a message, the last warning, or the keys' hints), and the screen
 * that stands for all of it below 80x24.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "secret.h"
#include "threshold.h"
#include "units.h"
#include "util.h"
#include "view.h"

/* Line 0, who and where: the state, users (and the shape's stage), elapsed and left, the host. */
static void
draw_who(struct dash *d)
{
    const struct runner *r = d->runner;
    enum runner_state st = runner_state(r);
    char elapsed[32], left[48], line[512], stage[96] = "";
    double remaining = runner_remaining(r);
    int state_attr = st == RUNNER_RUNNING ? d->theme.good
                     : st == RUNNER_SPAWNING || st == RUNNER_STOPPING ? d->theme.busy
                                                                      : d->theme.header;
    int x;

    units_format_clock(runner_elapsed(r), elapsed, sizeof(elapsed));
    if (remaining < 0) {
        snprintf(left, sizeof(left), "no limit");
    } else {
        char clock[32];

        units_format_clock(remaining, clock, sizeof(clock));
        snprintf(left, sizeof(left), "%s left", clock);
    }
    attron(d->theme.header);
    mvhline(0, 0, ' ', COLS);
    attroff(d->theme.header);
    put(0, 0, COLS, d->theme.header | A_BOLD, " cicada ");
    x = 8;
    attron(d->theme.header);
    mvaddstr(0, x, " ");
    attroff(d->theme.header);
    put(0, x + 1, COLS - x - 1, st == RUNNER_READY || st == RUNNER_STOPPED ? d->theme.header | A_BOLD
                                                                          : state_attr | A_REVERSE,
        runner_state_name(st));
    x += 2 + (int)strlen(runner_state_name(st));
    /* with a load shape: "  stage 2/3" */
    if (runner_shape_status(r, stage + 2, sizeof(stage) - 2) != NULL) {
        stage[0] = stage[1] = ' ';
        stage[strcspn(stage, ":")] = '\0';
    }
    snprintf(line, sizeof(line), "  users %u/%u%s  elapsed %s  %s  host %s",
             runner_user_count(r), runner_target_users(r), stage, elapsed, left,
             d->app->settings.host != NULL ? d->app->settings.host : "(per task)");
    secret_redact(line); /* host = ${URL} */
    put(0, x, COLS - x, d->theme.header, line);
    if (d->worker != NULL)
        workerview_header(d); /* line 0 shows the session with the Locust master */
}

/*
 * Line 1, rates and the generator itself: RPS, failures, throttling,
 * resent requests, the open model's arrivals, CPU and fds, and a warning
 * when one thread of cicada is saturated. Returns the column after it.
 */
static int
draw_rates(struct dash *d)
{
    const struct runner *r = d->runner;
    const struct stats *s = d->view;
    char line[512], cpu[96], fds[32], throttled[48] = "";
    int x;

    if (d->app->selfmon.open_fds >= 0)
        snprintf(fds, sizeof(fds), "fds %d", d->app->selfmon.open_fds);
    else
        snprintf(fds, sizeof(fds), "fds ?");
    snprintf(cpu, sizeof(cpu), "CPU %.0f%%", d->app->selfmon.cpu_percent);
    /* failures by throttling (429, 503, AWS throttling), once there are some */
    if (s->total.num_throttled > 0)
        snprintf(throttled, sizeof(throttled), "  throttled %.1f%%",
                 stats_throttle_ratio(&s->total) * 100.0);
    snprintf(line, sizeof(line), " RPS %.1f  failures/s %.1f  failures %.1f%%%s  %s  %s",
             stats_current_rps(s, &s->total), stats_current_fail_per_sec(s, &s->total),
             stats_fail_ratio(&s->total) * 100.0, throttled, cpu, fds);
    if (s->total.num_resent > 0) {
        size_t used = strlen(line);

        snprintf(line + used, sizeof(line) - used, "  resent %llu",
                 (unsigned long long)s->total.num_resent);
    }
    if (runner_open(r)) {
        /* the open model: the rate offered and the arrivals no free user could take */
        size_t used = strlen(line);

        snprintf(line + used, sizeof(line) - used, "  arrivals %.4g/s  dropped %llu",
                 runner_arrival_rate(r), (unsigned long long)s->dropped);
    }
    move(1, 0);
    clrtoeol();
    put(1, 0, COLS, s->total.num_failures > 0 ? d->theme.bad : (int)A_BOLD, line);
    x = (int)strlen(line);
    if (selfmon_saturated(&d->app->selfmon) && x + 2 < COLS) {
        putf(1, x + 2, COLS - x - 2, d->theme.bad | A_REVERSE,
             "! CPU %.0f%% in one thread: cicada may be the bottleneck",
             d->app->selfmon.cpu_busiest);
        x = COLS;
    }
    return x;
}

/* The thresholds, live, on line 1 from column x: how many hold, and the first that does not. */
static void
draw_thresholds(struct dash *d, int x)
{
    const struct stats *s = d->view;
    const struct settings *set = &d->app->settings;
    const struct threshold *first = NULL;
    const struct threshold_result *first_res = NULL;
    char value[64];
    size_t failed, i;

    if (set->nthresholds == 0 || x + 4 >= COLS || s->total.num_requests == 0)
        return;
    failed = app_eval_thresholds(d->app, s, d->thresholds);
    for (i = 0; i < set->nthresholds && first == NULL; i++)
        if (!d->thresholds[i].passed) {
            first = &set->thresholds[i];
            first_res = &d->thresholds[i];
        }
    if (first == NULL) {
        putf(1, x + 2, COLS - x - 2, d->theme.good, "thresholds %zu/%zu pass",
             set->nthresholds, set->nthresholds);
    } else {
        putf(1, x + 2, COLS - x - 2, d->theme.bad | A_REVERSE,
             "thresholds %zu/%zu pass, FAIL %s: %s", set->nthresholds - failed,
             set->nthresholds, first->text,
             threshold_format_value(first, first_res, value, sizeof(value)));
    }
}

void
header_draw(struct dash *d)
{
    draw_who(d);
    draw_thresholds(d, draw_rates(d));
}

/* The footer: a message for a few seconds, else a warning of the last 10 s, else the keys. */
void
footer_draw(struct dash *d)
{
    enum runner_state st = runner_state(d->runner);
    const char *hint;
    char last[256];
    int level;
    double when;

    pthread_mutex_lock(&d->log_lock);
    snprintf(last, sizeof(last), "%s", d->log_last);
    level = d->log_last_level;
    when = d->log_last_time;
    pthread_mutex_unlock(&d->log_lock);

    move(LINES - 1, 0);
    clrtoeol();
    if (d->message[0] != '\0') {
        put(LINES - 1, 0, COLS, A_BOLD, d->message);
        return;
    }
    if (level >= LOG_WARNING && last[0] != '\0' && time_mono() - when < 10.0) {
        char line[300];

        snprintf(line, sizeof(line), "%s%s", last, d->current == VIEW_LOG ? "" : "  (5: Log)");
        put(LINES - 1, 0, COLS, d->theme.bad, line);
        return;
    }
    if (st == RUNNER_SPAWNING || st == RUNNER_RUNNING)
        hint = "s stop  e edit  +/- users  r reset  1-7/Tab views  < > sort  ? help  q quit";
    else if (st == RUNNER_STOPPING)
        hint = "stopping: s or q abandons the requests in flight";
    else
        hint = "s start  n new test  r reset  1-7/Tab views  < > sort  ? help  q quit";
    if (d->worker != NULL)
        hint = workerview_hint();
    put(LINES - 1, 0, COLS, d->theme.dim, hint);
}

/*
 * Below 80x24 the views do not fit: show the essentials (state, users,
 * elapsed time, RPS, requests and failures), say what size the full
 * dashboard needs, and keep the keys' hints; a dialog shows as one line
 * at the bottom (panel.c), so q, its question and y work as on a large screen.
 */
void
too_small_draw(struct dash *d)
{
    const struct runner *r = d->runner;
    const struct stats *s = d->view;
    enum runner_state st = runner_state(r);
    char elapsed[32], line[128];
    int y = 0, len;

    erase();
    units_format_clock(runner_elapsed(r), elapsed, sizeof(elapsed));
    putf(y++, 0, COLS, d->theme.header | A_BOLD, "cicada %s", runner_state_name(st));
    putf(y++, 0, COLS, A_NORMAL, "users %u/%u  elapsed %s", runner_user_count(r),
         runner_target_users(r), elapsed);
    putf(y++, 0, COLS, A_BOLD, "RPS %.1f  failures/s %.1f", stats_current_rps(s, &s->total),
         stats_current_fail_per_sec(s, &s->total));
    putf(y++, 0, COLS, s->total.num_failures > 0 ? d->theme.bad : (int)A_NORMAL,
         "requests %llu  failures %llu (%.1f%%)", (unsigned long long)s->total.num_requests,
         (unsigned long long)s->total.num_failures, stats_fail_ratio(&s->total) * 100.0);
    y++;
    len = snprintf(line, sizeof(line), "terminal too small: have %dx%d, need %dx%d", COLS, LINES,
                   DASH_MIN_COLS, DASH_MIN_LINES);
    if (y < LINES - 1)
        mvaddnstr(y++, 0, line, COLS);
    (void)len;
    if (y < LINES - 1)
        put(y, 0, COLS, d->theme.dim, "for the full dashboard");
    if (d->message[0] != '\0')
        put(LINES - 1, 0, COLS, A_BOLD, d->message);
    else if (d->worker != NULL)
        put(LINES - 1, 0, COLS, d->theme.dim, "the Locust master drives  q leave");
    else
        put(LINES - 1, 0, COLS, d->theme.dim,
            st == RUNNER_SPAWNING || st == RUNNER_RUNNING ? "s stop  +/- users  q quit"
            : st == RUNNER_STOPPING                       ? "stopping: s or q abandons"
                                                          : "s start  q quit");
    wnoutrefresh(stdscr);
}
