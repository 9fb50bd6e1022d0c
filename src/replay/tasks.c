/* tasks.c: the replay module's hooks of tasks that come and go: a clone's
 * child given its recorded id, a new task's first stop, a task's end
 * (its queue of the fast path, its ids and its table let go, its exit
 * event taken), and which held task is due next. */
#include "config.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "kernel/tracee.h"
#include "inspect/render.h"
#include "sys/capture.h"
#include "sys/mem.h"
#include "sys/xlat.h"
#include "replay/internal.h"

/* The parent's clone event stop: the child gets the recorded id. */
int
replay_clone(struct module *m, struct kernel *k, struct task *parent, struct task *child)
{
	struct replay *r = R(m);
	struct rtask *prt = RTR(r, parent), *crt;
	struct call *c = &parent->call;
	uint64_t flags;
	pid_t v;
	int e;

	if (prt->kind != EX_CLONE || prt->ev == NULL) {
		rp_fail(r, k, "task %d made a new task where the recording has none", parent->vtid);
		return 0;
	}
	v = (pid_t)event_result(prt->ev, &(int){0});
	child->vtid = v;
	if ((e = rp_id_add(r, v, child->tid)) < 0 || (crt = RT(child)) == NULL)
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
	crt->vpgid = prt->vpgid;
	fastpath_task_inherit(&crt->fast, &prt->fast);	/* the memory, and the agent in it, are the parent's */
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
int
replay_start(struct module *m, struct kernel *k, struct task *child)
{
	struct rtask *rt = RT(child);

	(void)m;
	(void)k;
	if (rt && rt->ctid_addr)
		mem_write(child->tid, rt->ctid_addr, &child->vtid, sizeof child->vtid);
	return 0;
}

/* What a task holds of the module: its descriptor table, its event. */
void
replay_task_release(struct module *m, struct task *t)
{
	struct rtask *rt = t->mod;

	(void)m;
	if (rt) {
		rp_fdtab_put(rt->fds);
		rt->fds = NULL;
		json_decref(rt->ev);
		rt->ev = NULL;
	}
}

void
replay_task_exit(struct module *m, struct kernel *k, struct task *t, int status)
{
	struct replay *r = R(m);
	struct rtask *rt = t->mod;

	if (r->fast && rp_fast_collect(r, k, t) < 0)
		rp_fail(r, k, "the clock reads task %d's agent answered were not the events "
		    "that came next (a bug of dios; --no-fast replays without the agent)", (int)t->vtid);
	rp_fast_forget(r, t);
	if (r->off) {
		/* its end, as it came: the model has no recording of it */
		char sb[16];
		json_t *ev = json_pack("{s:I, s:s}", "tid", (json_int_t)t->vtid, "event", "exit");
		if (ev && WIFSIGNALED(status))
			json_object_set_new(ev, "signal", json_string(signal_name(WTERMSIG(status), sb)));
		else if (ev)
			json_object_set_new(ev, "exit", json_integer(WEXITSTATUS(status)));
		if (ev)
			rp_emit(r, ev, false);
		json_decref(ev);
		replay_task_release(m, t);
		return;
	}
	if (rt == NULL || !rt->exit_taken)
		rp_dead_add(r, t->vtid);
	/* Killed inside a clone whose child it never announced: the child
	 * dios never sees (it is killed as an orphan, kernel.h) ended too. */
	if (rt && rt->kind == EX_CLONE && rt->ev && t->state == TS_IN_CALL) {
		int ok;
		long child = event_result(rt->ev, &ok);
		if (ok && child > 0 && task_find_vtid(k, (pid_t)child) == NULL)
			rp_dead_add(r, (pid_t)child);
	}
	/* Now, not when the task is freed: its share of the descriptor
	 * table goes before the events after its end are taken. */
	replay_task_release(m, t);
	rp_advance(r, k, NULL);
}

pid_t
replay_due(struct module *m, struct kernel *k)
{
	struct replay *r = R(m);

	if (r->outcome != RO_RUNNING)
		return 0;
	if (r->off) {
		/* no order any more: a task held for its turn goes on */
		for (struct task *t = k->tasks; t; t = t->next)
			if (t->state == TS_PARKED && !t->dying)
				return t->vtid;
		return 0;
	}
	rp_advance(r, k, NULL);
	return r->next ? rp_owner_of(r->next) : 0;
}
