/*
 * view.h: what the dashboard's views share (private to ui/): the table of
 * views the tab bar and the keys go by, each view's draw function, and the
 * drawing helpers of draw.c (text cut to a width, the table layout, the
 * scroll clamp).
 *
 * Layout (rows): 0-1 header, 2 tabs, 3 .. LINES-2 body, LINES-1 footer.
 */
#ifndef CICADA_VIEW_H
#define CICADA_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "dash.h"

/* One view: its tab, how it draws its body, and the keys only it takes. */
struct view {
    const char *tab;         /* the tab bar's name ("Statistics") */
    /* draw the body in rows top .. top+height-1 */
    void (*draw)(struct dash *d, int top, int height);
    /* a key of its own (moving around); false: not taken */
    bool (*key)(struct dash *d, int key);
};

/* views.c: the views in tab order (enum dash_view). */
extern const struct view views[VIEW_COUNT];

/* ---- the views (one module each) ---- */

/* statsview.c: Statistics; Enter opens detailview.c on the selected row */
void stats_view_draw(struct dash *d, int top, int height);
bool stats_view_key(struct dash *d, int key);
/* detailview.c: one Statistics entry in full (MODE_DETAIL) */
void detail_view_draw(struct dash *d, int top, int height);
/* chartview.c */
void chart_view_draw(struct dash *d, int top, int height);
/* failview.c */
void fail_view_draw(struct dash *d, int top, int height);
/* pctview.c */
void pct_view_draw(struct dash *d, int top, int height);
/* logview.c: follows its newest line; the keys scroll back */
void log_view_draw(struct dash *d, int top, int height);
bool log_view_key(struct dash *d, int key);
/* capview.c */
void capacity_view_draw(struct dash *d, int top, int height);
/* helpview.c */
void help_view_draw(struct dash *d, int top, int height);

/* header.c: the two header lines, the footer, and the screen below 80x24 */
void header_draw(struct dash *d);
void footer_draw(struct dash *d);
void too_small_draw(struct dash *d);

/* ---- draw.c: drawing helpers ---- */

/* Cells of the tables are at most this long. */
#define CELL 32

/* Write text at (y, x), cut to at most w columns (text is ASCII or UTF-8 braille). */
void put(int y, int x, int w, int attr, const char *text);
/* printf into a line at (y, x), cut to w columns. */
void putf(int y, int x, int w, int attr, const char *fmt, ...) PRINTFLIKE(5, 6);

/*
 * Tables share one layout rule: each column is as wide as its widest cell
 * over every row (so scrolling never makes columns jump), one flexible
 * column (the name) takes what is left, and when the terminal is too
 * narrow the least needed columns are hidden, in a fixed order, and named
 * in the view's title line.
 */
struct tcol {
    const char *head;
    bool left;               /* left-aligned (text) */
    int hide_rank;           /* 0: never hidden; 1 is hidden first, then 2, ... */
    int width;
    bool shown;
};

/*
 * Choose the shown columns and their widths: widths hold the content
 * widths on entry; the flexible column gets at least min_flex and all the
 * width left (a wide terminal's spare width goes to the name). Returns the
 * flexible column's width.
 */
int table_fit(struct tcol *c, int n, int flex, int min_flex, int avail);
/* Draw one row of cells (cells[i] for column i) at line y. */
void table_row(int y, const struct tcol *c, int n, const char *const *cells, int attr);
/* Names of the columns a narrow terminal hides, for the title line. */
void hidden_names(const struct tcol *c, int n, char *buf, size_t size);
/* Clamp a view's scroll position to its rows and page; returns the first row shown. */
int clamp_scroll(struct dash *d, enum dash_view v, int rows, int page);

#endif
