/*
 * selfmon.c: CPU and descriptors of the generator itself, from getrusage
 * and /proc/self. One saturated worker thread is the bottleneck even when
 * the process as a whole looks idle on a many-core machine, so the busiest
 * thread is followed by thread id from /proc/self/task/TID/stat.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "selfmon.h"
#include "util.h"

void
selfmon_init(struct selfmon *m)
{
    memset(m, 0, sizeof(*m));
    m->open_fds = -1;
}

/* Sum of user and system CPU seconds of the process. */
static double
process_cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Open descriptors (entries of /proc/self/fd, less the one reading it); -1 if unknown. */
static int
count_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (dir == NULL)
        return -1;
    while ((e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(dir);
    return n - 1;
}

/* CPU seconds of every thread now, into now[]; how many, or -1 without /proc. */
static int
read_threads(struct selfmon_thread *now, size_t most)
{
    double ticks = (double)sysconf(_SC_CLK_TCK);
    DIR *dir;
    struct dirent *e;
    size_t n = 0;

    if (ticks <= 0 || (dir = opendir("/proc/self/task")) == NULL)
        return -1;
    while ((e = readdir(dir)) != NULL && n < most) {
        char path[320], buf[1024], *p;
        unsigned long utime, stime;
        FILE *f;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        p = fgets(buf, sizeof(buf), f);
        fclose(f);
        /* fields after the command name (which may hold spaces) start after ')' */
        if (p == NULL || (p = strrchr(buf, ')')) == NULL)
            continue;
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                   &stime) != 2)
            continue;
        now[n].tid = atol(e->d_name);
        now[n].seconds = (double)(utime + stime) / ticks;
        n++;
    }
    closedir(dir);
    return (int)n;
}

void
selfmon_sample(struct selfmon *m, unsigned threads)
{
    struct selfmon_thread now[SELFMON_MAX_THREADS];
    double wall = time_mono(), total = process_cpu_seconds();
    double interval = m->last_wall != 0 ? wall - m->last_wall : 0;
    double busiest = -1;
    int n = read_threads(now, SELFMON_MAX_THREADS);

    if (interval > 0) {
        m->cpu_percent = (total - m->last_total) / interval * 100.0;
        for (int i = 0; i < n; i++)
            for (size_t j = 0; j < m->nprev; j++)
                if (m->prev[j].tid == now[i].tid) {
                    double share = (now[i].seconds - m->prev[j].seconds) / interval * 100.0;

                    if (share > busiest)
                        busiest = share;
                }
        if (busiest < 0)
            busiest = m->cpu_percent / (threads > 0 ? threads : 1);
        m->cpu_busiest = busiest;
    }
    if (n > 0)
        memcpy(m->prev, now, (size_t)n * sizeof(*now));
    m->nprev = n > 0 ? (size_t)n : 0;
    m->last_wall = wall;
    m->last_total = total;
    m->open_fds = count_fds();
}

bool
selfmon_saturated(const struct selfmon *m)
{
    return m->cpu_busiest > SELFMON_BUSY_PERCENT;
}
