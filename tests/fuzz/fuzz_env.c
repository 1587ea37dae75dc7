/*
 * fuzz_env.c: the .env reader (NAME=value lines, quotes, comments). The
 * input is written to a temporary file, read as the scenario's .env.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"

#include "template.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/cicada-fuzz-env.XXXXXX";
    int fd = mkstemp(path);
    struct tmpl_lib *lib;
    char *err = NULL;

    if (fd < 0)
        abort();
    if (size > 0 && write(fd, data, size) != (ssize_t)size)
        abort();
    close(fd);
    lib = tmpl_lib_new(fuzz_data_dir());
    if (tmpl_lib_load_env(lib, path, &err) == 0) {
        char *v = tmpl_env_expand(lib, "${A:-x}${B}", &err);

        free(v);
    }
    free(err);
    tmpl_lib_free(lib);
    unlink(path);
    return 0;
}
