/*
 * outfile.c: reports written beside their target and renamed over it, or
 * straight into a FIFO or a device (outfile.h says which and why).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "util.h"

enum target_kind { TARGET_REPLACE, TARGET_DIRECT, TARGET_REFUSE };

/* What may be done at path; for a symlink to a regular file, *resolved is its target. */
static enum target_kind
classify(const char *path, char **resolved, mode_t *mode, char **err)
{
    struct stat st;

    *resolved = NULL;
    *mode = 0;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return TARGET_REPLACE;      /* a new file (or a dangling symlink, replaced) */
        *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        return TARGET_REFUSE;
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return TARGET_DIRECT;
    if (!S_ISREG(st.st_mode)) {
        *err = xasprintf("cannot write %s: it is %s, not a regular file", path,
                         file_kind(st.st_mode));
        return TARGET_REFUSE;
    }
    *mode = st.st_mode & 07777;
    {
        struct stat lst;

        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            *resolved = realpath(path, NULL);
    }
    return TARGET_REPLACE;
}

/* Mode for a new file: 0666 less the umask. */
static mode_t
new_file_mode(void)
{
    mode_t mask = umask(022);

    umask(mask);
    return 0666 & ~mask;
}

int
outfile_open(struct outfile *o, const char *path, char **err)
{
    char *resolved = NULL, *dircopy, *basecopy;
    mode_t mode;
    int fd;

    memset(o, 0, sizeof(*o));
    switch (classify(path, &resolved, &mode, err)) {
    case TARGET_REFUSE:
        return -1;
    case TARGET_DIRECT:
        /* a FIFO or a device: written as it is, never replaced or unlinked */
        if ((o->f = fopen(path, "w")) == NULL) {
            *err = xasprintf("cannot write %s: %s", path, strerror(errno));
            return -1;
        }
        o->target = xstrdup(path);
        return 0;
    case TARGET_REPLACE:
        break;
    }
    o->target = resolved != NULL ? xstrdup(resolved) : xstrdup(path);
    free(resolved);
    dircopy = xstrdup(o->target);
    basecopy = xstrdup(o->target);
    o->tmp = xasprintf("%s/.%s.XXXXXX", dirname(dircopy), basename(basecopy));
    free(dircopy);
    free(basecopy);
    /* mkstemp: O_CREAT | O_EXCL, so a name planted there (a symlink too) is never opened */
    if ((fd = mkstemp(o->tmp)) < 0) {
        *err = xasprintf("cannot create a temporary file beside %s: %s", path, strerror(errno));
        free(o->tmp);
        free(o->target);
        memset(o, 0, sizeof(*o));
        return -1;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    (void)fchmod(fd, mode != 0 ? mode : new_file_mode());
    if ((o->f = fdopen(fd, "w")) == NULL) {
        *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        close(fd);
        outfile_abort(o);
        return -1;
    }
    return 0;
}

int
outfile_commit(struct outfile *o, char **err)
{
    int failed = 0, saved = 0;

    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) {
        failed = 1;
        saved = errno;
    }

    if (fclose(o->f) != 0 && !failed) {
        failed = 1;
        saved = errno;
    }
    o->f = NULL;
    if (failed) {
        *err = xasprintf("cannot write %s: %s", o->target,
                         strerror(saved != 0 ? saved : EIO));
        outfile_abort(o);
        return -1;
    }
    if (o->tmp != NULL && rename(o->tmp, o->target) != 0) {
        *err = xasprintf("cannot replace %s: %s", o->target, strerror(errno));
        outfile_abort(o);
        return -1;
    }
    free(o->tmp);
    free(o->target);
    memset(o, 0, sizeof(*o));
    return 0;
}

void
outfile_abort(struct outfile *o)
{
    if (o->f != NULL)
        fclose(o->f);
    if (o->tmp != NULL)
        unlink(o->tmp);
    free(o->tmp);
    free(o->target);
    memset(o, 0, sizeof(*o));
}

FILE *
outfile_open_stream(const char *path, char **err)
{
    char *resolved = NULL;
    mode_t mode;
    FILE *f;

    if (classify(path, &resolved, &mode, err) == TARGET_REFUSE)
        return NULL;
    free(resolved);
    if ((f = fopen(path, "w")) == NULL)
        *err = xasprintf("cannot create %s: %s", path, strerror(errno));
    return f;
}
