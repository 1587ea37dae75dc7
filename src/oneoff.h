/*
 * oneoff.h: the one-off run without a scenario file, as wrk, hey and ab
 * users expect (cicada -u 50 -t 30s http://127.0.0.1:8000/predict, with
 * -m, -d, -D and -A as curl and hey spell them): a one-task scenario,
 * written as INI text so that it loads through the same rules as a file
 * and --dump-ini prints exactly what runs.
 */
#ifndef CICADA_ONEOFF_H
#define CICADA_ONEOFF_H

#include <stdbool.h>

#include "settings.h"

/*
 * Is path a Python locustfile (named *.py, or starting, after comments and
 * blank lines, with an import of locust)? Locust users reach for -f first.
 */
bool oneoff_is_locustfile(const char *path);

/* Is this command-line word a URL (http:// or https://)? */
bool oneoff_is_url(const char *word);

/*
 * The scenario for a run of url with the settings' -m, -d, -D and -A, as
 * INI text (allocated); NULL with *err (allocated, naming the flag) when
 * a value cannot be written as INI. users, spawn rate and run time are
 * written as [run] keys when given on the command line (given_*).
 */
char *oneoff_ini(const char *url, const struct settings *s, const char *users,
                 const char *spawn_rate, const char *run_time, char **err);

#endif
