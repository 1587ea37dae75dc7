/*
 * capview.c: the Capacity view (--find-capacity): what the search is set
 * to do, the step under way (its load, how far into it, warm-up or
 * measuring), the result once decided (MAX_RPS, the load and concurrency
 * it took, the latency there, SageMakerVariantInvocationsPerInstance and
 * the one-line verdict), a row per finished step, and p95 latency against
 * achieved throughput, one mark per step.
 *
 * It reads the search through capacity.h only (the result and its steps,
 * capacity_live); the main loop that grows the step list runs on this
 * same thread, so reading it here needs no lock.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "capacity.h"
#include "threshold.h"
#include "util.h"
#include "view.h"

/* printf into a line at (y, x), cut to w columns. */
static void PRINTFLIKE(5, 6)
cput(int y, int x, int w, int attr, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (w <= 0)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    attron(attr);
    mvaddnstr(y, x, line, w);
    attroff(attr);
}

/* text from line y, wrapped at spaces over at most max lines, later ones indented; next y. */
static int
cwrap(int y, int max, int attr, const char *text)
{
    const char *p = text;
    int n = 0, indent = 0;

    while (*p != '\0' && n < max) {
        int w = COLS - indent, len = (int)strlen(p), cut = len;

        if (len > w) {
            cut = w;
            while (cut > w / 2 && p[cut] != ' ')
                cut--;
            if (p[cut] != ' ')
                cut = w;
        }
        attron(attr);
        mvaddnstr(y + n, indent, p, cut);
        attroff(attr);
        p += cut;
        while (*p == ' ')
            p++;
        n++;
        indent = 4;
    }
    return y + n;
}

/* "x1.25" or "+10". */
static void
step_text(const struct capacity_conf *c, char *buf, size_t size)
{
    snprintf(buf, size, "%s%g", c->step_mult ? "x" : "+", c->step);
}

/* The search's settings: one line, and its limits on a second. */
static int
draw_settings(struct dash *d, int y, const struct capacity_conf *c)
{
    const char *unit = c->load == CAPACITY_USERS ? "users" : "req/s";
    char step[32], limits[512];
    size_t used = 0, i;

    step_text(c, step, sizeof(step));
    snprintf(limits, sizeof(limits), "Capacity search: load = %s, %g to %g %s, step %s, %gs a "
             "step (%gs warm-up), refine %u", capacity_load_name(c->load), c->start, c->max, unit,
             step, c->step_time, c->warmup, c->refine);
    y = cwrap(y, 2, d->theme.title, limits);
    limits[0] = '\0';
    for (i = 0; i < c->nlimits && used < sizeof(limits); i++)
        used += (size_t)snprintf(limits + used, sizeof(limits) - used, "%s%s", used ? "; " : "",
                                 c->limits[i].text);
    for (i = 0; i < c->nrelative && used < sizeof(limits); i++)
        used += (size_t)snprintf(limits + used, sizeof(limits) - used, "%s%s", used ? "; " : "",
                                 c->relative[i].text);
    if (c->load == CAPACITY_USERS)
        cput(y++, 0, COLS, A_NORMAL, "  limits: %s; achieved at least %.0f%% of offered, "
             "gaining at least %.0f%% a step", limits[0] != '\0' ? limits : "none",
             c->min_ratio * 100, c->min_gain * 100);
    else
        cput(y++, 0, COLS, A_NORMAL, "  limits: %s; achieved at least %.0f%% of offered",
             limits[0] != '\0' ? limits : "none", c->min_ratio * 100);
    return y;
}

/* The step under way, or the result. */
static int
draw_state(struct dash *d, int y, const struct capacity_result *r)
{
    struct capacity_live live;
    const char *unit = r->load == CAPACITY_USERS ? "users" : "req/s offered";

    if (capacity_live(d->app->capacity, &live)) {
        double measured = live.step_time - live.warmup;

        if (live.measuring)
            cput(y++, 0, COLS, d->theme.good,
                 "Step %u%s under way: %.4g %s, %.0f of %gs, measuring (%.0f of %gs)", live.step,
                 live.refine ? " (refining)" : "", live.load, unit, live.elapsed, live.step_time,
                 live.elapsed - live.warmup > 0 ? live.elapsed - live.warmup : 0, measured);
        else
            cput(y++, 0, COLS, d->theme.busy,
                 "Step %u%s under way: %.4g %s, %.0f of %gs, warm-up (not measured)",
                 live.step, live.refine ? " (refining)" : "", live.load, unit, live.elapsed,
                 live.step_time);
        cput(y++, 0, COLS, A_NORMAL, "  now: %.1f req/s, %.1f failures/s",
             stats_current_rps(d->view, &d->view->total),
             stats_current_fail_per_sec(d->view, &d->view->total));
        return y;
    }
    if (r->outcome == CAPACITY_RUNNING) {
        cput(y++, 0, COLS, d->theme.dim, "The search has not started (or was stopped).");
        return y;
    }
    if (r->outcome == CAPACITY_FOUND && r->best != NULL) {
        const struct capacity_step *b = r->best;

        cput(y++, 0, COLS, d->theme.good | A_REVERSE, "MAX_RPS %.1f req/s", r->max_rps);
        cput(y++, 0, COLS, A_NORMAL,
             "  at %.4g %s, concurrency %.1f; p50 %.0f ms, p95 %.0f ms, p99 %.0f ms",
             b->load, unit, b->concurrency, b->p50_ms, b->p95_ms, b->p99_ms);
        cput(y++, 0, COLS, A_BOLD, "  SageMakerVariantInvocationsPerInstance = %.1f x %g x 60 = %.0f",
             r->max_rps, r->safety_factor, r->invocations_per_instance);
    } else {
        cput(y++, 0, COLS, d->theme.bad | A_REVERSE, "No MAX_RPS: %s",
             capacity_outcome_name(r->outcome));
    }
    {
        char line[600];

        snprintf(line, sizeof(line), "  verdict: %s", r->verdict);
        y = cwrap(y, 3, A_NORMAL, line);
    }
    return y;
}

/* The step table (scrolls); returns the next free line. */
static int
draw_steps(struct dash *d, int y, int rows, const struct capacity_result *r)
{
    int first, page = rows - 1, k;
    bool wide = COLS >= 110;

    if ((int)r->nsteps > page)
        page--;              /* a line to say which steps show */
    if (page < 1)
        return y;
    d->rows[VIEW_CAPACITY] = (int)r->nsteps;
    d->page[VIEW_CAPACITY] = page;
    if (d->scroll[VIEW_CAPACITY] > (int)r->nsteps - page)
        d->scroll[VIEW_CAPACITY] = (int)r->nsteps - page;
    if (d->scroll[VIEW_CAPACITY] < 0)
        d->scroll[VIEW_CAPACITY] = 0;
    first = d->scroll[VIEW_CAPACITY];
    if (wide)
        cput(y++, 0, COLS, A_BOLD, "%-5s %8s %8s %8s %6s %6s %6s %6s %6s %s", "Step",
             r->load == CAPACITY_USERS ? "Users" : "Rate", "Offered", "Achieved", "p50", "p95",
             "p99", "Fail%", "Thr%", "Verdict: why");
    else
        cput(y++, 0, COLS, A_BOLD, "%-4s %7s %7s %8s %5s %6s %5s %s", "Step",
             r->load == CAPACITY_USERS ? "Users" : "Rate", "Offered", "Achieved", "p95", "Fail%",
             "Thr%", "Verdict: why (p50, p99: wider)");
    if (r->nsteps == 0) {
        cput(y++, 0, COLS, d->theme.dim, "(no step finished yet)");
        return y;
    }
    for (k = 0; k < page && first + k < (int)r->nsteps; k++) {
        const struct capacity_step *st = &r->steps[first + k];
        char step[16];
        int attr = st->verdict == STEP_PASS ? (int)A_NORMAL : d->theme.bad;

        if (st == r->best)
            attr = d->theme.good;
        snprintf(step, sizeof(step), "%u%s", st->index, st->refine ? "r" : "");
        if (wide)
            cput(y++, 0, COLS, attr, "%-5s %8.4g %8.1f %8.1f %6.0f %6.0f %6.0f %6.2f %6.2f %s: %s",
                 step, st->load, st->offered, st->achieved, st->p50_ms, st->p95_ms, st->p99_ms,
                 st->fail_ratio * 100, st->throttle_ratio * 100,
                 capacity_verdict_name(st->verdict), st->why);
        else
            cput(y++, 0, COLS, attr, "%-4s %7.4g %7.1f %8.1f %5.0f %6.2f %5.1f %s: %s", step,
                 st->load, st->offered, st->achieved, st->p95_ms, st->fail_ratio * 100,
                 st->throttle_ratio * 100, capacity_verdict_name(st->verdict), st->why);
    }
    if ((int)r->nsteps > page)
        cput(y++, 0, COLS, d->theme.dim, "-- steps %d-%d of %zu (Up/Down, PgUp/PgDn) --",
             first + 1, first + k, r->nsteps);
    return y;
}

/* p95 latency (up) against achieved req/s (right): o a passing step, x another, * MAX_RPS. */
static void
draw_chart(struct dash *d, int top, int height, const struct capacity_result *r)
{
    int w = COLS - 10, h = height - 2, x, y;
    double xmax = 0, ymax = 0;
    size_t i;

    if (h < 4 || w < 20 || r->nsteps == 0)
        return;
    for (i = 0; i < r->nsteps; i++) {
        if (r->steps[i].achieved > xmax)
            xmax = r->steps[i].achieved;
        if (r->steps[i].p95_ms > ymax)
            ymax = r->steps[i].p95_ms;
    }
    xmax = xmax > 0 ? xmax * 1.05 : 1;
    ymax = ymax > 0 ? ymax * 1.1 : 1;
    cput(top, 0, COLS, d->theme.title,
         "p95 latency (ms) against achieved req/s: o pass, x fail, * MAX_RPS");
    for (y = 0; y < h; y++) {
        if (y == 0)
            cput(top + 1 + y, 0, 8, A_NORMAL, "%7.0f", ymax);
        else if (y == h - 1)
            cput(top + 1 + y, 0, 8, A_NORMAL, "%7d", 0);
        mvaddch(top + 1 + y, 8, '|');
    }
    mvaddch(top + 1 + h, 8, '+');
    for (x = 0; x < w; x++)
        mvaddch(top + 1 + h, 9 + x, '-');
    cput(top + 1 + h, 10, 4, A_NORMAL, "0");
    {
        char right[32];
        int len = snprintf(right, sizeof(right), "%.0f req/s", xmax);

        cput(top + 1 + h, 9 + w - len, len, A_NORMAL, "%s", right);
    }
    for (i = 0; i < r->nsteps; i++) {
        const struct capacity_step *st = &r->steps[i];
        int px = (int)lround(st->achieved / xmax * (w - 1));
        int py = h - 1 - (int)lround(st->p95_ms / ymax * (h - 1));
        char mark = &r->steps[i] == r->best ? '*' : st->verdict == STEP_PASS ? 'o' : 'x';

        if (px < 0 || px >= w || py < 0 || py >= h)
            continue;
        attron(mark == 'x' ? d->theme.bad : mark == '*' ? d->theme.good : (int)A_BOLD);
        mvaddch(top + 1 + py, 9 + px, (chtype)mark);
        attroff(mark == 'x' ? d->theme.bad : mark == '*' ? d->theme.good : (int)A_BOLD);
    }
}

void
capacity_view_draw(struct dash *d, int top, int height)
{
    const struct capacity_result *r;
    int y = top, bottom = top + height, table_rows;

    if (d->app->capacity == NULL || d->app->capacity_conf == NULL) {
        cput(y++, 0, COLS, d->theme.title, "Capacity");
        cput(y++, 0, COLS, A_NORMAL,
             "No capacity search in this run: start cicada with --find-capacity (or mode = "
             "capacity in [run]) to find");
        cput(y++, 0, COLS, A_NORMAL,
             "the highest req/s one instance holds within its limits; [capacity] in "
             "cicada.ini(5) sets the steps.");
        return;
    }
    r = capacity_result(d->app->capacity);
    y = draw_settings(d, y, d->app->capacity_conf);
    y = draw_state(d, y, r);
    y++;
    /* the table takes what it needs, the chart the rest when it has room for 8 lines */
    table_rows = (int)r->nsteps + 2;
    if (bottom - y - table_rows < 9)
        table_rows = bottom - y;
    y = draw_steps(d, y, table_rows, r);
    if (bottom - y >= 9)
        draw_chart(d, y + 1, bottom - y - 1, r);
}
