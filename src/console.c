/*
 * console.c: Locust 2.12.1's console tables, byte for byte.
 *
 * The widths follow Locust's STATS_NAME_WIDTH (W) and STATS_TYPE_WIDTH (8):
 * the request table's name column is W - 4 wide, the percentile table's is
 * W wide, and the error report's separator is 80 + W wide. Locust pads
 * with "%-Ns" and never truncates; when W - 4 is negative Python reads
 * "%--3s" as a left-justified width of 3, which is also what printf does
 * with a negative "*" width, so the widths are passed through unchanged.
 * Entries registered but never requested get no row, as Locust creates an
 * entry only on its first request.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "console.h"
#include "util.h"

#define TYPE_WIDTH 8

/* Locust's width rule for a column count; cols < 0 means not a terminal. */
int
console_name_width_for(int cols)
{
    int w;

    if (cols < 0)
        return 80;
    w = cols - 80;
    if (w > 80)
        w = 80;
    if (w < 0)
        w = 0;
    return w;
}

/* STATS_NAME_WIDTH for the current stdout (fd 1). */
int
console_name_width(void)
{
    struct winsize ws;

    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
        return console_name_width_for(-1);
    return console_name_width_for(ws.ws_col);
}

/* Append n copies of c (nothing when n <= 0, like Python's "-" * n). */
static void
repeat(struct buf *b, char c, int n)
{
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    memset(b->data + b->len, c, (size_t)n);
    b->len += (size_t)n;
    b->data[b->len] = '\0';
}

/* Append dashes. */
static void
dashes(struct buf *b, int n)
{
    repeat(b, '-', n);
}

/* Write a rendered table in one piece, so other threads' log lines cannot split it. */
static void
flush_buf(FILE *out, struct buf *b)
{
    if (b->len > 0)
        fwrite(b->data, 1, b->len, out);
    fflush(out);
    buf_free(b);
}

/* Python's %d of a non-negative float: truncation toward zero. */
static long long
trunc_ms(double ms)
{
    return (long long)ms;
}

/* The request table's separator line. */
static void
request_separator(struct buf *b, int name_width)
{
    static const int widths[] = { 7, 13, 7, 7, 7, 7, 8, 11 };
    size_t i;

    dashes(b, TYPE_WIDTH);
    buf_puts(b, "|");
    dashes(b, name_width - 4);
    for (i = 0; i < ARRAY_LEN(widths); i++) {
        buf_puts(b, "|");
        dashes(b, widths[i]);
    }
    buf_puts(b, "\n");
}

/* Append spaces. */
static void
spaces(struct buf *b, int n)
{
    repeat(b, ' ', n);
}

/* The Type cell: the method and one space, padded to 8; empty for the Aggregated row. */
static void
type_cell(struct buf *b, const char *method)
{
    int len = (int)strlen(method);

    if (len == 0) {
        spaces(b, TYPE_WIDTH);
        return;
    }
    buf_puts(b, method);
    buf_puts(b, " ");
    spaces(b, TYPE_WIDTH - len - 1);
}

/* One row of the request table. */
static void
request_row(struct buf *b, const struct stats *s, const struct stats_entry *e, int name_width,
            bool current)
{
    char fails[64];
    double rps, fps;

    snprintf(fails, sizeof(fails), "%" PRIu64 "(%.2f%%)", e->num_failures,
             stats_fail_ratio(e) * 100);
    if (current) {
        rps = stats_current_rps(s, e);
        fps = stats_current_fail_per_sec(s, e);
    } else {
        rps = stats_total_rps(s, e);
        fps = stats_total_fail_per_sec(s, e);
    }
    type_cell(b, e->method);
    buf_printf(b, " %-*s %7" PRIu64 " %12s |%7lld %7lld %7lld%7lld | %7.2f %11.2f\n",
            name_width - 4, e->name, e->num_requests, fails, trunc_ms(stats_avg_ms(e)),
            trunc_ms(stats_min_ms(e)), trunc_ms(stats_max_ms(e)), trunc_ms(stats_median_ms(e)),
            rps, fps);
}

/* Render the request statistics table and its empty line. */
static void
render_requests(struct buf *b, const struct stats *s, int name_width, bool current)
{
    int *order = stats_sorted(s);
    size_t i;

    buf_printf(b, "%-*s %-*s %7s %12s |%7s %7s %7s%7s | %7s %11s\n", TYPE_WIDTH, "Type",
            name_width - 4, "Name", "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s",
            "failures/s");
    request_separator(b, name_width);
    for (i = 0; i < s->nentries; i++) {
        const struct stats_entry *e = &s->entries[order[i]];

        /* Locust has no entry until its first request: skip tasks that never ran */
        if (e->num_requests != 0 || e->num_failures != 0)
            request_row(b, s, e, name_width, current);
    }
    request_separator(b, name_width);
    request_row(b, s, &s->total, name_width, current);
    buf_puts(b, "\n");
    free(order);
}

/* The percentile table's separator line. */
static void
percentile_separator(struct buf *b, int name_width)
{
    int i;

    dashes(b, TYPE_WIDTH);
    buf_puts(b, "|");
    dashes(b, name_width);
    buf_puts(b, "|");
    dashes(b, 8);
    for (i = 0; i < STATS_NPERCENTILES; i++) {
        buf_puts(b, "|");
        dashes(b, 6);
    }
    buf_puts(b, "\n");
}

/* One row of the percentile table: method without a trailing space, name, percentiles, count. */
static void
percentile_row(struct buf *b, const struct stats_entry *e, int name_width)
{
    int i;

    buf_printf(b, "%-*s %-*s %8ld", TYPE_WIDTH, e->method, name_width, e->name,
            stats_percentile_ms(e, stats_percentiles[0]));
    for (i = 1; i < STATS_NPERCENTILES; i++)
        buf_printf(b, " %6ld", stats_percentile_ms(e, stats_percentiles[i]));
    buf_printf(b, " %6" PRIu64 "\n", e->num_requests);
}

/* Render the percentile table and its empty line. */
static void
render_percentiles(struct buf *b, const struct stats *s, int name_width)
{
    int *order = stats_sorted(s);
    size_t i;
    int p;

    buf_puts(b, "Response time percentiles (approximated)\n");
    buf_printf(b, "%-*s %-*s %8s", TYPE_WIDTH, "Type", name_width, "Name",
            stats_percentile_labels[0]);
    for (p = 1; p < STATS_NPERCENTILES; p++)
        buf_printf(b, " %6s", stats_percentile_labels[p]);
    buf_printf(b, " %6s\n", "# reqs");
    percentile_separator(b, name_width);
    for (i = 0; i < s->nentries; i++) {
        const struct stats_entry *e = &s->entries[order[i]];

        if (e->hist.total > 0)
            percentile_row(b, e, name_width);
    }
    percentile_separator(b, name_width);
    if (s->total.hist.total > 0)
        percentile_row(b, &s->total, name_width);
    buf_puts(b, "\n");
    free(order);
}

/* Render the error report in order of first occurrence; nothing when there are no errors. */
static void
render_errors(struct buf *b, const struct stats *s, int name_width)
{
    size_t i;

    if (s->nerrors == 0)
        return;
    buf_puts(b, "Error report\n");
    buf_printf(b, "%-18s %-100s\n", "# occurrences", "Error");
    dashes(b, 18);
    buf_puts(b, "|");
    dashes(b, 80 + name_width - 19);
    buf_puts(b, "\n");
    for (i = 0; i < s->nerrors; i++) {
        const struct stats_error *err = &s->errors[i];
        char *text;

        if (err->entry >= 0 && (size_t)err->entry < s->nentries)
            text = xasprintf("%s %s: %s", s->entries[err->entry].method,
                             s->entries[err->entry].name, err->reason);
        else
            text = xasprintf("%s %s: %s", s->total.method, s->total.name, err->reason);

        buf_printf(b, "%-18" PRIu64 " %-100s\n", err->occurrences, text);
        free(text);
    }
    dashes(b, 18);
    buf_puts(b, "|");
    dashes(b, 80 + name_width - 19);
    buf_puts(b, "\n");
    buf_puts(b, "\n");
}

/* Request statistics table, followed by an empty line. */
void
console_print_requests(FILE *out, const struct stats *s, int name_width, bool current)
{
    struct buf b;

    buf_init(&b);
    render_requests(&b, s, name_width, current);
    flush_buf(out, &b);
}

/* The final output: totals table, percentiles, error report. */
void
console_print_final(FILE *out, const struct stats *s, int name_width)
{
    struct buf b;

    buf_init(&b);
    render_requests(&b, s, name_width, false);
    render_percentiles(&b, s, name_width);
    render_errors(&b, s, name_width);
    flush_buf(out, &b);
}
