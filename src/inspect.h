/*
 * inspect.h: Locust's informational commands on a loaded scenario: -l
 * (the user classes, and here their tasks), --show-task-ratio and
 * --show-task-ratio-json (each task's share per user class and overall,
 * in Locust 2.12.1's formats).
 */
#ifndef CICADA_INSPECT_H
#define CICADA_INSPECT_H

#include <stdio.h>

#include "scenario.h"
#include "settings.h"

void inspect_list(FILE *out, const struct scenario *sc);
void inspect_task_ratio(FILE *out, const struct scenario *sc, const struct settings *s);
void inspect_task_ratio_json(FILE *out, const struct scenario *sc, const struct settings *s);

#endif
