/* sched.c: the one-at-a-time schedule (struct kernel, serial; the
 * interface in sched.h): the groups of tasks that share memory, the turn
 * in each, the stops held until their turn, and the watchdog that takes
 * the turn from a task that spins.
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include "kernel/kernel.h"
#include "kernel/sched.h"
#include "kernel/tracee.h"
#include "sys/systable.h"

struct sgroup {
	pid_t id;
	pid_t runner;		/* the task running its own code; 0: none */
	unsigned ticks;		/* ticks the runner ran while others waited */
	bool shared;		/* has writable shared mappings: forks join it */
	struct sgroup *next;
};

void
sched_free(struct kernel *k)
{
	while (k->groups) {
		struct sgroup *g = k->groups;
		k->groups = g->next;
		free(g);
	}
}

struct sgroup *
sched_group(struct kernel *k, const struct task *t)
{
	struct sgroup *g;

	if (!k->serial || t->group == 0)
		return NULL;
	for (g = k->groups; g; g = g->next)
		if (g->id == t->group)
			return g;
	if ((g = calloc(1, sizeof *g)) == NULL)
		return NULL;	/* then unscheduled */
	g->id = t->group;
	g->next = k->groups;
	k->groups = g;
	return g;
}

void
sched_hold(struct kernel *k, struct task *t, int st)
{
	t->held = true;
	t->held_status = st;
	if (t->state != TS_NEW)	/* a new task keeps its place: its creation */
		t->held_seq = k->held_next++;
}

/* After a stop of task tid was handled: it holds the group's turn when it
 * runs its own code now (or is in a call that keeps it). */
void
sched_settle(struct kernel *k, struct sgroup *g, pid_t tid)
{
	struct task *t = task_find(k, tid);

	/* (a task that left g at an exec, sched_leave, settles in its own) */
	if (t && g && t->group != g->id)
		g = sched_group(k, t);
	if (g && g->runner == 0 && t && !t->held && !t->dying && !t->listening &&
	    (t->state == TS_RUNNING || (t->state == TS_IN_CALL && t->keep_turn))) {
		g->runner = tid;
		g->ticks = 0;
	}
}

/* The task of g made first of those that have not run yet, or NULL. */
static struct task *
first_new(struct kernel *k, const struct sgroup *g)
{
	struct task *f = NULL;

	for (struct task *t = k->tasks; t; t = t->next)
		if (t->group == g->id && !t->dying && t->state == TS_NEW && t->announced &&
		    (f == NULL || t->held_seq < f->held_seq))
			f = t;
	return f;
}

/* The task of g whose stop comes before any other's: a vfork parent its
 * child let go (struct task, vfork_resume), else the first new one. */
static struct task *
first_due(struct kernel *k, const struct sgroup *g)
{
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->group == g->id && !t->dying && t->vfork_resume)
			return t;
	return first_new(k, g);
}

static bool
may_go(struct kernel *k, const struct sgroup *g, const struct task *t)
{
	return t->group == g->id && !t->dying && t->held &&
	    !(t->vfork_child && task_find(k, t->vfork_child));
}

static bool
at_entry(int st)
{
	return st >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8));
}

/* The exit of the clone that made a new task: its parent kept the turn
 * through the call, and its code after the call runs before the new
 * task's, whose first stop waits for the parent's next stop.  Were the
 * parent held here instead, its exit would be handled at whatever stop
 * of another task came next (a futex wait's entry, say), a place no event
 * marks, and replay could not put the parent's code where it ran. */
static bool
clone_exit(const struct task *t, int st)
{
	return st >> 8 == (SIGTRAP | 0x80) && t->state == TS_IN_CALL && t->call.sc &&
	    (t->call.sc->flags & SC_CLONE);
}

/* While no task of g runs its own code: the held stop that came first
 * (vfork parents wait for their child instead) is handled. */
int
sched_next(struct kernel *k, struct sgroup *g)
{
	while (g && g->runner == 0 && !k->stop && !k->killing) {
		/* A vfork parent let go, then new tasks, in the order they
		 * were made: the first one made, once its first stop came. */
		struct task *n = first_due(k, g);
		if (n && (!n->held || (n->vfork_child && task_find(k, n->vfork_child))))
			break;	/* its stop comes first: wait for it (or its child's exec) */
		if (n == NULL)
			for (struct task *t = k->tasks; t; t = t->next)
				if (may_go(k, g, t) && (n == NULL || t->held_seq < n->held_seq))
					n = t;
		if (n == NULL)
			break;
		n->held = false;
		pid_t tid = n->tid;

		int e = kernel_on_stop(k, n, n->held_status);
		if (e < 0)
			return e;
		sched_settle(k, g, tid);
	}
	return 0;
}

/* May t (parked) go on in its group's turn: does no other task of its group
 * run its own code now, and no new one wait for its first run (which comes
 * first, as in sched_next)? */
bool
sched_busy(struct kernel *k, const struct task *t)
{
	struct sgroup *g = sched_group(k, t);
	struct task *f;

	if (g == NULL)
		return false;
	if (g->runner && g->runner != t->tid)
		return true;
	return (f = first_due(k, g)) != NULL && f != t;
}

/* A stop of t: handled now, or held while another task of its group runs
 * its own code. */
int
sched_stop(struct kernel *k, struct task *t, int st)
{
	struct sgroup *g = sched_group(k, t);
	pid_t tid = t->tid;
	int e;

	/* an end (PTRACE_EVENT_EXIT) is never held: it is not a turn */
	if (g == NULL || is_exit_stop(st))
		return kernel_on_stop(k, t, st);
	if (g->runner == tid)
		g->runner = 0;
	if (g->runner != 0) {
		sched_hold(k, t, st);
		return 0;
	}
	struct task *first = first_due(k, g);
	if (first && first != t && !clone_exit(t, st)) {
		/* a new task made before goes first (sched_next) */
		sched_hold(k, t, st);
		return sched_next(k, g);
	}
	if (!k->pick && first == NULL && at_entry(st)) {
		/* Others wait: they go first, in the order they came, and this
		 * call after them.  Else a thread whose calls are answered at
		 * their entry (a loop polling a clock, or a flag another
		 * thread sets between its calls) would keep the turn for ever,
		 * and the others never run. */
		for (struct task *o = k->tasks; o; o = o->next)
			if (o != t && may_go(k, g, o)) {
				sched_hold(k, t, st);
				return sched_next(k, g);
			}
	}
	if (k->pick && first == NULL && at_entry(st)) {
		/* A choice: this call now, or after the stops that wait, in
		 * the order they came.  Replay does the same where the trace
		 * has another task's event next (this one is not due: it
		 * waits), whatever those stops are: a choice among them would
		 * not be, for a stop that writes no event (a clone's exit). */
		for (struct task *o = k->tasks; o; o = o->next)
			if (o != t && may_go(k, g, o)) {
				if (k->pick(k->pick_arg, 2) == 0)
					break;
				sched_hold(k, t, st);
				t->deferred = true;
				return sched_next(k, g);
			}
	}
	if ((e = kernel_on_stop(k, t, st)) < 0)
		return e;
	sched_settle(k, g, tid);
	return sched_next(k, g);
}

void
sched_mark_shared(struct kernel *k, const struct task *t)
{
	struct sgroup *g = sched_group(k, t);

	if (g)
		g->shared = true;
}

bool
sched_shares(struct kernel *k, const struct task *t)
{
	struct sgroup *g = sched_group(k, t);

	return g && g->shared;
}

int
sched_leave(struct kernel *k, struct task *t)
{
	pid_t old = t->group;

	if (!k->serial || old == 0 || old == t->tid)
		return 0;
	t->group = t->tid;
	return sched_gone(k, t->tid, old);
}

/* t is gone: its group's turn passes on. */
int
sched_gone(struct kernel *k, pid_t tid, pid_t group)
{
	for (struct sgroup *g = k->groups; g; g = g->next)
		if (g->id == group) {
			if (g->runner == tid)
				g->runner = 0;
			return sched_next(k, g);
		}
	return 0;
}

/* Has task tid ended, as a thread group's leader does that leaves with
 * pthread_exit while its threads go on: a zombie, whose end no stop shows
 * until they are all gone. */
static bool
ended(pid_t tid)
{
	char state;
	int e = task_stat(tid, &state, NULL);

	return e == -ENOENT || (e == 0 && (state == 'Z' || state == 'X'));
}

/* The vtid of the task whose turn the module that orders tasks (replay)
 * says it is, or 0. */
static pid_t
due_now(struct kernel *k)
{
	for (int i = k->nmodules - 1; i >= 0; i--)
		if (k->stack[i]->due)
			return k->stack[i]->due(k->stack[i], k);
	return 0;
}

/* Every tick: a runner that ended (a leader gone with pthread_exit) while
 * others of its group wait (held, or parked for their turn in replay)
 * gives up the turn; one that ran two ticks while others are held, or
 * while the one whose turn has come in replay's order is parked, loses it
 * (it spins on memory another task must change). */
int
sched_tick(struct kernel *k)
{
	pid_t due = due_now(k);

	/* A new task announced by its clone event whose first stop never
	 * came, and which is gone (its end reported before the event, say):
	 * the tasks of its group no longer wait for it. */
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->state == TS_NEW && t->announced && !t->stopped && !t->dying && ended(t->tid)) {
			struct sgroup *g = sched_group(k, t);
			t->dying = true;
			int e = g ? sched_next(k, g) : 0;
			if (e < 0)
				return e;
		}
	for (struct sgroup *g = k->groups; g; g = g->next) {
		bool waiting = false, parked = false;
		if (g->runner == 0)
			continue;
		for (struct task *t = k->tasks; t; t = t->next)
			if (t->group == g->id) {
				waiting |= t->held || (due && t->vtid == due && t->state == TS_PARKED &&
				    !t->dying);
				parked |= t->state == TS_PARKED;
			}
		if ((waiting || parked) && ended(g->runner)) {
			g->runner = 0;
			int e = sched_next(k, g);
			if (e < 0)
				return e;
			continue;
		}
		if (!waiting) {
			g->ticks = 0;
			continue;
		}
		if (++g->ticks < 2)
			continue;
		g->runner = 0;
		k->serial_lost++;
		int e = sched_next(k, g);
		if (e < 0)
			return e;
	}
	return 0;
}
