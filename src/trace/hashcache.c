/* hashcache.c: the SHA-256s of files kept across runs (hashcache.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include "trace/fileid.h"
#include "trace/hashcache.h"

#define FILE_MAX (4u << 20)	/* past this, the file starts afresh */

struct hent {
	uint64_t dev, ino, size;
	int64_t ms, mns, cs, cns;
	char hex[65];
};

static struct hent *tab;	/* open addressing, a power of two */
static size_t ntab, nused;
static int state;		/* 0: not read yet; 1: read; -1: no cache */
static char *path;		/* the file */

static size_t
slot_of(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino * 0x9e3779b97f4a7c15ull) ^ (dev * 0xc2b2ae3d27d4eb4full);
	return (size_t)(h >> 17) & (ntab - 1);
}

static bool
same_key(const struct hent *e, const struct stat *st)
{
	return e->dev == (uint64_t)st->st_dev && e->ino == (uint64_t)st->st_ino &&
	    e->size == (uint64_t)st->st_size && e->ms == st->st_mtim.tv_sec &&
	    e->mns == st->st_mtim.tv_nsec && e->cs == st->st_ctim.tv_sec &&
	    e->cns == st->st_ctim.tv_nsec;
}

/* Puts e in the table (a later line for the same device and inode
 * replaces the earlier one). */
static void
insert(const struct hent *e)
{
	if ((nused + 1) * 2 > ntab) {
		size_t n = ntab ? 2 * ntab : 256;
		struct hent *t = calloc(n, sizeof *t), *old = tab;
		size_t nold = ntab;
		if (t == NULL)
			return;
		tab = t;
		ntab = n;
		nused = 0;
		for (size_t i = 0; i < nold; i++)
			if (old[i].hex[0])
				insert(&old[i]);
		free(old);
	}
	for (size_t i = slot_of(e->dev, e->ino);; i = (i + 1) & (ntab - 1)) {
		if (tab[i].hex[0] == '\0') {
			tab[i] = *e;
			nused++;
			return;
		}
		if (tab[i].dev == e->dev && tab[i].ino == e->ino) {
			tab[i] = *e;
			return;
		}
	}
}

static bool
hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* The directory: made when missing, used only when it is the user's and
 * private.  The file's path in *path. */
static int
open_dir(void)
{
	const char *env = getenv("DIOS_HASH_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *top = NULL, *dir = NULL;
	struct stat st;
	int r = -1;

	if (env && strcmp(env, "off") == 0)
		return -1;
	if (xdg && xdg[0] == '/')
		top = strdup(xdg);
	else if (home && home[0] == '/' && asprintf(&top, "%s/.cache", home) < 0)
		top = NULL;
	if (top == NULL || asprintf(&dir, "%s/dios-hashes", top) < 0)
		goto out;
	(void)mkdir(top, 0700);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto out;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		goto out;
	if (asprintf(&path, "%s/v1", dir) < 0) {
		path = NULL;
		goto out;
	}
	r = 0;
out:
	free(top);
	free(dir);
	return r;
}

static void
load(void)
{
	FILE *f;
	char line[256];
	struct stat st;
	int fd;

	state = -1;
	if (open_dir() < 0)
		return;
	state = 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		state = -1;	/* not ours: no cache */
		return;
	}
	if (st.st_size > FILE_MAX) {
		close(fd);
		(void)unlink(path);	/* started afresh */
		return;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		struct hent e;
		char hex[128];
		size_t n = strlen(line);
		if (n == 0 || line[n - 1] != '\n')
			continue;	/* too long, or a last line cut short */
		if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64 " %" SCNd64 " %" SCNd64
		    " %" SCNd64 " %127s", &e.dev, &e.ino, &e.size, &e.ms, &e.mns, &e.cs, &e.cns, hex) != 8 ||
		    !hex64(hex))
			continue;
		memcpy(e.hex, hex, 65);
		insert(&e);
	}
	fclose(f);
}

/* Local file systems whose times have nanoseconds (fileid.h). */
static bool
keepable(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && fileid_local_fs((long)sf.f_type);
}

bool
hashcache_get(int fd, const struct stat *st, char hex[65])
{
	if (state == 0)
		load();
	if (state < 0 || ntab == 0 || !keepable(fd))
		return false;
	for (size_t i = slot_of((uint64_t)st->st_dev, (uint64_t)st->st_ino); tab[i].hex[0];
	    i = (i + 1) & (ntab - 1))
		if (same_key(&tab[i], st)) {
			memcpy(hex, tab[i].hex, 65);
			return true;
		}
	return false;
}

void
hashcache_put(int fd, const struct stat *st, const char hex[65])
{
	char line[256];
	int n, out;

	if (state == 0)
		load();
	if (state < 0 || !keepable(fd) || !hex64(hex))
		return;
	struct hent e = { (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
	    st->st_mtim.tv_sec, st->st_mtim.tv_nsec, st->st_ctim.tv_sec, st->st_ctim.tv_nsec, "" };
	memcpy(e.hex, hex, 65);
	insert(&e);
	n = snprintf(line, sizeof line, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64
	    " %" PRId64 " %" PRId64 " %s\n", e.dev, e.ino, e.size, e.ms, e.mns, e.cs, e.cns, hex);
	if (n <= 0 || (size_t)n >= sizeof line)
		return;
	if ((out = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
	    0600)) < 0)
		return;
	struct stat os;
	if (fstat(out, &os) == 0 && S_ISREG(os.st_mode) && os.st_uid == geteuid() &&
	    os.st_size <= FILE_MAX && flock(out, LOCK_EX) == 0) {
		ssize_t w = write(out, line, (size_t)n);
		(void)w;	/* a line not written is a hash not kept */
		flock(out, LOCK_UN);
	}
	close(out);
}

void
hashcache_reset(void)
{
	free(tab);
	tab = NULL;
	ntab = nused = 0;
	free(path);
	path = NULL;
	state = 0;
}

void
hashcache_off(void)
{
	hashcache_reset();
	state = -1;
}
