/* blobstore.h: the private cache replay serves the file contents of
 * portable traces from (dios-trace(5), "BLOB LINES"; the lines themselves
 * and their check: blobline.h).
 *
 * Replay: the check of the trace hands each blob line's content, once
 * checked (blob_check_line), to blobstore_put(), which writes each file to
 * a temporary file of the cache; once the whole trace passed its check,
 * blobstore_keep() renames each file the trace names to its SHA-256.
 * blobstore_drop() (and blobstore_close) removes what was not kept: nothing
 * of a trace that fails its check stays.
 *
 * The cache is $XDG_CACHE_HOME/dios (else $HOME/.cache/dios), or with
 * conf.temporary a private directory made under $TMPDIR (else /tmp) and
 * removed by blobstore_close: blobs/<sha256> (mode 0500) and
 * exec/<sha256>.<how>/<name>, the copies replay executes.  Its directories
 * are made mode 0700 and must belong to the user and be writable by no one
 * else.
 *
 * It holds at most conf.limit bytes, counting each file in whole 4 KiB
 * blocks and each directory as one: before a file is written, the entries
 * used least recently (by modification time, which each use sets) that
 * this process does not use are removed until it fits, and temporary files
 * a killed replay left once they are a day old.  A file that does not fit
 * beside those this process uses is refused with -ENOSPC.
 *
 * Owner: src/trace/blobstore.c.  Functions return 0 or -errno; messages
 * go to the caller's buffer; none exits or prints.
 */
#ifndef DIOS_BLOBSTORE_H
#define DIOS_BLOBSTORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "trace/blobline.h"
#include "trace/elfinterp.h"

struct blobstore_conf {
	uint64_t limit;		/* bytes the cache may hold (dios-replay --cache-size) */
	bool temporary;		/* a private cache, removed by blobstore_close */
};

struct blobstore;

/* Opens (creating it when needed) the cache.  On error, a message naming
 * the directory and the fix in err. */
int blobstore_open(struct blobstore **bs, const struct blobstore_conf *conf, char *err,
    size_t errlen);
/* The cache's directory (owned by bs): for a temporary cache, what
 * blobstore_rmtree removes. */
const char *blobstore_dir(const struct blobstore *bs);

/* Takes the content of the next blob line, as blob_check_line gave it (the
 * chunks of one file come in order; the last one is the whole file's,
 * verified).  A file already cached with the right hash is not written
 * again.  -ENOSPC (the limit) or another -errno with the reason in err. */
int blobstore_put(struct blobstore *bs, const struct blob_chunk *c, char *err, size_t errlen);
/* Keeps the file with SHA-256 sha, put whole: it enters the cache. */
int blobstore_keep(struct blobstore *bs, const char *sha, char *err, size_t errlen);
/* Removes what was put and not kept. */
void blobstore_drop(struct blobstore *bs);

/* The cached content of the file with identity id: *path (caller frees)
 * after checking its size and hash.  -ENOENT when the cache lacks it,
 * -ESTALE when the cached file is damaged.  Marks it used. */
int blobstore_get(struct blobstore *bs, const json_t *id, char **path);
/* Makes the copy of executable src (identified by sha, a 64-digit hex
 * string) that replay executes: <cache>/exec/<sha>.<how>/<name>.  When
 * interp_fd >= 0 and src has a PT_INTERP, the copy's interpreter is
 * "/proc/self/fd/<interp_fd>" (the kernel then loads the loader open at
 * that descriptor at exec time) and *ei describes the original bytes, to
 * be written back into the program's memory after the exec; otherwise
 * ei->orig is NULL.  -ENAMETOOLONG when src's PT_INTERP is too short to
 * hold the new one; -ENOSPC when the copy does not fit in the cache's
 * limit.  *out and ei->orig: caller frees. */
int blobstore_exec_copy(struct blobstore *bs, const char *src, const char *sha,
    const char *name, int interp_fd, char **out, struct elf_interp *ei);
/* Drops what was not kept, removes a temporary cache, frees bs. */
void blobstore_close(struct blobstore *bs);

/* Removes the directory tree at dir (rm -r), using only calls that are
 * async-signal-safe, so that a signal handler may remove a temporary
 * cache.  0 or the first -errno. */
int blobstore_rmtree(const char *dir);

#endif
