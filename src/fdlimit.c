/*
 * fdlimit.c: how many users the open-file limit allows (see fdlimit.h).
 */
#include "config.h"

#include <sys/resource.h>

#include "fdlimit.h"
#include "worker.h"

/* stdio, the log, the main loop, the dashboard's terminal, libcurl's resolver... */
#define FIXED_FILES 64
/* a worker's libev loop (epoll, eventfd) and a spare */
#define FILES_PER_THREAD 4
/* a libcurl multi handle's wake-up socket pair */
#define FILES_PER_GROUP 2

const char fdlimit_howto[] =
    "raise the open-file limit: 'ulimit -n N' in the shell (up to the hard limit, "
    "'ulimit -Hn'), 'prlimit --nofile=N:N cicada ...' (root may raise the hard limit), "
    "or a 'nofile' line in /etc/security/limits.conf (then log in again)";

unsigned long
fdlimit_current(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    return rl.rlim_cur == RLIM_INFINITY ? (unsigned long)-1 : (unsigned long)rl.rlim_cur;
}

unsigned long
fdlimit_raise(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    return fdlimit_current();
}

unsigned long
fdlimit_needed(unsigned users, unsigned threads, bool demo)
{
    unsigned long per_user = demo ? 2 : 1;
    /* every thread may have one group that is not full */
    unsigned long groups = users / WORKER_GROUP_USERS + threads;

    return FIXED_FILES + (unsigned long)threads * FILES_PER_THREAD +
           groups * FILES_PER_GROUP + per_user * users;
}

unsigned
fdlimit_max_users(unsigned long limit, unsigned threads, bool demo)
{
    unsigned long lo = 0, hi = 10000000;

    /* the largest count whose need fits (the need grows with the count) */
    while (lo < hi) {
        unsigned long mid = lo + (hi - lo + 1) / 2;

        if (fdlimit_needed((unsigned)mid, threads, demo) <= limit)
            lo = mid;
        else
            hi = mid - 1;
    }
    return (unsigned)lo;
}
