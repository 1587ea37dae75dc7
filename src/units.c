/*
 * units.c: parsing of durations, counts, sizes and plain decimals, and the
 * short duration format used by every output.
 *
 * Numbers are scanned by hand rather than with strtod so that the locale
 * (the dashboard calls setlocale) never changes what "1.5" means. Every
 * parser takes the whole string: no sign, no spaces, no trailing text.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

/* Exact powers of ten up to 10^22, the largest a double holds exactly. */
static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* A scanned unsigned decimal "123", "1.5", ".5" or "5.". */
struct number {
    unsigned long long whole;   /* integer part */
    bool whole_overflow;        /* the integer part does not fit */
    const char *frac;           /* fraction digits (not NUL-terminated) */
    size_t frac_len;            /* their count, trailing zeros removed */
    double value;               /* the number as a double */
};

/* Is c an ASCII digit? */
static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* mantissa * 10^exp10, exact when both fit a double exactly, else close. */
static double
scale10(unsigned long long mantissa, int exp10)
{
    double m = (double)mantissa;

    if (mantissa <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22)
        return exp10 < 0 ? m / pow10_exact[-exp10] : m * pow10_exact[exp10];
    return m * pow(10.0, exp10);
}

/*
 * Scan a number at *pp and advance past it; with allow_exp, an exponent
 * ("1e3", "2.5E-2") is accepted too. Returns 0, or -1 if there is none.
 */
static int
scan_number(const char **pp, struct number *n, bool allow_exp)
{
    const char *p = *pp;
    unsigned long long mantissa = 0;
    int exp10 = 0, digits = 0, sig = 0;

    n->whole = 0;
    n->whole_overflow = false;
    n->frac = NULL;
    n->frac_len = 0;
    for (; is_digit(*p); p++, digits++) {
        unsigned d = (unsigned)(*p - '0');

        if (n->whole > (ULLONG_MAX - d) / 10)
            n->whole_overflow = true;
        else
            n->whole = n->whole * 10 + d;
        if (sig < 19) {
            mantissa = mantissa * 10 + d;
            if (mantissa != 0)
                sig++;
        } else {
            exp10++;
        }
    }
    if (*p == '.') {
        p++;
        n->frac = p;
        for (; is_digit(*p); p++, digits++) {
            if (sig < 19) {
                mantissa = mantissa * 10 + (unsigned)(*p - '0');
                if (mantissa != 0)
                    sig++;
                exp10--;
            }
        }
        n->frac_len = (size_t)(p - n->frac);
        while (n->frac_len > 0 && n->frac[n->frac_len - 1] == '0')
            n->frac_len--;
    }
    if (digits == 0)
        return -1;
    if (allow_exp && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int sign = 1, e = 0;

        if (*q == '+' || *q == '-')
            sign = *q++ == '-' ? -1 : 1;
        if (!is_digit(*q))
            return -1;
        for (; is_digit(*q); q++)
            if (e < 10000)
                e = e * 10 + (*q - '0');
        exp10 += sign * e;
        p = q;
        /* an exponent makes the whole/fraction split meaningless */
        n->whole_overflow = true;
    }
    n->value = mantissa == 0 ? 0.0 : scale10(mantissa, exp10);
    *pp = p;
    return 0;
}

/*
 * Shared duration grammar: "<number><unit>..." with the units h, m, s and
 * ms, each at most once and in that order, or a bare number meaning
 * bare_unit seconds.
 */
static int
parse_duration_units(const char *text, double bare_unit, double *seconds)
{
    static const struct {
        const char *name;
        double seconds;
    } units[] = { { "h", 3600 }, { "ms", 0.001 }, { "m", 60 }, { "s", 1 } };
    /* rank of each unit above: h > m > s > ms */
    static const int rank[] = { 3, 0, 2, 1 };
    const char *p = text;
    double total = 0;
    int last_rank = 4, parts = 0;

    if (text == NULL || *text == '\0')
        return -1;
    while (*p != '\0') {
        struct number n;
        size_t u;

        if (scan_number(&p, &n, false) < 0 || n.whole_overflow)
            return -1;
        if (*p == '\0') {
            if (parts > 0)
                return -1;
            total = n.value * bare_unit;
            break;
        }
        for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
            if (strncmp(p, units[u].name, strlen(units[u].name)) == 0)
                break;
        if (u == sizeof(units) / sizeof(units[0]) || rank[u] >= last_rank)
            return -1;
        last_rank = rank[u];
        p += strlen(units[u].name);
        total += n.value * units[u].seconds;
        parts++;
    }
    if (!isfinite(total))
        return -1;
    *seconds = total;
    return 0;
}

/* Parse a duration; a bare number means seconds. */
int
units_parse_duration(const char *text, double *seconds)
{
    return parse_duration_units(text, 1, seconds);
}

/* Parse a duration; a bare number means milliseconds. */
int
units_parse_duration_ms(const char *text, double *seconds)
{
    return parse_duration_units(text, 0.001, seconds);
}

/* Value of the first n fraction digits (n <= 19). */
static unsigned long long
frac_digits_value(const char *frac, size_t n)
{
    unsigned long long v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = v * 10 + (unsigned)(frac[i] - '0');
    return v;
}

/* whole * mult + frac * mult, floored, into *out; -1 on overflow or (exact) a fractional result. */
static int
scale_whole(const struct number *n, unsigned long long mult, bool exact,
            unsigned long long *out)
{
    unsigned long long v, part = 0;
    size_t fl = n->frac_len;

    if (n->whole_overflow || __builtin_mul_overflow(n->whole, mult, &v))
        return -1;
    if (fl > 0) {
        unsigned __int128 scaled, div = 1;
        size_t i;

        if (fl > 19) {
            if (exact)
                return -1;
            fl = 19;
        }
        for (i = 0; i < fl; i++)
            div *= 10;
        scaled = (unsigned __int128)frac_digits_value(n->frac, fl) * mult;
        if (exact && scaled % div != 0)
            return -1;
        part = (unsigned long long)(scaled / div);
    }
    if (__builtin_add_overflow(v, part, &v))
        return -1;
    *out = v;
    return 0;
}

/* Parse a whole count with an optional k, M or G (powers of 1000) suffix. */
int
units_parse_count(const char *text, unsigned long long *value)
{
    struct number n;
    const char *p = text;
    unsigned long long mult = 1;

    if (text == NULL || scan_number(&p, &n, false) < 0)
        return -1;
    if (*p == 'k' || *p == 'K')
        mult = 1000ULL;
    else if (*p == 'M')
        mult = 1000000ULL;
    else if (*p == 'G')
        mult = 1000000000ULL;
    if (mult != 1)
        p++;
    if (*p != '\0')
        return -1;
    return scale_whole(&n, mult, true, value);
}

/* Parse a non-negative decimal, with an optional exponent; no NaN or inf. */
int
units_parse_double(const char *text, double *value)
{
    struct number n;
    const char *p = text;

    if (text == NULL || scan_number(&p, &n, true) < 0 || *p != '\0')
        return -1;
    if (!isfinite(n.value))
        return -1;
    *value = n.value;
    return 0;
}

/* Lower-case an ASCII letter. */
static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Parse a size in bytes; k, M, G and T are powers of 1024, with optional "B" or "iB". */
int
units_parse_size(const char *text, unsigned long long *bytes)
{
    struct number n;
    const char *p = text;
    unsigned long long mult = 1;

    if (text == NULL || scan_number(&p, &n, false) < 0)
        return -1;
    switch (lower(*p)) {
    case 'k':
        mult = 1ULL << 10;
        break;
    case 'm':
        mult = 1ULL << 20;
        break;
    case 'g':
        mult = 1ULL << 30;
        break;
    case 't':
        mult = 1ULL << 40;
        break;
    default:
        break;
    }
    if (mult != 1) {
        p++;
        if (lower(p[0]) == 'i' && lower(p[1]) == 'b')
            p += 2;
        else if (lower(p[0]) == 'b')
            p++;
    } else if (lower(p[0]) == 'b') {
        p++;
    }
    if (*p != '\0')
        return -1;
    return scale_whole(&n, mult, mult == 1, bytes);
}

/* Format whole seconds (truncated) as "1h02m03s", "4m05s" or "12s". */
char *
units_format_duration(double seconds, char *buf, size_t size)
{
    unsigned long long total, h, m, s;

    if (size == 0)
        return buf;
    total = isfinite(seconds) && seconds > 0 ? (seconds >= 1e18 ? 1000000000000000000ULL
                                                                : (unsigned long long)seconds)
                                             : 0;
    h = total / 3600;
    m = total / 60 % 60;
    s = total % 60;
    if (h > 0)
        snprintf(buf, size, "%lluh%02llum%02llus", h, m, s);
    else if (m > 0)
        snprintf(buf, size, "%llum%02llus", m, s);
    else
        snprintf(buf, size, "%llus", s);
    return buf;
}

char *
units_format_clock(double seconds, char *buf, size_t size)
{
    unsigned long long s;

    if (size == 0)
        return buf;
    s = isfinite(seconds) && seconds > 0 ? (seconds >= 1e15 ? 1000000000000000ULL
                                                            : (unsigned long long)seconds)
                                         : 0;
    if (s >= 3600)
        snprintf(buf, size, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%llu:%02llu", s / 60, s % 60);
    return buf;
}

double
units_nice_ceiling(double max)
{
    double p, m;

    if (!(max > 0))
        return 1;
    p = pow(10, floor(log10(max)));
    m = max / p;
    if (m <= 1)
        return p;
    if (m <= 2)
        return 2 * p;
    if (m <= 5)
        return 5 * p;
    return 10 * p;
}

double
units_tick_step(double max, int max_ticks, bool whole)
{
    static const double mult[] = { 1, 2, 5 };
    double p;

    if (max_ticks < 1)
        max_ticks = 1;
    if (!(max > 0) || !isfinite(max))
        return 1;
    p = pow(10, floor(log10(max / max_ticks)));
    for (int round = 0; round < 4; round++, p *= 10) {
        for (size_t i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
            double step = mult[i] * p;

            if (whole && step < 1)
                continue;
            /* a hair of slack so that 0.3 / 0.1 counts as 3 steps */
            if (ceil(max / step - 1e-9) <= max_ticks)
                return step;
        }
    }
    return p;
}

double
units_tick_top(double max, double step)
{
    double n = max > 0 && isfinite(max) ? ceil(max / step - 1e-9) : 1;

    return (n < 1 ? 1 : n) * step;
}
