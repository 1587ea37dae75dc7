/*
 * views.c: what the dashboard shows around and inside the body: the two
 * header lines, the tab bar, the footer, and the table views (Statistics,
 * Failures, Percentiles) and Help. Tables share one layout rule: each
 * column is as wide as its widest cell over every row (so scrolling never
 * makes columns jump), one flexible column (the name) takes what is left,
 * and when the terminal is too narrow the least needed columns are hidden,
 * in a fixed order, and named in the view's title line.
 *
 * Layout (rows): 0-1 header, 2 tabs, 3 .. LINES-2 body, LINES-1 footer.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "dash.h"
#include "threshold.h"
#include "secret.h"
#include "util.h"

#define CELL 32

/* ---- small drawing helpers ---- */

/* Write text at (y, x), cut to at most w columns (text is ASCII or UTF-8 braille). */
static void
put(int y, int x, int w, int attr, const char *text)
{
    if (w <= 0)
        return;
    attron(attr);
    mvaddnstr(y, x, text, w);
    attroff(attr);
}

/* printf into a line at (y, x), cut to w columns. */
static void PRINTFLIKE(5, 6)
putf(int y, int x, int w, int attr, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    put(y, x, w, attr, line);
}

/* Seconds as h:mm:ss or m:ss. */
static void
fmt_clock(char *buf, size_t size, double seconds)
{
    long s = seconds > 0 ? (long)seconds : 0;

    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

/* ---- the table layout ---- */

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
static int
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
static void
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
static void
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
static int
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

void
views_scroll(struct dash *d, int delta)
{
    long next;

    /* the Log view keeps its place counted from the newest line (0 follows it) */
    if (d->current == VIEW_LOG)
        delta = -delta;
    next = (long)d->scroll[d->current] + delta;

    /* the next draw clamps the top: the view knows its rows only then */
    if (next > (1L << 28))
        next = 1L << 28;
    if (next < 0)
        next = 0;
    d->scroll[d->current] = (int)next;
}

/* ---- Statistics ---- */

/* The selected entry's position in display order (the first row if none); -1: no rows. */
static int
selected_row(struct dash *d)
{
    size_t i;

    if (d->nrows_data == 0)
        return -1;
    for (i = 0; i < d->nrows_data; i++)
        if (d->rows_data[i].e - d->view.entries == d->sel_entry)
            return (int)i;
    d->sel_entry = (int)(d->rows_data[0].e - d->view.entries);
    return 0;
}

void
views_select(struct dash *d, int delta, bool page)
{
    int row = selected_row(d), n = (int)d->nrows_data;
    long next;

    if (row < 0)
        return;
    next = (long)row + delta;
    if (next > n - 1)
        next = n - 1;
    if (next < 0)
        next = 0;
    d->sel_entry = (int)(d->rows_data[next].e - d->view.entries);
    if (page)
        views_scroll(d, delta);
}

void
views_open_detail(struct dash *d)
{
    if (selected_row(d) < 0)
        return;
    d->detail_entry = d->sel_entry;
    d->mode = MODE_DETAIL;
}

static const struct {
    const char *head;
    bool left;
    int hide_rank;
    int key;
    const char *long_name;
} stat_cols[COL_COUNT] = {
    [COL_TYPE] = { "Type", true, 4, 'T', "Type" },
    [COL_NAME] = { "Name", true, 0, 'N', "Name" },
    [COL_REQUESTS] = { "# Reqs", false, 0, 'R', "# Requests" },
    [COL_FAILS] = { "# Fails", false, 0, 'F', "# Fails" },
    [COL_MEDIAN] = { "Median", false, 0, 'M', "Median (ms)" },
    [COL_P90] = { "90%ile", false, 8, 'P', "90%ile (ms)" },
    [COL_P99] = { "99%ile", false, 7, 'W', "99%ile (ms)" },
    [COL_AVG] = { "Average", false, 5, 'A', "Average (ms)" },
    [COL_MIN] = { "Min", false, 2, 'I', "Min (ms)" },
    [COL_MAX] = { "Max", false, 3, 'X', "Max (ms)" },
    [COL_SIZE] = { "Avg size", false, 1, 'Z', "Average size (bytes)" },
    [COL_RPS] = { "RPS", false, 0, 'C', "Current RPS" },
    [COL_FAILS_PER_SEC] = { "Fails/s", false, 6, 'E', "Current failures/s" },
};

const char *
views_col_name(int col)
{
    return stat_cols[col].long_name;
}

int
views_col_key(int col)
{
    return stat_cols[col].key;
}

/* Every number of one entry, in column order. */
static void
row_values(const struct stats *s, const struct stats_entry *e, double *v)
{
    v[COL_TYPE] = 0;
    v[COL_NAME] = 0;
    v[COL_REQUESTS] = (double)e->num_requests;
    v[COL_FAILS] = (double)e->num_failures;
    v[COL_MEDIAN] = stats_median_ms(e);
    v[COL_P90] = (double)stats_percentile_ms(e, 0.90);
    v[COL_P99] = (double)stats_percentile_ms(e, 0.99);
    v[COL_AVG] = stats_avg_ms(e);
    v[COL_MIN] = stats_min_ms(e);
    v[COL_MAX] = stats_max_ms(e);
    v[COL_SIZE] = stats_avg_bytes(e);
    v[COL_RPS] = stats_current_rps(s, e);
    v[COL_FAILS_PER_SEC] = stats_current_fail_per_sec(s, e);
}

/* Comparison context (qsort has no argument for it; the UI is one thread). */
static int sort_col;
static bool sort_desc;

static int
cmp_rows(const void *a, const void *b)
{
    const struct stat_row *x = a, *y = b;
    int c = 0;

    if (sort_col == COL_NAME)
        c = strcmp(x->e->name, y->e->name);
    else if (sort_col == COL_TYPE)
        c = strcmp(x->e->method, y->e->method);
    else
        c = (x->v[sort_col] > y->v[sort_col]) - (x->v[sort_col] < y->v[sort_col]);
    if (sort_desc)
        c = -c;
    if (c == 0)
        c = strcmp(x->e->name, y->e->name);
    if (c == 0)
        c = strcmp(x->e->method, y->e->method);
    return c;
}

void
views_sort(struct dash *d)
{
    const struct stats *s = &d->view;
    size_t i;

    if (s->nentries > d->rows_cap) {
        d->rows_cap = s->nentries;
        d->rows_data = xrealloc(d->rows_data, d->rows_cap * sizeof(*d->rows_data));
    }
    for (i = 0; i < s->nentries; i++) {
        d->rows_data[i].e = &s->entries[i];
        row_values(s, &s->entries[i], d->rows_data[i].v);
    }
    d->nrows_data = s->nentries;
    sort_col = d->sort_col;
    sort_desc = d->sort_desc;
    if (d->nrows_data > 1)
        qsort(d->rows_data, d->nrows_data, sizeof(*d->rows_data), cmp_rows);
}

/* One entry's cells as Locust's web table shows them. */
static void
stat_cells(const struct stats_entry *e, const double *v, char cells[COL_COUNT][CELL])
{
    bool none = e->num_requests == 0;

    snprintf(cells[COL_TYPE], CELL, "%s", e->method);
    cells[COL_NAME][0] = '\0';
    snprintf(cells[COL_REQUESTS], CELL, "%.0f", v[COL_REQUESTS]);
    snprintf(cells[COL_FAILS], CELL, "%.0f", v[COL_FAILS]);
    snprintf(cells[COL_MEDIAN], CELL, "%.0f", v[COL_MEDIAN]);
    snprintf(cells[COL_P90], CELL, "%.0f", v[COL_P90]);
    snprintf(cells[COL_P99], CELL, "%.0f", v[COL_P99]);
    snprintf(cells[COL_AVG], CELL, "%.0f", floor(v[COL_AVG]));
    snprintf(cells[COL_MIN], CELL, "%.0f", floor(v[COL_MIN]));
    snprintf(cells[COL_MAX], CELL, "%.0f", floor(v[COL_MAX]));
    snprintf(cells[COL_SIZE], CELL, "%.0f", floor(v[COL_SIZE]));
    snprintf(cells[COL_RPS], CELL, "%.1f", v[COL_RPS]);
    snprintf(cells[COL_FAILS_PER_SEC], CELL, "%.1f", v[COL_FAILS_PER_SEC]);
    if (none) {
        int c;

        for (c = COL_MEDIAN; c <= COL_MAX; c++)
            snprintf(cells[c], CELL, "%s", c == COL_AVG || c == COL_MIN || c == COL_MAX ? "0"
                                                                                      : "N/A");
    }
}

/* The Statistics view in rows top .. top+height-1. */
static void
draw_stats(struct dash *d, int top, int height)
{
    struct tcol c[COL_COUNT];
    char (*cells)[COL_COUNT][CELL];
    char total_cells[COL_COUNT][CELL];
    const char *ptrs[COL_COUNT];
    double total_v[COL_COUNT];
    size_t n = d->nrows_data, i;
    int col, page, first, y, k, sel;
    char hidden[256];

    cells = xmalloc((n + 1) * sizeof(*cells));
    for (col = 0; col < COL_COUNT; col++) {
        c[col].head = stat_cols[col].head;
        c[col].left = stat_cols[col].left;
        c[col].hide_rank = stat_cols[col].hide_rank;
        c[col].width = (int)strlen(c[col].head);
    }
    row_values(&d->view, &d->view.total, total_v);
    stat_cells(&d->view.total, total_v, total_cells);
    for (i = 0; i <= n; i++) {
        const struct stats_entry *e = i < n ? d->rows_data[i].e : &d->view.total;
        char(*row)[CELL] = i < n ? cells[i] : total_cells;

        if (i < n)
            stat_cells(e, d->rows_data[i].v, cells[i]);
        for (col = 0; col < COL_COUNT; col++) {
            int w = col == COL_NAME ? (int)strlen(e->name) : (int)strlen(row[col]);

            if (w > c[col].width)
                c[col].width = w;
        }
    }
    table_fit(c, COL_COUNT, COL_NAME, 16, COLS);
    hidden_names(c, COL_COUNT, hidden, sizeof(hidden));

    /* title, header, rows, a rule, Aggregated; the selected row stays in sight */
    page = height - 4;
    sel = selected_row(d);
    if (sel >= 0 && sel < d->scroll[VIEW_STATS])
        d->scroll[VIEW_STATS] = sel;
    else if (sel >= 0 && page > 0 && sel >= d->scroll[VIEW_STATS] + page)
        d->scroll[VIEW_STATS] = sel - page + 1;
    first = clamp_scroll(d, VIEW_STATS, (int)n, page);
    putf(top, 0, COLS, d->theme.title, "Statistics (ms, bytes)  sort: %s %s%s%s%s",
         stat_cols[d->sort_col].head, d->sort_desc ? "desc" : "asc",
         hidden[0] ? "  hidden: " : "", hidden, n > 0 ? "  Enter: detail" : "");
    for (col = 0; col < COL_COUNT; col++)
        ptrs[col] = c[col].head;
    table_row(top + 1, c, COL_COUNT, ptrs, A_BOLD | A_UNDERLINE);
    for (k = 0, y = top + 2; k < page && first + k < (int)n; k++, y++) {
        const struct stat_row *r = &d->rows_data[first + k];

        for (col = 0; col < COL_COUNT; col++)
            ptrs[col] = col == COL_NAME ? r->e->name : cells[first + k][col];
        table_row(y, c, COL_COUNT, ptrs,
                  (r->e->num_failures > 0 ? d->theme.bad : (int)A_NORMAL) |
                      (first + k == sel ? (int)A_REVERSE : 0));
    }
    if (n == 0)
        put(top + 2, 0, COLS, d->theme.dim, "(no requests yet)");
    if ((int)n > page)
        putf(top + height - 2, 0, COLS, d->theme.dim, "-- rows %d-%d of %zu (arrows, PgUp/PgDn, Home/End) --",
             first + 1, first + page < (int)n ? first + page : (int)n, n);
    else
        mvhline(top + height - 2, 0, '-', COLS);
    for (col = 0; col < COL_COUNT; col++)
        ptrs[col] = col == COL_NAME ? d->view.total.name : total_cells[col];
    table_row(top + height - 1, c, COL_COUNT, ptrs, A_BOLD);
    free(cells);
}

/* ---- Failures ---- */

static int
cmp_errors(const void *a, const void *b)
{
    const struct stats_error *x = *(const struct stats_error *const *)a;
    const struct stats_error *y = *(const struct stats_error *const *)b;

    if (x->occurrences != y->occurrences)
        return x->occurrences < y->occurrences ? 1 : -1;
    return strcmp(x->reason, y->reason);
}

static void
draw_failures(struct dash *d, int top, int height)
{
    const struct stats *s = &d->view;
    struct tcol c[4] = {
        { "# Failures", false, 0, 10, true },
        { "Method", true, 2, 6, true },
        { "Name", true, 1, 4, true },
        { "Message", true, 0, 7, true },
    };
    const struct stats_error **errs = xmalloc((s->nerrors + 1) * sizeof(*errs));
    char (*counts)[CELL] = xmalloc((s->nerrors + 1) * sizeof(*counts));
    const char *ptrs[4];
    size_t i;
    int page, first, k, name_cap;
    uint64_t total = 0;

    for (i = 0; i < s->nerrors; i++) {
        const struct stats_entry *e = s->errors[i].entry >= 0 &&
                                              (size_t)s->errors[i].entry < s->nentries
                                          ? &s->entries[s->errors[i].entry]
                                          : &s->total;

        errs[i] = &s->errors[i];
        total += s->errors[i].occurrences;
        if ((int)strlen(e->method) > c[1].width)
            c[1].width = (int)strlen(e->method);
        if ((int)strlen(e->name) > c[2].width)
            c[2].width = (int)strlen(e->name);
        if ((int)strlen(s->errors[i].reason) > c[3].width)
            c[3].width = (int)strlen(s->errors[i].reason);
    }
    if (s->nerrors > 1)
        qsort(errs, s->nerrors, sizeof(*errs), cmp_errors);
    /* the name column may not eat the message: at most a third of the width */
    name_cap = COLS / 3;
    if (c[2].width > name_cap)
        c[2].width = name_cap;
    table_fit(c, 4, 3, 20, COLS);

    page = height - 2;
    first = clamp_scroll(d, VIEW_FAILURES, (int)s->nerrors, page);
    putf(top, 0, COLS, d->theme.title, "Failures: %zu kind%s, %llu occurrence%s; most frequent first%s",
         s->nerrors, s->nerrors == 1 ? "" : "s", (unsigned long long)total, total == 1 ? "" : "s",
         (int)s->nerrors > page ? " (arrows, PgUp/PgDn, Home/End scroll)" : "");
    for (k = 0; k < 4; k++)
        ptrs[k] = c[k].head;
    table_row(top + 1, c, 4, ptrs, A_BOLD | A_UNDERLINE);
    if (s->nerrors == 0)
        put(top + 2, 0, COLS, d->theme.dim, "(no failures)");
    for (k = 0; k < page && first + k < (int)s->nerrors; k++) {
        const struct stats_error *err = errs[first + k];
        const struct stats_entry *e = err->entry >= 0 && (size_t)err->entry < s->nentries
                                          ? &s->entries[err->entry]
                                          : &s->total;

        snprintf(counts[k], CELL, "%llu", (unsigned long long)err->occurrences);
        ptrs[0] = counts[k];
        ptrs[1] = e->method;
        ptrs[2] = e->name;
        ptrs[3] = err->reason;
        table_row(top + 2 + k, c, 4, ptrs, d->theme.bad);
    }
    free(counts);
    free(errs);
}

/* ---- Percentiles ---- */

static void
draw_percentiles(struct dash *d, int top, int height)
{
    enum { NPC = STATS_NPERCENTILES, NC = NPC + 3 };
    static const int hide[NPC] = { 0, 4, 6, 5, 0, 0, 3, 0, 7, 2, 0 };
    struct tcol c[NC];
    size_t n = d->nrows_data, i;
    char (*cells)[NC][CELL] = xmalloc((n + 1) * sizeof(*cells));
    const char *ptrs[NC];
    char hidden[256];
    int k, col, page, first;

    c[0] = (struct tcol){ "Type", true, 1, 4, true };
    c[1] = (struct tcol){ "Name", true, 0, 4, true };
    for (k = 0; k < NPC; k++)
        c[2 + k] = (struct tcol){ stats_percentile_labels[k], false, hide[k] ? hide[k] + 1 : 0,
                                  (int)strlen(stats_percentile_labels[k]), true };
    c[NC - 1] = (struct tcol){ "# reqs", false, 0, 6, true };
    for (i = 0; i <= n; i++) {
        const struct stats_entry *e = i < n ? d->rows_data[i].e : &d->view.total;

        snprintf(cells[i][0], CELL, "%s", e->method);
        for (k = 0; k < NPC; k++) {
            if (e->num_requests == 0)
                snprintf(cells[i][2 + k], CELL, "N/A");
            else
                snprintf(cells[i][2 + k], CELL, "%ld",
                         stats_percentile_ms(e, stats_percentiles[k]));
        }
        snprintf(cells[i][NC - 1], CELL, "%llu", (unsigned long long)e->num_requests);
        for (col = 0; col < NC; col++) {
            int w = col == 1 ? (int)strlen(e->name) : (int)strlen(cells[i][col]);

            if (w > c[col].width)
                c[col].width = w;
        }
    }
    table_fit(c, NC, 1, 16, COLS);
    hidden_names(c, NC, hidden, sizeof(hidden));

    page = height - 4;
    first = clamp_scroll(d, VIEW_PERCENTILES, (int)n, page);
    putf(top, 0, COLS, d->theme.title, "Response time percentiles (approximated), ms; same order as Statistics%s%s",
         hidden[0] ? "; hidden: " : "", hidden);
    for (col = 0; col < NC; col++)
        ptrs[col] = c[col].head;
    table_row(top + 1, c, NC, ptrs, A_BOLD | A_UNDERLINE);
    for (k = 0; k < page && first + k < (int)n; k++) {
        for (col = 0; col < NC; col++)
            ptrs[col] = col == 1 ? d->rows_data[first + k].e->name : cells[first + k][col];
        table_row(top + 2 + k, c, NC, ptrs, A_NORMAL);
    }
    if ((int)n > page)
        putf(top + height - 2, 0, COLS, d->theme.dim, "-- rows %d-%d of %zu --", first + 1,
             first + page < (int)n ? first + page : (int)n, n);
    else
        mvhline(top + height - 2, 0, '-', COLS);
    for (col = 0; col < NC; col++)
        ptrs[col] = col == 1 ? d->view.total.name : cells[n][col];
    table_row(top + height - 1, c, NC, ptrs, A_BOLD);
    free(cells);
}

/* ---- one entry in detail ---- */

/*
 * Enter on a Statistics row: the whole name, the counts and rates, every
 * response time figure, all percentiles, the average time to first byte
 * and the entry's failures.
 */
static void
draw_detail(struct dash *d, int top, int height)
{
    const struct stats *s = &d->view;
    const struct stats_entry *e;
    int y = top, bottom = top + height, k, x, len, off;
    char full[1024];
    uint64_t occurrences = 0;
    size_t kinds = 0, i;

    if (d->detail_entry < 0 || (size_t)d->detail_entry >= s->nentries) {
        d->mode = MODE_NORMAL;
        return;
    }
    e = &s->entries[d->detail_entry];
    putf(y++, 0, COLS, d->theme.title,
         "Request detail  (Esc or Enter: back to the table; Up/Down: previous/next row)");
    /* the whole name, over as many lines as it needs (four at most) */
    len = snprintf(full, sizeof(full), "%s %s", e->method, e->name);
    for (off = 0; off < len && y < top + 5; off += COLS)
        put(y++, 0, COLS, A_BOLD, full + off);
    y++;
    putf(y++, 0, COLS, e->num_failures > 0 ? d->theme.bad : (int)A_NORMAL,
         "Requests %llu   Failures %llu (%.2f%%)   Current RPS %.1f   Current failures/s %.1f",
         (unsigned long long)e->num_requests, (unsigned long long)e->num_failures,
         stats_fail_ratio(e) * 100.0, stats_current_rps(s, e), stats_current_fail_per_sec(s, e));
    if (e->num_requests == 0) {
        putf(y++, 0, COLS, A_NORMAL, "Response time (ms): no requests yet");
    } else {
        putf(y++, 0, COLS, A_NORMAL,
             "Response time (ms): average %.0f   min %.0f   max %.0f   median %.0f",
             floor(stats_avg_ms(e)), floor(stats_min_ms(e)), floor(stats_max_ms(e)),
             stats_median_ms(e));
        putf(y++, 0, COLS, A_NORMAL,
             "Time to first byte (ms): average %.1f   (request sent to the first byte of the "
             "answer)", stats_avg_ttfb_ms(e));
        putf(y++, 0, COLS, A_NORMAL, "Average size (bytes): %.0f", floor(stats_avg_bytes(e)));
    }
    y++;
    /* all percentiles, labels over values */
    if (y + 2 < bottom) {
        putf(y, 0, COLS, A_BOLD | A_UNDERLINE, "%-12s", "Percentile");
        putf(y + 1, 0, COLS, A_NORMAL, "%-12s", "ms");
        for (k = 0, x = 12; k < STATS_NPERCENTILES && x + 7 <= COLS; k++, x += 7) {
            putf(y, x, 7, A_BOLD | A_UNDERLINE, "%6s ", stats_percentile_labels[k]);
            if (e->num_requests == 0)
                putf(y + 1, x, 7, A_NORMAL, "%6s ", "N/A");
            else
                putf(y + 1, x, 7, A_NORMAL, "%6ld ", stats_percentile_ms(e, stats_percentiles[k]));
        }
        y += 3;
    }
    /* this entry's failures, most frequent first as they come */
    for (i = 0; i < s->nerrors; i++)
        if (s->errors[i].entry == d->detail_entry) {
            kinds++;
            occurrences += s->errors[i].occurrences;
        }
    if (y < bottom)
        putf(y++, 0, COLS, kinds > 0 ? d->theme.bad : d->theme.title,
             "Failures of this entry: %zu kind%s, %llu occurrence%s", kinds, kinds == 1 ? "" : "s",
             (unsigned long long)occurrences, occurrences == 1 ? "" : "s");
    for (i = 0; i < s->nerrors && y < bottom; i++)
        if (s->errors[i].entry == d->detail_entry)
            putf(y++, 0, COLS, d->theme.bad, "  %8llu  %s",
                 (unsigned long long)s->errors[i].occurrences, s->errors[i].reason);
}

/* ---- Log ---- */

/*
 * The log lines kept while the screen is ours (warnings included), newest
 * last, following new lines unless scrolled back; they are also printed
 * to stderr when the dashboard closes.
 */
static void
draw_log(struct dash *d, int top, int height)
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

/* ---- Help ---- */

static const char *const help_lines[] = {
    "Views",
    "  1  Statistics    requests per name, Aggregated pinned at the bottom",
    "  2  Charts        RPS and failures/s, median and 95th percentile, users",
    "  3  Failures      occurrences, method, name and reason, most frequent first",
    "  4  Percentiles   response time percentiles per name",
    "  5  Log           log lines and warnings of the run, newest last (also l)",
    "  6  Capacity      the capacity search (--find-capacity): each step, the one",
    "                   under way, MAX_RPS and the autoscaling target, the chart",
    "  7  Help          this page (also ? or h; again to go back)",
    "  Tab / Shift-Tab  next / previous view",
    "",
    "Test",
    "  s        stop the test / start it again; while stopping, abandon requests",
    "  e        edit users and spawn rate of the running test (new test when stopped)",
    "  n        new test: the start panel (users, spawn rate, host, run time)",
    "  + / -    users up / down by a tenth of the target (at least one)",
    "  r        reset statistics",
    "  q        quit (asks first while a test runs); Ctrl-C stops the test and quits",
    "  (--find-capacity: the search sets the load; s stops it, e n + - r are refused)",
    "  (--worker: the Locust master sets the load; s e n + - r are refused; q, after y,",
    "   leaves the master with a last report; the header shows the master, its state,",
    "   the users now and as the master asked, and the time since its last message)",
    "",
    "Statistics table",
    "  < / >    sort by the previous / next column;  i  invert the order",
    "  T Type  N Name  R # Requests  F # Fails  M Median  P 90%ile  W 99%ile",
    "  A Average  I Min  X Max  Z Average size  C Current RPS  E Current failures/s",
    "           (the same key again inverts the order)",
    "",
    "  Enter    the selected row in detail: whole name, all percentiles, time to",
    "           first byte, its failures (Up/Down: next row; Esc or Enter: back)",
    "",
    "Moving around",
    "  Up/Down or k/j   select a row (Statistics) or scroll;  PgUp/PgDn or b/Space  a page",
    "  Home / End       first / last row;  Ctrl-L  repaint the screen",
    "  g                braille or ASCII charts (braille needs a UTF-8 locale)",
    "",
    "In dialogs: Tab/Up/Down move between fields, Enter confirms, Esc cancels.",
    "Quitting restores the terminal and prints the final tables, as --headless does.",
};

static void
draw_help(struct dash *d, int top, int height)
{
    int n = (int)ARRAY_LEN(help_lines), first, k, page = n > height ? height - 1 : height;

    first = clamp_scroll(d, VIEW_HELP, n, page);
    if (page < n)
        putf(top + height - 1, 0, COLS, d->theme.dim,
             "-- lines %d-%d of %d (Up/Down, PgUp/PgDn, Home/End) --", first + 1,
             first + page, n);
    for (k = 0; k < page && first + k < n; k++) {
        const char *line = help_lines[first + k];

        put(top + k, 0, COLS, line[0] != ' ' && line[0] != '\0' ? d->theme.title : (int)A_NORMAL,
            line);
    }
}

/* ---- header, tabs, footer ---- */

static void
draw_header(struct dash *d)
{
    const struct runner *r = d->runner;
    const struct stats *s = &d->view;
    enum runner_state st = runner_state(r);
    char elapsed[32], left[48], line[512], cpu[96], fds[32];
    double remaining = runner_remaining(r);
    int state_attr = st == RUNNER_RUNNING ? d->theme.good
                     : st == RUNNER_SPAWNING || st == RUNNER_STOPPING ? d->theme.busy
                                                                      : d->theme.header;
    int x;

    fmt_clock(elapsed, sizeof(elapsed), runner_elapsed(r));
    if (remaining < 0) {
        snprintf(left, sizeof(left), "no limit");
    } else {
        char clock[32];

        fmt_clock(clock, sizeof(clock), remaining);
        snprintf(left, sizeof(left), "%s left", clock);
    }
    /* line 0: who and where */
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
    {
        char stage[96] = "";

        /* with a load shape: "  stage 2/3" */
        if (runner_shape_status(r, stage + 2, sizeof(stage) - 2) != NULL) {
            stage[0] = stage[1] = ' ';
            stage[strcspn(stage, ":")] = '\0';
        }
        snprintf(line, sizeof(line), "  users %u/%u%s  elapsed %s  %s  host %s",
                 runner_user_count(r), runner_target_users(r), stage, elapsed, left,
                 d->app->settings.host != NULL ? d->app->settings.host : "(per task)");
        secret_redact(line); /* host = ${URL} */
    }
    put(0, x, COLS - x, d->theme.header, line);
    if (d->worker != NULL)
        workerview_header(d); /* line 0 shows the session with the Locust master */

    /* line 1: rates and the generator itself */
    if (d->app->selfmon.open_fds >= 0)
        snprintf(fds, sizeof(fds), "fds %d", d->app->selfmon.open_fds);
    else
        snprintf(fds, sizeof(fds), "fds ?");
    snprintf(cpu, sizeof(cpu), "CPU %.0f%%", d->app->selfmon.cpu_percent);
    {
        char throttled[48] = "";

        /* failures by throttling (429, 503, AWS throttling), once there are some */
        if (s->total.num_throttled > 0)
            snprintf(throttled, sizeof(throttled), "  throttled %.1f%%",
                     stats_throttle_ratio(&s->total) * 100.0);
        snprintf(line, sizeof(line), " RPS %.1f  failures/s %.1f  failures %.1f%%%s  %s  %s",
                 stats_current_rps(s, &s->total), stats_current_fail_per_sec(s, &s->total),
                 stats_fail_ratio(&s->total) * 100.0, throttled, cpu, fds);
    }
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
    /* the thresholds, live: how many hold, and the first that does not */
    if (d->app->settings.nthresholds > 0 && x + 4 < COLS && s->total.num_requests > 0) {
        const struct settings *set = &d->app->settings;
        size_t failed = app_eval_thresholds(d->app, s, d->thresholds), i;
        const struct threshold *first = NULL;
        const struct threshold_result *first_res = NULL;
        char value[64];

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
}

static void
draw_tabs(struct dash *d)
{
    static const char *const names[VIEW_COUNT] = { "Statistics", "Charts", "Failures",
                                                    "Percentiles", "Log", "Capacity", "Help" };
    int x = 0, v, need = 0, gap;

    /* a space between tabs, unless 80 columns need it */
    for (v = 0; v < VIEW_COUNT; v++)
        need += (int)strlen(names[v]) + 5;
    gap = need <= COLS ? 1 : 0;
    move(2, 0);
    clrtoeol();
    for (v = 0; v < VIEW_COUNT && x < COLS; v++) {
        char tab[32];
        bool on = (int)d->current == v;

        snprintf(tab, sizeof(tab), on ? "[%d %s]" : " %d %s ", v + 1, names[v]);
        put(2, x, COLS - x, on ? d->theme.tab_active : (int)A_NORMAL, tab);
        x += (int)strlen(tab) + gap;
    }
    if (d->current == VIEW_STATS && x + 10 < COLS)
        put(2, x + 1, COLS - x - 1, d->theme.dim, "Tab: next view");
}

static void
draw_footer(struct dash *d)
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
static void
draw_too_small(struct dash *d)
{
    const struct runner *r = d->runner;
    const struct stats *s = &d->view;
    enum runner_state st = runner_state(r);
    char elapsed[32], line[128];
    int y = 0, len;

    erase();
    fmt_clock(elapsed, sizeof(elapsed), runner_elapsed(r));
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

void
views_draw(struct dash *d)
{
    int top = 3, height = LINES - 4;

    if (COLS < DASH_MIN_COLS || LINES < DASH_MIN_LINES) {
        draw_too_small(d);
        return;
    }
    erase();
    draw_header(d);
    draw_tabs(d);
    if (d->mode == MODE_DETAIL) {
        draw_detail(d, top, height);
        draw_footer(d);
        wnoutrefresh(stdscr);
        return;
    }
    switch (d->current) {
    case VIEW_STATS:
        draw_stats(d, top, height);
        break;
    case VIEW_CHARTS:
        chart_view_draw(d, top, height);
        break;
    case VIEW_FAILURES:
        draw_failures(d, top, height);
        break;
    case VIEW_PERCENTILES:
        draw_percentiles(d, top, height);
        break;
    case VIEW_LOG:
        draw_log(d, top, height);
        break;
    case VIEW_CAPACITY:
        capacity_view_draw(d, top, height);
        break;
    case VIEW_HELP:
    case VIEW_COUNT:
        draw_help(d, top, height);
        break;
    }
    draw_footer(d);
    wnoutrefresh(stdscr);
}
