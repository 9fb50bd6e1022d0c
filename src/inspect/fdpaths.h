/* fdpaths.h: which path each descriptor of a recorded program stands for,
 * followed event by event through a trace (open, dup, close, chdir, exec),
 * for rendering descriptors as strace -y does and for telling reads of
 * /dev/urandom from reads of files.  Memory is bounded by the number of
 * descriptors open at once, not by the trace's length.
 * Owner: src/inspect/fdpaths.c.  Nothing here exits or prints.
 */
#ifndef DIOS_FDPATHS_H
#define DIOS_FDPATHS_H
#include <stddef.h>
#include <jansson.h>

struct fdpaths;

/* A table for a program starting in directory cwd (NULL: unknown), with no
 * known descriptor.  NULL on ENOMEM.  Release with fdpaths_free. */
struct fdpaths *fdpaths_new(const char *cwd);
void fdpaths_free(struct fdpaths *fp);
/* Follows event ev (one trace line: a system call or task event). */
void fdpaths_update(struct fdpaths *fp, const json_t *ev);
/* The path of descriptor fd, or NULL when unknown.  Owned by the table,
 * valid until the next update. */
const char *fdpaths_get(const struct fdpaths *fp, long long fd);
/* The path the descriptor that ev returns stands for (open*, creat, dup*,
 * fcntl F_DUPFD*, socket), made absolute where the table knows how, into
 * buf (n bytes).  0, or -ENOENT when ev returns no descriptor or its path is
 * unknown. */
int fdpaths_result(const struct fdpaths *fp, const json_t *ev, char *buf, size_t n);

#endif
