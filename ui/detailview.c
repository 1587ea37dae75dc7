/*
 * detailview.c: one Statistics entry in full (Enter on its row): the
 * whole name, the counts and rates, every response time figure, all
 * percentiles, the average time to first byte and the entry's failures.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <curses.h>

#include "view.h"

/*
 * Enter on a Statistics row: the whole name, the counts and rates, every
 * response time figure, all percentiles, the average time to first byte
 * and the entry's failures.
 */
void
detail_view_draw(struct dash *d, int top, int height)
{
    const struct stats *s = d->view;
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
