/* maps.c: the files the program maps (private to src/replay): mmap of a
 * file (the host's file, checked, or for a portable trace or a file the
 * program made the cache's copy; exec.c runs executables).  A writable
 * shared mapping is memory
 * processes share (a POSIX semaphore in /dev/shm, a database's shared
 * index): it maps a copy of that content that replay makes once per
 * recorded path (an unlinked file dios holds open), so that every task
 * mapping the path shares it, as when recording, and the host file stays
 * untouched.  A read-only shared mapping maps the copy too (but of a file
 * too large for one: the host's, private), and the recorded writes through
 * descriptors to a file mapped shared are made to its copy (rp_shm_write).
 * System V segments the recording made are replayed the same
 * way: a copy per segment, empty at first, that every shmat maps shared.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "trace/blobline.h"
#include "trace/bytes.h"
#include "trace/fileid.h"
#include "trace/number.h"
#include "kernel/tracee.h"
#include "sys/mem.h"
#include "replay/internal.h"

static enum verdict map_path(struct replay *r, struct kernel *k, struct task *t,
    const char *path, const char *shown, const struct stat *want);

/* Where the content of a file the program made (a "carried" identity,
 * named path, which the program `how`: mapped, executed) is: the cache the
 * check put it in, once the whole trace passed its check.  NULL once the
 * run is stopped with the reason. */
struct blobstore *
rp_carried_store(struct replay *r, struct kernel *k, const char *path, const char *how)
{
	struct blobstore *bs;
	char err[1024];

	if (rp_gate(r, err, sizeof err) < 0) {
		rp_fail(r, k, "%s", err);
		return NULL;
	}
	if ((bs = r->conf.carried ? *r->conf.carried : NULL) == NULL)
		rp_fail(r, k, "the content of %s, made and %s by the program when recording, is "
		    "missing from the trace", path, how);
	return bs;
}

/* mmap of a file: map the same host file, read-only and private, after
 * checking it is the file that was mapped when recording; for a portable
 * trace, or a file the program made as it ran, the cached copy of its
 * recorded content instead. */
enum verdict
rp_map_file(struct replay *r, struct kernel *k, struct task *t, const json_t *map, long ret)
{
	const char *path = json_string_value(json_object_get(map, "path")), *why;
	char *cached = NULL;
	struct stat st;
	enum verdict v;
	int e;

	if (path == NULL)
		return rp_fail(r, k, "event %llu: \"map\" has no path", (unsigned long long)r->matched);
	/* (a part of a file too large to carry, "range": on the host) */
	struct blobstore *bs = json_object_get(map, "range") ? NULL : r->conf.bs;
	if (bs == NULL && json_is_true(json_object_get(map, "carried")) &&
	    (bs = rp_carried_store(r, k, path, "mapped")) == NULL)
		return V_STOP;
	if (bs) {
		/* Portable, or carried: the recorded content, from the cache. */
		if ((e = blobstore_get(bs, map, &cached)) < 0)
			return rp_fail(r, k, "the content of %s, mapped when recording, is %s", path,
			    e == -ENOENT ? "missing from the trace and the cache" :
			    e == -ESTALE ? "damaged in the cache (remove the cache's copy and replay again)" :
			    strerror(-e));
		v = map_path(r, k, t, cached, path, NULL);
		free(cached);
		return v;
	}
	e = fileid_verify(map, 0, &st, &why);
	if ((e == -ENOENT || e == -ESTALE) && r->conf.carried) {
		/* changed by the program after it mapped it: the trace may carry
		 * its content (a later event's "carry") */
		char err[1024];
		if (rp_gate(r, err, sizeof err) < 0)
			return rp_fail(r, k, "%s", err);
		if (*r->conf.carried && blobstore_get(*r->conf.carried, map, &cached) == 0) {
			v = map_path(r, k, t, cached, path, NULL);
			free(cached);
			return v;
		}
	}
	if (e == -EPERM)
		return rp_fail(r, k, "event %llu: the trace names %s as the file mapped, and it %s: "
		    "replay opens only regular files outside /proc, /sys and /dev (the trace is "
		    "damaged or was edited; record it again)", (unsigned long long)r->matched, path,
		    why ? why : "is refused");
	if (e == -ENOENT)
		return rp_fail(r, k, "%s, mapped by the program when recording, is gone from this host "
		    "(record with the file present, or restore it)", path);
	if (e == -ESTALE)
		return rp_fail(r, k, "%s differs from the file mapped when recording (%s%s): replay "
		    "needs the same file", path, fileid_checked(map), json_object_get(map, "file") ?
		    ": a part this large is known by them, not by its content" : "");
	if (e == -EINVAL)
		return rp_fail(r, k, "event %llu: the \"map\" of %s is malformed (the trace is damaged "
		    "or was edited; record it again)", (unsigned long long)r->matched, path);
	if (e < 0)
		return rp_fail(r, k, "cannot check %s: %s", path, strerror(-e));
	return map_path(r, k, t, path, path, &st);
}

/* The copies of writable shared mappings hold at most this much. */
#define SHM_MAX (1ull << 30)

void
rp_shm_free(struct replay *r)
{
	for (size_t i = 0; i < r->nshm; i++) {
		close(r->shm[i].fd);
		free(r->shm[i].path);
	}
	free(r->shm);
	r->shm = NULL;
	r->nshm = 0;
	free(r->segs);
	r->segs = NULL;
	r->nsegs = 0;
	free(r->attach);
	r->attach = NULL;
	r->nattach = 0;
}

/* An unlinked file in $TMPDIR (else /tmp), open for reading and writing. */
static int
unnamed_file(void)
{
	const char *tmp = getenv("TMPDIR");
	char *name;
	int fd;

	if (!(tmp && tmp[0] == '/'))
		tmp = "/tmp";
	if ((fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	if (asprintf(&name, "%s/dios-shm.XXXXXX", tmp) < 0)
		return -1;
	if ((fd = mkostemp(name, O_CLOEXEC)) >= 0)
		unlink(name);
	free(name);
	return fd;
}

/* The copy of the file recorded as shown (content at src; NULL: empty)
 * for a writable shared mapping up to end bytes, as a path the tasks
 * open: made on the first mapping of shown, grown to end when a later one
 * asks more.  NULL with *why on failure. */
static const char *
shm_copy(struct replay *r, const char *shown, const char *src, uint64_t end, char *path,
    size_t pathlen, const char **why)
{
	struct stat st;
	size_t i;

	for (i = 0; i < r->nshm; i++)
		if (strcmp(r->shm[i].path, shown) == 0)
			break;
	if (i == r->nshm) {
		void *grown = realloc(r->shm, (r->nshm + 1) * sizeof *r->shm);
		int in, out;
		if (grown == NULL) {
			*why = "out of memory";
			return NULL;
		}
		r->shm = grown;
		st.st_size = 0;
		in = -1;
		if (src && ((in = open(src, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0 ||
		    fstat(in, &st) < 0 || !S_ISREG(st.st_mode))) {
			if (in >= 0)
				close(in);
			*why = "cannot read its content";
			return NULL;
		}
		if (r->shm_bytes + (uint64_t)st.st_size > SHM_MAX) {
			if (in >= 0)
				close(in);
			*why = "the copies of shared mappings would pass 1 GiB";
			return NULL;
		}
		if ((out = unnamed_file()) < 0) {
			if (in >= 0)
				close(in);
			*why = "cannot make a file in $TMPDIR (or /tmp) for its copy";
			return NULL;
		}
		int e = in >= 0 ? blob_copy_fd(in, out) : 0;
		if (in >= 0)
			close(in);
		if (e < 0 || (r->shm[i].path = strdup(shown)) == NULL) {
			close(out);
			*why = "cannot copy its content";
			return NULL;
		}
		r->shm[i].fd = out;
		r->shm_bytes += (uint64_t)st.st_size;
		r->nshm++;
	}
	/* A mapping past the end would fault (SIGBUS): the recording's file
	 * was that long when mapped. */
	if (fstat(r->shm[i].fd, &st) == 0 && (uint64_t)st.st_size < end) {
		if (end - (uint64_t)st.st_size + r->shm_bytes > SHM_MAX ||
		    ftruncate(r->shm[i].fd, (off_t)end) < 0) {
			*why = "cannot grow its copy";
			return NULL;
		}
		r->shm_bytes += end - (uint64_t)st.st_size;
	}
	snprintf(path, pathlen, "/proc/%d/fd/%d", (int)getpid(), r->shm[i].fd);
	return path;
}

/* The copy named path: the recorded names are absolute (the mapped
 * file's), a relative one (of the program's directory, which replay does
 * not follow) names the copy whose name ends with it. */
static ssize_t
shm_find(const struct replay *r, const char *path)
{
	size_t n = path ? strlen(path) : 0;

	for (size_t i = 0; path && i < r->nshm; i++) {
		const char *q = r->shm[i].path;
		size_t m = strlen(q);
		if (path[0] == '/' ? strcmp(q, path) == 0 :
		    m > n && q[m - n - 1] == '/' && strcmp(q + m - n, path) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static void
shm_drop(struct replay *r, const char *path)
{
	ssize_t i = shm_find(r, path);

	if (i < 0)
		return;
	free(r->shm[i].path);
	close(r->shm[i].fd);	/* the tasks' mappings keep it */
	r->shm[i] = r->shm[--r->nshm];
}

/* A path argument of c, NULL for one that shm_find cannot place: empty,
 * or relative with a ".." or "." in it. */
static const char *
path_arg(const struct call *c, const char *name)
{
	const char *p = json_string_value(json_object_get(c->args, name));

	if (p == NULL || p[0] == '\0')
		return NULL;
	if (p[0] != '/' && (strstr(p, "..") || strncmp(p, "./", 2) == 0 || strstr(p, "/./")))
		return NULL;
	return p;
}

void
rp_shm_names(struct replay *r, const struct call *c, long ret)
{
	const char *from = NULL, *to = NULL;
	bool keep = false;

	if (ret != 0 || r->nshm == 0)
		return;
	switch (c->nr) {
	case SYS_unlink: case SYS_unlinkat:
		shm_drop(r, path_arg(c, "path"));
		return;
	case SYS_link: case SYS_linkat:
		keep = true;
		/* fall through */
	case SYS_rename: case SYS_renameat: case SYS_renameat2:
		from = path_arg(c, "oldpath");
		to = path_arg(c, "newpath");
		break;
	default:
		return;
	}
	if (c->nr == SYS_renameat2 && (c->a[4] & RENAME_EXCHANGE))
		return;
	ssize_t i = shm_find(r, from);
	if (i < 0 || to == NULL)
		return;
	/* A relative new name is of the program's directory, which a
	 * relative old name's match tells (its name less the old one). */
	char *name = NULL;
	if (to[0] == '/')
		name = strdup(to);
	else if (from[0] != '/') {
		const char *old = r->shm[i].path;
		int dl = (int)(strlen(old) - strlen(from) - 1);
		if (asprintf(&name, "%.*s/%s", dl, old, to) < 0)
			name = NULL;
	}
	int fd = keep ? fcntl(r->shm[i].fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (name == NULL || (keep && fd < 0)) {
		free(name);
		return;
	}
	shm_drop(r, to);
	i = shm_find(r, from);
	if (!keep) {
		free(r->shm[i].path);
		r->shm[i].path = name;
		return;
	}
	void *grown = realloc(r->shm, (r->nshm + 1) * sizeof *r->shm);
	if (grown == NULL) {
		free(name);
		close(fd);
		return;
	}
	r->shm = grown;
	r->shm[r->nshm].path = name;
	r->shm[r->nshm++].fd = fd;
}

/* The bytes of t's iovec array at addr (cnt entries), up to n, into buf. */
static int
iov_gather(pid_t tid, uint64_t addr, uint64_t cnt, char *buf, size_t n)
{
	struct { uint64_t base, len; } v;
	size_t got = 0;
	int e;

	for (uint64_t i = 0; i < cnt && got < n; i++) {
		if ((e = mem_read(tid, addr + i * sizeof v, &v, sizeof v)) < 0)
			return e;
		size_t take = v.len < n - got ? (size_t)v.len : n - got;
		if (take && (e = mem_read(tid, v.base, buf + got, take)) < 0)
			return e;
		got += take;
	}
	return got == n ? 0 : -EINVAL;
}

int
rp_shm_write(struct replay *r, struct task *t, const json_t *ev, long ret)
{
	const json_t *sh = json_object_get(ev, "shared");
	const struct call *c = &t->call;
	int64_t at;
	ssize_t i;
	int e = 0;

	if (sh == NULL || ret < 0)
		return 0;
	if ((i = shm_find(r, json_string_value(json_object_get(sh, "path")))) < 0 ||
	    json_int64_get(json_object_get(sh, "at"), &at) < 0 || at < 0)
		return 0;	/* (a copy unmapped and dropped: nothing shows it) */
	int fd = r->shm[i].fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	uint64_t end = c->nr == SYS_ftruncate ? c->a[1] : c->nr == SYS_fallocate ?
	    c->a[2] + c->a[3] : (uint64_t)at + (uint64_t)ret;
	if (end > (uint64_t)st.st_size && end - (uint64_t)st.st_size + r->shm_bytes > SHM_MAX)
		return -EFBIG;
	switch (c->nr) {
	case SYS_ftruncate:
		e = ftruncate(fd, (off_t)c->a[1]) < 0 ? -errno : 0;
		break;
	case SYS_fallocate:
		e = fallocate(fd, (int)c->a[1], (off_t)c->a[2], (off_t)c->a[3]) < 0 ? -errno : 0;
		break;
	default: {
		char *buf = malloc((size_t)ret);
		if (buf == NULL)
			return -ENOMEM;
		if (c->nr == SYS_write || c->nr == SYS_pwrite64)
			e = mem_read(t->tid, c->a[1], buf, (size_t)ret);
		else
			e = iov_gather(t->tid, c->a[1], c->a[2], buf, (size_t)ret);
		if (e == 0 && pwrite(fd, buf, (size_t)ret, (off_t)at) != ret)
			e = -EIO;
		free(buf);
	}
	}
	off_t was = st.st_size;
	if (e == 0 && fstat(fd, &st) == 0 && st.st_size > was)
		r->shm_bytes += (uint64_t)(st.st_size - was);
	return e;
}

/* Opens path (named shown in messages) in t, which is at the seccomp stop
 * whose registers are saved, read-write when rw, and maps it with the mmap
 * arguments a (the descriptor put in a[4] here), then closes it: *addr is
 * the mapping's address, or -errno.  It must be a regular file, and the
 * one checked (want: its device and inode) when want is not NULL.
 * V_RESUME when that much was done (the call still to finish). */
static enum verdict
map_in_task(struct replay *r, struct kernel *k, struct task *t, const char *path, const char *shown,
    const struct stat *want, bool rw, const struct user_regs_struct *saved, uint64_t a[6], long *addr)
{
	uint64_t spath, o[6] = { 0 }, c[6] = { 0 };
	char fdpath[64];
	struct stat got;
	long fd, ignored;
	int e;

	if ((e = scratch_put(t->tid, t->call.sp, path, strlen(path) + 1, &spath)) < 0)
		return rp_lost(r, k, t, e);
	o[0] = (uint64_t)AT_FDCWD;
	o[1] = spath;
	o[2] = (rw ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	if ((e = remote_syscall_at_entry(t->tid, saved, SYS_openat, o, &fd)) < 0)
		return rp_lost(r, k, t, e);
	if (fd < 0)
		return rp_fail(r, k, "cannot open %s to map it: %s", shown, strerror((int)-fd));
	c[0] = (uint64_t)fd;
	snprintf(fdpath, sizeof fdpath, "/proc/%d/fd/%ld", t->tid, fd);
	if (stat(fdpath, &got) < 0 || !S_ISREG(got.st_mode) ||
	    (want && (got.st_dev != want->st_dev || got.st_ino != want->st_ino))) {
		if ((e = remote_syscall_again(t->tid, saved, SYS_close, c, &ignored)) < 0)
			return rp_lost(r, k, t, e);
		return rp_fail(r, k, "%s changed between its check and its mapping (it is not the "
		    "regular file checked): replay maps only the files it checked", shown);
	}
	a[4] = (uint64_t)fd;
	if ((e = remote_syscall_again(t->tid, saved, SYS_mmap, a, addr)) < 0 ||
	    (e = remote_syscall_again(t->tid, saved, SYS_close, c, &ignored)) < 0)
		return rp_lost(r, k, t, e);
	return V_RESUME;
}

/* Maps the file at path (named shown in messages) as the call asks, but
 * read-only and private (a writable shared mapping: shared, of the copy
 * shm_copy keeps for shown), and gives the program the address.  The
 * program opens it without blocking; it must be a regular file, and the
 * one checked (want: its device and inode) when want is not NULL. */
static enum verdict
map_path(struct replay *r, struct kernel *k, struct task *t, const char *path, const char *shown,
    const struct stat *want)
{
	struct user_regs_struct saved = t->call.regs;	/* as at the seccomp stop */
	uint64_t a[6];
	char shmpath[64];
	enum verdict v;
	long addr;
	int e;

	/* Shared: the copy, which later writes change (rp_shm_write); read
	 * only, of a file too large for a copy: the file, private. */
	bool shared = (t->call.a[3] & MAP_TYPE) == MAP_SHARED;
	if (shared) {
		const char *why = NULL;
		const char *copy = shm_copy(r, shown, path, t->call.a[5] + t->call.a[1], shmpath,
		    sizeof shmpath, &why);
		if (copy == NULL && (t->call.a[2] & PROT_WRITE))
			return rp_fail(r, k, "cannot map %s shared and writable as when recording: %s", shown,
			    why ? why : "no copy");
		if (copy) {
			path = copy;
			want = NULL;
		} else
			shared = false;
	}
	memcpy(a, t->call.a, sizeof a);
	if ((a[3] & MAP_TYPE) != MAP_PRIVATE && !shared)
		a[3] = (a[3] & ~(uint64_t)MAP_TYPE) | MAP_PRIVATE;
	if ((v = map_in_task(r, k, t, path, shown, want, shared, &saved, a, &addr)) != V_RESUME)
		return v;
	if (addr < 0 && addr > -4096 && !r->off)
		return rp_fail(r, k, "mapping %s failed in replay: %s (it worked when recording)",
		    shown, strerror((int)-addr));
	/* (after the run left the recording, the model's answer: the
	 * program gets what the kernel says) */
	if ((e = remote_finish(t->tid, &saved, addr)) < 0)
		return rp_lost(r, k, t, e);
	return V_RESUME;
}

int
rp_shm_note(struct replay *r, const json_t *ev, long ret)
{
	const json_t *seg = json_object_get(ev, "segment");
	uint64_t size;

	if (ret < 0 || !json_is_true(json_object_get(seg, "made")) ||
	    json_uint64_get(json_object_get(seg, "size"), &size) < 0)
		return 0;
	for (size_t i = 0; i < r->nsegs; i++)
		if (r->segs[i].id == ret) {
			r->segs[i].size = size;
			return 0;
		}
	void *grown = realloc(r->segs, (r->nsegs + 1) * sizeof *r->segs);
	if (grown == NULL)
		return -ENOMEM;
	r->segs = grown;
	r->segs[r->nsegs].id = ret;
	r->segs[r->nsegs++].size = size;
	return 0;
}

enum verdict
rp_shmat(struct replay *r, struct kernel *k, struct task *t, long ret)
{
	struct user_regs_struct saved = t->call.regs;
	long id = (int)t->call.a[0], addr;
	uint64_t flg = t->call.a[2], size = 0, a[6] = { 0 };
	char shown[64], shmpath[64];
	const char *why = NULL, *copy;
	size_t i;
	enum verdict v;
	int e;

	for (i = 0; i < r->nsegs; i++)
		if (r->segs[i].id == id)
			break;
	if (i == r->nsegs)
		return rp_fail(r, k, "event %llu: shmat of System V segment %ld, which the recording did "
		    "not make (it was there before): replay cannot stand in for its content",
		    (unsigned long long)r->matched, id);
	size = (r->segs[i].size + 4095) & ~(uint64_t)4095;
	snprintf(shown, sizeof shown, "System V segment %ld", id);
	if ((copy = shm_copy(r, shown, NULL, size, shmpath, sizeof shmpath, &why)) == NULL)
		return rp_fail(r, k, "cannot attach %s as when recording: %s", shown, why ? why : "no copy");
	/* One entry per address: a loop of shmat and shmdt keeps one. */
	size_t at;
	for (at = 0; at < r->nattach && r->attach[at].addr != (uint64_t)ret; at++)
		;
	if (at == r->nattach) {
		void *grown = realloc(r->attach, (r->nattach + 1) * sizeof *r->attach);
		if (grown == NULL)
			return rp_fail(r, k, "out of memory");
		r->attach = grown;
		r->nattach++;
	}
	a[0] = (uint64_t)ret;
	a[1] = size;
	a[2] = PROT_READ | ((flg & SHM_RDONLY) ? 0 : PROT_WRITE) | ((flg & SHM_EXEC) ? PROT_EXEC : 0);
	/* Over what is there only where the program asked it (SHM_REMAP at
	 * its own address), never where a trace alone says. */
	a[3] = MAP_SHARED | ((flg & SHM_REMAP) && (uint64_t)ret == (t->call.a[1] & ~(uint64_t)(SHMLBA - 1)) ?
	    MAP_FIXED : MAP_FIXED_NOREPLACE);
	if ((v = map_in_task(r, k, t, copy, shown, NULL, true, &saved, a, &addr)) != V_RESUME)
		return v;
	if (addr != ret)
		return rp_fail(r, k, "attaching %s at %#lx failed in replay: %s (it worked when "
		    "recording)", shown, (unsigned long)ret, addr < 0 && addr > -4096 ?
		    strerror((int)-addr) : "the kernel put it elsewhere");
	r->attach[at].addr = (uint64_t)ret;
	r->attach[at].len = size;
	if ((e = remote_finish(t->tid, &saved, ret)) < 0)
		return rp_lost(r, k, t, e);
	return V_RESUME;
}

enum verdict
rp_shmdt(struct replay *r, struct kernel *k, struct task *t)
{
	struct user_regs_struct saved = t->call.regs;
	uint64_t a[6] = { t->call.a[0] };
	size_t i;
	long got;
	int e;

	for (i = r->nattach; i-- > 0;)
		if (r->attach[i].addr == t->call.a[0])
			break;
	if (i == (size_t)-1)
		return rp_fail(r, k, "event %llu: shmdt at %#llx, where replay attached no segment",
		    (unsigned long long)r->matched, (unsigned long long)t->call.a[0]);
	a[1] = r->attach[i].len;
	if ((e = remote_syscall_at_entry(t->tid, &saved, SYS_munmap, a, &got)) < 0)
		return rp_lost(r, k, t, e);
	if ((e = remote_finish(t->tid, &saved, 0)) < 0)
		return rp_lost(r, k, t, e);
	return V_RESUME;
}
