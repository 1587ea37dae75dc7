/*
 * oneoff.c: the INI text of a one-off run (see oneoff.h). The base URL
 * (scheme and authority) becomes [run] host, the path and query the task's
 * path; users start without waiting between requests, as in wrk and hey,
 * and all within the first second unless -r says otherwise.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inifile.h"
#include "oneoff.h"
#include "util.h"

bool
oneoff_is_locustfile(const char *path)
{
    size_t len = strlen(path);
    char line[512];
    bool python = false;
    FILE *f;

    if (len > 3 && strcmp(path + len - 3, ".py") == 0)
        return true;
    if ((f = fopen(path, "r")) == NULL)
        return false;
    /* the first statement, within the first 64 lines (a device or FIFO never ends) */
    for (int n = 0; n < 64 && fgets(line, sizeof(line), f) != NULL; n++) {
        const char *p = line + strspn(line, " \t");

        if (*p == '\0')
            break;           /* a NUL byte: not Python source */
        if (*p == '#' || *p == '\n' || *p == '\r')
            continue;
        python = strncmp(p, "from locust", 11) == 0 || strncmp(p, "import locust", 13) == 0;
        break;
    }
    fclose(f);
    return python;
}

bool
oneoff_is_url(const char *word)
{
    return strncasecmp(word, "http://", 7) == 0 || strncasecmp(word, "https://", 8) == 0;
}

/* Can text be an INI value on one line, read back as is? NULL, or why not. */
static const char *
ini_unsafe(const char *text)
{
    const char *p;

    if (strchr(text, '\n') != NULL || strchr(text, '\r') != NULL)
        return "it has a line break";
    if (isspace((unsigned char)text[0]) || (text[0] != '\0' && isspace((unsigned char)text[strlen(text) - 1])))
        return "it starts or ends with a space";
    for (p = text; (p = strchr(p, ';')) != NULL; p++)
        if (p > text && isspace((unsigned char)p[-1]))
            return "a ';' after a space starts an INI comment";
    if ((int)strlen(text) + 16 > inifile_max_line())
        return "it is longer than an INI line may be";
    return NULL;
}

char *
oneoff_ini(const char *url, const struct settings *s, const char *users, const char *spawn_rate,
           const char *run_time, char **err)
{
    struct buf b;
    const char *rest, *why, *method;
    char *base;
    size_t i;

    /* base: up to the first '/', '?' or '#' after "scheme://" */
    rest = strstr(url, "://") + 3;
    rest += strcspn(rest, "/?#");
    base = xstrndup(url, (size_t)(rest - url));
    if (*rest == '#') {
        *err = xasprintf("%s: a URL to load-test has no fragment", url);
        free(base);
        return NULL;
    }
    if ((why = ini_unsafe(url)) != NULL) {
        *err = xasprintf("%s: the URL cannot be used: %s", url, why);
        free(base);
        return NULL;
    }
    if (s->oneoff_data != NULL && s->oneoff_data_file != NULL) {
        *err = xstrdup("-d and -D: give the body once, as text (-d) or as a file (-D)");
        free(base);
        return NULL;
    }
    if (s->oneoff_data != NULL && (why = ini_unsafe(s->oneoff_data)) != NULL) {
        *err = xasprintf("-d: this body cannot be written in an INI file (%s): put it in a "
                         "file and give -D FILE", why);
        free(base);
        return NULL;
    }
    for (i = 0; i < s->noneoff_headers; i++) {
        const char *h = s->oneoff_headers[i], *colon = strchr(h, ':');

        if (colon == NULL || colon == h || (why = ini_unsafe(h)) != NULL) {
            *err = xasprintf("-A '%s': expected 'Name: value'%s%s", h, why ? ": " : "",
                             why ? why : "");
            free(base);
            return NULL;
        }
    }
    method = s->oneoff_method != NULL ? s->oneoff_method
             : s->oneoff_data != NULL || s->oneoff_data_file != NULL ? "POST"
                                                                     : "GET";
    for (i = 0; method[i] != '\0'; i++) {
        if (!isalpha((unsigned char)method[i])) {
            *err = xasprintf("-m '%s': expected a method such as GET, POST or PUT", method);
            free(base);
            return NULL;
        }
    }

    buf_init(&b);
    buf_printf(&b, "; a one-off run of %s %s\n", method, url);
    buf_printf(&b, "; (cicada --dump-ini); run it with cicada -f FILE\n\n[run]\nhost = %s\n",
               base);
    if (users != NULL)
        buf_printf(&b, "users = %s\n", users);
    if (spawn_rate != NULL)
        buf_printf(&b, "spawn_rate = %s\n", spawn_rate);
    else if (users != NULL)
        buf_printf(&b, "; every user starts within the first second, as in wrk and hey\n"
                       "spawn_rate = %s\n", users);
    if (run_time != NULL)
        buf_printf(&b, "run_time = %s\n", run_time);
    buf_printf(&b, "\n[user OneOff]\n; no wait between requests, as in wrk and hey\n"
                   "wait = constant 0\n\n[task OneOff request]\nmethod = ");
    for (i = 0; method[i] != '\0'; i++)
        buf_printf(&b, "%c", toupper((unsigned char)method[i]));
    buf_printf(&b, "\npath = %s\n", *rest == '\0' ? "/" : rest);
    for (i = 0; i < s->noneoff_headers; i++)
        buf_printf(&b, "header = %s\n", s->oneoff_headers[i]);
    if (s->oneoff_data != NULL)
        buf_printf(&b, "body = %s\n", s->oneoff_data);
    if (s->oneoff_data_file != NULL)
        buf_printf(&b, "body_file = %s\n", s->oneoff_data_file);
    free(base);
    return buf_steal(&b);
}
