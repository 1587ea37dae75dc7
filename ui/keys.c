/*
 * keys.c: what a key does in the normal mode (the dialogs and the detail
 * view take theirs in panel.c). In order: --find-capacity refuses the keys
 * that would change the load it sets; then the table below; then the
 * current view's own keys for moving around (the view table), or plain
 * scrolling; last, the Statistics columns' sort keys (T, N, R ...).
 */
#include "config.h"

#include <curses.h>

#include "dash.h"
#include "util.h"
#include "view.h"

/* Sort by a column; the same column again inverts the order. */
static void
sort_by(struct dash *d, int col)
{
    if (d->sort_col == col)
        d->sort_desc = !d->sort_desc;
    else {
        d->sort_col = col;
        /* names read best A to Z, numbers largest first */
        d->sort_desc = col != COL_NAME && col != COL_TYPE;
    }
    views_sort(d);
    dash_message(d, "sorted by %s, %s", views_col_name(col),
                 d->sort_desc ? "descending" : "ascending");
}

/*
 * --find-capacity: the search sets the load and measures each step from
 * the statistics, so the keys that change either are refused while it
 * runs; s stops it (the result says so), and once it is over there is no
 * other test to start: q quits and writes the reports. True when the key
 * was taken.
 */
static bool
capacity_key_guard(struct dash *d, int key)
{
    struct capacity_search *cs = d->app->capacity;
    enum runner_state st = runner_state(d->runner);
    bool running = st == RUNNER_SPAWNING || st == RUNNER_RUNNING;

    if (cs == NULL)
        return false;
    switch (key) {
    case 's':
        if (!running)
            break;
        capacity_cut(cs, "s in the dashboard");
        runner_stop(d->runner);
        dash_message(d, "capacity search stopped");
        d->current = VIEW_CAPACITY;
        return true;
    case 'e': case 'n': case '+': case '=': case '-': case '_': case 'r':
        if (running)
            dash_message(d, "the capacity search sets the load and measures each step: "
                         "s stops it, q quits");
        else if (st == RUNNER_READY || st == RUNNER_STOPPED)
            dash_message(d, "the capacity search is over: q quits and writes the reports");
        return true;
    default:
        break;
    }
    if (key == 's' && (st == RUNNER_READY || st == RUNNER_STOPPED)) {
        dash_message(d, "the capacity search is over: q quits and writes the reports");
        return true;
    }
    return false;
}

/* ---- the views ---- */

static void
key_view(struct dash *d, int key)
{
    d->current = (enum dash_view)(key - '1');
}

static void
key_log(struct dash *d, int key)
{
    (void)key;
    d->current = VIEW_LOG;
}

static void
key_next_view(struct dash *d, int key)
{
    (void)key;
    d->current = (enum dash_view)((d->current + 1) % VIEW_COUNT);
}

static void
key_previous_view(struct dash *d, int key)
{
    (void)key;
    d->current = (enum dash_view)((d->current + VIEW_COUNT - 1) % VIEW_COUNT);
}

/* Help, or back to the view it was opened from. */
static void
key_help(struct dash *d, int key)
{
    (void)key;
    if (d->current == VIEW_HELP) {
        d->current = d->before_help;
    } else {
        d->before_help = d->current;
        d->current = VIEW_HELP;
    }
}

/* ---- the test ---- */

/* Stop a running test, abandon a stopping one's requests, or start one. */
static void
key_stop_start(struct dash *d, int key)
{
    enum runner_state st = runner_state(d->runner);

    (void)key;
    if (st == RUNNER_SPAWNING || st == RUNNER_RUNNING) {
        runner_stop(d->runner);
        dash_message(d, "stopping the test");
    } else if (st == RUNNER_STOPPING) {
        runner_kill(d->runner);
        dash_message(d, "abandoning the requests in flight");
    } else {
        dash_start(d, d->app->settings.users, d->app->settings.spawn_rate);
    }
}

static void
key_new(struct dash *d, int key)
{
    enum runner_state st = runner_state(d->runner);

    (void)key;
    if (st == RUNNER_READY || st == RUNNER_STOPPED)
        panel_open_start(d);
    else
        dash_message(d, "a test is running: s stops it, e edits it");
}

static void
key_edit(struct dash *d, int key)
{
    enum runner_state st = runner_state(d->runner);

    (void)key;
    if (st == RUNNER_READY || st == RUNNER_STOPPED)
        panel_open_start(d);
    else if (st == RUNNER_STOPPING)
        dash_message(d, "the test is stopping");
    else
        panel_open_edit(d);
}

static void
key_more_users(struct dash *d, int key)
{
    (void)key;
    dash_change_users(d, 1);
}

static void
key_fewer_users(struct dash *d, int key)
{
    (void)key;
    dash_change_users(d, -1);
}

static void
key_reset(struct dash *d, int key)
{
    (void)key;
    runner_reset_stats(d->runner);
    dash_message(d, "statistics reset");
}

/* Quit: ask first while a test runs; while one stops, abandon its requests. */
static void
key_quit(struct dash *d, int key)
{
    enum runner_state st = runner_state(d->runner);

    (void)key;
    if (st == RUNNER_SPAWNING || st == RUNNER_RUNNING) {
        d->mode = MODE_QUIT;
    } else if (st == RUNNER_STOPPING) {
        runner_kill(d->runner);
        dash_request_quit(d);
    } else {
        dash_request_quit(d);
    }
}

/* ---- the display ---- */

static void
key_chart_style(struct dash *d, int key)
{
    (void)key;
    if (!d->utf8) {
        dash_message(d, "braille charts need a UTF-8 locale");
        return;
    }
    d->ascii_charts = !d->ascii_charts;
    dash_message(d, "charts: %s", d->ascii_charts ? "ASCII" : "braille");
}

static void
key_sort_previous(struct dash *d, int key)
{
    (void)key;
    sort_by(d, (d->sort_col + COL_COUNT - 1) % COL_COUNT);
}

static void
key_sort_next(struct dash *d, int key)
{
    (void)key;
    sort_by(d, (d->sort_col + 1) % COL_COUNT);
}

static void
key_sort_invert(struct dash *d, int key)
{
    (void)key;
    d->sort_desc = !d->sort_desc;
    views_sort(d);
}

static void
key_repaint(struct dash *d, int key)
{
    (void)key;
    clearok(curscr, TRUE);
}

#define KEY_CTRL_L 12

static const struct binding {
    int keys[8];             /* the keys that do it (0 ends the list) */
    void (*fn)(struct dash *d, int key);
    bool fresh;              /* the statistics changed: draw from a fresh copy */
} bindings[] = {
    { { '1', '2', '3', '4', '5', '6', '7' }, key_view, false },
    { { 'l', 'L' }, key_log, false },
    { { '\t' }, key_next_view, false },
    { { KEY_BTAB }, key_previous_view, false },
    { { '?', 'h', KEY_F(1) }, key_help, false },
    { { 's' }, key_stop_start, false },
    { { 'n' }, key_new, false },
    { { 'e' }, key_edit, false },
    { { '+', '=' }, key_more_users, false },
    { { '-', '_' }, key_fewer_users, false },
    { { 'r' }, key_reset, true },
    { { 'q', 'Q' }, key_quit, false },
    { { 'g' }, key_chart_style, false },
    { { '<', ',' }, key_sort_previous, false },
    { { '>', '.' }, key_sort_next, false },
    { { 'i' }, key_sort_invert, false },
    { { KEY_CTRL_L }, key_repaint, false },
};

/* The keys for moving around, as one set: vi's, less's and Enter's other forms. */
static int
move_key(int key)
{
    switch (key) {
    case 'k':
        return KEY_UP;
    case 'j':
        return KEY_DOWN;
    case 'b':
        return KEY_PPAGE;
    case ' ':
        return KEY_NPAGE;
    case '\r': case '\n':
        return KEY_ENTER;
    default:
        return key;
    }
}

/* Moving around a view that has no keys of its own: scroll it. */
static void
scroll_key(struct dash *d, int key)
{
    int page = d->page[d->current] > 1 ? d->page[d->current] - 1 : 1;

    switch (key) {
    case KEY_UP:
        views_scroll(d, -1);
        break;
    case KEY_DOWN:
        views_scroll(d, 1);
        break;
    case KEY_PPAGE:
        views_scroll(d, -page);
        break;
    case KEY_NPAGE:
        views_scroll(d, page);
        break;
    case KEY_HOME:
        d->scroll[d->current] = 0;
        break;
    case KEY_END:
        views_scroll(d, 1 << 28);
        break;
    default:
        break;
    }
}

bool
dash_key(struct dash *d, int key)
{
    const struct view *v = &views[d->current < VIEW_COUNT ? d->current : VIEW_HELP];
    size_t i, k;
    int col;

    if (d->worker != NULL && workerview_key(d, key))
        return false;
    if (capacity_key_guard(d, key))
        return false;
    for (i = 0; i < ARRAY_LEN(bindings); i++)
        for (k = 0; k < ARRAY_LEN(bindings[i].keys) && bindings[i].keys[k] != 0; k++)
            if (bindings[i].keys[k] == key) {
                bindings[i].fn(d, key);
                return bindings[i].fresh;
            }
    key = move_key(key);
    if (v->key != NULL && v->key(d, key))
        return false;
    if (key == KEY_UP || key == KEY_DOWN || key == KEY_PPAGE || key == KEY_NPAGE ||
        key == KEY_HOME || key == KEY_END || key == KEY_ENTER) {
        scroll_key(d, key);
        return false;
    }
    for (col = 0; col < COL_COUNT; col++) {
        if (views_col_key(col) == key) {
            sort_by(d, col);
            return false;
        }
    }
    return false;
}
