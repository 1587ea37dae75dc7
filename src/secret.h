/*
 * secret.h: values taken from the environment or a .env file (tokens,
 * keys, URLs) are secrets. The scenario loader registers each one it
 * substitutes; every path that prints text cicada did not write itself
 * (log lines, usage errors, failure reasons) masks them as "***".
 *
 * Values are added only while the scenario loads (one thread) and read
 * afterwards from any thread; they are never changed during a run.
 */
#ifndef CICADA_SECRET_H
#define CICADA_SECRET_H

#include <stddef.h>

/* Shortest value masked: shorter ones would mask ordinary words and digits. */
#define SECRET_MIN_LEN 4

/*
 * Remember value as a secret (a copy; duplicates and short values are
 * ignored); a URL's host, user name and password become secrets too.
 */
void secret_add(const char *value);

/*
 * Replace every secret in the NUL-terminated s with "***", in place, and
 * the user information of every URL in it (masked as "***").
 */
void secret_redact(char *s);

/* Forget every secret (tests). */
void secret_clear(void);

#endif
