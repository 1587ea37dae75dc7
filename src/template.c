/*
 * template.c: compiling and expanding request templates (see template.h).
 *
 * A compiled template is a list of segments: plain text (with variables,
 * whole files and base64 already substituted and filtered), or a dynamic
 * value drawn per request (a line of a data file, a number, a UUID, a
 * lorem-ipsum text, a captured variable). Data files live in the library,
 * read once and shared by every user of every worker; the only state
 * written during a run is a sequential file's cursor, an atomic counter.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "rng.h"
#include "secret.h"
#include "template.h"

#define LOREM_POOL 1000      /* texts generated per {{lorem KIND N}} */
#define LOREM_MAX 1000       /* largest N */

enum filter {
    FILTER_NONE,
    FILTER_JSON,
    FILTER_URL,
};

enum seg_kind {
    SEG_TEXT,
    SEG_LINE,                /* random line */
    SEG_NEXT,                /* next line, in order */
    SEG_INT,
    SEG_UUID,
    SEG_POOL,                /* a random text of a lorem pool */
    SEG_VAR,
};

struct span {
    size_t off, len;
};

/* A data file: its text and its lines. */
struct data_file {
    char *path;              /* resolved */
    char *text;
    struct span *lines;
    size_t nlines;
    atomic_size_t cursor;    /* {{next}}: shared by every user */
};

/* Pre-generated lorem-ipsum texts. */
struct pool {
    bool paragraphs;
    unsigned n;
    char **texts;
    size_t *lens;
};

struct segment {
    enum seg_kind kind;
    enum filter filter;
    char *text;              /* SEG_TEXT */
    size_t len;
    struct data_file *data;  /* SEG_LINE, SEG_NEXT */
    struct pool *pool;       /* SEG_POOL */
    int64_t lo, hi;          /* SEG_INT */
    int var;                 /* SEG_VAR */
};

struct tmpl {
    struct segment *segs;
    size_t nsegs;
};

struct tmpl_var {
    char *name;
    bool declared;
    int first_use;           /* line, 0 if unused */
};

struct tmpl_lib {
    char *dir;
    char **env_names, **env_values;
    size_t nenv;
    char *env_path;          /* the .env file read, for messages */
    struct data_file **files;
    size_t nfiles;
    struct pool **pools;
    size_t npools;
    struct tmpl_var *vars;
    size_t nvars;
    uint64_t rng[4];         /* for generating lorem pools at load */
};

static const char *const lorem_words[] = {
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
    "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna",
    "aliqua", "enim", "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco",
    "laboris", "nisi", "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure",
    "in", "reprehenderit", "voluptate", "velit", "esse", "cillum", "fugiat", "nulla",
    "pariatur", "excepteur", "sint", "occaecat", "cupidatat", "non", "proident", "sunt",
    "culpa", "qui", "officia", "deserunt", "mollit", "anim", "id", "est", "laborum", "porta",
    "nibh", "venenatis", "cras", "pulvinar", "mattis", "nunc", "faucibus", "vitae", "turpis",
};

/* ---- the library ---- */

struct tmpl_lib *
tmpl_lib_new(const char *dir)
{
    struct tmpl_lib *lib = xcalloc(1, sizeof(*lib));

    lib->dir = xstrdup(dir);
    rng_seed(lib->rng, (uint64_t)(time_wall() * 1e6));
    return lib;
}

void
tmpl_lib_free(struct tmpl_lib *lib)
{
    size_t i;
    unsigned j;

    if (lib == NULL)
        return;
    for (i = 0; i < lib->nenv; i++) {
        free(lib->env_names[i]);
        free(lib->env_values[i]);
    }
    free(lib->env_names);
    free(lib->env_values);
    free(lib->env_path);
    for (i = 0; i < lib->nfiles; i++) {
        free(lib->files[i]->path);
        free(lib->files[i]->text);
        free(lib->files[i]->lines);
        free(lib->files[i]);
    }
    free(lib->files);
    for (i = 0; i < lib->npools; i++) {
        for (j = 0; j < LOREM_POOL; j++)
            free(lib->pools[i]->texts[j]);
        free(lib->pools[i]->texts);
        free(lib->pools[i]->lens);
        free(lib->pools[i]);
    }
    free(lib->pools);
    for (i = 0; i < lib->nvars; i++)
        free(lib->vars[i].name);
    free(lib->vars);
    free(lib->dir);
    free(lib);
}

/* Is c allowed in a variable name (after the first character)? */
static bool
name_char(int c)
{
    return isalnum(c) || c == '_';
}

int
tmpl_lib_load_env(struct tmpl_lib *lib, const char *path, char **err)
{
    size_t len;
    char *why = NULL;
    char *text = file_read_all(path, &len, &why);
    char *line;
    int lineno = 0;
    char *p;

    if (text == NULL) {
        *err = xasprintf("cannot read the variables file: %s", why);
        free(why);
        return -1;
    }
    free(lib->env_path);
    lib->env_path = xstrdup(path);
    /* count lines by hand: strtok_r would skip empty ones */
    for (line = text; line != NULL; line = p) {
        char *eq, *name, *value;
        size_t vlen;

        p = strchr(line, '\n');
        if (p != NULL)
            *p++ = '\0';
        lineno++;
        name = str_trim(line);
        if (name[0] == '\0' || name[0] == '#')
            continue;
        if (strncmp(name, "export ", 7) == 0)
            name = str_trim(name + 7);
        eq = strchr(name, '=');
        if (eq == NULL) {
            *err = xasprintf("%s:%d: expected NAME=value", path, lineno);
            free(text);
            return -1;
        }
        *eq = '\0';
        value = str_trim(eq + 1);
        str_trim(name);
        if (name[0] == '\0' || isdigit((unsigned char)name[0])) {
            *err = xasprintf("%s:%d: expected NAME=value, NAME made of letters, digits "
                             "and '_'", path, lineno);
            free(text);
            return -1;
        }
        for (char *c = name; *c != '\0'; c++) {
            if (!name_char((unsigned char)*c)) {
                *err = xasprintf("%s:%d: expected NAME=value, NAME made of letters, digits "
                                 "and '_'", path, lineno);
                free(text);
                return -1;
            }
        }
        vlen = strlen(value);
        if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
            value[vlen - 1] = '\0';
            value++;
        } else {
            /* an unquoted value ends at " #", a comment */
            char *hash = strstr(value, " #");

            if (hash != NULL) {
                *hash = '\0';
                str_trim(value);
            }
        }
        lib->env_names = xrealloc(lib->env_names, (lib->nenv + 1) * sizeof(char *));
        lib->env_values = xrealloc(lib->env_values, (lib->nenv + 1) * sizeof(char *));
        lib->env_names[lib->nenv] = xstrdup(name);
        lib->env_values[lib->nenv] = xstrdup(value);
        lib->nenv++;
    }
    free(text);
    return 0;
}

/* A variable's value: the environment first, then the .env file; NULL if unset. */
static const char *
env_lookup(const struct tmpl_lib *lib, const char *name)
{
    const char *v = getenv(name);
    size_t i;

    if (v != NULL)
        return v;
    for (i = lib->nenv; i-- > 0;)
        if (strcmp(lib->env_names[i], name) == 0)
            return lib->env_values[i];
    return NULL;
}

size_t
tmpl_lib_nvars(const struct tmpl_lib *lib)
{
    return lib->nvars;
}

int
tmpl_lib_var_index(const struct tmpl_lib *lib, const char *name)
{
    size_t i;

    for (i = 0; i < lib->nvars; i++)
        if (strcmp(lib->vars[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The index of a variable, added if new. */
static int
var_add(struct tmpl_lib *lib, const char *name)
{
    int i = tmpl_lib_var_index(lib, name);

    if (i >= 0)
        return i;
    lib->vars = xrealloc(lib->vars, (lib->nvars + 1) * sizeof(*lib->vars));
    memset(&lib->vars[lib->nvars], 0, sizeof(*lib->vars));
    lib->vars[lib->nvars].name = xstrdup(name);
    return (int)lib->nvars++;
}

int
tmpl_lib_declare_var(struct tmpl_lib *lib, const char *name)
{
    int i = var_add(lib, name);

    lib->vars[i].declared = true;
    return i;
}

int
tmpl_lib_check_vars(const struct tmpl_lib *lib, int *line, char **err)
{
    size_t i;

    for (i = 0; i < lib->nvars; i++) {
        if (!lib->vars[i].declared) {
            *line = lib->vars[i].first_use;
            *err = xasprintf("{{var %s}}: no task captures '%s' (add capture = %s json FIELD "
                             "or capture = %s header NAME to a task, such as an on_start one)",
                             lib->vars[i].name, lib->vars[i].name, lib->vars[i].name,
                             lib->vars[i].name);
            return -1;
        }
    }
    return 0;
}

/* Resolve a file name against the scenario's directory. */
static char *
resolve(const struct tmpl_lib *lib, const char *name)
{
    return name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", lib->dir, name);
}

/* Does name end with suffix? */
static bool
ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);

    return n >= m && strcmp(name + n - m, suffix) == 0;
}

/* Read a data file into lines (once per library); NULL with *err. */
static struct data_file *
data_load(struct tmpl_lib *lib, const char *name, char **err)
{
    char *path = resolve(lib, name);
    struct data_file *d;
    size_t i, len, cap = 0;
    char *why = NULL, *p, *end;
    bool jsonl = ends_with(name, ".jsonl") || ends_with(name, ".ndjson");
    size_t lineno = 0;

    for (i = 0; i < lib->nfiles; i++) {
        if (strcmp(lib->files[i]->path, path) == 0) {
            free(path);
            return lib->files[i];
        }
    }
    d = xcalloc(1, sizeof(*d));
    d->text = file_read_all(path, &len, &why);
    if (d->text == NULL) {
        *err = xasprintf("cannot read data file: %s", why);
        free(why);
        free(path);
        free(d);
        return NULL;
    }
    d->path = path;
    p = d->text;
    end = d->text + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

        lineno++;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > 0) {
            if (memchr(p, '\0', n) != NULL) {
                *err = xasprintf("%s:%zu: data file line holds a NUL byte (use {{base64 "
                                 "FILE}} for binary data)", name, lineno);
                goto fail;
            }
            if (jsonl) {
                cJSON *doc = cJSON_ParseWithLength(p, n);

                if (doc == NULL) {
                    *err = xasprintf("%s:%zu: not valid JSON (a .jsonl file holds one JSON "
                                     "value per line)", name, lineno);
                    goto fail;
                }
                cJSON_Delete(doc);
            }
            if (d->nlines == cap) {
                cap = cap ? cap * 2 : 1024;
                d->lines = xrealloc(d->lines, cap * sizeof(*d->lines));
            }
            d->lines[d->nlines].off = (size_t)(p - d->text);
            d->lines[d->nlines].len = n;
            d->nlines++;
        }
        p = nl != NULL ? nl + 1 : end;
    }
    if (d->nlines == 0) {
        *err = xasprintf("data file %s has no lines", name);
        goto fail;
    }
    lib->files = xrealloc(lib->files, (lib->nfiles + 1) * sizeof(*lib->files));
    lib->files[lib->nfiles++] = d;
    return d;
fail:
    free(d->path);
    free(d->text);
    free(d->lines);
    free(d);
    return NULL;
}

/* Append a lorem-ipsum sentence of 6 to 14 words. */
static void
lorem_sentence(uint64_t *rng, struct buf *b)
{
    unsigned n = 6 + (unsigned)rng_below64(rng, 9), i;

    for (i = 0; i < n; i++) {
        const char *w = lorem_words[rng_below64(rng, ARRAY_LEN(lorem_words))];

        if (i > 0)
            buf_puts(b, i + 1 < n && rng_below64(rng, 8) == 0 ? ", " : " ");
        if (i == 0) {
            char first = (char)toupper((unsigned char)w[0]);

            buf_append(b, &first, 1);
            buf_puts(b, w + 1);
        } else {
            buf_puts(b, w);
        }
    }
    buf_puts(b, ".");
}

/* The pool of lorem texts of n words or paragraphs (generated once). */
static struct pool *
pool_get(struct tmpl_lib *lib, bool paragraphs, unsigned n)
{
    struct pool *p;
    size_t i;
    unsigned j, k;

    for (i = 0; i < lib->npools; i++)
        if (lib->pools[i]->paragraphs == paragraphs && lib->pools[i]->n == n)
            return lib->pools[i];
    p = xcalloc(1, sizeof(*p));
    p->paragraphs = paragraphs;
    p->n = n;
    p->texts = xcalloc(LOREM_POOL, sizeof(*p->texts));
    p->lens = xcalloc(LOREM_POOL, sizeof(*p->lens));
    for (j = 0; j < LOREM_POOL; j++) {
        struct buf b;

        buf_init(&b);
        for (k = 0; k < n; k++) {
            if (paragraphs) {
                unsigned s, ns = 4 + (unsigned)rng_below64(lib->rng, 5);

                if (k > 0)
                    buf_puts(&b, "\n\n");
                for (s = 0; s < ns; s++) {
                    if (s > 0)
                        buf_puts(&b, " ");
                    lorem_sentence(lib->rng, &b);
                }
            } else {
                if (k > 0)
                    buf_puts(&b, " ");
                buf_puts(&b, lorem_words[rng_below64(lib->rng, ARRAY_LEN(lorem_words))]);
            }
        }
        p->lens[j] = b.len;
        p->texts[j] = buf_steal(&b);
    }
    lib->pools = xrealloc(lib->pools, (lib->npools + 1) * sizeof(*lib->pools));
    lib->pools[lib->npools++] = p;
    return p;
}

/* ---- filters ---- */

/* Append s (n bytes) to out through a filter. */
static void
emit(struct buf *out, const char *s, size_t n, enum filter f)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, start = 0;

    if (f == FILTER_NONE) {
        buf_append(out, s, n);
        return;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t elen = 0;

        if (f == FILTER_JSON) {
            if (c == '"' || c == '\\') {
                esc[0] = '\\';
                esc[1] = (char)c;
                elen = 2;
            } else if (c == '\n') {
                memcpy(esc, "\\n", 2);
                elen = 2;
            } else if (c == '\r') {
                memcpy(esc, "\\r", 2);
                elen = 2;
            } else if (c == '\t') {
                memcpy(esc, "\\t", 2);
                elen = 2;
            } else if (c < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                elen = 6;
            }
        } else if (!(isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')) {
            esc[0] = '%';
            esc[1] = hex[c >> 4];
            esc[2] = hex[c & 15];
            elen = 3;
        }
        if (elen > 0) {
            buf_append(out, s + start, i - start);
            buf_append(out, esc, elen);
            start = i + 1;
        }
    }
    buf_append(out, s + start, n - start);
}

/* Base64 of n bytes at s, appended to out. */
static void
base64_append(struct buf *out, const unsigned char *s, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;

    buf_reserve(out, (n + 2) / 3 * 4 + 1);
    for (i = 0; i + 2 < n; i += 3) {
        char q[4] = { tab[s[i] >> 2], tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
                      tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)], tab[s[i + 2] & 63] };

        buf_append(out, q, 4);
    }
    if (n - i == 1) {
        char q[4] = { tab[s[i] >> 2], tab[(s[i] & 3) << 4], '=', '=' };

        buf_append(out, q, 4);
    } else if (n - i == 2) {
        char q[4] = { tab[s[i] >> 2], tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
                      tab[(s[i + 1] & 15) << 2], '=' };

        buf_append(out, q, 4);
    }
}

/* ---- compiling ---- */

/* Add a segment to t; returns it. */
static struct segment *
seg_add(struct tmpl *t, enum seg_kind kind)
{
    struct segment *s;

    t->segs = xrealloc(t->segs, (t->nsegs + 1) * sizeof(*t->segs));
    s = &t->segs[t->nsegs++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    return s;
}

/* Move pending plain text into a text segment. */
static void
flush_text(struct tmpl *t, struct buf *text)
{
    struct segment *s;

    if (text->len == 0)
        return;
    s = seg_add(t, SEG_TEXT);
    s->len = text->len;
    s->text = buf_steal(text);
}

/* Parse a whole number; 0 or -1. */
static int
parse_int(const char *s, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0)
        return -1;
    *out = v;
    return 0;
}

static const char *const functions[] = { "line", "next", "file", "base64", "int", "uuid",
                                          "lorem", "var", NULL };

/* One {{...}} split up: its words (the function first) and its filter. */
struct call {
    char *words[5];
    size_t n;
    enum filter filter;
    int line;                /* of the scenario, for {{var}}'s first use */
};

/* Split inside (modified) into c: "FUNCTION ARG... | FILTER". 0, or -1 with *err. */
static int
split_call(char *inside, int line, struct call *c, char **err)
{
    char *bar = strchr(inside, '|');
    char *save = NULL, *w;

    c->n = 0;
    c->filter = FILTER_NONE;
    c->line = line;
    /* a value continued over lines: a {{ closes on its own line (an error is one line) */
    if (strpbrk(inside, "\r\n") != NULL) {
        *err = xstrdup("a {{ is not closed by }} on its own line");
        return -1;
    }
    if (bar != NULL) {
        char *f = str_trim(bar + 1);

        *bar = '\0';
        if (strcmp(f, "json") == 0)
            c->filter = FILTER_JSON;
        else if (strcmp(f, "url") == 0)
            c->filter = FILTER_URL;
        else {
            *err = xasprintf("unknown filter '| %s': use | json or | url", f);
            return -1;
        }
    }
    for (w = strtok_r(inside, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
        if (c->n == ARRAY_LEN(c->words)) {
            *err = xstrdup("too many words in {{...}}");
            return -1;
        }
        c->words[c->n++] = w;
    }
    if (c->n == 0) {
        *err = xstrdup("empty {{}}: write a function such as {{line FILE}} or {{uuid}}");
        return -1;
    }
    return 0;
}

/* {{line FILE}}, {{next FILE}}: a line of a data file per expansion. */
static int
call_line(struct tmpl_lib *lib, struct tmpl *t, struct buf *text, const struct call *c,
          char **err)
{
    struct data_file *d;
    struct segment *s;

    if (c->n != 2) {
        *err = xasprintf("{{%s FILE}} takes one file name", c->words[0]);
        return -1;
    }
    if ((d = data_load(lib, c->words[1], err)) == NULL)
        return -1;
    flush_text(t, text);
    s = seg_add(t, c->words[0][0] == 'l' ? SEG_LINE : SEG_NEXT);
    s->data = d;
    s->filter = c->filter;
    return 0;
}

/* {{file FILE}}, {{base64 FILE}}: a file's bytes, read once, as plain text. */
static int
call_file(struct tmpl_lib *lib, struct buf *text, const struct call *c, char **err)
{
    char *path, *why = NULL, *data;
    size_t len;

    if (c->n != 2) {
        *err = xasprintf("{{%s FILE}} takes one file name", c->words[0]);
        return -1;
    }
    path = resolve(lib, c->words[1]);
    data = file_read_all(path, &len, &why);
    free(path);
    if (data == NULL) {
        *err = xasprintf("cannot read file: %s", why);
        free(why);
        return -1;
    }
    if (c->words[0][0] == 'b') {
        struct buf b64;

        buf_init(&b64);
        base64_append(&b64, (const unsigned char *)data, len);
        emit(text, b64.data != NULL ? b64.data : "", b64.len, c->filter);
        buf_free(&b64);
    } else {
        emit(text, data, len, c->filter);
    }
    free(data);
    return 0;
}

/* {{int LO HI}} */
static int
call_int(struct tmpl *t, struct buf *text, const struct call *c, char **err)
{
    int64_t lo, hi;
    struct segment *s;

    if (c->n != 3 || parse_int(c->words[1], &lo) < 0 || parse_int(c->words[2], &hi) < 0 ||
        hi < lo) {
        *err = xstrdup("{{int LO HI}} takes two whole numbers, LO <= HI");
        return -1;
    }
    flush_text(t, text);
    s = seg_add(t, SEG_INT);
    s->lo = lo;
    s->hi = hi;
    s->filter = c->filter;
    return 0;
}

/* {{uuid}} */
static int
call_uuid(struct tmpl *t, struct buf *text, const struct call *c, char **err)
{
    if (c->n != 1) {
        *err = xstrdup("{{uuid}} takes no arguments");
        return -1;
    }
    flush_text(t, text);
    seg_add(t, SEG_UUID)->filter = c->filter;
    return 0;
}

/* {{lorem words N}}, {{lorem paragraphs N}} */
static int
call_lorem(struct tmpl_lib *lib, struct tmpl *t, struct buf *text, const struct call *c,
           char **err)
{
    int64_t count;
    bool paragraphs;
    struct segment *s;

    if (c->n != 3 ||
        (strcmp(c->words[1], "words") != 0 && strcmp(c->words[1], "paragraphs") != 0) ||
        parse_int(c->words[2], &count) < 0 || count < 1 || count > LOREM_MAX) {
        *err = xasprintf("{{lorem words N}} or {{lorem paragraphs N}}, N from 1 to %d",
                         LOREM_MAX);
        return -1;
    }
    paragraphs = c->words[1][0] == 'p';
    flush_text(t, text);
    s = seg_add(t, SEG_POOL);
    s->pool = pool_get(lib, paragraphs, (unsigned)count);
    s->filter = c->filter;
    return 0;
}

/* {{var NAME}}: a variable a capture sets (or the environment). */
static int
call_var(struct tmpl_lib *lib, struct tmpl *t, struct buf *text, const struct call *c,
         char **err)
{
    const char *name;
    struct segment *s;
    int i;

    if (c->n != 2) {
        *err = xstrdup("{{var NAME}} takes one variable name");
        return -1;
    }
    name = c->words[1];
    for (const char *p = name; *p != '\0'; p++) {
        if (!name_char((unsigned char)*p) && *p != '-' && *p != '.') {
            *err = xasprintf("bad variable name '%s'", name);
            return -1;
        }
    }
    i = var_add(lib, name);
    if (lib->vars[i].first_use == 0)
        lib->vars[i].first_use = c->line;
    flush_text(t, text);
    s = seg_add(t, SEG_VAR);
    s->var = i;
    s->filter = c->filter;
    return 0;
}

/*
 * Compile one {{...}} (its inside, NUL-terminated, modifiable) into t,
 * plain results going to text. 0, or -1 with *err.
 */
static int
compile_call(struct tmpl_lib *lib, struct tmpl *t, struct buf *text, char *inside, int line,
             char **err)
{
    struct call c;
    const char *fn, *near;

    if (split_call(inside, line, &c, err) < 0)
        return -1;
    fn = c.words[0];
    if (strcmp(fn, "line") == 0 || strcmp(fn, "next") == 0)
        return call_line(lib, t, text, &c, err);
    if (strcmp(fn, "file") == 0 || strcmp(fn, "base64") == 0)
        return call_file(lib, text, &c, err);
    if (strcmp(fn, "int") == 0)
        return call_int(t, text, &c, err);
    if (strcmp(fn, "uuid") == 0)
        return call_uuid(t, text, &c, err);
    if (strcmp(fn, "lorem") == 0)
        return call_lorem(lib, t, text, &c, err);
    if (strcmp(fn, "var") == 0)
        return call_var(lib, t, text, &c, err);
    if ((near = str_suggest(fn, functions)) != NULL)
        *err = xasprintf("unknown function {{%s}} (did you mean {{%s}}?)", fn, near);
    else
        *err = xasprintf("unknown function {{%s}}: use line, next, file, base64, int, uuid, "
                         "lorem or var", fn);
    return -1;
}

/* Substitute ${NAME} or ${NAME:-default} starting at p ("${"); returns bytes used or -1. */
static long
compile_env(struct tmpl_lib *lib, const char *p, const char *end, struct buf *text, char **err)
{
    const char *close = memchr(p, '}', (size_t)(end - p));
    const char *name = p + 2, *q, *def = NULL;
    const char *value;
    char *nm;

    if (close == NULL) {
        *err = xstrdup("unclosed ${: write ${NAME}");
        return -1;
    }
    for (q = name; q < close && name_char((unsigned char)*q); q++)
        ;
    if (q < close && q + 1 < close && q[0] == ':' && q[1] == '-')
        def = q + 2;
    else if (q != close)
        q = name;            /* bad character: reported below */
    if (q == name || isdigit((unsigned char)*name)) {
        *err = xasprintf("bad variable ${%.*s}: write ${NAME}, NAME made of letters, digits "
                         "and '_'", (int)(close - name), name);
        return -1;
    }
    nm = xstrndup(name, (size_t)(q - name));
    value = env_lookup(lib, nm);
    if (value != NULL) {
        secret_add(value);
        buf_puts(text, value);
    } else if (def != NULL) {
        buf_append(text, def, (size_t)(close - def));
    } else {
        if (lib->env_path != NULL)
            *err = xasprintf("${%s} is not set: export %s=... or add it to %s", nm, nm,
                             lib->env_path);
        else
            *err = xasprintf("${%s} is not set: export %s=... or add it to a .env file next to "
                             "the scenario (or give --env-file FILE)", nm, nm);
        free(nm);
        return -1;
    }
    free(nm);
    return (long)(close + 1 - p);
}

struct tmpl *
tmpl_compile(struct tmpl_lib *lib, const char *src, size_t len, int line, char **err)
{
    struct tmpl *t = xcalloc(1, sizeof(*t));
    struct buf text;
    const char *p = src, *end = src + len;

    buf_init(&text);
    while (p < end) {
        if (*p == '\\' && p + 1 < end && (p[1] == '$' || p[1] == '{')) {
            buf_append(&text, p + 1, 1);
            p += 2;
        } else if (*p == '$' && p + 1 < end && p[1] == '{') {
            long used = compile_env(lib, p, end, &text, err);

            if (used < 0)
                goto fail;
            p += used;
        } else if (*p == '{' && p + 1 < end && p[1] == '{') {
            const char *close = NULL, *q;
            char *inside;
            int rc;

            for (q = p + 2; q + 1 < end; q++) {
                if (q[0] == '}' && q[1] == '}') {
                    close = q;
                    break;
                }
            }
            if (close == NULL) {
                *err = xstrdup("unclosed {{: write {{function ARGS}}");
                goto fail;
            }
            inside = xstrndup(p + 2, (size_t)(close - p - 2));
            rc = compile_call(lib, t, &text, inside, line, err);
            free(inside);
            if (rc < 0)
                goto fail;
            p = close + 2;
        } else {
            buf_append(&text, p, 1);
            p++;
        }
    }
    if (t->nsegs == 0) {
        struct segment *s = seg_add(t, SEG_TEXT);

        s->len = text.len;
        s->text = text.data != NULL ? buf_steal(&text) : xstrdup("");
    } else {
        flush_text(t, &text);
    }
    buf_free(&text);
    return t;
fail:
    buf_free(&text);
    tmpl_free(t);
    return NULL;
}

void
tmpl_free(struct tmpl *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nsegs; i++)
        free(t->segs[i].text);
    free(t->segs);
    free(t);
}

bool
tmpl_constant(const struct tmpl *t, const char **text, size_t *len)
{
    if (t->nsegs != 1 || t->segs[0].kind != SEG_TEXT)
        return false;
    *text = t->segs[0].text;
    *len = t->segs[0].len;
    return true;
}

bool
tmpl_text_has_ctl(const char *text, size_t len)
{
    return memchr(text, '\r', len) != NULL || memchr(text, '\n', len) != NULL ||
           memchr(text, '\0', len) != NULL;
}

bool
tmpl_has_ctl(const struct tmpl *t)
{
    size_t i;

    for (i = 0; i < t->nsegs; i++)
        if (t->segs[i].kind == SEG_TEXT && tmpl_text_has_ctl(t->segs[i].text, t->segs[i].len))
            return true;
    return false;
}

bool
tmpl_starts_with(const struct tmpl *t, const char *prefix)
{
    size_t n = strlen(prefix);

    return t->nsegs > 0 && t->segs[0].kind == SEG_TEXT && t->segs[0].len >= n &&
           strncmp(t->segs[0].text, prefix, n) == 0;
}

/* ---- expanding ---- */

void
tmpl_expand(const struct tmpl *t, const struct tmpl_rt *rt, struct buf *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < t->nsegs; i++) {
        const struct segment *s = &t->segs[i];
        const struct span *sp;
        char num[32];
        size_t k;
        int n;

        switch (s->kind) {
        case SEG_TEXT:
            buf_append(out, s->text, s->len);
            break;
        case SEG_LINE:
            sp = &s->data->lines[rng_below64(rt->rng, s->data->nlines)];
            emit(out, s->data->text + sp->off, sp->len, s->filter);
            break;
        case SEG_NEXT:
            k = atomic_fetch_add_explicit(&s->data->cursor, 1, memory_order_relaxed);
            sp = &s->data->lines[k % s->data->nlines];
            emit(out, s->data->text + sp->off, sp->len, s->filter);
            break;
        case SEG_INT: {
            uint64_t span = (uint64_t)s->hi - (uint64_t)s->lo + 1;
            int64_t v = span == 0 ? (int64_t)rng64(rt->rng)
                                  : (int64_t)((uint64_t)s->lo + rng_below64(rt->rng, span));

            n = snprintf(num, sizeof(num), "%" PRId64, v);
            buf_append(out, num, (size_t)n);
            break;
        }
        case SEG_UUID: {
            uint64_t a = rng64(rt->rng), b = rng64(rt->rng);
            unsigned char bytes[16];
            char u[36];
            size_t j = 0;

            for (k = 0; k < 8; k++) {
                bytes[k] = (unsigned char)(a >> (8 * k));
                bytes[8 + k] = (unsigned char)(b >> (8 * k));
            }
            bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40);   /* version 4 */
            bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
            for (k = 0; k < 16; k++) {
                if (k == 4 || k == 6 || k == 8 || k == 10)
                    u[j++] = '-';
                u[j++] = hex[bytes[k] >> 4];
                u[j++] = hex[bytes[k] & 15];
            }
            buf_append(out, u, sizeof(u));
            break;
        }
        case SEG_POOL:
            k = (size_t)rng_below64(rt->rng, LOREM_POOL);
            emit(out, s->pool->texts[k], s->pool->lens[k], s->filter);
            break;
        case SEG_VAR: {
            const struct buf *v = &rt->vars[s->var];

            if (v->len > 0)
                emit(out, v->data, v->len, s->filter);
            break;
        }
        }
    }
    buf_reserve(out, 1);
    out->data[out->len] = '\0';
}

char *
tmpl_env_expand(struct tmpl_lib *lib, const char *src, char **err)
{
    struct buf text;
    const char *p = src, *end = src + strlen(src);

    buf_init(&text);
    while (p < end) {
        if (*p == '\\' && p + 1 < end && p[1] == '$') {
            buf_append(&text, p + 1, 1);
            p += 2;
        } else if (*p == '$' && p + 1 < end && p[1] == '{') {
            long used = compile_env(lib, p, end, &text, err);

            if (used < 0) {
                buf_free(&text);
                return NULL;
            }
            p += used;
        } else {
            buf_append(&text, p, 1);
            p++;
        }
    }
    if (text.data == NULL)
        return xstrdup("");
    return buf_steal(&text);
}
