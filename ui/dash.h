/*
 * dash.h: what the dashboard's modules share (private to ui/).
 *
 * The dashboard is a model/view split in the manner of htop: ui.c owns the
 * context below, takes a copy of the engine's statistics at most `refresh`
 * times a second, turns keys into commands for the runner, and asks the
 * view modules to draw. Views only read the copy and the runner's getters;
 * nothing here touches a curl handle or a socket.
 *
 *   ui.c       main loop (libev), signals, terminal set-up and restore
 *   keys.c     what keys do in the normal mode
 *   actions.c  what keys and dialogs do to the test
 *   panel.c    the start panel, the edit dialog and the quit question
 *   views.c    the table of views, the tab bar, the screen's layout;
 *              the views share view.h and draw.c's helpers:
 *   header.c     header lines, footer, the screen below 80x24
 *   statsview.c  Statistics (detailview.c: one entry in full)
 *   chartview.c  Charts: braille or ASCII line charts with axes
 *   failview.c   Failures
 *   pctview.c    Percentiles
 *   logview.c    Log
 *   capview.c    Capacity (--find-capacity)
 *   helpview.c   Help
 *   workerview.c the Locust worker's header, keys and ending (--worker)
 */
#ifndef CICADA_DASH_H
#define CICADA_DASH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include <ev.h>

#include "app.h"

#define DASH_MIN_COLS 80
#define DASH_MIN_LINES 24

enum dash_view {
    VIEW_STATS,
    VIEW_CHARTS,
    VIEW_FAILURES,
    VIEW_PERCENTILES,
    VIEW_LOG,                /* log lines and warnings, as they come */
    VIEW_CAPACITY,           /* the capacity search: steps, the one under way, the result */
    VIEW_HELP,
    VIEW_COUNT,
};

/* Columns of the Statistics view, in Locust's web UI order. */
enum stats_col {
    COL_TYPE,
    COL_NAME,
    COL_REQUESTS,
    COL_FAILS,
    COL_MEDIAN,
    COL_P90,
    COL_P99,
    COL_AVG,
    COL_MIN,
    COL_MAX,
    COL_SIZE,
    COL_RPS,
    COL_FAILS_PER_SEC,
    COL_COUNT,
};

/* What the keyboard is talking to. */
enum dash_mode {
    MODE_NORMAL,
    MODE_START,              /* the start panel (new test) */
    MODE_EDIT,               /* users and spawn rate of the running test */
    MODE_QUIT,               /* "stop the test and quit?" */
    MODE_DETAIL,             /* one Statistics entry in full (Enter on a row) */
};

#define FORM_MAX_FIELDS 4
#define FORM_TEXT 256

struct form_field {
    const char *label;
    const char *option;      /* option name in the option table ("users") */
    char text[FORM_TEXT];
};

struct form {
    struct form_field fields[FORM_MAX_FIELDS];
    int nfields;
    int focus;
    bool fresh;              /* the focused value is selected: typing replaces it */
    char error[256];
};

/* Attributes for each kind of text (colour, or plain attributes without). */
struct dash_theme {
    int header;              /* header bar */
    int tab_active;
    int good;                /* RUNNING */
    int busy;                /* SPAWNING, STOPPING */
    int bad;                 /* failures, warnings */
    int dim;                 /* hints */
    int series[2];           /* chart lines */
    int title;
};

/* One Statistics row's numbers, computed once per copy (sorting and drawing). */
struct stat_row {
    const struct stats_entry *e;
    double v[COL_COUNT];     /* numeric value per column (names sort as text) */
};

#define DASH_LOG_LINES 1000

struct locust_worker;

struct dash {
    struct app *app;
    struct runner *runner;
    struct snapshot *snap;   /* the statistics snapshot every view reads, held until the next */
    const struct stats *view; /* &snap->stats */
    struct locust_worker *worker; /* --worker: the session the master drives, else NULL */
    struct threshold_result *thresholds; /* the header's live evaluation of them */
    struct stat_row *rows_data; /* Statistics rows in display order */
    size_t nrows_data, rows_cap;

    enum dash_view current;
    enum dash_view before_help;
    enum dash_mode mode;
    int sort_col;            /* enum stats_col */
    int sel_entry;           /* the Statistics view's selected entry (index in view.entries), -1: none */
    int detail_entry;        /* MODE_DETAIL: the entry shown */
    bool sort_desc;
    int scroll[VIEW_COUNT];  /* first row shown */
    int page[VIEW_COUNT];    /* rows that fit, from the last draw */
    int rows[VIEW_COUNT];    /* rows there are, from the last draw */

    bool utf8;               /* braille and box characters allowed */
    bool ascii_charts;       /* g toggles braille/ASCII */
    bool color;
    struct dash_theme theme;
    double refresh;

    struct form form;
    char message[256];       /* shown in the footer for a few seconds */
    double message_until;

    /* the generator watching itself */

    /* log lines while the screen is ours (written by any thread) */
    pthread_mutex_t log_lock;
    char *log[DASH_LOG_LINES];
    size_t log_head, log_count, log_dropped;
    char log_last[256];
    int log_last_level;
    double log_last_time;

    FILE *keys;              /* the terminal's input: stdin, or /dev/tty */
    ev_io input;
    ev_timer redraw;
    ev_timer autoquit;       /* --autoquit: leave this long after a run ends */
    ev_timer print_stats;    /* --print-stats: the periodic tables to stderr */
    ev_signal sigwinch;
    double last_draw;
    bool quit;               /* leave the loop once the runner is idle */
    bool screen_on;
    bool no_cursor;          /* the terminal cannot address the cursor (TERM=dumb) */
};

/* views.c: draw the screen (the header, the current view, the footer) */
void views_draw(struct dash *d);

/* statsview.c: the Statistics rows in display order, from view, by sort_col */
void views_sort(struct dash *d);
const char *views_col_name(int col);
int views_col_key(int col);
/* The Statistics view: move the selection by delta rows (page: scroll with it). */
void views_select(struct dash *d, int delta, bool page);
/* Enter on the Statistics view: the selected entry's detail. */
void views_open_detail(struct dash *d);

/* draw.c: move the current view's first row by delta (the next draw clamps it) */
void views_scroll(struct dash *d, int delta);

/* keys.c: one key in the normal mode; true when the view wants a fresh statistics copy */
bool dash_key(struct dash *d, int key);

/* panel.c */
void panel_open_start(struct dash *d);
void panel_open_edit(struct dash *d);
void panel_draw(struct dash *d);
/* Returns true when the key was taken by the open dialog. */
bool panel_key(struct dash *d, int key);

/* workerview.c: the dashboard as the Locust worker's front end (d->worker set) */
void workerview_start(struct dash *d);
void workerview_signal(struct dash *d, int signum);
/* The header's first line: the session's state, users, master, node. */
void workerview_header(struct dash *d);
const char *workerview_hint(void);
/* A key in the normal mode; true when it was taken (load keys are refused). */
bool workerview_key(struct dash *d, int key);
void workerview_leave(struct dash *d);
/* After the loop, the screen given back: the session's end and the final tables. */
int workerview_finish(struct dash *d);

/* actions.c: what keys and dialogs do to the test */
void dash_start(struct dash *d, unsigned users, double rate);
void dash_message(struct dash *d, const char *fmt, ...) PRINTFLIKE(2, 3);
void dash_request_quit(struct dash *d);
/* + (dir 1) and - (dir -1): the running test's users by a tenth of the target. */
void dash_change_users(struct dash *d, int dir);

#endif
