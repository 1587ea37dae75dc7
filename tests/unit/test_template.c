/*
 * test_template.c: the template compiler and expander: every function,
 * filter and escape, variables from the environment and .env files,
 * secret masking, data files (a million lines load fast), and the error
 * message of every kind of bad template.
 */
#include "config.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rng.h"
#include "secret.h"
#include "template.h"
#include "util.h"

static char dir[] = "/tmp/cicada-tmpl.XXXXXX";
static uint64_t rng[4];

/* Write text to dir/name. */
static void
write_file(const char *name, const char *text, size_t len)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    free(path);
}

/* Write a string to dir/name. */
static void
write_text(const char *name, const char *text)
{
    write_file(name, text, strlen(text));
}

/* Compile src or fail the test. */
static struct tmpl *
compile_ok(struct tmpl_lib *lib, const char *src)
{
    char *err = NULL;
    struct tmpl *t = tmpl_compile(lib, src, strlen(src), 7, &err);

    if (t == NULL)
        fail_msg("\"%s\" rejected: %s", src, err);
    return t;
}

/* Assert that src is rejected with a message containing want. */
static void
compile_bad(struct tmpl_lib *lib, const char *src, const char *want)
{
    char *err = NULL;
    struct tmpl *t = tmpl_compile(lib, src, strlen(src), 7, &err);

    if (t != NULL)
        fail_msg("\"%s\" accepted", src);
    if (err == NULL || strstr(err, want) == NULL)
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", src, err ? err : "(none)", want);
    free(err);
}

/* One expansion of t, as an allocated string. */
static char *
expand(const struct tmpl *t, struct buf *vars)
{
    struct tmpl_rt rt = { rng, vars };
    struct buf out;

    buf_init(&out);
    tmpl_expand(t, &rt, &out);
    return out.data != NULL ? buf_steal(&out) : xstrdup("");
}

/* Expand src once. */
static char *
expand_src(struct tmpl_lib *lib, const char *src)
{
    struct tmpl *t = compile_ok(lib, src);
    char *s = expand(t, NULL);

    tmpl_free(t);
    return s;
}

static int
setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    rng_seed(rng, 42);
    return 0;
}

static int
teardown(void **state)
{
    char *cmd = xasprintf("rm -rf %s", dir);
    int rc = system(cmd);

    (void)state;
    free(cmd);
    return rc == 0 ? 0 : -1;
}

static void
test_plain_text(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    struct tmpl *t = compile_ok(lib, "{\"a\": {\"b\": 1}} $5 \\${X} \\{{uuid}}");
    const char *text;
    size_t len;

    (void)state;
    assert_true(tmpl_constant(t, &text, &len));
    assert_string_equal(text, "{\"a\": {\"b\": 1}} $5 ${X} {{uuid}}");
    assert_int_equal(len, strlen(text));
    tmpl_free(t);
    t = compile_ok(lib, "");
    assert_true(tmpl_constant(t, &text, &len));
    assert_int_equal(len, 0);
    tmpl_free(t);
    tmpl_lib_free(lib);
}

static void
test_env_variables(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    char *err = NULL, *s;
    char msg[128];

    (void)state;
    setenv("CICADA_T_TOKEN", "tok-from-env", 1);
    unsetenv("CICADA_T_ONLY_FILE");
    write_text("vars.env", "# comment\n\nexport CICADA_T_ONLY_FILE = \"file value\"\n"
               "CICADA_T_TOKEN=from-file\nCICADA_T_COMMENTED=bare # a comment\n"
               "CICADA_T_QUOTED='a # b'\n");
    {
        char *path = xasprintf("%s/vars.env", dir);

        assert_int_equal(tmpl_lib_load_env(lib, path, &err), 0);
        free(path);
    }
    unsetenv("CICADA_T_COMMENTED");
    unsetenv("CICADA_T_QUOTED");
    s = expand_src(lib, "Bearer ${CICADA_T_TOKEN}|${CICADA_T_ONLY_FILE}|${CICADA_T_UNSET:-dflt}|"
                   "${CICADA_T_COMMENTED}|${CICADA_T_QUOTED}");
    /* the environment wins over the file */
    assert_string_equal(s, "Bearer tok-from-env|file value|dflt|bare|a # b");
    free(s);
    compile_bad(lib, "${CICADA_T_UNSET}", "${CICADA_T_UNSET} is not set");
    compile_bad(lib, "${CICADA_T_TOKEN", "unclosed ${");
    compile_bad(lib, "${9X}", "bad variable");
    /* substituted values are secrets */
    snprintf(msg, sizeof(msg), "failed: tok-from-env and file value");
    secret_redact(msg);
    assert_string_equal(msg, "failed: *** and ***");
    s = tmpl_env_expand(lib, "https://${CICADA_T_TOKEN}.example", &err);
    assert_string_equal(s, "https://tok-from-env.example");
    free(s);
    write_text("bad.env", "JUST A LINE\n");
    {
        char *path = xasprintf("%s/bad.env", dir);

        assert_int_equal(tmpl_lib_load_env(lib, path, &err), -1);
        free(path);
    }
    assert_non_null(strstr(err, "bad.env:1: expected NAME=value"));
    free(err);
    tmpl_lib_free(lib);
    secret_clear();
}

static void
test_line_and_next(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    struct tmpl *t;
    int seen[3] = { 0, 0, 0 };
    int i;

    (void)state;
    write_text("texts.txt", "alpha\r\nbeta \"quoted\"\n\ngamma");
    t = compile_ok(lib, "<{{line texts.txt}}>");
    assert_false(tmpl_constant(t, &(const char *){ NULL }, &(size_t){ 0 }));
    for (i = 0; i < 300; i++) {
        char *s = expand(t, NULL);

        if (strcmp(s, "<alpha>") == 0)
            seen[0]++;
        else if (strcmp(s, "<beta \"quoted\">") == 0)
            seen[1]++;
        else if (strcmp(s, "<gamma>") == 0)
            seen[2]++;
        else
            fail_msg("unexpected line %s", s);
        free(s);
    }
    assert_true(seen[0] > 50 && seen[1] > 50 && seen[2] > 50);
    tmpl_free(t);
    /* in order, wrapping, and the JSON filter */
    t = compile_ok(lib, "{{next texts.txt | json}}");
    {
        const char *want[] = { "alpha", "beta \\\"quoted\\\"", "gamma", "alpha" };

        for (i = 0; i < 4; i++) {
            char *s = expand(t, NULL);

            assert_string_equal(s, want[i]);
            free(s);
        }
    }
    tmpl_free(t);
    compile_bad(lib, "{{line missing.txt}}", "cannot read data file");
    compile_bad(lib, "{{line}}", "{{line FILE}} takes one file name");
    write_text("empty.txt", "\n\n");
    compile_bad(lib, "{{next empty.txt}}", "has no lines");
    tmpl_lib_free(lib);
}

static void
test_json_lines(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    char *s;

    (void)state;
    write_text("ok.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
    s = expand_src(lib, "{{next ok.jsonl}}");
    assert_string_equal(s, "{\"text\": \"a\"}");
    free(s);
    write_text("bad.jsonl", "{\"text\": \"a\"}\n{\"text\": \n");
    compile_bad(lib, "{{line bad.jsonl}}", "bad.jsonl:2: not valid JSON");
    tmpl_lib_free(lib);
}

static void
test_files(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    const unsigned char bin[] = { 0x89, 'P', 'N', 'G', 0, 0xff, 0x10 };
    struct tmpl *t;
    const char *text;
    size_t len;
    char *s;

    (void)state;
    write_file("img.bin", (const char *)bin, sizeof(bin));
    write_text("note.txt", "say \"hi\"\n");
    t = compile_ok(lib, "{\"image\": \"{{base64 img.bin}}\", \"note\": \"{{file note.txt | json}}\"}");
    /* files become plain text at load */
    assert_true(tmpl_constant(t, &text, &len));
    assert_string_equal(text, "{\"image\": \"iVBORwD/EA==\", \"note\": \"say \\\"hi\\\"\\n\"}");
    tmpl_free(t);
    write_text("two.bin", "ab");
    s = expand_src(lib, "{{base64 two.bin}}|{{file two.bin | url}}");
    assert_string_equal(s, "YWI=|ab");
    free(s);
    compile_bad(lib, "{{file nope.bin}}", "cannot read file");
    tmpl_lib_free(lib);
}

static void
test_random_values(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    struct tmpl *t = compile_ok(lib, "{{int -2 2}}");
    int seen[5] = { 0 };
    int i;

    (void)state;
    for (i = 0; i < 500; i++) {
        char *s = expand(t, NULL);
        long v = strtol(s, NULL, 10);

        assert_true(v >= -2 && v <= 2);
        seen[v + 2]++;
        free(s);
    }
    for (i = 0; i < 5; i++)
        assert_true(seen[i] > 50);
    tmpl_free(t);
    t = compile_ok(lib, "{{uuid}}");
    for (i = 0; i < 50; i++) {
        char *s = expand(t, NULL), *s2 = expand(t, NULL);
        int k;

        assert_int_equal(strlen(s), 36);
        for (k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                assert_int_equal(s[k], '-');
            else
                assert_true(isxdigit((unsigned char)s[k]) && !isupper((unsigned char)s[k]));
        }
        assert_int_equal(s[14], '4');
        assert_non_null(strchr("89ab", s[19]));
        assert_string_not_equal(s, s2);
        free(s);
        free(s2);
    }
    tmpl_free(t);
    compile_bad(lib, "{{int 5 1}}", "LO <= HI");
    compile_bad(lib, "{{int a 1}}", "two whole numbers");
    compile_bad(lib, "{{uuid 4}}", "takes no arguments");
    tmpl_lib_free(lib);
}

static void
test_lorem(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    struct tmpl *t = compile_ok(lib, "{{lorem words 7}}");
    int i;

    (void)state;
    for (i = 0; i < 20; i++) {
        char *s = expand(t, NULL);
        int words = 1;

        for (char *p = s; *p != '\0'; p++) {
            if (*p == ' ')
                words++;
            else
                assert_true(islower((unsigned char)*p));
        }
        assert_int_equal(words, 7);
        free(s);
    }
    tmpl_free(t);
    t = compile_ok(lib, "{{lorem paragraphs 3}}");
    for (i = 0; i < 20; i++) {
        char *s = expand(t, NULL);
        int breaks = 0;

        for (char *p = strstr(s, "\n\n"); p != NULL; p = strstr(p + 2, "\n\n"))
            breaks++;
        assert_int_equal(breaks, 2);
        assert_true(isupper((unsigned char)s[0]));
        assert_int_equal(s[strlen(s) - 1], '.');
        free(s);
    }
    tmpl_free(t);
    compile_bad(lib, "{{lorem sentences 3}}", "{{lorem words N}} or {{lorem paragraphs N}}");
    compile_bad(lib, "{{lorem words 0}}", "N from 1 to");
    tmpl_lib_free(lib);
}

static void
test_variables(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    struct tmpl *t;
    struct buf vars[2];
    char *err = NULL, *s;
    int line = 0, tok;

    (void)state;
    t = compile_ok(lib, "Bearer {{var token}} {{var other | url}}");
    /* other is used at line 7 but captured nowhere */
    tok = tmpl_lib_declare_var(lib, "token");
    assert_int_equal(tmpl_lib_check_vars(lib, &line, &err), -1);
    assert_int_equal(line, 7);
    assert_non_null(strstr(err, "no task captures 'other'"));
    free(err);
    tmpl_lib_declare_var(lib, "other");
    assert_int_equal(tmpl_lib_check_vars(lib, &line, &err), 0);
    assert_int_equal(tmpl_lib_nvars(lib), 2);
    buf_init(&vars[0]);
    buf_init(&vars[1]);
    buf_puts(&vars[tok], "abc");
    buf_puts(&vars[tmpl_lib_var_index(lib, "other")], "a b/c");
    s = expand(t, vars);
    assert_string_equal(s, "Bearer abc a%20b%2Fc");
    free(s);
    buf_free(&vars[0]);
    buf_free(&vars[1]);
    tmpl_free(t);
    tmpl_lib_free(lib);
}

static void
test_errors(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);

    (void)state;
    compile_bad(lib, "{{uid}}", "unknown function {{uid}} (did you mean {{uuid}}?)");
    compile_bad(lib, "{{frobnicate x}}", "unknown function {{frobnicate}}: use line");
    compile_bad(lib, "{{uuid", "unclosed {{");
    compile_bad(lib, "{{}}", "empty {{}}");
    compile_bad(lib, "{{uuid | yaml}}", "unknown filter '| yaml'");
    tmpl_lib_free(lib);
}

static void
test_million_lines(void **state)
{
    struct tmpl_lib *lib = tmpl_lib_new(dir);
    char *path = xasprintf("%s/big.txt", dir);
    FILE *f = fopen(path, "w");
    struct tmpl *t;
    double start;
    char *s;
    int i;

    (void)state;
    assert_non_null(f);
    for (i = 0; i < 1000000; i++)
        fprintf(f, "line number %d with some text to make it a realistic size\n", i);
    fclose(f);
    start = time_mono();
    t = compile_ok(lib, "{{line big.txt}}");
    /* how fast is make bench's business; printed for the log only */
    printf("loaded 1,000,000 lines in %.3f s\n", time_mono() - start);
    s = expand(t, NULL);
    assert_non_null(strstr(s, "line number "));
    free(s);
    /* a second use of the file shares the loaded copy: it is not read again */
    assert_int_equal(unlink(path), 0);
    tmpl_free(compile_ok(lib, "{{next big.txt}}"));
    tmpl_free(t);
    tmpl_lib_free(lib);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text),
        cmocka_unit_test(test_env_variables),
        cmocka_unit_test(test_line_and_next),
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_random_values),
        cmocka_unit_test(test_lorem),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_million_lines),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
