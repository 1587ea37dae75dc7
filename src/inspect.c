/*
 * inspect.c: -l, --show-task-ratio and --show-task-ratio-json (see
 * inspect.h). The users are shared among the classes as Locust shares
 * them (fixed_count first, the rest by weight, rounded half to even; -u
 * when given, else one user per unit of weight); a task's share within
 * its class is its weight over the class's total, and overall that share
 * times its class's share of the users. on_start and on_stop tasks are
 * not among Locust's tasks and are left out.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "stats.h"
#include "util.h"

void
inspect_list(FILE *out, const struct scenario *sc)
{
    fputs("Available Users:\n", out);
    for (size_t i = 0; i < sc->nclasses; i++) {
        const struct user_class *c = &sc->classes[i];

        fprintf(out, "    %s\n", c->name);
        for (size_t j = 0; j < c->ntasks; j++) {
            const struct task *t = &c->tasks[j];

            fprintf(out, "        %s  (%s%s %s", t->id,
                    t->phase == PHASE_ON_START  ? "on_start: "
                    : t->phase == PHASE_ON_STOP ? "on_stop: "
                                                : "",
                    t->method, t->name);
            if (t->phase == PHASE_TASK)
                fprintf(out, ", weight %u", t->weight);
            fputs(")\n", out);
        }
    }
}

/* Each class's share of the users, as Locust's _calc_distribution and get_ratio. */
static double *
class_ratios(const struct scenario *sc, const struct settings *s)
{
    double *ratio = xcalloc(sc->nclasses + 1, sizeof(*ratio));
    double fixed = 0, total_weight = 0, users, weighted, sum = 0;
    size_t i;

    for (i = 0; i < sc->nclasses; i++) {
        if (sc->classes[i].fixed_count > 0)
            fixed += sc->classes[i].fixed_count;
        else
            total_weight += sc->classes[i].weight;
    }
    users = s->users_origin.kind != ORIGIN_DEFAULT ? (double)s->users
            : fixed > 0                           ? 1
                                                  : total_weight;
    weighted = users - fixed > 0 ? users - fixed : 0;
    for (i = 0; i < sc->nclasses; i++) {
        const struct user_class *c = &sc->classes[i];

        ratio[i] = c->fixed_count > 0 ? c->fixed_count
                   : total_weight > 0 ? stats_round_half_even(c->weight / total_weight * weighted)
                                      : 0;
        sum += ratio[i];
    }
    for (i = 0; i < sc->nclasses; i++)
        ratio[i] /= sum > 0 ? sum : 1;
    return ratio;
}

/* A task's share within its class. */
static double
task_share(const struct user_class *c, const struct task *t)
{
    return c->total_weight > 0 ? (double)t->weight / c->total_weight : 0;
}

/* One line as Locust prints it: " %-10s %-50s" % (pad + "%-6.1f" % pct, pad + name). */
static void
ratio_line(FILE *out, int level, double ratio, const char *name)
{
    char pct[64], left[80], right[512];

    snprintf(pct, sizeof(pct), "%-6.1f", ratio * 100.0);
    snprintf(left, sizeof(left), "%*s%s", 2 * level, "", pct);
    snprintf(right, sizeof(right), "%*s%s", 2 * level, "", name);
    fprintf(out, " %-10s %-50s\n", left, right);
}

static void
ratio_block(FILE *out, const struct scenario *sc, const double *ratio, bool total)
{
    for (size_t i = 0; i < sc->nclasses; i++) {
        const struct user_class *c = &sc->classes[i];

        ratio_line(out, 0, ratio[i], c->name);
        for (size_t j = 0; j < c->ntasks; j++)
            if (c->tasks[j].phase == PHASE_TASK)
                ratio_line(out, 1, task_share(c, &c->tasks[j]) * (total ? ratio[i] : 1.0),
                           c->tasks[j].id);
    }
}

void
inspect_task_ratio(FILE *out, const struct scenario *sc, const struct settings *s)
{
    double *ratio = class_ratios(sc, s);

    fputs("\n Task ratio per User class\n", out);
    fprintf(out, "%.80s\n", "----------------------------------------"
                            "----------------------------------------");
    ratio_block(out, sc, ratio, false);
    fputs("\n Total task ratio\n", out);
    fprintf(out, "%.80s\n", "----------------------------------------"
                            "----------------------------------------");
    ratio_block(out, sc, ratio, true);
    free(ratio);
}

/* A float as Python's repr writes it: the shortest that reads back, with ".0" if whole. */
static void
put_float(FILE *out, double v)
{
    char buf[64];

    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, out);
    if (strpbrk(buf, ".eEn") == NULL)
        fputs(".0", out);
}

/* A JSON string. */
static void
put_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* One of "per_class" and "total", as json.dumps(indent=4) lays it out. */
static void
json_block(FILE *out, const struct scenario *sc, const double *ratio, bool total)
{
    if (sc->nclasses == 0) {
        fputs("{}", out);
        return;
    }
    fputs("{\n", out);
    for (size_t i = 0; i < sc->nclasses; i++) {
        const struct user_class *c = &sc->classes[i];
        size_t ntasks = 0, k = 0;

        for (size_t j = 0; j < c->ntasks; j++)
            ntasks += c->tasks[j].phase == PHASE_TASK;
        fputs("        ", out);
        put_string(out, c->name);
        fputs(": {\n            \"ratio\": ", out);
        put_float(out, ratio[i]);
        fputs(",\n            \"tasks\": ", out);
        if (ntasks == 0)
            fputs("{}", out);
        else
            fputs("{\n", out);
        for (size_t j = 0; j < c->ntasks; j++) {
            if (c->tasks[j].phase != PHASE_TASK)
                continue;
            fputs("                ", out);
            put_string(out, c->tasks[j].id);
            fputs(": {\n                    \"ratio\": ", out);
            put_float(out, task_share(c, &c->tasks[j]) * (total ? ratio[i] : 1.0));
            fprintf(out, "\n                }%s\n", ++k < ntasks ? "," : "");
        }
        if (ntasks > 0)
            fputs("            }", out);
        fprintf(out, "\n        }%s\n", i + 1 < sc->nclasses ? "," : "");
    }
    fputs("    }", out);
}

void
inspect_task_ratio_json(FILE *out, const struct scenario *sc, const struct settings *s)
{
    double *ratio = class_ratios(sc, s);

    fputs("{\n    \"per_class\": ", out);
    json_block(out, sc, ratio, false);
    fputs(",\n    \"total\": ", out);
    json_block(out, sc, ratio, true);
    fputs("\n}\n", out);
    free(ratio);
}
