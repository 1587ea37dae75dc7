/*
 * fastpoll.h: answer libcurl's zero-timeout readiness polls on a keep-alive
 * connection that was idle for a moment only, without a system call.
 *
 * libcurl 7.x polls a pooled connection's socket before reusing it (has the
 * server closed it?) and once more right after sending a request (is the
 * answer there yet?). On a connection that finished its last transfer a
 * moment ago both answers are known to be "nothing yet", and at tens of
 * thousands of requests per second the two poll(2) calls cost about a tenth
 * of the generator's CPU. Between fastpoll_begin and fastpoll_end, on the
 * calling thread only, a poll of one socket with a zero timeout for reading
 * returns "no events" when skip(ctx, fd) says so; everything else goes to
 * the C library's poll.
 *
 * Why "no events" is safe: after sending, libcurl then waits for the socket
 * through the multi interface's socket callback (the loop's level-triggered
 * epoll reports data already there at once); and a connection the server
 * closed in that moment fails on reuse, which libcurl retries on a new
 * connection before it reports anything.
 */
#ifndef CICADA_FASTPOLL_H
#define CICADA_FASTPOLL_H

#include <stdbool.h>

typedef bool (*fastpoll_skip_fn)(void *ctx, int fd);

void fastpoll_begin(fastpoll_skip_fn skip, void *ctx);
void fastpoll_end(void);

/* How many polls were answered here and how many went to the C library, on this thread. */
void fastpoll_counts(unsigned long long *skipped, unsigned long long *passed);

#endif
