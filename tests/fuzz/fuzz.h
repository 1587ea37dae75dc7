/*
 * fuzz.h: what every harness in tests/fuzz shares. A harness is one file
 * fuzz_NAME.c defining LLVMFuzzerTestOneInput; it is built twice:
 *   - by make fuzz (tests/fuzz/run.sh) with clang -fsanitize=fuzzer, for
 *     libFuzzer to explore from tests/fuzz/corpus/NAME;
 *   - by make check with driver.c's main(), which replays every file of
 *     tests/fuzz/corpus/NAME (tests/fuzz/replay.sh), so an input that once
 *     crashed stays a regression test (under the sanitizers in CI too).
 * To add a harness: write fuzz_NAME.c, seed tests/fuzz/corpus/NAME/, and
 * add NAME to FUZZ_HARNESSES in Makefile.am (both builds follow it).
 */
#ifndef CICADA_FUZZ_H
#define CICADA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (NUL bytes inside end it early). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Directory with small data files the templates may name (CICADA_FUZZ_DIR). */
static inline const char *
fuzz_data_dir(void)
{
    const char *d = getenv("CICADA_FUZZ_DIR");

    return d != NULL && d[0] != '\0' ? d : ".";
}

#endif
