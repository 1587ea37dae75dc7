/*
 * settings.c: defaults of the run's settings and the description of where
 * a value came from.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "threshold.h"

void
settings_init(struct settings *s)
{
    memset(s, 0, sizeof(*s));
    s->users = 1;
    s->spawn_rate = 1;
    s->stop_timeout = -1;
    s->timeout = 60;
    s->connect_timeout = 10;
    s->exit_code_on_error = 1;
    s->loglevel = LOG_INFO;
    s->refresh = 0.25;
    s->threshold_grace = 10;
    s->master_port = 5557;
    s->master_timeout = 60;
    s->autoquit = -1;
    demo_conf_defaults(&s->demo_conf);
}

void
settings_free(struct settings *s)
{
    free(s->scenario_path);
    free(s->host);
    free(s->logfile);
    free(s->csv_prefix);
    free(s->json_path);
    free(s->html_path);
    for (size_t i = 0; i < s->nthresholds; i++)
        threshold_free(&s->thresholds[i]);
    free(s->thresholds);
    free(s->env_file);
    free(s->user_classes);
    free(s->tags);
    free(s->exclude_tags);
    free(s->aws_sigv4);
    free(s->aws_region);
    free(s->aws_profile);
    free(s->master_host);
    free(s->oneoff_method);
    free(s->oneoff_data);
    free(s->oneoff_data_file);
    for (size_t i = 0; i < s->noneoff_headers; i++)
        free(s->oneoff_headers[i]);
    free(s->oneoff_headers);
    memset(s, 0, sizeof(*s));
}

const char *
origin_describe(const struct origin *o, char *buf, size_t size)
{
    switch (o->kind) {
    case ORIGIN_FILE:
        snprintf(buf, size, "%s:%d", o->file, o->line);
        break;
    case ORIGIN_ENV:
        snprintf(buf, size, "%s", o->file);
        break;
    case ORIGIN_CLI:
        snprintf(buf, size, "%s", o->flag);
        break;
    default:
        snprintf(buf, size, "default");
        break;
    }
    return buf;
}
