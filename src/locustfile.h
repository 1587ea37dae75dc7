/*
 * locustfile.h: `cicada --locustfile`: print a locustfile for a Locust
 * master whose workers are cicada processes. It has one User class per
 * user class of the scenario (same name, weight, fixed count, wait, host)
 * with one task per cicada task (same weight and tags), so the master
 * dispatches exactly the classes cicada runs. Every task, and on_start,
 * raise an error: a Python worker given this file fails loudly instead of
 * sending nothing.
 */
#ifndef CICADA_LOCUSTFILE_H
#define CICADA_LOCUSTFILE_H

#include <stdio.h>

#include "scenario.h"
#include "settings.h"

void locustfile_print(FILE *out, const struct scenario *sc, const struct settings *s);

#endif
