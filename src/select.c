/*
 * select.c: choosing user classes and tasks before a run.
 *
 * Classes: every class named as an argument or in --user-classes runs, the
 * others do not; an unknown name is an error that lists the classes.
 * Tags (Locust's -T/-E): a task's tags are its own plus its class's. With
 * -T, a task runs only if it has at least one of those tags; with -E, a
 * task having any of those tags never runs. A class left with no task (or
 * only tasks of weight 0) is dropped; nothing left at all is an error.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "select.h"
#include "util.h"

#define LOGGER "cicada.main"

struct list {
    char **items;
    size_t n;
};

static void
list_free(struct list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static bool
list_has(const struct list *l, const char *s)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

/* "A, B, C": the scenario's class names. */
static char *
class_names(const struct scenario *sc)
{
    struct buf b;
    size_t i;

    buf_init(&b);
    for (i = 0; i < sc->nclasses; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", sc->classes[i].name);
    return buf_steal(&b);
}

/* Check that name is a class; 0, or -1 with *err naming where it was given. */
static int
check_class(const struct scenario *sc, const char *name, const char *where, char **err)
{
    const char **names;
    const char *near;
    char *all;
    size_t i;

    if (scenario_class_index(sc, name) >= 0)
        return 0;
    names = xcalloc(sc->nclasses + 1, sizeof(*names));
    for (i = 0; i < sc->nclasses; i++)
        names[i] = sc->classes[i].name;
    near = str_suggest(name, names);
    all = class_names(sc);
    if (near != NULL)
        *err = xasprintf("%s: unknown user class '%s' (did you mean '%s'?); the user classes "
                         "of %s are: %s", where, name, near, sc->path, all);
    else
        *err = xasprintf("%s: unknown user class '%s'; the user classes of %s are: %s", where,
                         name, sc->path, all);
    free(names);
    free(all);
    return -1;
}

/* Keep only the named classes; 0 or -1 with *err. */
static int
select_classes(struct scenario *sc, const struct settings *s, char *const *names,
               size_t nnames, char **err)
{
    struct list wanted = { NULL, 0 };
    char where[256];
    size_t i;
    int rc = 0;

    for (i = 0; i < nnames && rc == 0; i++) {
        char *w = xasprintf("argument '%s'", names[i]);

        rc = check_class(sc, names[i], w, err);
        free(w);
        if (rc == 0 && !list_has(&wanted, names[i])) {
            wanted.items = xrealloc(wanted.items, (wanted.n + 1) * sizeof(*wanted.items));
            wanted.items[wanted.n++] = xstrdup(names[i]);
        }
    }
    if (rc == 0 && s->user_classes != NULL) {
        struct list given = { NULL, 0 };
        char *why = NULL;

        origin_describe(&s->user_classes_origin, where, sizeof(where));
        if (scenario_parse_names("user_classes", s->user_classes, &given.items, &given.n,
                                 &why) < 0) {
            *err = xasprintf("%s: %s", where, why);
            free(why);
            rc = -1;
        }
        for (i = 0; i < given.n && rc == 0; i++) {
            rc = check_class(sc, given.items[i], where, err);
            if (rc == 0 && !list_has(&wanted, given.items[i])) {
                wanted.items = xrealloc(wanted.items, (wanted.n + 1) * sizeof(*wanted.items));
                wanted.items[wanted.n++] = xstrdup(given.items[i]);
            }
        }
        list_free(&given);
    }
    if (rc == 0 && wanted.n > 0) {
        for (i = sc->nclasses; i-- > 0;)
            if (!list_has(&wanted, sc->classes[i].name))
                scenario_remove_class(sc, i);
    }
    list_free(&wanted);
    return rc;
}

/* Has the task (or its class) any tag of l? */
static bool
has_tag(const struct user_class *c, const struct task *t, const struct list *l)
{
    size_t i;

    for (i = 0; i < t->ntags; i++)
        if (list_has(l, t->tags[i]))
            return true;
    for (i = 0; i < c->ntags; i++)
        if (list_has(l, c->tags[i]))
            return true;
    return false;
}

/* Parse a tag option into l; 0 or -1 with *err naming its origin. */
static int
tag_list(const char *value, const struct origin *o, const char *key, struct list *l,
         char **err)
{
    char where[256], *why = NULL;

    if (value == NULL)
        return 0;
    if (scenario_parse_names(key, value, &l->items, &l->n, &why) < 0) {
        *err = xasprintf("%s: %s", origin_describe(o, where, sizeof(where)), why);
        free(why);
        return -1;
    }
    return 0;
}

/* Apply -T and -E; 0 or -1 with *err. */
static int
select_tags(struct scenario *sc, const struct settings *s, char **err)
{
    struct list inc = { NULL, 0 }, exc = { NULL, 0 }, dropped = { NULL, 0 };
    struct list unknown = { NULL, 0 };
    char w1[256], w2[256];
    size_t i, j;
    bool runnable = false;
    int rc = -1;

    if (tag_list(s->tags, &s->tags_origin, "tags", &inc, err) < 0 ||
        tag_list(s->exclude_tags, &s->exclude_tags_origin, "exclude_tags", &exc, err) < 0)
        goto out;
    if (inc.n == 0 && exc.n == 0) {
        rc = 0;
        goto out;
    }
    for (i = 0; i < inc.n; i++) {
        bool found = false;

        for (j = 0; j < sc->nclasses && !found; j++) {
            size_t k;

            for (k = 0; k < sc->classes[j].ntasks && !found; k++) {
                struct list one = { &inc.items[i], 1 };

                found = has_tag(&sc->classes[j], &sc->classes[j].tasks[k], &one);
            }
        }
        if (!found) {
            unknown.items = xrealloc(unknown.items, (unknown.n + 1) * sizeof(*unknown.items));
            unknown.items[unknown.n++] = xstrdup(inc.items[i]);
        }
    }
    for (i = sc->nclasses; i-- > 0;) {
        struct user_class *c = &sc->classes[i];

        for (j = c->ntasks; j-- > 0;) {
            /* on_start and on_stop are not tasks to Locust's tags: they always run */
            bool keep = c->tasks[j].phase != PHASE_TASK ||
                        ((inc.n == 0 || has_tag(c, &c->tasks[j], &inc)) &&
                         !(exc.n > 0 && has_tag(c, &c->tasks[j], &exc)));

            if (!keep)
                scenario_remove_task(c, j);
        }
        if (c->total_weight == 0) {
            dropped.items = xrealloc(dropped.items, (dropped.n + 1) * sizeof(*dropped.items));
            dropped.items[dropped.n++] = xstrdup(c->name);
            scenario_remove_class(sc, i);
        }
    }
    for (i = 0; i < sc->nclasses; i++)
        if (sc->classes[i].weight > 0 || sc->classes[i].fixed_count > 0)
            runnable = true;
    if (!runnable) {
        if (inc.n > 0 && exc.n > 0)
            *err = xasprintf("%s and %s: no task of %s is left to run",
                             origin_describe(&s->tags_origin, w1, sizeof(w1)),
                             origin_describe(&s->exclude_tags_origin, w2, sizeof(w2)),
                             sc->path);
        else if (inc.n > 0)
            *err = xasprintf("%s: no task of %s has any of the tags \"%s\"",
                             origin_describe(&s->tags_origin, w1, sizeof(w1)), sc->path,
                             s->tags);
        else
            *err = xasprintf("%s: every task left in %s has one of the tags \"%s\"",
                             origin_describe(&s->exclude_tags_origin, w2, sizeof(w2)),
                             sc->path, s->exclude_tags);
        goto out;
    }
    for (i = 0; i < unknown.n; i++)
        log_warning(LOGGER, "No task has the tag '%s' given by %s", unknown.items[i],
                    origin_describe(&s->tags_origin, w1, sizeof(w1)));
    for (i = dropped.n; i-- > 0;)
        log_warning(LOGGER, "User class %s has no tasks left after filtering by tags: it will "
                    "not run", dropped.items[i]);
    rc = 0;
out:
    list_free(&inc);
    list_free(&exc);
    list_free(&dropped);
    list_free(&unknown);
    return rc;
}

int
scenario_select(struct scenario *sc, const struct settings *s, char *const *names,
                size_t nnames, char **err)
{
    char where[256];
    bool runnable = false;
    size_t i;

    if (select_classes(sc, s, names, nnames, err) < 0)
        return -1;
    for (i = 0; i < sc->nclasses; i++)
        if (sc->classes[i].weight > 0 || sc->classes[i].fixed_count > 0)
            runnable = true;
    if (!runnable) {
        *err = xasprintf("%s: the chosen user classes all have weight 0: choose one with a "
                         "weight or a fixed_count",
                         nnames > 0 ? "arguments"
                                    : origin_describe(&s->user_classes_origin, where,
                                                      sizeof(where)));
        return -1;
    }
    return select_tags(sc, s, err);
}
