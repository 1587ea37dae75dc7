/*
 * units.h: parsing and formatting of durations, counts and sizes, shared by
 * the option parser, the scenario loader and every output.
 */
#ifndef CICADA_UNITS_H
#define CICADA_UNITS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Parse a duration as Locust's --run-time does ("20" = seconds, "20s",
 * "3m", "2h", "1h20m", "3h30m10s"), plus "ms" and decimals ("1.5s", "250ms").
 * Returns 0 and stores seconds, or -1 on anything else.
 */
int units_parse_duration(const char *text, double *seconds);

/*
 * Parse a duration whose bare number means milliseconds
 * ("20" = 20 ms, "20ms", "1.5s"). Returns 0 or -1.
 */
int units_parse_duration_ms(const char *text, double *seconds);

/* Parse a non-negative whole number ("1000", "10k"); 0 or -1. */
int units_parse_count(const char *text, unsigned long long *value);

/* Parse a decimal number; 0 or -1 (rejects trailing junk, NaN, inf). */
int units_parse_double(const char *text, double *value);

/* Parse a size in bytes ("512", "16k", "1M", "2MiB"); 0 or -1. */
int units_parse_size(const char *text, unsigned long long *bytes);

/* A "nice" top for a chart's y axis: 1, 2 or 5 times a power of ten, at least max (1 if max <= 0). */
double units_nice_ceiling(double max);

/*
 * Axis ticks: the step between ticks, 1, 2 or 5 times a power of ten, the
 * smallest with which at most max_ticks steps reach max (whole numbers, at
 * least 1, when whole is set: user counts); and the axis top, the first
 * multiple of step at or above max (one step when max <= 0).
 */
double units_tick_step(double max, int max_ticks, bool whole);
double units_tick_top(double max, double step);

/* Format seconds as "1h02m03s", "4m05s" or "12s" into buf; returns buf. */
char *units_format_duration(double seconds, char *buf, size_t size);

/*
 * Format seconds as a clock, "m:ss" or "h:mm:ss", into buf; returns buf.
 * Whole seconds gone by, as a stopwatch shows them (59.9 s is "0:59"):
 * the dashboard's header and its charts' time axis both use it.
 */
char *units_format_clock(double seconds, char *buf, size_t size);

#endif
