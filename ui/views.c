/*
 * views.c: the table of views (enum dash_view order: their tabs, their
 * draw functions, their own keys), the tab bar, and drawing the screen:
 * the header and footer (header.c) around the current view, or the
 * small-screen summary below 80x24.
 *
 * Layout (rows): 0-1 header, 2 tabs, 3 .. LINES-2 body, LINES-1 footer.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "view.h"

const struct view views[VIEW_COUNT] = {
    [VIEW_STATS] = { "Statistics", stats_view_draw, stats_view_key },
    [VIEW_CHARTS] = { "Charts", chart_view_draw, NULL },
    [VIEW_FAILURES] = { "Failures", fail_view_draw, NULL },
    [VIEW_PERCENTILES] = { "Percentiles", pct_view_draw, NULL },
    [VIEW_LOG] = { "Log", log_view_draw, log_view_key },
    [VIEW_CAPACITY] = { "Capacity", capacity_view_draw, NULL },
    [VIEW_HELP] = { "Help", help_view_draw, NULL },
};

/* The tab bar: the current view's tab stands out. */
static void
draw_tabs(struct dash *d)
{
    int x = 0, v, need = 0, gap;

    /* a space between tabs, unless 80 columns need it */
    for (v = 0; v < VIEW_COUNT; v++)
        need += (int)strlen(views[v].tab) + 5;
    gap = need <= COLS ? 1 : 0;
    move(2, 0);
    clrtoeol();
    for (v = 0; v < VIEW_COUNT && x < COLS; v++) {
        char tab[32];
        bool on = (int)d->current == v;

        snprintf(tab, sizeof(tab), on ? "[%d %s]" : " %d %s ", v + 1, views[v].tab);
        put(2, x, COLS - x, on ? d->theme.tab_active : (int)A_NORMAL, tab);
        x += (int)strlen(tab) + gap;
    }
    if (d->current == VIEW_STATS && x + 10 < COLS)
        put(2, x + 1, COLS - x - 1, d->theme.dim, "Tab: next view");
}

void
views_draw(struct dash *d)
{
    int top = 3, height = LINES - 4;

    if (COLS < DASH_MIN_COLS || LINES < DASH_MIN_LINES) {
        too_small_draw(d);
        return;
    }
    erase();
    header_draw(d);
    draw_tabs(d);
    if (d->mode == MODE_DETAIL)
        detail_view_draw(d, top, height);
    else
        views[d->current < VIEW_COUNT ? d->current : VIEW_HELP].draw(d, top, height);
    footer_draw(d);
    wnoutrefresh(stdscr);
}
