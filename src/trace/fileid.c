/* fileid.c: hashed identities of mapped and executed files, and the only
 * way replay opens a host file a trace names (fileid_open). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include "trace/fileid.h"
#include "trace/hashcache.h"
#include "trace/number.h"
#include "trace/sha256.h"

struct ent {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	uint64_t off, len;	/* the part hashed; len UINT64_MAX: the whole file */
	char hex[65];
	struct ent *next;
};

static struct ent *cache;

#define WHOLE UINT64_MAX

static struct ent *
lookup(const struct stat *st, uint64_t off, uint64_t len)
{
	for (struct ent *e = cache; e; e = e->next)
		if (e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
		    e->off == off && e->len == len &&
		    e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec &&
		    e->ctime.tv_sec == st->st_ctim.tv_sec && e->ctime.tv_nsec == st->st_ctim.tv_nsec)
			return e;
	return NULL;
}

static bool
same_times(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Puts e, the hash of part [off, off + len) of the file whose fstat is st,
 * into the process's cache. */
static struct ent *
remember(const struct stat *st, uint64_t off, uint64_t len, struct ent *e)
{
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	e->off = off;
	e->len = len;
	e->next = cache;
	cache = e;
	return e;
}

/* The hash of the file open at fd, whose fstat is st (hashed once per
 * device, inode, size and times in a process, and once per change across
 * runs: hashcache.h). */
static int
hash_fd(int fd, const struct stat *st, char hex[65], off_t *size)
{
	struct ent *e;
	off_t sz;
	int r;

	if ((e = lookup(st, 0, WHOLE)) == NULL) {
		if ((e = calloc(1, sizeof *e)) == NULL)
			return -ENOMEM;
		if (!hashcache_get(fd, st, e->hex)) {
			struct stat after;
			if ((r = sha256_fd(fd, e->hex, &sz)) < 0) {
				free(e);
				return r;
			}
			if (sz != st->st_size || fstat(fd, &after) < 0 || !same_times(st, &after)) {
				/* changed while hashed: not cached */
				memcpy(hex, e->hex, 65);
				*size = sz;
				free(e);
				return 0;
			}
			hashcache_put(fd, st, e->hex);
		}
		remember(st, 0, WHOLE, e);
	}
	memcpy(hex, e->hex, 65);
	*size = e->size;
	return 0;
}

/* The SHA-256 of bytes [off, off + len) of the file open at fd (fstat st),
 * which holds them: hashed once per file and part in a process. */
static int
hash_part(int fd, const struct stat *st, uint64_t off, uint64_t len, char hex[65])
{
	struct ent *e;
	struct stat after;
	int r;

	if ((e = lookup(st, off, len)) == NULL) {
		if ((e = calloc(1, sizeof *e)) == NULL)
			return -ENOMEM;
		if ((r = sha256_fd_range(fd, off, len, e->hex)) < 0) {
			free(e);
			return r;
		}
		if (fstat(fd, &after) < 0 || !same_times(st, &after)) {
			memcpy(hex, e->hex, 65);	/* changed while hashed: not cached */
			free(e);
			return 0;
		}
		remember(st, off, len, e);
	}
	memcpy(hex, e->hex, 65);
	return 0;
}

static int64_t
ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* What a large file's identity says of the part mapped: {"path", "size",
 * "range": [off, len], "sha256"} (len at most FILEID_HASH_MAX), or, for a
 * larger part, "file": {"dev", "ino", "mtime", "ctime"} (nanoseconds) in
 * place of "sha256". */
static json_t *
part_id(int fd, const struct stat *st, const char *shown, uint64_t off, uint64_t len, int *err)
{
	uint64_t size = (uint64_t)st->st_size;
	char hex[65];
	json_t *o;

	off = off < size ? off : size;
	len = len < size - off ? len : size - off;
	if (len <= FILEID_HASH_MAX) {
		if ((*err = hash_part(fd, st, off, len, hex)) < 0)
			return NULL;
		o = json_pack("{s:s, s:o, s:[o, o], s:s}", "path", shown, "size",
		    json_int64((int64_t)size), "range", json_int64((int64_t)off),
		    json_int64((int64_t)len), "sha256", hex);
	} else
		o = json_pack("{s:s, s:o, s:[o, o], s:{s:o, s:o, s:o, s:o}}", "path", shown, "size",
		    json_int64((int64_t)size), "range", json_int64((int64_t)off),
		    json_int64((int64_t)len), "file", "dev", json_int64((int64_t)st->st_dev), "ino",
		    json_int64((int64_t)st->st_ino), "mtime", json_int64(ns_of(&st->st_mtim)),
		    "ctime", json_int64(ns_of(&st->st_ctim)));
	if (o == NULL)
		*err = -ENOMEM;
	return o;
}

/* The identity of the file at path (named shown): of the whole file, or
 * with part, of bytes [off, off + len) of a file over FILEID_WHOLE_MAX. */
static json_t *
identify(const char *path, const char *shown, bool part, uint64_t off, uint64_t len, int *err)
{
	struct stat st;
	char hex[65];
	off_t size;
	json_t *o = NULL;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang the caller; only regular files
	 * are hashed (a device such as /dev/zero would never end). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		*err = -errno;
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		*err = -errno;
	else if (S_ISDIR(st.st_mode))
		*err = -EISDIR;
	else if (!S_ISREG(st.st_mode))
		*err = -EINVAL;
	else if (part && (uint64_t)st.st_size > FILEID_WHOLE_MAX)
		o = part_id(fd, &st, shown, off, len, err);
	else if ((*err = hash_fd(fd, &st, hex, &size)) == 0 &&
	    (o = json_pack("{s:s, s:o, s:s}", "path", shown, "size", json_int64(size), "sha256",
	    hex)) == NULL)
		*err = -ENOMEM;
	close(fd);
	return o;
}

json_t *
fileid_get(const char *open_path, const char *shown_path, int *err)
{
	return identify(open_path, shown_path, false, 0, 0, err);
}

json_t *
fileid_get_part(const char *open_path, const char *shown_path, uint64_t off, uint64_t len,
    int *err)
{
	return identify(open_path, shown_path, true, off, len, err);
}

/* ---- opening what a trace names ---- */

/* Why a file of this type is refused. */
static const char *
type_refused(mode_t m)
{
	if (S_ISREG(m))
		return NULL;
	if (S_ISFIFO(m))
		return "is a FIFO";
	if (S_ISDIR(m))
		return "is a directory";
	if (S_ISCHR(m))
		return "is a character device";
	if (S_ISBLK(m))
		return "is a block device";
	if (S_ISSOCK(m))
		return "is a socket";
	return "is not a regular file";
}

/* The first component of absolute path p once "//", "." and ".." are
 * taken away, in buf: "proc" for "/./tmp/../proc/kmsg". */
static const char *
first_component(const char *p, char *buf, size_t n)
{
	const char *comp[64];
	size_t len[64], depth = 0;

	while (*p) {
		const char *s;
		size_t l;

		while (*p == '/')
			p++;
		for (s = p; *p && *p != '/'; p++)
			;
		l = (size_t)(p - s);
		if (l == 0 || (l == 1 && s[0] == '.'))
			continue;
		if (l == 2 && s[0] == '.' && s[1] == '.') {
			if (depth > 0)
				depth--;
			continue;
		}
		if (depth < 64) {
			comp[depth] = s;
			len[depth] = l;
		}
		depth++;
	}
	if (depth == 0 || len[0] >= n)
		return "";
	memcpy(buf, comp[0], len[0]);
	buf[len[0]] = '\0';
	return buf;
}

/* Why a path there is refused: under /proc, /sys or /dev. */
static const char *
place_refused(const char *path, bool resolved)
{
	char buf[8];
	const char *c = first_component(path, buf, sizeof buf);

	if (strcmp(c, "proc") == 0)
		return resolved ? "resolves to a file under /proc" : "is under /proc";
	if (strcmp(c, "sys") == 0)
		return resolved ? "resolves to a file under /sys" : "is under /sys";
	if (strcmp(c, "dev") == 0)
		return resolved ? "resolves to a file under /dev" : "is under /dev";
	return NULL;
}

/* Kernel file systems whose files are not files: reading them has effects
 * or tells about the host. */
static bool
pseudo_fs(const struct statfs *sf)
{
	static const long magic[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEVPTS_SUPER_MAGIC,
#ifdef DEBUGFS_MAGIC
		DEBUGFS_MAGIC,
#endif
#ifdef TRACEFS_MAGIC
		TRACEFS_MAGIC,
#endif
#ifdef SECURITYFS_MAGIC
		SECURITYFS_MAGIC,
#endif
#ifdef CGROUP_SUPER_MAGIC
		CGROUP_SUPER_MAGIC,
#endif
#ifdef CGROUP2_SUPER_MAGIC
		CGROUP2_SUPER_MAGIC,
#endif
#ifdef BPF_FS_MAGIC
		BPF_FS_MAGIC,
#endif
#ifdef EFIVARFS_MAGIC
		EFIVARFS_MAGIC,
#endif
#ifdef PSTOREFS_MAGIC
		PSTOREFS_MAGIC,
#endif
#ifdef SELINUX_MAGIC
		SELINUX_MAGIC,
#endif
#ifdef SMACK_MAGIC
		SMACK_MAGIC,
#endif
	};

	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if ((long)sf->f_type == magic[i])
			return true;
	return false;
}

/* fileid_open, with want_size >= 0: -ESTALE, before the open, when the
 * file does not have that size. */
static int
safe_open(const char *path, unsigned flags, long long want_size, struct stat *st,
    const char **why)
{
	static const char pseudo[] = "is on a kernel file system such as proc or sysfs";
	static const char raced[] = "changed while it was being opened";
	bool ours = flags & FILEID_OURS;
	char *real = NULL, fdpath[64], link[PATH_MAX];
	const char *w = NULL, *open_path = path;
	struct stat before;
	struct statfs sf;
	ssize_t n;
	int fd, e;

	*why = NULL;
	if (!ours) {
		if (path[0] != '/')
			w = "is not an absolute path";
		else if ((w = place_refused(path, false)) == NULL) {
			/* Where it is, symbolic links followed, without
			 * opening anything. */
			if ((real = realpath(path, NULL)) == NULL)
				return errno == ENOMEM ? -ENOMEM : -errno;
			w = place_refused(real, true);
			open_path = real;
		}
		if (w) {
			free(real);
			*why = w;
			return -EPERM;
		}
	}
	if (stat(open_path, &before) < 0) {
		e = -errno;
		free(real);
		return e;
	}
	if ((w = type_refused(before.st_mode)) == NULL && !ours && statfs(open_path, &sf) == 0 &&
	    pseudo_fs(&sf))
		w = pseudo;
	if (w) {
		free(real);
		*why = w;
		return -EPERM;
	}
	if (want_size >= 0 && before.st_size != want_size) {
		free(real);
		return -ESTALE;	/* not read: it cannot be the recorded file */
	}
	fd = open(open_path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	e = fd < 0 ? (errno == EPERM ? -EACCES : -errno) : 0;
	free(real);
	if (fd < 0)
		return e;
	if (fstat(fd, st) < 0) {
		e = errno == EPERM ? -EACCES : -errno;
		close(fd);
		return e;
	}
	if ((w = type_refused(st->st_mode)) == NULL &&
	    (st->st_dev != before.st_dev || st->st_ino != before.st_ino))
		w = raced;
	if (w == NULL && !ours && fstatfs(fd, &sf) == 0 && pseudo_fs(&sf))
		w = pseudo;
	if (w == NULL && !ours) {
		snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
		if ((n = readlink(fdpath, link, sizeof link - 1)) > 0) {
			link[n] = '\0';
			w = place_refused(link, true);
		}
	}
	if (w) {
		close(fd);
		*why = w;
		return -EPERM;
	}
	return fd;
}

int
fileid_open(const char *path, unsigned flags, struct stat *st, const char **why)
{
	const char *w;
	struct stat s;
	int fd = safe_open(path, flags, -1, st ? st : &s, &w);

	if (why)
		*why = w;
	return fd;
}

/* The part a large file's identity names ("range": [off, len] within
 * "size"): false when it has none, or a malformed one (*bad). */
static bool
id_range(const json_t *want, int64_t size, uint64_t *off, uint64_t *len, bool *bad)
{
	const json_t *r = json_object_get(want, "range");
	int64_t o, l;

	*bad = false;
	if (r == NULL)
		return false;
	if (!json_is_array(r) || json_array_size(r) != 2 ||
	    json_int64_get(json_array_get(r, 0), &o) < 0 ||
	    json_int64_get(json_array_get(r, 1), &l) < 0 || o < 0 || l < 0 || o > size ||
	    l > size - o) {
		*bad = true;
		return false;
	}
	*off = (uint64_t)o;
	*len = (uint64_t)l;
	return true;
}

/* Does the open file (fstat st) have the device, inode and times of
 * identity f ({"dev", "ino", "mtime", "ctime"})?  -EINVAL when f is not
 * one. */
static int
same_file(const json_t *f, const struct stat *st)
{
	int64_t dev, ino, mt, ct;

	if (json_int64_get(json_object_get(f, "dev"), &dev) < 0 ||
	    json_int64_get(json_object_get(f, "ino"), &ino) < 0 ||
	    json_int64_get(json_object_get(f, "mtime"), &mt) < 0 ||
	    json_int64_get(json_object_get(f, "ctime"), &ct) < 0)
		return -EINVAL;
	return (int64_t)st->st_dev == dev && (int64_t)st->st_ino == ino && ns_of(&st->st_mtim) == mt &&
	    ns_of(&st->st_ctim) == ct ? 0 : -ESTALE;
}

int
fileid_verify(const json_t *want, unsigned flags, struct stat *st, const char **why)
{
	const char *path = json_string_value(json_object_get(want, "path"));
	const char *sha = json_string_value(json_object_get(want, "sha256"));
	const json_t *file = json_object_get(want, "file");
	uint64_t off = 0, len = 0;
	int64_t size;
	const char *w = NULL;
	struct stat s;
	bool part, bad;
	char hex[65];
	off_t sz;
	int fd, r;

	if (why)
		*why = NULL;
	if (path == NULL || json_int64_get(json_object_get(want, "size"), &size) < 0 || size < 0)
		return -EINVAL;
	part = id_range(want, size, &off, &len, &bad);
	if (bad || (sha == NULL && !(part && json_is_object(file))))
		return -EINVAL;
	if ((fd = safe_open(path, flags, size, &s, &w)) < 0) {
		if (why)
			*why = w;
		return fd;
	}
	if (!part) {
		r = hash_fd(fd, &s, hex, &sz);
		if (r == 0 && (sz != size || strcmp(hex, sha) != 0))
			r = -ESTALE;
	} else if (sha) {
		r = hash_part(fd, &s, off, len, hex);
		if (r == 0 && strcmp(hex, sha) != 0)
			r = -ESTALE;
	} else
		r = same_file(file, &s);
	close(fd);
	if (r == 0 && st)
		*st = s;
	return r;
}

const char *
fileid_checked(const json_t *id)
{
	return json_object_get(id, "file") ? "size, device, inode or times" :
	    json_object_get(id, "range") ? "size, or SHA-256 of the part mapped" : "size or SHA-256";
}

bool
fileid_local_fs(long f_type)
{
	switch ((unsigned long)f_type) {
	case 0xEF53:		/* ext2/3/4 */
	case 0x01021994:	/* tmpfs */
	case 0x58465342:	/* xfs */
	case 0x9123683E:	/* btrfs */
	case 0x794c7630:	/* overlayfs */
	case 0xF2F52010:	/* f2fs */
		return true;
	default:
		return false;
	}
}

void
fileid_cache_clear(void)
{
	while (cache) {
		struct ent *n = cache->next;
		free(cache);
		cache = n;
	}
}
