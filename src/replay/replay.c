/* replay.c: the replay module: match each intercepted call with the next
 * event of the trace, answer it from there, and stop at the first
 * difference.  See DESIGN.md, "Replay rules". */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <elf.h>
#include "kernel/bytes.h"
#include "kernel/capture.h"
#include "kernel/family.h"
#include "kernel/fileid.h"
#include "kernel/render.h"
#include "kernel/tracee.h"
#include "kernel/tsc.h"
#include "kernel/vdso.h"
#include "kernel/xlat.h"
#include "replay/replay.h"

#define RING 5
#define MAX_FD 4096

struct replay {
	struct module mod;
	struct replay_conf conf;
	json_t *next;			/* the next event, read ahead */
	json_t *footer;			/* the last line, once read */
	bool eof;
	json_t *ring[RING];		/* the last matched events */
	uint64_t matched;
	enum replay_outcome outcome;
	char *msg;
	unsigned char stdio[MAX_FD];	/* 1 or 2: fd shows the recording's stdout/stderr */
	bool first_exec_done;
	struct timespec progress;	/* when an event last matched */
	struct elf_interp fix;		/* portable: interpreter bytes to restore after the exec */
};

struct rtask {
	json_t *ev;			/* event of the call in progress */
	int kind;			/* what the exit hook does */
	int injected;			/* a recorded signal dios sent, not yet seen */
	bool exec_again;		/* portable: the exec, prepared, is made again */
};
enum { EX_RUN_REAL = 1, EX_EXEC, EX_SLEEP, EX_ANON_MAP, EX_RESTART };

static struct replay *
R(const struct module *m)
{
	return (struct replay *)m->state;
}

static struct rtask *
RT(struct task *t)
{
	if (t->mod == NULL)
		t->mod = calloc(1, sizeof(struct rtask));
	return t->mod;
}

static void
set_msg(struct replay *r, enum replay_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
set_msg(struct replay *r, enum replay_outcome o, const char *fmt, ...)
{
	va_list ap;

	if (r->outcome == RO_DIVERGED || r->outcome == RO_ERROR)
		return;		/* the first problem is the one reported */
	free(r->msg);
	va_start(ap, fmt);
	if (vasprintf(&r->msg, fmt, ap) < 0)
		r->msg = NULL;
	va_end(ap);
	r->outcome = o;
}

static enum verdict
fail(struct replay *r, struct kernel *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum verdict
fail(struct replay *r, struct kernel *k, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	set_msg(r, RO_ERROR, "%s", s ? s : "out of memory");
	free(s);
	k->stop = true;
	return V_STOP;
}

/* ptrace failed on t (it died under us, or worse): stop with the cause. */
static enum verdict
lost(struct replay *r, struct kernel *k, struct task *t, int e)
{
	return fail(r, k, "cannot control task %d: %s", t->tid, strerror(-e));
}

/* Reads the next event into r->next (or the footer), unless already there. */
static int
peek(struct replay *r)
{
	json_t *o;
	int e;

	if (r->next || r->eof)
		return 0;
	e = trace_read(r->conf.r, &o);
	if (e < 0)
		return e;
	if (e == 0) {
		r->eof = true;
		return 0;
	}
	if (blob_is_line(o)) {
		/* The cache has the content already (dios-replay stores it
		 * while checking the trace). */
		json_decref(o);
		return peek(r);
	}
	if (json_object_get(o, "end") || json_object_get(o, "aborted")) {
		r->footer = o;
		r->eof = true;
		return 0;
	}
	r->next = o;
	return 0;
}

static uint64_t
seq_of(const json_t *ev)
{
	return (uint64_t)json_int_or(ev, "seq", -1);
}

static void
append(char **s, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
append(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *add = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	char *t = realloc(*s, *len + (size_t)n + 1);
	if (t) {
		memcpy(t + *len, add, (size_t)n + 1);
		*s = t;
		*len += (size_t)n;
	}
	free(add);
}

/* Stops the run with a divergence report: what the recording expected
 * (ev, or none) and what the program did (c). */
static enum verdict
diverge(struct replay *r, struct kernel *k, struct task *t, const json_t *ev,
    const struct call *c, const char *why, const char *which)
{
	char want[1024], got[1024];
	char *s = NULL;
	size_t len = 0;

	if (ev)
		render_event(ev, 1, 64, want, sizeof want);
	else
		snprintf(want, sizeof want, "(the recording has no more calls)");
	if (c) {
		json_t *actual = event_new(0, t->vtid, c);
		render_event(actual, 0, 64, got, sizeof got);
		json_decref(actual);
	} else
		snprintf(got, sizeof got, "(none)");
	if (ev)
		append(&s, &len, "divergence at event %llu (task %d): %s\n",
		    (unsigned long long)seq_of(ev), (int)json_int_or(ev, "tid", t ? t->vtid : 0), why);
	else
		append(&s, &len, "divergence after the last event (%llu matched): %s\n",
		    (unsigned long long)r->matched, why);
	append(&s, &len, "  expected: %s\n  actual:   %s\n", want, got);
	if (which)
		append(&s, &len, "  differs in: %s\n", which);
	if (r->ring[0]) {
		append(&s, &len, "  last matched events:\n");
		for (int i = RING - 1; i >= 0; i--) {
			if (r->ring[i] == NULL)
				continue;
			render_event(r->ring[i], 1, 32, want, sizeof want);
			append(&s, &len, "    #%llu %s\n", (unsigned long long)seq_of(r->ring[i]), want);
		}
	}
	if (len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	set_msg(r, RO_DIVERGED, "%s", s ? s : "divergence");
	free(s);
	k->stop = true;
	return V_STOP;
}

/* Moves r->next into the ring of matched events; returns it (borrowed). */
static json_t *
take(struct replay *r)
{
	json_t *ev = r->next;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
	if (r->conf.log) {
		char line[1024];
		render_event(ev, 1, 32, line, sizeof line);
		fprintf(r->conf.log, "[%lld] #%lld %s\n", (long long)json_int_or(ev, "tid", 0),
		    (long long)json_int_or(ev, "seq", 0), line);
	}

	r->next = NULL;
	json_decref(r->ring[RING - 1]);
	memmove(r->ring + 1, r->ring, (RING - 1) * sizeof r->ring[0]);
	r->ring[0] = ev;
	r->matched++;
	return ev;
}

static int
set_result(struct task *t, long ret)
{
	struct user_regs_struct regs;
	int e;

	if ((e = regs_get(t->tid, &regs)) < 0)
		return e;
	regs.rax = (uint64_t)ret;
	return regs_set(t->tid, &regs);
}

/* Shows again what the program wrote to the stdout/stderr it was given:
 * the bytes of a write, or the "data" record kept for a copy. */
static void
echo_output(struct replay *r, const struct call *c, const json_t *out, long ret)
{
	const json_t *buf;
	int fd;
	void *b;
	size_t len;

	if (r->conf.quiet || ret <= 0)
		return;
	switch (c->nr) {
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
		fd = (int)c->a[0];
		buf = json_object_get(c->args, c->sc->args[1].name);
		break;
	case SYS_copy_file_range: case SYS_sendfile:
		fd = (int)c->a[c->nr == SYS_copy_file_range ? 2 : 0];
		buf = out ? json_object_get(out, "data") : NULL;
		break;
	default:
		return;
	}
	if (fd < 0 || fd >= MAX_FD || r->stdio[fd] == 0 || buf == NULL ||
	    json_get_bytes(buf, &b, &len) < 0)
		return;
	if ((size_t)ret < len)
		len = (size_t)ret;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(r->stdio[fd], (char *)b + off, len - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	free(b);
}

/* Descriptor table bookkeeping for the calls that change it. */
static void
note_fds(struct replay *r, const struct call *c, long ret)
{
	int a0 = (int)c->a[0];
	bool dup = c->nr == SYS_dup || c->nr == SYS_dup2 || c->nr == SYS_dup3 ||
	    (c->nr == SYS_fcntl && (c->a[1] == F_DUPFD || c->a[1] == F_DUPFD_CLOEXEC));

	if (ret < 0)
		return;
	if ((c->sc && (c->sc->flags & SC_NEWFD)) && ret < MAX_FD) {
		r->stdio[ret] = 0;
	} else if (c->nr == SYS_close && a0 >= 0 && a0 < MAX_FD) {
		r->stdio[a0] = 0;
	} else if (c->nr == SYS_close_range) {
		for (uint64_t fd = c->a[0]; fd <= c->a[1] && fd < MAX_FD; fd++)
			if (!(c->a[2] & 4 /* CLOSE_RANGE_CLOEXEC */))
				r->stdio[fd] = 0;
	} else if (dup && a0 >= 0 && a0 < MAX_FD && ret < MAX_FD) {
		r->stdio[ret] = r->stdio[a0];
	}
}

static bool
wants_cloexec(const struct call *c)
{
	const json_t *how = json_object_get(c->args, "how");

	if (json_int_or(c->args, "flags", 0) & O_CLOEXEC)
		return true;
	return how && (json_int_or(how, "flags", 0) & O_CLOEXEC);
}

/* A new descriptor: a /dev/null placeholder at the recorded number keeps
 * the real table a mirror of the recorded one. */
static enum verdict
placeholder(struct replay *r, struct kernel *k, struct task *t, long ret)
{
	struct user_regs_struct saved;
	uint64_t path, args[6] = { 0 };
	long got;
	int e;

	if ((e = regs_get(t->tid, &saved)) < 0 ||
	    (e = scratch_put(t->tid, t->call.sp, "/dev/null", 10, &path)) < 0)
		return lost(r, k, t, e);
	args[0] = (uint64_t)AT_FDCWD;
	args[1] = path;
	args[2] = O_RDWR | (wants_cloexec(&t->call) ? O_CLOEXEC : 0);
	if ((e = remote_syscall_at_entry(t->tid, SYS_openat, args, &got)) < 0)
		return lost(r, k, t, e);
	if (got != ret) {
		if (got >= 0) {
			uint64_t a2[6] = { (uint64_t)got };
			long ignored;
			remote_syscall_again(t->tid, &saved, SYS_close, a2, &ignored);
		}
		return fail(r, k, "the descriptor table is out of step with the recording: "
		    "%s returned %ld when recorded but the next free descriptor is now %ld",
		    t->call.sc->name, ret, got);
	}
	if ((e = remote_finish(t->tid, &saved, ret)) < 0)
		return lost(r, k, t, e);
	note_fds(r, &t->call, ret);
	return V_RESUME;
}

static enum verdict map_path(struct replay *r, struct kernel *k, struct task *t,
    const char *path, const char *shown);

/* mmap of a file: map the same host file, read-only and private, after
 * checking it is the file that was mapped when recording; for a portable
 * trace, the cached copy of its recorded content instead. */
static enum verdict
map_file(struct replay *r, struct kernel *k, struct task *t, const json_t *map, long ret)
{
	const char *path = json_string_value(json_object_get(map, "path"));
	char *cached = NULL;
	enum verdict v;
	int e;

	if (path == NULL)
		return fail(r, k, "event %llu: \"map\" has no path", (unsigned long long)r->matched);
	if (r->conf.bs) {
		/* Portable: the recorded content, from the cache. */
		if ((e = blobstore_get(r->conf.bs, map, &cached)) < 0)
			return fail(r, k, "the content of %s, mapped when recording, is %s", path,
			    e == -ENOENT ? "missing from the trace and the cache" :
			    e == -ESTALE ? "damaged in the cache (remove the cache's copy and replay again)" :
			    strerror(-e));
		v = map_path(r, k, t, cached, path);
		free(cached);
		return v;
	}
	e = fileid_verify(map);
	if (e == -ENOENT)
		return fail(r, k, "%s, mapped by the program when recording, is gone from this host "
		    "(record with the file present, or restore it)", path);
	if (e == -ESTALE)
		return fail(r, k, "%s differs from the file mapped when recording (size or SHA-256): "
		    "replay needs the same file", path);
	if (e < 0)
		return fail(r, k, "cannot check %s: %s", path, strerror(-e));
	return map_path(r, k, t, path, path);
}

/* Maps the file at path (named shown in messages) as the call asks, but
 * read-only and private, and gives the program the address. */
static enum verdict
map_path(struct replay *r, struct kernel *k, struct task *t, const char *path, const char *shown)
{
	struct user_regs_struct saved;
	uint64_t spath, a[6] = { 0 };
	long fd, addr;
	int e;

	if ((e = regs_get(t->tid, &saved)) < 0 ||
	    (e = scratch_put(t->tid, t->call.sp, path, strlen(path) + 1, &spath)) < 0)
		return lost(r, k, t, e);
	a[0] = (uint64_t)AT_FDCWD;
	a[1] = spath;
	a[2] = O_RDONLY | O_CLOEXEC;
	if ((e = remote_syscall_at_entry(t->tid, SYS_openat, a, &fd)) < 0)
		return lost(r, k, t, e);
	if (fd < 0)
		return fail(r, k, "cannot open %s to map it: %s", shown, strerror((int)-fd));
	memcpy(a, t->call.a, sizeof a);
	if ((a[3] & MAP_TYPE) != MAP_PRIVATE)
		a[3] = (a[3] & ~(uint64_t)MAP_TYPE) | MAP_PRIVATE;
	a[4] = (uint64_t)fd;
	if ((e = remote_syscall_again(t->tid, &saved, SYS_mmap, a, &addr)) < 0)
		return lost(r, k, t, e);
	uint64_t c[6] = { (uint64_t)fd };
	long ignored;
	if ((e = remote_syscall_again(t->tid, &saved, SYS_close, c, &ignored)) < 0)
		return lost(r, k, t, e);
	if (addr < 0 && addr > -4096)
		return fail(r, k, "mapping %s failed in replay: %s (it worked when recording)",
		    shown, strerror((int)-addr));
	if ((e = remote_finish(t->tid, &saved, addr)) < 0)
		return lost(r, k, t, e);
	return V_RESUME;
}

/* Sends sig to t before its current call, which runs again afterwards: a
 * signal recorded at this boundary is delivered at the same boundary
 * (DESIGN.md, "Sources of nondeterminism"). */
static enum verdict
signal_before_call(struct replay *r, struct kernel *k, struct task *t, int sig)
{
	struct user_regs_struct regs;
	int e;

	if ((e = regs_get(t->tid, &regs)) < 0)
		return lost(r, k, t, e);
	regs.rax = regs.orig_rax;
	regs.orig_rax = (uint64_t)-1;
	regs.rip -= 2;
	if ((e = regs_set(t->tid, &regs)) < 0)
		return lost(r, k, t, e);
	RT(t)->injected = sig;
	syscall(SYS_tgkill, k->root, t->tid, sig);
	return V_RESUME;
}

static enum verdict
deliver_signal(struct replay *r, struct kernel *k, struct task *t, json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "sig"));
	int sig = name ? signal_from_name(name) : -1;

	if (sig <= 0)
		return fail(r, k, "event %llu: unknown signal %s", (unsigned long long)seq_of(ev),
		    name ? name : "(none)");
	take(r);
	return signal_before_call(r, k, t, sig);
}

/* A signal that reached the task right after its call when recording comes
 * next in the trace: send it now, so it arrives at the same boundary (for a
 * call interrupted with -ERESTART*, the kernel then applies the same restart
 * rules; for EPIPE, the same SIGPIPE). */
static void
signal_after_call(struct replay *r, struct kernel *k, struct task *t)
{
	const char *name;
	int sig;

	if (peek(r) < 0 || r->next == NULL)
		return;
	name = json_string_value(json_object_get(r->next, "sig"));
	if (name == NULL || json_int_or(r->next, "tid", -1) != t->vtid ||
	    (sig = signal_from_name(name)) <= 0)
		return;
	take(r);
	RT(t)->injected = sig;
	syscall(SYS_tgkill, k->root, t->tid, sig);
}

/* Portable: the exec runs the cache's copy of the recorded executable
 * (blobstore_exec_copy).  Its interpreter is /proc/self/fd/N: the cached
 * loader, opened in the task at N (close-on-exec, so it is gone once the
 * kernel has loaded it).  The task then makes the call again, with the new
 * path, and replay_exec gives back the original interpreter bytes. */
static enum verdict
exec_portable(struct replay *r, struct kernel *k, struct task *t, const json_t *ev)
{
	const json_t *exe = json_object_get(ev, "exe"), *interp = json_object_get(ev, "interp");
	const char *shown = json_string_value(json_object_get(exe, "path")), *name;
	struct call *c = &t->call;
	struct user_regs_struct saved, regs;
	char *bin = NULL, *ld = NULL, *copy = NULL;
	uint64_t a[6] = { 0 }, addr;
	long fd = -1, nfd = -1, ignored;
	enum verdict v = V_RESUME;
	int e;

	if (shown == NULL)
		return fail(r, k, "event %llu: the exec has no \"exe\"", (unsigned long long)seq_of(ev));
	if ((e = blobstore_get(r->conf.bs, exe, &bin)) < 0 ||
	    (json_is_object(interp) && (e = blobstore_get(r->conf.bs, interp, &ld)) < 0)) {
		free(bin);
		return fail(r, k, "the content of %s, executed when recording, is %s",
		    json_string_value(json_object_get(ld || !bin ? exe : interp, "path")),
		    e == -ENOENT ? "missing from the trace and the cache" : strerror(-e));
	}
	if ((e = regs_get(t->tid, &saved)) < 0)
		goto lost;
	if (ld) {
		if ((e = scratch_put(t->tid, c->sp, ld, strlen(ld) + 1, &addr)) < 0)
			goto lost;
		a[0] = (uint64_t)AT_FDCWD;
		a[1] = addr;
		a[2] = O_RDONLY | O_CLOEXEC;
		if ((e = remote_syscall_at_entry(t->tid, SYS_openat, a, &fd)) < 0)
			goto lost;
		if (fd >= 0) {
			uint64_t d[6] = { (uint64_t)fd, F_DUPFD_CLOEXEC, 900 }, cl[6] = { (uint64_t)fd };
			if ((e = remote_syscall_again(t->tid, &saved, SYS_fcntl, d, &nfd)) < 0 ||
			    (e = remote_syscall_again(t->tid, &saved, SYS_close, cl, &ignored)) < 0)
				goto lost;
		}
		if (fd < 0 || nfd < 0) {
			v = fail(r, k, "cannot open the cached loader %s in the program: %s", ld,
			    strerror((int)-(fd < 0 ? fd : nfd)));
			goto out;
		}
	}
	name = strrchr(shown, '/') ? strrchr(shown, '/') + 1 : shown;
	elf_interp_free(&r->fix);
	if ((e = blobstore_exec_copy(r->conf.bs, bin, json_string_value(json_object_get(exe, "sha256")),
	    name[0] ? name : "exe", ld ? (int)nfd : -1, &copy, &r->fix)) < 0) {
		v = fail(r, k, "cannot make the copy of %s to execute in the cache: %s", shown,
		    strerror(-e));
		goto out;
	}
	if ((e = scratch_put(t->tid, c->sp, copy, strlen(copy) + 1, &addr)) < 0)
		goto lost;
	regs = saved;
	if (c->nr == SYS_execveat) {
		regs.rdi = (uint64_t)AT_FDCWD;
		regs.rsi = addr;
	} else
		regs.rdi = addr;
	if (ld) {
		/* At the exit of the injected calls: back onto the syscall
		 * instruction, to make the exec again. */
		regs.rip = saved.rip - 2;
		regs.rax = regs.orig_rax;
		RT(t)->exec_again = true;
	} else
		v = V_EXIT_STOP;
	if ((e = regs_set(t->tid, &regs)) < 0)
		goto lost;
	RT(t)->kind = EX_EXEC;
out:
	free(bin);
	free(ld);
	free(copy);
	return v;
lost:
	free(bin);
	free(ld);
	free(copy);
	return lost(r, k, t, e);
}

static enum verdict
replay_enter(struct module *m, struct kernel *k, struct task *t)
{
	struct replay *r = R(m);
	struct call *c = &t->call;
	const char *name, *which;
	char nb[32];
	json_t *ev;
	long ret;
	int ok, e;

	if (t->mod && RT(t)->exec_again) {
		/* exec_portable prepared this exec: let it run. */
		RT(t)->exec_again = false;
		return V_EXIT_STOP;
	}

	if ((e = peek(r)) < 0)
		return fail(r, k, "reading the trace failed at line %llu: %s",
		    (unsigned long long)trace_reader_line(r->conf.r),
		    e == -EBADMSG ? trace_reader_error(r->conf.r) : strerror(-e));
	if (capture_entry(t, c) < 0) {
		json_decref(c->args);
		c->args = json_object();
	}
	ev = r->next;
	if (ev && json_is_string(json_object_get(ev, "event")) &&
	    !strcmp(json_string_value(json_object_get(ev, "event")), "signal"))
		return deliver_signal(r, k, t, ev);
	if (ev == NULL && r->footer) {
		/* Killed where no stop shows it (SIGKILL): the same here. */
		const char *sn = json_string_value(json_object_get(json_object_get(r->footer, "end"), "signal"));
		int sig = sn ? signal_from_name(sn) : -1;
		if (sig == SIGKILL)
			return signal_before_call(r, k, t, sig);
	}
	if (ev == NULL) {
		if (trace_reader_truncated(r->conf.r) || r->footer == NULL) {
			set_msg(r, RO_CUT_SHORT, "the recording was cut short after %llu events; "
			    "replay matched all of them and stopped there", (unsigned long long)r->matched);
			k->stop = true;
			return V_STOP;
		}
		return diverge(r, k, t, NULL, c, "the program made a call after the end of the recording", NULL);
	}
	name = json_string_value(json_object_get(ev, "sys"));
	if (name == NULL)
		return fail(r, k, "event %llu: not a system call event", (unsigned long long)seq_of(ev));
	if (strcmp(name, sc_any_name(c->nr, nb)) != 0)
		return diverge(r, k, t, ev, c, "the program made another call", NULL);
	if (json_is_true(json_object_get(ev, "unknown")))
		return fail(r, k, "event %llu: the recording has a call of %s, which dios does not "
		    "know; it cannot be replayed (the trace is marked incomplete)",
		    (unsigned long long)seq_of(ev), name);
	if (args_compare(c->sc, json_object_get(ev, "args"), c->args, &which))
		return diverge(r, k, t, ev, c, "the program made the same call with other inputs", which);
	ret = event_result(ev, &ok);
	if (!ok)
		return fail(r, k, "event %llu: no \"ret\" or \"err\"", (unsigned long long)seq_of(ev));
	ev = take(r);

	const struct sc_desc *sc = c->sc;
	struct rtask *rt = RT(t);
	enum replay_mode mode = (sc->flags & SC_RUN_REAL) ? RM_RUN_REAL : RM_EMULATE;
	if (sc->fam && sc->fam->mode)
		mode = sc->fam->mode(c);
	json_decref(rt->ev);
	rt->ev = json_incref(ev);
	rt->kind = 0;

	if ((sc->flags & SC_EXEC) && ret >= 0 && r->conf.bs)
		return exec_portable(r, k, t, ev);
	if ((sc->flags & SC_EXEC) && ret >= 0) {
		const char *abs = json_string_value(json_object_get(ev, "path_abs"));
		if (abs) {
			/* A relative path, recorded with its directory: exec
			 * the same file whatever directory replay runs in. */
			struct user_regs_struct regs = c->regs;
			uint64_t addr;
			if ((e = scratch_put(t->tid, c->sp, abs, strlen(abs) + 1, &addr)) < 0)
				return lost(r, k, t, e);
			if (c->nr == SYS_execveat) {
				regs.rdi = (uint64_t)AT_FDCWD;
				regs.rsi = addr;
			} else
				regs.rdi = addr;
			if ((e = regs_set(t->tid, &regs)) < 0)
				return lost(r, k, t, e);
		}
		rt->kind = EX_EXEC;
		return V_EXIT_STOP;
	}
	if ((sc->flags & SC_MAP) && ret >= 0) {
		const json_t *map = json_object_get(ev, "map");
		if (map)
			return map_file(r, k, t, map, ret);
		rt->kind = EX_ANON_MAP;
		return V_EXIT_STOP;
	}
	if ((sc->flags & SC_NEWFD) && ret >= 0)
		return placeholder(r, k, t, ret);
	if (mode == RM_RUN_REAL) {
		rt->kind = EX_RUN_REAL;
		return V_EXIT_STOP;
	}
	if ((sc->flags & SC_SLEEP) && r->conf.realtime) {
		rt->kind = EX_SLEEP;
		return V_EXIT_STOP;
	}
	if (ret <= -512 && ret >= -516) {
		/* Interrupted by a signal (-ERESTART*): the kernel applies its
		 * restart rules only to a call that ran, so run a harmless one
		 * in its place and give it this result at its exit. */
		struct user_regs_struct regs = c->regs;
		regs.orig_rax = SYS_getppid;
		if ((e = regs_set(t->tid, &regs)) < 0)
			return lost(r, k, t, e);
		rt->kind = EX_RESTART;
		return V_EXIT_STOP;
	}
	if ((e = call_skip(t->tid, &c->regs, ret)) < 0)
		return lost(r, k, t, e);
	if ((e = inject_out(t, c, json_object_get(ev, "out"), ret)) < 0)
		return fail(r, k, "event %llu: cannot give the program the recorded outputs of %s: %s",
		    (unsigned long long)seq_of(ev), name,
		    e == -EINVAL ? "they do not fit its buffers (was the trace edited?)" : strerror(-e));
	echo_output(r, c, json_object_get(ev, "out"), ret);
	signal_after_call(r, k, t);
	return V_RESUME;
}

static int
replay_exit(struct module *m, struct kernel *k, struct task *t)
{
	struct replay *r = R(m);
	struct rtask *rt = RT(t);
	struct call *c = &t->call;
	int ok, e = 0;
	long ret = event_result(rt->ev, &ok);

	switch (rt->kind) {
	case EX_RUN_REAL:
		if (c->ret != ret) {
			char want[512];
			render_event(rt->ev, 1, 32, want, sizeof want);
			fail(r, k, "the descriptor table is out of step with the recording at event %llu: "
			    "%s returned %ld in replay (%s)", (unsigned long long)seq_of(rt->ev), want,
			    c->ret, c->ret < 0 ? strerror((int)-c->ret) : "ok");
			return 0;
		}
		note_fds(r, c, ret);
		break;
	case EX_SLEEP:
		e = set_result(t, ret);
		if (e == 0)
			e = inject_out(t, c, json_object_get(rt->ev, "out"), ret);
		break;
	case EX_RESTART: {
		struct user_regs_struct regs;
		if ((e = regs_get(t->tid, &regs)) < 0)
			break;
		regs.orig_rax = (uint64_t)c->nr;
		regs.rax = (uint64_t)ret;
		e = regs_set(t->tid, &regs);
		break;
	}
	case EX_EXEC:
		if (c->ret < 0 && r->conf.bs)
			fail(r, k, "executing the cache's copy of %s failed: %s%s",
			    json_string_value(json_object_get(json_object_get(rt->ev, "exe"), "path")),
			    strerror((int)-c->ret), c->ret == -EACCES ? " (is the cache on a file system "
			    "mounted noexec? set XDG_CACHE_HOME to a directory where programs may run)" : "");
		break;
	case EX_ANON_MAP:
	default:
		break;
	}
	json_decref(rt->ev);
	rt->ev = NULL;
	call_reset(c);
	if (e == 0 && !k->stop)
		signal_after_call(r, k, t);
	return e;
}

static int
put_at_random(struct task *t, const json_t *rnd)
{
	uint64_t addr;
	void *b;
	size_t n;
	int e;

	if (rnd == NULL || json_is_null(rnd))
		return 0;
	if ((e = json_get_bytes(rnd, &b, &n)) < 0)
		return e;
	if ((e = auxv_get(t->tid, AT_RANDOM, &addr)) == 0 && n == 16)
		e = mem_write(t->tid, addr, b, n);
	free(b);
	return e;
}

/* Portable: the program's copy of the executable names the cached loader
 * as its interpreter; write the recorded bytes back where the program sees
 * them, before any of its code runs. */
static int
give_back_interp(pid_t tid, const struct elf_interp *ei)
{
	uint64_t entry;
	int e;

	if (ei == NULL || ei->orig == NULL || !ei->loaded)
		return 0;
	if ((e = auxv_get(tid, AT_ENTRY, &entry)) < 0)
		return e;
	return mem_write(tid, entry - ei->entry + ei->vaddr, ei->orig, ei->len);
}

static int
replay_exec(struct module *m, struct kernel *k, struct task *t)
{
	struct replay *r = R(m);
	const json_t *rnd;
	int e;

	if ((e = vdso_patch(t->tid)) < 0)
		return e;
	if (!r->first_exec_done) {
		r->first_exec_done = true;
		rnd = json_object_get(r->conf.header, "at_random");
		if ((e = give_back_interp(t->tid, r->conf.first_fix)) < 0)
			return e;
	} else if (r->conf.bs) {
		struct rtask *rt = RT(t);
		rnd = rt->ev ? json_object_get(rt->ev, "at_random") : NULL;
		e = give_back_interp(t->tid, &r->fix);
		elf_interp_free(&r->fix);
		if (e < 0)
			return e;
	} else {
		struct rtask *rt = RT(t);
		const json_t *exe = rt->ev ? json_object_get(rt->ev, "exe") : NULL;
		if (exe && (e = fileid_verify(exe)) < 0) {
			fail(r, k, "%s, executed by the program when recording, %s",
			    json_string_value(json_object_get(exe, "path")),
			    e == -ESTALE ? "differs from the recorded file" : "is gone from this host");
			return 0;
		}
		rnd = rt->ev ? json_object_get(rt->ev, "at_random") : NULL;
	}
	return put_at_random(t, rnd);
}

/* A signal reaches the task: one dios sent from the trace, or one the
 * program raised itself again (a crash): the latter matches the recorded
 * signal event.  Others (the user's Ctrl-C) are delivered as they come. */
static int
signal_seen(struct replay *r, struct task *t, int sig)
{
	struct rtask *rt = RT(t);
	const char *name;

	if (rt->injected == sig) {
		rt->injected = 0;
		return sig;
	}
	if (peek(r) == 0 && r->next && json_int_or(r->next, "tid", -1) == t->vtid &&
	    (name = json_string_value(json_object_get(r->next, "sig"))) != NULL &&
	    signal_from_name(name) == sig)
		take(r);
	return sig;
}

/* A read of the time-stamp counter (SIGSEGV on rdtsc, see tsc.h) is
 * answered with the next event, which must be that read. */
static int
replay_signal(struct module *m, struct kernel *k, struct task *t, int sig)
{
	struct replay *r = R(m);
	struct user_regs_struct regs;
	const char *what;
	bool rdtscp;
	int len;

	if (sig != SIGSEGV || regs_get(t->tid, &regs) < 0 ||
	    (len = tsc_insn(t->tid, &regs, &rdtscp)) == 0)
		return signal_seen(r, t, sig);
	if (peek(r) < 0 || r->next == NULL ||
	    (what = json_string_value(json_object_get(r->next, "event"))) == NULL ||
	    strcmp(what, rdtscp ? "rdtscp" : "rdtsc") != 0) {
		char want[512];
		if (r->next)
			render_event(r->next, 1, 64, want, sizeof want);
		set_msg(r, RO_DIVERGED, "divergence at event %llu (task %d): the program read the "
		    "time-stamp counter (%s)\n  expected: %s", r->next ? (unsigned long long)seq_of(r->next) :
		    (unsigned long long)r->matched, t->vtid, rdtscp ? "rdtscp" : "rdtsc",
		    r->next ? want : "(the recording has no more events)");
		k->stop = true;
		return 0;
	}
	json_t *ev = take(r);
	tsc_complete(&regs, len, (uint64_t)json_int_or(ev, "value", 0), (uint32_t)json_int_or(ev, "aux", 0));
	if (regs_set(t->tid, &regs) < 0)
		return sig;
	return 0;
}

struct module *
replay_new(const struct replay_conf *conf)
{
	struct replay *r = calloc(1, sizeof *r);
	const json_t *fds;
	size_t i;
	json_t *v;

	if (r == NULL)
		return NULL;
	r->conf = *conf;
	r->outcome = RO_RUNNING;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
	fds = json_object_get(conf->header, "fds");
	json_array_foreach(fds, i, v) {
		json_int_t fd = json_integer_value(v);
		if (fd == 1 || fd == 2)
			r->stdio[fd] = (unsigned char)fd;
	}
	r->mod.name = "replay";
	r->mod.enter = replay_enter;
	r->mod.exit = replay_exit;
	r->mod.exec = replay_exec;
	r->mod.signal = replay_signal;
	r->mod.state = r;
	return &r->mod;
}

/* True when the task is on a CPU or waiting for one (state R), as opposed to
 * blocked in a call dios does not see. */
static bool
task_running(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'R';
}

int
replay_tick(struct module *m, struct kernel *k)
{
	struct replay *r = R(m);
	struct timespec now;
	char want[1024];

	if (r->conf.timeout == 0 || r->outcome != RO_RUNNING)
		return 0;
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->state == TS_IN_CALL || task_running(t->tid)) {
			/* a call runs for real (a --realtime sleep), or the
			 * program computes: that is progress */
			clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
			return 0;
		}
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (r->progress.tv_sec == 0 || now.tv_sec - r->progress.tv_sec < (time_t)r->conf.timeout)
		return 0;
	if (peek(r) == 0 && r->next)
		render_event(r->next, 1, 64, want, sizeof want);
	else
		snprintf(want, sizeof want, "(the end of the recording)");
	set_msg(r, RO_DIVERGED, "divergence: no progress for %u seconds: the program made no "
	    "intercepted call since event %llu\n  expected next: %s\n  (raise --timeout if the "
	    "program computes this long between calls)", r->conf.timeout,
	    r->ring[0] ? (unsigned long long)seq_of(r->ring[0]) : 0ULL, want);
	k->stop = true;
	return 0;
}

uint64_t
replay_matched(const struct module *m)
{
	return R(m)->matched;
}

enum replay_outcome
replay_outcome(struct module *m, const struct kernel *k, const char **msg)
{
	struct replay *r = R(m);
	const json_t *end;
	char sb[16];
	int e;

	if (r->outcome == RO_RUNNING && k->root_done) {
		if ((e = peek(r)) < 0) {
			set_msg(r, RO_ERROR, "reading the trace failed at line %llu: %s",
			    (unsigned long long)trace_reader_line(r->conf.r),
			    e == -EBADMSG ? trace_reader_error(r->conf.r) : strerror(-e));
		} else if (r->next) {
			char want[1024];
			render_event(r->next, 1, 64, want, sizeof want);
			set_msg(r, RO_DIVERGED, "divergence at event %llu: the program ended (status %d) "
			    "but the recording goes on\n  expected: %s", (unsigned long long)seq_of(r->next),
			    status_to_exit(k->root_status), want);
		} else if (r->footer == NULL) {
			set_msg(r, RO_CUT_SHORT, "the recording was cut short after %llu events; replay "
			    "matched all of them", (unsigned long long)r->matched);
		} else {
			end = json_object_get(r->footer, "end");
			int want = -1;
			const char *wsig = json_string_value(json_object_get(end, "signal"));
			if (json_is_integer(json_object_get(end, "exit")))
				want = (int)json_integer_value(json_object_get(end, "exit"));
			else if (wsig)
				want = 128 + signal_from_name(wsig);
			if (want >= 0 && want != status_to_exit(k->root_status)) {
				set_msg(r, RO_DIVERGED, "divergence at the end: the program ended with status %d "
				    "(%s) but the recording ended with %d%s%s%s", status_to_exit(k->root_status),
				    WIFSIGNALED(k->root_status) ? signal_name(WTERMSIG(k->root_status), sb) : "exit",
				    want, wsig ? " (" : "", wsig ? wsig : "", wsig ? ")" : "");
			} else
				r->outcome = RO_MATCHED;
		}
	} else if (r->outcome == RO_RUNNING)
		set_msg(r, RO_ERROR, "the replay stopped before the program ended");
	*msg = r->msg;
	return r->outcome;
}

void
replay_free(struct module *m)
{
	struct replay *r;

	if (m == NULL)
		return;
	r = R(m);
	json_decref(r->next);
	json_decref(r->footer);
	elf_interp_free(&r->fix);
	for (int i = 0; i < RING; i++)
		json_decref(r->ring[i]);
	free(r->msg);
	free(r);
}
