/* spool.h: a trace that can be read more than once, whatever it comes on.
 *
 * dios-replay reads a trace three times: its header, the check of the
 * whole trace (on another CPU while the program starts) and the replay.  A
 * pipe, a FIFO, process substitution (/dev/fd/63) or a character device
 * gives its bytes only once, so such a trace is first copied into a private
 * temporary file, which has no name: it goes when the process ends, however
 * it ends.  A regular file is read where it is.
 * Owner: src/trace/spool.c.  No function here exits or prints.
 */
#ifndef DIOS_TRACE_SPOOL_H
#define DIOS_TRACE_SPOOL_H
#include <stdbool.h>
#include <stdint.h>

/* The most a copy holds: 1 GiB of compressed trace (man/dios-replay.1). */
#define TRACE_SPOOL_MAX ((uint64_t)1 << 30)

struct trace_spool {
	int fd;			/* the copy (close-on-exec), or -1 */
	char path[32];		/* opens the copy again: "/proc/self/fd/N"; "" without one */
	uint64_t bytes;		/* bytes copied */
	bool writing;		/* on error: making or writing the copy failed */
};

/* When path opens a regular file, makes no copy: sp->path is "", read path
 * itself.  Otherwise reads what path gives, to its end, into an unlinked
 * file in dir (NULL: $TMPDIR when it is an absolute path, else /tmp); open
 * sp->path to read it.  Data that does not start like a zstd stream is not
 * read past its first bytes: the copy holds them, for the reader's usual
 * message.  Returns 0, or: -EFBIG when path gives more than max bytes;
 * -ENOTTY for a terminal (nobody types a trace); -EISDIR for a directory;
 * -errno from open(2) or read(2) of path (-ENOENT...) or, with
 * sp->writing, from making or writing the copy (-ENOSPC, -EACCES...).
 * Release with trace_spool_close, on error too. */
int trace_spool_open(struct trace_spool *sp, const char *path, const char *dir, uint64_t max);
/* Closes the copy (it goes away).  After trace_spool_open, whatever it
 * returned; again is fine. */
void trace_spool_close(struct trace_spool *sp);

#endif
