/*
 * fdlimit.h: open files versus users. Every user keeps one connection
 * (one file descriptor, two when the built-in demo target serves it in the
 * same process), and every libcurl multi handle and worker loop needs a
 * few more. The limit is raised to the hard limit once at start; then the
 * number of users that can each have a connection is known before a run.
 */
#ifndef CICADA_FDLIMIT_H
#define CICADA_FDLIMIT_H

#include <stdbool.h>

/* Raise RLIMIT_NOFILE's soft limit to the hard limit; returns the soft limit now. */
unsigned long fdlimit_raise(void);

/* The soft limit now. */
unsigned long fdlimit_current(void);

/* Open files needed by `users` users on `threads` worker threads. */
unsigned long fdlimit_needed(unsigned users, unsigned threads, bool demo);

/* The most users that fit within `limit` open files. */
unsigned fdlimit_max_users(unsigned long limit, unsigned threads, bool demo);

/* The usual ways to raise the limit, for messages ("ulimit -n ..."). */
extern const char fdlimit_howto[];

#endif
