/* replay.c: the replay module: match each intercepted call with the next
 * event of the trace, answer it from there, and stop at the first
 * difference.  See DESIGN.md, "Replay rules".  This file has the module's
 * hooks for calls (enter, exit: match and answer), clone, start, task exit
 * and turns, and the module's making and freeing; internal.h says where
 * the rest is (futex.c: the futex calls).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "sys/capture.h"
#include "sys/family.h"
#include "inspect/render.h"
#include "kernel/tracee.h"
#include "sys/xlat.h"
#include "replay/internal.h"
#include "model/model.h"
#include "trace/fileid.h"
#include "kernel/stack.h"

struct rtask rp_empty_rtask;

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


static enum verdict run_again(struct replay *r, struct kernel *k, struct task *t);

static enum verdict enter_call(struct module *m, struct kernel *k, struct task *t);

/* Has t's process another thread that runs its own code (not parked for
 * its turn, nor on its way out)?  Its exit_group may end t in the call t
 * makes, whose event the recording then lacks: the call never returned.
 * When that thread parks too, nobody can go on, and replay_stalled says
 * so. */
static bool
group_may_end(struct kernel *k, struct task *t)
{
	pid_t p = rp_process_of(k, t->vtid);

	for (struct task *u = k->tasks; u; u = u->next)
		if (u != t && u->state != TS_PARKED && u->state != TS_DEAD && !u->dying &&
		    u->vtid != 0 && rp_process_of(k, u->vtid) == p && !task_doomed(u->tid, false))
			return true;
	return false;
}

/* A wait4 or waitid that reaps, for real, the child the recording says:
 * is that child of another group (or gone already)?  Then nothing of t's
 * group is needed for it to end: the events of t's group that came while
 * it waited when recording are all before it in the trace. */
static bool
reaps_elsewhere(struct kernel *k, struct task *t)
{
	int ok;
	long ret = event_result(RT(t)->ev, &ok);
	struct task *child = ok && ret > 0 ? task_find_vtid(k, (pid_t)ret) : NULL;

	return RT(t)->kind == EX_WAIT && ok && ret > 0 && (child == NULL || child->group != t->group);
}

/* In the one-at-a-time schedule (kernel.h, serial), a call that runs for
 * real keeps its group's turn until its exit, so that the tasks' code runs
 * in the recorded order, unless it may wait for another task: waits,
 * sleeps, futexes.  A wait that reaps a child of another group keeps it:
 * were the turn passed on, another thread would run its code before the
 * waiting one's, which ran first when recording (asyncio's child watcher
 * thread and its loop).  A vfork keeps it neither: the parent waits for
 * its child's exec, and the recording may have another thread's calls
 * between the child's last calls and its exec's end (a Python thread
 * woken by SIGCHLD while a pool's thread starts a worker). */
static enum verdict
replay_enter(struct module *m, struct kernel *k, struct task *t)
{
	struct replay *r = R(m);

	if (r->fast && rp_fast_collect(r, k, t) < 0)
		return rp_fail(r, k, "the clock reads task %d's agent answered were not the events "
		    "that came next (a bug of dios; --no-fast replays without the agent)", (int)t->vtid);
	if (rp_fast_enter(r, k, t))
		return V_RESUME;	/* the agent is in: the call comes again */
	enum verdict v = enter_call(m, k, t);
	const struct sc_desc *sc = t->call.sc;
	bool vfork = t->call.nr == SYS_vfork ||
	    (t->call.nr == SYS_clone && (t->call.a[0] & CLONE_VFORK));

	if (v == V_RESUME && !k->stop)
		rp_fast_fill(r, k, t);

	t->keep_turn = v == V_EXIT_STOP && sc && !rp_futex_may_wait(&t->call) && !vfork &&
	    (!(sc->flags & (SC_WAIT | SC_SIGWAIT | SC_SLEEP)) ||
	    ((sc->flags & SC_WAIT) && reaps_elsewhere(k, t)));
	return v;
}

static enum verdict
enter_call(struct module *m, struct kernel *k, struct task *t)
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
		/* rp_exec_portable prepared this exec: let it run. */
		RT(t)->exec_again = false;
		return V_EXIT_STOP;
	}
	if (t->mod && RT(t)->cwd_back)
		return rp_cwd_back(r, k, t, false);	/* the new program's first call */
	if (r->off)
		return rp_model_call(r, k, t);
	if (t->mod && RT(t)->doomed)
		return V_PARK;	/* another thread's exec ends it */

	if ((e = rp_peek(r)) < 0)
		return rp_fail(r, k, "reading the trace failed at line %llu: %s",
		    (unsigned long long)trace_reader_line(r->conf.r),
		    e == -EBADMSG ? trace_reader_error(r->conf.r) : strerror(-e));
	if (c->args == NULL && capture_entry(t->tid, c) < 0) {
		json_decref(c->args);
		c->args = json_object();
	}
	rp_advance(r, k, t);
	ev = r->next;
	if (ev && rp_owner_of(ev) != t->vtid && c->sc && (c->sc->flags & SC_EXEC)) {
		/* the ends of the threads this exec ends come first in the
		 * trace: they are the exec's doing */
		size_t n = rp_ends_before_exec(r, k, rp_process_of(k, t->vtid), t->vtid);
		while (n-- > 0 && r->next) {
			rp_take_doomed(r, k, rp_owner_of(r->next));
			if (rp_peek(r) < 0)
				break;
		}
		ev = r->next;
	}
	if (ev && rp_owner_of(ev) != t->vtid)
		return V_PARK;	/* another task's turn */
	kind = ev ? rp_event_kind(ev) : NULL;
	if (kind && !strcmp(kind, "signal") && rp_signal_is_sync(ev))
		return rp_diverge(r, k, t, ev, c, "the program made a call where the recording has "
		    "a fault of its own (it did not raise the signal here)", NULL);
	if (kind && !strcmp(kind, "signal"))
		return rp_deliver_signal(r, k, t, ev);
	if (kind && !strcmp(kind, "exit")) {
		/* Killed where no stop shows it (SIGKILL): the same here. */
		const char *sn = json_string_value(json_object_get(ev, "signal"));
		if (sn && signal_from_name(sn) == SIGKILL) {
			rp_take(r);
			RT(t)->exit_taken = true;
			return rp_signal_before_call(r, k, t, SIGKILL, NULL);
		}
		if (rp_ends_before_exec(r, k, rp_process_of(k, t->vtid), 0)) {
			/* another thread's exec ends it, as when recording:
			 * this call waits for it */
			rp_take_doomed(r, k, t->vtid);
			return V_PARK;
		}
		if (task_doomed(t->tid, true)) {
			/* Another thread's exit_group ends it as it makes this
			 * call, which it did when recording too (the call
			 * never returned, so it has no event): its end comes. */
			t->dying = true;
			return V_PARK;
		}
		if (group_may_end(k, t))
			return V_PARK;	/* the same, but that exit_group is still to come */
		return rp_diverge(r, k, t, ev, c, "the program made a call after the end of the recording "
		    "of this task (it ended here)", NULL);
	}
	if (ev == NULL && r->footer) {
		/* Killed where no stop shows it (SIGKILL), in a trace without
		 * exit events: the same here. */
		const char *sn = json_string_value(json_object_get(json_object_get(r->footer, "end"), "signal"));
		int sig = sn ? signal_from_name(sn) : -1;
		if (sig == SIGKILL && t->tid == k->root)
			return rp_signal_before_call(r, k, t, sig, NULL);
	}
	if (ev == NULL && r->footer && json_is_string(json_object_get(r->footer, "hang")) && !r->conf.model) {
		/* a run dios-replay --model stopped as a hang (dios-fuzz's
		 * reproducer): the same here */
		rp_set_msg(r, RO_HANG, "a hang, as recorded: replay matched all %llu events of the run, "
		    "which stopped there: %s", (unsigned long long)r->matched,
		    json_string_value(json_object_get(r->footer, "hang")));
		k->stop = true;
		return V_STOP;
	}
	if (ev == NULL) {
		if (trace_reader_truncated(r->conf.r) || r->footer == NULL) {
			rp_set_msg(r, RO_CUT_SHORT, "the recording was cut short after %llu events; "
			    "replay matched all of them and stopped there", (unsigned long long)r->matched);
			k->stop = true;
			return V_STOP;
		}
		return rp_diverge(r, k, t, NULL, c, "the program made a call after the end of the recording", NULL);
	}
	name = json_string_value(json_object_get(ev, "sys"));
	if (name == NULL)
		return rp_diverge(r, k, t, ev, c, "the program made a call where the recording has another event", NULL);
	if (strcmp(name, sc_any_name(c->nr, nb)) != 0)
		return rp_diverge(r, k, t, ev, c, "the program made another call", NULL);
	/* A call dios does not know is never run in replay, whatever the
	 * event says of it. */
	if (c->sc == NULL || json_is_true(json_object_get(ev, "unknown")))
		return rp_fail(r, k, "event %llu: the recording has a call of %s, which dios does not "
		    "know; it cannot be replayed (the trace is marked incomplete)",
		    (unsigned long long)rp_seq_of(ev), name);
	if (args_compare(c->sc, json_object_get(ev, "args"), c->args, &which))
		return rp_diverge(r, k, t, ev, c, "the program made the same call with other inputs", which);
	if (r->conf.mutate && r->mutate_seq != rp_seq_of(ev) + 1) {
		/* once, though the call may be parked and come here again */
		json_t *mv = r->conf.mutate(r->conf.mutate_ctx, t->vtid, t->tid, name, ev);
		r->mutate_seq = rp_seq_of(ev) + 1;
		if (mv) {
			json_decref(r->next);
			r->next = ev = mv;
			rp_add_stack(t, mv);
		}
	}
	ret = event_result(ev, &ok);
	if (!ok)
		return rp_fail(r, k, "event %llu: no \"ret\" or \"err\"", (unsigned long long)rp_seq_of(ev));
	if ((which = sc_replay_refusal(c, ret)) != NULL)
		return rp_fail(r, k, "event %llu: the recording has a call of %s that succeeded, which "
		    "replay cannot stand in for: %s", (unsigned long long)rp_seq_of(ev), name, which);
	if (call_changes_fds(c) && rp_fd_change_in_flight(k, t))
		return V_PARK;	/* the table must first reach the recorded state */
	struct fdtab *f = RTR(r, t)->fds;
	if (f && f->npending && rp_needs_real_table(c, ev, ret, f))
		return rp_materialize(r, k, t);
	ev = rp_take(r);
	return rp_answer(r, k, t, ev, ret);
}

/* Did this wait4 event report a child stopped or continued (WUNTRACED,
 * WCONTINUED), not one that ended?  Nothing is reaped: the recorded
 * answer stands, and the child's stop in replay (its group stop, which
 * completes only when every thread of it comes to it, some held by the
 * replay's order) is not waited for. */
static bool
reported_stop(const json_t *ev)
{
	const json_t *w = json_object_get(json_object_get(json_object_get(ev, "out"), "wstatus"),
	    "value");
	int st = (int)json_integer_value(w);

	return json_is_integer(w) && (WIFSTOPPED(st) || WIFCONTINUED(st));
}

/* The signal a kill, tgkill or tkill sends. */
static int
kill_sig(const struct call *c)
{
	return (int)c->a[c->nr == SYS_tgkill ? 2 : 1];
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
		return rp_rewrite_ids(r, k, t, EX_WAIT);
	return V_EXIT_STOP;
}

/* The signal mask a call sets for its duration (pselect6, ppoll,
 * epoll_pwait, epoll_pwait2): its address and size, or false. */
static bool
call_tmp_mask(const struct call *c, pid_t tid, uint64_t *addr, uint64_t *len)
{
	uint64_t ss[2];

	switch (c->nr) {
	case SYS_pselect6:
		if (c->a[5] == 0 || mem_read(tid, c->a[5], ss, sizeof ss) < 0)
			return false;
		*addr = ss[0];
		*len = ss[1];
		break;
	case SYS_ppoll:
		*addr = c->a[3];
		*len = c->a[4];
		break;
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
	case SYS_epoll_pwait:
		*addr = c->a[4];
		*len = c->a[5];
		break;
	default:
		return false;
	}
	return *addr != 0 && *len == sizeof(uint64_t);
}

/* A call with a temporary signal mask, interrupted when recording by the
 * signal that comes next: the signal may be blocked outside the call (make
 * blocks SIGCHLD but in pselect6), so in its place runs rt_sigsuspend with
 * the call's mask, the signal already sent.  It returns at once, and the
 * kernel delivers the signal under that mask and restores the program's
 * own after the handler, as the call would have. */
static void
restart_with_mask(struct replay *r, struct kernel *k, struct task *t,
    struct user_regs_struct *regs)
{
	uint64_t addr, len, mask;
	int sig;

	if (!call_tmp_mask(&t->call, t->tid, &addr, &len) ||
	    mem_read(t->tid, addr, &mask, sizeof mask) < 0)
		return;
	RT(t)->signalled = rp_signal_after_call(r, k, t);
	if ((sig = RT(t)->injected) <= 0 || (mask & (1ULL << (sig - 1))))
		return;	/* none comes, or it is blocked in the call too */
	regs->orig_rax = SYS_rt_sigsuspend;
	regs->rdi = addr;
	regs->rsi = len;
}

/* An interrupted call (-ERESTART*) that no signal of its own follows:
 * when recording, a group stop (SIGSTOP to another thread of its process)
 * or a signal dios kept from it interrupted it, and the kernel ran it again
 * (or restart_syscall) as the task went on.  In replay nothing need be
 * pending on the task at this exit, and -ERESTART* would reach the
 * program, which natively never sees it: dios applies the kernel's rule
 * itself, at the call's exit stop (the argument registers still hold the
 * call's arguments).  The next event of the task is that call again. */
static int
restart_unsignalled(struct task *t, long ret)
{
	struct user_regs_struct regs;
	int e;

	if (ret != -512 && ret != -513 && ret != -514 && ret != -516)
		return 0;
	if ((e = regs_get(t->tid, &regs)) < 0)
		return e;
	regs.rax = ret == -516 ? (uint64_t)SYS_restart_syscall : regs.orig_rax;
	regs.rip -= 2;
	return regs_set(t->tid, &regs);
}

/* Answers t's call, matched with event ev (result ret). */
enum verdict
rp_answer(struct replay *r, struct kernel *k, struct task *t, json_t *ev, long ret)
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
	rp_note_ids(r, k, t, ret);
	rp_shm_names(r, c, ret);
	if ((e = rp_shm_write(r, t, ev, ret)) < 0)
		return rp_fail(r, k, "event %llu: %s changed a file mapped shared, and replay's copy of "
		    "it cannot take the change: %s", (unsigned long long)rp_seq_of(ev), name, strerror(-e));

	if ((sc->flags & SC_EXEC) && ret >= 0)
		return rp_answer_exec(r, k, t, ev);
	if ((sc->flags & SC_MAP) && ret >= 0) {
		const json_t *map = json_object_get(ev, "map");
		if (map)
			return rp_map_file(r, k, t, map, ret);
		if (json_is_true(json_object_get(ev, "zero"))) {
			/* /dev/zero: anonymous memory, shared or private as
			 * asked, where the recording had it */
			struct user_regs_struct regs = c->regs;
			regs.r10 |= MAP_ANONYMOUS;
			regs.r8 = (uint64_t)-1;
			regs.r9 = 0;
			if ((e = regs_set(t->tid, &regs)) < 0)
				return rp_lost(r, k, t, e);
			rt->kind = EX_ANON_MAP;
			return V_EXIT_STOP;
		}
		if (json_is_string(json_object_get(ev, "device")))
			return rp_fail(r, k, "event %llu: the program mapped the device %s when recording: "
			    "replay cannot stand in for a device's memory", (unsigned long long)rp_seq_of(ev),
			    json_string_value(json_object_get(ev, "device")));
		/* Record gives every mapping of a descriptor its "map": one
		 * without it would map whatever the real descriptor is. */
		if (!(c->a[3] & MAP_ANONYMOUS) && (int)c->a[4] >= 0)
			return rp_fail(r, k, "event %llu: mmap of descriptor %d has no \"map\" (the file "
			    "mapped when recording): replay maps no file it cannot check",
			    (unsigned long long)rp_seq_of(ev), (int)c->a[4]);
		rt->kind = EX_ANON_MAP;
		return V_EXIT_STOP;
	}
	/* System V shared memory: the segments live in replay's copies */
	if (c->nr == SYS_shmget && rp_shm_note(r, ev, ret) < 0)
		return rp_fail(r, k, "out of memory");
	if (c->nr == SYS_shmat && ret >= 0)
		return rp_shmat(r, k, t, ret);
	if (c->nr == SYS_shmdt && ret == 0)
		return rp_shmdt(r, k, t);
	int nfds, fds[MAX_NEWFDS];
	bool cloexec;
	if ((nfds = rp_new_fds(c, ev, ret, fds, &cloexec)) < 0)
		return rp_fail(r, k, "event %llu: its \"newfds\" is malformed (the trace is damaged or was "
		    "edited; record it again)", (unsigned long long)rp_seq_of(ev));
	if (nfds > 0)
		return rp_placeholder(r, k, t, ev, ret, fds, nfds, cloexec);
	rt->orig = c->regs;
	if (c->nr == SYS_futex) {
		enum verdict v = rp_futex_answer(r, k, t, ret);
		if (v != V_PASS)
			return v;
	}
	if ((sc->flags & SC_CLONE) && ret > 0) {
		/* A new task, for real; the parent is told the recorded id
		 * (replay_clone maps it). */
		rt->kind = EX_CLONE;
		return V_EXIT_STOP;
	}
	/* A wait for signals that a signal of its own interrupted runs for
	 * real (the signal is sent into it); one that something else
	 * interrupted when recording (a stop of its process, a signal dios
	 * kept from it) is answered as other interrupted calls are.  A
	 * sigtimedwait that took a signal (ret, its number) took it without a
	 * delivery, so no event marks it and replay sends it no signal: it
	 * is answered from the trace, but for SIGCHLD, which the replayed
	 * children's real ends raise, so it runs for real and takes it. */
	if ((sc->flags & SC_RUN_KEEP) || (mode == RM_RUN_KEEP && ret == 0) ||
	    ((sc->flags & SC_SIGWAIT) && ((ret > 0 && ret == SIGCHLD) || ret == -EINTR ||
	    (call_restarts(ret) && rp_signal_due_after(r, k, t))))) {
		rt->kind = EX_KEEP;
		return V_EXIT_STOP;
	}
	/* wait4/waitid that reaped a child when recording: reap the same
	 * child for real (blocking until it ends), then give the recorded
	 * answer. */
	if ((sc->flags & SC_WAIT) && ret > 0 && !reported_stop(ev))
		return rp_rewrite_ids(r, k, t, EX_WAIT);
	/* The call itself never runs: it would name host processes by
	 * recorded ids.  SIGKILL, whose arrival no stop shows, is sent by dios
	 * to the tasks of the tree the call names; other signals are delivered
	 * from the trace where they arrived; the call's result is the
	 * recorded one. */
	bool kill_self = false;
	if ((sc->flags & SC_KILL) && ret == 0 && kill_sig(c) == SIGKILL)
		rp_kill_tree(r, k, t, &kill_self);
	int pi;
	if (mode == RM_RUN_REAL && (pi = rp_pending_closed(c, ret, rt->fds)) >= 0) {
		/* its placeholder was never made: nothing to close */
		rt->fds->pending[pi] = rt->fds->pending[--rt->fds->npending];
		rp_note_fds(rp_stdio_of(r, t), c, ret);
		if ((e = call_skip(t->tid, &c->regs, ret)) < 0)
			return rp_lost(r, k, t, e);
		rp_signal_after_call(r, k, t);
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
	if (call_restarts(ret)) {
		/* Interrupted by a signal (-ERESTART*): the kernel applies its
		 * restart rules only to a call that ran, so run a harmless one
		 * in its place and give it this result at its exit.  What the
		 * call wrote all the same (nanosleep's time left) is written
		 * now. */
		struct user_regs_struct regs = c->regs;
		if ((e = inject_out(t->tid, c, json_object_get(ev, "out"), ret)) < 0)
			return rp_fail(r, k, "event %llu: cannot give the program the recorded outputs of %s: %s",
			    (unsigned long long)rp_seq_of(ev), name, e == -EINVAL ?
			    "they do not fit its buffers (was the trace edited?)" : strerror(-e));
		regs.orig_rax = SYS_getppid;
		rt->signalled = false;
		restart_with_mask(r, k, t, &regs);
		if ((e = regs_set(t->tid, &regs)) < 0)
			return rp_lost(r, k, t, e);
		rt->kind = EX_RESTART;
		return V_EXIT_STOP;
	}
	if ((e = call_skip(t->tid, &c->regs, ret)) < 0)
		return rp_lost(r, k, t, e);
	if ((e = inject_out(t->tid, c, json_object_get(ev, "out"), ret)) < 0)
		return rp_fail(r, k, "event %llu: cannot give the program the recorded outputs of %s: %s",
		    (unsigned long long)rp_seq_of(ev), name,
		    e == -EINVAL ? "they do not fit its buffers (was the trace edited?)" : strerror(-e));
	char gerr[2048];
	if (rp_echo_output(r, rp_stdio_of(r, t), c, json_object_get(ev, "out"), ret, gerr, sizeof gerr) < 0)
		return rp_fail(r, k, "%s", gerr);
	if (kill_self) {
		kernel_kill_task(k, t);	/* it dies as it resumes */
		return V_RESUME;
	}
	rp_signal_after_call(r, k, t);
	return V_RESUME;
}

static int
replay_exit(struct module *m, struct kernel *k, struct task *t)
{
	struct replay *r = R(m);
	struct rtask *rt = RT(t);
	struct call *c = &t->call;
	int ok, e = 0;

	if (rt->kind == EX_MODEL_REAL) {
		/* a call that ran for real after the run left the recording:
		 * a reaped child is told by the id the program knows */
		if (c->nr == SYS_wait4 && c->ret > 0) {
			pid_t v = 0;
			for (size_t i = r->nids; i-- > 0;)
				if (r->ids[i].tid == (pid_t)c->ret) {
					v = r->ids[i].vtid;
					break;
				}
			if (v > 0) {
				rp_id_reaped(r, (pid_t)c->ret);
				c->ret = v;
				set_result(t, v);
			}
		}
		if (c->nr != SYS_futex)
			(void)capture_exit(t->tid, c);
		rp_note_fds(rp_stdio_of(r, t), c, c->ret);
		int mok;
		long mret = rt->ev ? event_result(rt->ev, &mok) : 0;
		if (rt->ev && c->nr == SYS_close && c->ret == 0 && mret < 0 && set_result(t, mret) == 0)
			c->ret = mret;	/* the mutated close: closed, and failed */
		json_t *ev = event_new(0, t->vtid, c);
		if (ev && rt->ev && json_object_get(rt->ev, "stack"))
			json_object_set(ev, "stack", json_object_get(rt->ev, "stack"));
		json_decref(rt->ev);
		rt->ev = NULL;
		if (ev) {
			json_object_del(ev, "seq");
			rp_emit(r, ev, false);
			model_follow(r->conf.model, ev);
			json_decref(ev);
		}
		rt->kind = 0;
		call_reset(c);
		return 0;
	}
	long ret = event_result(rt->ev, &ok);

	if ((rt->kind == EX_WAIT || rt->kind == EX_KEEP || rt->kind == EX_CLONE) &&
	    call_restarts(c->ret) && !call_restarts(ret)) {
		/* interrupted by a signal dios keeps from the program: the
		 * kernel runs it again */
		rt->restart = true;
		rt->restart_nr = c->nr;
		return 0;
	}
	switch (rt->kind) {
	case EX_CLONE:
		if (c->ret <= 0) {
			rp_fail(r, k, "event %llu: %s failed in replay (%s) but made task %ld when recording",
			    (unsigned long long)rp_seq_of(rt->ev), c->sc->name,
			    c->ret < 0 ? strerror((int)-c->ret) : "no child", ret);
			return 0;
		}
		e = set_result(t, ret);
		break;
	case EX_WAIT:
		if (c->ret != rt->real) {
			rp_fail(r, k, "event %llu: %s returned %ld in replay, not task %ld (recorded as %ld): "
			    "the child did not end as recorded", (unsigned long long)rp_seq_of(rt->ev),
			    c->sc->name, c->ret, (long)rt->real, ret);
			return 0;
		}
		/* It ended (dios saw its end before its parent could see it)
		 * and it is reaped, unless the program only looked. */
		if (task_find(k, rt->real) == NULL && !(c->nr == SYS_waitid && (c->a[3] & WNOWAIT)))
			rp_id_reaped(r, rt->real);
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
		/* A close that failed with EIO or EINTR closed the descriptor
		 * all the same (close(2)): the real one closes, and the
		 * program gets the recorded error. */
		if (c->nr == SYS_close && c->ret == 0 && ret < 0 && ret != -EBADF) {
			rp_note_fds(rp_stdio_of(r, t), c, 0);
			e = set_result(t, ret);
			break;
		}
		if (c->ret != ret) {
			char want[512];
			render_event(rt->ev, 1, 32, want, sizeof want);
			rp_fail(r, k, "the descriptor table is out of step with the recording at event %llu: "
			    "%s returned %ld in replay (%s)", (unsigned long long)rp_seq_of(rt->ev), want,
			    c->ret, c->ret < 0 ? strerror((int)-c->ret) : "ok");
			return 0;
		}
		rp_note_fds(rp_stdio_of(r, t), c, ret);
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
		if (c->ret < 0 && rt->cwd_back && rp_cwd_back(r, k, t, true) != V_RESUME)
			break;
		if (c->ret < 0 && r->conf.bs)
			rp_fail(r, k, "executing the cache's copy of %s failed: %s%s",
			    json_string_value(json_object_get(json_object_get(rt->ev, "exe"), "path")),
			    strerror((int)-c->ret), c->ret == -EACCES ? " (is the cache on a file system "
			    "mounted noexec? set XDG_CACHE_HOME to a directory where programs may run)" : "");
		break;
	case EX_ANON_MAP:
	default:
		break;
	}
	bool restarts = rt->kind == EX_RESTART;
	json_decref(rt->ev);
	rt->ev = NULL;
	call_reset(c);
	bool signalled = e == 0 && !k->stop && rp_signal_after_call(r, k, t);
	if (e == 0 && !k->stop && restarts && !signalled && !rt->signalled)
		e = restart_unsignalled(t, ret);
	if (e == 0 && !k->stop)
		rp_fast_fill(r, k, t);
	return e;
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
	r->called = r->progress;
	if ((r->root_fds = calloc(1, sizeof *r->root_fds)) == NULL) {
		free(r);
		return NULL;
	}
	r->root_fds->refs = 1;
	for (int i = 0; i < 3; i++)
		sha256_init(&r->shown[i]);
	r->root_vpid = (pid_t)json_integer_value(json_object_get(conf->header, "pid"));
	fds = json_object_get(conf->header, "fds");
	json_array_foreach(fds, i, v) {
		int64_t fd;
		if (json_int64_get(v, &fd) == 0 && (fd == 1 || fd == 2))
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
	r->mod.task_release = replay_task_release;
	r->mod.due = replay_due;
	r->mod.stalled = replay_stalled;
	r->mod.state = r;
	if (conf->fast && !conf->model && !conf->mutate && rp_fast_open(r) < 0 && conf->log)
		fprintf(conf->log, "no fast path: the agent's queues cannot be made (%s)\n", strerror(errno));
	return &r->mod;
}

uint64_t
replay_matched(const struct module *m)
{
	return R(m)->matched;
}

const char *
replay_left(const struct module *m)
{
	return R(m)->off ? (R(m)->off_msg ? R(m)->off_msg : "the run left the recording") : NULL;
}

uint64_t
replay_written(const struct module *m)
{
	return R(m)->out_seq;
}

uint64_t
replay_unshown(const struct module *m)
{
	return R(m)->unshown;
}

void
replay_free(struct module *m)
{
	struct replay *r;

	if (m == NULL)
		return;
	r = R(m);
	if (r->conf.mutate)
		stack_forget_all();
	json_decref(r->next);
	for (size_t i = 0; i < r->nahead; i++)
		json_decref(r->ahead[i]);
	json_decref(r->footer);
	elf_interp_free(&r->fix);
	for (int i = 0; i < RING; i++)
		json_decref(r->ring[i]);
	free(r->msg);
	free(r->off_msg);
	rp_fdtab_put(r->root_fds);
	free(r->ids);
	free(r->dead);
	rp_shm_free(r);
	rp_fast_close(r);
	free(r);
}
