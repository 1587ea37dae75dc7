/*
 * scenario.h: what the users do, loaded from the INI file: user classes
 * (weight or fixed count, wait function, default headers) and their tasks
 * (weight, method, path, headers, body, expected statuses, statistics
 * name). The [run] and [demo] sections go to the settings through the
 * option table.
 */
#ifndef CICADA_SCENARIO_H
#define CICADA_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "settings.h"

struct shape;
struct capacity_conf;
struct stats;

enum wait_kind {
    WAIT_CONSTANT,           /* a */
    WAIT_BETWEEN,            /* uniform in [a, b) */
    WAIT_PACING,             /* one task start every a seconds */
    WAIT_THROUGHPUT,         /* a task starts per second (pacing 1/a) */
};

struct wait_spec {
    enum wait_kind kind;
    double a, b;
};

struct status_range {
    int lo, hi;              /* inclusive */
};

struct check;
struct capture;
struct tmpl;
struct tmpl_lib;

/* When a task runs. */
enum task_phase {
    PHASE_TASK,              /* picked by weight (or in order) again and again */
    PHASE_ON_START,          /* once when the user starts, in file order */
    PHASE_ON_STOP,           /* once when the user is stopped, in file order */
};

enum http_version {
    HTTPV_DEFAULT = 0,       /* unset: HTTP/1.1 */
    HTTPV_1_1,
    HTTPV_2,                 /* HTTP/2 (TLS ALPN, or an h2c upgrade on http://) */
    HTTPV_2_PRIOR,           /* HTTP/2 without upgrade on http:// */
};

/* Transfer options settable per class and per task (0/-1: inherit). */
struct request_opts {
    double timeout;          /* seconds; 0: the [run] timeout */
    double connect_timeout;  /* seconds; 0: the [run] connect_timeout */
    int follow_redirects;    /* -1 unset, 0, 1 (default 1) */
    int verify_tls;          /* -1 unset, 0, 1 (default 1) */
    enum http_version http_version;
    char aws_sigv4[48];      /* "": inherit (aws.c resolves [run] and the region's fallbacks) */
    char aws_region[48];
};

struct task {
    char *id;                /* [task CLASS ID] */
    char *method;            /* "GET" */
    char *path;              /* "/predict" or a full URL */
    char *name;              /* statistics name: name = ..., else the path */
    char **headers;          /* "Name: value" */
    size_t nheaders;
    char *body;              /* NULL: no body */
    size_t body_len;
    unsigned weight;
    struct status_range *expect; /* none: status < 400 succeeds */
    size_t nexpect;
    int line;                /* of the section header */
    enum task_phase phase;
    struct request_opts opts;  /* resolved against the class's at load */
    struct check *checks;
    size_t nchecks;
    struct capture *captures;
    size_t ncaptures;
    bool needs_body;         /* checks or captures read the body */
    bool body_from_file;     /* body_file: sent as is, not a template */
    int body_line;

    /* compiled templates (set at load) */
    struct tmpl *path_t;
    struct tmpl *body_t;     /* NULL without a body or with body_file */
    struct tmpl **header_t;  /* one per headers[i] */
    char **tags;             /* tags = a, b (for -T/-E) */
    size_t ntags;

    /* set by scenario_prepare */
    char *url;
    int entry;               /* statistics entry */
    void *http;              /* the HTTP layer's prepared request */
};

struct user_class {
    char *name;
    unsigned weight;
    unsigned fixed_count;
    struct wait_spec wait;
    char **headers;
    size_t nheaders;
    struct tmpl **header_t;  /* one per headers[i] */
    struct request_opts opts;
    bool sequential;         /* order = sequential: tasks in file order */
    struct task *tasks;      /* every task, on_start and on_stop ones too */
    size_t ntasks;
    size_t *on_start;        /* indexes into tasks, in file order */
    size_t n_on_start;
    size_t *on_stop;
    size_t n_on_stop;
    size_t nmain;            /* PHASE_TASK tasks */
    unsigned *cum_weights;   /* running sums of task weights */
    unsigned total_weight;
    int line;
    char **tags;             /* tags = a, b: given to every task of the class */
    size_t ntags;
};

struct scenario {
    char *path;              /* as named in messages */
    char *dir;               /* directory for relative file names */
    struct user_class *classes;
    size_t nclasses;
    struct tmpl_lib *lib;    /* data files and variables of every template */
    struct shape *shape;     /* [shape], or NULL: users and spawn rate from the settings */
    struct capacity_conf *capacity; /* [capacity], or NULL: the search's defaults */
};

/*
 * Load path (or, if text is not NULL, that text, named path in messages).
 * [run] and [demo] keys are stored in settings with a file origin.
 * Returns 0, or -1 with *err (allocated) as "file:line: message"; after a
 * failure sc holds nothing (everything loaded so far is freed).
 */
int scenario_load(struct scenario *sc, const char *path, const char *text,
                  struct settings *settings, char **err);

/*
 * Resolve every task's URL against host and register its statistics entry.
 * Returns 0, or -1 with *err.
 */
int scenario_prepare(struct scenario *sc, const char *host, struct stats *stats, char **err);

void scenario_free(struct scenario *sc);

/* Is status a success for this task? */
bool task_status_ok(const struct task *t, long status);

/*
 * The task a weighted pick lands on: draw in [0, total_weight) selects the
 * first task whose running weight sum exceeds it (on_start and on_stop
 * tasks take no width). The worker draws; this maps the draw.
 */
const struct task *scenario_pick_task(const struct user_class *c, unsigned draw);

/* Index of a user class by name, or -1. */
int scenario_class_index(const struct scenario *sc, const char *name);

/* Remove class i and its tasks (before scenario_prepare). */
void scenario_remove_class(struct scenario *sc, size_t i);

/* Remove task j of class c and recount the class's task weights. */
void scenario_remove_task(struct user_class *c, size_t j);

/*
 * Parse a list of tags or names, "a, b" or "a b", into *list (appended).
 * Returns 0, or -1 with *err on an empty list or a bad name.
 */
int scenario_parse_names(const char *what, const char *value, char ***list, size_t *n,
                         char **err);

#endif
