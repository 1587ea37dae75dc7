/*
 * helpview.c: the Help view: the views and the keys, one page, scrolled
 * when the terminal is short.
 */
#include "config.h"

#include <curses.h>

#include "util.h"
#include "view.h"

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

void
help_view_draw(struct dash *d, int top, int height)
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
