/* blobstore.c: the cache of the file contents of portable traces (see
 * blobstore.h): where it is, writing what the check hands it, the copies
 * replay executes. */
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
#include "trace/fileid.h"

/* A file put whole, waiting for blobstore_keep. */
struct pending {
	char sha[65];
	char *tmp;		/* its temporary file in blobs/ */
};

struct blobstore {
	char *base;		/* <cache>/dios */
	char *blobs;		/* <base>/blobs */
	struct pending *pend;
	size_t npend;
	/* the file whose chunks are coming in */
	bool busy, skip;
	char sha[65];
	int fd;
	char *tmp;
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

/* The top directory of the cache, malloc'd: $XDG_CACHE_HOME or ~/.cache. */
static int
cache_top(char **top, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	*top = NULL;
	if (xdg && xdg[0] == '/')
		*top = strdup(xdg);
	else if (home && home[0] == '/') {
		if (asprintf(top, "%s/.cache", home) < 0)
			*top = NULL;
	} else {
		errf(err, errlen, "no cache directory for the file contents of portable traces: "
		    "set XDG_CACHE_HOME (or HOME) to an absolute path");
		return -ENOENT;
	}
	if (*top == NULL) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
blobstore_open(struct blobstore **bsp, char *err, size_t errlen)
{
	struct blobstore *bs;
	char *top = NULL;
	int e;

	*bsp = NULL;
	if ((bs = calloc(1, sizeof *bs)) == NULL) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	bs->fd = -1;
	if ((e = cache_top(&top, err, errlen)) < 0) {
		blobstore_close(bs);
		return e;
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
	if (asprintf(&bs->base, "%s/dios", top) < 0)
		bs->base = NULL;
	free(top);
	if (bs->base == NULL || asprintf(&bs->blobs, "%s/blobs", bs->base) < 0) {
		bs->blobs = NULL;
		blobstore_close(bs);
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((e = safe_dir(bs->base, err, errlen)) < 0 || (e = safe_dir(bs->blobs, err, errlen)) < 0) {
		blobstore_close(bs);
		return e;
	}
	*bsp = bs;
	return 0;
}

/* ---- files put by the check of a trace ---- */

static void
drop_busy(struct blobstore *bs)
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

void
blobstore_drop(struct blobstore *bs)
{
	drop_busy(bs);
	for (size_t i = 0; i < bs->npend; i++) {
		unlink(bs->pend[i].tmp);
		free(bs->pend[i].tmp);
	}
	free(bs->pend);
	bs->pend = NULL;
	bs->npend = 0;
}

/* Whether the cache already has the right content for sha and size. */
static bool
cached(struct blobstore *bs, const char *sha, uint64_t size)
{
	json_t *id = json_pack("{s:s, s:I, s:s}", "path", "", "size", (json_int_t)size, "sha256", sha);
	char *p = NULL;
	bool ok = id && blobstore_get(bs, id, &p) == 0;

	json_decref(id);
	free(p);
	return ok;
}

static int
start(struct blobstore *bs, const struct blob_chunk *c, char *err, size_t errlen)
{
	int e;

	memcpy(bs->sha, c->sha, 65);
	bs->busy = true;
	if ((bs->skip = cached(bs, c->sha, c->size)))
		return 0;
	if (asprintf(&bs->tmp, "%s/.%.16s.XXXXXX", bs->blobs, c->sha) < 0) {
		bs->tmp = NULL;
		drop_busy(bs);
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if ((bs->fd = mkostemp(bs->tmp, O_CLOEXEC)) < 0) {
		e = -errno;
		errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs, strerror(-e));
		free(bs->tmp);
		bs->tmp = NULL;
		drop_busy(bs);
		return e;
	}
	return 0;
}

int
blobstore_put(struct blobstore *bs, const struct blob_chunk *c, char *err, size_t errlen)
{
	struct pending *p;
	int e;

	if (c->off == 0) {
		drop_busy(bs);
		if ((e = start(bs, c, err, errlen)) < 0)
			return e;
	} else if (!bs->busy || strcmp(c->sha, bs->sha) != 0) {
		errf(err, errlen, "blob line: content of file %s out of order", c->sha);
		return -EINVAL;
	}
	for (size_t w = 0; !bs->skip && w < c->n;) {
		ssize_t k = pwrite(bs->fd, (const char *)c->data + w, c->n - w, (off_t)(c->off + w));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e = k < 0 ? errno : EIO;
			errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs,
			    strerror(e));
			drop_busy(bs);
			return -e;
		}
		w += (size_t)k;
	}
	if (!c->last)
		return 0;
	if (bs->skip) {
		bs->busy = false;
		return 0;
	}
	if (fchmod(bs->fd, 0500) < 0 || close(bs->fd) < 0) {
		e = errno;
		bs->fd = -1;
		errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs, strerror(e));
		drop_busy(bs);
		return -e;
	}
	bs->fd = -1;
	if ((p = realloc(bs->pend, (bs->npend + 1) * sizeof *p)) == NULL) {
		drop_busy(bs);
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	bs->pend = p;
	p = &bs->pend[bs->npend++];
	memcpy(p->sha, bs->sha, 65);
	p->tmp = bs->tmp;
	bs->tmp = NULL;
	bs->busy = false;
	return 0;
}

int
blobstore_keep(struct blobstore *bs, const char *sha, char *err, size_t errlen)
{
	char *dst = NULL;
	int e = 0;

	for (size_t i = 0; i < bs->npend; i++) {
		struct pending *p = &bs->pend[i];
		if (strcmp(p->sha, sha) != 0)
			continue;
		if (asprintf(&dst, "%s/%s", bs->blobs, sha) < 0)
			return -ENOMEM;
		if (rename(p->tmp, dst) < 0) {
			e = -errno;
			errf(err, errlen, "cannot write to the cache directory %s: %s", bs->blobs,
			    strerror(-e));
		}
		free(dst);
		if (e < 0)
			return e;
		free(p->tmp);
		*p = bs->pend[--bs->npend];
		return 0;
	}
	return 0;	/* cached already */
}

/* ---- using the cache ---- */

int
blobstore_get(struct blobstore *bs, const json_t *id, char **path)
{
	const char *sha = json_string_value(json_object_get(id, "sha256"));
	const json_t *size = json_object_get(id, "size");
	json_t *want;
	char *p;
	int e;

	*path = NULL;
	if (!blob_is_sha(sha) || !json_is_integer(size) || json_integer_value(size) < 0)
		return -EINVAL;
	if (asprintf(&p, "%s/%s", bs->blobs, sha) < 0)
		return -ENOMEM;
	want = json_pack("{s:s, s:O, s:s}", "path", p, "size", size, "sha256", sha);
	e = want ? fileid_verify(want, FILEID_OURS, NULL, NULL) : -ENOMEM;
	json_decref(want);
	if (e < 0) {
		free(p);
		return e;
	}
	*path = p;
	return 0;
}

/* ---- the copies replay executes ---- */

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
	if (!blob_is_sha(sha) || name[0] == '\0' || strchr(name, '/') || !strcmp(name, ".") ||
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
	blobstore_drop(bs);
	free(bs->base);
	free(bs->blobs);
	free(bs);
}
