/*
 * log.c: log lines in Locust's format,
 * "[%Y-%m-%d %H:%M:%S,mmm] host/LEVEL/logger: message" (local time,
 * milliseconds truncated, host name cut at its first dot), written whole to
 * stderr, to the --logfile, or to a sink callback (the dashboard). The
 * destination is the one piece of process-wide state, guarded by a mutex
 * so worker threads may log too.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"

static const char *const log_level_names[] = {
    [LOG_DEBUG] = "DEBUG",
    [LOG_INFO] = "INFO",
    [LOG_WARNING] = "WARNING",
    [LOG_ERROR] = "ERROR",
    [LOG_CRITICAL] = "CRITICAL",
};

/* Where log lines go; everything is read and written under lock. */
static struct {
    pthread_mutex_t lock;
    enum log_level level;
    FILE *file;                                       /* NULL: stderr */
    void (*sink)(enum log_level, const char *, void *);
    void *sink_arg;
    char host[256];                                   /* empty until first use */
} log_state = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .level = LOG_INFO,
};

/* Parse a level name in any case; WARN and FATAL are accepted as Python's logging does. */
int
log_parse_level(const char *text, enum log_level *level)
{
    size_t i;

    if (text == NULL)
        return -1;
    for (i = 0; i < ARRAY_LEN(log_level_names); i++) {
        if (str_ieq(text, log_level_names[i])) {
            *level = (enum log_level)i;
            return 0;
        }
    }
    if (str_ieq(text, "WARN")) {
        *level = LOG_WARNING;
        return 0;
    }
    if (str_ieq(text, "FATAL")) {
        *level = LOG_CRITICAL;
        return 0;
    }
    return -1;
}

/* Set the level and open the log file (appending), or use stderr when path is NULL. */
int
log_open(enum log_level level, const char *path, char **err)
{
    FILE *f = NULL;

    if (path != NULL) {
        f = fopen(path, "a");
        if (f == NULL) {
            if (err != NULL)
                *err = xasprintf("%s: %s", path, strerror(errno));
            return -1;
        }
    }
    pthread_mutex_lock(&log_state.lock);
    if (log_state.file != NULL)
        fclose(log_state.file);
    log_state.file = f;
    log_state.level = level;
    pthread_mutex_unlock(&log_state.lock);
    return 0;
}

/* Close the log file, if any, and go back to stderr. */
void
log_close(void)
{
    pthread_mutex_lock(&log_state.lock);
    if (log_state.file != NULL)
        fclose(log_state.file);
    log_state.file = NULL;
    pthread_mutex_unlock(&log_state.lock);
}

/* Divert whole lines (without their newline) to sink; NULL restores the stream. */
void
log_set_sink(void (*sink)(enum log_level, const char *line, void *arg), void *arg)
{
    pthread_mutex_lock(&log_state.lock);
    log_state.sink = sink;
    log_state.sink_arg = arg;
    pthread_mutex_unlock(&log_state.lock);
}

/* Is a message at this level written? */
int
log_enabled(enum log_level level)
{
    int on;

    pthread_mutex_lock(&log_state.lock);
    on = level >= log_state.level;
    pthread_mutex_unlock(&log_state.lock);
    return on;
}

/* The host name up to its first dot, looked up once (called under the lock). */
static const char *
log_host(void)
{
    if (log_state.host[0] == '\0') {
        char *dot;

        if (gethostname(log_state.host, sizeof(log_state.host) - 1) != 0)
            strcpy(log_state.host, "localhost");
        log_state.host[sizeof(log_state.host) - 1] = '\0';
        dot = strchr(log_state.host, '.');
        if (dot != NULL && dot != log_state.host)
            *dot = '\0';
        if (log_state.host[0] == '\0')
            strcpy(log_state.host, "localhost");
    }
    return log_state.host;
}

/* Format and write one log line. */
void
log_msg(enum log_level level, const char *logger, const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];
    char *message, *line;
    void (*sink)(enum log_level, const char *, void *);
    void *sink_arg;
    va_list ap;

    if ((unsigned)level >= ARRAY_LEN(log_level_names))
        level = LOG_CRITICAL;
    if (!log_enabled(level))
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    va_start(ap, fmt);
    message = xvasprintf(fmt, ap);
    va_end(ap);
    secret_redact(message);

    pthread_mutex_lock(&log_state.lock);
    line = xasprintf("[%s,%03ld] %s/%s/%s: %s", stamp, ts.tv_nsec / 1000000L, log_host(),
                     log_level_names[level], logger != NULL ? logger : "cicada", message);
    sink = log_state.sink;
    sink_arg = log_state.sink_arg;
    if (sink == NULL) {
        FILE *out = log_state.file != NULL ? log_state.file : stderr;

        fputs(line, out);
        fputc('\n', out);
        fflush(out);
    }
    pthread_mutex_unlock(&log_state.lock);
    /* the sink runs unlocked so it may itself log or take its own locks */
    if (sink != NULL)
        sink(level, line, sink_arg);
    free(line);
    free(message);
}
