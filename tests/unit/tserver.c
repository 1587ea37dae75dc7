/*
 * tserver.c: the unit tests' tiny HTTP/1.1 server (tserver.h). One thread,
 * poll(2) over the listening socket, a wake-up pipe and the connections;
 * requests are read whole (head and Content-Length body) before anything
 * is counted or answered.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "tserver.h"

struct tconn {
    int fd;
    char *in;
    size_t len, cap;
    unsigned answered;       /* requests answered on this connection */
    bool held;
    bool head;               /* the held request is a HEAD */
};

struct loopstate {
    struct tserver *ts;
    struct tconn *conns;
    size_t nconns;
};

static void
die(const char *what)
{
    perror(what);
    abort();
}

void
tserver_lock(struct tserver *ts)
{
    pthread_mutex_lock(&ts->lock);
}

void
tserver_unlock(struct tserver *ts)
{
    pthread_mutex_unlock(&ts->lock);
}

/* Write all of buf (the client reads: small answers never block for long). */
static void
send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/* Answer status with body "ok" (no body for HEAD). */
static void
answer(struct tserver *ts, struct tconn *c, int status, bool head)
{
    char out[256];
    int n = snprintf(out, sizeof(out), "HTTP/1.1 %d X\r\nContent-Type: text/plain\r\n"
                     "Content-Length: 2\r\n\r\n%s", status, head ? "" : "ok");

    /* counted before it is sent: a client that has its answer finds it counted */
    c->answered++;
    tserver_lock(ts);
    ts->answered++;
    if (status >= 400)
        ts->failed++;
    pthread_cond_broadcast(&ts->cond);
    tserver_unlock(ts);
    send_all(c->fd, out, (size_t)n);
}

static void
conn_close(struct loopstate *ls, size_t i)
{
    close(ls->conns[i].fd);
    free(ls->conns[i].in);
    ls->conns[i] = ls->conns[--ls->nconns];
}

/* Count a request read in full and say what to do with it. */
enum action { ACT_ANSWER, ACT_DROP, ACT_RESET, ACT_HOLD, ACT_SHORT };

static enum action
take(struct tserver *ts, struct tconn *c, const char *req, size_t len, const char *path,
     int *status, int *keep)
{
    enum action act = ACT_ANSWER;
    size_t i;

    *status = 200;
    tserver_lock(ts);
    ts->requests++;
    for (i = 0; i < ts->npaths; i++)
        if (strcmp(ts->paths[i].path, path) == 0)
            break;
    if (i == ts->npaths && ts->npaths < TSERVER_PATHS) {
        snprintf(ts->paths[i].path, sizeof(ts->paths[i].path), "%s", path);
        ts->paths[i].count = 0;
        ts->npaths++;
    }
    if (i < ts->npaths)
        ts->paths[i].count++;
    if (len >= sizeof(ts->last))
        len = sizeof(ts->last) - 1;
    memcpy(ts->last, req, len);
    ts->last[len] = '\0';
    if (ts->drop_from > 0 && ts->requests >= ts->drop_from)
        act = ACT_DROP;
    else if (ts->answer_per_conn > 0 && c->answered >= ts->answer_per_conn)
        act = ACT_DROP;
    else if (strcmp(path, "/drop") == 0)
        act = ACT_DROP;
    else if (strcmp(path, "/reset") == 0)
        act = ACT_RESET;
    else if (strncmp(path, "/hold", 5) == 0 && !ts->release)
        act = ACT_HOLD;
    else if (strncmp(path, "/short/", 7) == 0) {
        act = ACT_SHORT;
        *keep = atoi(path + 7);
    } else if (strncmp(path, "/status/", 8) == 0)
        *status = atoi(path + 8);
    if (act == ACT_DROP || act == ACT_RESET || act == ACT_SHORT)
        ts->dropped++;
    if (act == ACT_HOLD)
        ts->held++;
    pthread_cond_broadcast(&ts->cond);
    tserver_unlock(ts);
    return act;
}

/* Handle the complete requests in connection i's buffer; false if it was closed. */
static bool
serve(struct loopstate *ls, size_t i)
{
    struct tserver *ts = ls->ts;
    struct tconn *c = &ls->conns[i];

    while (!c->held) {
        char *end, *cl, path[64], method[16];
        size_t head, body = 0, total;
        int status, keep = 0;
        enum action act;

        if (c->len == 0)
            return true;
        c->in[c->len] = '\0';
        end = strstr(c->in, "\r\n\r\n");
        if (end == NULL)
            return true;
        head = (size_t)(end - c->in) + 4;
        for (cl = c->in; (cl = strchr(cl, '\n')) != NULL && cl < end;) {
            cl++;
            if (strncasecmp(cl, "Content-Length:", 15) == 0)
                body = strtoul(cl + 15, NULL, 10);
        }
        total = head + body;
        if (c->len < total)
            return true;
        if (sscanf(c->in, "%15s %63[^? ]", method, path) != 2)
            snprintf(path, sizeof(path), "?");
        act = take(ts, c, c->in, total, path, &status, &keep);
        memmove(c->in, c->in + total, c->len - total);
        c->len -= total;
        switch (act) {
        case ACT_RESET: {
            struct linger lg = { 1, 0 };

            setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            conn_close(ls, i);
            return false;
        }
        case ACT_DROP:
            conn_close(ls, i);
            return false;
        case ACT_SHORT: {
            char out[256];
            char fill[1000];
            int n = snprintf(out, sizeof(out), "HTTP/1.1 200 X\r\nContent-Length: 1000\r\n\r\n");

            memset(fill, 'x', sizeof(fill));
            send_all(c->fd, out, (size_t)n);
            send_all(c->fd, fill, keep > 0 && keep < 1000 ? (size_t)keep : 0);
            conn_close(ls, i);
            return false;
        }
        case ACT_HOLD:
            c->held = true;
            c->head = strcmp(method, "HEAD") == 0;
            return true;
        case ACT_ANSWER: {
            unsigned close_after;

            answer(ts, c, status, strcmp(method, "HEAD") == 0);
            tserver_lock(ts);
            close_after = ts->close_after;
            tserver_unlock(ts);
            if (close_after > 0 && c->answered >= close_after) {
                conn_close(ls, i);
                return false;
            }
            break;
        }
        }
    }
    return true;
}

static void *
server_main(void *arg)
{
    struct loopstate ls = { arg, NULL, 0 };
    struct tserver *ts = arg;
    struct pollfd *pfd = NULL;
    size_t cap = 0, i;

    for (;;) {
        bool release, quit;

        if (cap < ls.nconns + 2) {
            cap = (ls.nconns + 2) * 2;
            pfd = realloc(pfd, cap * sizeof(*pfd));
        }
        pfd[0].fd = ts->lfd;
        pfd[0].events = POLLIN;
        pfd[1].fd = ts->wake[0];
        pfd[1].events = POLLIN;
        for (i = 0; i < ls.nconns; i++) {
            pfd[i + 2].fd = ls.conns[i].fd;
            pfd[i + 2].events = POLLIN;
        }
        if (poll(pfd, ls.nconns + 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        tserver_lock(ts);
        release = ts->release;
        quit = ts->quit;
        tserver_unlock(ts);
        if (quit)
            break;
        if (pfd[1].revents & POLLIN) {
            char b[64];

            if (read(ts->wake[0], b, sizeof(b)) < 0)
                die("read");
        }
        /* connections, from the last: a closed one is replaced by the last of the array */
        for (i = ls.nconns; i-- > 0;) {
            struct tconn *c = &ls.conns[i];
            short re = pfd[i + 2].revents;

            if (c->held && release) {
                c->held = false;
                tserver_lock(ts);
                ts->held--;
                tserver_unlock(ts);
                answer(ts, c, 200, c->head);
                if (!serve(&ls, i))
                    continue;
            }
            if (re & (POLLIN | POLLHUP | POLLERR)) {
                ssize_t n;

                if (c->cap - c->len < 4097) {
                    c->cap = c->cap * 2 + 8192;
                    c->in = realloc(c->in, c->cap);
                }
                n = recv(c->fd, c->in + c->len, c->cap - c->len - 1, 0);
                if (n <= 0) {
                    if (c->held) {
                        tserver_lock(ts);
                        ts->held--;
                        tserver_unlock(ts);
                    }
                    conn_close(&ls, i);
                    continue;
                }
                c->len += (size_t)n;
                serve(&ls, i);
            }
        }
        if (pfd[0].revents & POLLIN) {
            int fd = accept(ts->lfd, NULL, NULL);

            if (fd >= 0) {
                ls.conns = realloc(ls.conns, (ls.nconns + 1) * sizeof(*ls.conns));
                memset(&ls.conns[ls.nconns], 0, sizeof(*ls.conns));
                ls.conns[ls.nconns++].fd = fd;
                tserver_lock(ts);
                ts->connections++;
                tserver_unlock(ts);
            }
        }
    }
    while (ls.nconns > 0)
        conn_close(&ls, ls.nconns - 1);
    free(ls.conns);
    free(pfd);
    return NULL;
}

static void
wake(struct tserver *ts)
{
    if (write(ts->wake[1], "w", 1) < 0)
        die("write");
}

void
tserver_start(struct tserver *ts)
{
    static const char *const proxies[] = { "http_proxy", "HTTP_PROXY", "https_proxy",
                                           "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL };
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int one = 1;
    size_t i;

    /* the clients reach it directly, whatever proxy the environment names */
    for (i = 0; proxies[i] != NULL; i++)
        unsetenv(proxies[i]);
    memset(ts, 0, sizeof(*ts));
    pthread_mutex_init(&ts->lock, NULL);
    pthread_cond_init(&ts->cond, NULL);
    ts->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (ts->lfd < 0)
        die("socket");
    setsockopt(ts->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ts->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ts->lfd, 512) < 0 ||
        getsockname(ts->lfd, (struct sockaddr *)&sa, &len) < 0)
        die("bind/listen");
    ts->port = ntohs(sa.sin_port);
    snprintf(ts->url, sizeof(ts->url), "http://127.0.0.1:%d", ts->port);
    if (pipe(ts->wake) < 0)
        die("pipe");
    if (pthread_create(&ts->thread, NULL, server_main, ts) != 0)
        die("pthread_create");
}

void
tserver_stop(struct tserver *ts)
{
    tserver_lock(ts);
    ts->quit = true;
    tserver_unlock(ts);
    wake(ts);
    pthread_join(ts->thread, NULL);
    close(ts->lfd);
    close(ts->wake[0]);
    close(ts->wake[1]);
}

void
tserver_fault(struct tserver *ts, unsigned answer_per_conn, unsigned long drop_from)
{
    tserver_lock(ts);
    ts->answer_per_conn = answer_per_conn;
    ts->drop_from = drop_from;
    tserver_unlock(ts);
}

void
tserver_close_after(struct tserver *ts, unsigned n)
{
    tserver_lock(ts);
    ts->close_after = n;
    tserver_unlock(ts);
}

void
tserver_reset(struct tserver *ts)
{
    tserver_lock(ts);
    ts->answer_per_conn = 0;
    ts->drop_from = 0;
    ts->close_after = 0;
    ts->requests = ts->answered = ts->failed = ts->dropped = ts->connections = 0;
    ts->npaths = 0;
    ts->last[0] = '\0';
    ts->release = false;
    tserver_unlock(ts);
}

struct tserver_counts
tserver_counts(struct tserver *ts)
{
    struct tserver_counts c;

    tserver_lock(ts);
    c.requests = ts->requests;
    c.answered = ts->answered;
    c.failed = ts->failed;
    c.dropped = ts->dropped;
    c.connections = ts->connections;
    c.held = ts->held;
    tserver_unlock(ts);
    return c;
}

unsigned long
tserver_path_count(struct tserver *ts, const char *path)
{
    unsigned long n = 0;
    size_t i;

    tserver_lock(ts);
    for (i = 0; i < ts->npaths; i++)
        if (strcmp(ts->paths[i].path, path) == 0)
            n = ts->paths[i].count;
    tserver_unlock(ts);
    return n;
}

/* Wait until *field >= n, for `bound` seconds at most. */
static bool
wait_for(struct tserver *ts, const unsigned long *field, unsigned long n, double bound)
{
    struct timespec until;
    bool ok;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)bound;
    until.tv_nsec += (long)((bound - (double)(time_t)bound) * 1e9);
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    tserver_lock(ts);
    while (*field < n)
        if (pthread_cond_timedwait(&ts->cond, &ts->lock, &until) != 0)
            break;
    ok = *field >= n;
    tserver_unlock(ts);
    return ok;
}

bool
tserver_wait_requests(struct tserver *ts, unsigned long n, double bound)
{
    return wait_for(ts, &ts->requests, n, bound);
}

bool
tserver_wait_held(struct tserver *ts, unsigned long n, double bound)
{
    return wait_for(ts, &ts->held, n, bound);
}

void
tserver_release(struct tserver *ts)
{
    tserver_lock(ts);
    ts->release = true;
    tserver_unlock(ts);
    wake(ts);
}

void
tserver_last(struct tserver *ts, char *buf, size_t size)
{
    tserver_lock(ts);
    snprintf(buf, size, "%s", ts->last);
    tserver_unlock(ts);
}
