/*
 * test_fastpoll.c: cicada's poll() answers "nothing yet" only inside a
 * window, only on its thread, only for a one-socket zero-timeout read check
 * the skip function agrees to; everything else is the real poll. And the
 * executable's poll is the one the dynamic linker hands to libraries.
 */
#include "config.h"

#include <dlfcn.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fastpoll.h"

struct pair {
    int fd[2];
};

/* A socket pair with data waiting on fd[0]. */
static int
setup_pair(void **state)
{
    static struct pair p;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, p.fd) != 0)
        return -1;
    if (write(p.fd[1], "x", 1) != 1)
        return -1;
    *state = &p;
    return 0;
}

static int
teardown_pair(void **state)
{
    struct pair *p = *state;

    close(p->fd[0]);
    close(p->fd[1]);
    return 0;
}

static int skip_fd = -1;

static bool
skip_one(void *ctx, int fd)
{
    (void)ctx;
    return fd == skip_fd;
}

static int
poll_one(int fd, short events, int timeout, short *revents)
{
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
    int n = poll(&p, 1, timeout);

    *revents = p.revents;
    return n;
}

/* Outside a window: the real answer (the socket is readable). */
static void
test_outside_window(void **state)
{
    struct pair *p = *state;
    short rev;

    skip_fd = p->fd[0];
    assert_int_equal(poll_one(p->fd[0], POLLIN, 0, &rev), 1);
    assert_true(rev & POLLIN);
}

/* Inside: the chosen socket reads as idle; others, and write checks, are real. */
static void
test_inside_window(void **state)
{
    struct pair *p = *state;
    unsigned long long skipped0, passed0, skipped, passed;
    short rev;

    fastpoll_counts(&skipped0, &passed0);
    skip_fd = p->fd[0];
    fastpoll_begin(skip_one, NULL);
    assert_int_equal(poll_one(p->fd[0], POLLIN | POLLPRI, 0, &rev), 0);
    assert_int_equal(rev, 0);
    /* a write check is never skipped */
    assert_int_equal(poll_one(p->fd[0], POLLIN | POLLOUT, 0, &rev), 1);
    assert_true(rev & POLLOUT);
    /* a poll that may wait is never skipped */
    assert_int_equal(poll_one(p->fd[0], POLLIN, 10, &rev), 1);
    /* the skip function says no */
    skip_fd = -1;
    assert_int_equal(poll_one(p->fd[0], POLLIN, 0, &rev), 1);
    fastpoll_end();
    fastpoll_counts(&skipped, &passed);
    assert_int_equal(skipped - skipped0, 1);
    assert_int_equal(passed - passed0, 3);
    /* closed again */
    skip_fd = p->fd[0];
    assert_int_equal(poll_one(p->fd[0], POLLIN, 0, &rev), 1);
}

/* More than one socket: real. */
static void
test_two_sockets(void **state)
{
    struct pair *p = *state;
    struct pollfd fds[2] = {
        { .fd = p->fd[0], .events = POLLIN },
        { .fd = p->fd[1], .events = POLLIN },
    };

    skip_fd = p->fd[0];
    fastpoll_begin(skip_one, NULL);
    assert_int_equal(poll(fds, 2, 0), 1);
    fastpoll_end();
    assert_true(fds[0].revents & POLLIN);
}

static void *
poll_in_thread(void *arg)
{
    struct pair *p = arg;
    short rev;

    return (void *)(intptr_t)poll_one(p->fd[0], POLLIN, 0, &rev);
}

/* The window belongs to the thread that opened it. */
static void
test_other_thread(void **state)
{
    struct pair *p = *state;
    pthread_t t;
    void *ret;

    skip_fd = p->fd[0];
    fastpoll_begin(skip_one, NULL);
    assert_int_equal(pthread_create(&t, NULL, poll_in_thread, p), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    fastpoll_end();
    assert_int_equal((intptr_t)ret, 1);
}

/* The poll a shared library (libcurl) binds to is this program's. */
static void
test_interposed(void **state)
{
    void *found = dlsym(RTLD_DEFAULT, "poll");

    (void)state;
    assert_non_null(found);
    assert_ptr_equal(found, (void *)poll);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_outside_window, setup_pair, teardown_pair),
        cmocka_unit_test_setup_teardown(test_inside_window, setup_pair, teardown_pair),
        cmocka_unit_test_setup_teardown(test_two_sockets, setup_pair, teardown_pair),
        cmocka_unit_test_setup_teardown(test_other_thread, setup_pair, teardown_pair),
        cmocka_unit_test(test_interposed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
