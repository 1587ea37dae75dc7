/*
 * fuzz_template.c: the template compiler and expander. The input is one
 * template text (a path, a header or a body); it is compiled against a
 * library that knows two captured variables and the data files of
 * CICADA_FUZZ_DIR, then expanded a few times with a seeded generator.
 */
#include "config.h"

#include "fuzz.h"

#include "template.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tmpl_lib *lib = tmpl_lib_new(fuzz_data_dir());
    struct tmpl *t;
    char *err = NULL;
    uint64_t rng[4] = { 0x9E3779B97F4A7C15ULL, 0xBF58476D1CE4E5B9ULL, 0x94D049BB133111EBULL, 1 };
    struct buf vars[2], out;
    struct tmpl_rt rt = { rng, vars };

    tmpl_lib_declare_var(lib, "token");
    tmpl_lib_declare_var(lib, "id");
    buf_init(&vars[0]);
    buf_init(&vars[1]);
    buf_puts(&vars[0], "tok\"en\\\n");
    buf_puts(&vars[1], "42");
    t = tmpl_compile(lib, (const char *)data, size, 1, &err);
    if (t != NULL) {
        int line = 0;
        char *why = NULL;

        if (tmpl_lib_check_vars(lib, &line, &why) == 0) {
            for (int i = 0; i < 3; i++) {
                buf_init(&out);
                tmpl_expand(t, &rt, &out);
                buf_free(&out);
            }
        }
        free(why);
        tmpl_free(t);
    } else if (err == NULL) {
        abort();
    }
    free(err);
    err = NULL;
    {
        /* the same text as a [run] value with ${NAME} variables */
        char *text = fuzz_string(data, size);
        char *v = tmpl_env_expand(lib, text, &err);

        free(v);
        free(err);
        free(text);
    }
    buf_free(&vars[0]);
    buf_free(&vars[1]);
    tmpl_lib_free(lib);
    return 0;
}
