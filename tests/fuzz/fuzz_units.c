/*
 * fuzz_units.c: the value parsers: durations (both kinds), counts,
 * decimals, sizes (units.c) and threshold expressions (threshold.c); what
 * parses is formatted back.
 */
#include "config.h"

#include "fuzz.h"

#include "threshold.h"
#include "units.h"
#include "util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_string(data, size);
    double d;
    unsigned long long n;
    char buf[64];
    struct threshold t;
    char *err = NULL;

    if (units_parse_duration(text, &d) == 0)
        units_format_duration(d, buf, sizeof(buf));
    if (units_parse_duration_ms(text, &d) == 0)
        units_format_duration(d, buf, sizeof(buf));
    (void)units_parse_count(text, &n);
    if (units_parse_double(text, &d) == 0)
        (void)units_nice_ceiling(d);
    (void)units_parse_size(text, &n);
    memset(&t, 0, sizeof(t));
    if (threshold_parse(text, &t, &err) == 0) {
        struct threshold_result r = { true, true, false, t.limit };

        threshold_format_value(&t, &r, buf, sizeof(buf));
        threshold_metric_name(&t, buf, sizeof(buf));
        threshold_free(&t);
    } else if (err == NULL) {
        abort();
    }
    free(err);
    free(text);
    return 0;
}
