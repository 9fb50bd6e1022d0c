/* blobline.h: the blob lines of portable traces, and of the files any
 * trace carries because the program made them (dios-trace(5), "BLOB
 * LINES"): writing them (record) and checking them.
 *
 * blob_check_line() is the one check of blob lines: the trace check
 * (src/inspect/check.c) runs it on every blob line, for `dios-trace
 * validate` and for dios-replay alike, and the cache (blobstore.h) stores
 * only the content it hands out, so what validate accepts is what replay
 * accepts.
 * Owner: src/trace/blobline.c.  Functions return 0 or -errno; messages go
 * to the caller's buffer; none exits or prints.
 */
#ifndef DIOS_BLOBLINE_H
#define DIOS_BLOBLINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "trace/io.h"

/* Bytes of content per blob line, at most. */
#define BLOB_CHUNK (64u << 10)

/* Appends blob lines holding the content of the file at open_path, whose
 * identity id ({"path","size","sha256"}) the trace names.  -ESTALE when the
 * content read does not have id's size and hash (the file changed while
 * recording: the lines written then do not verify in replay). */
int blob_write(struct trace_writer *w, const char *open_path, const json_t *id);

/* Whether line (a JSON object of a trace) is a blob line. */
int blob_is_line(const json_t *line);
/* Whether s is a SHA-256 as blob lines and identities give it: 64
 * lower-case hex digits. */
bool blob_is_sha(const char *s);

/* The content of one blob line that blob_check_line accepted. */
struct blob_chunk {
	const char *sha;	/* the file's SHA-256, 64 lower-case hex digits */
	uint64_t size;		/* of the whole file */
	uint64_t off;		/* where data goes in it */
	const void *data;	/* n bytes; owned by the check, valid until its next call */
	size_t n;
	bool last;		/* the file's last chunk: its whole content matched sha */
};

/* The state of the checks of one trace's blob lines. */
struct blob_check;

/* New state for the trace whose line 1 is header (checked already: only a
 * header with "portable": true allows blob lines; its "exe" and "interp"
 * are noted as with blob_check_id).  -ENOMEM.  Release with
 * blob_check_free. */
int blob_check_new(struct blob_check **bc, const json_t *header);
void blob_check_free(struct blob_check *bc);

/* Checks blob line `line` (line number lineno of the trace): its members,
 * that the trace is portable, that the lines of a file come together and
 * in order (from "off" 0, each where the last ended, none empty before the
 * end, at most BLOB_CHUNK bytes each), that a file's content comes once,
 * that its size is the one the identities naming it say, and, at its last
 * line, that the content matches its SHA-256.  0 with *c filled, or
 * -EBADMSG with the reason in err. */
int blob_check_line(struct blob_check *bc, const json_t *line, uint64_t lineno,
    struct blob_chunk *c, char *err, size_t errlen);

/* Notes identity id ({"path","size","sha256"}), named by the trace as its
 * member `what` ("map", "exe", "interp"): -EBADMSG when content with its
 * SHA-256 came with another size, or another identity names it with
 * another size. */
int blob_check_id(struct blob_check *bc, const json_t *id, const char *what, char *err,
    size_t errlen);

/* After the last line.  Of a complete trace: -EBADMSG when it ends inside
 * a file's content, a file's content is named by no identity (no "map",
 * "exe" or "interp" names its SHA-256), an identity with "carried": true
 * names content the trace lacks, or a trace that is not portable carries
 * content no carried identity names.  Of a trace cut short (truncated),
 * such files are no error: they are left out (blob_check_kept). */
int blob_check_end(struct blob_check *bc, bool truncated, char *err, size_t errlen);

/* After blob_check_end: calls fn for the SHA-256 of each file whose
 * content came complete and that the trace names, stopping at a negative
 * return (returned). */
int blob_check_kept(const struct blob_check *bc, int (*fn)(void *ctx, const char *sha),
    void *ctx);

/* Reads up to n bytes of fd into p, as many as there are: *got of them
 * (fewer only at the end of the file).  0 or -errno. */
int blob_read_full(int fd, void *p, size_t n, size_t *got);
/* Copies the rest of in to out (short writes and EINTR gone through).
 * 0 or -errno (-EIO for a write that wrote nothing). */
int blob_copy_fd(int in, int out);

#endif
