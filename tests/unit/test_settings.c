/*
 * test_settings.c: the option table, the command line, the environment
 * layer and the INI loader (scenario.c through inifile.c), with the
 * messages they give for bad input.
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
#include "stats.h"

/* Load text as "t.ini"; returns the error (allocated) or NULL. */
static char *
load(const char *text, struct scenario *sc, struct settings *s)
{
    char *err = NULL;

    settings_init(s);
    if (scenario_load(sc, "t.ini", text, s, &err) < 0)
        return err;
    return NULL;
}

/* Expect loading text to fail with a message starting with want. */
static void
expect_load_error(const char *text, const char *want)
{
    struct scenario sc;
    struct settings s;
    char *err = load(text, &sc, &s);

    if (err == NULL || strncmp(err, want, strlen(want)) != 0)
        fail_msg("for:\n%s\nwanted: %s\ngot:    %s", text, want, err ? err : "(no error)");
    free(err);
    scenario_free(&sc);
    settings_free(&s);
}

static void
test_full_scenario(void **state)
{
    static const char text[] =
        "; a comment\n"
        "[run]\n"
        "host = http://127.0.0.1:8000/base/\n"
        "users = 100\n"
        "spawn_rate = 2.5\n"
        "run_time = 1h20m\n"
        "threads = 3\n"
        "stop_timeout = 0\n"
        "headless = true\n"
        "exit_code_on_error = 4\n"
        "loglevel = warning\n"
        "\n"
        "[demo]\n"
        "slots = 8\n"
        "service_time = 35\n"
        "queue = 10\n"
        "\n"
        "[user MLAPIUser]\n"
        "weight = 3\n"
        "wait = between 1 3\n"
        "header = Authorization: Bearer abc\n"
        "header = Accept: application/json\n"
        "\n"
        "[task MLAPIUser predict]\n"
        "weight = 70\n"
        "method = post\n"
        "path = /predict\n"
        "header = Content-Type: application/json\n"
        "body = {\"text\": \"hello\",\n"
        "       \"model\": \"a\"}\n"
        "expect_status = 200, 201-202, 3xx\n"
        "\n"
        "[task MLAPIUser health]\n"
        "path = /health?deep=1\n"
        "name = /health\n"
        "\n"
        "[user Cache]\n"
        "fixed_count = 2\n"
        "wait = pacing 2\n"
        "[task Cache c]\n"
        "path = /c\n"
        "body = x\n";
    struct scenario sc;
    struct settings s;
    struct stats st;
    char *err = load(text, &sc, &s);
    const struct user_class *c;
    const struct task *t;

    (void)state;
    if (err != NULL)
        fail_msg("%s", err);
    assert_string_equal(s.host, "http://127.0.0.1:8000/base/");
    assert_int_equal(s.users, 100);
    assert_true(s.spawn_rate == 2.5);
    assert_true(s.run_time == 4800);
    assert_int_equal(s.threads, 3);
    assert_true(s.stop_timeout == 0);
    assert_true(s.headless);
    assert_int_equal(s.exit_code_on_error, 4);
    assert_int_equal(s.loglevel, LOG_WARNING);
    assert_int_equal(s.demo_conf.slots, 8);
    assert_true(s.demo_conf.service_ms > 34.99 && s.demo_conf.service_ms < 35.01);
    assert_int_equal(s.demo_conf.queue, 10);
    assert_int_equal(s.host_origin.kind, ORIGIN_FILE);
    assert_int_equal(s.host_origin.line, 3);

    assert_int_equal(sc.nclasses, 2);
    c = &sc.classes[0];
    assert_string_equal(c->name, "MLAPIUser");
    assert_int_equal(c->weight, 3);
    assert_int_equal(c->wait.kind, WAIT_BETWEEN);
    assert_true(c->wait.a == 1 && c->wait.b == 3);
    assert_int_equal(c->nheaders, 2);
    assert_int_equal(c->ntasks, 2);
    assert_int_equal(c->total_weight, 71);
    t = &c->tasks[0];
    assert_string_equal(t->method, "POST");
    assert_string_equal(t->name, "/predict");
    assert_string_equal(t->body, "{\"text\": \"hello\",\n\"model\": \"a\"}");
    assert_int_equal(t->body_len, strlen(t->body));
    assert_int_equal(t->nexpect, 3);
    assert_true(task_status_ok(t, 200));
    assert_true(task_status_ok(t, 202));
    assert_true(task_status_ok(t, 302));
    assert_false(task_status_ok(t, 203));
    assert_false(task_status_ok(t, 404));
    t = &c->tasks[1];
    assert_string_equal(t->method, "GET");
    assert_string_equal(t->name, "/health");
    assert_false(task_status_ok(t, 500));
    assert_true(task_status_ok(t, 204));
    assert_true(task_status_ok(t, 301));
    c = &sc.classes[1];
    assert_int_equal(c->fixed_count, 2);
    assert_int_equal(c->wait.kind, WAIT_PACING);
    assert_string_equal(c->tasks[0].method, "POST");   /* a body means POST */

    stats_init(&st);
    assert_int_equal(scenario_prepare(&sc, s.host, &st, &err), 0);
    assert_string_equal(sc.classes[0].tasks[0].url, "http://127.0.0.1:8000/base/predict");
    assert_string_equal(sc.classes[0].tasks[1].url, "http://127.0.0.1:8000/base/health?deep=1");
    assert_int_equal(st.nentries, 3);
    stats_free(&st);
    scenario_free(&sc);
    settings_free(&s);
}

static void
test_task_without_class(void **state)
{
    struct scenario sc;
    struct settings s;
    char *err = load("[task hello]\npath = /hello\n[task bye]\npath = /bye\n", &sc, &s);

    (void)state;
    assert_null(err);
    assert_int_equal(sc.nclasses, 1);
    assert_string_equal(sc.classes[0].name, "User");
    assert_int_equal(sc.classes[0].ntasks, 2);
    assert_int_equal(sc.classes[0].wait.kind, WAIT_CONSTANT);
    assert_true(sc.classes[0].wait.a == 0);
    scenario_free(&sc);
    settings_free(&s);
}

static void
test_errors(void **state)
{
    char line[400];

    (void)state;
    expect_load_error("[run]\nusres = 3\n",
                      "t.ini:2: unknown key 'usres' in [run] (did you mean 'users'?)");
    expect_load_error("[run]\nspawn = 3\n",
                      "t.ini:2: unknown key 'spawn' in [run] (did you mean 'spawn_rate'?)");
    expect_load_error("[runn]\n", "t.ini:1: unknown section [runn] (did you mean [run]?)");
    expect_load_error("[tsak a b]\n", "t.ini:1: unknown section [tsak a b] (did you mean "
                                      "[task USER NAME]?)");
    expect_load_error("[run]\nusers\n", "t.ini:2: syntax error");
    expect_load_error("[run\n", "t.ini:1: syntax error");
    expect_load_error("[run]\nusers = -1\n", "t.ini:2: bad value \"-1\" for users");
    expect_load_error("[run]\nusers = 1.5\n", "t.ini:2: bad value \"1.5\" for users");
    expect_load_error("[run]\nspawn_rate = fast\n", "t.ini:2: bad value \"fast\" for spawn_rate");
    expect_load_error("[run]\nspawn_rate = 0\n", "t.ini:2: bad value \"0\" for spawn_rate");
    expect_load_error("[run]\nrun_time = 5 min\n", "t.ini:2: bad value \"5 min\" for run_time");
    expect_load_error("[run]\nhost = ftp://x\n", "t.ini:2: bad value \"ftp://x\" for host");
    expect_load_error("[run]\nheadless = maybe\n", "t.ini:2: bad value \"maybe\" for headless");
    expect_load_error("[run]\nusers = 1\nusers = 2\n",
                      "t.ini:3: 'users' is given twice in this section (first at line 2)");
    expect_load_error("users = 1\n", "t.ini:1: 'users' is outside any section");
    expect_load_error("[user A]\nwait = sometimes\n[task A t]\npath = /\n",
                      "t.ini:2: unknown wait function 'sometimes'");
    expect_load_error("[user A]\nwait = constant\n[task A t]\npath = /\n",
                      "t.ini:2: bad wait \"constant\"");
    expect_load_error("[user A]\nwait = throughput 0\n[task A t]\npath = /\n",
                      "t.ini:2: bad wait \"throughput 0\"");
    expect_load_error("[user A]\n[user A]\n", "t.ini:2: user class 'A' is defined twice");
    expect_load_error("[user A]\n[task A t]\npath = /\n[task A t]\npath = /\n",
                      "t.ini:4: task 't' is defined twice (first at line 2)");
    expect_load_error("[task t]\npath = /\n[task u]\npath = /\n[task t]\npath = /\n",
                      "t.ini:5: task 't' is defined twice (first at line 1)");
    expect_load_error("[user A]\n", "t.ini:1: user class 'A' has no tasks");
    expect_load_error("[user A]\n[user B]\n[task t]\npath = /\n",
                      "t.ini:3: task 't' must name its user class");
    expect_load_error("[task Z t]\npath = /\n", "t.ini:1: task 't' names user class 'Z'");
    expect_load_error("[task t]\nmethod = GET\n", "t.ini:1: task 't' has no path");
    expect_load_error("[task t]\npath = x\n", "t.ini:2: bad path \"x\"");
    expect_load_error("[task t]\npath = /a b\n", "t.ini:2: bad path \"/a b\"");
    expect_load_error("[task t]\npath = /\nheader = Bad Name: x\n",
                      "t.ini:3: bad header name in \"Bad Name: x\"");
    expect_load_error("[task t]\npath = /\nexpect_status = 99\n",
                      "t.ini:3: bad expect_status \"99\"");
    expect_load_error("[task t]\npath = /\nbody = a\nbody_file = b\n",
                      "t.ini:4: give body or body_file, not both");
    expect_load_error("[task t]\npath = /\nbody_file = /nonexistent/x\n",
                      "t.ini:3: cannot read body_file: /nonexistent/x: No such file");
    expect_load_error("[task t]\npath = /a\n  /b\n", "t.ini:3: indented line continues 'path'");
    expect_load_error("[task t]\nweight = 0\npath = /\n", "t.ini:1: every task of user class");
    expect_load_error("[user A]\nweight = 0\n[task A t]\npath = /\n",
                      "t.ini: there are no user classes with weight > 0");
    /* a line longer than inih reads: an error at its line, not a silent cut */
    memset(line, 'x', sizeof(line));
    memcpy(line, "[task t]\npath = /\nbody = ", strlen("[task t]\npath = /\nbody = "));
    strcpy(line + 300, "\n");     /* line 3 runs from offset 18 to 299 */
    expect_load_error(line, "t.ini:3: line is 282 characters long, longer than the 197");
}

static void
test_longest_line(void **state)
{
    /* 197 characters is the longest line that is read whole */
    char text[512];
    struct scenario sc;
    struct settings s;
    char *err;
    size_t prefix = strlen("[task t]\npath = /\nbody = ");

    (void)state;
    memset(text, 'y', sizeof(text));
    memcpy(text, "[task t]\npath = /\nbody = ", prefix);
    strcpy(text + prefix + 190, "\n");     /* "body = " + 190 = 197 characters */
    err = load(text, &sc, &s);
    if (err != NULL)
        fail_msg("%s", err);
    assert_int_equal(sc.classes[0].tasks[0].body_len, 190);
    scenario_free(&sc);
    settings_free(&s);
    text[prefix + 190] = 'y';
    strcpy(text + prefix + 191, "\n");     /* 198 */
    expect_load_error(text, "t.ini:3: line is 198 characters long");
}

static void
test_option_values(void **state)
{
    struct settings s;
    struct origin o = { ORIGIN_CLI, NULL, 0, "-t" };
    char *err = NULL;

    (void)state;
    settings_init(&s);
    assert_int_equal(option_set(&s, option_by_name("run-time"), "3h30m10s", &o, &err), 0);
    assert_true(s.run_time == 3 * 3600 + 30 * 60 + 10);
    assert_int_equal(option_set(&s, option_by_name("run-time"), "20", &o, &err), 0);
    assert_true(s.run_time == 20);
    assert_int_equal(option_set(&s, option_by_name("run-time"), "0", &o, &err), -1);
    free(err);
    err = NULL;
    assert_int_equal(option_set(&s, option_by_name("stop-timeout"), "0", &o, &err), 0);
    assert_true(s.stop_timeout == 0);
    assert_int_equal(option_set(&s, option_by_name("demo-service-time"), "1.5s", &o, &err), 0);
    assert_true(s.demo_conf.service_ms > 1499.9 && s.demo_conf.service_ms < 1500.1);
    assert_int_equal(option_set(&s, option_by_name("loglevel"), "Debug", &o, &err), 0);
    assert_int_equal(s.loglevel, LOG_DEBUG);
    assert_int_equal(option_set(&s, option_by_name("threads"), "257", &o, &err), -1);
    assert_non_null(strstr(err, "too large"));
    free(err);
    settings_free(&s);
}

static void
test_cli(void **state)
{
    char *argv[] = { "cicada", "-f", "x.ini", "-u", "5", "--spawn-rate=2", "--headless",
                     "-t", "10s", "Alpha", NULL };
    struct cli_args a;
    struct settings s;
    char *err = NULL;
    char *bad1[] = { "cicada", "--usres", "3", NULL };
    char *bad2[] = { "cicada", "-u", NULL };
    char *bad3[] = { "cicada", "-Q", NULL };

    (void)state;
    assert_int_equal(cli_parse(10, argv, &a, &err), 0);
    assert_int_equal(a.nvalues, 5);
    assert_int_equal(a.npositional, 1);
    assert_string_equal(a.positional[0], "Alpha");
    assert_string_equal(cli_value(&a, "users"), "5");
    settings_init(&s);
    setenv("CICADA_USERS", "7", 1);
    setenv("CICADA_RUN_TIME", "2m", 1);
    assert_int_equal(settings_apply_env(&s, &err), 0);
    assert_int_equal(s.users, 7);
    assert_true(s.run_time == 120);
    assert_int_equal(settings_apply_cli(&s, &a, &err), 0);
    assert_int_equal(s.users, 5);            /* the flag beats the variable */
    assert_true(s.run_time == 10);
    assert_true(s.spawn_rate == 2);
    assert_true(s.headless);
    assert_int_equal(s.users_origin.kind, ORIGIN_CLI);
    assert_string_equal(s.users_origin.flag, "-u");
    unsetenv("CICADA_USERS");
    unsetenv("CICADA_RUN_TIME");
    settings_free(&s);
    cli_args_free(&a);

    assert_int_equal(cli_parse(3, bad1, &a, &err), -1);
    assert_string_equal(err, "unknown option '--usres' (did you mean '--users'?)");
    free(err);
    cli_args_free(&a);
    assert_int_equal(cli_parse(2, bad2, &a, &err), -1);
    assert_string_equal(err, "-u needs a value (see cicada --help)");
    free(err);
    cli_args_free(&a);
    assert_int_equal(cli_parse(2, bad3, &a, &err), -1);
    assert_string_equal(err, "unknown option '-Q' (see cicada --help)");
    free(err);
    cli_args_free(&a);

    settings_init(&s);
    setenv("CICADA_SPAWN_RATE", "fast", 1);
    assert_int_equal(settings_apply_env(&s, &err), -1);
    assert_string_equal(err, "CICADA_SPAWN_RATE: bad value \"fast\" for spawn_rate: expected a "
                             "number above 0 (users started per second, e.g. 10 or 0.5)");
    free(err);
    unsetenv("CICADA_SPAWN_RATE");
    settings_free(&s);
}

/* Thousands of tasks load in linear time, names checked through the hash set. */
static void
test_many_tasks(void **state)
{
    struct scenario sc;
    struct settings s;
    struct buf text;
    char *err;
    size_t total = 0;

    (void)state;
    buf_init(&text);
    buf_puts(&text, "[user A]\n[user B]\n");
    for (int i = 0; i < 3000; i++)
        buf_printf(&text, "[task %s t%d]\npath = /p%d\n", i % 2 ? "A" : "B", i / 2, i);
    /* the same name in another class is another task */
    err = load(text.data, &sc, &s);
    if (err != NULL)
        fail_msg("%s", err);
    for (size_t i = 0; i < sc.nclasses; i++)
        total += sc.classes[i].ntasks;
    assert_int_equal(total, 3000);
    assert_string_equal(sc.classes[0].tasks[1499].path, "/p2999");
    scenario_free(&sc);
    settings_free(&s);
    /* a duplicate at the very end is still found, naming both lines */
    buf_puts(&text, "[task A t700]\npath = /again\n");
    err = load(text.data, &sc, &s);
    assert_non_null(err);
    assert_non_null(strstr(err, "t.ini:6003: task 't700' is defined twice (first at line 2805)"));
    free(err);
    scenario_free(&sc);
    settings_free(&s);
    buf_free(&text);
}

/* A body continued over thousands of lines keeps every line, in order. */
static void
test_long_continued_body(void **state)
{
    struct scenario sc;
    struct settings s;
    struct buf text, want;
    char *err;

    (void)state;
    buf_init(&text);
    buf_init(&want);
    buf_puts(&text, "[task t]\npath = /\nbody = first\n");
    buf_puts(&want, "first");
    for (int i = 0; i < 5000; i++) {
        buf_printf(&text, "  line %d\n", i);
        buf_printf(&want, "\nline %d", i);
    }
    err = load(text.data, &sc, &s);
    if (err != NULL)
        fail_msg("%s", err);
    assert_int_equal(sc.classes[0].tasks[0].body_len, want.len);
    assert_memory_equal(sc.classes[0].tasks[0].body, want.data, want.len);
    scenario_free(&sc);
    settings_free(&s);
    buf_free(&text);
    buf_free(&want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_scenario),
        cmocka_unit_test(test_task_without_class),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_longest_line),
        cmocka_unit_test(test_many_tasks),
        cmocka_unit_test(test_long_continued_body),
        cmocka_unit_test(test_option_values),
        cmocka_unit_test(test_cli),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
