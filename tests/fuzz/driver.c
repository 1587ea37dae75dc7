/*
 * driver.c: main() for replaying fuzz inputs without libFuzzer (make check):
 * each argument is a file, or a directory whose files are each one input.
 * Exits 0 when every input ran; a crash or a sanitizer report ends it.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t len = 0, cap = 0, n;
    unsigned char chunk[4096];

    if (f == NULL) {
        perror(path);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (len + n > cap) {
            cap = (len + n) * 2;
            if ((data = realloc(data, cap)) == NULL)
                abort();
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data != NULL ? data : (const unsigned char *)"", len);
    free(data);
    return 0;
}

int
main(int argc, char **argv)
{
    int inputs = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            struct dirent **names;
            int n = scandir(argv[i], &names, NULL, alphasort);

            if (n < 0) {
                perror(argv[i]);
                return 1;
            }
            for (int k = 0; k < n; k++) {
                if (names[k]->d_name[0] != '.') {
                    char path[4096];

                    snprintf(path, sizeof(path), "%s/%s", argv[i], names[k]->d_name);
                    if (run_file(path) < 0)
                        return 1;
                    inputs++;
                }
                free(names[k]);
            }
            free(names);
        } else {
            if (run_file(argv[i]) < 0)
                return 1;
            inputs++;
        }
    }
    printf("%d inputs replayed\n", inputs);
    return 0;
}
