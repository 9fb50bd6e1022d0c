/* blobstore.c: blob lines of portable traces, and the cache of their
 * contents (see blobstore.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "trace/blobstore.h"
#include "trace/bytes.h"
#include "trace/fileid.h"
#include "trace/sha256.h"

/* ---- writing ---- */

static int
read_full(int fd, void *p, size_t n, size_t *got)
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

		if ((e = read_full(fd, buf, want, &got)) < 0)
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

/* ---- lines ---- */

static int
is_sha(const char *s)
{
	size_t i;

	for (i = 0; s && i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && s[64] == '\0';
}

int
blob_is_line(const json_t *line)
{
	return json_object_get(line, "blob") != NULL;
}

const char *
blob_line_check(const json_t *line)
{
	const json_t *size = json_object_get(line, "size"), *off = json_object_get(line, "off");
	ssize_t n;

	if (!is_sha(json_string_value(json_object_get(line, "blob"))))
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
	return NULL;
}

/* ---- the cache ---- */

struct blobstore {
	char *base;		/* <cache>/dios */
	char *blobs;		/* <cache>/dios/blobs */
	/* the file whose lines are coming in */
	char sha[65];
	json_int_t size, off;
	bool busy, skip;
	int fd;
	char *tmp;
	struct sha256 h;
};

static void
errf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
errf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

/* Makes directory path (mode 0700) unless it exists, then checks that it
 * is a directory of ours that no one else may write. */
static int
safe_dir(const char *path, char *err, size_t n)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		int e = errno;
		errf(err, n, "cannot create the cache directory %s: %s (set XDG_CACHE_HOME to a "
		    "writable directory)", path, strerror(e));
		return -e;
	}
	if (lstat(path, &st) < 0) {
		int e = errno;
		errf(err, n, "cannot use the cache directory %s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		errf(err, n, "the cache directory %s is not a directory (remove it, or set "
		    "XDG_CACHE_HOME elsewhere)", path);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		errf(err, n, "the cache directory %s belongs to another user or others may write "
		    "in it: unsafe (chmod go-w it, or set XDG_CACHE_HOME elsewhere)", path);
		return -EPERM;
	}
	return 0;
}

int
blobstore_open(struct blobstore **bsp, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct blobstore *bs;
	char *top = NULL;
	int e;

	*bsp = NULL;
	if (xdg && xdg[0] == '/')
		top = strdup(xdg);
	else if (home && home[0] == '/') {
		if (asprintf(&top, "%s/.cache", home) < 0)
			top = NULL;
	} else {
		errf(err, errlen, "no cache directory for the file contents of portable traces: "
		    "set XDG_CACHE_HOME (or HOME) to an absolute path");
		return -ENOENT;
	}
	if (top == NULL || (bs = calloc(1, sizeof *bs)) == NULL) {
		free(top);
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	bs->fd = -1;
	if (asprintf(&bs->base, "%s/dios", top) < 0 || asprintf(&bs->blobs, "%s/blobs", bs->base) < 0) {
		free(top);
		blobstore_close(bs);
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* The top directory may be shared (~/.cache): make it if missing, as
	 * the XDG spec says, but only dios's own must be private. */
	if (mkdir(top, 0700) < 0 && errno != EEXIST) {
		e = -errno;
		errf(err, errlen, "cannot create the cache directory %s: %s (set XDG_CACHE_HOME to a "
		    "writable directory)", top, strerror(-e));
		free(top);
		blobstore_close(bs);
		return e;
	}
	free(top);
	if ((e = safe_dir(bs->base, err, errlen)) < 0 || (e = safe_dir(bs->blobs, err, errlen)) < 0) {
		blobstore_close(bs);
		return e;
	}
	*bsp = bs;
	return 0;
}

static void
drop_tmp(struct blobstore *bs)
{
	if (bs->fd >= 0)
		close(bs->fd);
	bs->fd = -1;
	if (bs->tmp)
		unlink(bs->tmp);
	free(bs->tmp);
	bs->tmp = NULL;
	bs->busy = false;
}

/* Whether the cache already has the right content for sha and size. */
static bool
cached(struct blobstore *bs, const char *sha, json_int_t size)
{
	json_t *id = json_pack("{s:s, s:I, s:s}", "path", "", "size", size, "sha256", sha);
	char *p = NULL;
	bool ok = id && blobstore_get(bs, id, &p) == 0;

	json_decref(id);
	free(p);
	return ok;
}

static int
start(struct blobstore *bs, const char *sha, json_int_t size, char *err, size_t errlen)
{
	memcpy(bs->sha, sha, 65);
	bs->size = size;
	bs->off = 0;
	bs->busy = true;
	sha256_init(&bs->h);
	if ((bs->skip = cached(bs, sha, size)))
		return 0;
	if (asprintf(&bs->tmp, "%s/.%.16s.XXXXXX", bs->blobs, sha) < 0) {
		bs->tmp = NULL;
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((bs->fd = mkostemp(bs->tmp, O_CLOEXEC)) < 0) {
		int e = errno;
		errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs, strerror(e));
		free(bs->tmp);
		bs->tmp = NULL;
		bs->busy = false;
		return -e;
	}
	return 0;
}

static int
finish(struct blobstore *bs, char *err, size_t errlen)
{
	uint8_t d[32];
	char hex[65], *dst = NULL;
	int e = 0;

	sha256_final(&bs->h, d);
	sha256_hex(d, hex);
	if (strcmp(hex, bs->sha) != 0) {
		errf(err, errlen, "the content of file %s in the trace does not match its SHA-256 "
		    "(the trace is damaged, or the file changed while it was recorded)", bs->sha);
		drop_tmp(bs);
		return -EBADMSG;
	}
	if (!bs->skip) {
		if (fchmod(bs->fd, 0500) < 0 || close(bs->fd) < 0)
			e = -errno;
		bs->fd = -1;
		if (e == 0 && asprintf(&dst, "%s/%s", bs->blobs, bs->sha) < 0)
			e = -ENOMEM;
		if (e == 0 && rename(bs->tmp, dst) < 0)
			e = -errno;
		if (e < 0)
			errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs,
			    strerror(-e));
		free(dst);
	}
	if (e < 0)
		drop_tmp(bs);
	free(bs->tmp);
	bs->tmp = NULL;
	bs->busy = false;
	return e;
}

int
blobstore_line(struct blobstore *bs, const json_t *line, char *err, size_t errlen)
{
	const char *why = blob_line_check(line);
	const char *sha;
	json_int_t size, off;
	void *b;
	size_t n;
	int e;

	if (why) {
		errf(err, errlen, "%s", why);
		return -EBADMSG;
	}
	sha = json_string_value(json_object_get(line, "blob"));
	size = json_integer_value(json_object_get(line, "size"));
	off = json_integer_value(json_object_get(line, "off"));
	if (!bs->busy) {
		if (off != 0) {
			errf(err, errlen, "blob line: file %s starts at \"off\" %lld, not 0",
			    sha, (long long)off);
			return -EBADMSG;
		}
		if ((e = start(bs, sha, size, err, errlen)) < 0)
			return e;
	} else if (strcmp(sha, bs->sha) != 0 || size != bs->size || off != bs->off) {
		errf(err, errlen, "blob line: expected file %s at \"off\" %lld (the lines of a "
		    "file come together, in order)", bs->sha, (long long)bs->off);
		return -EBADMSG;
	}
	if (json_get_bytes(json_object_get(line, "data"), &b, &n) < 0) {
		errf(err, errlen, "blob line: bad \"data\"");
		return -EBADMSG;
	}
	sha256_update(&bs->h, b, n);
	for (size_t w = 0; !bs->skip && w < n;) {
		ssize_t k = write(bs->fd, (char *)b + w, n - w);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e = k < 0 ? errno : EIO;
			free(b);
			errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs,
			    strerror(e));
			drop_tmp(bs);
			return -e;
		}
		w += (size_t)k;
	}
	free(b);
	bs->off += (json_int_t)n;
	if (bs->off == bs->size)
		return finish(bs, err, errlen);
	if (n == 0) {
		errf(err, errlen, "blob line: empty \"data\" before the end of file %s", bs->sha);
		drop_tmp(bs);
		return -EBADMSG;
	}
	return 0;
}

int
blobstore_end(struct blobstore *bs, char *err, size_t errlen)
{
	if (!bs->busy)
		return 0;
	errf(err, errlen, "the trace ends inside the content of file %s (%lld of %lld bytes)",
	    bs->sha, (long long)bs->off, (long long)bs->size);
	drop_tmp(bs);
	return -EBADMSG;
}

int
blobstore_get(struct blobstore *bs, const json_t *id, char **path)
{
	const char *sha = json_string_value(json_object_get(id, "sha256"));
	json_t *want;
	char *p;
	int e;

	*path = NULL;
	if (!is_sha(sha) || !json_is_integer(json_object_get(id, "size")))
		return -EINVAL;
	if (asprintf(&p, "%s/%s", bs->blobs, sha) < 0)
		return -ENOMEM;
	want = json_pack("{s:s, s:O, s:s}", "path", p, "size", json_object_get(id, "size"),
	    "sha256", sha);
	e = want ? fileid_verify(want, FILEID_OURS, NULL, NULL) : -ENOMEM;
	json_decref(want);
	if (e < 0) {
		free(p);
		return e;
	}
	*path = p;
	return 0;
}

/* mkdir -p of the directories of exec/<sub>, each private. */
static int
exec_dir(struct blobstore *bs, const char *sub, char **dir)
{
	char *top = NULL, tmp[1];
	int e;

	if (asprintf(&top, "%s/exec", bs->base) < 0)
		return -ENOMEM;
	if ((e = safe_dir(top, tmp, sizeof tmp)) < 0) {
		free(top);
		return e;
	}
	e = asprintf(dir, "%s/%s", top, sub) < 0 ? -ENOMEM : 0;
	free(top);
	if (e == 0 && (e = safe_dir(*dir, tmp, sizeof tmp)) < 0) {
		free(*dir);
		*dir = NULL;
	}
	return e;
}

static int
copy_fd(int in, int out)
{
	char buf[65536];
	size_t got;
	int e;

	for (;;) {
		if ((e = read_full(in, buf, sizeof buf, &got)) < 0)
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
blobstore_exec_copy(struct blobstore *bs, const char *src, const char *sha,
    const char *name, int interp_fd, char **out, struct elf_interp *ei)
{
	char sub[128], *dir = NULL, *tmp = NULL, *dst = NULL, interp[32];
	int in = -1, fd = -1, e;

	*out = NULL;
	memset(ei, 0, sizeof *ei);
	if (!is_sha(sha) || name[0] == '\0' || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	e = interp_fd >= 0 ? elf_interp_read(in, ei) : -ENOENT;
	if (e == -ENOENT || e == -ENOEXEC) {
		elf_interp_free(ei);
		interp_fd = -1;
		e = 0;
	}
	if (e < 0)
		goto out;
	snprintf(interp, sizeof interp, "/proc/self/fd/%d", interp_fd);
	if (interp_fd >= 0 && strlen(interp) + 1 > ei->len) {
		e = -ENAMETOOLONG;
		goto out;
	}
	if (interp_fd >= 0)
		snprintf(sub, sizeof sub, "%s.fd%d", sha, interp_fd);
	else
		snprintf(sub, sizeof sub, "%s.as-is", sha);
	if ((e = exec_dir(bs, sub, &dir)) < 0)
		goto out;
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0 || asprintf(&dst, "%s/%s", dir, name) < 0) {
		e = -ENOMEM;
		goto out;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		e = -errno;
		goto out;
	}
	if ((e = copy_fd(in, fd)) < 0)
		goto out;
	if (interp_fd >= 0) {
		char *nv = calloc(1, ei->len);
		if (nv == NULL) {
			e = -ENOMEM;
			goto out;
		}
		memcpy(nv, interp, strlen(interp));
		if (pwrite(fd, nv, ei->len, (off_t)ei->off) != (ssize_t)ei->len)
			e = -EIO;
		free(nv);
		if (e < 0)
			goto out;
	}
	if (fchmod(fd, 0500) < 0 || close(fd) < 0) {
		e = -errno;
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, dst) < 0) {
		e = -errno;
		goto out;
	}
	*out = dst;
	dst = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (e < 0 && tmp && tmp[0])
		unlink(tmp);
	if (e < 0)
		elf_interp_free(ei);
	if (in >= 0)
		close(in);
	free(tmp);
	free(dst);
	free(dir);
	return e;
}

void
blobstore_close(struct blobstore *bs)
{
	if (bs == NULL)
		return;
	drop_tmp(bs);
	free(bs->base);
	free(bs->blobs);
	free(bs);
}
