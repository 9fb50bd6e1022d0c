/* blobstore.c: the cache of the file contents of portable traces (see
 * blobstore.h): where it is, writing what the check hands it, the limit
 * and its eviction, the copies replay executes, removing a temporary one. */
#include "config.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "trace/blobstore.h"
#include "trace/fileid.h"

/* A file put whole, waiting for blobstore_keep. */
struct pending {
	char sha[65];
	char *tmp;		/* its temporary file in blobs/ */
	uint64_t cost;
};

struct blobstore {
	char *base;		/* <cache>/dios, or the temporary directory */
	char *blobs;		/* <base>/blobs */
	bool temporary;
	uint64_t limit;
	/* What the cache holds, as this process knows it: counted by a scan
	 * of the directories, then kept up to date with what it writes and
	 * removes; scanned again when a file would go over the limit. */
	bool scanned;
	uint64_t usage;
	/* Entries this process uses ("blobs/<sha>", "exec/<sub>" -> cost),
	 * never removed by it, and their sum. */
	json_t *pins;
	uint64_t pinned;
	json_t *tmps;		/* names of its temporary files in blobs/ */
	struct pending *pend;
	size_t npend;
	/* the file whose chunks are coming in */
	bool busy, skip;
	char sha[65];
	uint64_t cost;
	int fd;
	char *tmp;
};

#define BLOCK 4096u
/* The cache's own directories: the top one, blobs/ and exec/. */
#define DIRS (3 * (uint64_t)BLOCK)
/* A temporary file of the cache older than this is left over from a
 * replay that was killed: it may be removed. */
#define STALE_TMP_SECONDS (24 * 60 * 60)

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

/* What a file of size bytes costs the cache: whole blocks, at least one. */
static uint64_t
cost(uint64_t size)
{
	return size == 0 ? BLOCK : (size + BLOCK - 1) / BLOCK * BLOCK;
}

/* "1.5 GiB" of n bytes, for messages. */
static const char *
size_text(uint64_t n, char buf[32])
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		snprintf(buf, 32, "%llu bytes", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, 32, "%.1f %s", v, unit[i]);
	return buf;
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
		    "set XDG_CACHE_HOME (or HOME) to an absolute path, or replay with --no-cache");
		return -ENOENT;
	}
	if (*top == NULL) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int
blobstore_open(struct blobstore **bsp, const struct blobstore_conf *conf, char *err,
    size_t errlen)
{
	struct blobstore *bs;
	char *top = NULL;
	int e;

	*bsp = NULL;
	if ((bs = calloc(1, sizeof *bs)) == NULL || (bs->pins = json_object()) == NULL ||
	    (bs->tmps = json_object()) == NULL) {
		blobstore_close(bs);
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	bs->fd = -1;
	bs->limit = conf->limit;
	bs->temporary = conf->temporary;
	if (conf->temporary) {
		const char *tmpdir = getenv("TMPDIR");

		if (asprintf(&bs->base, "%s/dios-cache.XXXXXX", tmpdir && tmpdir[0] == '/' ?
		    tmpdir : "/tmp") < 0) {
			bs->base = NULL;
			blobstore_close(bs);
			errf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		if (mkdtemp(bs->base) == NULL) {
			e = -errno;
			errf(err, errlen, "cannot make a temporary cache directory %s: %s (set "
			    "TMPDIR to a writable directory)", bs->base, strerror(-e));
			free(bs->base);
			bs->base = NULL;
			blobstore_close(bs);
			return e;
		}
	} else {
		if ((e = cache_top(&top, err, errlen)) < 0) {
			blobstore_close(bs);
			return e;
		}
		/* The top directory may be shared (~/.cache): make it if
		 * missing, as the XDG spec says, but only dios's own must be
		 * private. */
		if (mkdir(top, 0700) < 0 && errno != EEXIST) {
			e = -errno;
			errf(err, errlen, "cannot create the cache directory %s: %s (set "
			    "XDG_CACHE_HOME to a writable directory)", top, strerror(-e));
			free(top);
			blobstore_close(bs);
			return e;
		}
		if (asprintf(&bs->base, "%s/dios", top) < 0)
			bs->base = NULL;
		free(top);
	}
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

const char *
blobstore_dir(const struct blobstore *bs)
{
	return bs->base;
}

/* ---- the limit ---- */

static bool
pinned(const struct blobstore *bs, const char *name)
{
	return json_object_get(bs->pins, name) != NULL;
}

static void
pin(struct blobstore *bs, const char *name, uint64_t c)
{
	if (!pinned(bs, name) && json_object_set_new(bs->pins, name, json_integer((json_int_t)c)) == 0)
		bs->pinned += c;
}

static void
unpin(struct blobstore *bs, const char *name)
{
	json_t *c = json_object_get(bs->pins, name);

	if (c) {
		bs->pinned -= (uint64_t)json_integer_value(c);
		json_object_del(bs->pins, name);
	}
}

/* An entry of the cache that may be removed. */
struct entry {
	char *name;		/* "blobs/<sha>", "blobs/.<tmp>", "exec/<sub>" */
	uint64_t cost;
	struct timespec used;	/* modification time */
};

static int
by_use(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool
later(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* What directory dir of the cache holds: its entries' costs added to
 * *usage, those that may go appended to *ents.  exec: the directories of
 * exec/, each one entry. */
static int
scan_dir(struct blobstore *bs, const char *sub, bool exec, uint64_t *usage, struct entry **ents,
    size_t *nents, size_t *cap)
{
	char *path = NULL;
	struct dirent *de;
	DIR *d;
	int e = 0;
	time_t now = time(NULL);

	if (asprintf(&path, "%s/%s", bs->base, sub) < 0)
		return -ENOMEM;
	d = opendir(path);
	free(path);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	*usage += BLOCK;	/* the directory itself */
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		struct timespec used;
		uint64_t c;
		bool may_go;
		char *name;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* gone meanwhile */
		used = st.st_mtim;
		if (exec && S_ISDIR(st.st_mode)) {
			/* exec/<sub>/: the copies in it */
			int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
			DIR *in = fd >= 0 ? fdopendir(fd) : NULL;
			struct dirent *f;

			if (in == NULL && fd >= 0)
				close(fd);
			c = BLOCK;
			while (in && (f = readdir(in)) != NULL) {
				struct stat fs;
				if (f->d_name[0] == '.' && (!f->d_name[1] || !strcmp(f->d_name, "..")))
					continue;
				if (fstatat(dirfd(in), f->d_name, &fs, AT_SYMLINK_NOFOLLOW) < 0)
					continue;
				c += cost((uint64_t)fs.st_size);
				if (later(&fs.st_mtim, &used))
					used = fs.st_mtim;
			}
			if (in)
				closedir(in);
			may_go = true;
		} else {
			c = S_ISREG(st.st_mode) ? cost((uint64_t)st.st_size) : BLOCK;
			if (!S_ISREG(st.st_mode))
				may_go = false;	/* not ours to remove */
			else if (de->d_name[0] == '.')	/* another replay's, or a killed one's */
				may_go = !json_object_get(bs->tmps, de->d_name) &&
				    st.st_mtim.tv_sec + STALE_TMP_SECONDS < now;
			else
				may_go = exec || blob_is_sha(de->d_name);
		}
		*usage += c;
		if (asprintf(&name, "%s/%s", sub, de->d_name) < 0) {
			e = -ENOMEM;
			break;
		}
		if (!may_go || pinned(bs, name)) {
			free(name);
			continue;
		}
		if (*nents == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct entry *n = realloc(*ents, ncap * sizeof *n);
			if (n == NULL) {
				free(name);
				e = -ENOMEM;
				break;
			}
			*ents = n;
			*cap = ncap;
		}
		(*ents)[(*nents)++] = (struct entry){ name, c, used };
	}
	closedir(d);
	return e;
}

/* Removes entry name ("blobs/x" or "exec/x") of the cache. */
static int
evict(struct blobstore *bs, const char *name)
{
	char *path = NULL;
	int e;

	if (asprintf(&path, "%s/%s", bs->base, name) < 0)
		return -ENOMEM;
	if (strncmp(name, "exec/", 5) == 0)
		e = blobstore_rmtree(path);
	else
		e = unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	free(path);
	return e;
}

/* Counts what the cache holds and, when need more bytes would not fit,
 * removes entries used least recently: down to 7/8 of the limit when it
 * can, so that the next files need no scan. */
static int
scan(struct blobstore *bs, uint64_t need)
{
	struct entry *ents = NULL;
	size_t nents = 0, cap = 0, i;
	uint64_t usage = BLOCK, goal = bs->limit - bs->limit / 8;
	int e;

	if ((e = scan_dir(bs, "blobs", false, &usage, &ents, &nents, &cap)) == 0)
		e = scan_dir(bs, "exec", true, &usage, &ents, &nents, &cap);
	if (e == 0 && usage + need > bs->limit) {
		qsort(ents, nents, sizeof *ents, by_use);
		for (i = 0; i < nents && usage + need > goal; i++)
			if (evict(bs, ents[i].name) == 0)
				usage -= ents[i].cost < usage ? ents[i].cost : usage;
	}
	for (i = 0; i < nents; i++)
		free(ents[i].name);
	free(ents);
	if (e < 0)
		return e;
	bs->usage = usage;
	bs->scanned = true;
	return 0;
}

/* Room for need more bytes, for what (named in messages). */
static int
make_room(struct blobstore *bs, uint64_t need, const char *what, char *err, size_t errlen)
{
	char a[32], b[32], c[32];
	int e;

	if (DIRS + bs->pinned + need > bs->limit) {
		if (bs->pinned == 0)
			errf(err, errlen, "%s (%s) does not fit in the cache, which may hold %s "
			    "(raise dios-replay's --cache-size, or cache-size in dios.yaml)", what,
			    size_text(need, a), size_text(bs->limit, c));
		else
			errf(err, errlen, "%s (%s) does not fit in the cache beside the %s of files "
			    "this replay uses: the cache may hold %s (raise dios-replay's "
			    "--cache-size, or cache-size in dios.yaml)", what, size_text(need, a),
			    size_text(bs->pinned, b), size_text(bs->limit, c));
		return -ENOSPC;
	}
	if (!bs->scanned || bs->usage + need > bs->limit) {
		if ((e = scan(bs, need)) < 0) {
			errf(err, errlen, "cannot read the cache directory %s: %s", bs->base,
			    strerror(-e));
			return e;
		}
		if (bs->usage + need > bs->limit) {
			errf(err, errlen, "no room for %s (%s) in the cache %s, which may hold %s: "
			    "it holds %s that cannot be removed now (files other replays write or "
			    "use, files not of dios); raise --cache-size, or wait for the other "
			    "replays", what, size_text(need, a), bs->base, size_text(bs->limit, c),
			    size_text(bs->usage, b));
			return -ENOSPC;
		}
	}
	bs->usage += need;
	return 0;
}

/* Marks path used now, for the choice of what to remove. */
static void
touch(const char *path)
{
	(void)utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
}

/* ---- files put by the check of a trace ---- */

static void
drop_busy(struct blobstore *bs)
{
	if (bs->fd >= 0)
		close(bs->fd);
	bs->fd = -1;
	if (bs->tmp) {
		unlink(bs->tmp);
		json_object_del(bs->tmps, strrchr(bs->tmp, '/') + 1);
	}
	free(bs->tmp);
	bs->tmp = NULL;
	if (bs->busy && !bs->skip) {
		char name[80];
		snprintf(name, sizeof name, "blobs/%s", bs->sha);
		unpin(bs, name);
		bs->usage -= bs->cost < bs->usage ? bs->cost : bs->usage;
	}
	bs->busy = false;
}

void
blobstore_drop(struct blobstore *bs)
{
	char name[80];

	drop_busy(bs);
	for (size_t i = 0; i < bs->npend; i++) {
		unlink(bs->pend[i].tmp);
		json_object_del(bs->tmps, strrchr(bs->pend[i].tmp, '/') + 1);
		snprintf(name, sizeof name, "blobs/%s", bs->pend[i].sha);
		unpin(bs, name);
		bs->usage -= bs->pend[i].cost < bs->usage ? bs->pend[i].cost : bs->usage;
		free(bs->pend[i].tmp);
	}
	free(bs->pend);
	bs->pend = NULL;
	bs->npend = 0;
}

/* Whether the cache already has the right content for sha and size (and
 * then marks it used). */
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
	char name[80], what[128];
	int e;

	memcpy(bs->sha, c->sha, 65);
	bs->busy = true;
	bs->cost = cost(c->size);
	if ((bs->skip = cached(bs, c->sha, c->size)))
		return 0;
	snprintf(what, sizeof what, "file %s", c->sha);
	if ((e = make_room(bs, bs->cost, what, err, errlen)) < 0) {
		bs->busy = false;
		return e;
	}
	snprintf(name, sizeof name, "blobs/%s", c->sha);
	pin(bs, name, bs->cost);
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
	json_object_set_new(bs->tmps, strrchr(bs->tmp, '/') + 1, json_true());
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
	p->cost = bs->cost;
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
		json_object_del(bs->tmps, strrchr(p->tmp, '/') + 1);
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
	char name[80];
	json_t *want;
	char *p;
	int e;

	*path = NULL;
	if (!blob_is_sha(sha) || !json_is_integer(size) || json_integer_value(size) < 0)
		return -EINVAL;
	if (asprintf(&p, "%s/%s", bs->blobs, sha) < 0)
		return -ENOMEM;
	snprintf(name, sizeof name, "blobs/%s", sha);
	if (!pinned(bs, name))
		touch(p);	/* before the check: the hash is cached by time */
	want = json_pack("{s:s, s:O, s:s}", "path", p, "size", size, "sha256", sha);
	e = want ? fileid_verify(want, FILEID_OURS, NULL, NULL) : -ENOMEM;
	json_decref(want);
	if (e < 0) {
		free(p);
		return e;
	}
	pin(bs, name, cost((uint64_t)json_integer_value(size)));
	*path = p;
	return 0;
}

/* ---- the copies replay executes ---- */

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

int
blobstore_exec_copy(struct blobstore *bs, const char *src, const char *sha,
    const char *name, int interp_fd, char **out, struct elf_interp *ei)
{
	char sub[128], key[160], *dir = NULL, *tmp = NULL, *dst = NULL, interp[32], why[8];
	struct stat st;
	uint64_t need;
	int in = -1, fd = -1, e;

	*out = NULL;
	memset(ei, 0, sizeof *ei);
	if (!blob_is_sha(sha) || name[0] == '\0' || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(in, &st) < 0) {
		e = -errno;
		goto out;
	}
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
	snprintf(key, sizeof key, "exec/%s", sub);
	need = cost((uint64_t)st.st_size) + BLOCK;
	if (!pinned(bs, key)) {
		if ((e = make_room(bs, need, "the copy to execute", why, sizeof why)) < 0)
			goto out;
		pin(bs, key, need);
	}
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
	if ((e = blob_copy_fd(in, fd)) < 0)
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
	if (bs->temporary && bs->base)
		(void)blobstore_rmtree(bs->base);
	json_decref(bs->pins);
	json_decref(bs->tmps);
	free(bs->base);
	free(bs->blobs);
	free(bs);
}

/* ---- removing a tree, async-signal-safe ---- */

struct dirent64_ {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Removes name in directory dirfd, and all under it; depth bounds the
 * recursion (the cache is three levels deep). */
static int
rm_at(int dirfd, const char *name, int depth)
{
	char buf[2048];
	int fd, e = 0, pass;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	if (depth > 8)
		return -ELOOP;
	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -errno;
	/* Entries removed while the directory is read may make it skip
	 * some: read it again until it is empty. */
	for (pass = 0; pass < 4; pass++) {
		long n;
		bool any = false;

		if (lseek(fd, 0, SEEK_SET) < 0)
			break;
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
			for (long off = 0; off < n;) {
				struct dirent64_ *d = (struct dirent64_ *)(buf + off);
				off += d->d_reclen;
				if (d->d_name[0] == '.' && (d->d_name[1] == '\0' ||
				    (d->d_name[1] == '.' && d->d_name[2] == '\0')))
					continue;
				any = true;
				if ((e = rm_at(fd, d->d_name, depth + 1)) < 0)
					break;
			}
			if (e < 0)
				break;
		}
		if (e < 0 || !any)
			break;
	}
	close(fd);
	if (e < 0)
		return e;
	return unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

int
blobstore_rmtree(const char *dir)
{
	return rm_at(AT_FDCWD, dir, 0);
}
