/*
 * locustconf.c: Locust's configuration file and LOCUST_* variables (see
 * locustconf.h). A value goes through the option table's own parser, so
 * it means what the same cicada option means; origins name the file and
 * line or the variable in errors.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locustconf.h"
#include "log.h"
#include "options.h"
#include "util.h"

#define LOGGER "cicada.main"

/* Locust's option names whose meaning cicada shares, and cicada's option for each. */
static const struct {
    const char *locust;
    const char *cicada;
} shared[] = {
    { "host", "host" },
    { "users", "users" },
    { "spawn-rate", "spawn-rate" },
    { "hatch-rate", "spawn-rate" },
    { "run-time", "run-time" },
    { "headless", "headless" },
    { "autostart", "autostart" },
    { "autoquit", "autoquit" },
    { "tags", "tags" },
    { "exclude-tags", "exclude-tags" },
    { "user-classes", "user-classes" },
    { "csv", "csv" },
    { "csv-full-history", "csv-full-history" },
    { "html", "html" },
    { "print-stats", "print-stats" },
    { "only-summary", "only-summary" },
    { "reset-stats", "reset-stats" },
    { "loglevel", "loglevel" },
    { "logfile", "logfile" },
    { "exit-code-on-error", "exit-code-on-error" },
    { "stop-timeout", "stop-timeout" },
};

/* "spawn_rate" or "SPAWN_RATE" -> "spawn-rate" (in buf). */
static const char *
dashed(const char *name, char *buf, size_t size)
{
    size_t i;

    for (i = 0; name[i] != '\0' && i + 1 < size; i++)
        buf[i] = name[i] == '_' ? '-' : (char)tolower((unsigned char)name[i]);
    buf[i] = '\0';
    return buf;
}

static const char *
cicada_name(const char *locust)
{
    for (size_t i = 0; i < ARRAY_LEN(shared); i++)
        if (strcmp(shared[i].locust, locust) == 0)
            return shared[i].cicada;
    return NULL;
}

/* Locust lists ("[a, b]" in the file, "a b" in a variable) as cicada's "a,b". */
static char *
list_value(const char *text)
{
    struct buf b;
    char *copy = xstrdup(text), *p = copy, *word;

    buf_init(&b);
    if (*p == '[')
        p++;
    p[strcspn(p, "]")] = '\0';
    for (word = strtok(p, ", \t"); word != NULL; word = strtok(NULL, ", \t")) {
        if (b.len > 0)
            buf_puts(&b, ",");
        buf_puts(&b, word);
    }
    free(copy);
    if (b.len == 0)
        buf_puts(&b, "");
    return buf_steal(&b);
}

/* One Locust key and value; 0, or -1 with *err. where names it for messages. */
static int
apply_one(struct settings *s, const char *key, const char *value, const struct origin *where,
          const char *name_for_warning, char **err)
{
    char buf[128], *why = NULL, *text;
    const char *opt_name = cicada_name(dashed(key, buf, sizeof(buf)));
    int rc;

    if (opt_name == NULL) {
        if (strcmp(buf, "locustfile") == 0 || strcmp(buf, "f") == 0)
            log_warning(LOGGER, "%s: cicada reads INI scenarios, not locustfiles: give -f FILE.ini "
                        "(man 5 cicada.ini, TRANSLATING A LOCUSTFILE); ignored",
                        name_for_warning);
        else
            log_warning(LOGGER, "%s: Locust's '%s' has no meaning in cicada: ignored",
                        name_for_warning, buf);
        return 0;
    }
    text = strcmp(opt_name, "tags") == 0 || strcmp(opt_name, "exclude-tags") == 0 ||
                   strcmp(opt_name, "user-classes") == 0
               ? list_value(value)
               : xstrdup(value);
    rc = option_set(s, option_by_name(opt_name), text, where, &why);
    if (rc < 0) {
        *err = xasprintf("%s: %s", name_for_warning, why);
        free(why);
    }
    free(text);
    return rc;
}

/* The key = value file; 0 or -1 with *err. */
static int
read_file(struct settings *s, const char *path, char **err)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;

    if (f == NULL) {
        *err = xasprintf("--config: cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    while (rc == 0 && getline(&line, &cap, f) != -1) {
        char *p = str_trim(line), *eq, *key, *value, where_name[512];
        struct origin where = { ORIGIN_FILE, path, 0, NULL };

        lineno++;
        where.line = lineno;
        if (*p == '\0' || *p == '#' || *p == ';' || *p == '[')
            continue;
        eq = strpbrk(p, "=:");
        if (eq == NULL) {
            *err = xasprintf("%s:%d: expected key = value (Locust's configuration file)", path,
                             lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        key = str_trim(p);
        value = str_trim(eq + 1);
        snprintf(where_name, sizeof(where_name), "%s:%d", path, lineno);
        rc = apply_one(s, key, value, &where, where_name, err);
    }
    free(line);
    fclose(f);
    return rc;
}

int
locustconf_apply(struct settings *s, const char *path, char **err)
{
    extern char **environ;

    if (path != NULL) {
        if (read_file(s, path, err) < 0)
            return -1;
    } else if (access("locust.conf", F_OK) == 0) {
        if (read_file(s, "locust.conf", err) < 0)
            return -1;
    }
    for (char **e = environ; *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        char name[128];
        struct origin where = { ORIGIN_ENV, NULL, 0, NULL };
        static char names[64][128];
        static size_t nnames;

        if (strncmp(*e, "LOCUST_", 7) != 0 || eq == NULL || eq[1] == '\0' ||
            (size_t)(eq - *e) >= sizeof(name))
            continue;
        memcpy(name, *e, (size_t)(eq - *e));
        name[eq - *e] = '\0';
        /* the origin must outlive this call: keep the variable's name */
        if (nnames < ARRAY_LEN(names)) {
            snprintf(names[nnames], sizeof(names[nnames]), "%s", name);
            where.file = names[nnames++];
        } else {
            where.file = "LOCUST_*";
        }
        if (apply_one(s, name + 7, eq + 1, &where, where.file, err) < 0)
            return -1;
    }
    return 0;
}
