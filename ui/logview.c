/*
 * logview.c: the Log view: the log lines kept while the screen is ours
 * (warnings included), newest last, following new lines unless scrolled
 * back; ui.c keeps them and prints them to stderr when the dashboard closes.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "view.h"

void
log_view_draw(struct dash *d, int top, int height)
{
    int page = height - 1, rows, back, first, k;
    size_t dropped;

    pthread_mutex_lock(&d->log_lock);
    rows = (int)d->log_count;
    dropped = d->log_dropped;
    d->rows[VIEW_LOG] = rows;
    d->page[VIEW_LOG] = page;
    back = d->scroll[VIEW_LOG];
    if (back > rows - page)
        back = rows - page;
    if (back < 0)
        back = 0;
    d->scroll[VIEW_LOG] = back;
    first = rows - page - back;
    if (first < 0)
        first = 0;
    putf(top, 0, COLS, d->theme.title, "Log: %d line%s%s, newest last%s", rows,
         rows == 1 ? "" : "s", dropped > 0 ? " kept" : "",
         back > 0 ? " (scrolled back: End follows new lines)"
                  : rows > page ? " (Up/PgUp/Home scroll back)" : "");
    if (rows == 0)
        put(top + 1, 0, COLS, d->theme.dim, "(no log lines yet)");
    for (k = 0; k < page && first + k < rows; k++) {
        const char *line = d->log[(d->log_head + (size_t)(first + k)) % DASH_LOG_LINES];
        bool warn = strstr(line, "/WARNING/") != NULL || strstr(line, "/ERROR/") != NULL ||
                    strstr(line, "/CRITICAL/") != NULL;

        put(top + 1 + k, 0, COLS, warn ? d->theme.bad : (int)A_NORMAL, line);
    }
    pthread_mutex_unlock(&d->log_lock);
}

/* Its place counts back from the newest line (0 follows new lines): the keys move it backwards. */
bool
log_view_key(struct dash *d, int key)
{
    int page = d->page[VIEW_LOG] > 1 ? d->page[VIEW_LOG] - 1 : 1;

    switch (key) {
    case KEY_UP:
        views_scroll(d, 1);
        return true;
    case KEY_DOWN:
        views_scroll(d, -1);
        return true;
    case KEY_PPAGE:
        views_scroll(d, page);
        return true;
    case KEY_NPAGE:
        views_scroll(d, -page);
        return true;
    case KEY_HOME:
        d->scroll[VIEW_LOG] = 1 << 28;
        return true;
    case KEY_END:
        d->scroll[VIEW_LOG] = 0;
        return true;
    default:
        return false;
    }
}
