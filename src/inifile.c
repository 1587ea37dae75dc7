/*
 * inifile.c: a line reader in front of inih. inih calls our reader once per
 * line, then the handler for that line, so the reader knows the line
 * number the handler is about to see. The reader also mirrors inih's rule
 * for continuation lines (an indented line after a key) and for section
 * headers, so sections are reported even when they hold no keys.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "inifile.h"
#include "util.h"

struct ini_state {
    const char *path;
    FILE *stream;
    ini_callback cb;
    void *user;
    int line;                /* number of the line last read */
    bool continuation;       /* that line continues the previous key */
    bool have_key;           /* inih's prev_name is set */
    bool failed;
    int err_line;
    char *section;
    char *err;               /* first error, "path:line: ..." */
    char *raw;               /* the line read, at most raw_cap - 1 bytes of it */
    size_t raw_cap, raw_len;
    unsigned long long total; /* bytes read so far (bounded: /dev/zero has no end) */
};

int
inifile_max_line(void)
{
    return ini_max_line - 3;
}

/* Record the first error at the current line. */
static void
fail_at(struct ini_state *st, int line, const char *msg)
{
    if (st->failed)
        return;
    st->failed = true;
    st->err_line = line;
    st->err = xasprintf("%s:%d: %s", st->path, line, msg);
}

/* Classify a line the way inih will, and report section headers. */
static void
classify(struct ini_state *st, const char *raw)
{
    const char *p = raw;
    const char *end;

    st->continuation = false;
    if (st->line == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    while (*p != '\0' && isspace((unsigned char)*p))
        p++;
    if (*p == '\0' || *p == ';' || *p == '#')
        return;
    if (st->have_key && p > raw) {
        st->continuation = true;
        return;
    }
    if (*p == '[') {
        char *name, *err = NULL;

        end = strchr(p, ']');
        st->have_key = false;
        if (end == NULL)
            return;          /* inih reports the syntax error */
        name = xstrndup(p + 1, (size_t)(end - p - 1));
        free(st->section);
        st->section = xstrdup(str_trim(name));
        free(name);
        if (!st->failed && st->cb(st->user, st->section, NULL, NULL, st->line, false, &err) < 0) {
            fail_at(st, st->line, err ? err : "bad section");
            free(err);
        }
        return;
    }
    if (strpbrk(p, "=:") != NULL)
        st->have_key = true;
}

/*
 * Read one line into st->raw without its "\n" (cut at raw_cap - 1 bytes;
 * the rest of a longer line is counted and skipped). Returns the line's
 * whole length with its newline, or -1 at the end of the stream or past
 * the size limit (*too_big set).
 */
static long long
bounded_getline(struct ini_state *st, bool *too_big, bool *newline)
{
    unsigned long long limit = util_max_file_size();
    long long whole = 0;
    int c;

    *too_big = false;
    *newline = false;
    st->raw_len = 0;
    while ((c = getc_unlocked(st->stream)) != EOF) {
        if (++st->total > limit) {
            *too_big = true;
            return -1;
        }
        whole++;
        if (c == '\n') {
            *newline = true;
            break;
        }
        if (st->raw_len + 1 < st->raw_cap)
            st->raw[st->raw_len++] = (char)c;
    }
    st->raw[st->raw_len] = '\0';
    return whole == 0 ? -1 : whole;
}

/* inih's reader: one whole line at a time, like fgets. */
static char *
read_line(char *str, int num, void *stream)
{
    struct ini_state *st = stream;
    long long len;
    size_t chars;
    bool too_big, newline;

    if (st->raw == NULL) {
        st->raw_cap = (size_t)num;
        st->raw = xmalloc(st->raw_cap);
    }
    len = bounded_getline(st, &too_big, &newline);
    if (too_big) {
        char msg[160];

        snprintf(msg, sizeof(msg), "the file is larger than the limit of %llu bytes "
                 "(--max-file-size)", util_max_file_size());
        fail_at(st, st->line + 1, msg);
        return NULL;
    }
    if (len < 0)
        return NULL;
    st->line++;
    chars = (size_t)len - (newline ? 1 : 0);
    while (st->raw_len > 0 && st->raw[st->raw_len - 1] == '\r') {
        st->raw[--st->raw_len] = '\0';
        chars--;
    }
    if (chars > (size_t)num - 3) {
        char msg[256];

        snprintf(msg, sizeof(msg),
                 "line is %zu characters long, longer than the %d an INI line may have: "
                 "put a long body in body_file, or continue it on indented lines",
                 chars, num - 3);
        fail_at(st, st->line, msg);
        strcpy(str, "\n");
        st->continuation = false;
        return str;
    }
    /* inih sees the line ending in "\n" (without a "\r"), as a C string */
    memcpy(str, st->raw, st->raw_len);
    strcpy(str + st->raw_len, newline ? "\n" : "");
    classify(st, st->raw);
    return str;
}

/* inih's handler: pass the key on with its line number. */
static int
handle_key(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;
    char *err = NULL;

    if (st->failed)
        return 1;
    if (st->cb(st->user, st->section ? st->section : "", name, value, st->line,
               st->continuation, &err) < 0) {
        fail_at(st, st->line, err ? err : "bad value");
        free(err);
    }
    return 1;
}

int
ini_read(const char *path, const char *text, ini_callback cb, void *user, char **err)
{
    struct ini_state st;
    int rc;

    memset(&st, 0, sizeof(st));
    st.path = path;
    st.cb = cb;
    st.user = user;
    if (text != NULL)
        st.stream = fmemopen((void *)text, strlen(text), "r");
    else
        st.stream = fopen(path, "r");
    if (st.stream == NULL) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        return -1;
    }
    rc = ini_parse_stream(read_line, &st, handle_key, &st);
    fclose(st.stream);
    free(st.raw);
    free(st.section);
    if (st.failed && (rc <= 0 || st.err_line < rc)) {
        *err = st.err;
        return -1;
    }
    free(st.err);
    if (rc > 0) {
        *err = xasprintf("%s:%d: syntax error: expected [section], key = value, "
                         "or a comment", path, rc);
        return -1;
    }
    if (rc < 0) {
        *err = xasprintf("%s: cannot read the file", path);
        return -1;
    }
    return 0;
}
