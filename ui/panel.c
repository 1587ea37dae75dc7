/*
 * panel.c: the dashboard's dialogs, drawn over the current view: the start
 * panel (Locust's "Start new load test": users, spawn rate, host, run
 * time), the edit dialog (users and spawn rate of the running test,
 * Locust's "Edit") and the question before quitting a running test.
 * Values are checked with the option table's own rules, so the panel
 * accepts exactly what the command line and the INI file accept.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "dash.h"
#include "secret.h"
#include "util.h"

#define KEY_ESC 27

/* Add a field with its current value. */
static void
add_field(struct form *f, const char *label, const char *option, const char *value)
{
    struct form_field *fl = &f->fields[f->nfields++];

    fl->label = label;
    fl->option = option;
    snprintf(fl->text, sizeof(fl->text), "%s", value != NULL ? value : "");
}

/* A number as the user would type it: 10, 0.5. */
static void
fmt_number(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%g", v);
}

/* A duration as the user would type it: 90s, 1h20m; "" for none. */
static void
fmt_duration(char *buf, size_t size, double seconds)
{
    long s = (long)seconds;

    if (seconds <= 0)
        buf[0] = '\0';
    else if ((double)s != seconds)
        snprintf(buf, size, "%gs", seconds);
    else if (s % 3600 == 0)
        snprintf(buf, size, "%ldh", s / 3600);
    else if (s % 60 == 0)
        snprintf(buf, size, "%ldm", s / 60);
    else
        snprintf(buf, size, "%lds", s);
}

/* The host as the panel shows it: secrets (host = ${URL}) masked. */
static void
masked_host(const struct settings *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s->host != NULL ? s->host : "");
    secret_redact(buf);
}

void
panel_open_start(struct dash *d)
{
    struct settings *s = &d->app->settings;
    char users[32], rate[32], run_time[32], host[FORM_TEXT];

    memset(&d->form, 0, sizeof(d->form));
    snprintf(users, sizeof(users), "%u", s->users);
    fmt_number(rate, sizeof(rate), s->spawn_rate);
    fmt_duration(run_time, sizeof(run_time), s->run_time);
    add_field(&d->form, "Number of users (peak concurrency)", "users", users);
    add_field(&d->form, "Spawn rate (users started/second)", "spawn-rate", rate);
    masked_host(s, host, sizeof(host));
    add_field(&d->form, "Host", "host", s->host != NULL ? host : NULL);
    add_field(&d->form, "Run time (e.g. 30s, 5m, 1h; empty: no limit)", "run-time", run_time);
    d->form.fresh = true;
    d->mode = MODE_START;
}

void
panel_open_edit(struct dash *d)
{
    char users[32], rate[32];

    memset(&d->form, 0, sizeof(d->form));
    snprintf(users, sizeof(users), "%u", runner_target_users(d->runner));
    fmt_number(rate, sizeof(rate), runner_spawn_rate(d->runner));
    add_field(&d->form, "Number of users (peak concurrency)", "users", users);
    add_field(&d->form, "Spawn rate (users started/second)", "spawn-rate", rate);
    d->form.fresh = true;
    d->mode = MODE_EDIT;
}

/* Check and apply the form; false (with form.error) if a value is wrong. */
static bool
submit(struct dash *d)
{
    struct settings *s = &d->app->settings;
    struct origin where = { ORIGIN_CLI, NULL, 0, "the start panel" };
    int i;

    for (i = 0; i < d->form.nfields; i++) {
        struct form_field *fl = &d->form.fields[i];
        char *err = NULL, *text = str_trim(fl->text);
        int rc;

        if (strcmp(fl->option, "run-time") == 0 && text[0] == '\0') {
            s->run_time = 0;
            continue;
        }
        if (strcmp(fl->option, "host") == 0) {
            char shown[FORM_TEXT];

            if (text[0] == '\0' && s->host == NULL)
                continue;
            /* a host from a secret variable is shown masked: unchanged, it stays */
            masked_host(s, shown, sizeof(shown));
            if (s->host != NULL && strcmp(text, shown) == 0)
                continue;
            rc = app_change_host(d->app, text, &err);
        } else {
            rc = option_set(s, option_by_name(fl->option), text, &where, &err);
        }
        if (rc < 0) {
            snprintf(d->form.error, sizeof(d->form.error), "%s", err);
            free(err);
            d->form.focus = i;
            d->form.fresh = true;
            return false;
        }
    }
    return true;
}

/* Draw a framed box with a title; returns its left column. */
static int
frame(int y, int h, int w, const char *title, int attr)
{
    int x = (COLS - w) / 2, i;

    for (i = 0; i < h; i++) {
        move(y + i, x);
        hline(' ', w);
    }
    mvaddch(y, x, '+');
    mvhline(y, x + 1, '-', w - 2);
    mvaddch(y, x + w - 1, '+');
    mvaddch(y + h - 1, x, '+');
    mvhline(y + h - 1, x + 1, '-', w - 2);
    mvaddch(y + h - 1, x + w - 1, '+');
    mvvline(y + 1, x, '|', h - 2);
    mvvline(y + 1, x + w - 1, '|', h - 2);
    attron(attr);
    mvprintw(y, x + 2, " %s ", title);
    attroff(attr);
    return x;
}

/* The start panel or the edit dialog. */
static void
draw_form(struct dash *d)
{
    int w = COLS - 4 < 76 ? COLS - 4 : 76;
    int h = 5 + d->form.nfields * 2 + 2;
    int y = (LINES - h) / 2, x, i;
    const char *title = d->mode == MODE_START ? "Start new load test" : "Edit running load test";

    x = frame(y, h, w, title, d->theme.title);
    for (i = 0; i < d->form.nfields; i++) {
        const struct form_field *fl = &d->form.fields[i];
        bool on = i == d->form.focus;
        int fy = y + 2 + i * 2, fw = w - 6;
        const char *text = fl->text;
        int len = (int)strlen(text);

        mvaddnstr(fy, x + 3, fl->label, w - 6);
        attron(on ? A_REVERSE : A_UNDERLINE);
        move(fy + 1, x + 3);
        hline(' ', fw);
        attroff(on ? A_REVERSE : A_UNDERLINE);
        /* a selected value (typing replaces it) is underlined too; long values show their end */
        attron(on ? (d->form.fresh ? A_REVERSE | A_BOLD | A_UNDERLINE : A_REVERSE) : A_UNDERLINE);
        mvaddnstr(fy + 1, x + 3, len > fw - 1 ? text + len - (fw - 1) : text, fw - 1);
        attroff(A_REVERSE | A_BOLD | A_UNDERLINE);
        if (on)
            mvaddch(fy + 1, x + 3 + (len > fw - 1 ? fw - 1 : len), '_');
    }
    if (d->form.error[0] != '\0') {
        attron(d->theme.bad);
        mvaddnstr(y + h - 3, x + 3, d->form.error, w - 6);
        attroff(d->theme.bad);
    }
    mvaddnstr(y + h - 2, x + 3,
              d->mode == MODE_START ? "Enter start  Tab next field  typing replaces (Right keeps)  Esc close"
                                    : "Enter apply  Tab next field  typing replaces (Right keeps)  Esc cancel",
              w - 6);
}

/* On a terminal too small for the dialogs: the dialog as one line at the bottom. */
static void
draw_small(struct dash *d)
{
    char line[FORM_TEXT + 128];

    if (d->mode == MODE_QUIT) {
        snprintf(line, sizeof(line), "%s y: yes  n/Esc: no",
                 d->worker != NULL ? "Leave the Locust master and quit?" : "Stop the test and quit?");
    } else if (d->mode == MODE_DETAIL) {
        snprintf(line, sizeof(line), "the detail view needs 80x24: Esc goes back");
    } else {
        const struct form_field *fl = &d->form.fields[d->form.focus];

        snprintf(line, sizeof(line), "%s%s%s: %s_  (Enter %s, Tab next, Esc)",
                 d->form.error[0] != '\0' ? d->form.error : "",
                 d->form.error[0] != '\0' ? "; " : "", fl->label, fl->text,
                 d->mode == MODE_START ? "start" : "apply");
    }
    move(LINES - 1, 0);
    clrtoeol();
    attron(A_REVERSE | A_BOLD);
    mvaddnstr(LINES - 1, 0, line, COLS);
    attroff(A_REVERSE | A_BOLD);
    wnoutrefresh(stdscr);
}

void
panel_draw(struct dash *d)
{
    if (COLS < DASH_MIN_COLS || LINES < DASH_MIN_LINES) {
        draw_small(d);
        return;
    }
    if (d->mode == MODE_DETAIL) {
        /* views.c draws it in place of the view */
    } else if (d->mode == MODE_START || d->mode == MODE_EDIT) {
        draw_form(d);
    } else if (d->mode == MODE_QUIT) {
        int x = frame(LINES / 2 - 2, 5, 56, "Quit", d->theme.title);

        mvaddstr(LINES / 2 - 1, x + 3, d->worker != NULL ? "Leave the Locust master and quit?"
                                                         : "A test is running. Stop it and quit?");
        mvaddstr(LINES / 2, x + 3, "y: stop and quit    n or Esc: keep running");
    }
    wnoutrefresh(stdscr);
}

/* A key for the start panel or the edit dialog. */
static void
form_key(struct dash *d, int key)
{
    struct form *f = &d->form;
    struct form_field *fl = &f->fields[f->focus];
    size_t len = strlen(fl->text);

    switch (key) {
    case KEY_ESC:
        d->mode = MODE_NORMAL;
        return;
    case '\t': case KEY_DOWN:
        f->focus = (f->focus + 1) % f->nfields;
        f->fresh = true;
        return;
    case KEY_BTAB: case KEY_UP:
        f->focus = (f->focus + f->nfields - 1) % f->nfields;
        f->fresh = true;
        return;
    case KEY_BACKSPACE: case 127: case 8:
        if (len > 0)
            fl->text[len - 1] = '\0';
        f->fresh = false;
        return;
    case 21: /* Ctrl-U */
        fl->text[0] = '\0';
        f->fresh = false;
        return;
    case KEY_LEFT: case KEY_RIGHT: case KEY_END:
        /* keep the value and type after it */
        f->fresh = false;
        return;
    case '\r': case '\n': case KEY_ENTER:
        f->error[0] = '\0';
        if (!submit(d))
            return;
        d->mode = MODE_NORMAL;
        dash_start(d, d->app->settings.users, d->app->settings.spawn_rate);
        return;
    default:
        if (key >= 32 && key < 127 && f->fresh) {
            fl->text[0] = '\0';
            len = 0;
            f->fresh = false;
        }
        if (key >= 32 && key < 127 && len + 1 < sizeof(fl->text)) {
            fl->text[len] = (char)key;
            fl->text[len + 1] = '\0';
        }
        return;
    }
}

bool
panel_key(struct dash *d, int key)
{
    switch (d->mode) {
    case MODE_START:
    case MODE_EDIT:
        form_key(d, key);
        return true;
    case MODE_QUIT:
        if (key == 'y' || key == 'Y' || key == 'q' || key == '\r' || key == '\n') {
            d->mode = MODE_NORMAL;
            if (d->worker != NULL)
                workerview_leave(d);
            else
                dash_request_quit(d);
        } else if (key == 'n' || key == 'N' || key == KEY_ESC) {
            d->mode = MODE_NORMAL;
        }
        return true;
    case MODE_DETAIL:
        if (key == KEY_UP || key == 'k' || key == KEY_DOWN || key == 'j') {
            views_select(d, key == KEY_UP || key == 'k' ? -1 : 1, false);
            d->detail_entry = d->sel_entry;
        } else if (key == KEY_ESC || key == '\r' || key == '\n' || key == KEY_ENTER ||
                   key == 'q' || key == KEY_BACKSPACE || key == 127) {
            d->mode = MODE_NORMAL;
        }
        return true;
    case MODE_NORMAL:
        break;
    }
    return false;
}
