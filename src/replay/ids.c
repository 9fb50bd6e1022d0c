/* ids.c: task ids (private to src/replay): the recorded id and the real
 * one of every task of the run, the recorded process groups, and the calls
 * that name tasks (wait4, waitid, kill, tgkill, tkill).
 *
 * Replay is a sandbox (DESIGN.md, "Replay rules"): a recorded id is never
 * handed to the kernel as it stands, since it names whatever process has
 * that number on this host now (another user's, the shell that runs
 * dios-replay; 0: dios-replay's process group; -1: everything it may
 * signal).  A signal that
 * must be sent for real (SIGKILL, whose arrival no stop shows) is sent by
 * dios itself, to the real tid of each live task of the tree the call
 * names; a task dios has not seen end cannot have been reaped, so its
 * number is not anyone else's yet.  Ids that name no live task of the tree
 * are answered from the trace alone.  A wait names the real id of a child
 * the replay started and has not seen reaped: the kernel's wait only ever
 * looks at the caller's own children, and every child of a task is a task
 * of the tree (no clone leaves dios's control: see kernel/loop.c).
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "sys/capture.h"
#include "kernel/tracee.h"
#include "replay/internal.h"

int
rp_id_add(struct replay *r, pid_t vtid, pid_t tid)
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
	r->ids[r->nids].reaped = false;
	r->nids++;
	return 0;
}

/* The newest task that had recorded id v, or NULL. */
static struct idmap *
id_find(const struct replay *r, pid_t v)
{
	for (size_t i = r->nids; i-- > 0;)
		if (r->ids[i].vtid == v)
			return &r->ids[i];
	return NULL;
}

/* The real id of recorded id v (the newest task that had it), or 0. */
pid_t
rp_id_real(const struct replay *r, pid_t v)
{
	const struct idmap *m = id_find(r, v);

	return m ? m->tid : 0;
}

void
rp_id_reaped(struct replay *r, pid_t tid)
{
	for (size_t i = r->nids; i-- > 0;)
		if (r->ids[i].tid == tid) {
			r->ids[i].reaped = true;
			return;
		}
}

/* The real id of the task of the tree recorded as v that a wait may name:
 * one the replay started and has not seen reaped; 0: none. */
static pid_t
waitable(const struct replay *r, pid_t v)
{
	const struct idmap *m = v > 0 ? id_find(r, v) : NULL;

	return m && !m->reaped ? m->tid : 0;
}

/* The recorded id of t's process. */
pid_t
rp_vproc(const struct replay *r, struct task *t)
{
	struct rtask *rt = t->mod;

	return rt && rt->vpid ? rt->vpid : r->root_vpid;
}

/* Is u a task of the tree that is there now, with its recorded id: one
 * dios has not seen end, announced by its parent's clone? */
static bool
live(const struct task *u)
{
	return u->state != TS_DEAD && u->vtid > 0 && (u->state != TS_NEW || u->announced);
}

static struct task *
live_vtid(struct kernel *k, pid_t v)
{
	for (struct task *u = k->tasks; u; u = u->next)
		if (u->vtid == v && live(u))
			return u;
	return NULL;
}

/* Is u in recorded process group pg (0: the group the root started in)? */
static bool
in_group(const struct replay *r, struct task *u, pid_t pg)
{
	struct rtask *rt = u->mod;
	pid_t g = rt ? rt->vpgid : 0;

	if (g == pg)
		return true;
	/* The root's first group is known by its number only once the
	 * program asked for it (getpgrp). */
	return r->root_pgid > 0 && (g == 0 ? r->root_pgid : g) == (pg == 0 ? r->root_pgid : pg);
}

/* Sets the recorded group of every task of process vp to pg. */
static void
set_group(struct replay *r, struct kernel *k, pid_t vp, pid_t pg)
{
	for (struct task *u = k->tasks; u; u = u->next)
		if (live(u) && u->mod && rp_vproc(r, u) == vp)
			((struct rtask *)u->mod)->vpgid = pg;
}

void
rp_note_ids(struct replay *r, struct kernel *k, struct task *t, long ret)
{
	struct call *c = &t->call;
	struct rtask *rt = t->mod;
	struct task *u;
	pid_t pid = (pid_t)c->a[0], pgid = (pid_t)c->a[1];

	if (rt == NULL)
		return;
	switch (c->nr) {
	case SYS_getpgrp:
		if (ret > 0 && rt->vpgid == 0)
			r->root_pgid = (pid_t)ret;
		break;
	case SYS_getpgid:
		u = pid == 0 ? t : live_vtid(k, pid);
		if (ret > 0 && u && u->mod && ((struct rtask *)u->mod)->vpgid == 0)
			r->root_pgid = (pid_t)ret;
		break;
	case SYS_setsid:
		if (ret > 0)
			set_group(r, k, rp_vproc(r, t), (pid_t)ret);
		break;
	case SYS_setpgid:
		if (ret != 0 || pid < 0 || pgid < 0)
			break;
		if (pid == 0)
			u = t;
		else if ((u = live_vtid(k, pid)) == NULL)
			break;
		set_group(r, k, rp_vproc(r, u), pgid ? pgid : rp_vproc(r, u));
		break;
	}
}

/* Does t's kill, tkill or tgkill name u (a live task of the tree)? */
static bool
kill_names(struct replay *r, struct task *t, struct task *u)
{
	struct call *c = &t->call;
	pid_t a0 = (pid_t)c->a[0], a1 = (pid_t)c->a[1];
	struct rtask *rt = t->mod;

	switch (c->nr) {
	case SYS_tkill:
		return a0 > 0 && u->vtid == a0;
	case SYS_tgkill:
		return a0 > 0 && a1 > 0 && u->vtid == a1 && rp_vproc(r, u) == a0;
	case SYS_kill:
		/* a process, named by the id of any of its threads */
		if (a0 > 0)
			return u->vtid == a0;
		/* -1: every process the caller may signal but its own, here
		 * those of the tree */
		if (a0 == -1)
			return rp_vproc(r, u) != rp_vproc(r, t);
		/* 0 and -PGID: a process group, here its members in the tree */
		return in_group(r, u, a0 == 0 ? (rt ? rt->vpgid : 0) : -a0);
	}
	return false;
}

int
rp_kill_tree(struct replay *r, struct kernel *k, struct task *t, bool *self)
{
	pid_t me = rp_vproc(r, t);
	int n = 0;

	*self = false;
	for (struct task *u = k->tasks; u; u = u->next) {
		if (!live(u) || !kill_names(r, t, u))
			continue;
		n++;
		if (rp_vproc(r, u) == me)
			*self = true;	/* the caller sends it once its call is answered */
		else
			kernel_kill_task(k, u);
	}
	return n;
}

/* Rewrites the arguments of t's wait (at its seccomp stop) to name the real
 * child; the program's registers are restored at the exit (replay_exit). */
enum verdict
rp_rewrite_ids(struct replay *r, struct kernel *k, struct task *t, int kind)
{
	struct rtask *rt = RT(t);
	struct call *c = &t->call;
	struct user_regs_struct regs = rt->orig;
	long ret = event_result(rt->ev, &(int){0});
	int e;

	rt->real = waitable(r, (pid_t)ret);
	if (rt->real <= 0)
		return rp_fail(r, k, "event %llu: %s reaped task %ld, which is no child this replay "
		    "started and has not reaped yet (was the trace edited?)",
		    (unsigned long long)rp_seq_of(rt->ev), c->sc->name, ret);
	switch (c->nr) {
	case SYS_wait4:
		regs.rdi = (uint64_t)rt->real;
		/* the child ended when recording: wait for its end, not for a
		 * stop or a continue (reported_stop answers those) */
		regs.rdx &= ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED);
		break;
	case SYS_waitid:
		regs.rdi = P_PID;
		regs.rsi = (uint64_t)rt->real;
		regs.r10 &= ~(uint64_t)WNOHANG;
		break;
	default:
		return rp_fail(r, k, "event %llu: %s names no child to wait for",
		    (unsigned long long)rp_seq_of(rt->ev), c->sc->name);
	}
	if ((e = regs_set(t->tid, &regs)) < 0)
		return rp_lost(r, k, t, e);
	rt->kind = kind;
	return V_EXIT_STOP;
}
