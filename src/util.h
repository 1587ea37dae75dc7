/*
 * util.h: small helpers shared by every module: allocation that never
 * returns NULL, string helpers, a growable byte buffer and a clock.
 */
#ifndef CICADA_UTIL_H
#define CICADA_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTFLIKE(f, a)
#define NORETURN
#endif

/* Allocation: these abort with a message instead of returning NULL. */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTFLIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTFLIKE(1, 0);

/* Print "cicada: fatal: ..." and abort: for impossible states only. */
NORETURN void fatal(const char *fmt, ...) PRINTFLIKE(1, 2);

/* Hook run by fatal() before it exits (the dashboard restores the terminal). */
void util_set_fatal_hook(void (*hook)(void));

/* Trim leading and trailing white space in place; returns s. */
char *str_trim(char *s);

/* Case-insensitive equality. */
int str_ieq(const char *a, const char *b);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t str_distance(const char *a, const char *b);

/* The candidate nearest to word (NULL list-terminated), or NULL if none is close. */
const char *str_suggest(const char *word, const char *const *candidates);

/* Growable byte buffer. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTFLIKE(2, 3);
/* Detach the NUL-terminated contents; the buffer is empty afterwards. */
char *buf_steal(struct buf *b);

/* Wall clock in seconds since the epoch, and a monotonic clock in seconds. */
/* CPUs this process may run on (its affinity mask, as taskset sets it), at least 1. */
unsigned cpu_count(void);

double time_wall(void);
double time_mono(void);

/*
 * Read a whole file; returns NULL and sets *err (allocated, "path: why") on
 * failure. Only regular files are read (not a FIFO, a device or a
 * directory), and none larger than the process's limit (--max-file-size,
 * FILE_SIZE_DEFAULT unless set): data, body and env files.
 */
char *file_read_all(const char *path, size_t *len, char **err);

#define FILE_SIZE_DEFAULT (64ULL * 1024 * 1024)
void util_set_max_file_size(unsigned long long bytes);
unsigned long long util_max_file_size(void);

/* "a directory", "a FIFO", "a character device"... for a st_mode that is not a regular file. */
const char *file_kind(mode_t mode);

#endif
