/* blobline.c: blob lines of portable traces: writing and the one check of
 * them (see blobline.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace/blobline.h"
#include "trace/bytes.h"
#include "trace/sha256.h"

/* ---- writing ---- */

int
blob_read_full(int fd, void *p, size_t n, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t k = read(fd, (char *)p + *got, n - *got);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

int
blob_copy_fd(int in, int out)
{
	char buf[65536];
	size_t got;
	int e;

	for (;;) {
		if ((e = blob_read_full(in, buf, sizeof buf, &got)) < 0)
			return e;
		for (size_t w = 0; w < got;) {
			ssize_t k = write(out, buf + w, got - w);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				return k < 0 ? -errno : -EIO;
			w += (size_t)k;
		}
		if (got < sizeof buf)
			return 0;
	}
}

int
blob_write(struct trace_writer *w, const char *open_path, const json_t *id)
{
	const char *sha = json_string_value(json_object_get(id, "sha256"));
	json_int_t size = json_integer_value(json_object_get(id, "size")), off = 0;
	struct sha256 h;
	uint8_t d[32];
	char hex[65];
	unsigned char *buf;
	int fd, e = 0;

	if (sha == NULL || size < 0)
		return -EINVAL;
	if ((fd = open(open_path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((buf = malloc(BLOB_CHUNK)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	sha256_init(&h);
	do {
		size_t want = size - off < (json_int_t)BLOB_CHUNK ? (size_t)(size - off) : BLOB_CHUNK, got;
		json_t *line;

		if ((e = blob_read_full(fd, buf, want, &got)) < 0)
			break;
		if (got < want) {
			e = -ESTALE;	/* shorter than when it was hashed */
			break;
		}
		sha256_update(&h, buf, got);
		line = json_pack("{s:s, s:I, s:I, s:o}", "blob", sha, "size", size, "off", off,
		    "data", json_bytes(buf, got));
		if (line == NULL) {
			e = -ENOMEM;
			break;
		}
		e = trace_write(w, line);
		json_decref(line);
		off += (json_int_t)got;
	} while (e == 0 && off < size);
	free(buf);
	close(fd);
	if (e < 0)
		return e;
	sha256_final(&h, d);
	sha256_hex(d, hex);
	return strcmp(hex, sha) == 0 ? 0 : -ESTALE;
}

/* ---- checking ---- */

bool
blob_is_sha(const char *s)
{
	size_t i;

	for (i = 0; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s && s[64] == '\0';
}

int
blob_is_line(const json_t *line)
{
	return json_object_get(line, "blob") != NULL;
}

struct blob_check {
	bool portable;
	json_t *files;		/* sha256 -> [size, line]: files whose content came whole */
	json_t *named;		/* sha256 -> [size, "what path"]: named by identities */
	json_t *carried;	/* sha256 -> true: named by a "map" with "carried": true */
	/* the file whose lines are coming in */
	bool busy;
	char sha[65];
	uint64_t size, off, line;
	struct sha256 h;
	void *data;		/* the last chunk's bytes */
};

static int
errf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int
errf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

int
blob_check_new(struct blob_check **bcp, const json_t *header)
{
	struct blob_check *bc = calloc(1, sizeof *bc);
	char err[8];

	*bcp = NULL;
	if (bc == NULL || (bc->files = json_object()) == NULL || (bc->named = json_object()) == NULL ||
	    (bc->carried = json_object()) == NULL) {
		blob_check_free(bc);
		return -ENOMEM;
	}
	bc->portable = json_is_true(json_object_get(header, "portable"));
	/* The header names the executable and its loader before their
	 * content; a header that names them twice over is the trace check's
	 * business, not this one's. */
	(void)blob_check_id(bc, json_object_get(header, "exe"), "exe", err, sizeof err);
	(void)blob_check_id(bc, json_object_get(header, "interp"), "interp", err, sizeof err);
	*bcp = bc;
	return 0;
}

void
blob_check_free(struct blob_check *bc)
{
	if (bc == NULL)
		return;
	json_decref(bc->files);
	json_decref(bc->named);
	json_decref(bc->carried);
	free(bc->data);
	free(bc);
}

/* The member checks of one line: NULL when well-formed, else why not. */
static const char *
members(const json_t *line)
{
	const json_t *size = json_object_get(line, "size"), *off = json_object_get(line, "off");
	ssize_t n;

	if (!blob_is_sha(json_string_value(json_object_get(line, "blob"))))
		return "blob line: \"blob\" is not a SHA-256 (64 lower-case hex digits)";
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return "blob line lacks \"size\" (a number, at least 0)";
	if (!json_is_integer(off) || json_integer_value(off) < 0 ||
	    json_integer_value(off) > json_integer_value(size))
		return "blob line lacks \"off\" (a number from 0 to \"size\")";
	if ((n = json_bytes_len(json_object_get(line, "data"))) < 0)
		return "blob line lacks \"data\" (a bytes object)";
	if ((json_int_t)n > json_integer_value(size) - json_integer_value(off))
		return "blob line: \"data\" goes past \"size\"";
	if ((size_t)n > BLOB_CHUNK)
		return "blob line: \"data\" holds more than 65536 bytes (64 KiB a line at most)";
	return NULL;
}

int
blob_check_line(struct blob_check *bc, const json_t *line, uint64_t lineno,
    struct blob_chunk *c, char *err, size_t errlen)
{
	const char *why = members(line), *sha;
	const json_t *f, *nm;
	uint64_t size, off;
	uint8_t d[32];
	char hex[65];
	size_t n;

	memset(c, 0, sizeof *c);
	free(bc->data);
	bc->data = NULL;
	if (why)
		return errf(err, errlen, "%s", why);
	sha = json_string_value(json_object_get(line, "blob"));
	size = (uint64_t)json_integer_value(json_object_get(line, "size"));
	off = (uint64_t)json_integer_value(json_object_get(line, "off"));
	if (!bc->busy) {
		if (off != 0)
			return errf(err, errlen, "blob line: file %s starts at \"off\" %llu, not 0",
			    sha, (unsigned long long)off);
		if ((f = json_object_get(bc->files, sha)) != NULL)
			return errf(err, errlen, "blob line: the content of file %s came already, "
			    "from line %lld (each file's content is in a trace once)", sha,
			    (long long)json_integer_value(json_array_get(f, 1)));
		nm = json_object_get(bc->named, sha);
		if (nm && (uint64_t)json_integer_value(json_array_get(nm, 0)) != size)
			return errf(err, errlen, "blob line: file %s is %llu bytes here, but the "
			    "trace's %s says %lld", sha, (unsigned long long)size,
			    json_string_value(json_array_get(nm, 1)),
			    (long long)json_integer_value(json_array_get(nm, 0)));
		memcpy(bc->sha, sha, 65);
		bc->size = size;
		bc->off = 0;
		bc->line = lineno;
		bc->busy = true;
		sha256_init(&bc->h);
	} else if (strcmp(sha, bc->sha) != 0 || size != bc->size || off != bc->off)
		return errf(err, errlen, "blob line: expected file %s at \"off\" %llu (the lines of "
		    "a file come together, in order)", bc->sha, (unsigned long long)bc->off);
	if (json_get_bytes(json_object_get(line, "data"), &bc->data, &n) < 0)
		return errf(err, errlen, "blob line: bad \"data\"");
	if (n == 0 && off < size)
		return errf(err, errlen, "blob line: empty \"data\" before the end of file %s",
		    bc->sha);
	sha256_update(&bc->h, bc->data, n);
	bc->off += n;
	*c = (struct blob_chunk){ .sha = bc->sha, .size = size, .off = off, .data = bc->data,
	    .n = n };
	if (bc->off < bc->size)
		return 0;
	sha256_final(&bc->h, d);
	sha256_hex(d, hex);
	bc->busy = false;
	if (strcmp(hex, bc->sha) != 0)
		return errf(err, errlen, "the content of file %s in the trace does not match its "
		    "SHA-256 (the trace is damaged, or the file changed while it was recorded)",
		    bc->sha);
	if (json_object_set_new(bc->files, bc->sha, json_pack("[I, I]", (json_int_t)size,
	    (json_int_t)bc->line)) < 0)
		return -ENOMEM;
	c->last = true;
	return 0;
}

int
blob_check_id(struct blob_check *bc, const json_t *id, const char *what, char *err,
    size_t errlen)
{
	const char *sha = json_string_value(json_object_get(id, "sha256"));
	const char *path = json_string_value(json_object_get(id, "path"));
	const json_t *size = json_object_get(id, "size"), *f, *nm;
	char *label = NULL;
	int e;

	if (!blob_is_sha(sha) || !json_is_integer(size))
		return 0;	/* names no content */
	if (json_is_true(json_object_get(id, "carried")) &&
	    json_object_set_new(bc->carried, sha, json_string(path ? path : "a file")) < 0)
		return -ENOMEM;
	if ((f = json_object_get(bc->files, sha)) != NULL &&
	    json_integer_value(json_array_get(f, 0)) != json_integer_value(size))
		return errf(err, errlen, "\"%s\" names %s with %lld bytes, but the content of file "
		    "%s in the trace (from line %lld) has %lld", what, path ? path : "a file",
		    (long long)json_integer_value(size), sha,
		    (long long)json_integer_value(json_array_get(f, 1)),
		    (long long)json_integer_value(json_array_get(f, 0)));
	if (bc->busy && strcmp(sha, bc->sha) == 0 && (uint64_t)json_integer_value(size) != bc->size)
		return errf(err, errlen, "\"%s\" names %s with %lld bytes, but the content of file "
		    "%s in the trace (from line %llu) has %llu", what, path ? path : "a file",
		    (long long)json_integer_value(size), sha, (unsigned long long)bc->line,
		    (unsigned long long)bc->size);
	if ((nm = json_object_get(bc->named, sha)) != NULL) {
		if (json_integer_value(json_array_get(nm, 0)) != json_integer_value(size))
			return errf(err, errlen, "\"%s\" names %s with %lld bytes, but the trace's "
			    "%s, of the same SHA-256, says %lld", what, path ? path : "a file",
			    (long long)json_integer_value(size), json_string_value(json_array_get(nm, 1)),
			    (long long)json_integer_value(json_array_get(nm, 0)));
		return 0;
	}
	if (asprintf(&label, "\"%s\" %s", what, path ? path : "") < 0)
		return -ENOMEM;
	e = json_object_set_new(bc->named, sha, json_pack("[O, s]", size, label)) < 0 ? -ENOMEM : 0;
	free(label);
	return e;
}

int
blob_check_end(struct blob_check *bc, bool truncated, char *err, size_t errlen)
{
	const char *sha;
	json_t *f;

	free(bc->data);
	bc->data = NULL;
	if (truncated)
		return 0;	/* what the cut took away is left out */
	if (bc->busy)
		return errf(err, errlen, "the trace ends inside the content of file %s (%llu of %llu "
		    "bytes)", bc->sha, (unsigned long long)bc->off, (unsigned long long)bc->size);
	json_object_foreach(bc->carried, sha, f)
		if (json_object_get(bc->files, sha) == NULL)
			return errf(err, errlen, "the trace says it carries the content of %s (SHA-256 "
			    "%s, \"carried\": true), but has no blob lines of it", json_string_value(f),
			    sha);
	json_object_foreach(bc->files, sha, f) {
		if (!bc->portable && json_object_get(bc->carried, sha) == NULL)
			return errf(err, errlen, "line %lld: the content of file %s, but the trace is "
			    "not portable and no \"map\" with \"carried\": true names it: a trace "
			    "that is not portable carries only the files the program made as it ran",
			    (long long)json_integer_value(json_array_get(f, 1)), sha);
		if (json_object_get(bc->named, sha) == NULL)
			return errf(err, errlen, "line %lld: the content of file %s is named by no "
			    "\"map\", \"exe\" or \"interp\" of the trace: not a file the program used",
			    (long long)json_integer_value(json_array_get(f, 1)), sha);
	}
	return 0;
}

int
blob_check_kept(const struct blob_check *bc, int (*fn)(void *ctx, const char *sha), void *ctx)
{
	const char *sha;
	json_t *f;
	int e;

	json_object_foreach((json_t *)bc->files, sha, f)
		if (json_object_get(bc->named, sha) &&
		    (bc->portable || json_object_get(bc->carried, sha)) && (e = fn(ctx, sha)) < 0)
			return e;
	return 0;
}
