/*
 * failview.c: the Failures view: every kind of failure with its count,
 * method, name and message, most frequent first.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "util.h"
#include "view.h"

static int
cmp_errors(const void *a, const void *b)
{
    const struct stats_error *x = *(const struct stats_error *const *)a;
    const struct stats_error *y = *(const struct stats_error *const *)b;

    if (x->occurrences != y->occurrences)
        return x->occurrences < y->occurrences ? 1 : -1;
    return strcmp(x->reason, y->reason);
}

void
fail_view_draw(struct dash *d, int top, int height)
{
    const struct stats *s = d->view;
    struct tcol c[4] = {
        { "# Failures", false, 0, 10, true },
        { "Method", true, 2, 6, true },
        { "Name", true, 1, 4, true },
        { "Message", true, 0, 7, true },
    };
    const struct stats_error **errs = xmalloc((s->nerrors + 1) * sizeof(*errs));
    char (*counts)[CELL] = xmalloc((s->nerrors + 1) * sizeof(*counts));
    const char *ptrs[4];
    size_t i;
    int page, first, k, name_cap;
    uint64_t total = 0;

    for (i = 0; i < s->nerrors; i++) {
        const struct stats_entry *e = s->errors[i].entry >= 0 &&
                                              (size_t)s->errors[i].entry < s->nentries
                                          ? &s->entries[s->errors[i].entry]
                                          : &s->total;

        errs[i] = &s->errors[i];
        total += s->errors[i].occurrences;
        if ((int)strlen(e->method) > c[1].width)
            c[1].width = (int)strlen(e->method);
        if ((int)strlen(e->name) > c[2].width)
            c[2].width = (int)strlen(e->name);
        if ((int)strlen(s->errors[i].reason) > c[3].width)
            c[3].width = (int)strlen(s->errors[i].reason);
    }
    if (s->nerrors > 1)
        qsort(errs, s->nerrors, sizeof(*errs), cmp_errors);
    /* the name column may not eat the message: at most a third of the width */
    name_cap = COLS / 3;
    if (c[2].width > name_cap)
        c[2].width = name_cap;
    table_fit(c, 4, 3, 20, COLS);

    page = height - 2;
    first = clamp_scroll(d, VIEW_FAILURES, (int)s->nerrors, page);
    putf(top, 0, COLS, d->theme.title, "Failures: %zu kind%s, %llu occurrence%s; most frequent first%s",
         s->nerrors, s->nerrors == 1 ? "" : "s", (unsigned long long)total, total == 1 ? "" : "s",
         (int)s->nerrors > page ? " (arrows, PgUp/PgDn, Home/End scroll)" : "");
    for (k = 0; k < 4; k++)
        ptrs[k] = c[k].head;
    table_row(top + 1, c, 4, ptrs, A_BOLD | A_UNDERLINE);
    if (s->nerrors == 0)
        put(top + 2, 0, COLS, d->theme.dim, "(no failures)");
    for (k = 0; k < page && first + k < (int)s->nerrors; k++) {
        const struct stats_error *err = errs[first + k];
        const struct stats_entry *e = err->entry >= 0 && (size_t)err->entry < s->nentries
                                          ? &s->entries[err->entry]
                                          : &s->total;

        snprintf(counts[k], CELL, "%llu", (unsigned long long)err->occurrences);
        ptrs[0] = counts[k];
        ptrs[1] = e->method;
        ptrs[2] = e->name;
        ptrs[3] = err->reason;
        table_row(top + 2 + k, c, 4, ptrs, d->theme.bad);
    }
    free(counts);
    free(errs);
}
