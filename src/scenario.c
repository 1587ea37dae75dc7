/*
 * scenario.c: the INI loader. Sections:
 *
 *   [run]               settings (the option table's "run" rows)
 *   [demo]              the demo target's capacity ("demo" rows)
 *   [thresholds]        pass/fail gates ("thresholds" rows; threshold repeats)
 *   [user NAME]         a user class
 *   [task USER NAME]    a task of user class USER
 *   [task NAME]         a task of the only user class (or of "User")
 *   [shape]             a load shape: stages, steps or a spike (shape.c)
 *   [capacity]          the capacity search's steps and limits (capacity.c)
 *
 * Tasks are gathered in file order and given to their classes once the
 * whole file is read, so a task may come before its class. Every error
 * names the file and line; unknown keys and sections suggest the nearest
 * valid one.
 */
#include "config.h"

#include <ctype.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "check.h"
#include "inifile.h"
#include "options.h"
#include "scenario.h"
#include "capconf.h"
#include "shape.h"
#include "sigv4.h"
#include "stats.h"
#include "template.h"
#include "units.h"
#include "util.h"

enum section_kind {
    SEC_NONE,
    SEC_RUN,
    SEC_DEMO,
    SEC_THRESHOLDS,
    SEC_USER,
    SEC_TASK,
    SEC_SHAPE,
    SEC_CAPACITY,
};

struct pending_task {
    char *class_name;        /* NULL: the only class */
    struct task task;
    bool has_body_file;
    bool method_set;
    size_t body_cap;         /* bytes allocated for task.body while continued */
};

struct seen_key {
    char key[32];
    int line;
};

struct loader {
    struct scenario *sc;
    struct settings *settings;
    enum section_kind kind;
    int section_line;
    size_t cls;              /* current class (SEC_USER) */
    size_t task;             /* current pending task (SEC_TASK) */
    struct pending_task *tasks;
    size_t ntasks, tasks_cap;
    struct seen_key seen[64];
    size_t nseen;
    size_t *task_index;      /* open-addressing set of pending tasks by (class, id) */
    size_t task_index_cap;   /* a power of two, at least twice ntasks */
};

/* Hash of a task's class name (NULL: the only class) and id (FNV-1a). */
static size_t
task_hash(const char *cls, const char *id)
{
    size_t h = (size_t)1469598103934665603ULL;
    const char *p;

    for (p = cls ? cls : ""; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
    h = (h ^ (cls ? 1u : 2u)) * (size_t)1099511628211ULL;
    for (p = id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * (size_t)1099511628211ULL;
    return h;
}

static bool
same_task(const struct pending_task *t, const char *cls, const char *id)
{
    const char *other = t->class_name;

    return strcmp(t->task.id, id) == 0 &&
           ((cls == NULL && other == NULL) ||
            (cls != NULL && other != NULL && strcmp(cls, other) == 0));
}

/*
 * The pending task named (cls, id), or NULL; with add, record task number
 * `add_index` under that name when it is not there. Keeps loading linear in
 * the number of tasks (a file of 8,000 tasks compared every pair).
 */
static struct pending_task *
task_lookup(struct loader *ld, const char *cls, const char *id, bool add, size_t add_index)
{
    size_t mask, i;

    if (add && (add_index + 1) * 2 > ld->task_index_cap) {
        size_t cap = ld->task_index_cap ? ld->task_index_cap * 2 : 64;

        free(ld->task_index);
        ld->task_index = xmalloc(cap * sizeof(*ld->task_index));
        ld->task_index_cap = cap;
        for (i = 0; i < cap; i++)
            ld->task_index[i] = SIZE_MAX;
        for (size_t k = 0; k < add_index; k++) {
            const struct pending_task *t = &ld->tasks[k];

            for (i = task_hash(t->class_name, t->task.id) & (cap - 1);
                 ld->task_index[i] != SIZE_MAX; i = (i + 1) & (cap - 1))
                ;
            ld->task_index[i] = k;
        }
    }
    if (ld->task_index_cap == 0)
        return NULL;
    mask = ld->task_index_cap - 1;
    for (i = task_hash(cls, id) & mask; ld->task_index[i] != SIZE_MAX; i = (i + 1) & mask)
        if (same_task(&ld->tasks[ld->task_index[i]], cls, id))
            return &ld->tasks[ld->task_index[i]];
    if (add)
        ld->task_index[i] = add_index;
    return NULL;
}

static const char *const user_keys[] = { "weight", "fixed_count", "wait", "header", "tags", "order",
                                         "timeout", "connect_timeout", "follow_redirects",
                                         "verify_tls", "http_version", "aws_sigv4",
                                         "aws_region", NULL };
static const char *const task_keys[] = { "weight", "method", "path", "name", "header", "body",
                                         "body_file", "expect_status", "expect_body",
                                         "expect_json", "max_response_time", "capture",
                                         "phase", "timeout", "connect_timeout",
                                         "follow_redirects", "verify_tls", "http_version",
                                         "tags", "aws_sigv4", "aws_region", NULL };
/* keys that may be given more than once in a section */
static const char *const repeatable_keys[] = { "header", "expect_body", "expect_json",
                                               "capture", NULL };
static const char *const section_names[] = { "run", "demo", "thresholds", "user", "task",
                                             "shape", "capacity", NULL };

/* Split "a b c" into at most max words (modifies s); returns the count. */
static size_t
split_words(char *s, char **words, size_t max)
{
    size_t n = 0;
    char *save = NULL, *w;

    for (w = strtok_r(s, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
        if (n == max)
            return max + 1;
        words[n++] = w;
    }
    return n;
}

/* Is s a valid name for a class or task (letters, digits, _ - .)? */
static bool
valid_ident(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return false;
    return true;
}

/* Add a string to a growable array. */
static void
push_string(char ***list, size_t *n, const char *s)
{
    *list = xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[(*n)++] = xstrdup(s);
}

/* Start a new section. */
static int
begin_section(struct loader *ld, const char *name, int line, char **err)
{
    char *copy = xstrdup(name);
    char *words[4];
    size_t n = split_words(copy, words, 3);
    const char *near;
    int rc = 0;

    ld->nseen = 0;
    ld->section_line = line;
    if (n == 1 && strcmp(words[0], "run") == 0) {
        ld->kind = SEC_RUN;
    } else if (n == 1 && strcmp(words[0], "demo") == 0) {
        ld->kind = SEC_DEMO;
    } else if (n == 1 && strcmp(words[0], "thresholds") == 0) {
        ld->kind = SEC_THRESHOLDS;
    } else if (n >= 1 && strcmp(words[0], "shape") == 0) {
        if (n != 1) {
            *err = xasprintf("bad section [%s]: write [shape]", name);
            rc = -1;
        } else if (ld->sc->shape != NULL) {
            *err = xasprintf("[shape] is given twice (first at line %d)",
                             shape_line(ld->sc->shape));
            rc = -1;
        } else {
            ld->sc->shape = shape_new(line);
            ld->kind = SEC_SHAPE;
        }
    } else if (n >= 1 && strcmp(words[0], "capacity") == 0) {
        if (n != 1) {
            *err = xasprintf("bad section [%s]: write [capacity]", name);
            rc = -1;
        } else if (ld->sc->capacity != NULL) {
            *err = xasprintf("[capacity] is given twice (first at line %d)",
                             ld->sc->capacity->line);
            rc = -1;
        } else {
            ld->sc->capacity = xmalloc(sizeof(*ld->sc->capacity));
            capacity_conf_init(ld->sc->capacity);
            ld->sc->capacity->line = line;
            ld->kind = SEC_CAPACITY;
        }
    } else if (n >= 1 && strcmp(words[0], "user") == 0) {
        if (n != 2 || !valid_ident(words[1])) {
            *err = xasprintf("bad section [%s]: write [user NAME], NAME made of letters, "
                             "digits, '_', '-' or '.'", name);
            rc = -1;
        } else if (scenario_class_index(ld->sc, words[1]) >= 0) {
            *err = xasprintf("user class '%s' is defined twice", words[1]);
            rc = -1;
        } else {
            struct user_class *c;

            ld->sc->classes = xrealloc(ld->sc->classes,
                                       (ld->sc->nclasses + 1) * sizeof(*ld->sc->classes));
            c = &ld->sc->classes[ld->sc->nclasses];
            memset(c, 0, sizeof(*c));
            c->name = xstrdup(words[1]);
            c->weight = 1;
            c->wait.kind = WAIT_CONSTANT;
            c->line = line;
            c->opts.follow_redirects = -1;
            c->opts.verify_tls = -1;
            ld->cls = ld->sc->nclasses++;
            ld->kind = SEC_USER;
        }
    } else if (n >= 1 && strcmp(words[0], "task") == 0) {
        if (n < 2 || n > 3 || !valid_ident(words[1]) || (n == 3 && !valid_ident(words[2]))) {
            *err = xasprintf("bad section [%s]: write [task USER NAME] (or [task NAME] "
                             "when there is one user class)", name);
            rc = -1;
        } else {
            struct pending_task *p;
            const char *cls = n == 3 ? words[1] : NULL;
            const char *id = n == 3 ? words[2] : words[1];

            if ((p = task_lookup(ld, cls, id, false, 0)) != NULL) {
                *err = xasprintf("task '%s' is defined twice (first at line %d)", id,
                                 p->task.line);
                free(copy);
                return -1;
            }
            if (ld->ntasks == ld->tasks_cap) {
                ld->tasks_cap = ld->tasks_cap ? ld->tasks_cap * 2 : 16;
                ld->tasks = xrealloc(ld->tasks, ld->tasks_cap * sizeof(*ld->tasks));
            }
            p = &ld->tasks[ld->ntasks];
            memset(p, 0, sizeof(*p));
            p->class_name = cls ? xstrdup(cls) : NULL;
            p->task.id = xstrdup(id);
            p->task.weight = 1;
            p->task.line = line;
            p->task.entry = -1;
            p->task.opts.follow_redirects = -1;
            p->task.opts.verify_tls = -1;
            task_lookup(ld, cls, id, true, ld->ntasks);
            ld->task = ld->ntasks++;
            ld->kind = SEC_TASK;
        }
    } else {
        near = n >= 1 ? str_suggest(words[0], section_names) : NULL;
        if (near != NULL && (strcmp(near, "user") == 0 || strcmp(near, "task") == 0))
            *err = xasprintf("unknown section [%s] (did you mean [%s %s]?)", name, near,
                             strcmp(near, "user") == 0 ? "NAME" : "USER NAME");
        else if (near != NULL)
            *err = xasprintf("unknown section [%s] (did you mean [%s]?)", name, near);
        else
            *err = xasprintf("unknown section [%s]: expected [run], [demo], [thresholds], "
                             "[user NAME], [task USER NAME], [shape] or [capacity]", name);
        rc = -1;
    }
    free(copy);
    return rc;
}

/* Refuse a key given twice in one section (header may repeat). */
static int
check_duplicate(struct loader *ld, const char *key, int line, char **err)
{
    size_t i;

    if ((ld->kind == SEC_THRESHOLDS && strcmp(key, "threshold") == 0) ||
        (ld->kind == SEC_SHAPE && (strcmp(key, "stage") == 0 || strcmp(key, "rate_stage") == 0)) ||
        (ld->kind == SEC_CAPACITY && strcmp(key, "limit") == 0))
        return 0;
    for (i = 0; repeatable_keys[i] != NULL; i++)
        if (strcmp(key, repeatable_keys[i]) == 0)
            return 0;
    for (i = 0; i < ld->nseen; i++) {
        if (strcmp(ld->seen[i].key, key) == 0) {
            *err = xasprintf("'%s' is given twice in this section (first at line %d)", key,
                             ld->seen[i].line);
            return -1;
        }
    }
    if (ld->nseen < ARRAY_LEN(ld->seen)) {
        snprintf(ld->seen[ld->nseen].key, sizeof(ld->seen[ld->nseen].key), "%s", key);
        ld->seen[ld->nseen].line = line;
        ld->nseen++;
    }
    return 0;
}

/* The message for an unknown key in a section. */
static char *
unknown_key(const char *key, const char *section, const char *const *valid)
{
    const char *near = str_suggest(key, valid);

    if (near != NULL)
        return xasprintf("unknown key '%s' in [%s] (did you mean '%s'?)", key, section, near);
    return xasprintf("unknown key '%s' in [%s]", key, section);
}

/* Check a header line "Name: value". */
static int
check_header(const char *value, char **err)
{
    const char *colon = strchr(value, ':');
    const char *p;

    if (colon == NULL || colon == value) {
        *err = xasprintf("bad header \"%s\": write header = Name: value", value);
        return -1;
    }
    for (p = value; p < colon; p++) {
        if (!isgraph((unsigned char)*p) || strchr("()<>@,;\\\"/[]?={}", *p) != NULL) {
            *err = xasprintf("bad header name in \"%s\": write header = Name: value", value);
            return -1;
        }
    }
    return 0;
}

/* Parse "between 1 3", "constant 0.5", "pacing 2", "throughput 10". */
static int
parse_wait(const char *value, struct wait_spec *w, char **err)
{
    char *copy = xstrdup(value);
    char *words[4];
    size_t n = split_words(copy, words, 3);
    static const char *const kinds[] = { "constant", "between", "pacing", "throughput",
                                         "constant_pacing", "constant_throughput", NULL };
    int rc = -1;

    if (n == 0) {
        *err = xstrdup("wait needs a value: constant S, between A B, pacing S or throughput N");
    } else if (strcmp(words[0], "constant") == 0 && n == 2 &&
               units_parse_duration(words[1], &w->a) == 0) {
        w->kind = WAIT_CONSTANT;
        rc = 0;
    } else if (strcmp(words[0], "between") == 0 && n == 3 &&
               units_parse_duration(words[1], &w->a) == 0 &&
               units_parse_duration(words[2], &w->b) == 0) {
        if (w->b < w->a)
            *err = xasprintf("bad wait \"%s\": the first bound must not exceed the second",
                             value);
        else {
            w->kind = WAIT_BETWEEN;
            rc = 0;
        }
    } else if ((strcmp(words[0], "pacing") == 0 || strcmp(words[0], "constant_pacing") == 0) &&
               n == 2 && units_parse_duration(words[1], &w->a) == 0 && w->a > 0) {
        w->kind = WAIT_PACING;
        rc = 0;
    } else if ((strcmp(words[0], "throughput") == 0 ||
                strcmp(words[0], "constant_throughput") == 0) &&
               n == 2 && units_parse_double(words[1], &w->a) == 0 && w->a > 0) {
        w->kind = WAIT_THROUGHPUT;
        rc = 0;
    } else {
        const char *near = str_suggest(words[0], kinds);
        bool known = false;
        size_t i;

        for (i = 0; kinds[i] != NULL; i++)
            if (strcmp(words[0], kinds[i]) == 0)
                known = true;
        if (!known && near != NULL)
            *err = xasprintf("unknown wait function '%s' (did you mean '%s'?); use constant S, "
                             "between A B, pacing S or throughput N", words[0], near);
        else if (!known)
            *err = xasprintf("unknown wait function '%s': use constant S, between A B, "
                             "pacing S or throughput N", words[0]);
        else
            *err = xasprintf("bad wait \"%s\": use constant S, between A B, pacing S "
                             "(S > 0) or throughput N (N > 0), times in seconds", value);
    }
    free(copy);
    return rc;
}

/* Parse "200, 201, 300-399, 4xx" into ranges. */
static int
parse_expect(const char *value, struct task *t, char **err)
{
    char *copy = xstrdup(value);
    char *save = NULL, *item;
    int rc = 0;

    free(t->expect);
    t->expect = NULL;
    t->nexpect = 0;
    for (item = strtok_r(copy, ", \t", &save); item != NULL; item = strtok_r(NULL, ", \t", &save)) {
        struct status_range r;
        char *end;
        long lo, hi;

        if (strlen(item) == 3 && isdigit((unsigned char)item[0]) &&
            (item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X')) {
            lo = (item[0] - '0') * 100;
            hi = lo + 99;
        } else {
            lo = strtol(item, &end, 10);
            hi = lo;
            if (end != item && *end == '-')
                hi = strtol(end + 1, &end, 10);
            if (end == item || *end != '\0')
                lo = -1;
        }
        if (lo < 100 || hi > 599 || hi < lo) {
            *err = xasprintf("bad expect_status \"%s\": list codes (200), ranges (200-299) "
                             "or classes (2xx) from 100 to 599", item);
            rc = -1;
            break;
        }
        r.lo = (int)lo;
        r.hi = (int)hi;
        t->expect = xrealloc(t->expect, (t->nexpect + 1) * sizeof(*t->expect));
        t->expect[t->nexpect++] = r;
    }
    if (rc == 0 && t->nexpect == 0) {
        *err = xstrdup("expect_status needs at least one status code");
        rc = -1;
    }
    free(copy);
    return rc;
}

/* Parse a weight: a whole number >= 0. */
static int
parse_weight(const char *key, const char *value, unsigned *out, char **err)
{
    unsigned long long n;

    if (units_parse_count(value, &n) < 0 || n > 1000000) {
        *err = xasprintf("bad value \"%s\" for %s: expected a whole number from 0 to 1000000",
                         value, key);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

/* Read a file named relative to the scenario's directory. */
static char *
read_relative(struct loader *ld, const char *name, size_t *len, char **err)
{
    char *path = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", ld->sc->dir, name);
    char *why = NULL;
    char *data = file_read_all(path, len, &why);

    if (data == NULL) {
        *err = xasprintf("cannot read body_file: %s", why);
        free(why);
    }
    free(path);
    return data;
}

/* Parse true/false (yes/no, on/off, 1/0); 0 or -1 with *err. */
static int
parse_flag(const char *key, const char *value, int *out, char **err)
{
    static const char *const yes[] = { "true", "yes", "on", "1", NULL };
    static const char *const no[] = { "false", "no", "off", "0", NULL };
    size_t i;

    for (i = 0; yes[i] != NULL; i++) {
        if (str_ieq(value, yes[i])) {
            *out = 1;
            return 0;
        }
        if (str_ieq(value, no[i])) {
            *out = 0;
            return 0;
        }
    }
    *err = xasprintf("bad value \"%s\" for %s: expected true or false", value, key);
    return -1;
}

/*
 * A transfer option of [user] or [task]: 0 if set, -1 on error, 1 if key
 * is not one of them.
 */
static int
opts_key(const char *key, const char *value, struct request_opts *o, char **err)
{
    double *d = NULL;

    if (strcmp(key, "timeout") == 0)
        d = &o->timeout;
    else if (strcmp(key, "connect_timeout") == 0)
        d = &o->connect_timeout;
    if (d != NULL) {
        if (units_parse_duration(value, d) < 0 || !(*d > 0)) {
            *err = xasprintf("bad value \"%s\" for %s: expected a duration above 0 such as "
                             "30s, 2m or 1.5", value, key);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "aws_sigv4") == 0 || strcmp(key, "aws_region") == 0) {
        bool region = key[4] == 'r';

        if (region ? !sigv4_valid_region(value)
                   : !sigv4_valid_service(value) || strcmp(value, "s3") == 0) {
            *err = xasprintf("bad value \"%s\" for %s: expected %s", value, key,
                             region ? "an AWS region such as us-east-1 or eu-west-2"
                             : strcmp(value, "s3") == 0
                                 ? "a service other than s3 (S3 signs its own way)"
                                 : "an AWS service name in lower case, such as sagemaker, "
                                   "execute-api or lambda");
            return -1;
        }
        snprintf(region ? o->aws_region : o->aws_sigv4, sizeof(o->aws_region), "%s", value);
        return 0;
    }
    if (strcmp(key, "follow_redirects") == 0)
        return parse_flag(key, value, &o->follow_redirects, err);
    if (strcmp(key, "verify_tls") == 0)
        return parse_flag(key, value, &o->verify_tls, err);
    if (strcmp(key, "http_version") == 0) {
        if (strcmp(value, "1.1") == 0) {
            o->http_version = HTTPV_1_1;
        } else if (strcmp(value, "2") == 0 || strcmp(value, "2-prior-knowledge") == 0) {
            if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2)) {
                *err = xstrdup("http_version = 2: this libcurl was built without HTTP/2");
                return -1;
            }
            if (value[1] != '\0' && curl_version_info(CURLVERSION_NOW)->version_num < 0x080000) {
                /* libcurl 7.x can spin for ever in a reused prior-knowledge connection (fixed in 8.0) */
                *err = xasprintf("http_version = 2-prior-knowledge needs libcurl 8.0 or later "
                                 "(this is %s, which can hang on it): use http_version = 2 "
                                 "over https:// (TLS), or 1.1",
                                 curl_version_info(CURLVERSION_NOW)->version);
                return -1;
            }
            o->http_version = value[1] == '\0' ? HTTPV_2 : HTTPV_2_PRIOR;
        } else {
            *err = xasprintf("bad value \"%s\" for http_version: expected 1.1, 2 or "
                             "2-prior-knowledge", value);
            return -1;
        }
        return 0;
    }
    return 1;
}

/* Check a header line and compile it as a template; NULL with *err. */
static struct tmpl *
compile_header(struct loader *ld, const char *value, int line, char **err)
{
    struct tmpl *t;

    if (check_header(value, err) < 0)
        return NULL;
    t = tmpl_compile(ld->sc->lib, value, strlen(value), line, err);
    if (t != NULL && tmpl_has_ctl(t)) {
        /* named, not shown: the variable's value may be a secret */
        *err = xasprintf("header \"%.*s\": a ${VARIABLE} in it holds a CR, LF or NUL, which "
                         "would end the header line on the wire", (int)strcspn(value, ":"), value);
        tmpl_free(t);
        return NULL;
    }
    return t;
}

/* Add a compiled header to a list. */
static void
push_header(char ***lines, struct tmpl ***tmpls, size_t *n, const char *value, struct tmpl *t)
{
    *tmpls = xrealloc(*tmpls, (*n + 1) * sizeof(**tmpls));
    (*tmpls)[*n] = t;
    push_string(lines, n, value);
}

/* A key of [user NAME]. */
static int
user_key(struct loader *ld, const char *key, const char *value, int line, char **err)
{
    struct user_class *c = &ld->sc->classes[ld->cls];
    int rc;

    if (strcmp(key, "weight") == 0)
        return parse_weight(key, value, &c->weight, err);
    if (strcmp(key, "fixed_count") == 0)
        return parse_weight(key, value, &c->fixed_count, err);
    if (strcmp(key, "wait") == 0)
        return parse_wait(value, &c->wait, err);
    if (strcmp(key, "header") == 0) {
        struct tmpl *t = compile_header(ld, value, line, err);

        if (t == NULL)
            return -1;
        push_header(&c->headers, &c->header_t, &c->nheaders, value, t);
        return 0;
    }
    if (strcmp(key, "tags") == 0)
        return scenario_parse_names("tags", value, &c->tags, &c->ntags, err);
    if (strcmp(key, "order") == 0) {
        if (strcmp(value, "random") == 0 || strcmp(value, "weighted") == 0) {
            c->sequential = false;
        } else if (strcmp(value, "sequential") == 0) {
            c->sequential = true;
        } else {
            *err = xasprintf("bad value \"%s\" for order: expected random (tasks picked by "
                             "weight) or sequential (tasks in file order)", value);
            return -1;
        }
        return 0;
    }
    if ((rc = opts_key(key, value, &c->opts, err)) <= 0)
        return rc;
    *err = unknown_key(key, "user", user_keys);
    return -1;
}

/* Does text have white space outside {{...}}? */
static bool
space_outside_calls(const char *text)
{
    const char *p = text;

    while (*p != '\0') {
        if (p[0] == '{' && p[1] == '{') {
            const char *close = strstr(p + 2, "}}");

            if (close == NULL)
                return false;        /* the template compiler reports it */
            p = close + 2;
            continue;
        }
        if (isspace((unsigned char)*p))
            return true;
        p++;
    }
    return false;
}

/* Add a check parsed by parse to task t. */
static int
add_check(struct task *t, const char *value,
          int (*parse)(const char *, struct check *, char **), char **err)
{
    struct check c;

    if (t->nchecks == MAX_CHECKS) {
        *err = xasprintf("a task may have at most %d checks", MAX_CHECKS);
        return -1;
    }
    if (parse(value, &c, err) < 0)
        return -1;
    t->checks = xrealloc(t->checks, (t->nchecks + 1) * sizeof(*t->checks));
    t->checks[t->nchecks++] = c;
    return 0;
}

/* method = WORD, upper-cased. */
static int
task_method(struct pending_task *p, const char *value, char **err)
{
    struct task *t = &p->task;

    if (value[0] == '\0') {
        *err = xstrdup("method needs a value such as GET or POST");
        return -1;
    }
    for (const char *s = value; *s != '\0'; s++) {
        if (!isalpha((unsigned char)*s)) {
            *err = xasprintf("bad method \"%s\": expected a word such as GET or POST", value);
            return -1;
        }
    }
    free(t->method);
    t->method = xstrdup(value);
    for (char *m = t->method; *m != '\0'; m++)
        *m = (char)toupper((unsigned char)*m);
    p->method_set = true;
    return 0;
}

/* Refuse a compiled path (and free it): *err says why, naming value as written. */
static int
bad_path(struct task *t, const char *value, const char *why, char **err)
{
    *err = xasprintf("bad path \"%s\": %s", value, why);
    tmpl_free(t->path_t);
    t->path_t = NULL;
    return -1;
}

/* path = /x, a full URL or ${VAR}/x: compiled, checked before and after its variables. */
static int
task_path(struct loader *ld, struct task *t, const char *value, int line, char **err)
{
    if (value[0] != '/' && strncmp(value, "http://", 7) != 0 &&
        strncmp(value, "https://", 8) != 0 && strncmp(value, "${", 2) != 0) {
        *err = xasprintf("bad path \"%s\": it must start with / (or be a full http:// or "
                         "https:// URL)", value);
        return -1;
    }
    if (space_outside_calls(value)) {
        *err = xasprintf("bad path \"%s\": spaces must be written %%20", value);
        return -1;
    }
    t->path_t = tmpl_compile(ld->sc->lib, value, strlen(value), line, err);
    if (t->path_t == NULL)
        return -1;
    if (tmpl_has_ctl(t->path_t))
        return bad_path(t, value, "a ${VARIABLE} in it holds a CR, LF or NUL, which would "
                        "end the request line on the wire", err);
    if (!tmpl_starts_with(t->path_t, "/") && !tmpl_starts_with(t->path_t, "http://") &&
        !tmpl_starts_with(t->path_t, "https://"))
        /* named as written: the variable's value may be a secret */
        return bad_path(t, value, "once its variables are substituted it must start with / "
                        "(or be a full http:// or https:// URL)", err);
    t->path = xstrdup(value);
    return 0;
}

/* body = TEXT (indented lines continue it: continue_key) */
static int
task_body(struct pending_task *p, const char *value, int line, char **err)
{
    struct task *t = &p->task;

    if (p->has_body_file) {
        *err = xstrdup("give body or body_file, not both");
        return -1;
    }
    t->body = xstrdup(value);
    t->body_len = strlen(value);
    p->body_cap = t->body_len + 1;
    t->body_line = line;
    return 0;
}

/* body_file = FILE, relative to the scenario, sent as read */
static int
task_body_file(struct loader *ld, struct pending_task *p, const char *value, char **err)
{
    struct task *t = &p->task;

    if (t->body != NULL) {
        *err = xstrdup("give body or body_file, not both");
        return -1;
    }
    if (value[0] == '\0') {
        *err = xstrdup("body_file needs a file name");
        return -1;
    }
    t->body = read_relative(ld, value, &t->body_len, err);
    if (t->body == NULL)
        return -1;
    p->has_body_file = true;
    t->body_from_file = true;
    return 0;
}

/* capture = NAME ...: a value of the answer, for {{var NAME}} */
static int
task_capture(struct loader *ld, struct task *t, const char *value, char **err)
{
    struct capture cap;

    if (t->ncaptures == MAX_CHECKS) {
        *err = xasprintf("a task may have at most %d captures", MAX_CHECKS);
        return -1;
    }
    if (capture_parse(value, &cap, err) < 0)
        return -1;
    cap.var = tmpl_lib_declare_var(ld->sc->lib, cap.name);
    t->captures = xrealloc(t->captures, (t->ncaptures + 1) * sizeof(*t->captures));
    t->captures[t->ncaptures++] = cap;
    return 0;
}

/* phase = task | on_start | on_stop */
static int
task_phase(struct task *t, const char *value, char **err)
{
    static const char *const phases[] = { "task", "on_start", "on_stop", NULL };
    const char *near;

    if (strcmp(value, "task") == 0) {
        t->phase = PHASE_TASK;
    } else if (strcmp(value, "on_start") == 0) {
        t->phase = PHASE_ON_START;
    } else if (strcmp(value, "on_stop") == 0) {
        t->phase = PHASE_ON_STOP;
    } else {
        near = str_suggest(value, phases);
        *err = xasprintf("bad value \"%s\" for phase%s%s%s: expected task, on_start or "
                         "on_stop", value, near ? " (did you mean '" : "", near ? near : "",
                         near ? "'?)" : "");
        return -1;
    }
    return 0;
}

/* A key of [task ...]. */
static int
task_key(struct loader *ld, const char *key, const char *value, int line, char **err)
{
    struct pending_task *p = &ld->tasks[ld->task];
    struct task *t = &p->task;
    int rc;

    if (strcmp(key, "weight") == 0)
        return parse_weight(key, value, &t->weight, err);
    if (strcmp(key, "method") == 0)
        return task_method(p, value, err);
    if (strcmp(key, "path") == 0)
        return task_path(ld, t, value, line, err);
    if (strcmp(key, "name") == 0) {
        if (value[0] == '\0') {
            *err = xstrdup("name needs a value");
            return -1;
        }
        t->name = xstrdup(value);
        return 0;
    }
    if (strcmp(key, "header") == 0) {
        struct tmpl *h = compile_header(ld, value, line, err);

        if (h == NULL)
            return -1;
        push_header(&t->headers, &t->header_t, &t->nheaders, value, h);
        return 0;
    }
    if (strcmp(key, "body") == 0)
        return task_body(p, value, line, err);
    if (strcmp(key, "body_file") == 0)
        return task_body_file(ld, p, value, err);
    if (strcmp(key, "expect_status") == 0)
        return parse_expect(value, t, err);
    if (strcmp(key, "tags") == 0)
        return scenario_parse_names("tags", value, &t->tags, &t->ntags, err);
    if (strcmp(key, "expect_body") == 0)
        return add_check(t, value, check_parse_body, err);
    if (strcmp(key, "expect_json") == 0)
        return add_check(t, value, check_parse_json, err);
    if (strcmp(key, "max_response_time") == 0)
        return add_check(t, value, check_parse_time, err);
    if (strcmp(key, "capture") == 0)
        return task_capture(ld, t, value, err);
    if (strcmp(key, "phase") == 0)
        return task_phase(t, value, err);
    if ((rc = opts_key(key, value, &t->opts, err)) <= 0)
        return rc;
    *err = unknown_key(key, "task", task_keys);
    return -1;
}

/* Append a continuation line to the previous key's value. */
static int
continue_key(struct loader *ld, const char *key, const char *value, char **err)
{
    if (ld->kind == SEC_TASK && strcmp(key, "body") == 0 && !ld->tasks[ld->task].has_body_file) {
        struct pending_task *p = &ld->tasks[ld->task];
        struct task *t = &p->task;
        size_t add = strlen(value);
        size_t need = t->body_len + 1 + add + 1;

        if (need > p->body_cap) {   /* geometric: a body over 5,000 lines grows ~13 times */
            p->body_cap = p->body_cap * 2 > need ? p->body_cap * 2 : need;
            t->body = xrealloc(t->body, p->body_cap);
        }
        t->body[t->body_len] = '\n';
        memcpy(t->body + t->body_len + 1, value, add + 1);
        t->body_len += 1 + add;
        return 0;
    }
    *err = xasprintf("indented line continues '%s', which takes one line only "
                     "(only body may continue on indented lines)", key);
    return -1;
}

/* The ini_read callback. */
static int
on_ini(void *user, const char *section, const char *key, const char *value, int line,
       bool continuation, char **err)
{
    struct loader *ld = user;

    if (key == NULL)
        return begin_section(ld, section, line, err);
    if (continuation)
        return continue_key(ld, key, value, err);
    if (ld->kind == SEC_NONE) {
        *err = xasprintf("'%s' is outside any section: put it under [run], [user NAME] or "
                         "[task USER NAME]", key);
        return -1;
    }
    if (check_duplicate(ld, key, line, err) < 0)
        return -1;
    switch (ld->kind) {
    case SEC_RUN:
    case SEC_DEMO:
    case SEC_THRESHOLDS: {
        const char *name = ld->kind == SEC_RUN ? "run" : ld->kind == SEC_DEMO ? "demo"
                                                                               : "thresholds";
        const struct option_def *o = option_by_key(name, key);
        struct origin where = { ORIGIN_FILE, ld->sc->path, line, NULL };
        char *expanded;
        int rc;

        if (o == NULL) {
            *err = unknown_key(key, name, option_keys(name));
            return -1;
        }
        if (strstr(value, "${") == NULL)
            return option_set(ld->settings, o, value, &where, err);
        /* host = ${URL}: variables from the environment or .env */
        if ((expanded = tmpl_env_expand(ld->sc->lib, value, err)) == NULL)
            return -1;
        if (strpbrk(expanded, "\r\n") != NULL) {
            *err = xasprintf("%s = %s: a ${VARIABLE} in it holds a CR or LF", key, value);
            free(expanded);
            return -1;
        }
        rc = option_set(ld->settings, o, expanded, &where, err);
        free(expanded);
        return rc;
    }
    case SEC_USER:
        return user_key(ld, key, value, line, err);
    case SEC_TASK:
        return task_key(ld, key, value, line, err);
    case SEC_SHAPE:
        return shape_key(ld->sc->shape, key, value, line, err);
    case SEC_CAPACITY:
        return capacity_key(ld->sc->capacity, key, value, line, err);
    default:
        return -1;
    }
}

/* Free one task's fields. */
static void
task_free(struct task *t)
{
    size_t i;

    free(t->id);
    free(t->method);
    free(t->path);
    free(t->name);
    for (i = 0; i < t->nheaders; i++) {
        free(t->headers[i]);
        if (t->header_t != NULL)
            tmpl_free(t->header_t[i]);
    }
    free(t->headers);
    free(t->header_t);
    free(t->body);
    free(t->expect);
    free(t->url);
    for (i = 0; i < t->nchecks; i++)
        check_free(&t->checks[i]);
    free(t->checks);
    for (i = 0; i < t->ncaptures; i++)
        capture_free(&t->captures[i]);
    free(t->captures);
    tmpl_free(t->path_t);
    tmpl_free(t->body_t);
    for (i = 0; i < t->ntags; i++)
        free(t->tags[i]);
    free(t->tags);
}

/* Free one class and its tasks. */
static void
class_free(struct user_class *c)
{
    size_t j;

    for (j = 0; j < c->ntasks; j++)
        task_free(&c->tasks[j]);
    free(c->tasks);
    for (j = 0; j < c->nheaders; j++) {
        free(c->headers[j]);
        if (c->header_t != NULL)
            tmpl_free(c->header_t[j]);
    }
    free(c->headers);
    free(c->header_t);
    free(c->on_start);
    free(c->on_stop);
    free(c->cum_weights);
    free(c->name);
    for (j = 0; j < c->ntags; j++)
        free(c->tags[j]);
    free(c->tags);
}

/*
 * Sort a class's tasks by phase again (on_start, on_stop and picked ones)
 * and recount the running weight sums of the picked ones (on_start and
 * on_stop tasks take no width, so the weighted pick never lands on them).
 */
static void
class_weigh(struct user_class *c)
{
    size_t j;

    free(c->cum_weights);
    free(c->on_start);
    free(c->on_stop);
    c->on_start = c->on_stop = NULL;
    c->n_on_start = c->n_on_stop = c->nmain = 0;
    c->cum_weights = xcalloc(c->ntasks ? c->ntasks : 1, sizeof(*c->cum_weights));
    c->total_weight = 0;
    for (j = 0; j < c->ntasks; j++) {
        const struct task *t = &c->tasks[j];

        if (t->phase == PHASE_ON_START) {
            c->on_start = xrealloc(c->on_start, (c->n_on_start + 1) * sizeof(size_t));
            c->on_start[c->n_on_start++] = j;
        } else if (t->phase == PHASE_ON_STOP) {
            c->on_stop = xrealloc(c->on_stop, (c->n_on_stop + 1) * sizeof(size_t));
            c->on_stop[c->n_on_stop++] = j;
        } else {
            c->nmain++;
            c->total_weight += t->weight;
        }
        c->cum_weights[j] = c->total_weight;
    }
}

/* Inherit unset transfer options from the class. */
static void
opts_inherit(struct request_opts *o, const struct request_opts *from)
{
    if (o->timeout == 0)
        o->timeout = from->timeout;
    if (o->connect_timeout == 0)
        o->connect_timeout = from->connect_timeout;
    if (o->follow_redirects < 0)
        o->follow_redirects = from->follow_redirects;
    if (o->verify_tls < 0)
        o->verify_tls = from->verify_tls;
    if (o->http_version == HTTPV_DEFAULT)
        o->http_version = from->http_version;
    if (o->aws_sigv4[0] == '\0')
        memcpy(o->aws_sigv4, from->aws_sigv4, sizeof(o->aws_sigv4));
    if (o->aws_region[0] == '\0')
        memcpy(o->aws_region, from->aws_region, sizeof(o->aws_region));
}

/* Compile a task's body, resolve its options; 0 or -1 with *err ("file:line: ..."). */
static int
finish_task(struct scenario *sc, struct user_class *c, struct task *t, char **err)
{
    size_t i;
    char *why = NULL;

    if (t->body != NULL && !t->body_from_file) {
        t->body_t = tmpl_compile(sc->lib, t->body, t->body_len, t->body_line, &why);
        if (t->body_t == NULL) {
            *err = xasprintf("%s:%d: %s", sc->path, t->body_line, why);
            free(why);
            return -1;
        }
    }
    opts_inherit(&t->opts, &c->opts);
    for (i = 0; i < t->nchecks; i++)
        if (t->checks[i].kind != CHECK_TIME)
            t->needs_body = true;
    for (i = 0; i < t->ncaptures; i++)
        if (t->captures[i].kind == CAPTURE_JSON)
            t->needs_body = true;
    return 0;
}

/* "task 'x' names user class 'Y', which is not defined", with a suggestion. */
static char *
unknown_class(const struct scenario *sc, const struct pending_task *p)
{
    const char **names = xcalloc(sc->nclasses + 1, sizeof(*names));
    const char *near;
    char *msg;

    for (size_t j = 0; j < sc->nclasses; j++)
        names[j] = sc->classes[j].name;
    near = str_suggest(p->class_name, names);
    if (near != NULL)
        msg = xasprintf("%s:%d: task '%s' names user class '%s', which is not defined (did "
                        "you mean '%s'?)", sc->path, p->task.line, p->task.id, p->class_name,
                        near);
    else
        msg = xasprintf("%s:%d: task '%s' names user class '%s', which is not defined: add a "
                        "[user %s] section", sc->path, p->task.line, p->task.id, p->class_name,
                        p->class_name);
    free(names);
    return msg;
}

/*
 * The index of the class a gathered task belongs to: the one it names,
 * else the only one (a scenario of bare [task NAME] sections gets a
 * class "User"). -1 with *err if it names none or several could be meant.
 */
static int
task_class(struct scenario *sc, const struct pending_task *p, char **err)
{
    int ci;

    if (p->class_name != NULL) {
        if ((ci = scenario_class_index(sc, p->class_name)) < 0)
            *err = unknown_class(sc, p);
        return ci;
    }
    if (sc->nclasses == 0) {
        struct user_class *c;

        sc->classes = xcalloc(1, sizeof(*sc->classes));
        c = &sc->classes[0];
        c->name = xstrdup("User");
        c->weight = 1;
        c->wait.kind = WAIT_CONSTANT;
        c->line = p->task.line;
        sc->nclasses = 1;
        return 0;
    }
    if (sc->nclasses == 1)
        return 0;
    *err = xasprintf("%s:%d: task '%s' must name its user class, as in [task %s %s], since "
                     "there are several", sc->path, p->task.line, p->task.id,
                     sc->classes[0].name, p->task.id);
    return -1;
}

/* Move a gathered task into its class, with its defaults; 0 or -1 with *err. */
static int
place_task(struct scenario *sc, struct pending_task *p, char **err)
{
    struct user_class *c;
    int ci = task_class(sc, p, err);

    if (ci < 0)
        return -1;
    if (p->task.path == NULL) {
        *err = xasprintf("%s:%d: task '%s' has no path: add path = /something", sc->path,
                         p->task.line, p->task.id);
        return -1;
    }
    if (!p->method_set)
        p->task.method = xstrdup(p->task.body != NULL ? "POST" : "GET");
    if (p->task.name == NULL)
        p->task.name = xstrdup(p->task.path);
    c = &sc->classes[ci];
    /* capacity: the next power of two (tasks are only added here, before any removal) */
    if ((c->ntasks & (c->ntasks - 1)) == 0)
        c->tasks = xrealloc(c->tasks, (c->ntasks ? c->ntasks * 2 : 1) * sizeof(*c->tasks));
    c->tasks[c->ntasks++] = p->task;
    memset(&p->task, 0, sizeof(p->task));
    return 0;
}

/* Finish a class's tasks and check it can run. */
static int
finish_class(struct scenario *sc, struct user_class *c, char **err)
{
    if (c->ntasks == 0) {
        *err = xasprintf("%s:%d: user class '%s' has no tasks: add a [task %s NAME] section "
                         "with a path", sc->path, c->line, c->name, c->name);
        return -1;
    }
    for (size_t j = 0; j < c->ntasks; j++)
        if (finish_task(sc, c, &c->tasks[j], err) < 0)
            return -1;
    class_weigh(c);
    if (c->nmain == 0) {
        *err = xasprintf("%s:%d: user class '%s' has only on_start and on_stop tasks: add a "
                         "task with phase = task (the default)", sc->path, c->line, c->name);
        return -1;
    }
    if (c->total_weight == 0) {
        *err = xasprintf("%s:%d: every task of user class '%s' has weight 0", sc->path,
                         c->line, c->name);
        return -1;
    }
    return 0;
}

/* Give the gathered tasks to their classes and check the whole. */
static int
finish(struct loader *ld, char **err)
{
    struct scenario *sc = ld->sc;
    size_t i;
    bool any = false;
    int line = 0;
    char *why = NULL;

    for (i = 0; i < ld->ntasks; i++)
        if (place_task(sc, &ld->tasks[i], err) < 0)
            return -1;
    if (sc->nclasses == 0) {
        *err = xasprintf("%s: no users: define a [user NAME] section and its [task NAME ...] "
                         "sections", sc->path);
        return -1;
    }
    for (i = 0; i < sc->nclasses; i++)
        if (finish_class(sc, &sc->classes[i], err) < 0)
            return -1;
    for (i = 0; i < sc->nclasses; i++)
        if (sc->classes[i].weight > 0 || sc->classes[i].fixed_count > 0)
            any = true;
    if (!any) {
        *err = xasprintf("%s: there are no user classes with weight > 0", sc->path);
        return -1;
    }
    if (tmpl_lib_check_vars(sc->lib, &line, &why) < 0) {
        *err = xasprintf("%s:%d: %s", sc->path, line, why);
        free(why);
        return -1;
    }
    if (sc->capacity != NULL && capacity_finish(sc->capacity, sc->path, err) < 0)
        return -1;
    if (sc->shape != NULL)
        return shape_finish(sc->shape, sc->path, err);
    return 0;
}

int
scenario_load(struct scenario *sc, const char *path, const char *text,
              struct settings *settings, char **err)
{
    struct loader ld;
    char *dircopy;
    size_t i;
    int rc;

    memset(sc, 0, sizeof(*sc));
    memset(&ld, 0, sizeof(ld));
    sc->path = xstrdup(path);
    dircopy = xstrdup(path);
    sc->dir = xstrdup(text != NULL ? "." : dirname(dircopy));
    free(dircopy);
    sc->lib = tmpl_lib_new(sc->dir);
    ld.sc = sc;
    ld.settings = settings;

    /* variables for ${NAME}: --env-file FILE, else a .env next to the scenario */
    if (settings->env_file != NULL) {
        char *why = NULL;

        if (tmpl_lib_load_env(sc->lib, settings->env_file, &why) < 0) {
            *err = xasprintf("--env-file: %s", why);
            free(why);
            scenario_free(sc);
            return -1;
        }
    } else {
        char *dotenv = xasprintf("%s/.env", sc->dir);

        rc = text == NULL && access(dotenv, F_OK) == 0 ? tmpl_lib_load_env(sc->lib, dotenv, err)
                                                      : 0;
        free(dotenv);
        if (rc < 0) {
            scenario_free(sc);
            return -1;
        }
    }

    rc = ini_read(path, text, on_ini, &ld, err);
    if (rc == 0)
        rc = finish(&ld, err);
    for (i = 0; i < ld.ntasks; i++) {
        free(ld.tasks[i].class_name);
        task_free(&ld.tasks[i].task);
    }
    free(ld.tasks);
    free(ld.task_index);
    if (rc < 0)
        scenario_free(sc);   /* the caller owns nothing after a failure */
    return rc;
}

/* Join a base URL and a path with exactly one slash between them. */
static char *
join_url(const char *host, const char *path)
{
    size_t n = strlen(host);

    if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
        return xstrdup(path);
    while (n > 0 && host[n - 1] == '/')
        n--;
    return xasprintf("%.*s%s", (int)n, host, path);
}

int
scenario_prepare(struct scenario *sc, const char *host, struct stats *stats, char **err)
{
    size_t i, j;

    for (i = 0; i < sc->nclasses; i++) {
        for (j = 0; j < sc->classes[i].ntasks; j++) {
            struct task *t = &sc->classes[i].tasks[j];

            if (host == NULL && tmpl_starts_with(t->path_t, "/")) {
                *err = xstrdup("no host: give -H/--host URL, host = URL in [run], or --demo");
                return -1;
            }
            const char *text;
            size_t len;

            free(t->url);
            if (tmpl_constant(t->path_t, &text, &len))
                t->url = join_url(host ? host : "", text);
            else if (tmpl_starts_with(t->path_t, "/"))
                t->url = join_url(host ? host : "", "");   /* the path is added per request */
            else
                t->url = xstrdup("");
            t->entry = stats_entry_id(stats, t->method, t->name);
        }
    }
    return 0;
}

void
scenario_free(struct scenario *sc)
{
    size_t i;

    for (i = 0; i < sc->nclasses; i++)
        class_free(&sc->classes[i]);
    shape_free(sc->shape);
    if (sc->capacity != NULL) {
        capacity_conf_free(sc->capacity);
        free(sc->capacity);
    }
    free(sc->classes);
    free(sc->path);
    free(sc->dir);
    tmpl_lib_free(sc->lib);
    memset(sc, 0, sizeof(*sc));
}

bool
task_status_ok(const struct task *t, long status)
{
    size_t i;

    if (t->nexpect == 0)
        return status < 400 || status >= 600;   /* Locust: 4xx and 5xx fail */
    for (i = 0; i < t->nexpect; i++)
        if (status >= t->expect[i].lo && status <= t->expect[i].hi)
            return true;
    return false;
}

const struct task *
scenario_pick_task(const struct user_class *c, unsigned draw)
{
    size_t lo = 0, hi = c->ntasks - 1;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (c->cum_weights[mid] > draw)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &c->tasks[lo];
}

int
scenario_class_index(const struct scenario *sc, const char *name)
{
    size_t i;

    for (i = 0; i < sc->nclasses; i++)
        if (strcmp(sc->classes[i].name, name) == 0)
            return (int)i;
    return -1;
}

void
scenario_remove_class(struct scenario *sc, size_t i)
{
    class_free(&sc->classes[i]);
    memmove(&sc->classes[i], &sc->classes[i + 1], (sc->nclasses - i - 1) * sizeof(*sc->classes));
    sc->nclasses--;
}

void
scenario_remove_task(struct user_class *c, size_t j)
{
    task_free(&c->tasks[j]);
    memmove(&c->tasks[j], &c->tasks[j + 1], (c->ntasks - j - 1) * sizeof(*c->tasks));
    c->ntasks--;
    class_weigh(c);
}

int
scenario_parse_names(const char *what, const char *value, char ***list, size_t *n, char **err)
{
    char *copy = xstrdup(value);
    char *save = NULL, *item;
    size_t before = *n;
    int rc = 0;

    for (item = strtok_r(copy, ", \t", &save); item != NULL;
         item = strtok_r(NULL, ", \t", &save)) {
        if (!valid_ident(item)) {
            *err = xasprintf("bad name '%s' in %s: use letters, digits, '_', '-' or '.', "
                             "separated by commas", item, what);
            rc = -1;
            break;
        }
        push_string(list, n, item);
    }
    if (rc == 0 && *n == before) {
        *err = xasprintf("%s needs at least one name", what);
        rc = -1;
    }
    free(copy);
    return rc;
}
