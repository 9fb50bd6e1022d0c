/* signals.c: signal delivery (private to src/replay): a recorded signal
 * is sent at the boundary where it arrived when recording (before the
 * task's call, or right after it), and the signal hook (the signals the
 * program sees, and the reads of the time-stamp counter).
 */
#include "config.h"
#include <sys/ptrace.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "sys/capture.h"
#include "inspect/render.h"
#include "kernel/tracee.h"
#include "kernel/tsc.h"
#include "sys/xlat.h"
#include "sys/structs.h"
#include "replay/internal.h"

/* Sends t the signal sig of event ev (NULL: none recorded), which the
 * signal hook sees come (signal_seen): with the siginfo the recording has
 * (sender, code, a child's status), or as dios's tkill where it has none. */
void
rp_send_signal(struct task *t, int sig, const json_t *ev)
{
	struct rtask *rt = RT(t);
	const json_t *info = ev ? json_object_get(ev, "info") : NULL;

	rt->injected = sig;
	rt->has_info = info && st_decode(&st_siginfo, info, &rt->info) == 0;
	if (rt->has_info)
		rt->info.si_signo = sig;
	syscall(SYS_tkill, t->tid, sig);
}

/* Sends sig to t before its current call, which runs again afterwards: a
 * signal recorded at this boundary is delivered at the same boundary
 * (DESIGN.md, "Sources of nondeterminism"). */
enum verdict
rp_signal_before_call(struct replay *r, struct kernel *k, struct task *t, int sig, const json_t *ev)
{
	struct user_regs_struct regs;
	int e;

	if (sig == SIGKILL) {
		/* no call comes again, and the task may be dying already (a
		 * kill of its process reached it parked): it ends as it is */
		RT(t)->injected = sig;
		kernel_kill_task(k, t);
		return V_RESUME;
	}
	if ((e = regs_get(t->tid, &regs)) < 0)
		return rp_lost(r, k, t, e);
	regs.rax = regs.orig_rax;
	regs.orig_rax = (uint64_t)-1;
	regs.rip -= 2;
	if ((e = regs_set(t->tid, &regs)) < 0)
		return rp_lost(r, k, t, e);
	rp_send_signal(t, sig, ev);
	return V_RESUME;
}

bool
rp_signal_is_sync(const json_t *ev)
{
	return json_is_true(json_object_get(ev, "sync"));
}

enum verdict
rp_deliver_signal(struct replay *r, struct kernel *k, struct task *t, json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "sig"));
	int sig = name ? signal_from_name(name) : -1;

	if (sig <= 0)
		return rp_fail(r, k, "event %llu: unknown signal %s", (unsigned long long)rp_seq_of(ev),
		    name ? name : "(none)");

	enum verdict v = rp_signal_before_call(r, k, t, sig, ev);
	rp_take(r);
	return v;
}

/* Did t's call just answered end interrupted (-ERESTART*)?  Then the
 * signal after it is what interrupted it, SIGCONT too (a handler's), and
 * must come now: without a signal pending, the kernel would run the call
 * again. */
static bool
interrupted(struct task *t)
{
	int ok;
	long ret = RT(t)->ev ? event_result(RT(t)->ev, &ok) : 0;

	return RT(t)->ev && ok && call_restarts(ret);
}

/* The recorded id of the process a task of the trace belongs to: 0 for the
 * root's, -1 for a task not (or no longer) here. */
pid_t
rp_process_of(struct kernel *k, pid_t vtid)
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
/* The signal event the recording has for t right after its call (past
 * other processes' events only), as rp_signal_after_call would send it:
 * its place (-1: r->next, else ahead[i]) in *at; 0 when none. */
static int
signal_after(struct replay *r, struct kernel *k, struct task *t, ssize_t *at)
{
	pid_t self = rp_process_of(k, t->vtid);
	const char *name;
	json_t *ev;
	size_t i;
	int sig;

	if (rp_peek(r) < 0 || r->next == NULL)
		return 0;
	for (ev = r->next, i = 0; ev; ev = rp_look(r, i++)) {
		pid_t v = rp_owner_of(ev);

		if (v == t->vtid)
			break;
		if (rp_process_of(k, v) == self)
			return 0;
	}
	/* Not SIGCONT (but one that interrupted the call), nor a signal
	 * that stops: they act on the whole process (SIGCONT as it is sent,
	 * ending a group stop at once; a stop interrupts the calls of the
	 * other threads), so they go in their turn, after the events of the
	 * other threads before them: now, when they come next of all (a
	 * raise(SIGSTOP): the task would run on past it, to its end). */
	if (ev == NULL || (name = json_string_value(json_object_get(ev, "sig"))) == NULL ||
	    (sig = signal_from_name(name)) <= 0 || sig == SIGKILL || rp_signal_is_sync(ev) ||
	    (ev != r->next && ((sig == SIGCONT && !interrupted(t)) || kernel_stop_signal(sig))) ||
	    json_is_true(json_object_get(ev, "before_call")))
		return 0;	/* ("before_call": it goes before the task's next call) */
	*at = ev == r->next ? -1 : (ssize_t)i - 1;
	return sig;
}

bool
rp_signal_due_after(struct replay *r, struct kernel *k, struct task *t)
{
	ssize_t at;

	return signal_after(r, k, t, &at) > 0;
}

bool
rp_signal_after_call(struct replay *r, struct kernel *k, struct task *t)
{
	ssize_t at;
	int sig = signal_after(r, k, t, &at);

	if (sig <= 0)
		return false;
	rp_send_signal(t, sig, at < 0 ? r->next : rp_look(r, (size_t)at));
	if (at < 0)
		rp_take(r);
	else
		rp_take_ahead(r, (size_t)at);
	return true;
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
		if (rt->has_info)
			ptrace(PTRACE_SETSIGINFO, t->tid, 0, &rt->info);
		rt->has_info = false;
		return sig;
	}
	/* The kernel's own SIGCHLD: the recorded one comes from the trace. */
	if (sig == SIGCHLD)
		return 0;
	/* A fault (a crash) waits for its turn like a call. */
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) &&
	    rp_peek(r) == 0 && r->next && rp_owner_of(r->next) != t->vtid)
		return SIG_PARK;
	if (rp_peek(r) == 0 && r->next && json_int64_or(r->next, "tid", -1) == t->vtid &&
	    (name = json_string_value(json_object_get(r->next, "sig"))) != NULL &&
	    signal_from_name(name) == sig)
		rp_take(r);
	else if (r->conf.mutate && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE)) {
		/* a fault the recording does not have, made by a mutation:
		 * written, with where it came from, for dios-fuzz's triage */
		char sb[16];
		json_t *ev = json_pack("{s:I, s:s, s:s, s:b}", "tid", (json_int_t)t->vtid, "event", "signal",
		    "sig", signal_name(sig, sb), "sync", 1);
		if (ev) {
			rp_add_stack(t, ev);
			rp_emit(r, ev, false);
		}
		json_decref(ev);
	}
	return sig;
}

/* After the run left the recording (conf.model): a read of the
 * time-stamp counter gets the real one, and a signal is delivered as it
 * comes; each is written as an event of the run (a fault the program
 * raised itself marked "sync", as dios-record does). */
static int
off_signal(struct replay *r, struct task *t, int sig)
{
	struct user_regs_struct regs;
	bool rdtscp;
	int len;
	char sb[16];
	json_t *ev;

	if (sig == SIGSEGV && regs_get(t->tid, &regs) == 0 && (len = tsc_insn(t->tid, &regs, &rdtscp)) > 0) {
		uint32_t aux;
		uint64_t v = tsc_read(&aux);
		tsc_complete(&regs, len, v, aux);
		if (regs_set(t->tid, &regs) == 0) {
			ev = json_pack("{s:I, s:s, s:o, s:I}", "tid", (json_int_t)t->vtid, "event",
			    rdtscp ? "rdtscp" : "rdtsc", "value", json_uint64(v), "aux", (json_int_t)aux);
			if (ev)
				rp_emit(r, ev, false);
			json_decref(ev);
			return 0;
		}
	}
	ev = json_pack("{s:I, s:s, s:s}", "tid", (json_int_t)t->vtid, "event", "signal", "sig",
	    signal_name(sig, sb));
	siginfo_t si;
	if (ev && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP ||
	    sig == SIGSYS) && ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) == 0 && si.si_code > 0)
		json_object_set_new(ev, "sync", json_true());
	/* dios-fuzz's triage: where a fault or an abort came from */
	if (ev && r->conf.mutate && (json_object_get(ev, "sync") || sig == SIGABRT))
		rp_add_stack(t, ev);
	if (ev)
		rp_emit(r, ev, false);
	json_decref(ev);
	return sig;
}

/* Would sig stop t's process: a stop signal whose action is the default
 * (not caught, not ignored: /proc's SigCgt and SigIgn)? */
static bool
stops(pid_t tid, int sig)
{
	char path[64], line[256];
	unsigned long long caught = 0, ignored = 0;
	FILE *f;

	if (!kernel_stop_signal(sig))
		return false;
	if (sig == SIGSTOP)
		return true;
	snprintf(path, sizeof path, "/proc/%d/status", tid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "SigCgt: %llx", &caught);
		sscanf(line, "SigIgn: %llx", &ignored);
	}
	fclose(f);
	return !((caught | ignored) & (1ull << (sig - 1)));
}

/* A stop signal from the trace reaches t: in replay the process does not
 * stop (nothing outside it could see the stop: its parent's waitpid is
 * answered from the trace, and the kill of its SIGCONT does not run), and
 * its threads go on to their next events, which come after the SIGCONT
 * in the trace.  What the stop did to the other threads when recording
 * is done to them: those in a call that runs for real and that the stop
 * interrupted then (its recorded result is -ERESTART*) are interrupted
 * (PTRACE_INTERRUPT: the call ends with that result, and the kernel runs
 * it again). */
static void
stop_in_replay(struct kernel *k, struct task *t)
{
	pid_t self = rp_process_of(k, t->vtid);
	int ok;

	for (struct task *u = k->tasks; u; u = u->next) {
		long ret;
		if (u == t || u->state != TS_IN_CALL || u->mod == NULL || RT(u)->ev == NULL ||
		    rp_process_of(k, u->vtid) != self)
			continue;
		ret = event_result(RT(u)->ev, &ok);
		if (ok && call_restarts(ret))
			ptrace(PTRACE_INTERRUPT, u->tid, 0, 0);
	}
}

/* After a stop signal that replay does not stop t for (stop_in_replay):
 * when recording, t made no progress until the signal that ended the stop
 * (SIGCONT), so it waits parked at this stop until its next event is due;
 * then a signal event there (that SIGCONT, a SIGKILL's end aside) is sent
 * at once, before t runs on (at the signal's turn it could have ended
 * already, as it did not when recording).  The signal hook's answer. */
static int
held_stop(struct replay *r, struct task *t)
{
	int sig;

	if (rp_peek(r) == 0 && r->next && rp_owner_of(r->next) != t->vtid) {
		RT(t)->held_stop = true;
		return SIG_PARK;
	}
	RT(t)->held_stop = false;
	if (rp_peek(r) == 0 && r->next && rp_event_kind(r->next) &&
	    strcmp(rp_event_kind(r->next), "signal") == 0 && !rp_signal_is_sync(r->next) &&
	    (sig = signal_from_name(json_string_value(json_object_get(r->next, "sig")))) > 0 &&
	    sig != SIGKILL) {
		rp_send_signal(t, sig, r->next);
		rp_take(r);
	}
	return 0;
}

/* A read of the time-stamp counter (SIGSEGV on rdtsc, see tsc.h) is
 * answered with the next event, which must be that read. */
int
replay_signal(struct module *m, struct kernel *k, struct task *t, int sig)
{
	struct replay *r = R(m);
	struct user_regs_struct regs;
	const char *what;
	bool rdtscp;
	int len;

	if (r->off)
		return off_signal(r, t, sig);
	if (RT(t)->held_stop)
		return held_stop(r, t);	/* unparked: its next event is due */
	if (r->fast && rp_fast_collect(r, k, t) < 0) {
		rp_fail(r, k, "the clock reads task %d's agent answered were not the events "
		    "that came next (a bug of dios; --no-fast replays without the agent)", (int)t->vtid);
		return 0;
	}
	if (sig != SIGSEGV || regs_get(t->tid, &regs) < 0 ||
	    (len = tsc_insn(t->tid, &regs, &rdtscp)) == 0) {
		int seen = signal_seen(r, t, sig);
		if (seen > 0 && stops(t->tid, seen)) {
			stop_in_replay(k, t);
			return held_stop(r, t);
		}
		return seen;
	}
	rp_advance(r, k, t);
	if (rp_peek(r) == 0 && r->next && rp_owner_of(r->next) != t->vtid)
		return SIG_PARK;	/* another task's turn */
	if (rp_peek(r) < 0 || r->next == NULL ||
	    (what = json_string_value(json_object_get(r->next, "event"))) == NULL ||
	    strcmp(what, rdtscp ? "rdtscp" : "rdtsc") != 0) {
		char want[512];
		if (r->next)
			render_event(r->next, 1, 64, want, sizeof want);
		rp_set_msg(r, RO_DIVERGED, "divergence at event %llu (task %d): the program read the "
		    "time-stamp counter (%s)\n  expected: %s", r->next ? (unsigned long long)rp_seq_of(r->next) :
		    (unsigned long long)r->matched, t->vtid, rdtscp ? "rdtscp" : "rdtsc",
		    r->next ? want : "(the recording has no more events)");
		k->stop = true;
		return 0;
	}
	json_t *ev = rp_take(r);
	tsc_complete(&regs, len, (uint64_t)json_int64_or(ev, "value", 0), (uint32_t)json_int64_or(ev, "aux", 0));
	if (regs_set(t->tid, &regs) < 0)
		return sig;
	return 0;
}
