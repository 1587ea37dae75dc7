/*
 * statsview.c: the Statistics view, Locust's web table: a row per name in
 * the chosen order, the Aggregated row pinned at the bottom, a selected row
 * (Enter shows it in full: detailview.c), and the sort keys of its columns.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "util.h"
#include "view.h"

/* The selected entry's position in display order (the first row if none); -1: no rows. */
static int
selected_row(struct dash *d)
{
    size_t i;

    if (d->nrows_data == 0)
        return -1;
    for (i = 0; i < d->nrows_data; i++)
        if (d->rows_data[i].e - d->view->entries == d->sel_entry)
            return (int)i;
    d->sel_entry = (int)(d->rows_data[0].e - d->view->entries);
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
    d->sel_entry = (int)(d->rows_data[next].e - d->view->entries);
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

/* The order of two rows by the dashboard's sort column and direction (qsort_r's context). */
static int
cmp_rows(const void *a, const void *b, void *arg)
{
    const struct stat_row *x = a, *y = b;
    const struct dash *d = arg;
    int sort_col = d->sort_col, c = 0;

    if (sort_col == COL_NAME)
        c = strcmp(x->e->name, y->e->name);
    else if (sort_col == COL_TYPE)
        c = strcmp(x->e->method, y->e->method);
    else
        c = (x->v[sort_col] > y->v[sort_col]) - (x->v[sort_col] < y->v[sort_col]);
    if (d->sort_desc)
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
    const struct stats *s = d->view;
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
    if (d->nrows_data > 1)
        qsort_r(d->rows_data, d->nrows_data, sizeof(*d->rows_data), cmp_rows, d);
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
void
stats_view_draw(struct dash *d, int top, int height)
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
    row_values(d->view, &d->view->total, total_v);
    stat_cells(&d->view->total, total_v, total_cells);
    for (i = 0; i <= n; i++) {
        const struct stats_entry *e = i < n ? d->rows_data[i].e : &d->view->total;
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
        ptrs[col] = col == COL_NAME ? d->view->total.name : total_cells[col];
    table_row(top + height - 1, c, COL_COUNT, ptrs, A_BOLD);
    free(cells);
}

/*
 * Moving around: the arrows move the selected row (the page scrolls to
 * keep it in sight), the page keys move both, Enter opens it in detail.
 */
bool
stats_view_key(struct dash *d, int key)
{
    int page = d->page[VIEW_STATS] > 1 ? d->page[VIEW_STATS] - 1 : 1;

    switch (key) {
    case KEY_UP:
        views_select(d, -1, false);
        return true;
    case KEY_DOWN:
        views_select(d, 1, false);
        return true;
    case KEY_PPAGE:
        views_select(d, -page, true);
        return true;
    case KEY_NPAGE:
        views_select(d, page, true);
        return true;
    case KEY_HOME:
        views_select(d, -(1 << 28), false);
        d->scroll[VIEW_STATS] = 0;
        return true;
    case KEY_END:
        views_select(d, 1 << 28, false);
        views_scroll(d, 1 << 28);
        return true;
    case KEY_ENTER:
        views_open_detail(d);
        return true;
    default:
        return false;
    }
}
