/*
 * report_csv.c: Locust 2.12.1's --csv files, column for column and in its
 * number formats (Python's csv module: minimal quoting, CRLF rows; floats
 * as Python's repr), with two differences that lose nothing: the stats
 * and failures files are replaced atomically (written beside, then
 * renamed) instead of being rewritten in place, and every file gets a last
 * write at exit, so history covers the last second even after Ctrl-C.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"
#include "report.h"
#include "secret.h"
#include "util.h"

/* Per-entry cumulative snapshots for --csv-full-history's current percentiles. */
#define SNAPSHOTS 12

struct snapshot {
    int64_t sec;             /* -1: empty */
    uint64_t requests;
    struct hist hist;
};

struct csv_report {
    bool full_history;
    bool open_model;         /* history gets a last column: arrivals dropped so far */
    char *stats_path, *failures_path, *exceptions_path, *history_path;
    FILE *history;
    struct snapshot (*snaps)[SNAPSHOTS]; /* by entry index */
    size_t nsnaps;
    struct snapshot total_snaps[SNAPSHOTS]; /* the Aggregated row's */
};

char *
report_float_repr(double v, char *buf, size_t size)
{
    int prec, exp10;
    char *e;

    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return buf;
    }
    if (isinf(v)) {
        snprintf(buf, size, v < 0 ? "-inf" : "inf");
        return buf;
    }
    if (v == 0) {
        snprintf(buf, size, signbit(v) ? "-0.0" : "0.0");
        return buf;
    }
    /* the shortest %.Ng that reads back as the same double */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (prec > 17)
        prec = 17;
    snprintf(buf, size, "%.*e", prec - 1, v);
    e = strchr(buf, 'e');
    exp10 = e != NULL ? atoi(e + 1) : 0;
    if (exp10 < -4 || exp10 >= 16) {
        /* Python: 1e-05, 1.5e+16 (two exponent digits at least) */
        char mant[32];

        snprintf(mant, sizeof(mant), "%.*s", (int)(e - buf), buf);
        snprintf(buf, size, "%se%c%02d", mant, exp10 < 0 ? '-' : '+', abs(exp10));
    } else {
        int decimals = prec - 1 - exp10;

        snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, v);
        if (strchr(buf, '.') == NULL && strlen(buf) + 3 <= size)
            strcat(buf, ".0");
    }
    return buf;
}

char *
report_redact(const char *text)
{
    char *copy = xstrdup(text);

    secret_redact(copy);
    return copy;
}

char *
report_iso_time(double t, char *buf, size_t size)
{
    time_t secs = (time_t)t;
    struct tm tm;

    gmtime_r(&secs, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* One field (secrets masked), quoted as Python's csv module does when it must be. */
static void
put_field(FILE *f, const char *value, bool first)
{
    char *copy = report_redact(value);
    const char *text = copy;

    if (!first)
        fputc(',', f);
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, f);
        free(copy);
        return;
    }
    fputc('"', f);
    for (; *text != '\0'; text++) {
        if (*text == '"')
            fputc('"', f);
        fputc(*text, f);
    }
    fputc('"', f);
    free(copy);
}

static void
end_row(FILE *f)
{
    fputs("\r\n", f);
}

static void
put_uint(FILE *f, uint64_t v)
{
    fprintf(f, ",%llu", (unsigned long long)v);
}

static void
put_float(FILE *f, double v)
{
    char buf[64];

    fprintf(f, ",%s", report_float_repr(v, buf, sizeof(buf)));
}

/*
 * Locust's median: a bucket key (an int below 100 ms, a float from 100 ms
 * up, in 2.12.1), or the raw min or max it was clamped to; 0 when empty.
 */
static void
put_median(FILE *f, const struct stats_entry *e)
{
    double m = stats_median_ms(e);

    if (e->hist.total == 0)
        fputs(",0", f);
    else if (m == floor(m) && m < 100)
        fprintf(f, ",%.0f", m);
    else
        put_float(f, m);
}

/* A float, or `none` when the entry has nothing to average (Locust writes 0 or 0.0 there). */
static void
put_float_or(FILE *f, bool empty, const char *none, double v)
{
    if (empty)
        fprintf(f, ",%s", none);
    else
        put_float(f, v);
}

static void
put_percentile_header(FILE *f)
{
    for (int i = 0; i < STATS_NPERCENTILES; i++)
        put_field(f, stats_percentile_labels[i], false);
}

static void
write_stats_header(FILE *f)
{
    static const char *const cols[] = {
        "Type", "Name", "Request Count", "Failure Count", "Median Response Time",
        "Average Response Time", "Min Response Time", "Max Response Time",
        "Average Content Size", "Requests/s", "Failures/s",
    };

    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        put_field(f, cols[i], i == 0);
    put_percentile_header(f);
    end_row(f);
}

static void
write_history_header(FILE *f, bool open_model)
{
    static const char *const head[] = { "Timestamp", "User Count", "Type", "Name", "Requests/s",
                                        "Failures/s" };
    static const char *const tail[] = {
        "Total Request Count", "Total Failure Count", "Total Median Response Time",
        "Total Average Response Time", "Total Min Response Time", "Total Max Response Time",
        "Total Average Content Size",
    };

    for (size_t i = 0; i < ARRAY_LEN(head); i++)
        put_field(f, head[i], i == 0);
    put_percentile_header(f);
    for (size_t i = 0; i < ARRAY_LEN(tail); i++)
        put_field(f, tail[i], false);
    if (open_model)
        put_field(f, "Dropped Arrivals", false);
    end_row(f);
}

static void
write_failures_header(FILE *f)
{
    fputs("Method,Name,Error,Occurrences", f);
    end_row(f);
}

static void
write_exceptions_header(FILE *f)
{
    fputs("Count,Message,Traceback,Nodes", f);
    end_row(f);
}

/* Cumulative percentiles of an entry: ints, or N/A without requests. */
static void
put_percentiles(FILE *f, const struct stats_entry *e)
{
    for (int i = 0; i < STATS_NPERCENTILES; i++) {
        if (e->num_requests == 0)
            fputs(",N/A", f);
        else
            fprintf(f, ",%ld", stats_percentile_ms(e, stats_percentiles[i]));
    }
}

/* One stats.csv row. */
static void
put_stats_row(FILE *f, const struct stats *s, const struct stats_entry *e)
{
    put_field(f, e->method, true);
    put_field(f, e->name, false);
    put_uint(f, e->num_requests);
    put_uint(f, e->num_failures);
    put_median(f, e);
    put_float_or(f, e->hist.total == 0, "0.0", stats_avg_ms(e));
    put_float_or(f, e->min_rt_us == UINT64_MAX, "0", stats_min_ms(e));
    put_float_or(f, e->hist.total == 0, "0", stats_max_ms(e));
    put_float_or(f, e->num_requests == 0, "0", stats_avg_bytes(e));
    put_float(f, stats_total_rps(s, e));
    put_float(f, stats_total_fail_per_sec(s, e));
    put_percentiles(f, e);
    end_row(f);
}

/* Write a whole file beside its name and rename it over, so readers never see half. */
static int
replace_file(const char *path, void (*fill)(FILE *, const struct stats *), const struct stats *s)
{
    struct outfile out;
    char *err = NULL;

    if (outfile_open(&out, path, &err) < 0) {
        free(err);
        return -1;
    }
    fill(out.f, s);
    if (outfile_commit(&out, &err) < 0) {
        free(err);
        return -1;
    }
    return 0;
}

static void
fill_stats(FILE *f, const struct stats *s)
{
    int *order = stats_sorted(s);

    write_stats_header(f);
    for (size_t i = 0; i < s->nentries; i++)
        put_stats_row(f, s, &s->entries[order[i]]);
    put_stats_row(f, s, &s->total);
    free(order);
}

/* Failures in Locust's order of (name, method) then first occurrence. */
static void
fill_failures(FILE *f, const struct stats *s)
{
    int *order = stats_sorted(s);

    write_failures_header(f);
    for (size_t k = 0; k < s->nentries; k++) {
        for (size_t i = 0; i < s->nerrors; i++) {
            const struct stats_error *err = &s->errors[i];
            const struct stats_entry *e;

            if (err->entry != order[k])
                continue;
            e = &s->entries[err->entry];
            put_field(f, e->method, true);
            put_field(f, e->name, false);
            put_field(f, err->reason, false);
            put_uint(f, err->occurrences);
            end_row(f);
        }
    }
    free(order);
}

static void
fill_exceptions(FILE *f, const struct stats *s)
{
    (void)s;
    /* cicada runs no user code, so nothing raises: the file keeps Locust's header */
    write_exceptions_header(f);
}

/* ---- current (windowed) percentiles for --csv-full-history ---- */

static void
snapshots_grow(struct csv_report *c, size_t n)
{
    if (n <= c->nsnaps)
        return;
    c->snaps = xrealloc(c->snaps, n * sizeof(*c->snaps));
    for (size_t i = c->nsnaps; i < n; i++)
        for (int k = 0; k < SNAPSHOTS; k++)
            c->snaps[i][k].sec = -1;
    c->nsnaps = n;
}

/* Keep entry e's cumulative state of second sec in slot set `ring`. */
static void
snapshot_take(struct snapshot *ring, const struct stats_entry *e, int64_t sec)
{
    struct snapshot *slot = &ring[(uint64_t)sec % SNAPSHOTS];
    int k;

    /* a reset makes every snapshot newer than the counts: forget them */
    for (k = 0; k < SNAPSHOTS; k++)
        if (ring[k].sec >= 0 && ring[k].requests > e->num_requests)
            ring[k].sec = -1;
    slot->sec = sec;
    slot->requests = e->num_requests;
    slot->hist = e->hist;
}

/*
 * Locust's current percentile: the cumulative buckets minus a snapshot of
 * about 10 s ago (tried at t-10, t-11, t-9, t-12, t-8, ... t-2); 0 when
 * no snapshot is there.
 */
static long
current_percentile(const struct snapshot *ring, const struct stats_entry *e, int64_t now,
                   double p, struct hist *scratch)
{
    static const int offsets[] = { 10, 11, 9, 12, 8, 7, 6, 5, 4, 3, 2 };
    const struct snapshot *snap = NULL;
    uint64_t n, rank;
    double r;

    for (size_t i = 0; i < ARRAY_LEN(offsets) && snap == NULL; i++) {
        const struct snapshot *s = &ring[(uint64_t)(now - offsets[i]) % SNAPSHOTS];

        if (s->sec == now - offsets[i])
            snap = s;
    }
    if (snap == NULL || e->num_requests < snap->requests)
        return 0;
    n = e->num_requests - snap->requests;
    if (n == 0)
        return 0;
    hist_diff(scratch, &e->hist, &snap->hist);
    if (scratch->total == 0)
        return 0;
    r = (double)n * p;
    rank = r > 0 ? (uint64_t)r : 0;
    if (rank > n - 1)
        rank = n - 1;
    return stats_locust_round_ms((double)hist_value_at_rank(scratch, rank) / 1000.0);
}

/* One history row for entry e. */
static void
put_history_row(struct csv_report *c, const struct stats *s, const struct stats_entry *e,
                struct snapshot *ring, unsigned users, int64_t now)
{
    FILE *f = c->history;

    fprintf(f, "%lld,%u", (long long)now, users);
    put_field(f, e->method, false);
    put_field(f, e->name, false);
    fprintf(f, ",%f,%f", stats_current_rps(s, e), stats_current_fail_per_sec(s, e));
    if (e->num_requests == 0) {
        for (int i = 0; i < STATS_NPERCENTILES; i++)
            fputs(",N/A", f);
    } else if (c->full_history) {
        static struct hist scratch;

        for (int i = 0; i < STATS_NPERCENTILES; i++)
            fprintf(f, ",%ld", current_percentile(ring, e, now, stats_percentiles[i], &scratch));
    } else {
        put_percentiles(f, e);
    }
    put_uint(f, e->num_requests);
    put_uint(f, e->num_failures);
    put_median(f, e);
    put_float_or(f, e->hist.total == 0, "0.0", stats_avg_ms(e));
    put_float_or(f, e->min_rt_us == UINT64_MAX, "0", stats_min_ms(e));
    put_float_or(f, e->hist.total == 0, "0", stats_max_ms(e));
    put_float_or(f, e->num_requests == 0, "0", stats_avg_bytes(e));
    if (c->open_model)
        put_uint(f, s->dropped);
    end_row(f);
}

static void
write_history(struct csv_report *c, const struct stats *s, unsigned users, double now)
{
    int64_t sec = (int64_t)now;

    if (c->full_history) {
        int *order = stats_sorted(s);

        snapshots_grow(c, s->nentries);
        for (size_t i = 0; i < s->nentries; i++)
            put_history_row(c, s, &s->entries[order[i]], c->snaps[order[i]], users, sec);
        put_history_row(c, s, &s->total, c->total_snaps, users, sec);
        for (size_t i = 0; i < s->nentries; i++)
            snapshot_take(c->snaps[i], &s->entries[i], sec);
        snapshot_take(c->total_snaps, &s->total, sec);
        free(order);
    } else {
        put_history_row(c, s, &s->total, NULL, users, sec);
    }
    fflush(c->history);
}

/* Replace the three files that hold a picture of now; 0, or -1 if one could not be written. */
static int
rewrite_files(struct csv_report *c, const struct stats *s)
{
    int rc = 0;

    if (replace_file(c->stats_path, fill_stats, s) < 0)
        rc = -1;
    if (replace_file(c->failures_path, fill_failures, s) < 0)
        rc = -1;
    if (replace_file(c->exceptions_path, fill_exceptions, s) < 0)
        rc = -1;
    return rc;
}

static void
csv_report_free(struct csv_report *c)
{
    free(c->snaps);
    free(c->stats_path);
    free(c->history_path);
    free(c->failures_path);
    free(c->exceptions_path);
    free(c);
}

struct csv_report *
csv_report_open(const char *prefix, bool full_history, bool open_model, char **err)
{
    struct csv_report *c = xcalloc(1, sizeof(*c));
    struct stats empty;

    c->full_history = full_history;
    c->open_model = open_model;
    for (int k = 0; k < SNAPSHOTS; k++)
        c->total_snaps[k].sec = -1;
    c->stats_path = xasprintf("%s_stats.csv", prefix);
    c->history_path = xasprintf("%s_stats_history.csv", prefix);
    c->failures_path = xasprintf("%s_failures.csv", prefix);
    c->exceptions_path = xasprintf("%s_exceptions.csv", prefix);
    c->history = outfile_open_stream(c->history_path, err);
    if (c->history == NULL)
        goto fail;
    write_history_header(c->history, open_model);
    /* the other files get their headers now too, and history its first row, as in Locust */
    stats_init(&empty);
    write_history(c, &empty, 0, time_wall());
    if (rewrite_files(c, &empty) < 0) {
        *err = xasprintf("cannot write the CSV files %s_*.csv: %s", prefix, strerror(errno));
        stats_free(&empty);
        goto fail;
    }
    stats_free(&empty);
    return c;
fail:
    if (c->history != NULL)
        fclose(c->history);
    csv_report_free(c);
    return NULL;
}

void
csv_report_tick(struct csv_report *c, const struct stats *s, unsigned users, double now)
{
    rewrite_files(c, s);
    write_history(c, s, users, now);
}

int
csv_report_close(struct csv_report *c, const struct stats *s, unsigned users, double now)
{
    int rc = rewrite_files(c, s);

    write_history(c, s, users, now);
    if (fclose(c->history) != 0)
        rc = -1;
    csv_report_free(c);
    return rc;
}
