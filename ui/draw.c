/*
 * draw.c: the drawing helpers every view uses: text cut to a width, the
 * table layout (column widths, the columns a narrow terminal hides, a row
 * of cells), and the scroll position of a view.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "view.h"

void
put(int y, int x, int w, int attr, const char *text)
{
    if (w <= 0)
        return;
    attron(attr);
    mvaddnstr(y, x, text, w);
    attroff(attr);
}

void
putf(int y, int x, int w, int attr, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    put(y, x, w, attr, line);
}

/*
 * Choose the shown columns and their widths: widths hold the content
 * widths on entry; the flexible column gets at least min_flex and all the
 * width left (a wide terminal's spare width goes to the name). Returns the
 * flexible column's width.
 */
int
table_fit(struct tcol *c, int n, int flex, int min_flex, int avail)
{
    int used, i, rank;

    for (i = 0; i < n; i++)
        c[i].shown = true;
    for (rank = 1;; rank++) {
        bool any = false;

        used = 0;
        for (i = 0; i < n; i++)
            if (c[i].shown && i != flex)
                used += c[i].width + 1;
        if (used + min_flex <= avail)
            break;
        for (i = 0; i < n; i++) {
            if (c[i].hide_rank == rank) {
                c[i].shown = false;
                any = true;
            }
            if (c[i].hide_rank >= rank)
                any = true;
        }
        if (!any)
            break;
    }
    c[flex].width = avail - used;
    if (c[flex].width < 1)
        c[flex].width = 1;
    return c[flex].width;
}

/* Draw one row of cells (cells[i] for column i) at line y. */
void
table_row(int y, const struct tcol *c, int n, const char *const *cells, int attr)
{
    int x = 0, i;
    char buf[512];

    for (i = 0; i < n && x < COLS; i++) {
        int w = c[i].width;

        if (!c[i].shown)
            continue;
        if (w > (int)sizeof(buf) - 1)
            w = (int)sizeof(buf) - 1;
        if ((int)strlen(cells[i]) > w && c[i].left && w > 6) {
            /* cut in the middle: names differ at their ends (/v1/models/a/predict) */
            int len = (int)strlen(cells[i]), head = (w - 2) / 2, tail = w - 2 - head;

            snprintf(buf, sizeof(buf), "%.*s..%s", head, cells[i], cells[i] + len - tail);
        } else if ((int)strlen(cells[i]) > w && c[i].left && w > 2)
            snprintf(buf, sizeof(buf), "%.*s..", w - 2, cells[i]);
        else if (c[i].left)
            snprintf(buf, sizeof(buf), "%-*.*s", w, w, cells[i]);
        else
            snprintf(buf, sizeof(buf), "%*s", w, cells[i]);
        put(y, x, COLS - x, attr, buf);
        x += w + 1;
    }
}

/* Names of the columns a narrow terminal hides, for the title line. */
void
hidden_names(const struct tcol *c, int n, char *buf, size_t size)
{
    size_t used = 0;
    int i;

    buf[0] = '\0';
    for (i = 0; i < n; i++)
        if (!c[i].shown && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                                     c[i].head);
}

/* Clamp a view's scroll position to its rows and page. */
int
clamp_scroll(struct dash *d, enum dash_view v, int rows, int page)
{
    d->rows[v] = rows;
    d->page[v] = page;
    if (d->scroll[v] > rows - page)
        d->scroll[v] = rows - page;
    if (d->scroll[v] < 0)
        d->scroll[v] = 0;
    return d->scroll[v];
}

/* Move the current view's first row shown by delta (the Log view counts back from its newest). */
void
views_scroll(struct dash *d, int delta)
{
    long next = (long)d->scroll[d->current] + delta;

    /* the next draw clamps the top: the view knows its rows only then */
    if (next > (1L << 28))
        next = 1L << 28;
    if (next < 0)
        next = 0;
    d->scroll[d->current] = (int)next;
}
