/*
 * test_console.c: Locust's console tables byte for byte. The expected
 * texts below were produced by Locust 2.12.1's own table functions
 * (locust.stats.get_stats_summary, get_percentile_stats_summary and
 * get_error_report_summary) on the same requests, fed with a patched clock,
 * and checked against the format strings of the reference (§1.2-1.4).
 * Long lines are split in the source only.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "console.h"
#include "stats.h"
#include "util.h"

#define START 1700000000.25

static const char *const methods[] = { "POST", "GET", "GET", "GET", "PUT" };
static const char *const names[] = {
    "/predict", "/health", "/predict", "/v1/models/sentiment-classifier/versions/3:predict",
    "/unused",
};

/* One request of the model: time after START, entry, response time, body bytes, error. */
struct request {
    double offset;
    int entry;
    unsigned rt_us;
    unsigned bytes;
    const char *reason;
};

static const struct request requests[] = {
    { 0.30, 0, 12000, 100, NULL },
    { 0.77, 1, 15500, 137, NULL },
    { 1.24, 2, 48000, 174, NULL },
    { 1.71, 0, 7200, 211, "Connection refused" },
    { 2.18, 3, 230000, 248, NULL },
    { 2.65, 1, 61000, 285, NULL },
    { 3.12, 1, 88000, 322, "HTTP 503" },
    { 3.59, 2, 1400, 359, NULL },
    { 4.06, 0, 3100, 396, NULL },
    { 4.53, 1, 520000, 433, "HTTP 503" },
    { 5.00, 0, 19000, 470, "Connection refused" },
    { 5.47, 0, 33000, 507, NULL },
    { 5.94, 3, 2600, 544, NULL },
    { 6.41, 1, 41000, 581, NULL },
    { 6.88, 1, 76000, 618, "HTTP 500 Internal Server Error" },
    { 7.35, 2, 9900, 655, NULL },
    { 7.82, 0, 1210000, 692, NULL },
    { 8.29, 1, 4300, 729, NULL },
    { 8.76, 2, 27000, 766, NULL },
    { 9.23, 0, 64000, 803, NULL },
    { 9.70, 3, 5800, 840, NULL },
    { 10.17, 1, 310000, 877, "HTTP 503" },
    { 10.64, 1, 22000, 914, NULL },
    { 11.11, 2, 870, 951, NULL },
    { 11.58, 0, 13500, 988, NULL },
    { 12.05, 1, 72000, 1025, NULL },
    { 12.52, 2, 2040000, 1062, NULL },
    { 12.99, 0, 39000, 1099, NULL },
    { 13.46, 3, 6400, 1136, NULL },
    { 13.93, 1, 18000, 1173, NULL },
    { 14.40, 1, 25400, 1210, "HTTP 503" },
    { 14.87, 2, 11000, 1247, NULL },
};

static const char final_w80[] =
    "Type     Name                                                                          # r"
    "eqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s\n"
    "--------|----------------------------------------------------------------------------|----"
    "---|-------------|-------|-------|-------|-------|--------|-----------\n"
    "GET      /health                                                                          "
    " 12    5(41.67%) |    104       4     520     41 |    0.81        0.34\n"
    "GET      /predict                                                                         "
    "  7     0(0.00%) |    305       0    2040     11 |    0.47        0.00\n"
    "POST     /predict                                                                         "
    "  9    2(22.22%) |    155       3    1210     19 |    0.61        0.13\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict                               "
    "  4     0(0.00%) |     61       2     230      6 |    0.27        0.00\n"
    "--------|----------------------------------------------------------------------------|----"
    "---|-------------|-------|-------|-------|-------|--------|-----------\n"
    "         Aggregated                                                                       "
    " 32    7(21.88%) |    157       0    2040     22 |    2.15        0.47\n"
    "\n"
    "Response time percentiles (approximated)\n"
    "Type     Name                                                                             "
    "     50%    66%    75%    80%    90%    95%    98%    99%  99.9% 99.99%   100% # reqs\n"
    "--------|--------------------------------------------------------------------------------|"
    "--------|------|------|------|------|------|------|------|------|------|------|------\n"
    "GET      /health                                                                          "
    "      61     72     88     88    310    520    520    520    520    520    520     12\n"
    "GET      /predict                                                                         "
    "      11     27     48     48   2000   2000   2000   2000   2000   2000   2000      7\n"
    "POST     /predict                                                                         "
    "      19     33     39     64   1200   1200   1200   1200   1200   1200   1200      9\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict                               "
    "       6      6    230    230    230    230    230    230    230    230    230      4\n"
    "--------|--------------------------------------------------------------------------------|"
    "--------|------|------|------|------|------|------|------|------|------|------|------\n"
    "         Aggregated                                                                       "
    "      25     48     72     76    310   1200   2000   2000   2000   2000   2000     32\n"
    "\n"
    "Error report\n"
    "# occurrences      Error                                                                  "
    "                             \n"
    "------------------|-----------------------------------------------------------------------"
    "----------------------------------------------------------------------\n"
    "2                  POST /predict: Connection refused                                      "
    "                             \n"
    "4                  GET /health: HTTP 503                                                  "
    "                             \n"
    "1                  GET /health: HTTP 500 Internal Server Error                            "
    "                             \n"
    "------------------|-----------------------------------------------------------------------"
    "----------------------------------------------------------------------\n"
    "\n";

static const char final_w40[] =
    "Type     Name                                  # reqs      # fails |    Avg     Min     Ma"
    "x    Med |   req/s  failures/s\n"
    "--------|------------------------------------|-------|-------------|-------|-------|------"
    "-|-------|--------|-----------\n"
    "GET      /health                                   12    5(41.67%) |    104       4     52"
    "0     41 |    0.81        0.34\n"
    "GET      /predict                                   7     0(0.00%) |    305       0    204"
    "0     11 |    0.47        0.00\n"
    "POST     /predict                                   9    2(22.22%) |    155       3    121"
    "0     19 |    0.61        0.13\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict       4     0(0.00%) |     61 "
    "      2     230      6 |    0.27        0.00\n"
    "--------|------------------------------------|-------|-------------|-------|-------|------"
    "-|-------|--------|-----------\n"
    "         Aggregated                                32    7(21.88%) |    157       0    204"
    "0     22 |    2.15        0.47\n"
    "\n"
    "Response time percentiles (approximated)\n"
    "Type     Name                                          50%    66%    75%    80%    90%    "
    "95%    98%    99%  99.9% 99.99%   100% # reqs\n"
    "--------|----------------------------------------|--------|------|------|------|------|---"
    "---|------|------|------|------|------|------\n"
    "GET      /health                                        61     72     88     88    310    "
    "520    520    520    520    520    520     12\n"
    "GET      /predict                                       11     27     48     48   2000   2"
    "000   2000   2000   2000   2000   2000      7\n"
    "POST     /predict                                       19     33     39     64   1200   1"
    "200   1200   1200   1200   1200   1200      9\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict        6      6    230    230 "
    "   230    230    230    230    230    230    230      4\n"
    "--------|----------------------------------------|--------|------|------|------|------|---"
    "---|------|------|------|------|------|------\n"
    "         Aggregated                                     25     48     72     76    310   1"
    "200   2000   2000   2000   2000   2000     32\n"
    "\n"
    "Error report\n"
    "# occurrences      Error                                                                  "
    "                             \n"
    "------------------|-----------------------------------------------------------------------"
    "------------------------------\n"
    "2                  POST /predict: Connection refused                                      "
    "                             \n"
    "4                  GET /health: HTTP 503                                                  "
    "                             \n"
    "1                  GET /health: HTTP 500 Internal Server Error                            "
    "                             \n"
    "------------------|-----------------------------------------------------------------------"
    "------------------------------\n"
    "\n";

static const char current_w80[] =
    "Type     Name                                                                          # r"
    "eqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s\n"
    "--------|----------------------------------------------------------------------------|----"
    "---|-------------|-------|-------|-------|-------|--------|-----------\n"
    "GET      /health                                                                          "
    " 12    5(41.67%) |    104       4     520     41 |    0.80        0.40\n"
    "GET      /predict                                                                         "
    "  7     0(0.00%) |    305       0    2040     11 |    0.50        0.00\n"
    "POST     /predict                                                                         "
    "  9    2(22.22%) |    155       3    1210     19 |    0.60        0.10\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict                               "
    "  4     0(0.00%) |     61       2     230      6 |    0.20        0.00\n"
    "--------|----------------------------------------------------------------------------|----"
    "---|-------------|-------|-------|-------|-------|--------|-----------\n"
    "         Aggregated                                                                       "
    " 32    7(21.88%) |    157       0    2040     22 |    2.10        0.50\n"
    "\n";

static const char current_w40[] =
    "Type     Name                                  # reqs      # fails |    Avg     Min     Ma"
    "x    Med |   req/s  failures/s\n"
    "--------|------------------------------------|-------|-------------|-------|-------|------"
    "-|-------|--------|-----------\n"
    "GET      /health                                   12    5(41.67%) |    104       4     52"
    "0     41 |    0.80        0.40\n"
    "GET      /predict                                   7     0(0.00%) |    305       0    204"
    "0     11 |    0.50        0.00\n"
    "POST     /predict                                   9    2(22.22%) |    155       3    121"
    "0     19 |    0.60        0.10\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict       4     0(0.00%) |     61 "
    "      2     230      6 |    0.20        0.00\n"
    "--------|------------------------------------|-------|-------------|-------|-------|------"
    "-|-------|--------|-----------\n"
    "         Aggregated                                32    7(21.88%) |    157       0    204"
    "0     22 |    2.10        0.50\n"
    "\n";

static const char current_w2[] =
    "Type     Name  # reqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s\n"
    "--------||-------|-------------|-------|-------|-------|-------|--------|-----------\n"
    "GET      /health      12    5(41.67%) |    104       4     520     41 |    0.80        0.4"
    "0\n"
    "GET      /predict       7     0(0.00%) |    305       0    2040     11 |    0.50        0."
    "00\n"
    "POST     /predict       9    2(22.22%) |    155       3    1210     19 |    0.60        0."
    "10\n"
    "GET      /v1/models/sentiment-classifier/versions/3:predict       4     0(0.00%) |     61 "
    "      2     230      6 |    0.20        0.00\n"
    "--------||-------|-------------|-------|-------|-------|-------|--------|-----------\n"
    "         Aggregated      32    7(21.88%) |    157       0    2040     22 |    2.10        "
    "0.50\n"
    "\n";

static const char empty_w80[] =
    "Type     Name                                                                          # r"
    "eqs      # fails |    Avg     Min     Max    Med |   req/s  failures/s\n"
    "--------|----------------------------------------------------------------------------|----"
    "---|-------------|-------|-------|-------|-------|--------|-----------\n"
    "--------|----------------------------------------------------------------------------|----"
    "---|-------------|-------|-------|-------|-------|--------|-----------\n"
    "         Aggregated                                                                       "
    "  0     0(0.00%) |      0       0       0      0 |    0.00        0.00\n"
    "\n";

/* The model of the golden texts: five entries (one never used), 32 requests over 15 s. */
static struct stats *
model_build(void)
{
    struct stats *s = xmalloc(sizeof(*s));
    struct stats_delta d;
    size_t i;

    stats_init(s);
    stats_reset(s, START);
    for (i = 0; i < ARRAY_LEN(names); i++)
        stats_entry_id(s, methods[i], names[i]);
    stats_delta_init(&d);
    stats_delta_reserve(&d, s->nentries);
    stats_merge(s, &d);
    for (i = 0; i < ARRAY_LEN(requests); i++) {
        const struct request *r = &requests[i];
        double now = START + r->offset;

        stats_delta_record(&d, r->entry, r->rt_us, r->rt_us / 2, r->bytes, r->reason != NULL,
                           now);
        if (r->reason != NULL) {
            char *buf = stats_delta_error(&d, r->entry, 1, (long)strlen(r->reason), 0, now);

            if (buf != NULL)
                snprintf(buf, STATS_REASON_MAX, "%s", r->reason);
        }
        /* merge every request, as a worker merging once a second would */
        stats_merge(s, &d);
    }
    stats_delta_free(&d);
    return s;
}

/* Release a model from model_build. */
static void
model_free(struct stats *s)
{
    stats_free(s);
    free(s);
}

enum table { TABLE_CURRENT, TABLE_TOTALS, TABLE_FINAL };

/* Print one table of s into a string; the caller frees it. */
static char *
render(const struct stats *s, enum table which, int width)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    switch (which) {
    case TABLE_CURRENT:
        console_print_requests(f, s, width, true);
        break;
    case TABLE_TOTALS:
        console_print_requests(f, s, width, false);
        break;
    case TABLE_FINAL:
        console_print_final(f, s, width);
        break;
    }
    fclose(f);
    return text;
}

/* Compare line by line first, so a failure names the line, then the whole text. */
static void
assert_text(const char *got, const char *want)
{
    const char *g = got, *w = want;
    int line = 1;

    while (*g != '\0' && *w != '\0') {
        size_t gl = strcspn(g, "\n"), wl = strcspn(w, "\n");

        if (gl != wl || memcmp(g, w, gl) != 0)
            fail_msg("line %d differs:\n got: [%.*s]\nwant: [%.*s]", line, (int)gl, g, (int)wl,
                     w);
        g += gl + (g[gl] == '\n');
        w += wl + (w[wl] == '\n');
        line++;
    }
    assert_string_equal(got, want);
}

/* Final output (request table with total rates, percentiles, error report) at W = 80. */
static void
test_final_w80(void **state)
{
    struct stats *s = model_build();
    char *text = render(s, TABLE_FINAL, 80);

    (void)state;
    assert_text(text, final_w80);
    free(text);
    model_free(s);
}

/* Final output on a 120-column terminal (W = 40): the long name overflows its column. */
static void
test_final_w40(void **state)
{
    struct stats *s = model_build();
    char *text = render(s, TABLE_FINAL, 40);

    (void)state;
    assert_text(text, final_w40);
    free(text);
    model_free(s);
}

/* Periodic table with current (windowed) rates at W = 80, 40 and 2. */
static void
test_current(void **state)
{
    struct stats *s = model_build();
    char *text;

    (void)state;
    text = render(s, TABLE_CURRENT, 80);
    assert_text(text, current_w80);
    free(text);
    text = render(s, TABLE_CURRENT, 40);
    assert_text(text, current_w40);
    free(text);
    /* W - 4 < 0: Python reads "%--2s" as width 2, the separator's name run is empty */
    text = render(s, TABLE_CURRENT, 2);
    assert_text(text, current_w2);
    free(text);
    model_free(s);
}

/* The first table, before any request: header, two separators, the empty Aggregated row. */
static void
test_empty(void **state)
{
    struct stats *s = xmalloc(sizeof(*s));
    char *text, *totals;

    (void)state;
    stats_init(s);
    stats_reset(s, START);
    stats_entry_id(s, "GET", "/never");
    text = render(s, TABLE_CURRENT, 80);
    assert_text(text, empty_w80);
    free(text);
    /*
     * The final blocks: the totals table, then percentiles with titles and
     * separators only (no samples, no Aggregated row), then no error report
     * at all (no errors).
     */
    totals = render(s, TABLE_TOTALS, 0);
    text = render(s, TABLE_FINAL, 0);
    assert_true(strncmp(text, totals, strlen(totals)) == 0);
    assert_string_equal(text + strlen(totals),
                        "Response time percentiles (approximated)\n"
                        "Type     Name      50%    66%    75%    80%    90%    95%    98%    99%  "
                        "99.9% 99.99%   100% # reqs\n"
                        "--------||--------|------|------|------|------|------|------|------|----"
                        "--|------|------|------\n"
                        "--------||--------|------|------|------|------|------|------|------|----"
                        "--|------|------|------\n"
                        "\n");
    free(text);
    free(totals);
    model_free(s);
}

/* Widths from the format strings: 80 + W for the request table, 95 + W for percentiles. */
static void
test_line_widths(void **state)
{
    struct stats *s = model_build();
    static const int widths[] = { 80, 60, 40 };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(widths); i++) {
        int w = widths[i];
        char *text = render(s, TABLE_FINAL, w);
        char *line = text;
        int n = 0;

        while (*line != '\0') {
            size_t len = strcspn(line, "\n");

            /* rows of the long name overflow; every other line has its exact width */
            if (strstr(line, "sentiment") == NULL || strstr(line, "sentiment") > line + len) {
                if (n <= 7)
                    assert_int_equal(len, 80 + w);
                else if (n >= 10 && n <= 17)
                    assert_int_equal(len, 95 + w);
                else if (n == 20 || (n >= 22 && n <= 24))
                    assert_int_equal(len, 19 + 100);
                else if (n == 21 || n == 25)
                    assert_int_equal(len, 80 + w);
                else if (n == 8 || n == 18 || n == 26)
                    assert_int_equal(len, 0);
            }
            line += len + (line[len] == '\n');
            n++;
        }
        assert_int_equal(n, 27);
        free(text);
    }
    model_free(s);
}

/* Locust's STATS_NAME_WIDTH rule. */
static void
test_name_width(void **state)
{
    (void)state;
    assert_int_equal(console_name_width_for(-1), 80);
    assert_int_equal(console_name_width_for(0), 0);
    assert_int_equal(console_name_width_for(80), 0);
    assert_int_equal(console_name_width_for(81), 1);
    assert_int_equal(console_name_width_for(120), 40);
    assert_int_equal(console_name_width_for(160), 80);
    assert_int_equal(console_name_width_for(300), 80);
    if (!isatty(STDOUT_FILENO))
        assert_int_equal(console_name_width(), 80);
}

/* Run the console tests. */
int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_final_w80),
        cmocka_unit_test(test_final_w40),
        cmocka_unit_test(test_current),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_line_widths),
        cmocka_unit_test(test_name_width),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
