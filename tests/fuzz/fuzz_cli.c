/*
 * fuzz_cli.c: the command-line parser and every option's value parser.
 * The input is the arguments, one per line (argv[0] is added).
 */
#include "config.h"

#include "fuzz.h"

#include "options.h"
#include "settings.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    char **argv = xcalloc(size + 2, sizeof(*argv));
    int argc = 0;
    char *p = text, *nl;
    struct cli_args a;
    struct settings s;
    char *err = NULL;

    argv[argc++] = "cicada";
    while (p != NULL && *p != '\0') {
        nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        argv[argc++] = p;
        p = nl != NULL ? nl + 1 : NULL;
    }
    argv[argc] = NULL;
    settings_init(&s);
    if (cli_parse(argc, argv, &a, &err) == 0) {
        if (settings_apply_cli(&s, &a, &err) < 0 && err == NULL)
            abort();
        cli_args_free(&a);
    } else if (err == NULL) {
        abort();
    }
    free(err);
    settings_free(&s);
    util_set_max_file_size(FILE_SIZE_DEFAULT);   /* --max-file-size sets a global */
    free(argv);
    free(text);
    return 0;
}
