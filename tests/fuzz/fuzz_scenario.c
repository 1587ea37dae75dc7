/*
 * fuzz_scenario.c: the INI loader (inifile.c's line rules in front of
 * inih, scenario.c's sections and keys) and everything it calls: option
 * values, thresholds, shapes, checks, captures, template compilation.
 * The input is a scenario file's text; data files resolve in
 * CICADA_FUZZ_DIR (the text loader reads no .env).
 */
#include "config.h"

#include "fuzz.h"

#include "scenario.h"
#include "settings.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario sc;
    struct settings s;
    char *text = fuzz_string(data, size);
    char *err = NULL;
    char *path = xasprintf("%s/fuzz.ini", fuzz_data_dir());

    settings_init(&s);
    if (scenario_load(&sc, path, text, &s, &err) == 0)
        scenario_free(&sc);
    else if (err == NULL || strchr(err, '\n') != NULL)
        abort();            /* every error is one line */
    free(err);
    settings_free(&s);
    free(path);
    free(text);
    return 0;
}
