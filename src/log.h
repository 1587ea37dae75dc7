/*
 * log.h: log lines in Locust's format,
 * "[2026-11-22 11:22:51,544] host/INFO/cicada.runner: message",
 * to stderr or to --logfile. Statistics tables do not go through here.
 */
#ifndef CICADA_LOG_H
#define CICADA_LOG_H

#include "util.h"

enum log_level {
    LOG_DEBUG,
    LOG_INFO,
    LOG_WARNING,
    LOG_ERROR,
    LOG_CRITICAL,
};

/* Parse "DEBUG", "info", ... (any case); 0 or -1. */
int log_parse_level(const char *text, enum log_level *level);

/* Set the level and the destination (NULL = stderr); 0, or -1 with *err. */
int log_open(enum log_level level, const char *path, char **err);
void log_close(void);

/* Send log lines to a callback instead of a stream (the dashboard's log view). */
void log_set_sink(void (*sink)(enum log_level, const char *line, void *arg), void *arg);

/* Is a message at this level written? */
int log_enabled(enum log_level level);

void log_msg(enum log_level level, const char *logger, const char *fmt, ...) PRINTFLIKE(3, 4);

#define log_debug(logger, ...) log_msg(LOG_DEBUG, logger, __VA_ARGS__)
#define log_info(logger, ...) log_msg(LOG_INFO, logger, __VA_ARGS__)
#define log_warning(logger, ...) log_msg(LOG_WARNING, logger, __VA_ARGS__)
#define log_error(logger, ...) log_msg(LOG_ERROR, logger, __VA_ARGS__)

#endif
