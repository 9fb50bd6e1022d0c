/* replay.c: the replay module: match each intercepted call with the next
 * event of the trace, answer it from there, and stop at the first
 * difference.  See DESIGN.md, "Replay rules". */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <elf.h>
#include "trace/bytes.h"
#include "sys/capture.h"
#include "sys/family.h"
#include "trace/fileid.h"
#include "inspect/render.h"
#include "kernel/tracee.h"
#include "kernel/tsc.h"
#include "kernel/vdso.h"
#include "sys/xlat.h"
#include "replay/replay.h"

#define RING 5
#define AHEAD 64		/* events read ahead to find a task's signal */
#define MAX_FD 4096

#define PENDING_MAX 64

/* Which descriptors of a process show the recording's stdout/stderr (1 or
 * 2; 0: none).  Shared by the threads of a process (CLONE_FILES), copied at
 * fork.
 * pending: descriptors the program has in the recording whose placeholder is
 * not made yet.  Only calls that run for real can tell (close, dup2, exec,
 * fork, mmap of a descriptor...), so a table used by one task makes a
 * placeholder only before such a call (materialize), and a descriptor
 * opened and closed between two of them costs no real call at all. */
struct fdtab {
	int refs;
	unsigned char stdio[MAX_FD];
	int npending;
	struct { int fd; bool cloexec; } pending[PENDING_MAX];
};

/* The ids the program knew (vtid) and the real ones, for every task of the
 * run: wait4 and kill name tasks that may be gone from the task table. */
struct idmap {
	pid_t vtid, tid;
};

struct replay {
	struct module mod;
	struct replay_conf conf;
	json_t *next;			/* the next event, read ahead */
	json_t *ahead[AHEAD];		/* the events after it, read when looked for */
	size_t nahead;
	json_t *footer;			/* the last line, once read */
	bool eof;			/* the reader has no more events */
	json_t *ring[RING];		/* the last matched events */
	uint64_t matched;
	enum replay_outcome outcome;
	char *msg;
	struct fdtab *root_fds;		/* the root's table, from the header */
	struct idmap *ids;		/* every task of the run */
	size_t nids, maxids;
	pid_t *dead;			/* tasks gone whose exit event is still ahead */
	size_t ndead, maxdead;
	bool first_exec_done;
	struct timespec progress;	/* when an event last matched */
	struct elf_interp fix;		/* portable: interpreter bytes to restore after the exec */
	bool gated;			/* conf.gate was called */
};

struct rtask {
	json_t *ev;			/* event of the call in progress */
	int kind;			/* what the exit hook does */
	int injected;			/* a recorded signal dios sent, not yet seen */
	bool restart;			/* a real call was interrupted and runs again */
	long restart_nr;
	long real;			/* EX_WAIT, EX_KILL: the real id expected */
	struct fdtab *fds;
	pid_t vpid;			/* the recorded id of its process (0: the root's) */
	/* new tasks: the tid pointers to give the recorded id (CLONE_*SETTID) */
	uint64_t ctid_addr;
	struct user_regs_struct orig;	/* registers at entry, restored after a rewritten call */
	bool exit_taken;		/* its exit event is consumed (a recorded SIGKILL) */
	bool exec_again;		/* portable: the exec, prepared, is made again */
};
enum { EX_RUN_REAL = 1, EX_EXEC, EX_SLEEP, EX_ANON_MAP, EX_RESTART, EX_CLONE, EX_KEEP, EX_WAIT };

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

static struct rtask empty_rtask;

/* The task's state, allocated on first use; the root takes the header's
 * descriptor table. */
static struct rtask *
RTR(struct replay *r, struct task *t)
{
	struct rtask *rt = RT(t);

	if (rt == NULL)
		return &empty_rtask;
	if (rt->fds == NULL && r->root_fds) {
		rt->fds = r->root_fds;
		rt->fds->refs++;
	}
	return rt;
}

static unsigned char *
stdio_of(struct replay *r, struct task *t)
{
	struct rtask *rt = RTR(r, t);

	return rt->fds ? rt->fds->stdio : NULL;
}

static void
fdtab_put(struct fdtab *f)
{
	if (f && --f->refs == 0)
		free(f);
}

static int
id_add(struct replay *r, pid_t vtid, pid_t tid)
{
	if (r->nids == r->maxids) {
		size_t n = r->maxids ? 2 * r->maxids : 16;
		struct idmap *p = realloc(r->ids, n * sizeof *p);
		if (p == NULL)
			return -ENOMEM;
		r->ids = p;
		r->maxids = n;
	}
	r->ids[r->nids].vtid = vtid;
	r->ids[r->nids].tid = tid;
	r->nids++;
	return 0;
}

/* The real id of recorded id v (the newest task that had it), or 0. */
static pid_t
id_real(const struct replay *r, pid_t v)
{
	for (size_t i = r->nids; i-- > 0;)
		if (r->ids[i].vtid == v)
			return r->ids[i].tid;
	return 0;
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

/* Reads one event from the trace into *o (NULL at the end, after which
 * r->footer holds the last line when there is one). */
static int
read_event(struct replay *r, json_t **o)
{
	int e;

	*o = NULL;
	while (!r->eof) {
		if ((e = trace_read(r->conf.r, o)) < 0)
			return e;
		if (e == 0) {
			r->eof = true;
			break;
		}
		if (blob_is_line(*o)) {
			/* The cache has the content already (dios-replay
			 * stores it while checking the trace). */
			json_decref(*o);
			*o = NULL;
			continue;
		}
		if (json_object_get(*o, "end") || json_object_get(*o, "aborted")) {
			r->footer = *o;
			*o = NULL;
			r->eof = true;
			break;
		}
		return 0;
	}
	return 0;
}

/* Reads the next event into r->next (or the footer), unless already there. */
static int
peek(struct replay *r)
{
	if (r->next)
		return 0;
	if (r->nahead) {
		r->next = r->ahead[0];
		memmove(r->ahead, r->ahead + 1, --r->nahead * sizeof r->ahead[0]);
		return 0;
	}
	return read_event(r, &r->next);
}

/* The event i places after r->next (0: the one right after it), read when
 * needed; NULL past the end of the trace or beyond AHEAD. */
static json_t *
look(struct replay *r, size_t i)
{
	if (peek(r) < 0 || r->next == NULL || i >= AHEAD)
		return NULL;
	while (r->nahead <= i) {
		json_t *o;

		if (read_event(r, &o) < 0 || o == NULL)
			return NULL;
		r->ahead[r->nahead++] = o;
	}
	return r->ahead[i];
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

/* Puts ev, just matched, into the ring of the last matched events. */
static json_t *
into_ring(struct replay *r, json_t *ev)
{
	clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
	if (r->conf.log) {
		char line[1024];
		render_event(ev, 1, 32, line, sizeof line);
		fprintf(r->conf.log, "[%lld] #%lld %s\n", (long long)json_int_or(ev, "tid", 0),
		    (long long)json_int_or(ev, "seq", 0), line);
	}

	json_decref(r->ring[RING - 1]);
	memmove(r->ring + 1, r->ring, (RING - 1) * sizeof r->ring[0]);
	r->ring[0] = ev;
	r->matched++;
	return ev;
}

/* Moves r->next into the ring of matched events; returns it (borrowed). */
static json_t *
take(struct replay *r)
{
	json_t *ev = r->next;

	r->next = NULL;
	return into_ring(r, ev);
}

/* Takes ahead[i] out of the order: an event matched before those in front
 * of it (a signal the task receives at its own boundary; see
 * signal_after_call).  Returns it (borrowed). */
static json_t *
take_ahead(struct replay *r, size_t i)
{
	json_t *ev = r->ahead[i];

	memmove(r->ahead + i, r->ahead + i + 1, (--r->nahead - i) * sizeof r->ahead[0]);
	return into_ring(r, ev);
}


/* "signal", "exit", "rdtsc"...: the kind of a task event; NULL for a call. */
static const char *
event_kind(const json_t *ev)
{
	return json_string_value(json_object_get(ev, "event"));
}

static pid_t
owner_of(const json_t *ev)
{
	return (pid_t)json_int_or(ev, "tid", -1);
}

static int
dead_add(struct replay *r, pid_t v)
{
	if (r->ndead == r->maxdead) {
		size_t n = r->maxdead ? 2 * r->maxdead : 16;
		pid_t *p = realloc(r->dead, n * sizeof *p);
		if (p == NULL)
			return -ENOMEM;
		r->dead = p;
		r->maxdead = n;
	}
	r->dead[r->ndead++] = v;
	return 0;
}

/* Removes v from the tasks gone; false when it is not there. */
static bool
dead_take(struct replay *r, pid_t v)
{
	for (size_t i = 0; i < r->ndead; i++)
		if (r->dead[i] == v) {
			r->dead[i] = r->dead[--r->ndead];
			return true;
		}
	return false;
}

/* Consumes the events at the head of the trace that need no task at a
 * stop: the exit of a task already gone, and a signal for a task running
 * native code (sent now, as it came when recording) or waiting for signals
 * in a call that runs for real (rt_sigsuspend...). */
static json_t *take(struct replay *r);
static void
advance(struct replay *r, struct kernel *k)
{
	while (peek(r) == 0 && r->next) {
		const char *kind = event_kind(r->next);
		pid_t v = owner_of(r->next);
		struct task *t;
		int sig;

		if (kind && !strcmp(kind, "exit") && dead_take(r, v)) {
			take(r);
			continue;
		}
		if (kind == NULL || strcmp(kind, "signal") != 0 ||
		    (t = task_find_vtid(k, v)) == NULL)
			return;
		if (!(t->state == TS_RUNNING ||
		    (t->state == TS_IN_CALL && t->call.sc && (t->call.sc->flags & SC_SIGWAIT))))
			return;
		if ((sig = signal_from_name(json_string_value(json_object_get(r->next, "sig")))) <= 0)
			return;
		take(r);
		RT(t)->injected = sig;
		syscall(SYS_tkill, t->tid, sig);
	}
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
 * the bytes of a write, or the "data" record kept for a copy.  The first
 * time, passes conf.gate first: -1 with the message in err when it fails. */
static int
echo_output(struct replay *r, const unsigned char *stdio, const struct call *c,
    const json_t *out, long ret, char *err, size_t errlen)
{
	const json_t *buf;
	int fd;
	void *b;
	size_t len;

	if (r->conf.quiet || ret <= 0)
		return 0;
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
		return 0;
	}
	if (fd < 0 || fd >= MAX_FD || stdio == NULL || stdio[fd] == 0 || buf == NULL)
		return 0;
	if (r->conf.gate && !r->gated) {
		r->gated = true;
		if (r->conf.gate(r->conf.gate_ctx, err, errlen) < 0)
			return -1;
		clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);	/* waiting is not the program's */
	}
	if (json_get_bytes(buf, &b, &len) < 0)
		return 0;
	if ((size_t)ret < len)
		len = (size_t)ret;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(stdio[fd], (char *)b + off, len - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	free(b);
	return 0;
}

/* Descriptor table bookkeeping for the calls that change it. */
static void
note_fds(unsigned char *stdio, const struct call *c, long ret)
{
	int a0 = (int)c->a[0];
	bool dup = c->nr == SYS_dup || c->nr == SYS_dup2 || c->nr == SYS_dup3 ||
	    (c->nr == SYS_fcntl && (c->a[1] == F_DUPFD || c->a[1] == F_DUPFD_CLOEXEC));

	if (ret < 0 || stdio == NULL)
		return;
	if ((c->sc && (c->sc->flags & SC_NEWFD)) && ret < MAX_FD) {
		stdio[ret] = 0;
	} else if (c->nr == SYS_close && a0 >= 0 && a0 < MAX_FD) {
		stdio[a0] = 0;
	} else if (c->nr == SYS_close_range) {
		for (uint64_t fd = c->a[0]; fd <= c->a[1] && fd < MAX_FD; fd++)
			if (!(c->a[2] & 4 /* CLOSE_RANGE_CLOEXEC */))
				stdio[fd] = 0;
	} else if (dup && a0 >= 0 && a0 < MAX_FD && ret < MAX_FD) {
		stdio[ret] = stdio[a0];
	}
}

static bool
wants_cloexec(const struct call *c)
{
	const json_t *how = json_object_get(c->args, "how");

	if (json_int_or(c->args, "flags", 0) & O_CLOEXEC)
		return true;
	if (c->sc && c->sc->cls == CLS_NET && (json_int_or(c->args, "type", 0) & SOCK_CLOEXEC))
		return true;	/* socket(): the flag rides on the type */
	return how && (json_int_or(how, "flags", 0) & O_CLOEXEC);
}

#define MAX_NEWFDS 256

static void signal_after_call(struct replay *r, struct kernel *k, struct task *t);

/* The descriptors the recorded call ev created (its family's list, or the
 * result of an SC_NEWFD row), into fds; their count. */
static int
new_fds(const struct call *c, const json_t *ev, long ret, int *fds, bool *cloexec)
{
	*cloexec = false;
	if (ret < 0 || c->sc == NULL)
		return 0;
	if (c->sc->fam && c->sc->fam->newfds)
		return c->sc->fam->newfds(c, ev, fds, MAX_NEWFDS, cloexec);
	if (!(c->sc->flags & SC_NEWFD))
		return 0;
	fds[0] = (int)ret;
	*cloexec = wants_cloexec(c);
	return 1;
}

/* Puts a /dev/null placeholder at each of the n numbers in fds (cloexec[i]:
 * close-on-exec) in t's real table; t is at the seccomp stop of its call
 * (registers saved) and ends at the exit stop of the last call made.  A
 * number still in use is an error (the mirror is out of step); a lower free
 * one is passed over with dup3.  V_RESUME when done. */
static enum verdict
put_placeholders(struct replay *r, struct kernel *k, struct task *t,
    const struct user_regs_struct *saved, const int *fds, const bool *cloexec, int n)
{
	uint64_t path, args[6] = { 0 };
	long got, ignored;
	int e;

	if ((e = scratch_put(t->tid, t->call.sp, "/dev/null", 10, &path)) < 0)
		return lost(r, k, t, e);
	for (int i = 0; i < n; i++) {
		args[0] = (uint64_t)AT_FDCWD;
		args[1] = path;
		args[2] = O_RDWR | (cloexec[i] ? O_CLOEXEC : 0);
		e = i == 0 ? remote_syscall_at_entry(t->tid, saved, SYS_openat, args, &got) :
		    remote_syscall_again(t->tid, saved, SYS_openat, args, &got);
		if (e < 0)
			return lost(r, k, t, e);
		if (got < 0)
			return fail(r, k, "cannot open /dev/null as the placeholder of descriptor %d "
			    "(%s): %s", fds[i], t->call.sc->name, strerror((int)-got));
		if (got == fds[i])
			continue;
		uint64_t a2[6] = { (uint64_t)got };
		if (got > fds[i]) {
			remote_syscall_again(t->tid, saved, SYS_close, a2, &ignored);
			return fail(r, k, "the descriptor table is out of step with the recording: "
			    "descriptor %d, made by the program when recording, is in use now "
			    "(at %s)", fds[i], t->call.sc->name);
		}
		uint64_t a3[6] = { (uint64_t)got, (uint64_t)fds[i], cloexec[i] ? O_CLOEXEC : 0 };
		long moved;
		if ((e = remote_syscall_again(t->tid, saved, SYS_dup3, a3, &moved)) < 0 ||
		    (e = remote_syscall_again(t->tid, saved, SYS_close, a2, &ignored)) < 0)
			return lost(r, k, t, e);
		if (moved != fds[i])
			return fail(r, k, "cannot put the placeholder of descriptor %d (%s): %s",
			    fds[i], t->call.sc->name, strerror(moved < 0 ? (int)-moved : EBADF));
	}
	return V_RESUME;
}

/* Is t's table its own (no other task shares it)?  The replay keeps a
 * reference to the root's. */
static bool
table_private(const struct replay *r, const struct rtask *rt)
{
	return rt->fds && rt->fds->refs - (rt->fds == r->root_fds) == 1;
}

static int
pending_find(const struct fdtab *f, int fd)
{
	for (int i = 0; f && i < f->npending; i++)
		if (f->pending[i].fd == fd)
			return i;
	return -1;
}

/* The pending entry a call closes: a close that succeeded when recording,
 * of a descriptor whose placeholder was never made; -1 for any other. */
static int
pending_closed(const struct call *c, long ret, const struct fdtab *f)
{
	return c->nr == SYS_close && ret == 0 ? pending_find(f, (int)c->a[0]) : -1;
}

/* Does the call matched with ev (result ret) need t's real table to match
 * the recording's: does it run for real and name, copy or pass on
 * descriptors?  (A close of a pending descriptor does not: see answer.) */
static bool
needs_real_table(const struct call *c, const json_t *ev, long ret, const struct fdtab *f)
{
	const struct sc_desc *sc = c->sc;
	enum replay_mode mode = (sc->flags & SC_RUN_REAL) ? RM_RUN_REAL : RM_EMULATE;

	if (sc->fam && sc->fam->mode)
		mode = sc->fam->mode(c);
	if ((sc->flags & (SC_EXEC | SC_CLONE)) && ret >= 0)
		return true;
	if ((sc->flags & SC_MAP) && ret >= 0 && json_object_get(ev, "map") == NULL &&
	    !(c->a[3] & MAP_ANONYMOUS))
		return true;
	return mode == RM_RUN_REAL && pending_closed(c, ret, f) < 0;
}

/* Makes t's pending placeholders (lowest number first), then has t make
 * its call again: replay_enter sees it anew, with a real table. */
static enum verdict
materialize(struct replay *r, struct kernel *k, struct task *t)
{
	struct fdtab *f = RT(t)->fds;
	struct user_regs_struct regs = t->call.regs;	/* as at the seccomp stop */
	int fds[PENDING_MAX], n = 0, e;
	bool cloexec[PENDING_MAX];
	enum verdict v;

	for (int i = 0; i < f->npending; i++, n++) {	/* insertion sort */
		int j = n;
		for (; j > 0 && fds[j - 1] > f->pending[i].fd; j--) {
			fds[j] = fds[j - 1];
			cloexec[j] = cloexec[j - 1];
		}
		fds[j] = f->pending[i].fd;
		cloexec[j] = f->pending[i].cloexec;
	}
	f->npending = 0;
	if ((v = put_placeholders(r, k, t, &regs, fds, cloexec, n)) != V_RESUME)
		return v;
	regs.rax = regs.orig_rax;
	regs.rip -= 2;		/* back onto the syscall instruction */
	if ((e = regs_set(t->tid, &regs)) < 0)
		return lost(r, k, t, e);
	return V_RESUME;
}

/* New descriptors: a /dev/null placeholder at each recorded number keeps
 * the real table a mirror of the recorded one (made now, or, in a table of
 * one task, pending until a call needs it); then the call returns its
 * recorded outputs and result. */
static enum verdict
placeholder(struct replay *r, struct kernel *k, struct task *t, const json_t *ev, long ret,
    const int *fds, int n, bool cloexec)
{
	struct user_regs_struct saved = t->call.regs;	/* as at the seccomp stop */
	struct rtask *rt = RT(t);
	struct fdtab *f = rt->fds;
	bool cx[MAX_NEWFDS], pended = false;
	enum verdict v;
	int e;

	if (f && table_private(r, rt) && f->npending + n <= PENDING_MAX) {
		pended = true;
		for (int i = 0; i < n; i++) {
			f->pending[f->npending].fd = fds[i];
			f->pending[f->npending++].cloexec = cloexec;
		}
		if ((e = call_skip(t->tid, &saved, ret)) < 0)
			return lost(r, k, t, e);
	} else {
		for (int i = 0; i < n; i++)
			cx[i] = cloexec;
		if ((v = put_placeholders(r, k, t, &saved, fds, cx, n)) != V_RESUME)
			return v;
	}
	if ((e = inject_out(t->tid, &t->call, json_object_get(ev, "out"), ret)) < 0)
		return fail(r, k, "event %llu: cannot give the program the recorded outputs of %s: %s",
		    (unsigned long long)seq_of(ev), t->call.sc->name,
		    e == -EINVAL ? "they do not fit its buffers (was the trace edited?)" : strerror(-e));
	if (!pended && (e = remote_finish(t->tid, &saved, ret)) < 0)
		return lost(r, k, t, e);
	unsigned char *stdio = stdio_of(r, t);
	for (int i = 0; i < n && stdio; i++)
		if (fds[i] >= 0 && fds[i] < MAX_FD)
			stdio[fds[i]] = 0;
	signal_after_call(r, k, t);
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

	saved = t->call.regs;	/* as at the seccomp stop */
	if ((e = scratch_put(t->tid, t->call.sp, path, strlen(path) + 1, &spath)) < 0)
		return lost(r, k, t, e);
	a[0] = (uint64_t)AT_FDCWD;
	a[1] = spath;
	a[2] = O_RDONLY | O_CLOEXEC;
	if ((e = remote_syscall_at_entry(t->tid, &saved, SYS_openat, a, &fd)) < 0)
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
	syscall(SYS_tkill, t->tid, sig);
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

/* The recorded id of the process a task of the trace belongs to: 0 for the
 * root's, -1 for a task not (or no longer) here. */
static pid_t
process_of(struct kernel *k, pid_t vtid)
{
	struct task *u = task_find_vtid(k, vtid);

	if (u == NULL)
		return -1;
	return u->mod ? ((struct rtask *)u->mod)->vpid : 0;
}

/* A signal that reached the task right after its call when recording comes
 * next in the trace, or next for its process, after events of other
 * processes only: send it now, so it arrives at the same boundary (for a
 * call interrupted with -ERESTART*, the kernel then applies the same restart
 * rules; for EPIPE, the same SIGPIPE).  Waiting for its turn instead would
 * let the task run on and change its signal mask first (a shell blocks
 * SIGCHLD before rt_sigsuspend; when recording, the SIGCHLD of a child's
 * death came in between).  Other processes can only see the difference
 * through calls, whose order is kept; threads of the same process share
 * memory, so the signal goes early only past other processes' events. */
static void
signal_after_call(struct replay *r, struct kernel *k, struct task *t)
{
	pid_t self = process_of(k, t->vtid);
	const char *name;
	json_t *ev;
	size_t i;
	int sig;

	if (peek(r) < 0 || r->next == NULL)
		return;
	for (ev = r->next, i = 0; ev; ev = look(r, i++)) {
		pid_t v = owner_of(ev);

		if (v == t->vtid)
			break;
		if (process_of(k, v) == self)
			return;
	}
	if (ev == NULL || (name = json_string_value(json_object_get(ev, "sig"))) == NULL ||
	    (sig = signal_from_name(name)) <= 0 || sig == SIGKILL)
		return;
	if (ev == r->next)
		take(r);
	else
		take_ahead(r, i - 1);
	RT(t)->injected = sig;
	syscall(SYS_tkill, t->tid, sig);
}

static enum verdict answer(struct replay *r, struct kernel *k, struct task *t, json_t *ev, long ret);

/* Is another task running a call that changes the descriptor table for
 * real (close, dup2...)?  Its event is matched already, but the kernel has
 * not done it yet: the next such call waits for it. */
static bool
fd_change_in_flight(struct kernel *k, struct task *t)
{
	for (struct task *u = k->tasks; u; u = u->next)
		if (u != t && u->state == TS_IN_CALL && u->mod &&
		    ((struct rtask *)u->mod)->kind == EX_RUN_REAL)
			return true;
	return false;
}
static enum verdict run_again(struct replay *r, struct kernel *k, struct task *t);

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
		if ((e = remote_syscall_at_entry(t->tid, &saved, SYS_openat, a, &fd)) < 0)
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
	const char *name, *which, *kind;
	char nb[32];
	json_t *ev;
	long ret;
	int ok, e;

	if (RTR(r, t)->restart)
		return run_again(r, k, t);
	if (t->mod && RT(t)->exec_again) {
		/* exec_portable prepared this exec: let it run. */
		RT(t)->exec_again = false;
		return V_EXIT_STOP;
	}

	if ((e = peek(r)) < 0)
		return fail(r, k, "reading the trace failed at line %llu: %s",
		    (unsigned long long)trace_reader_line(r->conf.r),
		    e == -EBADMSG ? trace_reader_error(r->conf.r) : strerror(-e));
	if (c->args == NULL && capture_entry(t->tid, c) < 0) {
		json_decref(c->args);
		c->args = json_object();
	}
	advance(r, k);
	ev = r->next;
	if (ev && owner_of(ev) != t->vtid)
		return V_PARK;	/* another task's turn */
	kind = ev ? event_kind(ev) : NULL;
	if (kind && !strcmp(kind, "signal"))
		return deliver_signal(r, k, t, ev);
	if (kind && !strcmp(kind, "exit")) {
		/* Killed where no stop shows it (SIGKILL): the same here. */
		const char *sn = json_string_value(json_object_get(ev, "signal"));
		if (sn && signal_from_name(sn) == SIGKILL) {
			take(r);
			RT(t)->exit_taken = true;
			return signal_before_call(r, k, t, SIGKILL);
		}
		return diverge(r, k, t, ev, c, "the program made a call after the end of the recording "
		    "of this task (it ended here)", NULL);
	}
	if (ev == NULL && r->footer) {
		/* Killed where no stop shows it (SIGKILL), in a trace without
		 * exit events: the same here. */
		const char *sn = json_string_value(json_object_get(json_object_get(r->footer, "end"), "signal"));
		int sig = sn ? signal_from_name(sn) : -1;
		if (sig == SIGKILL && t->tid == k->root)
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
		return diverge(r, k, t, ev, c, "the program made a call where the recording has another event", NULL);
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
	if (call_changes_fds(c) && fd_change_in_flight(k, t))
		return V_PARK;	/* the table must first reach the recorded state */
	struct fdtab *f = RTR(r, t)->fds;
	if (f && f->npending && needs_real_table(c, ev, ret, f))
		return materialize(r, k, t);
	ev = take(r);
	return answer(r, k, t, ev, ret);
}

/* The signal a kill, tgkill or tkill sends. */
static int
kill_sig(const struct call *c)
{
	return (int)c->a[c->nr == SYS_tgkill ? 2 : 1];
}

/* A recorded id as a real one: pid, or -pgid; 0 and -1 stay. */
static long
real_id(const struct replay *r, long v)
{
	pid_t p;

	if (v > 0)
		return (p = id_real(r, (pid_t)v)) > 0 ? p : v;
	if (v < -1)
		return (p = id_real(r, (pid_t)-v)) > 0 ? -p : v;
	return v;
}

/* Rewrites the arguments of t's call (at its seccomp stop) to name real
 * tasks; the program's registers are restored at the exit (replay_exit). */
static enum verdict
rewrite_ids(struct replay *r, struct kernel *k, struct task *t, int kind)
{
	struct rtask *rt = RT(t);
	struct call *c = &t->call;
	struct user_regs_struct regs = rt->orig;
	long ret = event_result(rt->ev, &(int){0});
	int e;

	switch (c->nr) {
	case SYS_wait4:
		rt->real = id_real(r, (pid_t)ret);
		regs.rdi = (uint64_t)rt->real;
		regs.rdx &= ~(uint64_t)WNOHANG;	/* the child ended when recording: wait for it */
		break;
	case SYS_waitid:
		rt->real = id_real(r, (pid_t)ret);
		regs.rdi = P_PID;
		regs.rsi = (uint64_t)rt->real;
		regs.r10 &= ~(uint64_t)WNOHANG;
		break;
	case SYS_kill:
		regs.rdi = (uint64_t)real_id(r, (long)(int)c->a[0]);
		break;
	case SYS_tgkill:
		regs.rdi = (uint64_t)real_id(r, (long)(int)c->a[0]);
		regs.rsi = (uint64_t)real_id(r, (long)(int)c->a[1]);
		break;
	case SYS_tkill:
		regs.rdi = (uint64_t)real_id(r, (long)(int)c->a[0]);
		break;
	}
	if ((c->nr == SYS_wait4 || c->nr == SYS_waitid) && rt->real <= 0)
		return fail(r, k, "event %llu: %s reaped task %ld, which this replay did not start",
		    (unsigned long long)seq_of(rt->ev), c->sc->name, ret);
	if ((e = regs_set(t->tid, &regs)) < 0)
		return lost(r, k, t, e);
	rt->kind = kind;
	return V_EXIT_STOP;
}

/* A real call interrupted by a signal dios kept from the program (a real
 * SIGCHLD) runs again: the same answer. */
static enum verdict
run_again(struct replay *r, struct kernel *k, struct task *t)
{
	struct rtask *rt = RT(t);
	struct call *c = &t->call;

	rt->restart = false;
	if (c->nr != rt->restart_nr && c->nr != SYS_restart_syscall)
		return replay_enter(&r->mod, k, t);	/* it did not restart after all */
	c->nr = rt->restart_nr;
	c->sc = sc_by_nr(c->nr);
	if (rt->kind == EX_WAIT)
		return rewrite_ids(r, k, t, EX_WAIT);
	return V_EXIT_STOP;
}

/* Answers t's call, matched with event ev (result ret). */
static enum verdict
answer(struct replay *r, struct kernel *k, struct task *t, json_t *ev, long ret)
{
	struct call *c = &t->call;
	const char *name = c->sc->name;
	int e;

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
	int nfds, fds[MAX_NEWFDS];
	bool cloexec;
	if ((nfds = new_fds(c, ev, ret, fds, &cloexec)) > 0)
		return placeholder(r, k, t, ev, ret, fds, nfds, cloexec);
	rt->orig = c->regs;
	if ((sc->flags & SC_CLONE) && ret > 0) {
		/* A new task, for real; the parent is told the recorded id
		 * (replay_clone maps it). */
		rt->kind = EX_CLONE;
		return V_EXIT_STOP;
	}
	if ((sc->flags & SC_RUN_KEEP) ||
	    ((sc->flags & SC_SIGWAIT) && (ret > 0 || ret == -EINTR || (ret <= -512 && ret >= -516)))) {
		rt->kind = EX_KEEP;
		return V_EXIT_STOP;
	}
	/* wait4/waitid that reaped a child when recording: reap the same
	 * child for real (blocking until it ends), then give the recorded
	 * answer. */
	if ((sc->flags & SC_WAIT) && ret > 0)
		return rewrite_ids(r, k, t, EX_WAIT);
	/* SIGKILL is sent for real (no stop shows its arrival); other signals
	 * are delivered from the trace where they arrived. */
	if ((sc->flags & SC_KILL) && ret == 0 && kill_sig(c) == SIGKILL)
		return rewrite_ids(r, k, t, EX_KEEP);
	int pi;
	if (mode == RM_RUN_REAL && (pi = pending_closed(c, ret, rt->fds)) >= 0) {
		/* its placeholder was never made: nothing to close */
		rt->fds->pending[pi] = rt->fds->pending[--rt->fds->npending];
		note_fds(stdio_of(r, t), c, ret);
		if ((e = call_skip(t->tid, &c->regs, ret)) < 0)
			return lost(r, k, t, e);
		signal_after_call(r, k, t);
		return V_RESUME;
	}
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
	if ((e = inject_out(t->tid, c, json_object_get(ev, "out"), ret)) < 0)
		return fail(r, k, "event %llu: cannot give the program the recorded outputs of %s: %s",
		    (unsigned long long)seq_of(ev), name,
		    e == -EINVAL ? "they do not fit its buffers (was the trace edited?)" : strerror(-e));
	char gerr[2048];
	if (echo_output(r, stdio_of(r, t), c, json_object_get(ev, "out"), ret, gerr, sizeof gerr) < 0)
		return fail(r, k, "%s", gerr);
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

	if ((rt->kind == EX_WAIT || rt->kind == EX_KEEP || rt->kind == EX_CLONE) &&
	    c->ret <= -512 && c->ret >= -516 && !(ret <= -512 && ret >= -516)) {
		/* interrupted by a signal dios keeps from the program: the
		 * kernel runs it again */
		rt->restart = true;
		rt->restart_nr = c->nr;
		return 0;
	}
	switch (rt->kind) {
	case EX_CLONE:
		if (c->ret <= 0) {
			fail(r, k, "event %llu: %s failed in replay (%s) but made task %ld when recording",
			    (unsigned long long)seq_of(rt->ev), c->sc->name,
			    c->ret < 0 ? strerror((int)-c->ret) : "no child", ret);
			return 0;
		}
		e = set_result(t, ret);
		break;
	case EX_WAIT:
		if (c->ret != rt->real) {
			fail(r, k, "event %llu: %s returned %ld in replay, not task %ld (recorded as %ld): "
			    "the child did not end as recorded", (unsigned long long)seq_of(rt->ev),
			    c->sc->name, c->ret, (long)rt->real, ret);
			return 0;
		}
		/* fall through */
	case EX_KEEP: {
		struct user_regs_struct regs;
		if ((e = regs_get(t->tid, &regs)) < 0)
			break;
		regs.rdi = rt->orig.rdi;
		regs.rsi = rt->orig.rsi;
		regs.rdx = rt->orig.rdx;
		regs.r10 = rt->orig.r10;
		regs.rax = (uint64_t)ret;
		if ((e = regs_set(t->tid, &regs)) == 0 && ret >= 0)
			e = inject_out(t->tid, c, json_object_get(rt->ev, "out"), ret);
		break;
	}
	case EX_RUN_REAL:
		if (c->ret != ret) {
			char want[512];
			render_event(rt->ev, 1, 32, want, sizeof want);
			fail(r, k, "the descriptor table is out of step with the recording at event %llu: "
			    "%s returned %ld in replay (%s)", (unsigned long long)seq_of(rt->ev), want,
			    c->ret, c->ret < 0 ? strerror((int)-c->ret) : "ok");
			return 0;
		}
		note_fds(stdio_of(r, t), c, ret);
		break;
	case EX_SLEEP:
		e = set_result(t, ret);
		if (e == 0)
			e = inject_out(t->tid, c, json_object_get(rt->ev, "out"), ret);
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
		if ((e = id_add(r, t->vtid, t->tid)) < 0)
			return e;
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
	/* The kernel's own SIGCHLD: the recorded one comes from the trace. */
	if (sig == SIGCHLD)
		return 0;
	/* A fault (a crash) waits for its turn like a call. */
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) &&
	    peek(r) == 0 && r->next && owner_of(r->next) != t->vtid)
		return SIG_PARK;
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
	advance(r, k);
	if (peek(r) == 0 && r->next && owner_of(r->next) != t->vtid)
		return SIG_PARK;	/* another task's turn */
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

/* The parent's clone event stop: the child gets the recorded id. */
static int
replay_clone(struct module *m, struct kernel *k, struct task *parent, struct task *child)
{
	struct replay *r = R(m);
	struct rtask *prt = RTR(r, parent), *crt;
	struct call *c = &parent->call;
	uint64_t flags;
	pid_t v;
	int e;

	if (prt->kind != EX_CLONE || prt->ev == NULL) {
		fail(r, k, "task %d made a new task where the recording has none", parent->vtid);
		return 0;
	}
	v = (pid_t)event_result(prt->ev, &(int){0});
	child->vtid = v;
	if ((e = id_add(r, v, child->tid)) < 0 || (crt = RT(child)) == NULL)
		return -ENOMEM;
	if (c->nr == SYS_fork)
		flags = SIGCHLD;
	else if (c->nr == SYS_vfork)
		flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
	else
		flags = c->a[0];
	if ((flags & CLONE_FILES) || prt->fds == NULL) {
		crt->fds = prt->fds;
		if (crt->fds)
			crt->fds->refs++;
	} else if ((crt->fds = malloc(sizeof *crt->fds)) != NULL) {
		memcpy(crt->fds, prt->fds, sizeof *crt->fds);
		crt->fds->refs = 1;
	} else
		return -ENOMEM;
	crt->vpid = (flags & CLONE_THREAD) ? prt->vpid : v;
	/* The kernel wrote the real id; the program must see the recorded
	 * one (the C library keeps it for raise and pthread_kill). */
	if (c->nr == SYS_clone && (flags & CLONE_PARENT_SETTID) && c->a[2])
		mem_write(parent->tid, c->a[2], &v, sizeof v);
	if (c->nr == SYS_clone && (flags & CLONE_CHILD_SETTID) && c->a[3])
		crt->ctid_addr = c->a[3];
	return 0;
}

/* The child's first stop: its own copy of its id, written by the kernel
 * as it started, becomes the recorded one too. */
static int
replay_start(struct module *m, struct kernel *k, struct task *child)
{
	struct rtask *rt = RT(child);

	(void)m;
	(void)k;
	if (rt && rt->ctid_addr)
		mem_write(child->tid, rt->ctid_addr, &child->vtid, sizeof child->vtid);
	return 0;
}

static void
replay_task_exit(struct module *m, struct kernel *k, struct task *t, int status)
{
	struct replay *r = R(m);
	struct rtask *rt = t->mod;

	(void)status;
	if (rt == NULL || !rt->exit_taken)
		dead_add(r, t->vtid);
	if (rt) {
		fdtab_put(rt->fds);
		rt->fds = NULL;
		json_decref(rt->ev);
		rt->ev = NULL;
	}
	advance(r, k);
}

static pid_t
replay_due(struct module *m, struct kernel *k)
{
	struct replay *r = R(m);

	if (r->outcome != RO_RUNNING)
		return 0;
	advance(r, k);
	return r->next ? owner_of(r->next) : 0;
}

/* Lists the tasks held for their turn, and what each is doing. */
static void
append_waiting(struct kernel *k, char **s, size_t *len)
{
	char line[512], sb[16];

	for (struct task *t = k->tasks; t; t = t->next) {
		if (t->state != TS_PARKED)
			continue;
		if (t->park_sig) {
			append(s, len, "\n  task %d waits to receive %s", t->vtid, signal_name(t->park_sig, sb));
			continue;
		}
		json_t *ev = event_new(0, t->vtid, &t->call);
		render_event(ev, 0, 32, line, sizeof line);
		json_decref(ev);
		append(s, len, "\n  task %d waits to make %s", t->vtid, line);
	}
}

static void
replay_stalled(struct module *m, struct kernel *k)
{
	struct replay *r = R(m);
	char want[1024];
	char *s = NULL;
	size_t len = 0;

	if (r->next)
		render_event(r->next, 1, 64, want, sizeof want);
	append(&s, &len, "divergence at event %llu: no task can go on: the recording expects task %d "
	    "next (%s), which %s", r->next ? (unsigned long long)seq_of(r->next) : (unsigned long long)r->matched,
	    r->next ? (int)owner_of(r->next) : 0, r->next ? want : "(the end)",
	    r->next && id_real(r, owner_of(r->next)) ? "has ended or does not come" : "does not exist here");
	append_waiting(k, &s, &len);
	set_msg(r, RO_DIVERGED, "%s", s ? s : "divergence: no task can go on");
	free(s);
	k->stop = true;
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
	if ((r->root_fds = calloc(1, sizeof *r->root_fds)) == NULL) {
		free(r);
		return NULL;
	}
	r->root_fds->refs = 1;
	fds = json_object_get(conf->header, "fds");
	json_array_foreach(fds, i, v) {
		json_int_t fd = json_integer_value(v);
		if (fd == 1 || fd == 2)
			r->root_fds->stdio[fd] = (unsigned char)fd;
	}
	r->mod.name = "replay";
	r->mod.enter = replay_enter;
	r->mod.exit = replay_exit;
	r->mod.exec = replay_exec;
	r->mod.signal = replay_signal;
	r->mod.clone = replay_clone;
	r->mod.start = replay_start;
	r->mod.task_exit = replay_task_exit;
	r->mod.due = replay_due;
	r->mod.stalled = replay_stalled;
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
		if (t->state != TS_PARKED && ((t->state == TS_IN_CALL && t->mod &&
		    ((struct rtask *)t->mod)->kind == EX_SLEEP) || task_running(t->tid))) {
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
	char *s = NULL;
	size_t len = 0;
	append(&s, &len, "divergence: no progress for %u seconds: the program made no "
	    "intercepted call since event %llu\n  expected next: %s", r->conf.timeout,
	    r->ring[0] ? (unsigned long long)seq_of(r->ring[0]) : 0ULL, want);
	append_waiting(k, &s, &len);
	append(&s, &len, "\n  (raise --timeout if the program computes this long between calls)");
	set_msg(r, RO_DIVERGED, "%s", s ? s : "divergence: no progress");
	free(s);
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
	for (size_t i = 0; i < r->nahead; i++)
		json_decref(r->ahead[i]);
	json_decref(r->footer);
	elf_interp_free(&r->fix);
	for (int i = 0; i < RING; i++)
		json_decref(r->ring[i]);
	free(r->msg);
	fdtab_put(r->root_fds);
	free(r->ids);
	free(r->dead);
	free(r);
}
