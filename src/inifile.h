/*
 * inifile.h: reading an INI file with Debian's libinih, adding what inih
 * lacks: line numbers for every key, section events (even for empty
 * sections), a flag for continuation lines, and an error instead of a
 * silent cut for lines longer than inih reads (INI_MAX_LINE).
 */
#ifndef CICADA_INIFILE_H
#define CICADA_INIFILE_H

#include <stdbool.h>

/*
 * Called for every section header (key == NULL, value == NULL) and every
 * key (continuation = the value continues the previous key's on an
 * indented line). Return 0 on success, or -1 after setting *err
 * (allocated, without the file:line prefix, which the reader adds).
 */
typedef int (*ini_callback)(void *user, const char *section, const char *key,
                            const char *value, int line, bool continuation, char **err);

/*
 * Parse the file at path, or, when text is not NULL, that text (path then
 * only names it in messages). Stops at the first error. Returns 0, or -1
 * with *err (allocated) as "path:line: message".
 */
int ini_read(const char *path, const char *text, ini_callback cb, void *user, char **err);

/* Longest line (without its newline) inih can read whole. */
int inifile_max_line(void);

#endif
