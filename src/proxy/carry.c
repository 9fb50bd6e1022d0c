/* carry.c: the files whose content the trace carries: all of them with
 * --portable, else those the program made or changed as it ran, mapped
 * shared and writable, or mapped and then removed or replaced (the
 * "carried" identities and the "carry" of dios-trace(5)).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "trace/blobstore.h"
#include "trace/fileid.h"
#include "trace/number.h"
#include "proxy/internal.h"

/* --portable, or a file the program made (carried_map): the content of
 * the file identified by id (open at open_path) goes into the trace before
 * the first line that names it, once per hash. */
int
put_blob_as(struct proxy *p, const char *open_path, const json_t *id, bool force)
{
	const char *sha = json_string_value(json_object_get(id, "sha256"));
	int e;

	/* (a part of a file, "range": too large to carry) */
	if (!(p->conf.portable || force) || id == NULL || sha == NULL ||
	    json_object_get(id, "range") || json_object_get(p->blobs, sha))
		return 0;
	e = blob_write(p->conf.w, open_path, id);
	if (e == -ESTALE && p->conf.warn)
		p->conf.warn("warning: %s changed while it was being recorded: its content in the "
		    "trace does not match its hash, and replay will refuse it",
		    json_string_value(json_object_get(id, "path")));
	else if (e < 0 && p->st.write_error == 0) {
		p->st.write_error = e;
		p->st.write_error_seq = p->seq;
	}
	json_object_set_new(p->blobs, sha, json_true());
	return e == -ESTALE ? 0 : e;
}

int
put_blob(struct proxy *p, const char *open_path, const json_t *id)
{
	return put_blob_as(p, open_path, id, false);
}

static bool
at_or_after(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec);
}

/* A file mapped or executed (open at proc) that was written while recording, or is
 * gone from its directory (nlink 0): its content may not be on the host at
 * replay (git's index, SQLite's -shm, a semaphore in /dev/shm, a linker's
 * output), so the trace carries it, the map saying "carried": true.  Its
 * times come from the file system's coarse clock, the start's too. */
static bool
made_here(struct proxy *p, const char *proc)
{
	struct stat st;

	return stat(proc, &st) == 0 && (st.st_nlink == 0 || at_or_after(&st.st_mtim, &p->start) ||
	    at_or_after(&st.st_ctim, &p->start));
}

/* ... or mapped shared and writable, which the program may change through
 * memory, no call showing it (Python's mmap of a data file): carried too.
 * Others are noted in p->mapped, in case the program changes them later
 * (carry_before_change). */
void
carry_if_made(struct proxy *p, const char *proc, json_t *id, bool writable_shared)
{
	const char *path = json_string_value(json_object_get(id, "path"));

	if (id == NULL || p->conf.portable || json_object_get(id, "range"))
		return;
	if (!writable_shared && !made_here(p, proc)) {
		if (path && path[0] == '/')
			json_object_set(p->mapped, path, id);
		return;
	}
	json_object_set_new(id, "carried", json_true());
	put_blob_as(p, proc, id, true);
}

/* The path a call's path argument names, made absolute and canonical as
 * a mapped file's is (its directory resolved; the name itself, which
 * unlink and rename act on, kept): into buf, or false. */
static bool
target_path(pid_t tid, const struct call *c, int dirarg, const char *argname, char *buf, size_t n)
{
	const char *arg = json_string_value(json_object_get(c->args, argname));
	char dir[4200], *real, *slash;
	int dirfd = dirarg >= 0 ? (int)c->a[dirarg] : AT_FDCWD;

	if (arg == NULL || arg[0] == '\0' || strlen(arg) >= 4096)
		return false;
	if (arg[0] == '/')
		snprintf(dir, sizeof dir, "%s", arg);
	else if (dirfd == AT_FDCWD)
		snprintf(dir, sizeof dir, "/proc/%d/cwd/%s", (int)tid, arg);
	else
		snprintf(dir, sizeof dir, "/proc/%d/fd/%d/%s", (int)tid, dirfd, arg);
	if ((slash = strrchr(dir, '/')) == NULL || slash[1] == '\0')
		return false;
	*slash = '\0';
	if ((real = realpath(dir[0] ? dir : "/", NULL)) == NULL)
		return false;
	int w = snprintf(buf, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, slash + 1);
	free(real);
	return w > 0 && (size_t)w < n;
}

/* Before a call that removes, replaces or truncates a file the program
 * mapped (git's index renamed over, its loose objects removed by gc): the
 * file will not be on the host as mapped at replay, so its content goes in
 * the trace now, the call's event naming it ("carry", dios-trace(5)) and
 * replay mapping that instead.  Only while the file is as it was mapped
 * (the same SHA-256). */
void
carry_before_change(struct proxy *p, struct task *t, struct call *c)
{
	static const struct { long nr; int dirarg; const char *arg; } targets[] = {
		{ SYS_unlink, -1, "path" }, { SYS_unlinkat, 0, "path" },
		{ SYS_rename, -1, "newpath" }, { SYS_renameat, 2, "newpath" },
		{ SYS_renameat2, 2, "newpath" }, { SYS_rename, -1, "oldpath" },
		{ SYS_renameat, 0, "oldpath" }, { SYS_renameat2, 0, "oldpath" },
		{ SYS_truncate, -1, "path" }, { SYS_open, -1, "path" }, { SYS_openat, 0, "path" },
		{ SYS_creat, -1, "path" },
	};
	char path[4200];
	json_t *carry = NULL;

	if (p->conf.portable || json_object_size(p->mapped) == 0)
		return;
	if ((c->nr == SYS_open && !(c->a[1] & O_TRUNC)) || (c->nr == SYS_openat && !(c->a[2] & O_TRUNC)))
		return;
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		if (targets[i].nr != c->nr || !target_path(t->tid, c, targets[i].dirarg, targets[i].arg,
		    path, sizeof path))
			continue;
		json_t *id = json_object_get(p->mapped, path), *now;
		int e;
		if (id == NULL)
			continue;
		if ((now = fileid_get(path, path, &e)) != NULL &&
		    json_equal(json_object_get(now, "sha256"), json_object_get(id, "sha256"))) {
			json_t *cid = json_deep_copy(id);
			if (cid && json_object_set_new(cid, "carried", json_true()) == 0 &&
			    put_blob_as(p, path, cid, true) == 0 && carry == NULL)
				carry = cid;
			else
				json_decref(cid);
		}
		json_decref(now);
		json_object_del(p->mapped, path);
	}
	if (carry) {
		if (c->extra == NULL)
			c->extra = json_object();
		json_object_set_new(c->extra, "carry", carry);
	}
}

/* A mapping of part of a large file (fileid_get_part) whose content the
 * trace carries (--portable, or a file the program made): the content goes
 * in whole, so the identity is the whole file's; but not past
 * FILEID_HASH_MAX (which a replay's cache would not hold anyway): such a
 * file stays named by its part, and replay needs it on the host.  0, or
 * -EINTR when a fatal signal stopped the hash (the run ends). */
int
whole_if_carried(struct proxy *p, const char *proc, struct call *c)
{
	json_t *id = json_object_get(c->extra, "map"), *whole;
	const char *path = json_string_value(json_object_get(id, "path"));
	int64_t size;
	int e;

	if (!json_object_get(id, "range") || !(p->conf.portable || made_here(p, proc)))
		return 0;
	if (json_int64_get(json_object_get(id, "size"), &size) == 0 &&
	    (uint64_t)size > FILEID_HASH_MAX) {
		if (p->conf.warn && json_object_get(p->too_big, path) == NULL) {
			p->conf.warn("warning: %s (%.1f GiB) is too large to carry in the trace: replay "
			    "will need it on the host as it was mapped", path, size / 1073741824.0);
			json_object_set_new(p->too_big, path, json_true());
		}
		return 0;
	}
	if ((whole = fileid_get(proc, path, &e)) != NULL) {
		json_object_set_new(c->extra, "map", whole);
		return 0;
	}
	if (e == -EINTR)
		return e;
	if (p->conf.warn)
		p->conf.warn("warning: cannot hash %s whole to carry it: %s (replay will need it on "
		    "the host)", path, strerror(-e));
	return 0;
}
