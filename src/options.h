/*
 * options.h: the one table of options. Each row gives the long flag, the
 * short flag, the INI section and key, the CICADA_* variable, the value's
 * type and the help text; the same rows drive getopt_long, the INI loader,
 * the environment layer and --help.
 */
#ifndef CICADA_OPTIONS_H
#define CICADA_OPTIONS_H

#include <stdio.h>

#include "settings.h"

enum option_type {
    OPT_FLAG,                /* no argument on the command line; true/false elsewhere */
    OPT_STRING,
    OPT_PATH,
    OPT_URL,
    OPT_UINT,
    OPT_RATE,                /* positive decimal */
    OPT_DURATION,            /* Locust's run-time syntax, bare number = seconds */
    OPT_DURATION_MS,         /* bare number = milliseconds */
    OPT_TIMEOUT,             /* duration, or "none" for the stop timeout */
    OPT_EXIT_CODE,
    OPT_LOGLEVEL,
    OPT_FRACTION,            /* decimal >= 0 */
    OPT_THRESHOLD,           /* a threshold expression; each one given adds one */
};

struct option_def {
    const char *name;        /* long flag without dashes, "spawn-rate" */
    char short_name;         /* 0 if none */
    enum option_type type;
    const char *section;     /* INI section ("run", "demo") or NULL: command line only */
    const char *key;         /* INI key, "spawn_rate" */
    const char *env;         /* environment variable or NULL */
    const char *arg;         /* argument name in --help */
    const char *help;
    int id;
};

/* The table, terminated by a row with name NULL. */
extern const struct option_def option_table[];

/* Find a row by long name, INI section+key, or short flag; NULL if none. */
const struct option_def *option_by_name(const char *name);
const struct option_def *option_by_key(const char *section, const char *key);
const struct option_def *option_by_short(int c);

/* The INI keys of a section, NULL-terminated (static storage), for suggestions. */
const char *const *option_keys(const char *section);

/*
 * Parse text and store it in s. Returns 0, or -1 with *err (allocated)
 * saying what is wrong with the value (the caller adds where it came from).
 */
int option_set(struct settings *s, const struct option_def *opt, const char *text,
               const struct origin *where, char **err);

/* A command line's options, parsed but not yet applied. */
struct cli_args {
    struct cli_value {
        const struct option_def *opt;
        char *text;
        char *flag;          /* as typed, for messages */
    } *values;
    size_t nvalues;
    char **positional;       /* user class names */
    size_t npositional;
};

/*
 * Parse argv. Returns 0, or -1 with *err (allocated), naming the flag,
 * on an unknown flag or a missing argument (out then holds nothing).
 */
int cli_parse(int argc, char **argv, struct cli_args *out, char **err);
void cli_args_free(struct cli_args *a);

/* The value given on the command line for an option, or NULL. */
const char *cli_value(const struct cli_args *a, const char *name);

/* Apply the environment layer, then the command line; 0 or -1 with *err. */
int settings_apply_env(struct settings *s, char **err);
int settings_apply_cli(struct settings *s, const struct cli_args *a, char **err);

/* --help text. */
void options_print_help(FILE *out);

#endif
