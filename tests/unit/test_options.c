/*
 * test_options.c: every row of the option table, walked. Each row is
 * wired (a field of the right type, or a setter), its lookups find it, a
 * valid value sets its field and only its field (and the origin it names)
 * through the command line, the environment and the INI file, and a value
 * out of range is refused, naming the option, with nothing changed. A new
 * row that is half-wired fails here.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"
#include "scenario.h"
#include "settings.h"
#include "threshold.h"
#include "util.h"

#define COUNT_CEILING 1000000000.0   /* the largest count any option takes */

/*
 * The rows with special behaviour (a setter or a validator): a value they
 * take and one they refuse, and what a valid value must have done.
 */
typedef void effect_fn(const struct settings *s, const struct origin *where);

static void
poisson_set(const struct settings *s, const struct origin *where)
{
    assert_int_equal(s->arrivals, ARRIVALS_POISSON);
}

static void
capacity_set(const struct settings *s, const struct origin *where)
{
    assert_true(s->find_capacity);
    assert_int_equal(s->mode_origin.kind, where->kind);
}

static void
threshold_added(const struct settings *s, const struct origin *where)
{
    assert_int_equal(s->nthresholds, 1);
    assert_int_equal(s->thresholds[0].origin.kind, where->kind);
}

static void
header_added(const struct settings *s, const struct origin *where)
{
    assert_int_equal(s->noneoff_headers, 1);
    assert_string_equal(s->oneoff_headers[0], "X-A: 1");
}

static void
max_file_size_set(const struct settings *s, const struct origin *where)
{
    assert_true(util_max_file_size() == 1ULL << 30);
}

static const struct special {
    const char *name;
    const char *valid;
    const char *bad;
    effect_fn *effect;       /* NULL: the row's field is checked as any other */
    bool names_itself;       /* the refusal names the option (else the layer does) */
} specials[] = {
    { "arrivals", "poisson", "sometimes", poisson_set, true },
    { "mode", "capacity", "fast", capacity_set, true },
    { "find-capacity", "true", "maybe", capacity_set, true },
    { "threshold", "p95<150ms", "p95 <", threshold_added, false },
    { "header", "X-A: 1", "", header_added, true },
    { "max-file-size", "1G", "0", max_file_size_set, true },
    { "aws-sigv4", "sagemaker", "s3", NULL, true },
    { "aws-region", "us-east-1", "US-EAST-1", NULL, true },
    /* read by app.c from the command line: they store nothing */
    { "help", "true", "maybe", NULL, true },
    { "version", "true", "maybe", NULL, true },
    { "dump-ini", "true", "maybe", NULL, true },
    { "config", "locust.conf", "", NULL, true },
};

static const struct special *
special_of(const struct option_def *o)
{
    for (size_t i = 0; i < ARRAY_LEN(specials); i++)
        if (strcmp(specials[i].name, o->name) == 0)
            return &specials[i];
    return NULL;
}

static size_t
field_size(enum option_field f)
{
    switch (f) {
    case FIELD_BOOL:
        return sizeof(bool);
    case FIELD_UINT:
        return sizeof(unsigned);
    case FIELD_INT:
        return sizeof(int);
    case FIELD_DOUBLE:
        return sizeof(double);
    case FIELD_STRING:
        return sizeof(char *);
    case FIELD_NONE:
        break;
    }
    return 0;
}

/* A value of the row's type that it takes, and what its field then holds. */
static const char *
valid_value(const struct option_def *o, char *buf, size_t size, double *want)
{
    const struct special *sp = special_of(o);

    if (sp != NULL)
        return sp->valid;
    switch (o->type) {
    case OPT_FLAG:
        *want = 1;
        return "true";
    case OPT_UINT:
    case OPT_FRACTION:
        snprintf(buf, size, "%.17g", o->max);
        *want = o->max;
        return buf;
    case OPT_RATE:
        *want = 0.5;
        return "0.5";
    case OPT_DURATION:
        *want = 180;
        return "3m";
    case OPT_DURATION_MS:
        *want = 35;          /* stored in milliseconds */
        return "35";
    case OPT_TIMEOUT:
        *want = 90;
        return "1m30s";
    case OPT_EXIT_CODE:
        *want = 255;
        return "255";
    case OPT_LOGLEVEL:
        *want = LOG_DEBUG;
        return "debug";
    case OPT_URL:
        return "http://127.0.0.1:8000/base/";
    case OPT_STRING:
    case OPT_PATH:
        return "some-value";
    case OPT_THRESHOLD:
        break;
    }
    fail_msg("option %s: no valid value for its type; add it to specials[]", o->name);
    return NULL;
}

/* Values of the row's type it must refuse (NULL-terminated, into bufs). */
static void
bad_values(const struct option_def *o, const char *out[4], char bufs[2][64])
{
    const struct special *sp = special_of(o);
    size_t n = 0;

    if (sp != NULL) {
        out[n++] = sp->bad;
    } else {
        switch (o->type) {
        case OPT_FLAG:
            out[n++] = "maybe";
            break;
        case OPT_UINT:
            /* above the row's max (or above any count), and below its min */
            snprintf(bufs[0], 64, "%.0f",
                     o->max < COUNT_CEILING ? o->max + 1 : COUNT_CEILING + 1);
            out[n++] = bufs[0];
            if (o->min > 0) {
                snprintf(bufs[1], 64, "%.0f", o->min - 1);
                out[n++] = bufs[1];
            }
            out[n++] = "-1";
            break;
        case OPT_RATE:
            snprintf(bufs[0], 64, "%.17g", o->max * 2);
            out[n++] = bufs[0];
            out[n++] = "0";
            break;
        case OPT_FRACTION:
            snprintf(bufs[0], 64, "%.17g", o->max + 1);
            out[n++] = bufs[0];
            snprintf(bufs[1], 64, "%.17g", o->min - 1);
            out[n++] = bufs[1];
            break;
        case OPT_DURATION:
        case OPT_DURATION_MS:
            out[n++] = "0";
            out[n++] = "5 min";
            break;
        case OPT_TIMEOUT:
            out[n++] = "-1";
            break;
        case OPT_EXIT_CODE:
            out[n++] = "256";
            break;
        case OPT_LOGLEVEL:
            out[n++] = "loud";
            break;
        case OPT_URL:
            out[n++] = "ftp://x";
            break;
        case OPT_STRING:
        case OPT_PATH:
        case OPT_THRESHOLD:
            out[n++] = "";
            break;
        }
    }
    out[n] = NULL;
}

/* Are a and b the same outside [off, off + len) and [off2, off2 + len2)? */
static bool
same_except(const struct settings *a, const struct settings *b, size_t off, size_t len,
            size_t off2, size_t len2)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (size_t i = 0; i < sizeof(*a); i++) {
        if ((i >= off && i < off + len) || (i >= off2 && i < off2 + len2))
            continue;
        if (x[i] != y[i])
            return false;
    }
    return true;
}

/*
 * s was made from fresh settings by giving o the value text from where:
 * its field holds the value, its origin says where, nothing else moved.
 */
static void
expect_set(const struct option_def *o, const struct settings *s, const char *text, double want,
           const struct origin *where)
{
    struct settings fresh;
    const struct special *sp = special_of(o);
    const void *field = (const char *)s + o->field;

    settings_init(&fresh);
    if (sp != NULL && sp->effect != NULL) {
        sp->effect(s, where);
    } else if (o->field_type == FIELD_NONE) {
        /* read by the caller: nothing stored */
        if (!same_except(s, &fresh, 0, 0, 0, 0))
            fail_msg("option %s changed the settings", o->name);
    } else {
        switch (o->field_type) {
        case FIELD_BOOL:
            assert_true(*(const bool *)field);
            break;
        case FIELD_UINT:
            assert_true(*(const unsigned *)field == want);
            break;
        case FIELD_INT:
            assert_true(*(const int *)field == want);
            break;
        case FIELD_DOUBLE:
            if (!(*(const double *)field > want - 1e-9 && *(const double *)field < want + 1e-9))
                fail_msg("option %s = %s: field holds %g, wanted %g", o->name, text,
                         *(const double *)field, want);
            break;
        case FIELD_STRING:
            assert_non_null(*(char *const *)field);
            assert_string_equal(*(char *const *)field, text);
            break;
        case FIELD_NONE:
            break;
        }
        if (o->origin != 0) {
            const struct origin *got = (const struct origin *)((const char *)s + o->origin);

            assert_int_equal(got->kind, where->kind);
        }
        if (!same_except(s, &fresh, o->field, field_size(o->field_type), o->origin,
                         o->origin != 0 ? sizeof(struct origin) : 0))
            fail_msg("option %s = %s changed settings other than its field and origin",
                     o->name, text);
    }
    settings_free(&fresh);
}

static void
clear_env(void)
{
    for (const struct option_def *o = option_table; o->name != NULL; o++)
        if (o->env != NULL)
            unsetenv(o->env);
}

/* Every row is complete and found by its names. */
static void
test_rows_wired(void **state)
{
    (void)state;
    for (const struct option_def *o = option_table; o->name != NULL; o++) {
        const char *problem = option_row_problem(o);

        if (problem != NULL)
            fail_msg("option %s: %s", o->name, problem);
        if ((o->set != NULL || o->validate != NULL) && special_of(o) == NULL)
            fail_msg("option %s has special behaviour: add it to specials[] with a value it "
                     "takes, one it refuses and what it does", o->name);
        assert_ptr_equal(option_by_name(o->name), o);
        if (o->section != NULL)
            assert_ptr_equal(option_by_key(o->section, o->key), o);
        if (o->env != NULL && strncmp(o->env, "CICADA_", 7) != 0)
            fail_msg("option %s: its variable %s is not CICADA_*", o->name, o->env);
        for (const struct option_def *p = option_table; p < o; p++) {
            if (o->short_name != 0 && p->short_name == o->short_name)
                fail_msg("options %s and %s share -%c", p->name, o->name, o->short_name);
            if (o->env != NULL && p->env != NULL && strcmp(o->env, p->env) == 0)
                fail_msg("options %s and %s share %s", p->name, o->name, o->env);
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(specials); i++)
        if (option_by_name(specials[i].name) == NULL)
            fail_msg("specials[] names %s, which is not an option", specials[i].name);
}

/* A valid value sets the row's field, from each place a value can come from. */
static void
test_valid_values_set_fields(void **state)
{
    unsigned long long max_file_size = util_max_file_size();

    (void)state;
    clear_env();
    for (const struct option_def *o = option_table; o->name != NULL; o++) {
        struct settings s;
        char buf[64], flag[80], *err = NULL;
        double want = 0;
        const char *text = valid_value(o, buf, sizeof(buf), &want);
        struct origin cli = { ORIGIN_CLI, NULL, 0, flag };

        /* the command line (flags take no value there) */
        snprintf(flag, sizeof(flag), "--%s", o->name);
        settings_init(&s);
        if (o->type == OPT_FLAG) {
            if (option_set(&s, o, text, &cli, &err) < 0)
                fail_msg("%s: %s", o->name, err);
        } else {
            char arg[200];
            char *argv[] = { "cicada", arg, NULL };
            struct cli_args a;

            snprintf(arg, sizeof(arg), "--%s=%s", o->name, text);
            assert_int_equal(cli_parse(2, argv, &a, &err), 0);
            if (settings_apply_cli(&s, &a, &err) < 0)
                fail_msg("%s: %s", arg, err);
            cli_args_free(&a);
        }
        expect_set(o, &s, text, want, &cli);
        settings_free(&s);
        util_set_max_file_size(max_file_size);

        if (o->env != NULL) {
            struct origin env = { ORIGIN_ENV, o->env, 0, NULL };

            settings_init(&s);
            setenv(o->env, text, 1);
            if (settings_apply_env(&s, &err) < 0)
                fail_msg("%s=%s: %s", o->env, text, err);
            unsetenv(o->env);
            expect_set(o, &s, text, want, &env);
            settings_free(&s);
            util_set_max_file_size(max_file_size);
        }
        if (o->section != NULL) {
            struct origin file = { ORIGIN_FILE, "t.ini", 2, NULL };
            struct scenario sc;
            char ini[300];

            snprintf(ini, sizeof(ini), "[%s]\n%s = %s\n[task t]\npath = /\n", o->section,
                     o->key, text);
            settings_init(&s);
            if (scenario_load(&sc, "t.ini", ini, &s, &err) < 0)
                fail_msg("%s: %s", ini, err);
            scenario_free(&sc);
            expect_set(o, &s, text, want, &file);
            settings_free(&s);
        }
    }
}

/* Check a refusal: rc -1, the message starts as wanted, nothing changed. */
static void
expect_refused(const struct option_def *o, const char *text, int rc, char *err,
               const struct settings *s, const char *prefix)
{
    const struct special *sp = special_of(o);
    const char *name = o->key != NULL ? o->key : o->name;
    struct settings fresh;

    if (rc == 0)
        fail_msg("option %s took \"%s\"", o->name, text);
    assert_non_null(err);
    if (strncmp(err, prefix, strlen(prefix)) != 0)
        fail_msg("option %s = \"%s\": wanted a message starting '%s', got '%s'", o->name, text,
                 prefix, err);
    if ((sp == NULL || sp->names_itself) && strstr(err + strlen(prefix), name) == NULL)
        fail_msg("option %s = \"%s\": the message does not name %s: '%s'", o->name, text,
                 name, err);
    settings_init(&fresh);
    if (!same_except(s, &fresh, 0, 0, 0, 0))
        fail_msg("option %s = \"%s\" was refused but changed the settings", o->name, text);
    settings_free(&fresh);
    free(err);
}

/* A value out of range is refused wherever it comes from, naming the option. */
static void
test_bad_values_refused(void **state)
{
    unsigned long long max_file_size = util_max_file_size();

    (void)state;
    clear_env();
    for (const struct option_def *o = option_table; o->name != NULL; o++) {
        const char *bad[4];
        char bufs[2][64];

        bad_values(o, bad, bufs);
        for (size_t i = 0; bad[i] != NULL; i++) {
            struct settings s;
            struct origin cli = { ORIGIN_CLI, NULL, 0, "--x" };
            char *err = NULL, prefix[300];
            int rc;

            settings_init(&s);
            rc = option_set(&s, o, bad[i], &cli, &err);
            expect_refused(o, bad[i], rc, err, &s, "");
            settings_free(&s);
            assert_true(util_max_file_size() == max_file_size);

            if (o->type != OPT_FLAG) {
                char arg[200];
                char *argv[] = { "cicada", arg, NULL };
                struct cli_args a;

                snprintf(arg, sizeof(arg), "--%s=%s", o->name, bad[i]);
                snprintf(prefix, sizeof(prefix), "--%s: ", o->name);
                assert_int_equal(cli_parse(2, argv, &a, &err), 0);
                settings_init(&s);
                rc = settings_apply_cli(&s, &a, &err);
                expect_refused(o, bad[i], rc, err, &s, prefix);
                settings_free(&s);
                cli_args_free(&a);
            }
            if (o->env != NULL && bad[i][0] != '\0') {   /* an empty variable is unset */
                snprintf(prefix, sizeof(prefix), "%s: ", o->env);
                setenv(o->env, bad[i], 1);
                settings_init(&s);
                rc = settings_apply_env(&s, &err);
                unsetenv(o->env);
                expect_refused(o, bad[i], rc, err, &s, prefix);
                settings_free(&s);
            }
            if (o->section != NULL) {
                struct scenario sc;
                char ini[300];

                snprintf(ini, sizeof(ini), "[%s]\n%s = %s\n[task t]\npath = /\n", o->section,
                         o->key, bad[i]);
                settings_init(&s);
                rc = scenario_load(&sc, "t.ini", ini, &s, &err);
                scenario_free(&sc);
                expect_refused(o, bad[i], rc, err, &s, "t.ini:2: ");
                settings_free(&s);
            }
        }
    }
}

/* The limits are the ones the man pages give. */
static void
test_limits(void **state)
{
    static const struct {
        const char *name, *max, *above;
    } cases[] = {
        { "users", "10000000", "10000001" },
        { "threads", "256", "257" },
        { "master-port", "65535", "65536" },
        { "demo-port", "65535", "65536" },
        { "demo-service-cv", "10", "10.5" },
        { "spawn-rate", "10000000", "10000001" },
        { "rate", "10000000", "10000001" },
        { "exit-code-on-error", "255", "256" },
    };
    struct origin cli = { ORIGIN_CLI, NULL, 0, "--x" };

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct option_def *o = option_by_name(cases[i].name);
        struct settings s;
        char *err = NULL;

        assert_non_null(o);
        settings_init(&s);
        if (option_set(&s, o, cases[i].max, &cli, &err) < 0)
            fail_msg("%s %s: %s", cases[i].name, cases[i].max, err);
        assert_int_equal(option_set(&s, o, cases[i].above, &cli, &err), -1);
        free(err);
        settings_free(&s);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_wired),
        cmocka_unit_test(test_valid_values_set_fields),
        cmocka_unit_test(test_bad_values_refused),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
