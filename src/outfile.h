/*
 * outfile.h: writing a report where the user said, safely.
 *
 * A whole-file report (JSON, HTML, the CSV stats and failures files) is
 * written to a temporary file created exclusively (O_EXCL, so never
 * through a symlink planted at that name) in the target's directory, then
 * renamed over the target: readers see the old file or the new one, never
 * half. The rename path is only taken for a regular file (or a name that
 * does not exist yet; a symlink to a regular file is followed to it):
 *   - a FIFO or a character device (/dev/stdout, /dev/null, /dev/full) is
 *     written directly, never replaced;
 *   - a directory, a socket or a block device is refused.
 * A write that fails (a full disk, /dev/full) is an error: the temporary
 * file is removed and the target is left as it was.
 */
#ifndef CICADA_OUTFILE_H
#define CICADA_OUTFILE_H

#include <stdio.h>

struct outfile {
    FILE *f;                 /* write here */
    char *target;            /* the file replaced at commit */
    char *tmp;               /* the temporary file, NULL when writing directly */
};

/* Open path for a whole-file write. 0, or -1 with *err (allocated, naming path). */
int outfile_open(struct outfile *o, const char *path, char **err);

/* Finish: flush, close, rename over the target. 0, or -1 with *err. */
int outfile_commit(struct outfile *o, char **err);

/* Give up: close and remove the temporary file. */
void outfile_abort(struct outfile *o);

/*
 * Open path for a file written as it goes (the CSV history): a regular or
 * new file is truncated, a FIFO or character device written directly, a
 * directory, socket or block device refused. NULL with *err.
 */
FILE *outfile_open_stream(const char *path, char **err);

#endif
