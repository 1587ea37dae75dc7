/*
 * test_scenario.c: the scenario loader (scenario.c) beyond what
 * test_settings.c covers: classes with weights, fixed counts, tags and
 * phases, tasks with templates, checks and captures, transfer options
 * inherited from the class, the errors with their file:line, and the
 * weighted pick of a task (scenario_pick_task) over every draw and over
 * many seeded random draws.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check.h"
#include "rng.h"
#include "scenario.h"
#include "settings.h"
#include "stats.h"
#include "template.h"

/* Load text as "s.ini"; the error (allocated) or NULL. */
static char *
load(const char *text, struct scenario *sc, struct settings *s)
{
    char *err = NULL;

    settings_init(s);
    if (scenario_load(sc, "s.ini", text, s, &err) < 0)
        return err;
    return NULL;
}

/* Loading text fails with a message starting with want, and leaves nothing behind. */
static void
expect_error(const char *text, const char *want)
{
    struct scenario sc;
    struct settings s;
    char *err = load(text, &sc, &s);

    if (err == NULL || strncmp(err, want, strlen(want)) != 0)
        fail_msg("for:\n%s\nwanted: %s\ngot:    %s", text, want, err ? err : "(no error)");
    assert_int_equal(sc.nclasses, 0);
    assert_null(sc.classes);
    free(err);
    scenario_free(&sc);
    settings_free(&s);
}

static const struct task *
find_task(const struct user_class *c, const char *id)
{
    size_t j;

    for (j = 0; j < c->ntasks; j++)
        if (strcmp(c->tasks[j].id, id) == 0)
            return &c->tasks[j];
    fail_msg("no task %s in class %s", id, c->name);
    return NULL;
}

static bool
has_tag(char *const *tags, size_t n, const char *tag)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(tags[i], tag) == 0)
            return true;
    return false;
}

static const char shop[] =
    "[run]\n"
    "host = http://127.0.0.1:9/api/\n"
    "[task Buyer checkout]\n"            /* line 3: a task before its class */
    "method = post\n"
    "path = /cart/{{var cart}}/checkout\n"
    "body = {\"n\": {{int 1 9}}}\n"
    "expect_status = 200, 201, 3xx\n"
    "expect_json = ok == true\n"
    "expect_body = done\n"
    "max_response_time = 2s\n"
    "weight = 3\n"
    "tags = pay, slow\n"
    "timeout = 5s\n"
    "[user Buyer]\n"                     /* line 14 */
    "weight = 4\n"
    "wait = between 1 2\n"
    "header = Accept: application/json\n"
    "header = X-Shop: {{uuid}}\n"
    "tags = shop\n"
    "timeout = 9s\n"
    "connect_timeout = 2s\n"
    "follow_redirects = false\n"
    "[task Buyer login]\n"
    "phase = on_start\n"
    "method = POST\n"
    "path = /login\n"
    "body = {}\n"
    "capture = cart json cart.id\n"
    "capture = tok header X-Token\n"
    "weight = 50\n"                      /* an on_start task takes no width in the pick */
    "[task Buyer browse]\n"
    "path = /items?page={{int 1 5}}\n"
    "name = /items\n"
    "header = Authorization: Bearer {{var tok}}\n"
    "[task Buyer logout]\n"
    "phase = on_stop\n"
    "method = delete\n"
    "path = /session\n"
    "[user Admin]\n"
    "fixed_count = 2\n"
    "weight = 0\n"
    "wait = pacing 3\n"
    "order = sequential\n"
    "[task Admin a]\n"
    "path = http://127.0.0.1:10/full\n"
    "[task Admin b]\n"
    "path = /b\n"
    "weight = 0\n"
    "[task Admin c]\n"
    "path = /c\n"
    "http_version = 1.1\n";

static void
test_load_classes_and_tasks(void **state)
{
    struct scenario sc;
    struct settings s;
    char *err = load(shop, &sc, &s);
    const struct user_class *buyer, *admin;
    const struct task *t;
    const char *text;
    size_t len;

    (void)state;
    if (err != NULL)
        fail_msg("%s", err);
    assert_int_equal(sc.nclasses, 2);
    assert_int_equal(scenario_class_index(&sc, "Buyer"), 0);
    assert_int_equal(scenario_class_index(&sc, "Admin"), 1);
    assert_int_equal(scenario_class_index(&sc, "Nobody"), -1);
    buyer = &sc.classes[0];
    admin = &sc.classes[1];

    assert_int_equal(buyer->weight, 4);
    assert_int_equal(buyer->fixed_count, 0);
    assert_int_equal(buyer->line, 14);
    assert_int_equal(buyer->wait.kind, WAIT_BETWEEN);
    assert_true(buyer->wait.a == 1 && buyer->wait.b == 2);
    assert_int_equal(buyer->nheaders, 2);
    assert_string_equal(buyer->headers[1], "X-Shop: {{uuid}}");
    assert_false(tmpl_constant(buyer->header_t[1], &text, &len));
    assert_true(tmpl_constant(buyer->header_t[0], &text, &len));
    assert_true(has_tag(buyer->tags, buyer->ntags, "shop"));
    assert_false(buyer->sequential);
    assert_int_equal(buyer->ntasks, 4);
    assert_int_equal(buyer->n_on_start, 1);
    assert_int_equal(buyer->n_on_stop, 1);
    assert_int_equal(buyer->nmain, 2);
    assert_int_equal(buyer->total_weight, 3 + 1);
    assert_string_equal(buyer->tasks[buyer->on_start[0]].id, "login");
    assert_string_equal(buyer->tasks[buyer->on_stop[0]].id, "logout");

    t = find_task(buyer, "checkout");
    assert_int_equal(t->line, 3);
    assert_string_equal(t->method, "POST");            /* upper-cased */
    assert_string_equal(t->name, "/cart/{{var cart}}/checkout");
    assert_int_equal(t->weight, 3);
    assert_int_equal(t->phase, PHASE_TASK);
    assert_int_equal(t->nexpect, 3);
    assert_true(task_status_ok(t, 201));
    assert_true(task_status_ok(t, 399));
    assert_false(task_status_ok(t, 202));
    assert_false(task_status_ok(t, 404));
    assert_int_equal(t->nchecks, 3);
    assert_int_equal(t->checks[0].kind, CHECK_JSON_EQUALS);
    assert_int_equal(t->checks[1].kind, CHECK_BODY);
    assert_string_equal(t->checks[1].text, "done");
    assert_int_equal(t->checks[2].kind, CHECK_TIME);
    assert_true(t->checks[2].max_seconds == 2);
    assert_true(t->needs_body);                        /* JSON and body checks read it */
    assert_true(has_tag(t->tags, t->ntags, "pay"));
    assert_true(has_tag(t->tags, t->ntags, "slow"));
    assert_non_null(t->body_t);                        /* the body is a template */
    assert_false(tmpl_constant(t->body_t, &text, &len));
    assert_false(tmpl_constant(t->path_t, &text, &len));
    assert_true(tmpl_starts_with(t->path_t, "/cart/"));
    /* its own timeout, the class's connect timeout and redirects */
    assert_true(t->opts.timeout == 5);
    assert_true(t->opts.connect_timeout == 2);
    assert_int_equal(t->opts.follow_redirects, 0);

    t = find_task(buyer, "login");
    assert_int_equal(t->phase, PHASE_ON_START);
    assert_int_equal(t->ncaptures, 2);
    assert_int_equal(t->captures[0].kind, CAPTURE_JSON);
    assert_string_equal(t->captures[0].name, "cart");
    assert_int_equal(t->captures[1].kind, CAPTURE_HEADER);
    assert_int_equal(t->captures[0].var, tmpl_lib_var_index(sc.lib, "cart"));
    assert_int_equal(t->captures[1].var, tmpl_lib_var_index(sc.lib, "tok"));
    assert_true(t->needs_body);                        /* a JSON capture reads it */
    assert_true(t->opts.timeout == 9);                 /* the class's */

    t = find_task(buyer, "browse");
    assert_string_equal(t->method, "GET");
    assert_string_equal(t->name, "/items");
    assert_int_equal(t->nheaders, 1);
    assert_null(t->body);
    assert_false(t->needs_body);
    assert_int_equal(t->nexpect, 0);
    assert_true(task_status_ok(t, 302));
    assert_false(task_status_ok(t, 500));

    t = find_task(buyer, "logout");
    assert_string_equal(t->method, "DELETE");
    assert_int_equal(t->phase, PHASE_ON_STOP);

    assert_int_equal(admin->fixed_count, 2);
    assert_int_equal(admin->weight, 0);
    assert_int_equal(admin->wait.kind, WAIT_PACING);
    assert_true(admin->sequential);
    assert_int_equal(admin->total_weight, 2);
    assert_int_equal(find_task(admin, "c")->opts.http_version, HTTPV_1_1);
    assert_true(find_task(admin, "c")->opts.follow_redirects < 0);  /* unset: default */

    scenario_free(&sc);
    settings_free(&s);
}

/* URLs are joined with the host once, with one slash; statistics entries are (method, name). */
static void
test_prepare_urls(void **state)
{
    struct scenario sc;
    struct settings s;
    struct stats st;
    char *err = load(shop, &sc, &s);
    size_t i;

    (void)state;
    assert_null(err);
    stats_init(&st);
    assert_int_equal(scenario_prepare(&sc, "http://127.0.0.1:9/api///", &st, &err), 0);
    assert_string_equal(find_task(&sc.classes[1], "a")->url, "http://127.0.0.1:10/full");
    assert_string_equal(find_task(&sc.classes[1], "b")->url, "http://127.0.0.1:9/api/b");
    assert_string_equal(find_task(&sc.classes[0], "login")->url, "http://127.0.0.1:9/api/login");
    /* a templated path: the host part now, the path per request */
    assert_string_equal(find_task(&sc.classes[0], "browse")->url, "http://127.0.0.1:9/api");
    for (i = 0; i < sc.classes[0].ntasks; i++) {
        const struct task *t = &sc.classes[0].tasks[i];

        assert_true(t->entry >= 0 && (size_t)t->entry < st.nentries);
        assert_string_equal(st.entries[t->entry].method, t->method);
        assert_string_equal(st.entries[t->entry].name, t->name);
    }
    assert_int_equal(st.nentries, 7);
    /* without a host, a relative path cannot be sent */
    assert_int_equal(scenario_prepare(&sc, NULL, &st, &err), -1);
    assert_non_null(strstr(err, "no host"));
    free(err);
    stats_free(&st);
    scenario_free(&sc);
    settings_free(&s);
}

static void
test_errors_name_file_and_line(void **state)
{
    (void)state;
    setenv("CICADA_TEST_EVIL", "a\r\nX-Evil: 1", 1);
    expect_error("[user A]\nweight = heavy\n[task A t]\npath = /\n",
                 "s.ini:2: bad value \"heavy\" for weight");
    expect_error("[user A]\nfixed_count = -2\n[task A t]\npath = /\n",
                 "s.ini:2: bad value \"-2\" for fixed_count");
    expect_error("[user A]\nwait = between 3 1\n[task A t]\npath = /\n",
                 "s.ini:2: bad wait \"between 3 1\"");
    expect_error("[user A]\norder = shuffled\n[task A t]\npath = /\n",
                 "s.ini:2: bad value \"shuffled\" for order");
    expect_error("[user A]\ntags = a, b!\n[task A t]\npath = /\n",
                 "s.ini:2: bad name 'b!' in tags");
    expect_error("[user A]\nwieght = 2\n", "s.ini:2: unknown key 'wieght' in [user] "
                 "(did you mean 'weight'?)");
    expect_error("[task t]\npath = /\nmehtod = GET\n", "s.ini:3: unknown key 'mehtod' in [task]");
    expect_error("[task t]\npath = /\nmethod = GE T\n", "s.ini:3: bad method \"GE T\"");
    expect_error("[task t]\npath = /\nphase = onstart\n",
                 "s.ini:3: bad value \"onstart\" for phase (did you mean 'on_start'?)");
    expect_error("[task t]\npath = /\nphase = on_start\n",
                 "s.ini:1: user class 'User' has only on_start and on_stop tasks");
    expect_error("[task t]\npath = /\ncapture = x yaml y\n", "s.ini:3: ");
    expect_error("[task t]\npath = /\nexpect_json = \n", "s.ini:3: ");
    expect_error("[task t]\npath = /\nmax_response_time = soon\n", "s.ini:3: ");
    expect_error("[task t]\npath = /\ntimeout = 0\n", "s.ini:3: bad value \"0\" for timeout");
    expect_error("[task t]\npath = /\nverify_tls = perhaps\n",
                 "s.ini:3: bad value \"perhaps\" for verify_tls");
    expect_error("[task t]\npath = /\nhttp_version = 3\n",
                 "s.ini:3: bad value \"3\" for http_version");
    expect_error("[task t]\npath = /{{nope}}\n", "s.ini:2: ");
    expect_error("[task t]\npath = /\nbody = {{int 9}}\n", "s.ini:3: ");
    /* a variable used and never captured: the line that uses it */
    expect_error("[task t]\npath = /\n\nheader = A: {{var ghost}}\n", "s.ini:4: ");
    /* a value from the environment that would end the header line */
    expect_error("[task t]\npath = /\nheader = X-Key: ${CICADA_TEST_EVIL}\n",
                 "s.ini:3: header \"X-Key\": a ${VARIABLE} in it holds a CR, LF or NUL");
    expect_error("[task t]\npath = /${CICADA_TEST_EVIL}\n", "s.ini:2: bad path");
    expect_error("[user A]\n[user B]\n[task A t]\npath = /\n",
                 "s.ini:2: user class 'B' has no tasks");
    expect_error("[user Alpha]\n[task Alhpa t]\npath = /\n",
                 "s.ini:2: task 't' names user class 'Alhpa', which is not defined "
                 "(did you mean 'Alpha'?)");
    expect_error("[user A]\nweight = 0\n[user B]\nweight = 0\n[task A t]\npath = /\n"
                 "[task B u]\npath = /\n", "s.ini: there are no user classes with weight > 0");
    expect_error("", "s.ini: no users");
    unsetenv("CICADA_TEST_EVIL");
}

/* A weight 0 class with a fixed count runs; the defaults of a class. */
static void
test_class_defaults(void **state)
{
    struct scenario sc;
    struct settings s;
    char *err = load("[user Solo]\nfixed_count = 1\nweight = 0\n[task t]\npath = /\n", &sc, &s);

    (void)state;
    assert_null(err);
    assert_int_equal(sc.nclasses, 1);
    assert_int_equal(sc.classes[0].fixed_count, 1);
    assert_int_equal(sc.classes[0].wait.kind, WAIT_CONSTANT);
    assert_true(sc.classes[0].wait.a == 0);
    assert_int_equal(sc.classes[0].tasks[0].weight, 1);
    assert_string_equal(sc.classes[0].tasks[0].method, "GET");
    assert_true(sc.classes[0].tasks[0].opts.follow_redirects < 0);
    scenario_free(&sc);
    settings_free(&s);
}

/* Count the picks of each task over every draw in [0, total_weight). */
static void
count_every_draw(const struct user_class *c, unsigned *count)
{
    unsigned d;

    memset(count, 0, c->ntasks * sizeof(*count));
    for (d = 0; d < c->total_weight; d++)
        count[scenario_pick_task(c, d) - c->tasks]++;
}

static const char weighted[] =
    "[task first]\npath = /1\nphase = on_start\nweight = 7\n"
    "[task a]\npath = /a\nweight = 5\n"
    "[task none]\npath = /0\nweight = 0\n"
    "[task b]\npath = /b\nweight = 3\n"
    "[task last]\npath = /z\nphase = on_stop\nweight = 9\n"
    "[task c]\npath = /c\nweight = 2\n";

/* Every draw lands on a main task, as often as its weight says. */
static void
test_pick_every_draw(void **state)
{
    struct scenario sc;
    struct settings s;
    char *err = load(weighted, &sc, &s);
    struct user_class *c;
    unsigned count[8];

    (void)state;
    assert_null(err);
    c = &sc.classes[0];
    assert_int_equal(c->ntasks, 6);
    assert_int_equal(c->total_weight, 10);
    count_every_draw(c, count);
    assert_int_equal(count[0], 0);       /* on_start */
    assert_int_equal(count[1], 5);
    assert_int_equal(count[2], 0);       /* weight 0 */
    assert_int_equal(count[3], 3);
    assert_int_equal(count[4], 0);       /* on_stop */
    assert_int_equal(count[5], 2);

    /* removing a task (as -E does) recounts the weights */
    scenario_remove_task(c, 3);
    assert_int_equal(c->ntasks, 5);
    assert_int_equal(c->total_weight, 7);
    count_every_draw(c, count);
    assert_string_equal(c->tasks[1].id, "a");
    assert_int_equal(count[1], 5);
    assert_string_equal(c->tasks[4].id, "c");
    assert_int_equal(count[4], 2);
    assert_int_equal(count[0] + count[2] + count[3], 0);
    scenario_free(&sc);
    settings_free(&s);
}

/* Many random draws from a fixed seed: the picks follow the weights 5:3:2. */
static void
test_pick_distribution(void **state)
{
    struct scenario sc;
    struct settings s;
    char *err = load(weighted, &sc, &s);
    const struct user_class *c;
    unsigned long count[8] = { 0 };
    uint64_t rng[4];
    const unsigned long draws = 200000;
    unsigned long i;

    (void)state;
    assert_null(err);
    c = &sc.classes[0];
    rng_seed(rng, 12345);
    for (i = 0; i < draws; i++)
        count[scenario_pick_task(c, (unsigned)rng_below64(rng, c->total_weight)) - c->tasks]++;
    assert_int_equal(count[0] + count[2] + count[4], 0);
    assert_int_equal(count[1] + count[3] + count[5], draws);
    /* within 1.5 percentage points of 50%, 30% and 20% (about 10 standard deviations) */
    assert_true(count[1] > draws * 485 / 1000 && count[1] < draws * 515 / 1000);
    assert_true(count[3] > draws * 285 / 1000 && count[3] < draws * 315 / 1000);
    assert_true(count[5] > draws * 185 / 1000 && count[5] < draws * 215 / 1000);
    scenario_free(&sc);
    settings_free(&s);
}

/* Removing a class (--user-classes) keeps the others whole. */
static void
test_remove_class(void **state)
{
    struct scenario sc;
    struct settings s;
    char *err = load(shop, &sc, &s);

    (void)state;
    assert_null(err);
    scenario_remove_class(&sc, 0);
    assert_int_equal(sc.nclasses, 1);
    assert_string_equal(sc.classes[0].name, "Admin");
    assert_int_equal(sc.classes[0].ntasks, 3);
    assert_int_equal(scenario_class_index(&sc, "Buyer"), -1);
    scenario_free(&sc);
    settings_free(&s);
}

static void
test_parse_names(void **state)
{
    char **list = NULL, *err = NULL;
    size_t n = 0, i;

    (void)state;
    assert_int_equal(scenario_parse_names("-T", "a, b c,,d", &list, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(list[3], "d");
    assert_int_equal(scenario_parse_names("-T", " , ", &list, &n, &err), -1);
    assert_non_null(strstr(err, "-T needs at least one name"));
    free(err);
    assert_int_equal(scenario_parse_names("-T", "ok bad/name", &list, &n, &err), -1);
    assert_non_null(strstr(err, "bad name 'bad/name' in -T"));
    free(err);
    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_classes_and_tasks),
        cmocka_unit_test(test_prepare_urls),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_class_defaults),
        cmocka_unit_test(test_pick_every_draw),
        cmocka_unit_test(test_pick_distribution),
        cmocka_unit_test(test_remove_class),
        cmocka_unit_test(test_parse_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
