/* loop.c: the event loop and the module stack.
 *
 * No task leaves dios's control, and none outlives it: every new task is
 * traced (CLONE_UNTRACED is cleared at the seccomp stop, before the kernel
 * sees it), dios is the subreaper of the tree (orphans stay its children),
 * and whatever ends the run (its end, a module's stop, an error, a fatal
 * signal to dios) kills and reaps every task before kernel_run returns.
 * PTRACE_O_EXITKILL (spawn.c) covers dios's own death by SIGKILL.
 */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <linux/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "sys/capture.h"
#include "sys/systable.h"
#include "kernel/cpuid.h"
#include "kernel/kernel.h"
#include "kernel/sched.h"
#include "kernel/tracee.h"
#include "trace/sha256.h"

/* Fills c->nr, c->a, c->sc, c->sp and c->regs from a seccomp stop of tid. */
static int
call_load_entry(pid_t tid, struct call *c)
{
	call_reset(c);
	/* One GETREGS gives the call and its arguments, and the registers
	 * replay changes to skip it. */
	if (ptrace(PTRACE_GETREGS, tid, 0, &c->regs) < 0)
		return -errno;
	c->nr = (long)c->regs.orig_rax;
	c->a[0] = c->regs.rdi;
	c->a[1] = c->regs.rsi;
	c->a[2] = c->regs.rdx;
	c->a[3] = c->regs.r10;
	c->a[4] = c->regs.r8;
	c->a[5] = c->regs.r9;
	c->sp = c->regs.rsp;
	c->sc = sc_by_nr(c->nr);
	return 0;
}

/* Reads the result at a syscall-exit stop into c->ret. */
static int
call_load_exit(pid_t tid, struct call *c)
{
	struct ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info) < 0)
		return -errno;
	if (info.op != PTRACE_SYSCALL_INFO_EXIT)
		return -EPROTO;
	c->ret = (long)info.exit.rval;
	return 0;
}

static volatile sig_atomic_t ticked;
/* SIGTERM, SIGHUP, SIGINT, SIGQUIT that reached dios: how many, and the
 * last one.  The loop acts on them (on_fatal), not the handler: the loop
 * knows which tasks are still there. */
static volatile sig_atomic_t nfatal, fatal_sig;

static void
on_alarm(int sig)
{
	(void)sig;
	ticked = 1;
}

static void
on_fatal_signal(int sig)
{
	fatal_sig = sig;
	nfatal++;
}

void
kernel_push(struct kernel *k, struct module *m)
{
	if (k->nmodules < KERNEL_MAX_MODULES)
		k->stack[k->nmodules++] = m;
}

int
status_to_exit(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

void
kernel_kill_task(struct kernel *k, struct task *t)
{
	(void)k;
	t->dying = true;
	syscall(SYS_tkill, t->tid, SIGKILL);
}

/* SIGKILL for task p, stopped (status st): one at its exit stop
 * (PTRACE_EVENT_EXIT, replay's spawn_req.trace_exit), which SIGKILL does
 * not end, goes on to its end. */
static void
kill_stopped(pid_t p, int st)
{
	syscall(SYS_tkill, p, SIGKILL);
	if (is_exit_stop(st))
		ptrace(PTRACE_CONT, p, 0, 0);
}

/* SIGKILL for every task dios knows. */
static void
kill_tasks(struct kernel *k)
{
	for (struct task *t = k->tasks; t; t = t->next)
		kernel_kill_task(k, t);
}

void
kernel_kill_all(struct kernel *k)
{
	int st;

	k->killing = true;
	kill_tasks(k);
	/* Until dios has no child and no tracee left: a task made as the
	 * others died first shows itself by its first stop, an orphan is
	 * dios's child (the subreaper). */
	for (;;) {
		pid_t p = waitpid(-1, &st, __WALL);
		if (p < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct task *t = task_find(k, p);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (t)
				task_free(k, t);
		} else
			kill_stopped(p, st);
	}
	while (k->tasks)
		task_free(k, k->tasks);
	sched_free(k);
}

static int
resume(struct task *t, int sig)
{
	int req = t->state == TS_IN_CALL ? PTRACE_SYSCALL : PTRACE_CONT;

	if (ptrace(req, t->tid, 0, sig) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 0;
}

/* A group stop: t stays stopped, as the process does natively, until a
 * SIGCONT (or SIGKILL) ends it; PTRACE_LISTEN lets the kernel tell dios
 * then (a PTRACE_EVENT_STOP with SIGTRAP).  PTRACE_CONT here would let it
 * run on while its parent's waitpid says it is stopped. */
static int
listen_stopped(struct task *t)
{
	t->listening = true;
	if (ptrace(PTRACE_LISTEN, t->tid, 0, 0) < 0)
		return errno == ESRCH ? 0 : -errno;
	return 0;
}

/* Passes t's call (loaded) down the stack. */
/* serial: a vfork child's exec call runs (recorded, or its event matched
 * in replay): its parent's group waits from now until the parent goes on
 * (struct task, vfork_resume).  The exec's event is written at its end
 * when recording, and the kernel lets the parent go then, so no task of
 * its group may run between the event and the parent's next code. */
static void
vfork_exec_begins(struct kernel *k, struct task *t)
{
	struct task *p;

	if (!k->serial || !t->vfork_parent || t->call.sc == NULL || !(t->call.sc->flags & SC_EXEC))
		return;
	if ((p = task_find(k, t->vfork_parent)) != NULL && p->vfork_child == t->tid && !p->dying)
		p->vfork_resume = true;
}

/* The exec of a vfork child failed: its parent waits on, and its group
 * with it no longer. */
static int
vfork_exec_failed(struct kernel *k, struct task *t)
{
	struct task *p = t->vfork_parent ? task_find(k, t->vfork_parent) : NULL;
	struct sgroup *g;

	if (p == NULL || p->vfork_child != t->tid || !p->vfork_resume)
		return 0;
	p->vfork_resume = false;
	return (g = sched_group(k, p)) != NULL ? sched_next(k, g) : 0;
}

static int
dispatch_enter(struct kernel *k, struct task *t)
{
	for (int i = 0; i < k->nmodules; i++) {
		struct module *m = k->stack[i];
		enum verdict v;

		if (m->enter == NULL)
			continue;
		v = m->enter(m, k, t);
		switch (v) {
		case V_PASS:
			continue;
		case V_RESUME:
			t->state = TS_RUNNING;
			return resume(t, 0);
		case V_EXIT_STOP:
			t->state = TS_IN_CALL;
			t->claimed = m;
			vfork_exec_begins(k, t);
			return resume(t, 0);
		case V_STOP:
			k->stop = true;
			return 0;
		case V_PARK:
			t->state = TS_PARKED;
			t->park_sig = 0;
			return 0;
		}
	}
	t->state = TS_RUNNING;
	return resume(t, 0);
}

/* CLONE_UNTRACED would make a task dios never sees (PTRACE_O_TRACECLONE
 * does not apply to it): it is cleared in the registers before the call
 * runs, in every mode.  c->a[0] keeps the flags the program passed, which
 * the trace records and replay compares. */
static int
keep_traced(struct task *t)
{
	struct call *c = &t->call;

	if (c->nr != SYS_clone || !(c->a[0] & CLONE_UNTRACED))
		return 0;
	c->regs.rdi &= ~(uint64_t)CLONE_UNTRACED;
	return regs_set(t->tid, &c->regs);
}

/* Does the call make memory the processes forked after it share with the
 * caller: a writable shared mapping of a file, any shared anonymous
 * mapping (fd -1 or MAP_ANONYMOUS, which a later mprotect may make
 * writable), a System V segment attached? */
static bool
shares_memory(const struct call *c)
{
	if (c->nr == SYS_shmat)
		return true;
	if (c->nr != SYS_mmap || !(c->a[3] & MAP_SHARED))	/* MAP_SHARED_VALIDATE too */
		return false;
	return (c->a[3] & MAP_ANONYMOUS) || (int)c->a[4] < 0 || (c->a[2] & PROT_WRITE);
}

static int
on_enter(struct kernel *k, struct task *t)
{
	int e;

	if (t->cpuid_pending && !k->cpuid_off) {
		/* cpuid faulting on (cpuid.h), then the call comes again */
		e = cpuid_arm(t->tid);
		t->cpuid_pending = e == -EAGAIN;
		if (e == -ENODEV)
			k->cpuid_off = true;	/* not on this processor: cpuid runs as it is */
		if (e == 0 || e == -ENODEV || e == -ESRCH)
			return 0;
		if (e != -EAGAIN)
			return e;
	}
	e = call_load_entry(t->tid, &t->call);

	t->keep_turn = false;
	if (e == 0 && k->serial && shares_memory(&t->call))
		sched_mark_shared(k, t);	/* sched.h: its forks join its group */
	if (e == 0)
		e = keep_traced(t);
	if (e < 0)
		return e == -ESRCH ? 0 : e;
	return dispatch_enter(k, t);
}

/* The vfork child's exec is handled, or the child is gone: its parent
 * goes on (the stop it was held at is handled now). */
static int
vfork_release(struct kernel *k, struct task *child)
{
	struct task *p = child->vfork_parent ? task_find(k, child->vfork_parent) : NULL;

	child->vfork_parent = 0;
	child->vfork_exec = false;
	if (p == NULL || p->vfork_child != child->tid)
		return 0;
	p->vfork_child = 0;
	p->vfork_resume = k->serial && !k->killing && !p->dying;
	if (!p->held)
		return 0;	/* its exit stop comes, and goes first (sched.c) */
	if (k->killing || p->dying) {
		p->held = false;
		kernel_kill_task(k, p);
		return 0;
	}
	struct sgroup *g = sched_group(k, p);
	if (g)
		return sched_next(k, g);	/* its stop waits its turn */
	p->held = false;
	return kernel_on_stop(k, p, p->held_status);
}

static int
exit_stop(struct kernel *k, struct task *t)
{
	int e;

	if (t->state != TS_IN_CALL || t->claimed == NULL)
		return resume(t, 0);
	if ((e = call_load_exit(t->tid, &t->call)) < 0)
		return e == -ESRCH ? 0 : e;
	e = t->claimed->exit ? t->claimed->exit(t->claimed, k, t) : 0;
	t->state = TS_RUNNING;
	t->claimed = NULL;
	if (k->stop)
		return 0;
	if (e < 0)
		return e;
	return resume(t, 0);
}

static int
on_exit_stop(struct kernel *k, struct task *t)
{
	bool exec = t->vfork_parent && !t->vfork_exec && t->call.sc && (t->call.sc->flags & SC_EXEC);
	int e = exit_stop(k, t);

	if (e == 0 && exec && !t->vfork_exec && !k->stop)
		e = vfork_exec_failed(k, t);

	if (e == 0 && t->vfork_exec && !k->stop)
		e = vfork_release(k, t);
	return e;
}

/* Runs the exec hooks for t (stopped at its exec event). */
static int
on_exec(struct kernel *k, struct task *t)
{
	int e0;

	/* a new program shares no memory with its old group */
	if ((e0 = sched_leave(k, t)) < 0)
		return e0;
	/* the exec turned cpuid faulting off (cpuid.h): on again at the new
	 * program's first call */
	t->cpuid_pending = !k->cpuid_off;
	for (int i = 0; i < k->nmodules; i++)
		if (k->stack[i]->exec) {
			int e = k->stack[i]->exec(k->stack[i], k, t);
			if (e < 0 || k->stop)
				return e;
		}
	return 0;
}

/* A new task whose first stop came before any clone event announced it:
 * is its parent gone (dios, the subreaper, is its parent now), or dying?
 * Then no clone event will ever announce it. */
static bool
orphan(struct kernel *k, pid_t tid)
{
	char path[64], line[256];
	long ppid = -1, tgid = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (fgets(line, sizeof line, f) && ppid < 0)
		if (sscanf(line, "Tgid: %ld", &tgid) != 1)
			sscanf(line, "PPid: %ld", &ppid);
	fclose(f);
	/* A thread's PPid is its process's parent (dios, for the root's
	 * threads): the clone event that announces it comes from its own
	 * process, unless that is dying. */
	if (tgid > 0 && tgid != (long)tid) {
		struct task *l = task_find(k, (pid_t)tgid);
		return l && l->dying;
	}
	if (ppid == (long)getpid())
		return true;
	struct task *p = ppid > 0 ? task_find(k, (pid_t)ppid) : NULL;
	return p && p->dying;
}

static int start_task(struct kernel *k, struct task *t);

/* Record: a new task no clone event will announce runs on as a process of
 * its own, known by its real id. */
static int
adopt(struct kernel *k, struct task *t)
{
	t->announced = true;
	t->vtid = t->tid;
	t->group = k->serial ? t->tid : 0;
	return start_task(k, t);
}

/* t, killed inside a clone, never announced the child it made: the new
 * tasks no clone event announced whose parent is gone are killed
 * (k->kill_orphans: replay, where the recording has their end) or run on
 * as their own (record). */
static int
lone_tasks(struct kernel *k)
{
	for (struct task *u = k->tasks; u; u = u->next)
		if (u->state == TS_NEW && !u->announced && !u->dying && u->stopped &&
		    orphan(k, u->tid)) {
			if (k->kill_orphans)
				kernel_kill_task(k, u);
			else {
				int e = adopt(k, u);
				if (e < 0)
					return e;
			}
		}
	return 0;
}

static void
on_task_exit(struct kernel *k, struct task *t, int st)
{
	bool in_clone = t->state == TS_IN_CALL && t->call.sc && (t->call.sc->flags & SC_CLONE);
	for (int i = 0; i < k->nmodules; i++)
		if (k->stack[i]->task_exit)
			k->stack[i]->task_exit(k->stack[i], k, t, st);
	if (t->vfork_parent)
		vfork_release(k, t);
	if (t->tid == k->root) {
		k->root_status = st;
		k->root_done = true;
	}
	pid_t tid = t->tid, group = t->group;
	task_free(k, t);
	if (in_clone && !k->killing)
		(void)lone_tasks(k);
	if (k->serial)
		(void)sched_gone(k, tid, group);
	/* Stopped by a signal, the run ends with the program: what is left
	 * of the tree (daemons, orphans) goes with it. */
	if (k->root_done && (k->interrupted || k->end_with_root) && !k->killing) {
		if (!k->interrupted)
			for (struct task *u = k->tasks; u; u = u->next)
				k->left_killed++;
		k->killing = true;
		kill_tasks(k);
	}
}

/* A fatal signal reached dios (nfatal counts them).  The first SIGTERM or
 * SIGHUP is passed on to the program, which may end as it likes (the trace
 * records how); SIGINT and SIGQUIT are not, since the terminal sends them
 * to the program too.  The run then ends when the program does, and the
 * rest of the tree is killed; a second signal, or one that comes when the
 * program has ended, kills the whole tree at once.  Either way the tasks'
 * ends go through the loop, so the modules see them. */
static void
on_fatal(struct kernel *k, int n)
{
	int sig = fatal_sig;

	if (k->killing)
		return;
	if (n == 1 && !k->root_done) {
		k->interrupted = sig;
		/* The root is in the table, not reaped: its pid is its own. */
		if ((sig == SIGTERM || sig == SIGHUP) && task_find(k, k->root))
			kill(k->root, sig);
		return;
	}
	k->interrupted = sig;
	k->killing = true;
	kill_tasks(k);
}

static int
on_signal(struct kernel *k, struct task *t, int sig)
{
	int orig = sig;
	struct user_regs_struct regs;

	/* a cpuid (cpuid.h): answered here, the same in every mode */
	if (sig == SIGSEGV && !k->cpuid_off && regs_get(t->tid, &regs) == 0 && cpuid_complete(t->tid, &regs) &&
	    regs_set(t->tid, &regs) == 0)
		return resume(t, 0);
	for (int i = 0; i < k->nmodules && sig > 0; i++)
		if (k->stack[i]->signal)
			sig = k->stack[i]->signal(k->stack[i], k, t, sig);
	if (sig == SIG_PARK) {
		t->state = TS_PARKED;
		t->park_sig = orig;
		return 0;
	}
	return resume(t, sig);
}

/* A new task (announced by its parent, first stop seen) starts running. */
static int
start_task(struct kernel *k, struct task *t)
{
	int e;

	for (int i = 0; i < k->nmodules; i++)
		if (k->stack[i]->start && (e = k->stack[i]->start(k->stack[i], k, t)) < 0)
			return e;
	t->state = TS_RUNNING;
	return resume(t, 0);
}

/* The parent's fork/vfork/clone event stop: the child exists (and may have
 * stopped already: see the loop). */
static int
on_clone(struct kernel *k, struct task *parent)
{
	unsigned long msg;
	struct task *child;
	int e;

	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &msg) < 0)
		return errno == ESRCH ? 0 : -errno;
	if ((child = task_find(k, (pid_t)msg)) == NULL) {
		if ((child = task_new(k, (pid_t)msg)) == NULL)
			return -ENOMEM;
		child->state = TS_NEW;
		child->vtid = 0;
	}
	child->ptid = parent->tid;
	child->announced = true;
	if (k->serial)
		child->group = (parent->call.nr == SYS_clone && (parent->call.a[0] & CLONE_THREAD)) ||
		    (!(parent->call.nr == SYS_clone && (parent->call.a[0] & CLONE_VM)) &&
		    parent->call.nr != SYS_vfork && sched_shares(k, parent)) ? parent->group : child->tid;
	if (parent->call.nr == SYS_vfork ||
	    (parent->call.nr == SYS_clone && (parent->call.a[0] & CLONE_VFORK))) {
		parent->vfork_child = child->tid;
		child->vfork_parent = parent->tid;
	}
	for (int i = 0; i < k->nmodules; i++)
		if (k->stack[i]->clone &&
		    (e = k->stack[i]->clone(k->stack[i], k, parent, child)) < 0)
			return e;
	if (k->stop)
		return 0;
	struct sgroup *g = sched_group(k, child);
	if (g) {
		/* Its first stop waits its turn: it comes before any other
		 * held stop of the group once the parent's code after the
		 * clone stopped (sched_next), in record and replay alike. */
		child->held_seq = k->held_next++;
		if (child->stopped)
			child->held = true, child->held_status = (SIGSTOP << 8) | 0x7f;
		if ((e = resume(parent, 0)) < 0)
			return e;
		/* a new process is a group of its own: it may start now */
		return child->group != parent->group ? sched_next(k, g) : 0;
	}
	if (child->stopped && (e = start_task(k, child)) < 0)
		return e;
	return resume(parent, 0);
}

/* An exec by a thread other than the leader: the kernel gives it the
 * leader's tid (t, the task waitpid named, is the leader's entry), and the
 * leader is gone without a word. */
static void
exec_rename(struct kernel *k, struct task *t)
{
	unsigned long old;
	struct task *o;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &old) < 0 || (pid_t)old == t->tid)
		return;
	if ((o = task_find(k, (pid_t)old)) == NULL)
		return;
	/* t is the leader's entry, o the thread that execs: o lives on
	 * under the leader's ids, but the exec is its own call. */
	o->exec_vtid = o->vtid;
	o->tid = t->tid;
	o->vtid = t->vtid;
	task_free(k, t);
}

/* Wakes the parked task whose turn has come, as long as there is one. */
static int
unpark(struct kernel *k)
{
	struct module *m = NULL;
	int e = 0;

	for (int i = 0; i < k->nmodules; i++)
		if (k->stack[i]->due)
			m = k->stack[i];
	if (m == NULL)
		return 0;
	while (!k->stop) {
		pid_t v = m->due(m, k);
		struct task *t = v > 0 ? task_find_vtid(k, v) : NULL;
		bool all = k->tasks != NULL;

		if (t && t->dying)
			break;	/* its end comes, and moves the order on */
		if (t && t->state == TS_PARKED && sched_busy(k, t))
			break;	/* another task of its group runs, or starts: it goes first */
		if (t == NULL || t->state != TS_PARKED) {
			for (struct task *u = k->tasks; u; u = u->next)
				if (u->state != TS_PARKED || u->dying)
					all = false;
			if (all && m->stalled) {
				m->stalled(m, k);
				/* it may have freed the order (replay left the
				 * recording): a parked task is due now */
				pid_t d = k->stop ? 0 : m->due(m, k);
				struct task *dt = d > 0 ? task_find_vtid(k, d) : NULL;
				if (dt && dt->state == TS_PARKED && dt != t)
					continue;
			}
			break;
		}
		t->state = TS_RUNNING;
		pid_t tid = t->tid;
		if (t->park_sig) {
			int sig = t->park_sig;
			t->park_sig = 0;
			e = on_signal(k, t, sig);
		} else
			e = dispatch_enter(k, t);
		if (e < 0)
			break;
		if ((t = task_find(k, tid)) != NULL && t->state == TS_PARKED) {
			/* parked again: go on only if the turn moved on */
			if (m->due(m, k) == v)
				break;
			continue;
		}
		if (t)
			sched_settle(k, sched_group(k, t), tid);
	}
	return e;
}

/* Handles a stop of t (status st from waitpid), not an end.  A vfork
 * parent's stops wait (held) while its child's exec is not fully handled:
 * see struct task, vfork_child. */
int
kernel_on_stop(struct kernel *k, struct task *t, int st)
{
	pid_t pid = t->tid;
	int sig = WSTOPSIG(st), ev = st >> 16, e = 0;

	if (is_exit_stop(st)) {
		/* Its end (replay's PTRACE_O_TRACEEXIT), never held: it goes
		 * on to its end at once.  The robust futexes it holds name it
		 * by its real id first, so the kernel marks them
		 * FUTEX_OWNER_DIED and wakes their waiters, as when recording
		 * (the C library wrote the recorded id there). */
		(void)robust_own(t->tid, t->vtid);
		if (ptrace(PTRACE_CONT, pid, 0, 0) < 0 && errno != ESRCH)
			return -errno;
		return 0;
	}
	if (t->state != TS_NEW && t->vfork_child && task_find(k, t->vfork_child)) {
		sched_hold(k, t, st);
		return 0;
	}
	t->vfork_child = 0;
	t->vfork_resume = false;
	t->listening = false;
	if (t->state == TS_NEW) {
		/* its first stop */
		t->stopped = true;
		e = t->announced ? start_task(k, t) : 0;
	} else if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP)
		e = on_enter(k, t);
	else if (sig == (SIGTRAP | 0x80))
		e = on_exit_stop(k, t);
	else if (sig == SIGTRAP && (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
	    ev == PTRACE_EVENT_CLONE))
		e = on_clone(k, t);
	else if (sig == SIGTRAP && ev == PTRACE_EVENT_EXEC) {
		exec_rename(k, t);
		if ((t = task_find(k, pid)) != NULL && (e = on_exec(k, t)) == 0 && !k->stop) {
			bool exit_stop = t->state == TS_IN_CALL;
			e = resume(t, 0);
			if (t->vfork_parent) {
				/* the exec's event is written at its exit stop,
				 * when there is one */
				t->vfork_exec = true;
				if (!exit_stop && e == 0)
					e = vfork_release(k, t);
			}
		}
	} else if (ev == PTRACE_EVENT_STOP && kernel_stop_signal(sig))
		/* a group stop: its stop signal says so; the stop that ends
		 * one (SIGCONT) and those of PTRACE_INTERRUPT say SIGTRAP */
		e = listen_stopped(t);
	else if (ev == PTRACE_EVENT_STOP || (sig == SIGTRAP && ev != 0))
		e = resume(t, 0);
	else
		e = on_signal(k, t, sig);
	return e;
}

static void
setup_signals(struct kernel *k, bool on)
{
	struct sigaction sa;
	struct itimerval it;

	memset(&sa, 0, sizeof sa);
	memset(&it, 0, sizeof it);
	if (on) {
		sa.sa_handler = on_alarm;	/* no SA_RESTART: waitpid returns EINTR */
		it.it_interval.tv_sec = it.it_value.tv_sec = 1;
	} else
		sa.sa_handler = SIG_DFL;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);

	/* SIGTERM, SIGHUP, SIGINT and SIGQUIT end the run (on_fatal), unless
	 * dios was started with them ignored (nohup, a background job): then
	 * they stay so. */
	static const int fatal[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT };
	static struct sigaction saved[4];
	(void)k;
	/* Hashing a huge file stops at one of them (-EINTR: the loop then
	 * ends the run as for any of them). */
	sha256_cancel = on ? &nfatal : NULL;
	for (int i = 0; i < 4; i++) {
		if (!on) {
			sigaction(fatal[i], &saved[i], NULL);
			continue;
		}
		sigaction(fatal[i], NULL, &saved[i]);
		if (saved[i].sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = on_fatal_signal;
		sigaction(fatal[i], &sa, NULL);
	}
}

int
kernel_run(struct kernel *k)
{
	struct task *root = task_find(k, k->root);
	int e = 0, seen = 0;

	if (root == NULL)
		return -ESRCH;
	/* Orphans of the tree become dios's children, not init's. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	nfatal = 0;
	setup_signals(k, true);
	root->state = TS_RUNNING;
	if (k->serial)
		root->group = root->tid;
	if ((e = on_exec(k, root)) < 0 || k->stop)
		goto out;
	if ((e = resume(root, 0)) < 0)
		goto out;
	sched_settle(k, sched_group(k, root), root->tid);
	while (!k->stop && k->tasks) {
		int st;
		pid_t pid;
		struct task *t;

		while (seen < nfatal)
			on_fatal(k, ++seen);
		if (ticked) {
			ticked = 0;
			if (k->tick && (e = k->tick(k)) < 0)
				goto out;
			if (k->serial && (e = sched_tick(k)) < 0)
				goto out;
			if ((e = unpark(k)) < 0)	/* a watchdog may have let tasks go */
				goto out;
		}
		pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			e = -errno;
			goto out;
		}
		if ((t = task_find(k, pid)) == NULL) {
			/* A new child, stopped before its parent's event stop
			 * announced it: held until then. */
			if (WIFEXITED(st) || WIFSIGNALED(st))
				continue;
			if (is_exit_stop(st)) {
				/* ended before dios saw it start: it goes */
				ptrace(PTRACE_CONT, pid, 0, 0);
				continue;
			}
			if (k->killing) {
				syscall(SYS_tkill, pid, SIGKILL);
				continue;
			}
			bool lone = orphan(k, pid);
			if (lone && k->kill_orphans) {
				/* its parent died making it: it goes too */
				syscall(SYS_tkill, pid, SIGKILL);
				continue;
			}
			if ((t = task_new(k, pid)) == NULL) {
				e = -ENOMEM;
				goto out;
			}
			t->state = TS_NEW;
			t->vtid = 0;
			t->stopped = true;
			if (lone)
				e = adopt(k, t);
			if (e < 0)
				goto out;
			continue;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			on_task_exit(k, t, st);
			if (!k->killing && (e = unpark(k)) < 0)
				goto out;
			continue;
		}
		if (k->killing || t->dying) {
			/* a stop from before its SIGKILL: it dies as it is */
			kernel_kill_task(k, t);
			if (is_exit_stop(st))
				ptrace(PTRACE_CONT, pid, 0, 0);
			continue;
		}
		e = sched_stop(k, t, st);
		if (e == 0)
			e = unpark(k);
		if (e == -EINTR && nfatal && !k->killing) {
			/* A hash stopped by SIGTERM...: the task stays at a stop
			 * whose event is not written, so the run ends here. */
			k->interrupted = fatal_sig;
			k->killing = true;
			kill_tasks(k);
			e = 0;
		}
		if (e < 0)
			goto out;
	}
out:
	setup_signals(k, false);
	/* Whatever ended the run, no task outlives it. */
	kernel_kill_all(k);
	return e;
}
