/*
 * check.c: response checks and captures (see check.h). Parsing happens at
 * load; running them per response reads the bounded body buffer and
 * parses JSON at most once per response.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "units.h"

/* Is path a usable field path: words of letters, digits, '_', '-', separated by dots? */
static bool
valid_path(const char *path)
{
    const char *p;
    bool word = false;

    if (path[0] == '\0')
        return false;
    for (p = path; *p != '\0'; p++) {
        if (*p == '.') {
            if (!word)
                return false;
            word = false;
        } else if (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '@' ||
                   *p == '$') {
            word = true;
        } else {
            return false;
        }
    }
    return word;
}

int
check_parse_body(const char *value, struct check *c, char **err)
{
    memset(c, 0, sizeof(*c));
    if (value[0] == '\0') {
        *err = xstrdup("expect_body needs the text the body must contain");
        return -1;
    }
    c->kind = CHECK_BODY;
    c->text = xstrdup(value);
    return 0;
}

int
check_parse_json(const char *value, struct check *c, char **err)
{
    const char *eq = strstr(value, "==");
    char *field, *raw;

    memset(c, 0, sizeof(*c));
    raw = eq != NULL ? xstrndup(value, (size_t)(eq - value)) : xstrdup(value);
    field = xstrdup(str_trim(raw));
    free(raw);
    if (!valid_path(field)) {
        *err = xasprintf("bad expect_json \"%s\": write expect_json = FIELD or "
                         "expect_json = FIELD == VALUE, FIELD a path such as label or "
                         "result.scores.0", value);
        free(field);
        return -1;
    }
    c->text = field;
    if (eq == NULL) {
        c->kind = CHECK_JSON_EXISTS;
        return 0;
    }
    c->kind = CHECK_JSON_EQUALS;
    raw = xstrdup(eq + 2);
    c->want_text = xstrdup(str_trim(raw));
    free(raw);
    if (c->want_text[0] == '\0') {
        *err = xasprintf("bad expect_json \"%s\": give a value after ==", value);
        check_free(c);
        return -1;
    }
    /* a JSON value ("spam", 1, true, null), else the words as a string */
    c->want = cJSON_Parse(c->want_text);
    if (c->want == NULL)
        c->want = cJSON_CreateString(c->want_text);
    return 0;
}

int
check_parse_time(const char *value, struct check *c, char **err)
{
    memset(c, 0, sizeof(*c));
    if (units_parse_duration(value, &c->max_seconds) < 0 || !(c->max_seconds > 0)) {
        *err = xasprintf("bad value \"%s\" for max_response_time: expected a duration above 0 "
                         "such as 500ms, 2s or 1.5", value);
        return -1;
    }
    c->kind = CHECK_TIME;
    return 0;
}

void
check_free(struct check *c)
{
    free(c->text);
    free(c->want_text);
    cJSON_Delete(c->want);
    memset(c, 0, sizeof(*c));
}

int
capture_parse(const char *value, struct capture *cap, char **err)
{
    char *copy = xstrdup(value);
    char *words[4], *save = NULL, *w;
    size_t n = 0;
    const char *p;

    memset(cap, 0, sizeof(*cap));
    for (w = strtok_r(copy, " \t", &save); w != NULL && n < 4; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    if (n != 3 || (strcmp(words[1], "json") != 0 && strcmp(words[1], "header") != 0)) {
        *err = xasprintf("bad capture \"%s\": write capture = NAME json FIELD or "
                         "capture = NAME header HEADER", value);
        free(copy);
        return -1;
    }
    for (p = words[0]; *p != '\0'; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.') {
            *err = xasprintf("bad capture name '%s': use letters, digits, '_', '-' or '.'",
                             words[0]);
            free(copy);
            return -1;
        }
    }
    if (words[1][0] == 'j' && !valid_path(words[2])) {
        *err = xasprintf("bad capture field '%s': a path such as token or data.access_token",
                         words[2]);
        free(copy);
        return -1;
    }
    cap->name = xstrdup(words[0]);
    cap->kind = words[1][0] == 'j' ? CAPTURE_JSON : CAPTURE_HEADER;
    cap->field = xstrdup(words[2]);
    cap->var = -1;
    free(copy);
    return 0;
}

void
capture_free(struct capture *cap)
{
    free(cap->name);
    free(cap->field);
    memset(cap, 0, sizeof(*cap));
}

cJSON *
json_lookup(cJSON *root, const char *path)
{
    char key[256];
    const char *p = path;
    cJSON *cur = root;

    while (cur != NULL && *p != '\0') {
        size_t n = strcspn(p, ".");
        char *end;
        long idx;

        if (n >= sizeof(key))
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        p += n;
        if (*p == '.')
            p++;
        if (cJSON_IsArray(cur)) {
            idx = strtol(key, &end, 10);
            if (end == key || *end != '\0' || idx < 0)
                return NULL;
            cur = cJSON_GetArrayItem(cur, (int)idx);
        } else if (cJSON_IsObject(cur)) {
            cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        } else {
            return NULL;
        }
    }
    return cur;
}

/* The parsed body, or NULL (not JSON). */
static cJSON *
response_json(struct check_response *r)
{
    if (!r->json_tried) {
        r->json_tried = true;
        r->json = r->truncated ? NULL : cJSON_ParseWithLength(r->body, r->len);
    }
    return r->json;
}

/* Does the body contain text? */
static bool
body_contains(const struct check_response *r, const char *text)
{
    size_t n = strlen(text);

    if (n == 0)
        return true;
    return r->body != NULL && memmem(r->body, r->len, text, n) != NULL;
}

enum check_failure
check_run(const struct check *c, struct check_response *r)
{
    cJSON *item;

    switch (c->kind) {
    case CHECK_TIME:
        return r->seconds > c->max_seconds ? CHECK_SLOW : CHECK_OK;
    case CHECK_BODY:
        if (body_contains(r, c->text))
            return CHECK_OK;
        return r->truncated ? CHECK_TOO_BIG : CHECK_MISSING;
    case CHECK_JSON_EXISTS:
    case CHECK_JSON_EQUALS:
        if (r->truncated)
            return CHECK_TOO_BIG;
        if (response_json(r) == NULL)
            return CHECK_NOT_JSON;
        item = json_lookup(r->json, c->text);
        if (item == NULL)
            return CHECK_MISSING;
        if (c->kind == CHECK_JSON_EQUALS && !cJSON_Compare(item, c->want, true))
            return CHECK_MISMATCH;
        return CHECK_OK;
    }
    return CHECK_OK;
}

enum check_failure
capture_json(const struct capture *cap, struct check_response *r, struct buf *out)
{
    cJSON *item;

    if (r->truncated)
        return CHECK_TOO_BIG;
    if (response_json(r) == NULL)
        return CHECK_NOT_JSON;
    item = json_lookup(r->json, cap->field);
    if (item == NULL || cJSON_IsNull(item))
        return CHECK_MISSING;
    out->len = 0;
    if (cJSON_IsString(item)) {
        buf_puts(out, item->valuestring);
    } else {
        char *text = cJSON_PrintUnformatted(item);

        buf_puts(out, text != NULL ? text : "");
        cJSON_free(text);
    }
    return CHECK_OK;
}

void
check_response_done(struct check_response *r)
{
    cJSON_Delete(r->json);
    r->json = NULL;
    r->json_tried = false;
}

void
check_describe(const struct check *c, enum check_failure why, char *buf, size_t size)
{
    if (why == CHECK_TOO_BIG) {
        snprintf(buf, size, "response body over %d bytes: too large to check",
                 CHECK_BODY_MAX);
        return;
    }
    switch (c->kind) {
    case CHECK_TIME:
        snprintf(buf, size, "response time above %g ms", c->max_seconds * 1000.0);
        break;
    case CHECK_BODY:
        snprintf(buf, size, "body does not contain \"%s\"", c->text);
        break;
    case CHECK_JSON_EXISTS:
    case CHECK_JSON_EQUALS:
        if (why == CHECK_NOT_JSON)
            snprintf(buf, size, "body is not JSON (expected field %s)", c->text);
        else if (why == CHECK_MISSING)
            snprintf(buf, size, "JSON field %s missing", c->text);
        else
            snprintf(buf, size, "JSON field %s is not %s", c->text, c->want_text);
        break;
    }
}

void
capture_describe(const struct capture *cap, enum check_failure why, char *buf, size_t size)
{
    if (why == CHECK_TOO_BIG)
        snprintf(buf, size, "capture %s: response body over %d bytes", cap->name,
                 CHECK_BODY_MAX);
    else if (why == CHECK_NOT_JSON)
        snprintf(buf, size, "capture %s: body is not JSON", cap->name);
    else if (cap->kind == CAPTURE_HEADER)
        snprintf(buf, size, "capture %s: header %s missing", cap->name, cap->field);
    else
        snprintf(buf, size, "capture %s: JSON field %s missing", cap->name, cap->field);
}
