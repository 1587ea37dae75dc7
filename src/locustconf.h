/*
 * locustconf.h: configuration as Locust reads it, for Locust users: its
 * key = value file (./locust.conf, or --config FILE) and LOCUST_*
 * environment variables. The options whose meaning cicada shares (host,
 * users, spawn rate, run time, headless, autostart, autoquit, tags, csv,
 * html, loglevel, logfile, stop timeout, exit code on error, reset stats,
 * only summary, print stats) are read below cicada's own sources:
 * locust.conf < LOCUST_* < the scenario's [run] < CICADA_* < flags. The
 * others are named in a warning and ignored.
 */
#ifndef CICADA_LOCUSTCONF_H
#define CICADA_LOCUSTCONF_H

#include "settings.h"

/*
 * Apply the Locust layers to s: path is --config's file (must exist) or
 * NULL for ./locust.conf when present. Returns 0, or -1 with *err
 * (allocated, naming file:line or the variable). Warnings are logged.
 */
int locustconf_apply(struct settings *s, const char *path, char **err);

#endif
