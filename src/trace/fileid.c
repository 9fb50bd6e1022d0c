/* fileid.c: hashed identities of mapped and executed files. */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "trace/fileid.h"
#include "trace/number.h"
#include "trace/sha256.h"

struct ent {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char hex[65];
	struct ent *next;
};

static struct ent *cache;

static struct ent *
lookup(const struct stat *st)
{
	for (struct ent *e = cache; e; e = e->next)
		if (e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
		    e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return e;
	return NULL;
}

static int
hash_cached(const char *path, char hex[65], off_t *size)
{
	struct stat st;
	struct ent *e;
	int r;

	if (stat(path, &st) < 0)
		return -errno;
	if ((e = lookup(&st)) == NULL) {
		off_t sz;
		if ((e = calloc(1, sizeof *e)) == NULL)
			return -ENOMEM;
		if ((r = sha256_file(path, e->hex, &sz)) < 0) {
			free(e);
			return r;
		}
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		e->size = st.st_size;
		e->mtime = st.st_mtim;
		e->next = cache;
		cache = e;
	}
	memcpy(hex, e->hex, 65);
	*size = e->size;
	return 0;
}

json_t *
fileid_get(const char *open_path, const char *shown_path, int *err)
{
	char hex[65];
	off_t size;
	json_t *o;

	if ((*err = hash_cached(open_path, hex, &size)) < 0)
		return NULL;
	o = json_pack("{s:s, s:o, s:s}", "path", shown_path, "size", json_int64(size), "sha256", hex);
	if (o == NULL)
		*err = -ENOMEM;
	return o;
}

int
fileid_verify(const json_t *want)
{
	const char *path = json_string_value(json_object_get(want, "path"));
	const char *sha = json_string_value(json_object_get(want, "sha256"));
	int64_t size;
	char hex[65];
	off_t sz;
	int r;

	if (path == NULL || sha == NULL || json_int64_get(json_object_get(want, "size"), &size) < 0)
		return -EINVAL;
	if ((r = hash_cached(path, hex, &sz)) < 0)
		return r;
	if (sz != size || strcmp(hex, sha) != 0)
		return -ESTALE;
	return 0;
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
