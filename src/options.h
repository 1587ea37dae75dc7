/*
 * options.h: the one table of options. Each row gives the long flag, the
 * short flag, the INI section and key, the CICADA_* variable, the value's
 * type, the help text, and where the value goes: a field of struct
 * settings (with its limits and the origin to remember), or a setter for
 * the few options that do more than store a value. The same rows drive
 * getopt_long, the INI loader, the environment layer, --help and
 * option_set, so an option is added by adding one row.
 */
#ifndef CICADA_OPTIONS_H
#define CICADA_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "settings.h"

/* What a value looks like, and the checks every value of the type passes. */
enum option_type {
    OPT_FLAG,                /* no argument on the command line; true/false elsewhere */
    OPT_STRING,              /* not empty */
    OPT_PATH,
    OPT_URL,                 /* http:// or https://, with a host, no query */
    OPT_UINT,                /* whole number from the row's min to max */
    OPT_RATE,                /* decimal above 0, at most the row's max */
    OPT_DURATION,            /* Locust's run-time syntax, bare number = seconds; above 0 */
    OPT_DURATION_MS,         /* the same, bare number = milliseconds; stored in milliseconds */
    OPT_TIMEOUT,             /* duration >= 0 */
    OPT_EXIT_CODE,           /* 0 to 255 */
    OPT_LOGLEVEL,
    OPT_FRACTION,            /* decimal from the row's min to max */
    OPT_THRESHOLD,           /* a threshold expression; each one given adds one */
};

/* The C type of the settings field a row stores into (FIELD() finds it). */
enum option_field {
    FIELD_NONE,              /* the row's setter stores the value */
    FIELD_BOOL,
    FIELD_UINT,              /* unsigned, or an enum the compiler makes unsigned */
    FIELD_INT,
    FIELD_DOUBLE,
    FIELD_STRING,            /* char *, owned */
};

struct option_def;

/* The parsed value handed to a setter (the member the row's type fills). */
union option_value {
    bool b;                  /* OPT_FLAG */
    unsigned long long n;    /* OPT_UINT, OPT_EXIT_CODE, OPT_LOGLEVEL */
    double d;                /* OPT_RATE, OPT_DURATION*, OPT_TIMEOUT, OPT_FRACTION */
};

/*
 * A row's special behaviour. validate: refuse a value its type allows
 * (0, or -1 with *err); the field is then set as usual. set: store the
 * value (already checked for its type) instead of a field.
 */
typedef int option_validate_fn(const struct option_def *opt, const char *text, char **err);
typedef int option_set_fn(struct settings *s, const struct option_def *opt, const char *text,
                          const union option_value *v, const struct origin *where, char **err);

struct option_def {
    const char *name;        /* long flag without dashes, "spawn-rate" */
    char short_name;         /* 0 if none */
    enum option_type type;
    const char *section;     /* INI section ("run", "demo") or NULL: command line only */
    const char *key;         /* INI key, "spawn_rate" */
    const char *env;         /* environment variable or NULL */
    const char *arg;         /* argument name in --help */
    const char *help;

    /* where the value goes: a field, or a setter */
    enum option_field field_type;
    size_t field;            /* offsetof(struct settings, ...) */
    size_t origin;           /* offset of the struct origin to record; 0: none */
    option_set_fn *set;
    option_validate_fn *validate;
    double min, max;         /* OPT_UINT, OPT_RATE (max), OPT_FRACTION */
    const char *unit;        /* OPT_RATE: what is counted per second, for messages */
    bool more_words;         /* -T a b: the words after the value are more values */
};

/* The table, terminated by a row with name NULL. */
extern const struct option_def option_table[];

/* Find a row by long name or INI section+key; NULL if none. */
const struct option_def *option_by_name(const char *name);
const struct option_def *option_by_key(const char *section, const char *key);

/*
 * What is wrong with a row (no field nor setter, a field that cannot hold
 * its type, missing limits...), or NULL; option_set refuses to run a
 * broken row, and the unit tests walk the whole table with it.
 */
const char *option_row_problem(const struct option_def *o);

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
