/*
 * pctview.c: the Percentiles view: Locust's response time percentiles per
 * name, in the Statistics view's order, Aggregated pinned at the bottom.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "util.h"
#include "view.h"

void
pct_view_draw(struct dash *d, int top, int height)
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
        const struct stats_entry *e = i < n ? d->rows_data[i].e : &d->view->total;

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
        ptrs[col] = col == 1 ? d->view->total.name : cells[n][col];
    table_row(top + height - 1, c, NC, ptrs, A_BOLD);
    free(cells);
}
