/* proxy.c: the record module: its hooks (enter, exit, clone, due, exec,
 * signal, task exit), the events they write, the per-task state and the
 * descriptor-table lock, --portable blobs.  The direct calls: direct.c.
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <asm/unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include "kernel/tracee.h"
#include "kernel/stack.h"
#include "trace/blobstore.h"
#include "sys/capture.h"
#include "trace/number.h"
#include "trace/elfinterp.h"
#include "sys/family.h"
#include "sys/structs.h"
#include "trace/fileid.h"
#include "inspect/render.h"
#include "kernel/vdso.h"
#include "sys/xlat.h"
#include "proxy/internal.h"

struct ptask *
PT(struct task *t)
{
	static struct ptask none;
	struct ptask *pt;

	if (t->mod == NULL)
		t->mod = calloc(1, sizeof(struct ptask));
	if ((pt = t->mod) == NULL)
		return &none;
	if (pt->fl == NULL && (pt->fl = calloc(1, sizeof *pt->fl)) != NULL)
		pt->fl->refs = 1;
	return pt;
}

static void
fdlock_put(struct fdlock *fl)
{
	if (fl && --fl->refs == 0) {
		proxy_direct_forget(fl);
		if (fl->asked && fl->pidfd >= 0)
			close(fl->pidfd);
		free(fl->abits);
		free(fl);
	}
}

/* Does c change the descriptor table (call_changes_fds)?  Calls that may
 * block for long (accept, recvmsg) are left out: holding the table there
 * could stop another thread that must run first. */
static bool
fdtable_call(const struct call *c)
{
	if (c->sc && c->sc->cls == CLS_NET && c->nr != SYS_socket && c->nr != SYS_socketpair)
		return false;
	return call_changes_fds(c);
}

static struct proxy *
P(const struct module *m)
{
	return (struct proxy *)m->state;
}

int
emit(struct proxy *p, json_t *obj)
{
	int e;

	if (obj == NULL)
		return -ENOMEM;
	p->st.events = p->seq;
	if (p->conf.log && json_object_get(obj, "seq")) {
		char line[1024];
		render_event(obj, 1, 32, line, sizeof line);
		fprintf(p->conf.log, "[%lld] #%lld %s\n", (long long)json_int64_or(obj, "tid", 0),
		    (long long)json_int64_or(obj, "seq", 0), line);
	}
	e = trace_write(p->conf.w, obj);
	json_decref(obj);
	if (e < 0 && p->st.write_error == 0) {
		p->st.write_error = e;
		p->st.write_error_seq = p->seq;
	}
	return e;
}

/* The identity of the program interpreter (the dynamic loader) the kernel
 * loaded for the executable at exe; NULL for a static executable. */
static json_t *
interp_id(const char *exe)
{
	struct elf_interp ei;
	json_t *id = NULL;
	int e;

	if (elf_interp_path(exe, &ei) < 0)
		return NULL;
	if (ei.orig[0] == '/')
		id = fileid_get(ei.orig, ei.orig, &e);
	elf_interp_free(&ei);
	return id;
}

static void
note_unknown(struct proxy *p, const char *name)
{
	json_t *n = json_object_get(p->st.unknown, name);

	if (n == NULL) {
		if (p->conf.warn)
			p->conf.warn("warning: the program called %s, which dios does not know: it ran "
			    "unrecorded and the trace is marked incomplete (replay will stop there)", name);
		json_object_set_new(p->st.unknown, name, json_integer(1));
	} else
		json_integer_set(n, json_integer_value(n) + 1);
}

/* The register that holds argument i of a call at its entry. */
static unsigned long long *
arg_reg(struct user_regs_struct *r, int i)
{
	switch (i) {
	case 0: return &r->rdi;
	case 1: return &r->rsi;
	case 2: return &r->rdx;
	case 3: return &r->r10;
	case 4: return &r->r8;
	default: return &r->r9;
	}
}

static void
mark_perturbed(struct perturber *pb, struct call *c, const char *why)
{
	if (c->extra == NULL)
		c->extra = json_object();
	json_object_set_new(c->extra, "perturbed", json_string(why ? why : "perturbed"));
	pb->applied++;
}

/* The call sites of t's call c, stopped at its entry or exit, as its
 * event's "stack": with --stacks on every call, else on the calls the
 * perturber changed.  None when the stack cannot be read. */
static void
add_stack(struct proxy *p, struct task *t, struct call *c)
{
	json_t *s;

	if (!p->conf.stacks && !(c->extra && json_object_get(c->extra, "perturbed")))
		return;
	if ((s = stack_json(t->tid, STACK_MAX_FRAMES)) == NULL)
		return;
	if (c->extra == NULL)
		c->extra = json_object();
	json_object_set_new(c->extra, "stack", s);
}

/* Asks the perturber about call c of t at its entry and applies the
 * answer (perturb.h).  True: the call was answered without running (an
 * error or a result in c->ret, the task's registers set); false: it runs,
 * maybe with a lowered length (put back at its exit). */
static bool
perturb_enter(struct proxy *p, struct task *t, struct call *c)
{
	struct perturber *pb = p->conf.perturb;
	struct perturb_act act = { 0 };
	struct ptask *pt = PT(t);

	pt->restore_arg = 0;
	pt->delay_exit_us = 0;
	pt->signal_exit = 0;
	if (pb == NULL || pb->enter == NULL || c->sc == NULL || c->nr == SYS_exit ||
	    c->nr == SYS_exit_group)
		return false;
	pb->enter(pb, t, c, &act);
	if (act.delay_enter_us)
		usleep(act.delay_enter_us);
	pt->delay_exit_us = act.delay_exit_us;
	pt->signal_exit = act.signal > 0 && act.signal < 65 ? act.signal : 0;
	if (act.error > 0 || act.retval_set) {
		long ret = act.error > 0 ? -(long)act.error : act.retval;
		if (call_skip(t->tid, &c->regs, ret) < 0)
			return false;
		c->ret = ret;
		mark_perturbed(pb, c, act.why);
		return true;
	}
	int li = act.count ? sc_len_arg(c->sc) : -1;
	if (li >= 0 && act.count < c->a[li]) {
		struct user_regs_struct r = c->regs;
		*arg_reg(&r, li) = act.count;
		if (regs_set(t->tid, &r) == 0) {
			pt->restore_arg = li + 1;
			pt->restore_val = c->a[li];
			mark_perturbed(pb, c, act.why);
		}
	} else if (act.delay_enter_us || act.delay_exit_us || pt->signal_exit)
		mark_perturbed(pb, c, act.why);
	return false;
}

/* At the exit of a perturbed call, before the program goes on: its
 * length register put back (the kernel leaves argument registers as they
 * were, and the program may rely on it), the delay, the signal. */
static void
perturb_after(struct task *t)
{
	struct ptask *pt = PT(t);
	struct user_regs_struct r;

	if (pt->restore_arg && regs_get(t->tid, &r) == 0) {
		*arg_reg(&r, pt->restore_arg - 1) = pt->restore_val;
		regs_set(t->tid, &r);
	}
	pt->restore_arg = 0;
	if (pt->delay_exit_us)
		usleep(pt->delay_exit_us);
	pt->delay_exit_us = 0;
	if (pt->signal_exit)
		syscall(SYS_tgkill, pt->tgid ? pt->tgid : t->tid, t->tid, pt->signal_exit);
	pt->signal_exit = 0;
}

/* Clock reads need no second stop: dios reads the same host clock itself,
 * writes the result into the task and skips the call.  Clocks that belong to
 * the task (CPU time) still run in the task. */
static bool
clock_fast(struct perturber *pb, struct task *t, struct call *c)
{
	const char *why = NULL;
	struct timespec ts;
	long ret = 0;
	int e = 0;
	int nr = (int)c->nr;

	if (nr == SYS_clock_gettime) {
		clockid_t id = (clockid_t)c->a[0];
		if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_MONOTONIC_RAW &&
		    id != CLOCK_REALTIME_COARSE && id != CLOCK_MONOTONIC_COARSE &&
		    id != CLOCK_BOOTTIME && id != CLOCK_TAI)
			return false;
		syscall(SYS_clock_gettime, id, &ts);	/* not the vDSO: see tsc.h */
		if (pb && pb->clock)
			why = pb->clock(pb, t, id, &ts);
		e = mem_write_as_program(t->tid, c->a[1], &ts, sizeof ts);
	} else if (nr == SYS_gettimeofday && c->a[1] == 0) {
		struct timeval tv;
		syscall(SYS_gettimeofday, &tv, NULL);
		if (pb && pb->clock) {
			ts.tv_sec = tv.tv_sec;
			ts.tv_nsec = tv.tv_usec * 1000;
			if ((why = pb->clock(pb, t, CLOCK_REALTIME, &ts)) != NULL) {
				tv.tv_sec = ts.tv_sec;
				tv.tv_usec = ts.tv_nsec / 1000;
			}
		}
		if (c->a[0])
			e = mem_write_as_program(t->tid, c->a[0], &tv, sizeof tv);
	} else if (nr == SYS_time) {
		int64_t now = (int64_t)syscall(SYS_time, NULL);
		if (pb && pb->clock) {
			ts.tv_sec = now;
			ts.tv_nsec = 0;
			if ((why = pb->clock(pb, t, CLOCK_REALTIME, &ts)) != NULL)
				now = ts.tv_sec;
		}
		if (c->a[0])
			e = mem_write_as_program(t->tid, c->a[0], &now, sizeof now);
		ret = (long)now;
	} else
		return false;
	if (e < 0)
		return false;	/* a bad pointer: let the kernel say EFAULT */
	if (call_skip(t->tid, &c->regs, ret) < 0)
		return false;
	c->ret = ret;
	if (why)
		mark_perturbed(pb, c, why);
	return true;
}

/* The legacy vsyscall page (0xffffffffff600000), whose gettimeofday, time
 * and getcpu the kernel emulates through seccomp but with no syscall-exit
 * stop: dios must answer them at entry.  The kernel checked the pointers
 * before (a bad one is a SIGSEGV). */
#define VSYSCALL_PAGE 0xffffffffff600000ULL

/* The CPU task tid last ran on (/proc's "processor"), and its NUMA node. */
static void
task_cpu(pid_t tid, unsigned *cpu, unsigned *node)
{
	char path[96];

	*cpu = 0;
	*node = 0;
	if (task_stat(tid, NULL, cpu) < 0)
		return;
	for (unsigned nd = 0; nd < 1024; nd++) {
		snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/node%u", *cpu, nd);
		if (access(path, F_OK) == 0) {
			*node = nd;
			break;
		}
	}
}

static bool
vsyscall_fast(struct perturber *pb, struct task *t, struct call *c)
{
	long ret = 0;

	if (c->regs.rip < VSYSCALL_PAGE || c->regs.rip >= VSYSCALL_PAGE + 4096)
		return false;
	if (c->nr == SYS_getcpu) {
		unsigned cpu, node;
		task_cpu(t->tid, &cpu, &node);
		if ((c->a[0] && mem_write_as_program(t->tid, c->a[0], &cpu, sizeof cpu) < 0) ||
		    (c->a[1] && mem_write_as_program(t->tid, c->a[1], &node, sizeof node) < 0))
			ret = -EFAULT;
	} else if (c->nr == SYS_gettimeofday && c->a[1]) {
		struct timeval tv;
		struct timezone tz;
		syscall(SYS_gettimeofday, &tv, &tz);
		if ((c->a[0] && mem_write_as_program(t->tid, c->a[0], &tv, sizeof tv) < 0) ||
		    mem_write_as_program(t->tid, c->a[1], &tz, sizeof tz) < 0)
			ret = -EFAULT;
	} else
		return clock_fast(pb, t, c);
	if (call_skip(t->tid, &c->regs, ret) < 0)
		return false;
	c->ret = ret;
	return true;
}

static int proxy_exit(struct module *m, struct kernel *k, struct task *t);

/* A relative exec path is resolved against the program's directory (or
 * execveat's dirfd) now, so replay can exec the same file from anywhere:
 * the event's "path_abs". */
static void
note_exec_path(struct task *t, struct call *c)
{
	const char *path = json_string_value(json_object_get(c->args, "path"));
	int dirfd = c->nr == SYS_execveat ? (int)c->a[0] : AT_FDCWD;
	char link[64], dir[4096], *abs;
	ssize_t n;

	if (path == NULL || path[0] == '/' || path[0] == '\0')
		return;
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof link, "/proc/%d/cwd", t->tid);
	else
		snprintf(link, sizeof link, "/proc/%d/fd/%d", t->tid, dirfd);
	if ((n = readlink(link, dir, sizeof dir - 1)) < 0)
		return;
	dir[n] = '\0';
	if (asprintf(&abs, "%s/%s", dir, path) < 0)
		return;
	if (c->extra == NULL)
		c->extra = json_object();
	json_object_set_new(c->extra, "path_abs", json_string(abs));
	free(abs);
}

static enum verdict
proxy_enter(struct module *m, struct kernel *k, struct task *t)
{
	struct proxy *p = P(m);
	struct call *c = &t->call;
	char nb[32];
	int e;

	/* The trace cannot be written: the program runs on, unrecorded, to
	 * its own end (dios-record says so and exits with its status). */
	if (p->st.write_error)
		return V_RESUME;
	if (proxy_fast_enter(p, k, t))
		return V_RESUME;	/* the agent is in: the call comes again */
	if (proxy_send_deferred(t))
		return V_RESUME;	/* its handler first: the call comes again */
	if (c->sc && (c->sc->flags & SC_UNSUPPORTED)) {
		snprintf(p->abort_msg, sizeof p->abort_msg,
		    "the program called %s, which cannot work under dios (a traced program "
		    "cannot trace); the recording stops here", c->sc->name);
		p->st.aborted = p->abort_msg;
		if (capture_entry(t->tid, c) == 0) {
			json_t *ev = event_new(proxy_seq(p), t->vtid, c);
			json_object_del(ev, "ret");
			json_object_set_new(ev, "unsupported", json_true());
			emit(p, ev);
		}
		return V_STOP;
	}
	/* A close of a regular file dios has a copy of, in a table no other
	 * task uses: it returns 0 (none of direct_fs's file systems fails a
	 * close), so its event needs no second stop. */
	bool known_close = false;
	if (c->nr == SYS_close) {
		struct fdlock *fl = PT(t)->fl;
		int i = fl && fl->refs == 1 && fl->holder == 0 ? proxy_direct_find(fl, (int)c->a[0]) : -1;
		known_close = i >= 0 && fl->direct[i].local >= 0;
	}
	if (order_enter(p, k, t, c) == V_PARK)
		return V_PARK;	/* another task's write to the same object is in the kernel */
	if (fdtable_call(c)) {
		struct ptask *pt = PT(t);
		if (pt->fl)
			proxy_direct_forget_for(pt->fl, c);
		proxy_fast_sync(p, k, t);	/* before the numbers change */
		if (pt->fl && pt->fl->holder && pt->fl->holder != t->tid)
			return V_PARK;	/* another thread is changing the table */
		if (pt->fl) {
			pt->fl->holder = t->tid;
			pt->holds = true;
		}
	}
	if ((e = capture_entry(t->tid, c)) < 0) {
		/* Unreadable inputs (a bad pointer): the call will fail with
		 * EFAULT on the host; record what can be recorded. */
		json_decref(c->args);
		c->args = json_object();
	}
	carry_before_change(p, t, c);
	if (c->sc && (c->sc->flags & SC_EXEC))
		note_exec_path(t, c);
	if (t->deferred && p->conf.perturb)
		mark_perturbed(p->conf.perturb, c, p->conf.perturb->pick_why);
	t->deferred = false;
	if (c->sc == NULL)
		note_unknown(p, sc_any_name(c->nr, nb));
	else if (perturb_enter(p, t, c)) {
		proxy_exit(m, k, t);	/* answered: its event */
		return V_RESUME;
	} else if (vsyscall_fast(p->conf.perturb, t, c) ||
	    (c->sc->cls == CLS_CLOCK && clock_fast(p->conf.perturb, t, c)) ||
	    (PT(t)->restore_arg == 0 && proxy_direct_call(p, t, c))) {
		proxy_fast_sync(p, k, t);
		proxy_exit(m, k, t);
		mem_shadow_clear();
		return V_RESUME;
	} else if (known_close) {
		c->ret = 0;
		proxy_exit(m, k, t);	/* the event; the program closes it as it resumes */
		return V_RESUME;
	}
	/* The one-at-a-time schedule: a clone's event is written at its
	 * event stop, not at its exit, so the parent keeps its group's turn
	 * through the call and runs on before the new thread does, as replay
	 * does. */
	t->keep_turn = c->sc && (c->sc->flags & SC_CLONE);
	return V_EXIT_STOP;
}

static int
proxy_exit(struct module *m, struct kernel *k, struct task *t)
{
	struct proxy *p = P(m);
	struct call *c = &t->call;
	int e;

	if (PT(t)->holds) {
		PT(t)->holds = false;
		PT(t)->fl->holder = 0;
	}
	if (c->sc && (c->sc->flags & SC_NEWFD) && c->ret >= 0) {
		proxy_direct_new(p, t, (int)c->ret);
		proxy_fast_sync(p, k, t);
	}
	struct perturber *pb = p->conf.perturb;
	const char *why;
	if (pb && pb->exit && c->sc && c->ret >= 0 && !(c->extra && json_object_get(c->extra, "perturbed")) &&
	    (why = pb->exit(pb, t, c)) != NULL)
		mark_perturbed(pb, c, why);
	perturb_after(t);
	if ((e = capture_exit(t->tid, c)) < 0 && e != -EFAULT)
		return e;
	order_exit(p, t, c);
	if (c->sc && (c->sc->flags & SC_CLONE) && PT(t)->clone_written) {
		PT(t)->clone_written = false;	/* written at the event stop */
		call_reset(c);
		return 0;
	}
	if (c->extra && json_object_get(c->extra, "map")) {
		char proc[64];
		snprintf(proc, sizeof proc, "/proc/%d/fd/%d", t->tid, (int)c->a[4]);
		if ((e = whole_if_carried(p, proc, c)) < 0)
			return e;	/* SIGTERM...: the run ends at this stop */
		carry_if_made(p, proc, json_object_get(c->extra, "map"),
		    (c->a[3] & MAP_TYPE) == MAP_SHARED && (c->a[2] & PROT_WRITE));
		put_blob(p, proc, json_object_get(c->extra, "map"));
		shared_note_map(p, proc, c);
		if (p->nshared)
			proxy_fast_no_writes(p, k);	/* its writes must say "shared" */
		stack_remap(t->tid);
	}
	if ((e = shared_note_write(p, t->tid, c)) < 0)
		return e;
	if (c->nr == SYS_sched_setaffinity && c->ret == 0)
		affinity_own((pid_t)c->a[0] ? (pid_t)c->a[0] : t->tid, true);
	add_stack(p, t, c);
	/* an exec by a thread is its own call, though it ends as the leader */
	pid_t who = c->sc && (c->sc->flags & SC_EXEC) && t->exec_vtid ? t->exec_vtid : t->vtid;
	t->exec_vtid = 0;
	e = emit(p, event_new(proxy_seq(p), who, c));
	call_reset(c);
	return e == -ENOMEM ? e : 0;
}

/* A new task exists and has not run yet: the event of the call that made
 * it is written now, so it precedes every event of the child. */
static int
proxy_clone(struct module *m, struct kernel *k, struct task *parent, struct task *child)
{
	struct proxy *p = P(m);
	struct call *c = &parent->call;
	int e;

	child->vtid = child->tid;
	if (affinity_is_own(parent->tid))
		affinity_own(child->tid, true);	/* the child inherits it */
	{
		struct ptask *pp = PT(parent), *cp = PT(child);
		uint64_t flags = parent->call.nr == SYS_clone ? parent->call.a[0] : 0;
		if (flags & CLONE_THREAD)
			cp->tgid = pp->tgid ? pp->tgid : parent->tid;
		if ((flags & CLONE_FILES) && pp->fl && cp->fl != pp->fl) {
			fdlock_put(cp->fl);
			cp->fl = pp->fl;
			cp->fl->refs++;
		} else if (cp->fl != pp->fl)
			proxy_fast_fds_copy(cp->fl, pp->fl);	/* a copy of the table, and of the memory */
		/* the child's memory is the parent's, or a copy: its agent,
		 * patches and descriptor bits too */
		fastpath_task_inherit(&cp->fast, &pp->fast);
	}
	if (parent->state != TS_IN_CALL || c->sc == NULL || !(c->sc->flags & SC_CLONE))
		return 0;	/* a clone dios did not see enter (cannot happen) */
	c->ret = child->tid;
	json_decref(c->out);
	c->out = NULL;
	add_stack(p, parent, c);
	e = emit(p, event_new(proxy_seq(p), parent->vtid, c));
	PT(parent)->clone_written = true;
	return e == -ENOMEM ? e : 0;
}

/* A thread held back by the descriptor-table lock may go once it is free. */
static pid_t
proxy_due(struct module *m, struct kernel *k)
{
	for (struct task *t = k->tasks; t; t = t->next) {
		struct ptask *pt = t->mod;
		if (t->state == TS_PARKED && pt && pt->owait) {
			if (order_may_go(P(m), t))
				return t->vtid;
			continue;
		}
		if (t->state == TS_PARKED && pt && pt->fl && pt->fl->holder == 0)
			return t->vtid;
	}
	return 0;
}

/* The task's share of its descriptor table's lock, and what stack.h kept
 * for it (task_exit, or the kernel forgetting a task it killed). */
static void
proxy_task_release(struct module *m, struct task *t)
{
	stack_forget(t->tid);
	affinity_own(t->tid, false);
	order_release(P(m), t);
	if (t->mod) {
		struct ptask *pt = t->mod;
		if (pt->holds && pt->fl)
			pt->fl->holder = 0;
		fdlock_put(pt->fl);
		pt->fl = NULL;
	}
}

/* Every task's end is an event: {"event":"exit","exit":N} or "signal". */
static void
proxy_task_exit(struct module *m, struct kernel *k, struct task *t, int status)
{
	struct proxy *p = P(m);
	char sb[16];
	json_t *ev;

	proxy_fast_gone(p, t->tid);
	ev = json_pack("{s:o, s:o, s:s}", "seq", json_uint64(proxy_seq(p)),
	    "tid", json_int64(t->vtid), "event", "exit");

	proxy_task_release(m, t);
	if (ev == NULL)
		return;
	if (WIFSIGNALED(status))
		json_object_set_new(ev, "signal", json_string(signal_name(WTERMSIG(status), sb)));
	else
		json_object_set_new(ev, "exit", json_int64(WEXITSTATUS(status)));
	emit(p, ev);
}

static int
proxy_exec(struct module *m, struct kernel *k, struct task *t)
{
	struct proxy *p = P(m);
	char proc[64], path[4096];
	json_t *exe, *rnd, *interp;
	ssize_t n;
	int e;

	if ((e = vdso_patch(t->tid)) < 0)
		return e;
	stack_forget(t->tid);	/* a new image */
	if (t->mod && PT(t)->fl)	/* O_CLOEXEC descriptors are gone */
		proxy_direct_forget(PT(t)->fl);
	if (t->mod)		/* and the agent: its first fast call puts it back */
		fastpath_task_exec(&PT(t)->fast);
	snprintf(proc, sizeof proc, "/proc/%d/exe", t->tid);
	if ((n = readlink(proc, path, sizeof path - 1)) < 0)
		return -errno;
	path[n] = '\0';
	if ((exe = fileid_get(proc, path, &e)) == NULL)
		return e;
	rnd = at_random_get(t->tid);
	interp = interp_id(proc);
	if (!p->header_done) {
		json_t *h = header_new(t->tid, p->conf.argv, p->conf.envp, exe, rnd);
		p->header_done = 1;
		if (h) {
			json_object_set_new(h, "interp", interp ? json_incref(interp) : json_null());
			if (p->conf.portable)
				json_object_set_new(h, "portable", json_true());
			if (p->conf.serial)
				json_object_set_new(h, "serial", json_true());
			json_t *pd;
			if (p->conf.perturb && p->conf.perturb->describe &&
			    (pd = p->conf.perturb->describe(p->conf.perturb)) != NULL)
				json_object_set_new(h, "perturbed", pd);
		}
		if ((e = emit(p, h)) == 0 && (e = put_blob(p, proc, exe)) == 0 && interp)
			e = put_blob(p, json_string_value(json_object_get(interp, "path")), interp);
		json_decref(exe);
		json_decref(rnd);
		json_decref(interp);
		return p->st.write_error && e != -ENOMEM ? 0 : e;
	}
	/* An exec by the program: the details go into its execve event, and
	 * the content of the new executable and loader before it (portable,
	 * or made by the program: carry_if_made). */
	carry_if_made(p, proc, exe, false);
	if (interp)
		carry_if_made(p, json_string_value(json_object_get(interp, "path")), interp, false);
	if ((e = put_blob(p, proc, exe)) == 0 && interp)
		e = put_blob(p, json_string_value(json_object_get(interp, "path")), interp);
	if (t->call.extra == NULL)
		t->call.extra = json_object();
	json_object_set_new(t->call.extra, "exe", exe);
	json_object_set_new(t->call.extra, "interp", interp ? interp : json_null());
	json_object_set_new(t->call.extra, "at_random", rnd ? rnd : json_null());
	/* A script: what the kernel ran (its interpreter, with these
	 * arguments), and the script as it was, so that replay can run the
	 * interpreter itself where the script is gone or changed (one the
	 * program wrote: a generated configure, a libtool wrapper). */
	json_t *xa = exec_argv(t->tid);
	if (xa && !json_equal(xa, json_object_get(t->call.args, "argv"))) {
		const char *sp = json_string_value(json_object_get(t->call.extra, "path_abs"));
		if (sp == NULL)
			sp = json_string_value(json_object_get(t->call.args, "path"));
		int se;
		json_t *sid = sp && t->call.nr == SYS_execve ? fileid_get(sp, sp, &se) : NULL;
		json_object_set_new(t->call.extra, "exec_argv", xa);
		if (sid)
			json_object_set_new(t->call.extra, "script", sid);
	} else
		json_decref(xa);
	return p->st.write_error && e != -ENOMEM ? 0 : e;
}

struct module *
proxy_new(const struct proxy_conf *conf)
{
	struct proxy *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	p->conf = *conf;
	clock_gettime(CLOCK_REALTIME_COARSE, &p->start);
	p->st.unknown = json_object();
	p->blobs = json_object();
	p->too_big = json_object();
	p->mapped = json_object();
	p->mod.name = "proxy";
	p->mod.enter = proxy_enter;
	p->mod.exit = proxy_exit;
	p->mod.exec = proxy_exec;
	p->mod.signal = proxy_signal;
	p->mod.clone = proxy_clone;
	p->mod.due = proxy_due;
	p->mod.task_exit = proxy_task_exit;
	p->mod.task_release = proxy_task_release;
	p->mod.state = p;
	if (conf->fast && !conf->perturb && !conf->stacks && proxy_fast_open(p) < 0 && conf->warn)
		conf->warn("no fast path: the agent's ring cannot be made (%s)", strerror(errno));
	return &p->mod;
}

const struct proxy_stats *
proxy_stats(const struct module *m)
{
	return &P(m)->st;
}

int
proxy_finish(struct module *m, const struct kernel *k)
{
	struct proxy *p = P(m);
	json_t *f, *end;
	char sb[16];

	proxy_fast_gone(p, 0);
	f = json_object();
	end = json_object();

	if (p->st.aborted)
		json_object_set_new(f, "aborted", json_string(p->st.aborted));
	else if (k->root_done && WIFSIGNALED(k->root_status))
		json_object_set_new(end, "signal", json_string(signal_name(WTERMSIG(k->root_status), sb)));
	else if (k->root_done)
		json_object_set_new(end, "exit", json_int64(WEXITSTATUS(k->root_status)));
	json_object_set_new(f, "end", end);
	json_object_set_new(f, "events", json_uint64(p->seq));
	if (p->fast)
		json_object_set_new(f, "fast", json_uint64(p->st.fast_events));
	if (json_object_size(p->st.unknown) > 0)
		json_object_set(f, "incomplete", p->st.unknown);
	json_t *shown = order_shown(p);
	if (shown)
		json_object_set_new(f, "shown", shown);
	return emit(p, f);
}

void
proxy_tick(struct module *m, struct kernel *k)
{
	order_tick(P(m), k);
	proxy_signal_tick(k);
}

void
proxy_free(struct module *m)
{
	if (m == NULL)
		return;
	stack_forget_all();
	json_decref(P(m)->st.unknown);
	json_decref(P(m)->blobs);
	json_decref(P(m)->too_big);
	json_decref(P(m)->mapped);
	free(P(m)->dbuf);
	free(P(m)->oheld);
	free(P(m)->shared);
	proxy_fast_close(P(m));
	free(P(m));
}
