/* model.c: the environment model (model.h): what a trace saw, the state of
 * the run (descriptor tables, offsets, working directories, streams'
 * positions, the overlay), and the answers.
 */
#include "config.h"
#include "sys/rng.h"
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include "model/model.h"
#include "sys/capture.h"
#include "sys/mem.h"
#include "sys/systable.h"
#include "sys/xlat.h"
#include "trace/bytes.h"
#include "trace/io.h"
#include "trace/number.h"
#include "trace/blobline.h"

#define NBUCKET 4096
#define PURE_MAX 100000		/* distinct calls kept by their inputs */
#define PURE_OUT_MAX (64u << 10)	/* larger outputs are not kept */
#define FILE_MAX (256u << 20)	/* bytes kept of one file */
#define GAP_MAX (16u << 20)	/* a write or read this far past what is known is not kept */
#define MODEL_MAX (1024ull << 20)	/* bytes kept of all files: a trace cannot make the model grow without bound */

static unsigned long long model_bytes;	/* kept now, of every model (one per process in practice) */

struct mfile {
	char *path;
	int open_err;		/* the first open: 0 it opened, > 0 its errno, -1 none seen */
	bool exists;		/* seen to exist (opened, stat, made here) */
	bool made;		/* made or written in this run (the overlay) */
	bool removed;		/* removed in this run */
	json_t *stat;		/* a recorded "statbuf" of it */
	json_t *statx;		/* a recorded "statxbuf" */
	int stat_err, statx_err;	/* their errors when they failed (> 0), else 0 */
	unsigned char *data, *known;	/* its bytes by offset, and which are known */
	size_t len;		/* data holds [0, len) */
	int64_t size;		/* -1: not known */
	json_t *dents;		/* the getdents64 events of one listing of it */
	json_t *map;		/* the identity a mapping of it recorded ({path, size, sha256}) */
	struct mfile *next;
};

struct mstream {
	json_t *chunks;		/* the data reads returned, in order (bytes objects) */
	size_t pos;		/* chunks taken in this run */
};

enum { FK_FILE = 1, FK_STREAM, FK_OTHER, FK_NULL, FK_ZERO, FK_RANDOM };

struct mfd {
	int fd;
	int kind;
	bool cloexec;
	struct mfile *f;	/* FK_FILE */
	struct mstream *s;	/* FK_STREAM: the data read from it */
	struct mstream *feeds;	/* a pipe's write end made in the run: the read end's data */
	int64_t off;
	size_t dent;		/* getdents64 calls made on it */
};

struct mtab {
	int refs;
	struct mfd *v;
	int n, cap;
};

struct mtask {
	pid_t vtid;
	pid_t vpid, vppid;	/* its process's id and its parent's, as the program knows them (0: not known) */
	struct mtab *tab;
	char *cwd;
	struct mtask *next;
};

struct model {
	struct mfile *b[NBUCKET];
	struct mstream **streams;	/* in the order the trace made them */
	size_t nstreams, capstreams;
	size_t made_streams;		/* this pass: how many were made */
	struct mtask *tasks;
	json_t *hdr_fds;		/* the header's descriptors */
	char *cwd0;
	pid_t root;
	json_t *pure;			/* "sys args" -> the recorded result */
	json_t *clocks;			/* "sys clockid" -> the last reading's event */
	json_t *clocks0;		/* the same, the first reading the whole recording has */
	json_t *execs;			/* absolute path -> a recorded exec of it (exe, interp, at_random) */
	bool hold;			/* model_answer_held: the caller follows the answer */
	int64_t start_sec;		/* the header's start (realtime), for clocks never read */
	pid_t max_vtid;			/* the largest task id seen: new tasks get the next ones */
	pid_t root_vpid;		/* the header's pid */
	uint64_t rng;
	bool learning;
	struct model_stats st;
};

/* --- files ---------------------------------------------------------------- */

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NBUCKET;
}

static struct mfile *
file_get(struct model *m, const char *path, bool make)
{
	unsigned h = hash(path);
	struct mfile *f;

	for (f = m->b[h]; f; f = f->next)
		if (strcmp(f->path, path) == 0)
			return f;
	if (!make || (f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	if ((f->path = strdup(path)) == NULL) {
		free(f);
		return NULL;
	}
	f->open_err = -1;
	f->size = -1;
	f->next = m->b[h];
	m->b[h] = f;
	return f;
}

/* Puts n bytes at off into f's data (known).  False when it would not fit. */
static bool
file_put(struct mfile *f, int64_t off, const void *p, size_t n)
{
	if (off < 0 || (uint64_t)off + n > FILE_MAX || (uint64_t)off > f->len + GAP_MAX)
		return false;
	size_t end = (size_t)off + n;
	if (end > f->len && model_bytes + 2 * (end - f->len) > MODEL_MAX)
		return false;
	if (end > f->len) {
		model_bytes += 2 * (end - f->len);
		unsigned char *d = realloc(f->data, end ? end : 1), *k;
		if (d == NULL)
			return false;
		f->data = d;
		if ((k = realloc(f->known, end ? end : 1)) == NULL)
			return false;
		f->known = k;
		memset(f->data + f->len, 0, end - f->len);
		memset(f->known + f->len, 0, end - f->len);
		f->len = end;
	}
	memcpy(f->data + off, p, n);
	memset(f->known + off, 1, n);
	return true;
}

static int64_t
file_size(const struct mfile *f)
{
	int64_t s = f->size;
	if (s < 0 && f->stat)
		s = json_int64_or(f->stat, "size", -1);
	if (s < (int64_t)f->len && (f->made || s < 0))
		s = (int64_t)f->len;
	return s;
}

/* --- streams, tables, tasks ------------------------------------------------ */

/* The next stream of this pass: the one the trace made at this point (so
 * the run's pipes find the data the recording read from them), or a new
 * one without data. */
static struct mstream *
stream_next(struct model *m)
{
	struct mstream *s;

	if (m->made_streams < m->nstreams) {
		s = m->streams[m->made_streams++];
		s->pos = 0;
		return s;
	}
	if ((s = calloc(1, sizeof *s)) == NULL || (s->chunks = json_array()) == NULL) {
		free(s);
		return NULL;
	}
	if (m->nstreams == m->capstreams) {
		size_t cap = m->capstreams ? 2 * m->capstreams : 64;
		struct mstream **v = realloc(m->streams, cap * sizeof *v);
		if (v == NULL) {
			json_decref(s->chunks);
			free(s);
			return NULL;
		}
		m->streams = v;
		m->capstreams = cap;
	}
	m->streams[m->nstreams++] = s;
	m->made_streams++;
	return s;
}

static struct mfd *
fd_find(struct mtab *tab, long long fd)
{
	for (int i = 0; tab && i < tab->n; i++)
		if (tab->v[i].fd == fd)
			return &tab->v[i];
	return NULL;
}

static struct mfd *
mfd_set(struct mtab *tab, int fd)
{
	struct mfd *d = fd_find(tab, fd);

	if (d == NULL) {
		if (tab->n == tab->cap) {
			int cap = tab->cap ? 2 * tab->cap : 16;
			struct mfd *v = realloc(tab->v, (size_t)cap * sizeof *v);
			if (v == NULL)
				return NULL;
			tab->v = v;
			tab->cap = cap;
		}
		d = &tab->v[tab->n++];
	}
	memset(d, 0, sizeof *d);
	d->fd = fd;
	return d;
}

static void
fd_close(struct mtab *tab, long long fd)
{
	struct mfd *d = fd_find(tab, fd);
	if (d)
		*d = tab->v[--tab->n];
}

static int
fd_lowest(struct mtab *tab)
{
	for (int fd = 0;; fd++)
		if (fd_find(tab, fd) == NULL)
			return fd;
}

static struct mtab *
tab_new(void)
{
	struct mtab *t = calloc(1, sizeof *t);
	if (t)
		t->refs = 1;
	return t;
}

static struct mtab *
tab_copy(const struct mtab *o)
{
	struct mtab *t = tab_new();
	if (t == NULL || o == NULL || o->n == 0)
		return t;
	if ((t->v = malloc((size_t)o->cap * sizeof *t->v)) == NULL) {
		free(t);
		return NULL;
	}
	memcpy(t->v, o->v, (size_t)o->n * sizeof *t->v);
	t->n = o->n;
	t->cap = o->cap;
	return t;
}

static void
tab_put(struct mtab *t)
{
	if (t && --t->refs == 0) {
		free(t->v);
		free(t);
	}
}

/* The root's table: the descriptors the header says it was given, streams
 * (stdin's data, in the order the recording read it). */
static struct mtab *
tab_root(struct model *m)
{
	struct mtab *t = tab_new();
	size_t i;
	json_t *v;

	json_array_foreach(m->hdr_fds, i, v) {
		int64_t fd;
		struct mfd *d;
		if (t && json_int64_get(v, &fd) == 0 && fd >= 0 && fd < INT_MAX && (d = mfd_set(t, (int)fd))) {
			d->kind = FK_STREAM;
			d->s = stream_next(m);
		}
	}
	return t;
}

static struct mtask *
task_get(struct model *m, pid_t vtid)
{
	struct mtask *t;

	for (t = m->tasks; t; t = t->next)
		if (t->vtid == vtid)
			return t;
	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	t->vtid = vtid;
	t->vpid = m->tasks == NULL && m->root_vpid ? m->root_vpid : vtid;
	if (m->tasks == NULL)
		t->tab = tab_root(m);
	else {
		/* a task whose making the trace does not show: the root's table */
		struct mtask *r = m->tasks;
		while (r->next)
			r = r->next;
		t->tab = tab_copy(r->tab);
	}
	t->cwd = strdup(m->cwd0 ? m->cwd0 : "/");
	t->next = m->tasks;
	m->tasks = t;
	if (t->tab == NULL || t->cwd == NULL) {
		m->tasks = t->next;
		tab_put(t->tab);
		free(t->cwd);
		free(t);
		return NULL;
	}
	return t;
}

/* --- paths ----------------------------------------------------------------- */

/* dir + "/" + path, made absolute and lexically normal ("." and ".."
 * gone), into a new string (caller frees); NULL on ENOMEM. */
static char *
path_join(const char *dir, const char *path)
{
	size_t n = strlen(dir) + strlen(path) + 3;
	char *in = malloc(n), *out = malloc(n), *save = NULL, *tok;
	size_t o = 0;

	if (in == NULL || out == NULL) {
		free(in);
		free(out);
		return NULL;
	}
	if (path[0] == '/')
		snprintf(in, n, "%s", path);
	else
		snprintf(in, n, "%s/%s", dir, path);
	out[0] = '\0';
	for (tok = strtok_r(in, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			out[o] = '\0';
			continue;
		}
		o += (size_t)snprintf(out + o, n - o, "/%s", tok);
	}
	if (o == 0)
		snprintf(out, n, "/");
	free(in);
	return out;
}

/* The file a call names by (dirfd, path) for task t, or by its descriptor
 * when path is "" (AT_EMPTY_PATH) or NULL with dirfd a descriptor. */
static struct mfile *
file_at(struct model *m, struct mtask *t, long long dirfd, const char *path, bool make)
{
	const char *dir = t->cwd;
	struct mfd *d;
	char *abs;

	if (path == NULL || path[0] == '\0') {
		d = fd_find(t->tab, dirfd);
		return d && d->kind == FK_FILE ? d->f : NULL;
	}
	if (path[0] != '/' && dirfd != AT_FDCWD) {
		d = fd_find(t->tab, dirfd);
		if (d == NULL || d->kind != FK_FILE)
			return NULL;
		dir = d->f->path;
	}
	if ((abs = path_join(dir, path)) == NULL)
		return NULL;
	struct mfile *f = file_get(m, abs, make);
	free(abs);
	return f;
}

/* --- following events ------------------------------------------------------ */

static const char *
sys_of(const json_t *ev)
{
	return json_string_value(json_object_get(ev, "sys"));
}

static int64_t
arg(const json_t *ev, const char *name, int64_t dflt)
{
	return json_int64_or(json_object_get(ev, "args"), name, dflt);
}

static const char *
arg_str(const json_t *ev, const char *name)
{
	return json_string_value(json_object_get(json_object_get(ev, "args"), name));
}

/* The kind of descriptor a file of this path opens as. */
static int
kind_of_path(const char *p)
{
	if (strcmp(p, "/dev/null") == 0)
		return FK_NULL;
	if (strcmp(p, "/dev/zero") == 0)
		return FK_ZERO;
	if (strcmp(p, "/dev/urandom") == 0 || strcmp(p, "/dev/random") == 0)
		return FK_RANDOM;
	if (strncmp(p, "/dev/", 5) == 0 || strncmp(p, "/proc/", 6) == 0 || strncmp(p, "/sys/", 5) == 0)
		return FK_STREAM;	/* read as it came: no offsets to trust */
	return FK_FILE;
}

static void
note_open(struct model *m, struct mtask *t, const json_t *ev, long ret, const char *path,
    long long dirfd, int64_t flags)
{
	struct mfile *f = file_at(m, t, dirfd, path, true);
	struct mfd *d;

	if (f == NULL)
		return;
	if (ret < 0) {
		if (m->learning && f->open_err < 0 && !(flags & O_CREAT))
			f->open_err = (int)-ret;
		return;
	}
	if (m->learning && f->open_err < 0)
		f->open_err = 0;
	f->exists = true;
	if (!m->learning && (flags & O_CREAT))
		f->removed = false;
	if (!m->learning && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
		f->made = true;
		f->len = 0;
		f->size = 0;
	}
	if ((d = mfd_set(t->tab, (int)ret)) == NULL)
		return;
	d->kind = kind_of_path(f->path);
	d->f = f;
	d->cloexec = (flags & O_CLOEXEC) != 0;
	if (d->kind == FK_STREAM) {
		d->s = stream_next(m);
		d->f = f;
	}
	(void)ev;
}

/* Bytes read into a descriptor: learnt (file bytes by offset, a stream's
 * chunk), or followed (offsets, a stream's position). */
static void
note_read(struct model *m, struct mfd *d, const json_t *bytes, int64_t at, bool positional)
{
	void *p = NULL;
	size_t n = 0;

	if (d->kind == FK_STREAM) {
		if (m->learning && d->s)
			json_array_append(d->s->chunks, (json_t *)bytes);
		else if (d->s)
			d->s->pos++;
		return;
	}
	if (d->kind != FK_FILE)
		return;
	if (json_get_bytes(bytes, &p, &n) < 0)
		return;
	if (m->learning && at >= 0)
		file_put(d->f, at, p, n);
	if (!positional)
		d->off = at + (int64_t)n;
	free(p);
}

static void
note_write(struct model *m, struct mfd *d, const json_t *bytes, int64_t at, long ret, bool positional)
{
	void *p = NULL;
	size_t n = 0;

	if (d->kind == FK_STREAM && d->feeds && ret > 0 && !m->learning &&
	    json_get_bytes(bytes, &p, &n) == 0) {
		json_array_append_new(d->feeds->chunks, json_bytes(p, (size_t)ret < n ? (size_t)ret : n));
		free(p);
		return;
	}
	if (d->kind != FK_FILE || ret < 0)
		return;
	if (!m->learning && json_get_bytes(bytes, &p, &n) == 0) {
		if ((size_t)ret < n)
			n = (size_t)ret;
		if (file_put(d->f, at, p, n)) {
			d->f->made = true;
			if (d->f->size >= 0 && at + (int64_t)n > d->f->size)
				d->f->size = at + (int64_t)n;
		}
	}
	free(p);
	if (!positional)
		d->off = at + ret;
}

/* The pure answer table's key for an event or a call: "sys args". */
static char *
pure_key(const char *sys, const json_t *args)
{
	char *a = args ? json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS) : NULL, *k = NULL;

	if (asprintf(&k, "%s %s", sys, a ? a : "{}") < 0)
		k = NULL;
	free(a);
	return k;
}

static bool
stateful(const char *s)
{
	static const char *const names[] = {
		"read", "pread64", "readv", "preadv", "preadv2", "write", "pwrite64", "writev",
		"pwritev", "pwritev2", "open", "openat", "openat2", "creat", "close", "dup", "dup2",
		"dup3", "lseek", "getdents64", "pipe", "pipe2", "socket", "socketpair",
		"accept", "accept4", "recvfrom", "sendto", "recvmsg", "sendmsg", "clock_gettime",
		"gettimeofday", "time", "getrandom", "mmap", "fcntl", "clone", "clone3", "fork",
		"vfork", "execve", "execveat", "wait4", "waitid", "futex", "chdir", "fchdir",
		"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "nanosleep",
		"clock_nanosleep", "kill", "tgkill", "tkill", "unlink", "unlinkat", "rename",
		"renameat", "renameat2", "mkdir", "mkdirat", "ftruncate", "truncate",
		"copy_file_range", "sendfile", "splice", "tee", "set_tid_address", "gettid", "getpid", "fadvise64", NULL,
	};
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return true;
	return false;
}

static void
learn_pure(struct model *m, const char *sys, const json_t *ev)
{
	json_t *out = json_object_get(ev, "out");
	char *k;

	if (json_object_size(m->pure) >= PURE_MAX)
		return;
	if (out) {
		char *s = json_dumps(out, JSON_COMPACT);
		size_t n = s ? strlen(s) : 0;
		free(s);
		if (n > PURE_OUT_MAX)
			return;
	}
	if ((k = pure_key(sys, json_object_get(ev, "args"))) == NULL)
		return;
	if (json_object_get(m->pure, k) == NULL) {
		json_t *r = json_object();
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)ev, key, v)
			if (strcmp(key, "ret") == 0 || strcmp(key, "err") == 0 || strcmp(key, "out") == 0)
				json_object_set(r, key, v);
		json_object_set_new(m->pure, k, r);
	}
	free(k);
}

static void
follow_clone(struct model *m, struct mtask *t, const char *sys, const json_t *ev, long ret)
{
	int64_t flags = strcmp(sys, "clone") == 0 ? arg(ev, "flags", 0) :
	    strcmp(sys, "vfork") == 0 ? (CLONE_VM | CLONE_VFORK) : 0;
	struct mtask *c;

	if (ret <= 0 || (c = task_get(m, (pid_t)ret)) == NULL)
		return;
	c->vpid = (flags & CLONE_THREAD) ? t->vpid : (pid_t)ret;
	c->vppid = (flags & CLONE_THREAD) ? t->vppid : t->vpid;
	tab_put(c->tab);
	if (flags & CLONE_FILES) {
		c->tab = t->tab;
		t->tab->refs++;
	} else
		c->tab = tab_copy(t->tab);
	free(c->cwd);
	c->cwd = strdup(t->cwd);
}

static void
follow(struct model *m, const json_t *ev)
{
	const char *sys = sys_of(ev);
	struct mtask *t;
	int ok;
	long ret;

	if (sys == NULL)
		return;
	if ((t = task_get(m, (pid_t)json_int64_or(ev, "tid", 0))) == NULL)
		return;
	if (t->vtid > m->max_vtid)
		m->max_vtid = t->vtid;
	ret = event_result(ev, &ok);
	if (!ok)
		return;
	json_t *out = json_object_get(ev, "out");
	long long fd = arg(ev, "fd", -1);
	struct mfd *d = fd_find(t->tab, fd);

	if (m->learning && !stateful(sys))
		learn_pure(m, sys, ev);
	if (!strcmp(sys, "open") || !strcmp(sys, "creat"))
		note_open(m, t, ev, ret, arg_str(ev, "path"), AT_FDCWD,
		    !strcmp(sys, "creat") ? O_CREAT | O_WRONLY | O_TRUNC : arg(ev, "flags", 0));
	else if (!strcmp(sys, "openat"))
		note_open(m, t, ev, ret, arg_str(ev, "path"), arg(ev, "dirfd", AT_FDCWD), arg(ev, "flags", 0));
	else if (!strcmp(sys, "openat2"))
		note_open(m, t, ev, ret, arg_str(ev, "path"), arg(ev, "dirfd", AT_FDCWD),
		    json_int64_or(json_object_get(json_object_get(ev, "args"), "how"), "flags", 0));
	else if (!strcmp(sys, "close") && ret == 0)
		fd_close(t->tab, fd);
	else if ((!strcmp(sys, "dup") || !strcmp(sys, "dup2") || !strcmp(sys, "dup3") ||
	    (!strcmp(sys, "fcntl") && (arg(ev, "cmd", -1) == F_DUPFD || arg(ev, "cmd", -1) == F_DUPFD_CLOEXEC))) &&
	    ret >= 0) {
		struct mfd *o = fd_find(t->tab, strcmp(sys, "fcntl") ? arg(ev, "oldfd", -1) : fd);
		if (o && ret != o->fd) {
			struct mfd copy = *o, *n = mfd_set(t->tab, (int)ret);
			if (n) {
				*n = copy;
				n->fd = (int)ret;
				n->cloexec = (!strcmp(sys, "dup3") && (arg(ev, "flags", 0) & O_CLOEXEC)) ||
				    (!strcmp(sys, "fcntl") && arg(ev, "cmd", -1) == F_DUPFD_CLOEXEC);
			}
		}
	} else if ((!strcmp(sys, "read") || !strcmp(sys, "readv") || !strcmp(sys, "recvfrom")) && ret > 0 && d) {
		json_t *b = json_object_get(out, strcmp(sys, "readv") ? "buf" : "iov");
		if (b)
			note_read(m, d, b, d->off, false);
	} else if ((!strcmp(sys, "pread64") || !strcmp(sys, "preadv")) && ret > 0 && d) {
		json_t *b = json_object_get(out, strcmp(sys, "preadv") ? "buf" : "iov");
		if (b)
			note_read(m, d, b, arg(ev, strcmp(sys, "preadv") ? "offset" : "pos_l", 0), true);
	} else if ((!strcmp(sys, "write") || !strcmp(sys, "writev")) && d)
		note_write(m, d, json_object_get(json_object_get(ev, "args"), strcmp(sys, "write") ? "iov" : "buf"),
		    d->off, ret, false);
	else if (!strcmp(sys, "pwrite64") && d)
		note_write(m, d, json_object_get(json_object_get(ev, "args"), "buf"), arg(ev, "offset", 0), ret, true);
	else if (!strcmp(sys, "lseek") && d && ret >= 0)
		d->off = ret;
	else if ((!strcmp(sys, "copy_file_range") || !strcmp(sys, "sendfile")) && ret > 0) {
		bool cfr = !strcmp(sys, "copy_file_range");
		struct mfd *in = fd_find(t->tab, arg(ev, cfr ? "fd_in" : "in_fd", -1));
		struct mfd *o = fd_find(t->tab, arg(ev, cfr ? "fd_out" : "out_fd", -1));
		json_t *b = json_object_get(out, "data");
		bool in_pos = json_object_get(json_object_get(ev, "args"), cfr ? "off_in" : "offset") &&
		    !json_is_null(json_object_get(json_object_get(ev, "args"), cfr ? "off_in" : "offset"));
		if (in && b && !in_pos)
			note_read(m, in, b, in->off, false);
		if (o && b)
			note_write(m, o, b, o->off, ret, false);
	}
	else if (!strcmp(sys, "getdents64") && d && d->kind == FK_FILE) {
		if (m->learning) {
			if (d->dent == 0 && d->f->dents == NULL)
				d->f->dents = json_array();
			if (d->f->dents && json_array_size(d->f->dents) == d->dent)
				json_array_append(d->f->dents, (json_t *)ev);
		}
		d->dent++;
	} else if (!strcmp(sys, "fstat") || !strcmp(sys, "newfstatat") || !strcmp(sys, "stat") ||
	    !strcmp(sys, "lstat") || !strcmp(sys, "statx")) {
		struct mfile *f = !strcmp(sys, "fstat") ? (d && d->kind == FK_FILE ? d->f : NULL) :
		    file_at(m, t, arg(ev, "dirfd", AT_FDCWD), arg_str(ev, "path"), true);
		bool x = !strcmp(sys, "statx");
		if (f && m->learning) {
			json_t *sb = json_object_get(out, x ? "statxbuf" : "statbuf");
			if (ret == 0 && sb && (x ? f->statx : f->stat) == NULL) {
				if (x)
					f->statx = json_incref(sb);
				else
					f->stat = json_incref(sb);
			} else if (ret < 0 && (x ? f->statx : f->stat) == NULL)
				*(x ? &f->statx_err : &f->stat_err) = (int)-ret;
			if (ret == 0)
				f->exists = true;
		}
	} else if (!strcmp(sys, "mmap") && d && d->f && json_object_get(ev, "map")) {
		if (m->learning && d->f->map == NULL && !json_is_true(json_object_get(json_object_get(ev, "map"), "carried")))
			d->f->map = json_incref(json_object_get(ev, "map"));
	} else if ((!strcmp(sys, "pipe") || !strcmp(sys, "pipe2") || !strcmp(sys, "socketpair")) && ret == 0) {
		json_t *fds = json_object_get(out, "fds");
		int64_t a = json_int64_or(fds, "fd0", -1), b = json_int64_or(fds, "fd1", -1);
		int64_t fl = arg(ev, "flags", 0);
		struct mfd *x;
		struct mstream *rs = NULL;
		if (a >= 0 && (x = mfd_set(t->tab, (int)a))) {
			x->kind = FK_STREAM;
			x->s = rs = stream_next(m);
			x->cloexec = (fl & O_CLOEXEC) != 0;
		}
		if (b >= 0 && (x = mfd_set(t->tab, (int)b))) {
			x->kind = FK_STREAM;
			x->s = stream_next(m);
			x->cloexec = (fl & O_CLOEXEC) != 0;
			/* a pipe made after the run left the recording: what is
			 * written at one end is read at the other */
			if (!m->learning && rs &&
			    json_array_size(rs->chunks) == 0)
				x->feeds = rs;
		}
	} else if ((!strcmp(sys, "socket") || !strcmp(sys, "accept") || !strcmp(sys, "accept4")) && ret >= 0) {
		struct mfd *x = mfd_set(t->tab, (int)ret);
		if (x) {
			x->kind = FK_STREAM;
			x->s = stream_next(m);
		}
	} else if ((!strcmp(sys, "clock_gettime") || !strcmp(sys, "gettimeofday") || !strcmp(sys, "time")) &&
	    ret >= 0) {
		char k[64];
		snprintf(k, sizeof k, "%s %lld", sys, (long long)arg(ev, "clockid", 0));
		json_object_set(m->clocks, k, (json_t *)ev);
		if (m->learning && json_object_get(m->clocks0, k) == NULL)
			json_object_set(m->clocks0, k, (json_t *)ev);
	} else if (!strcmp(sys, "chdir") && ret == 0) {
		char *p = path_join(t->cwd, arg_str(ev, "path") ? arg_str(ev, "path") : ".");
		if (p) {
			free(t->cwd);
			t->cwd = p;
		}
	} else if (!strcmp(sys, "fchdir") && ret == 0 && d && d->kind == FK_FILE) {
		char *p = strdup(d->f->path);
		if (p) {
			free(t->cwd);
			t->cwd = p;
		}
	} else if (!strcmp(sys, "clone") || !strcmp(sys, "fork") || !strcmp(sys, "vfork"))
		{
		follow_clone(m, t, sys, ev, ret);
		if (ret > m->max_vtid)
			m->max_vtid = (pid_t)ret;
	}
	else if ((!strcmp(sys, "execve") || !strcmp(sys, "execveat")) && ret == 0) {
		if (m->learning && !strcmp(sys, "execve") && json_object_get(ev, "exe")) {
			const char *pa = json_string_value(json_object_get(ev, "path_abs"));
			char *abs = pa ? strdup(pa) : path_join(t->cwd, arg_str(ev, "path") ? arg_str(ev, "path") : "");
			if (abs && json_object_get(m->execs, abs) == NULL) {
				json_t *x = json_object();
				json_object_set(x, "exe", json_object_get(ev, "exe"));
				json_object_set(x, "interp", json_object_get(ev, "interp"));
				json_object_set(x, "at_random", json_object_get(ev, "at_random"));
				json_object_set_new(m->execs, abs, x);
			}
			free(abs);
		}
		if (t->tab->refs > 1) {		/* exec unshares the table */
			struct mtab *n = tab_copy(t->tab);
			if (n) {
				tab_put(t->tab);
				t->tab = n;
			}
		}
		for (int i = 0; i < t->tab->n;)
			if (t->tab->v[i].cloexec)
				t->tab->v[i] = t->tab->v[--t->tab->n];
			else
				i++;
	} else if (!m->learning && (!strcmp(sys, "unlink") || !strcmp(sys, "unlinkat")) && ret == 0) {
		struct mfile *f = file_at(m, t, arg(ev, "dirfd", AT_FDCWD), arg_str(ev, "path"), false);
		if (f) {
			f->removed = true;
			f->exists = false;
		}
	} else if (!m->learning && (!strcmp(sys, "mkdir") || !strcmp(sys, "mkdirat")) && ret == 0) {
		struct mfile *f = file_at(m, t, arg(ev, "dirfd", AT_FDCWD), arg_str(ev, "path"), true);
		if (f) {
			f->exists = true;
			f->made = true;
			f->removed = false;
		}
	} else if (!strcmp(sys, "ftruncate") && d && d->kind == FK_FILE && ret == 0 && !m->learning) {
		int64_t len = arg(ev, "length", 0);
		d->f->made = true;
		d->f->size = len;
		if (len >= 0 && (size_t)len < d->f->len)
			d->f->len = (size_t)len;
	}
}

/* --- the public side ------------------------------------------------------- */

struct model *
model_new(const json_t *header, uint64_t seed)
{
	struct model *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->hdr_fds = json_deep_copy(json_object_get(header, "fds"));
	m->start_sec = json_int64_or(json_object_get(header, "start"), "sec", 0);
	m->root_vpid = (pid_t)json_int64_or(header, "pid", 0);
	m->cwd0 = strdup(json_string_value(json_object_get(header, "cwd")) ?
	    json_string_value(json_object_get(header, "cwd")) : "/");
	m->pure = json_object();
	m->clocks = json_object();
	m->execs = json_object();
	m->clocks0 = json_object();
	m->st.why = json_object();
	m->rng = seed ? seed : 0x2545f4914f6cdd1dULL;
	if (m->cwd0 == NULL || m->pure == NULL || m->clocks == NULL || m->execs == NULL || m->clocks0 == NULL || m->st.why == NULL) {
		model_free(m);
		return NULL;
	}
	return m;
}

static void
tasks_free(struct model *m)
{
	while (m->tasks) {
		struct mtask *t = m->tasks;
		m->tasks = t->next;
		tab_put(t->tab);
		free(t->cwd);
		free(t);
	}
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < NBUCKET; i++)
		while (m->b[i]) {
			struct mfile *f = m->b[i];
			m->b[i] = f->next;
			free(f->path);
			model_bytes -= model_bytes >= 2 * f->len ? 2 * f->len : model_bytes;
			json_decref(f->stat);
			json_decref(f->statx);
			free(f->data);
			free(f->known);
			json_decref(f->dents);
			json_decref(f->map);
			free(f);
		}
	for (size_t i = 0; i < m->nstreams; i++) {
		json_decref(m->streams[i]->chunks);
		free(m->streams[i]);
	}
	free(m->streams);
	tasks_free(m);
	json_decref(m->hdr_fds);
	json_decref(m->pure);
	json_decref(m->clocks);
	json_decref(m->execs);
	json_decref(m->clocks0);
	json_decref(m->st.why);
	free(m->cwd0);
	free(m);
}

int
model_learn(struct model *m, const char *path, char *err, size_t errlen)
{
	struct trace_reader *r = NULL;
	json_t *ev;
	int e;

	if ((e = trace_reader_open(&r, path)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-e));
		return e;
	}
	m->learning = true;
	m->made_streams = 0;
	bool first = true;
	while ((e = trace_read(r, &ev)) > 0) {
		if (first) {
			first = false;	/* the header */
			json_decref(ev);
			continue;
		}
		if (!blob_is_line(ev))
			follow(m, ev);
		json_decref(ev);
	}
	if (e < 0)
		snprintf(err, errlen, "%s: line %llu: %s", path, (unsigned long long)trace_reader_line(r),
		    e == -EBADMSG ? trace_reader_error(r) : strerror(-e));
	trace_reader_close(r);
	/* The run starts over: tables and positions, not what was learnt. */
	m->learning = false;
	m->made_streams = 0;
	tasks_free(m);
	json_object_clear(m->clocks);
	return e < 0 ? e : 0;
}

void
model_follow(struct model *m, const json_t *ev)
{
	m->st.followed++;
	follow(m, ev);
}

const struct model_stats *
model_stats(const struct model *m)
{
	return &m->st;
}

/* --- answers --------------------------------------------------------------- */

static uint64_t
rnd(struct model *m)
{
	return splitmix64(&m->rng);
}

/* The event for c with result ret and outputs out (taken). */
static json_t *
event_for(pid_t vtid, const struct call *c, long ret, json_t *out)
{
	struct call tmp = *c;
	json_t *ev;

	tmp.ret = ret;
	tmp.out = out;
	tmp.extra = NULL;
	ev = event_new(0, vtid, &tmp);
	json_decref(out);
	if (ev)
		json_object_del(ev, "seq");
	return ev;
}

static json_t *
unmodelled(struct model *m, pid_t vtid, const struct call *c, int err, const char *why)
{
	json_t *n = json_object_get(m->st.why, why);

	m->st.unmodelled++;
	if (n)
		json_integer_set(n, json_integer_value(n) + 1);
	else
		json_object_set_new(m->st.why, why, json_integer(1));
	return event_for(vtid, c, -err, NULL);
}

/* The room of the buffers call c reads into: count, or the iovecs' sum. */
static uint64_t
read_room(pid_t tid, const struct call *c, bool iov)
{
	if (!iov)
		return c->a[2];
	uint64_t cnt = c->a[2], total = 0;
	if (cnt > 1024)
		return 0;
	struct iovec *v = malloc((cnt ? cnt : 1) * sizeof *v);
	if (v == NULL || mem_read(tid, c->a[1], v, cnt * sizeof *v) < 0) {
		free(v);
		return 0;
	}
	for (uint64_t i = 0; i < cnt; i++)
		total += v[i].iov_len;
	free(v);
	return total;
}

static json_t *
answer_read(struct model *m, struct mtask *t, pid_t tid, const struct call *c, const char *name)
{
	bool iov = strstr(name, "readv") != NULL, positional = name[0] == 'p';
	const char *outname = iov ? "iov" : "buf";
	struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);
	uint64_t room = read_room(tid, c, iov);
	json_t *out;

	if (d == NULL)
		return event_for(t->vtid, c, -EBADF, NULL);
	if (room > (1u << 20))
		room = 1u << 20;
	switch (d->kind) {
	case FK_NULL:
		return event_for(t->vtid, c, 0, json_pack("{s:o}", outname, json_bytes("", 0)));
	case FK_ZERO: case FK_RANDOM: {
		unsigned char *b = calloc(1, room ? room : 1);
		if (b == NULL)
			return NULL;
		if (d->kind == FK_RANDOM)
			for (uint64_t i = 0; i < room; i++)
				b[i] = (unsigned char)rnd(m);
		out = json_pack("{s:o}", outname, json_bytes(b, room));
		free(b);
		return event_for(t->vtid, c, (long)room, out);
	}
	case FK_STREAM: {
		json_t *ch = d->s ? json_array_get(d->s->chunks, d->s->pos) : NULL;
		void *p;
		size_t n;
		if (ch == NULL) {
			/* the recording's data is all read: its end */
			return event_for(t->vtid, c, 0, json_pack("{s:o}", outname, json_bytes("", 0)));
		}
		if (json_get_bytes(ch, &p, &n) < 0)
			return NULL;
		if (n > room) {
			/* the rest stays for the next read */
			json_t *rest = json_bytes((char *)p + room, n - room);
			json_array_insert_new(d->s->chunks, d->s->pos + 1, rest);
			n = room;
		}
		out = json_pack("{s:o}", outname, json_bytes(p, n));
		free(p);
		return event_for(t->vtid, c, (long)n, out);
	}
	case FK_FILE: {
		struct mfile *f = d->f;
		int64_t at = positional ? (int64_t)c->a[3] : d->off, size = file_size(f);
		size_t n = 0;
		if (at < 0)
			return event_for(t->vtid, c, -EINVAL, NULL);
		while ((size_t)at + n < f->len && n < room && f->known[at + n])
			n++;
		if (n == 0 && ((size_t)at < f->len ? !f->known[at] : (size >= 0 && at < size)))
			return unmodelled(m, t->vtid, c, EIO, "read of a part of a file the recording did not read");
		out = json_pack("{s:o}", outname, json_bytes(f->data ? f->data + at : (unsigned char *)"", n));
		return event_for(t->vtid, c, (long)n, out);
	}
	default:
		return unmodelled(m, t->vtid, c, ENOSYS, "read of a descriptor the model does not know");
	}
}

static json_t *
answer_write(struct model *m, struct mtask *t, const struct call *c, const char *name)
{
	bool iov = strstr(name, "writev") != NULL;
	json_t *b = json_object_get(c->args, iov ? "iov" : "buf");
	ssize_t n = b ? json_bytes_len(b) : -1;
	struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);

	(void)m;
	if (d == NULL)
		return event_for(t->vtid, c, -EBADF, NULL);
	if (n < 0)
		n = 0;
	return event_for(t->vtid, c, (long)n, NULL);
}

static json_t *
answer_open(struct model *m, struct mtask *t, const struct call *c, const char *name)
{
	const char *path = json_string_value(json_object_get(c->args, "path"));
	long long dirfd = !strcmp(name, "openat") || !strcmp(name, "openat2") ? (long long)(int)c->a[0] : AT_FDCWD;
	int64_t flags = !strcmp(name, "creat") ? O_CREAT | O_WRONLY | O_TRUNC :
	    !strcmp(name, "openat2") ? json_int64_or(json_object_get(c->args, "how"), "flags", 0) :
	    (int64_t)c->a[!strcmp(name, "openat") ? 2 : 1];
	struct mfile *f;

	if (path == NULL)
		return event_for(t->vtid, c, -EFAULT, NULL);
	if ((f = file_at(m, t, dirfd, path, true)) == NULL)
		return event_for(t->vtid, c, -ENOENT, NULL);
	bool there = !f->removed && (f->exists || f->made || f->open_err == 0);
	if (!there && !(flags & O_CREAT))
		return event_for(t->vtid, c, -(f->open_err > 0 && !f->removed ? f->open_err : ENOENT), NULL);
	if (there && (flags & O_CREAT) && (flags & O_EXCL))
		return event_for(t->vtid, c, -EEXIST, NULL);
	if (!there) {
		f->made = true;
		f->exists = true;
		f->removed = false;
		f->len = 0;
		f->size = 0;
	}
	return event_for(t->vtid, c, fd_lowest(t->tab), NULL);
}

/* The answer the recording got for the same call with the same inputs, or
 * NULL. */
static json_t *
pure_answer(struct model *m, pid_t vtid, const struct call *c, const char *name)
{
	char *k = pure_key(name, c->args);
	json_t *r = k ? json_object_get(m->pure, k) : NULL, *ev;
	const char *key;
	json_t *v;

	free(k);
	if (r == NULL)
		return NULL;
	ev = json_pack("{s:I, s:s, s:O}", "tid", (json_int_t)vtid, "sys", name, "args",
	    c->args ? c->args : json_object());
	if (ev)
		json_object_foreach(r, key, v)
			json_object_set(ev, key, v);
	return ev;
}

/* A stat struct for a file made in this run: a regular file of its size,
 * the fields of a recorded one where there is one. */
static json_t *
made_stat(struct model *m, struct mfile *f)
{
	json_t *s = f->stat ? json_deep_copy(f->stat) : json_object();

	(void)m;
	if (s == NULL)
		return NULL;
	static const char *const z[] = { "dev", "ino", "nlink", "uid", "gid", "rdev", "blksize",
		"blocks", "atime_sec", "atime_nsec", "mtime_sec", "mtime_nsec", "ctime_sec", "ctime_nsec", NULL };
	for (int i = 0; z[i]; i++)
		if (json_object_get(s, z[i]) == NULL)
			json_object_set_new(s, z[i], json_int64(!strcmp(z[i], "nlink") ? 1 :
			    !strcmp(z[i], "blksize") ? 4096 : 0));
	if (json_object_get(s, "mode") == NULL)
		json_object_set_new(s, "mode", json_int64(S_IFREG | 0644));
	json_object_set_new(s, "size", json_int64(file_size(f) < 0 ? 0 : file_size(f)));
	json_object_set_new(s, "blocks", json_int64((file_size(f) + 511) / 512));
	return s;
}

static json_t *
answer_stat(struct model *m, struct mtask *t, const struct call *c, const char *name)
{
	bool x = !strcmp(name, "statx");
	struct mfile *f;

	const char *path = json_string_value(json_object_get(c->args, "path"));
	long long dirfd = !strcmp(name, "fstat") || !strcmp(name, "newfstatat") || x ?
	    (long long)(int)c->a[0] : AT_FDCWD;
	json_t *ev;
	if (!strcmp(name, "fstat") || (path && path[0] == '\0')) {
		struct mfd *d = fd_find(t->tab, dirfd);
		if (d == NULL)
			return event_for(t->vtid, c, -EBADF, NULL);
		f = d->kind == FK_FILE ? d->f : NULL;
		if (f == NULL || (!f->made && (x ? f->statx : f->stat) == NULL)) {
			/* a pipe, a terminal, a device: as the recording saw it */
			if ((ev = pure_answer(m, t->vtid, c, name)) != NULL)
				return ev;
			return unmodelled(m, t->vtid, c, ENOSYS, "stat of a descriptor the recording did not stat");
		}
	} else {
		f = file_at(m, t, dirfd, path, false);
		if (f == NULL || f->removed || (!f->exists && !f->made && f->open_err != 0))
			return event_for(t->vtid, c, -(f && !f->removed && (x ? f->statx_err : f->stat_err) > 0 ?
			    (x ? f->statx_err : f->stat_err) : ENOENT), NULL);
	}
	if (x) {
		if (f->statx == NULL)
			return unmodelled(m, t->vtid, c, ENOSYS, "statx of a file the recording did not statx");
		json_t *s = json_deep_copy(f->statx);
		if (f->made && s)
			json_object_set_new(s, "size", json_int64(file_size(f)));
		return event_for(t->vtid, c, 0, json_pack("{s:o}", "statxbuf", s));
	}
	if (f->stat == NULL && !f->made)
		return unmodelled(m, t->vtid, c, ENOSYS, "stat of a file the recording did not stat");
	json_t *s = f->made ? made_stat(m, f) : json_incref(f->stat);
	return event_for(t->vtid, c, 0, json_pack("{s:o}", "statbuf", s));
}

static json_t *
answer_clock(struct model *m, struct mtask *t, const struct call *c, const char *name)
{
	char k[64];
	long long id = !strcmp(name, "clock_gettime") ? (long long)(int)c->a[0] : 0;
	json_t *last, *out;

	snprintf(k, sizeof k, "%s %lld", name, id);
	if ((last = json_object_get(m->clocks, k)) == NULL)
		last = json_object_get(m->clocks0, k);	/* none read yet in this run: the recording's first */
	if (last == NULL && !strcmp(name, "clock_gettime")) {
		/* a clock the recording did not read: the one of its family it
		 * read (the realtime clocks, the others), else any */
		bool rt = id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
		const char *key;
		json_t *v, *any = NULL;
		json_object_foreach(json_object_size(m->clocks) ? m->clocks : m->clocks0, key, v) {
			long long other = json_int64_or(json_object_get(v, "args"), "clockid", -1);
			bool ort = other == CLOCK_REALTIME || other == CLOCK_REALTIME_COARSE || other == CLOCK_TAI;
			if (strncmp(key, "clock_gettime ", 14) != 0)
				continue;
			if (ort == rt)
				last = v;
			any = v;
		}
		if (last == NULL)
			last = any;
	}
	json_t *made = NULL;
	if (last == NULL && !strcmp(name, "clock_gettime") && id >= 0 && id <= CLOCK_TAI) {
		/* The recording read no clock at all: the realtime ones start
		 * at the recording's start, the others at 1000 s. */
		bool rt = id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI;
		made = json_pack("{s:i, s:{s:{s:I, s:I}}}", "ret", 0, "out", "tp", "sec",
		    (json_int_t)(rt ? m->start_sec : 1000), "nsec", (json_int_t)0);
		last = made;
	}
	if (last == NULL)
	{
		char why[96];
		snprintf(why, sizeof why, "%s of a clock the recording did not read (%lld)", name, id);
		return unmodelled(m, t->vtid, c, ENOSYS, why);
	}
	/* the clock goes on: a millisecond a reading */
	out = json_deep_copy(json_object_get(last, "out"));
	long ret = json_int64_or(last, "ret", 0);
	json_decref(made);
	json_t *tp = json_object_get(out, !strcmp(name, "clock_gettime") ? "tp" : "tv");
	if (tp) {
		int64_t sec = json_int64_or(tp, "sec", 0);
		bool us = json_object_get(tp, "usec") != NULL;
		int64_t frac = json_int64_or(tp, us ? "usec" : "nsec", 0) + (us ? 1000 : 1000000);
		int64_t one = us ? 1000000 : 1000000000;
		if (frac >= one) {
			frac -= one;
			sec++;
		}
		json_object_set_new(tp, "sec", json_int64(sec));
		json_object_set_new(tp, us ? "usec" : "nsec", json_int64(frac));
	}
	if (!strcmp(name, "time"))
		ret++;	/* a second on, each reading: time never stands still */
	json_t *ev = event_for(t->vtid, c, ret, out);
	if (ev && !m->hold)
		follow(m, ev);
	return ev;
}

json_t *
model_answer(struct model *m, pid_t vtid, pid_t tid, const struct call *c)
{
	char nb[32];
	const char *name = c->sc ? c->sc->name : sc_any_name(c->nr, nb);
	struct mtask *t = task_get(m, vtid);
	json_t *ev = NULL;

	if (t == NULL)
		return NULL;
	m->st.answered++;
	if (!strcmp(name, "read") || !strcmp(name, "pread64") || !strcmp(name, "readv") ||
	    !strcmp(name, "preadv") || !strcmp(name, "recvfrom"))
		ev = answer_read(m, t, tid, c, strcmp(name, "recvfrom") ? name : "read");
	else if (!strcmp(name, "write") || !strcmp(name, "pwrite64") || !strcmp(name, "writev") ||
	    !strcmp(name, "sendto"))
		ev = answer_write(m, t, c, strcmp(name, "sendto") ? name : "write");
	else if (!strcmp(name, "open") || !strcmp(name, "openat") || !strcmp(name, "creat") ||
	    !strcmp(name, "openat2"))
		ev = answer_open(m, t, c, name);
	else if (!strcmp(name, "close"))
		ev = event_for(vtid, c, fd_find(t->tab, (long long)(int)c->a[0]) ? 0 : -EBADF, NULL);
	else if (!strcmp(name, "fstat") || !strcmp(name, "newfstatat") || !strcmp(name, "stat") ||
	    !strcmp(name, "lstat") || !strcmp(name, "statx"))
		ev = answer_stat(m, t, c, name);
	else if (!strcmp(name, "access") || !strcmp(name, "faccessat") || !strcmp(name, "faccessat2")) {
		struct mfile *f = file_at(m, t, strcmp(name, "access") ? (long long)(int)c->a[0] : AT_FDCWD,
		    json_string_value(json_object_get(c->args, "path")), false);
		ev = event_for(vtid, c, f && !f->removed && (f->exists || f->made || f->open_err == 0) ? 0 : -ENOENT, NULL);
	} else if (!strcmp(name, "lseek")) {
		struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);
		int64_t off = (int64_t)c->a[1], w = (int64_t)(int)c->a[2], to;
		if (d == NULL)
			ev = event_for(vtid, c, -EBADF, NULL);
		else if (d->kind != FK_FILE)
			ev = event_for(vtid, c, d->kind == FK_STREAM ? -ESPIPE : 0, NULL);
		else {
			to = w == SEEK_SET ? off : w == SEEK_CUR ? d->off + off :
			    w == SEEK_END && file_size(d->f) >= 0 ? file_size(d->f) + off : -1;
			ev = to < 0 ? event_for(vtid, c, -EINVAL, NULL) : event_for(vtid, c, (long)to, NULL);
		}
	} else if (!strcmp(name, "getdents64")) {
		struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);
		json_t *rec;
		if (d == NULL)
			ev = event_for(vtid, c, -EBADF, NULL);
		else if (d->kind != FK_FILE || d->f->dents == NULL)
			ev = unmodelled(m, vtid, c, ENOSYS, "a listing the recording did not read");
		else if ((rec = json_array_get(d->f->dents, d->dent)) == NULL)
			ev = event_for(vtid, c, 0, json_pack("{s:o}", "dirp", json_bytes("", 0)));
		else {
			int ok;
			long r = event_result(rec, &ok);
			json_t *o = json_object_get(rec, "out");
			ssize_t n = json_bytes_len(json_object_get(o, "dirp"));
			if (!ok || n < 0 || (uint64_t)n > c->a[2])
				ev = unmodelled(m, vtid, c, ENOSYS, "a listing that does not fit the buffer");
			else
				ev = event_for(vtid, c, r, o ? json_incref(o) : NULL);
		}
	} else if (!strcmp(name, "clock_gettime") || !strcmp(name, "gettimeofday") || !strcmp(name, "time"))
		return answer_clock(m, t, c, name);
	else if (!strcmp(name, "getrandom")) {
		uint64_t n = c->a[1] > 4096 ? 4096 : c->a[1];
		unsigned char b[4096];
		for (uint64_t i = 0; i < n; i++)
			b[i] = (unsigned char)rnd(m);
		ev = event_for(vtid, c, (long)n, json_pack("{s:o}", "buf", json_bytes(b, n)));
	} else if (!strcmp(name, "set_tid_address") || !strcmp(name, "gettid"))
		ev = event_for(vtid, c, vtid, NULL);
	else if (!strcmp(name, "getpid"))
		ev = event_for(vtid, c, t->vpid, NULL);
	else if ((!strcmp(name, "poll") || !strcmp(name, "ppoll")) &&
	    json_is_array(json_object_get(c->args, "fds"))) {
		/* Files are always ready; a stream is readable while the
		 * recording's data lasts, then at its end (POLLHUP); writes
		 * go into the overlay; an unknown descriptor is POLLNVAL. */
		json_t *fds = json_object_get(c->args, "fds"), *rev = json_array(), *x;
		size_t i;
		long ready = 0;
		json_array_foreach(fds, i, x) {
			long long fd = json_int64_or(x, "fd", -1), want = json_int64_or(x, "events", 0), got = 0;
			struct mfd *d = fd < 0 ? NULL : fd_find(t->tab, fd);
			if (fd < 0)
				got = 0;
			else if (d == NULL)
				got = POLLNVAL;
			else if (d->kind == FK_STREAM) {
				bool more = d->s && json_array_get(d->s->chunks, d->s->pos) != NULL;
				got = (want & (POLLIN | POLLOUT)) | (more ? 0 : POLLHUP);
			} else
				got = want & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
			ready += got != 0;
			json_array_append_new(rev, json_integer(got));
		}
		ev = event_for(vtid, c, ready, json_pack("{s:o}", "revents", rev));
	} else if (!strcmp(name, "getcwd") && t->cwd) {
		/* the directory the run is in, as the model follows it */
		size_t n = strlen(t->cwd) + 1;
		ev = n > c->a[1] ? event_for(vtid, c, -ERANGE, NULL) :
		    event_for(vtid, c, (long)n, json_pack("{s:o}", "buf", json_bytes(t->cwd, n)));
	}
	else if (!strcmp(name, "getppid") && t->vppid)
		ev = event_for(vtid, c, t->vppid, NULL);
	else if (!strcmp(name, "pipe") || !strcmp(name, "pipe2")) {
		int a = fd_lowest(t->tab), b;
		struct mfd *x = mfd_set(t->tab, a);	/* held while the second is chosen */
		if (x)
			x->kind = FK_OTHER;
		b = fd_lowest(t->tab);
		fd_close(t->tab, a);
		ev = event_for(vtid, c, 0, json_pack("{s:{s:i, s:i}}", "fds", "fd0", a, "fd1", b));
	} else if (!strcmp(name, "socket"))
		ev = event_for(vtid, c, fd_lowest(t->tab), NULL);	/* a socket with no one to talk to */
	else if (!strcmp(name, "connect")) {
		/* a server the recording talked to answers as it did; others are not there */
		if ((ev = pure_answer(m, vtid, c, name)) == NULL)
			ev = event_for(vtid, c, fd_find(t->tab, (long long)(int)c->a[0]) ? -ECONNREFUSED : -EBADF, NULL);
	} else if (!strcmp(name, "fadvise64"))
		ev = event_for(vtid, c, fd_find(t->tab, (long long)(int)c->a[0]) ? 0 : -EBADF, NULL);
	else if (!strcmp(name, "chdir")) {
		struct mfile *f = file_at(m, t, AT_FDCWD, json_string_value(json_object_get(c->args, "path")), false);
		ev = event_for(vtid, c, f && !f->removed && (f->exists || f->made || f->open_err == 0 ||
		    f->dents) ? 0 : -ENOENT, NULL);
	} else if (!strcmp(name, "rename") || !strcmp(name, "renameat") || !strcmp(name, "renameat2")) {
		bool at = strcmp(name, "rename") != 0;
		struct mfile *o = file_at(m, t, at ? (long long)(int)c->a[0] : AT_FDCWD,
		    json_string_value(json_object_get(c->args, "oldpath")), false);
		struct mfile *n = file_at(m, t, at ? (long long)(int)c->a[2] : AT_FDCWD,
		    json_string_value(json_object_get(c->args, "newpath")), true);
		if (o == NULL || o->removed || !(o->exists || o->made || o->open_err == 0))
			ev = event_for(vtid, c, -ENOENT, NULL);
		else if (n == NULL)
			ev = event_for(vtid, c, -ENOENT, NULL);
		else {
			/* the overlay: the new name has the old one's content */
			if (n != o) {
				free(n->data);
				free(n->known);
				n->data = o->data;
				n->known = o->known;
				n->len = o->len;
				n->size = file_size(o);
				o->data = o->known = NULL;
				o->len = 0;
				json_decref(n->stat);
				n->stat = o->stat ? json_incref(o->stat) : NULL;
				n->exists = n->made = true;
				n->removed = false;
				o->removed = true;
				o->exists = false;
			}
			ev = event_for(vtid, c, 0, NULL);
		}
	} else if (!strcmp(name, "kill") || !strcmp(name, "tgkill") || !strcmp(name, "tkill")) {
		/* to itself (abort, raise): replay sends it for real */
		bool self = !strcmp(name, "kill") ? ((pid_t)c->a[0] == t->vpid || c->a[0] == 0) :
		    !strcmp(name, "tgkill") ? ((pid_t)c->a[0] == t->vpid && (pid_t)c->a[1] == vtid) :
		    (pid_t)c->a[0] == vtid;
		pid_t target = !strcmp(name, "tgkill") ? (pid_t)c->a[1] : (pid_t)c->a[0];
		bool known = false;
		for (struct mtask *o = m->tasks; o && !self; o = o->next)
			known = known || o->vtid == target || o->vpid == target;
		/* to itself (abort, raise), or to a task of the tree: replay
		 * sends it for real; others are not there */
		ev = event_for(vtid, c, self || known ? 0 : -ESRCH, NULL);
	}
	else if (!strcmp(name, "nanosleep") || !strcmp(name, "clock_nanosleep") || !strcmp(name, "fsync") ||
	    !strcmp(name, "fdatasync") || !strcmp(name, "sched_yield"))
		ev = event_for(vtid, c, 0, NULL);
	else if (!strcmp(name, "unlink") || !strcmp(name, "unlinkat") || !strcmp(name, "rmdir")) {
		struct mfile *f = file_at(m, t, strcmp(name, "unlinkat") ? AT_FDCWD : (long long)(int)c->a[0],
		    json_string_value(json_object_get(c->args, "path")), false);
		ev = event_for(vtid, c, f && !f->removed && (f->exists || f->made || f->open_err == 0) ? 0 : -ENOENT, NULL);
	} else if (!strcmp(name, "mkdir") || !strcmp(name, "mkdirat")) {
		struct mfile *f = file_at(m, t, strcmp(name, "mkdirat") ? AT_FDCWD : (long long)(int)c->a[0],
		    json_string_value(json_object_get(c->args, "path")), false);
		ev = event_for(vtid, c, f && !f->removed && (f->exists || f->made) ? -EEXIST : 0, NULL);
	} else if (!strcmp(name, "ftruncate"))
		ev = event_for(vtid, c, fd_find(t->tab, (long long)(int)c->a[0]) ? 0 : -EBADF, NULL);
	else if (!strcmp(name, "fork") || !strcmp(name, "vfork") || !strcmp(name, "clone"))
		ev = event_for(vtid, c, ++m->max_vtid, NULL);	/* made for real, known by a new id */
	else if (!strcmp(name, "copy_file_range") || !strcmp(name, "sendfile")) {
		bool cfr = !strcmp(name, "copy_file_range");
		struct mfd *in = fd_find(t->tab, (long long)(int)c->a[cfr ? 0 : 1]);
		struct mfd *o = fd_find(t->tab, (long long)(int)c->a[cfr ? 2 : 0]);
		uint64_t len = c->a[cfr ? 4 : 3];
		if (in == NULL || o == NULL)
			ev = event_for(vtid, c, -EBADF, NULL);
		else if (in->kind != FK_FILE || c->a[cfr ? 1 : 2] != 0 || (cfr && c->a[3] != 0))
			return unmodelled(m, vtid, c, EINVAL, "copy_file_range or sendfile from a stream or at an offset");
		else {
			struct mfile *f = in->f;
			size_t n = 0;
			if (len > (1u << 20))
				len = 1u << 20;
			while (in->off >= 0 && (size_t)in->off + n < f->len && n < len && f->known[in->off + n])
				n++;
			if (n == 0 && (size_t)in->off < f->len && !f->known[in->off])
				return unmodelled(m, vtid, c, EIO, "read of a part of a file the recording did not read");
			ev = event_for(vtid, c, (long)n, json_pack("{s:o}", "data",
			    json_bytes(f->data ? f->data + in->off : (unsigned char *)"", n)));
		}
	} else if (!strcmp(name, "mmap")) {
		/* a file the recording mapped: replay maps it again, checked */
		struct mfd *d = fd_find(t->tab, (long long)(int)c->a[4]);
		if (d == NULL)
			ev = event_for(vtid, c, -EBADF, NULL);
		else if (c->a[1] == 0 || (c->a[5] & 4095))
			ev = event_for(vtid, c, -EINVAL, NULL);	/* as the kernel says (mmap(2)) */
		else if (d->f == NULL || d->f->map == NULL || d->f->made)
			return unmodelled(m, vtid, c, ENODEV, "mmap of a file the recording did not map");
		else if ((ev = event_for(vtid, c, (long)c->a[0], NULL)) != NULL)
			json_object_set(ev, "map", d->f->map);
	} else if (!strcmp(name, "clone3"))
		return unmodelled(m, vtid, c, EAGAIN, "clone3 after the run left the recording");
	else if (!strcmp(name, "execve")) {
		/* a program the recording executed runs again (replay checks
		 * it is the same file); another is not there */
		const char *path = json_string_value(json_object_get(c->args, "path"));
		char *abs = path ? path_join(t->cwd, path) : NULL;
		json_t *x = abs ? json_object_get(m->execs, abs) : NULL;
		if (x == NULL)
			ev = event_for(vtid, c, path ? -ENOENT : -EFAULT, NULL);
		else if ((ev = event_for(vtid, c, 0, NULL)) != NULL) {
			const char *key;
			json_t *v;
			json_object_foreach(x, key, v)
				json_object_set(ev, key, v);
			if (path[0] != '/')
				json_object_set_new(ev, "path_abs", json_string(abs));
		}
		free(abs);
	}
	else if (!strcmp(name, "dup") || !strcmp(name, "dup2") || !strcmp(name, "dup3")) {
		struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);
		ev = d == NULL ? event_for(vtid, c, -EBADF, NULL) :
		    event_for(vtid, c, !strcmp(name, "dup") ? fd_lowest(t->tab) : (long)(int)c->a[1], NULL);
	} else if (!strcmp(name, "fcntl")) {
		struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);
		int cmd = (int)c->a[1];
		if (d == NULL)
			ev = event_for(vtid, c, -EBADF, NULL);
		else if (cmd == F_GETFD)
			ev = event_for(vtid, c, d->cloexec ? FD_CLOEXEC : 0, NULL);
		else if (cmd == F_SETFD) {
			d->cloexec = (c->a[2] & FD_CLOEXEC) != 0;
			ev = event_for(vtid, c, 0, NULL);
		} else if (cmd == F_GETFL)
			ev = event_for(vtid, c, d->kind == FK_FILE ? O_RDWR : O_RDWR, NULL);
		else if (cmd == F_SETFL || cmd == F_SETLK || cmd == F_SETLKW || cmd == F_OFD_SETLK ||
		    cmd == F_OFD_SETLKW || cmd == F_SETPIPE_SZ || cmd == F_ADD_SEALS)
			ev = event_for(vtid, c, 0, NULL);	/* no one else holds a lock in the model */
		else if ((ev = pure_answer(m, vtid, c, name)) == NULL) {
			char why[48];
			snprintf(why, sizeof why, "fcntl %d", cmd);
			return unmodelled(m, vtid, c, ENOSYS, why);
		}
	} else if (!strcmp(name, "ioctl")) {
		struct mfd *d = fd_find(t->tab, (long long)(int)c->a[0]);
		ev = event_for(vtid, c, d ? -ENOTTY : -EBADF, NULL);
	} else {
		/* the answer the recording got for the same inputs */
		if ((ev = pure_answer(m, vtid, c, name)) == NULL) {
			char why[96];
			snprintf(why, sizeof why, "%s", name);
			return unmodelled(m, vtid, c, ENOSYS, why);
		}
	}
	if (ev && !m->hold)
		follow(m, ev);
	return ev;
}

json_t *
model_answer_held(struct model *m, pid_t vtid, pid_t tid, const struct call *c)
{
	m->hold = true;
	json_t *ev = model_answer(m, vtid, tid, c);
	m->hold = false;
	return ev;
}

void
model_follow_answer(struct model *m, const json_t *ev)
{
	follow(m, ev);
}
