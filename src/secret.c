/*
 * secret.c: the list of secret values and their masking. The list is the
 * one piece of process-wide state here, like the log's destination: every
 * printer must see it, and it is written only before the run starts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "util.h"

static struct {
    char **values;
    size_t n;
} secrets;

void
secret_add(const char *value)
{
    size_t i;

    if (value == NULL || strlen(value) < SECRET_MIN_LEN)
        return;
    for (i = 0; i < secrets.n; i++)
        if (strcmp(secrets.values[i], value) == 0)
            return;
    secrets.values = xrealloc(secrets.values, (secrets.n + 1) * sizeof(*secrets.values));
    secrets.values[secrets.n++] = xstrdup(value);
}

void
secret_redact(char *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < secrets.n; i++) {
        const char *v = secrets.values[i];
        size_t vlen = strlen(v);
        char *hit;

        /* "***" is shorter than any secret, so the text only shrinks */
        while ((hit = strstr(s, v)) != NULL) {
            memcpy(hit, "***", 3);
            memmove(hit + 3, hit + vlen, strlen(hit + vlen) + 1);
        }
    }
}

void
secret_clear(void)
{
    size_t i;

    for (i = 0; i < secrets.n; i++)
        free(secrets.values[i]);
    free(secrets.values);
    secrets.values = NULL;
    secrets.n = 0;
}
