/*
 * template.h: request templates. Paths, header lines and bodies may hold
 *
 *   ${NAME}  ${NAME:-default}     a variable from the environment or the
 *                                 scenario's .env file (a secret)
 *   {{line FILE}}                 a random line of a data file
 *   {{next FILE}}                 the next line of a data file, in order
 *   {{file FILE}}                 a whole file
 *   {{base64 FILE}}               a whole file in base64
 *   {{int LO HI}}                 a random whole number in [LO, HI]
 *   {{uuid}}                      a random (version 4) UUID
 *   {{lorem words N}}             N lorem-ipsum words
 *   {{lorem paragraphs N}}        N lorem-ipsum paragraphs
 *   {{var NAME}}                  the user's captured variable NAME
 *
 * and a function may end in a filter: "| json" escapes the value for a
 * JSON string, "| url" percent-encodes it. \$ and \{ write $ and {.
 *
 * A template is compiled once at load: variables, files and base64 become
 * text, data files are read once into a library shared by every user, and
 * any error (unknown function, missing file or variable) is reported
 * before the run. Expansion per request reads no file and takes no lock.
 */
#ifndef CICADA_TEMPLATE_H
#define CICADA_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct tmpl_lib;
struct tmpl;

/* What an expansion needs from the user it runs for. */
struct tmpl_rt {
    uint64_t *rng;           /* the worker's xoshiro256** state (rng.h) */
    struct buf *vars;        /* the user's captured variables, by index */
};

/* A library for templates of a scenario whose relative file names start at dir. */
struct tmpl_lib *tmpl_lib_new(const char *dir);
void tmpl_lib_free(struct tmpl_lib *lib);

/*
 * Read NAME=value lines (a .env file) as variables; the process environment
 * wins over them. Returns 0, or -1 with *err (allocated) as "file:line: ...".
 */
int tmpl_lib_load_env(struct tmpl_lib *lib, const char *path, char **err);

/* Number of captured variables named so far, and the index of one (-1 if none). */
size_t tmpl_lib_nvars(const struct tmpl_lib *lib);
int tmpl_lib_var_index(const struct tmpl_lib *lib, const char *name);

/* Declare a captured variable (by a capture); returns its index. */
int tmpl_lib_declare_var(struct tmpl_lib *lib, const char *name);

/*
 * After every template is compiled: is every {{var NAME}} declared? 0, or
 * -1 with *line set to where an undeclared one was first used and *err.
 */
int tmpl_lib_check_vars(const struct tmpl_lib *lib, int *line, char **err);

/*
 * Compile len bytes at text. line is where the text is (for later
 * messages). Returns the template, or NULL with *err (allocated, without
 * file:line).
 */
struct tmpl *tmpl_compile(struct tmpl_lib *lib, const char *text, size_t len, int line,
                          char **err);
void tmpl_free(struct tmpl *t);

/* Does the template's fixed text hold a CR, LF or NUL (a ${VARIABLE}'s value, say)? */
bool tmpl_has_ctl(const struct tmpl *t);

/* Does text hold a CR, LF or NUL: bytes that end a header line or a request line? */
bool tmpl_text_has_ctl(const char *text, size_t len);

/* Is the template plain text? Then *text and *len give it (NUL-terminated). */
bool tmpl_constant(const struct tmpl *t, const char **text, size_t *len);

/* Does the expansion always start with prefix (fixed text)? */
bool tmpl_starts_with(const struct tmpl *t, const char *prefix);

/* Append one expansion of t to out (NUL-terminated afterwards). */
void tmpl_expand(const struct tmpl *t, const struct tmpl_rt *rt, struct buf *out);

/*
 * Substitute only ${NAME} variables in text (for [run] values such as
 * host). Returns the new text, or NULL with *err.
 */
char *tmpl_env_expand(struct tmpl_lib *lib, const char *text, char **err);

#endif
