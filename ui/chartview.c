/*
 * chartview.c: the Charts view, Locust's three charts over the run's time:
 * total RPS and failures/s, median and 95th percentile response time, and
 * the user count. The data is the statistics' per-second series (one
 * point a second, sampled by the runner).
 *
 * A chart is a grid of "pixels": with braille each character cell holds
 * 2x4 dots (U+2800 + one bit per dot), in ASCII one cell is one pixel.
 * Consecutive points are joined by straight segments, so the line stays
 * continuous whether there are fewer points than columns (stretched) or
 * many more (each column then shows the range it covers). The second line
 * of a chart is drawn dotted (braille) or with another character (ASCII),
 * so the two read apart without colour.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "units.h"
#include "util.h"
#include "view.h"

#define LABEL_W 7            /* y-axis labels, "12.3k" right-aligned, then the axis */

/* ASCII charts mark the first line with '*', the second with 'o'. */
static const char ascii_mark[2] = { '*', 'o' };

enum series_id {
    SERIES_RPS,
    SERIES_FAILS,
    SERIES_P50,
    SERIES_P95,
    SERIES_USERS,
};

struct plot {
    int w, h;                /* in cells */
    int pw, ph;              /* in pixels */
    bool braille;
    unsigned char *bits;     /* per cell: braille dots (or 1 for ASCII) */
    unsigned char *owner;    /* per cell: 1 = first line, 2 = second, 3 = both */
};

/* One value of a series point. */
static double
point_value(const struct stats_point *p, enum series_id id)
{
    switch (id) {
    case SERIES_RPS:
        return p->current_rps;
    case SERIES_FAILS:
        return p->current_fail_per_sec;
    case SERIES_P50:
        return p->p50_ms;
    case SERIES_P95:
        return p->p95_ms;
    case SERIES_USERS:
        return p->users;
    }
    return 0;
}

/* A compact number for axis labels: 950, 12.5, 1.2k, 3.4M. */
static void
fmt_num(char *buf, size_t size, double v)
{
    if (v >= 1e6)
        snprintf(buf, size, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, size, "%.0fk", v / 1e3);
    else if (v >= 1e3)
        snprintf(buf, size, "%.1fk", v / 1e3);
    else if (v >= 100 || v == floor(v))
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.1f", v);
}

/* Set one pixel (x right, y up) for line `which` (0 or 1). */
static void
plot_dot(struct plot *pl, int x, int y, int which)
{
    static const unsigned char dot[4][2] = {
        { 0x40, 0x80 },      /* bottom row of a cell */
        { 0x04, 0x20 },
        { 0x02, 0x10 },
        { 0x01, 0x08 },      /* top row */
    };
    int cx, cy;

    if (x < 0 || y < 0 || x >= pl->pw || y >= pl->ph)
        return;
    if (pl->braille) {
        cx = x / 2;
        cy = pl->h - 1 - y / 4;
        pl->bits[cy * pl->w + cx] |= dot[y % 4][x % 2];
    } else {
        cx = x;
        cy = pl->h - 1 - y;
        pl->bits[cy * pl->w + cx] = 1;
    }
    pl->owner[cy * pl->w + cx] |= (unsigned char)(1 << which);
}

/* A straight segment between two pixels; the second line is dotted in braille. */
static void
plot_segment(struct plot *pl, int x0, int y0, int x1, int y1, int which)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy, e2, step = 0;

    for (;;) {
        if (which == 0 || !pl->braille || step % 3 != 2)
            plot_dot(pl, x0, y0, which);
        step++;
        if (x0 == x1 && y0 == y1)
            break;
        e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

/* Append the UTF-8 form of a braille cell to buf. */
static size_t
braille_utf8(char *buf, unsigned char bits)
{
    unsigned cp = 0x2800u + bits;

    buf[0] = (char)(0xE0 | (cp >> 12));
    buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* The grid of a chart height rows high (the title and the time axis take 3). */
static void
plot_init(struct plot *pl, const struct dash *d, int height)
{
    pl->w = COLS - LABEL_W - 1;
    pl->h = height - 3;
    pl->braille = d->utf8 && !d->ascii_charts;
    pl->pw = pl->braille ? pl->w * 2 : pl->w;
    pl->ph = pl->braille ? pl->h * 4 : pl->h;
    pl->bits = xcalloc((size_t)pl->w * pl->h, 1);
    pl->owner = xcalloc((size_t)pl->w * pl->h, 1);
}

/* The title line: the title, then each line's label and latest value. */
static void
draw_legend(const struct dash *d, const struct plot *pl, int top, const char *title,
            const char *unit, const enum series_id *ids, const char *const *labels, int nseries)
{
    const struct stats *s = d->view;
    size_t n = s->nseries;
    char legend[256];
    int k, used;

    used = snprintf(legend, sizeof(legend), "%s", title);
    for (k = 0; k < nseries; k++) {
        char val[32];
        double v = n > 0 ? point_value(&s->series[n - 1], ids[k]) : 0;

        fmt_num(val, sizeof(val), v);
        if (pl->braille)
            used += snprintf(legend + used, sizeof(legend) - (size_t)used, "   %s %s%s (%s)",
                             labels[k], val, unit, k == 0 ? "solid" : "dotted");
        else
            used += snprintf(legend + used, sizeof(legend) - (size_t)used, "   %c %s %s%s",
                             ascii_mark[k], labels[k], val, unit);
    }
    attron(d->theme.title);
    mvaddnstr(top, 0, legend, COLS);
    attroff(d->theme.title);
}

/* The largest finite value of the chart's series over the run. */
static double
series_max(const struct stats *s, const enum series_id *ids, int nseries)
{
    double max = 0;
    size_t i;
    int k;

    for (i = 0; i < s->nseries; i++)
        for (k = 0; k < nseries; k++)
            if (isfinite(point_value(&s->series[i], ids[k])) &&
                point_value(&s->series[i], ids[k]) > max)
                max = point_value(&s->series[i], ids[k]);
    return max;
}

/*
 * The y axis beside the plot from row top: ticks at 1, 2 or 5 x 10^n
 * (whole numbers for users), at most one a row, and the corner and the
 * time axis' rule below. Returns the value at the top of the plot.
 */
static double
draw_y_axis(const struct plot *pl, int top, double max, bool whole)
{
    int max_ticks = pl->h - 1 < 5 ? pl->h - 1 : 5, last_row = -1, y;
    double step = units_tick_step(max, max_ticks, whole), top_v = units_tick_top(max, step), v;
    char buf[32];

    for (y = 0; y < pl->h; y++)
        mvaddch(top + y, LABEL_W - 1, '|');
    for (v = 0; v <= top_v + step / 2; v += step) {
        int row = pl->h - 1 - (int)lround(v / top_v * (pl->h - 1));

        if (row == last_row || row < 0)
            continue;
        last_row = row;
        fmt_num(buf, sizeof(buf), fabs(v) < step / 2 ? 0 : v);
        mvprintw(top + row, 0, "%*s", LABEL_W - 1, buf);
    }
    mvaddch(top + pl->h, LABEL_W - 1, '+');
    mvhline(top + pl->h, LABEL_W, '-', pl->w + 1 > COLS - LABEL_W ? COLS - LABEL_W : pl->w + 1);
    return top_v;
}

/*
 * One series as line `which` (0 or 1) on the grid: a point per second
 * spread over the width, joined by segments, cut at top_v.
 */
static void
plot_series(struct plot *pl, const struct stats *s, enum series_id id, int which, double top_v)
{
    size_t n = s->nseries, i;
    int px = 0, py = 0;

    for (i = 0; i < n; i++) {
        double v = point_value(&s->series[i], id);
        int x1 = n > 1 ? (int)((double)i * (pl->pw - 1) / (double)(n - 1)) : 0;
        int y1;

        if (!isfinite(v) || v < 0)
            v = 0;
        if (v > top_v)
            v = top_v;
        y1 = (int)lround(v / top_v * (pl->ph - 1));

        if (i == 0)
            plot_dot(pl, x1, y1, which);
        else
            plot_segment(pl, px, py, x1, y1, which);
        px = x1;
        py = y1;
    }
}

/* The grid's cells on the screen from row top, each in its line's colour. */
static void
paint_plot(const struct dash *d, const struct plot *pl, int top)
{
    int x, y;

    for (y = 0; y < pl->h; y++) {
        for (x = 0; x < pl->w; x++) {
            unsigned char bits = pl->bits[y * pl->w + x], own = pl->owner[y * pl->w + x];
            int attr = d->theme.series[own & 1 ? 0 : 1];

            if (bits == 0)
                continue;
            attron(attr);
            if (pl->braille) {
                char cell[4];

                cell[braille_utf8(cell, bits)] = '\0';
                mvaddstr(top + y, LABEL_W + x, cell);
            } else {
                mvaddch(top + y, LABEL_W + x, (chtype)(own & 1 ? ascii_mark[0] : ascii_mark[1]));
            }
            attroff(attr);
        }
    }
}

/* The time labels on row y: start, middle and end of the run so far. */
static void
draw_time_labels(const struct plot *pl, const struct stats *s, int y)
{
    size_t n = s->nseries;
    double span = n > 1 ? (double)(s->series[n - 1].sec - s->series[0].sec) : 0;
    double t0 = n > 0 ? (double)s->series[0].sec - s->start_time : 0;
    char t[3][32];
    int len;

    if (t0 < 0)
        t0 = 0;
    units_format_clock(t0, t[0], sizeof(t[0]));
    units_format_clock(t0 + span / 2, t[1], sizeof(t[1]));
    units_format_clock(t0 + span, t[2], sizeof(t[2]));
    move(y, 0);
    clrtoeol();
    mvaddstr(y, LABEL_W, t[0]);
    len = (int)strlen(t[1]);
    if (span > 0 && pl->w > 30)
        mvaddstr(y, LABEL_W + pl->w / 2 - len / 2, t[1]);
    len = (int)strlen(t[2]);
    mvaddstr(y, LABEL_W + pl->w - len, t[2]);
    if (pl->w > 40)
        mvaddstr(y, LABEL_W + (int)strlen(t[0]) + 2, "(run time, m:ss)");
}

/*
 * One chart in rows top .. top+height-1: a title with the legend and the
 * latest values, the plot with y labels, the time axis and its labels.
 * The first series is drawn last, so it shows where the lines cross.
 */
static void
draw_chart(struct dash *d, int top, int height, const char *title, const char *unit,
           const enum series_id *ids, const char *const *labels, int nseries, bool whole)
{
    const struct stats *s = d->view;
    struct plot pl;
    double top_v;
    int k;

    if (height < 4)
        return;
    plot_init(&pl, d, height);
    draw_legend(d, &pl, top, title, unit, ids, labels, nseries);
    top_v = draw_y_axis(&pl, top + 1, series_max(s, ids, nseries), whole);
    if (s->nseries == 0) {
        mvaddnstr(top + 1 + pl.h / 2, LABEL_W + 2, "(waiting for data: one point a second)",
                  pl.w - 2);
    } else {
        for (k = nseries - 1; k >= 0; k--)
            plot_series(&pl, s, ids[k], k, top_v);
        paint_plot(d, &pl, top + 1);
    }
    draw_time_labels(&pl, s, top + 2 + pl.h);
    free(pl.bits);
    free(pl.owner);
}

void
chart_view_draw(struct dash *d, int top, int height)
{
    static const enum series_id rps[] = { SERIES_RPS, SERIES_FAILS };
    static const char *const rps_labels[] = { "RPS", "Failures/s" };
    static const enum series_id times[] = { SERIES_P95, SERIES_P50 };
    static const char *const time_labels[] = { "95th percentile", "Median" };
    static const enum series_id users[] = { SERIES_USERS };
    static const char *const user_labels[] = { "Users" };
    int h1 = height / 3, h2 = height / 3, h3 = height - h1 - h2;

    draw_chart(d, top, h1, "Total Requests per Second:", "", rps, rps_labels, 2, false);
    draw_chart(d, top + h1, h2, "Response Times (ms):", " ms", times, time_labels, 2, false);
    draw_chart(d, top + h1 + h2, h3, "Number of Users:", "", users, user_labels, 1, true);
}
