/*
 * console.h: Locust 2.12.1's console tables, byte for byte: the request
 * statistics table (periodic and final), "Response time percentiles
 * (approximated)" and the "Error report".
 */
#ifndef CICADA_CONSOLE_H
#define CICADA_CONSOLE_H

#include <stdbool.h>
#include <stdio.h>

#include "stats.h"

/*
 * Locust's STATS_NAME_WIDTH: 80 when stdout is not a terminal, else the
 * terminal's columns - 80 clamped to [0, 80].
 */
int console_name_width(void);

/* The width rule for a given column count (cols < 0: not a terminal). */
int console_name_width_for(int cols);

/*
 * Request table. current = true prints current (windowed) req/s and
 * failures/s (periodic tables); false prints whole-run rates (final table).
 * Each table is followed by one empty line, as Locust prints it.
 */
void console_print_requests(FILE *out, const struct stats *s, int name_width, bool current);

/* The three final blocks in Locust's order (no error report when there are no errors). */
void console_print_final(FILE *out, const struct stats *s, int name_width);

#endif
