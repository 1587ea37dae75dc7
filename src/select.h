/*
 * select.h: which user classes and tasks take part in a run: the classes
 * named after the options or with --user-classes, and the tasks kept by
 * -T/--tags and dropped by -E/--exclude-tags, with Locust's semantics.
 */
#ifndef CICADA_SELECT_H
#define CICADA_SELECT_H

#include <stddef.h>

#include "scenario.h"
#include "settings.h"

/*
 * Keep only the chosen classes (names: the positional arguments, plus
 * settings->user_classes), then only the tasks the tags allow; a class left
 * without tasks is dropped with a warning. Call before scenario_prepare.
 * Returns 0, or -1 with *err (allocated) naming the argument or the flag.
 */
int scenario_select(struct scenario *sc, const struct settings *s, char *const *names,
                    size_t nnames, char **err);

#endif
