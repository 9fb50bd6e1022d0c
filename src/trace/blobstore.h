/* blobstore.h: file contents in portable traces (dios-trace(5), "BLOB
 * LINES") and the private cache replay serves them from.
 *
 * Record: blob_write() appends the content of a file the program maps or
 * executes as blob lines, chunk by chunk (never the whole file in memory).
 * Replay: blobstore_line() takes the blob lines of a trace one by one,
 * writes each file's content to a temporary file of the cache while hashing
 * it, and renames it to its SHA-256 once complete and verified.
 *
 * The cache is $XDG_CACHE_HOME/dios (else $HOME/.cache/dios): blobs/<sha256>
 * (mode 0500) and exec/<sha256>.<how>/<name>, the copies replay executes.
 * Its directories are made mode 0700 and must belong to the user and be
 * writable by no one else.
 * Owner: src/trace/blobstore.c.  Functions return 0 or -errno; messages
 * go to the caller's buffer; none exits or prints.
 */
#ifndef DIOS_BLOBSTORE_H
#define DIOS_BLOBSTORE_H
#include <stddef.h>
#include <jansson.h>
#include "trace/elfinterp.h"
#include "trace/io.h"

/* Bytes of content per blob line. */
#define BLOB_CHUNK (64u << 10)

/* Appends blob lines holding the content of the file at open_path, whose
 * identity id ({"path","size","sha256"}) the trace names.  -ESTALE when the
 * content read does not have id's size and hash (the file changed while
 * recording: the lines written then do not verify in replay). */
int blob_write(struct trace_writer *w, const char *open_path, const json_t *id);

/* Whether line (a JSON object of a trace) is a blob line. */
int blob_is_line(const json_t *line);
/* Checks a blob line's members; NULL when well-formed, else why not. */
const char *blob_line_check(const json_t *line);

struct blobstore;

/* Opens (creating it when needed) the cache.  On error, a message naming
 * the directory and the fix in err. */
int blobstore_open(struct blobstore **bs, char *err, size_t errlen);
/* Takes the next blob line of a trace.  The lines of one file come in
 * order (off 0, then each chunk after the last); a file already cached
 * with the right hash is not written again.  -EBADMSG with the reason in
 * err for lines out of order or content that does not match its hash. */
int blobstore_line(struct blobstore *bs, const json_t *line, char *err, size_t errlen);
/* After the last line: -EBADMSG when a file's content was cut short. */
int blobstore_end(struct blobstore *bs, char *err, size_t errlen);
/* The cached content of the file with identity id: *path (caller frees)
 * after checking its size and hash.  -ENOENT when the cache lacks it,
 * -ESTALE when the cached file is damaged. */
int blobstore_get(struct blobstore *bs, const json_t *id, char **path);
/* Makes the copy of executable src (identified by sha, a 64-digit hex
 * string) that replay executes: <cache>/exec/<sha>.<how>/<name>.  When
 * interp_fd >= 0 and src has a PT_INTERP, the copy's interpreter is
 * "/proc/self/fd/<interp_fd>" (the kernel then loads the loader open at
 * that descriptor at exec time) and *ei describes the original bytes, to
 * be written back into the program's memory after the exec; otherwise
 * ei->orig is NULL.  -ENAMETOOLONG when src's PT_INTERP is too short to
 * hold the new one.  *out and ei->orig: caller frees. */
int blobstore_exec_copy(struct blobstore *bs, const char *src, const char *sha,
    const char *name, int interp_fd, char **out, struct elf_interp *ei);
void blobstore_close(struct blobstore *bs);

#endif
