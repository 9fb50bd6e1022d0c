/* offtrace.c: after the run left the recording (conf.model, dios-replay
 * --model): the environment model answers each call, futexes and waits
 * run for real among the tasks of the tree, a signal the program sends
 * itself is sent; and, with conf.mutate, the stacks dios-fuzz's triage
 * reads (private to src/replay).
 */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "kernel/stack.h"
#include "kernel/tracee.h"
#include "model/model.h"
#include "trace/number.h"
#include "replay/internal.h"

/* The stack of t, stopped, as "stack" of ev (stack.h's frames): where a
 * mutated call was made, where a fault came from.  What was kept of its
 * process goes first: replay does not follow its mappings, and it takes a
 * stack once or twice a run. */
void
rp_add_stack(struct task *t, json_t *ev)
{
	stack_forget(t->tid);
	json_t *st = stack_json(t->tid, 12);
	if (st)
		json_object_set_new(ev, "stack", st);
}

/* conf.mutate of a call that runs for real after the run left the
 * recording: it is counted. */
static void
count_real(struct replay *r, struct task *t)
{
	char nb[32];

	if (r->conf.mutate)
		(void)r->conf.mutate(r->conf.mutate_ctx, t->vtid, t->tid, sc_any_name(t->call.nr, nb), NULL);
}

/* The signal a kill, tgkill or tkill of t sends to t's own process or to
 * t itself (by the ids the program knows), or 0. */
static int
kill_of_self(struct replay *r, struct task *t, const struct call *c)
{
	pid_t vp = rp_vproc(r, t);

	switch (c->nr) {
	case SYS_kill:
		return ((pid_t)c->a[0] == vp || (pid_t)c->a[0] == 0) ? (int)c->a[1] : 0;
	case SYS_tgkill:
		return (pid_t)c->a[0] == vp && (pid_t)c->a[1] == t->vtid ? (int)c->a[2] : 0;
	case SYS_tkill:
		return (pid_t)c->a[0] == t->vtid ? (int)c->a[1] : 0;
	}
	return 0;
}

enum verdict
rp_model_call(struct replay *r, struct kernel *k, struct task *t)
{
	struct call *c = &t->call;
	struct rtask *rt = RTR(r, t);
	uint64_t limit = r->conf.model_limit ? r->conf.model_limit : 100000;
	json_t *ev;
	long ret;
	int ok;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &r->progress);
	r->called = r->progress;
	if (c->args == NULL && capture_entry(t->tid, c) < 0) {
		json_decref(c->args);
		c->args = json_object();
	}
	/* The model hands out descriptor numbers from the recorded table:
	 * the real one must have them all first. */
	if (rt->fds && rt->fds->npending)
		return rp_materialize(r, k, t);
	if (c->nr == SYS_futex || (c->sc && (c->sc->flags & SC_WAIT) && c->nr != SYS_waitid)) {
		/* The threads meet, and children are reaped, for real (they
		 * are tasks of the tree, named by their real ids); the event
		 * is written at its exit. */
		count_real(r, t);
		if (c->nr == SYS_wait4 && (pid_t)c->a[0] > 0) {
			pid_t real = rp_id_real(r, (pid_t)c->a[0]);
			struct user_regs_struct regs = c->regs;
			if (real == 0) {
				json_t *ev = json_pack("{s:I, s:s, s:O, s:s}", "tid", (json_int_t)t->vtid, "sys",
				    "wait4", "args", c->args, "err", "ECHILD");
				enum verdict v = ev ? (rp_emit(r, ev, false), rp_answer(r, k, t, ev, -ECHILD)) :
				    rp_fail(r, k, "out of memory");
				json_decref(ev);
				return v;
			}
			regs.rdi = (uint64_t)real;
			if (regs_set(t->tid, &regs) < 0)
				return rp_lost(r, k, t, -errno);
		}
		json_decref(rt->ev);
		rt->ev = NULL;
		rt->kind = EX_MODEL_REAL;
		t->keep_turn = false;
		return V_EXIT_STOP;
	}
	if (++r->off_calls > limit) {
		rp_set_msg(r, RO_HANG, "a hang: after it left the recording the program made %llu calls "
		    "without ending (a loop of calls that never ends?)", (unsigned long long)limit);
		k->stop = true;
		return V_STOP;
	}
	/* Calls that replay runs for real on the mirrored descriptor table
	 * (close, dup, fcntl's F_DUPFD...) run for real here too: the model
	 * follows their real result. */
	enum replay_mode mode = c->sc && (c->sc->flags & SC_RUN_REAL) ? RM_RUN_REAL : RM_EMULATE;
	if (c->sc && c->sc->fam && c->sc->fam->mode)
		mode = c->sc->fam->mode(c);
	if (mode == RM_RUN_REAL) {
		json_decref(rt->ev);
		rt->ev = NULL;
		if (c->nr == SYS_close && r->conf.mutate) {
			/* a close runs for real; a mutation may still make it
			 * fail (it has closed the descriptor all the same) */
			json_t *asked = json_pack("{s:I, s:s, s:O, s:i}", "tid", (json_int_t)t->vtid, "sys", "close",
			    "args", c->args, "ret", 0);
			rt->ev = asked ? r->conf.mutate(r->conf.mutate_ctx, t->vtid, t->tid, "close", asked) : NULL;
			json_decref(asked);
			if (rt->ev)
				rp_add_stack(t, rt->ev);
		} else
			count_real(r, t);
		rt->kind = EX_MODEL_REAL;
		return V_EXIT_STOP;
	}
	int sig = (c->sc && (c->sc->flags & SC_KILL)) ? kill_of_self(r, t, c) : 0;
	if ((ev = model_answer_held(r->conf.model, t->vtid, t->tid, c)) == NULL)
		return rp_fail(r, k, "out of memory");
	if (r->conf.mutate) {
		json_t *mv = r->conf.mutate(r->conf.mutate_ctx, t->vtid, t->tid,
		    json_string_value(json_object_get(ev, "sys")), ev);
		if (mv) {
			json_decref(ev);
			ev = mv;
			rp_add_stack(t, mv);
		}
	}
	model_follow_answer(r->conf.model, ev);
	if (sig > 0 && sig < 65) {
		/* a signal to itself (abort, raise): it is sent, for real */
		json_object_del(ev, "err");
		json_object_set_new(ev, "ret", json_integer(0));
	}
	rp_emit(r, ev, false);
	ret = event_result(ev, &ok);
	enum verdict v = rp_answer(r, k, t, ev, ret);
	json_decref(ev);
	if (sig > 0 && sig < 65 && v == V_RESUME && !k->stop) {
		if (sig == SIGKILL)
			kernel_kill_task(k, t);
		else
			syscall(SYS_tkill, t->tid, sig);
	} else if (c->sc && (c->sc->flags & SC_KILL) && ret == 0 && v == V_RESUME && !k->stop) {
		/* to another task of the tree, by its real id: nothing else */
		pid_t target = c->nr == SYS_tgkill ? (pid_t)c->a[1] : (pid_t)c->a[0];
		int s2 = (int)c->a[c->nr == SYS_tgkill ? 2 : 1];
		pid_t real = target > 0 ? rp_id_real(r, target) : 0;
		struct task *to = real ? task_find(k, real) : NULL;
		if (to && s2 > 0 && s2 < 65) {
			if (s2 == SIGKILL)
				kernel_kill_task(k, to);
			else
				syscall(SYS_tkill, to->tid, s2);
		}
	}
	return v;
}

