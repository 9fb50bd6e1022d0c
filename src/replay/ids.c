/* ids.c: task ids (private to src/replay): the recorded id and the real
 * one of every task of the run, and the calls that name tasks (wait4,
 * waitid, kill, tgkill, tkill) rewritten to name the real ones.
 */
#include "config.h"
#include <errno.h>
#include <stdlib.h>
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
	r->nids++;
	return 0;
}

/* The real id of recorded id v (the newest task that had it), or 0. */
pid_t
rp_id_real(const struct replay *r, pid_t v)
{
	for (size_t i = r->nids; i-- > 0;)
		if (r->ids[i].vtid == v)
			return r->ids[i].tid;
	return 0;
}

/* A recorded id as a real one: pid, or -pgid; 0 and -1 stay. */
static long
real_id(const struct replay *r, long v)
{
	pid_t p;

	if (v > 0)
		return (p = rp_id_real(r, (pid_t)v)) > 0 ? p : v;
	if (v < -1)
		return (p = rp_id_real(r, (pid_t)-v)) > 0 ? -p : v;
	return v;
}

/* Rewrites the arguments of t's call (at its seccomp stop) to name real
 * tasks; the program's registers are restored at the exit (replay_exit). */
enum verdict
rp_rewrite_ids(struct replay *r, struct kernel *k, struct task *t, int kind)
{
	struct rtask *rt = RT(t);
	struct call *c = &t->call;
	struct user_regs_struct regs = rt->orig;
	long ret = event_result(rt->ev, &(int){0});
	int e;

	switch (c->nr) {
	case SYS_wait4:
		rt->real = rp_id_real(r, (pid_t)ret);
		regs.rdi = (uint64_t)rt->real;
		regs.rdx &= ~(uint64_t)WNOHANG;	/* the child ended when recording: wait for it */
		break;
	case SYS_waitid:
		rt->real = rp_id_real(r, (pid_t)ret);
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
		return rp_fail(r, k, "event %llu: %s reaped task %ld, which this replay did not start",
		    (unsigned long long)rp_seq_of(rt->ev), c->sc->name, ret);
	if ((e = regs_set(t->tid, &regs)) < 0)
		return rp_lost(r, k, t, e);
	rt->kind = kind;
	return V_EXIT_STOP;
}
