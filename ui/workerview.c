/*
 * workerview.c: the dashboard as a front end of the Locust worker session
 * (--worker on a terminal). The views show the worker's own statistics as
 * in any run; the header's first line shows the session instead of the
 * test: the state with the master, the users now and as the master asked,
 * the master's address, the time since its last message and this node's
 * id. The master drives the load, so the keys that would change it are
 * refused with a message; q (after y) leaves the master with a last
 * report. The session is read only through locust_worker.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "dash.h"
#include "locust_worker.h"
#include "secret.h"

static void
put(int y, int x, int attr, const char *text)
{
    if (x >= COLS)
        return;
    attron(attr);
    mvaddnstr(y, x, text, COLS - x);
    attroff(attr);
}

/* The session's hooks: nothing to add after a report (the header redraws itself). */
void
workerview_start(struct dash *d)
{
    locust_worker_start(d->worker, NULL);
}

void
workerview_signal(struct dash *d, int signum)
{
    locust_worker_signal(d->worker, signum);
}

/* "host_0123456789abcdef..." as "host_01234567" (a long host name cut). */
static void
short_id(const char *id, char *buf, size_t size)
{
    const char *us = strrchr(id, '_');
    int host = us != NULL ? (int)(us - id) : (int)strlen(id);

    if (host > 16)
        host = 16;
    if (us != NULL)
        snprintf(buf, size, "%.*s_%.8s", host, id, us + 1);
    else
        snprintf(buf, size, "%.24s", id);
}

/* The state as the header shows it: upper case, with the clock that matters. */
static void
state_text(const struct locust_worker_status *st, char *buf, size_t size)
{
    size_t i;

    snprintf(buf, size, "%s", locust_worker_state_name(st->state));
    for (i = 0; buf[i] != '\0'; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    if (st->state == LW_LOST && st->retry_in >= 0) {
        size_t used = strlen(buf);

        snprintf(buf + used, size - used, ", retrying in %.0f s (gives up in %.0f s)",
                 st->retry_in + 0.49, st->give_up_in + 0.49);
    } else if ((st->state == LW_CONNECTING || st->state == LW_WAITING) && st->give_up_in >= 0) {
        size_t used = strlen(buf);

        snprintf(buf + used, size - used, " (gives up in %.0f s)", st->give_up_in + 0.49);
    }
}

void
workerview_header(struct dash *d)
{
    struct locust_worker_status st;
    char state[160], id[48], heard[48], line[768];
    int attr, x;

    locust_worker_status(d->worker, &st);
    state_text(&st, state, sizeof(state));
    short_id(st.node_id, id, sizeof(id));
    switch (st.state) {
    case LW_RUNNING:
        attr = d->theme.good | A_REVERSE;
        break;
    case LW_LOST:
        attr = d->theme.bad | A_REVERSE;
        break;
    case LW_READY:
    case LW_STOPPED:
        attr = d->theme.header | A_BOLD;
        break;
    default:
        attr = d->theme.busy | A_REVERSE;
        break;
    }
    if (st.since_message < 0)
        snprintf(heard, sizeof(heard), "no message yet");
    else
        snprintf(heard, sizeof(heard), "last message %.0f s ago", st.since_message);
    snprintf(line, sizeof(line), "  users %u/%u  master %s  %s  node %s  host %s", st.users,
             st.users_asked, st.master, heard, id,
             d->app->settings.host != NULL ? d->app->settings.host : "(per task)");
    secret_redact(line);

    move(0, 0);
    attron(d->theme.header);
    mvhline(0, 0, ' ', COLS);
    attroff(d->theme.header);
    put(0, 0, d->theme.header | A_BOLD, " cicada worker ");
    x = 15;
    put(0, x, d->theme.header, " ");
    put(0, x + 1, attr, state);
    x += 1 + (int)strlen(state);
    put(0, x, d->theme.header, line);
}

const char *
workerview_hint(void)
{
    return "the Locust master controls the test  1-7/Tab views  < > sort  ? help  q leave";
}

/* A key in the normal mode; true when it was taken. */
bool
workerview_key(struct dash *d, int key)
{
    switch (key) {
    case 's': case 'n': case 'e': case '+': case '=': case '-': case '_': case 'r':
        dash_message(d, "the Locust master controls the test (its web UI or command line); "
                     "q leaves it");
        return true;
    case 'q': case 'Q':
        d->mode = MODE_QUIT;
        return true;
    default:
        return false;
    }
}

/* y in the quit question: leave the master (last report, quit), then the loop ends. */
void
workerview_leave(struct dash *d)
{
    d->quit = true;
    dash_message(d, "leaving the Locust master: last report, then quit");
    locust_worker_leave(d->worker);
}

/* After the loop and the screen: the session's end, then the final tables. */
int
workerview_finish(struct dash *d)
{
    int status = locust_worker_end(d->worker);

    app_print_summary(d->app, status);
    return status;
}
