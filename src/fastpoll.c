/*
 * fastpoll.c: see fastpoll.h. cicada's own poll() takes the place of the C
 * library's for the whole process (the dynamic linker binds libcurl's poll
 * calls to the executable's definition); outside a begin/end window, and
 * for anything but a one-socket, zero-timeout read check, it is the C
 * library's poll.
 */
#include "config.h"

#include <poll.h>
#include <stddef.h>

#include "fastpoll.h"

/* glibc's own name for poll(2), exported for exactly this kind of wrapper */
extern int __poll(struct pollfd *fds, nfds_t nfds, int timeout);

struct fastpoll_window {
    fastpoll_skip_fn skip;   /* NULL outside a window */
    void *ctx;
    unsigned long long skipped, passed;
};

static _Thread_local struct fastpoll_window window;

void
fastpoll_begin(fastpoll_skip_fn skip, void *ctx)
{
    window.skip = skip;
    window.ctx = ctx;
}

void
fastpoll_end(void)
{
    window.skip = NULL;
    window.ctx = NULL;
}

void
fastpoll_counts(unsigned long long *skipped, unsigned long long *passed)
{
    *skipped = window.skipped;
    *passed = window.passed;
}

/* glibc declares poll's array write-only, which it is not: reading events is the point */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
int
poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
    if (window.skip != NULL) {
        if (nfds == 1 && timeout == 0 && fds[0].fd >= 0 &&
            (fds[0].events & (POLLOUT | POLLWRNORM | POLLWRBAND)) == 0 &&
            window.skip(window.ctx, fds[0].fd)) {
            fds[0].revents = 0;
            window.skipped++;
            return 0;
        }
        window.passed++;
    }
    return __poll(fds, nfds, timeout);
}
#pragma GCC diagnostic pop
