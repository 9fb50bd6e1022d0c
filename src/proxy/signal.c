/* signal.c: the record module's signals: the program's own faults, a
 * call of another ABI (the filter's SIGSYS), and the caught signals that
 * come while a task runs its own code, held back to its next call (or,
 * after two ticks without one, sent where it is), each written as its
 * event (proxy_signal). */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <seccomp.h>
#include "kernel/tracee.h"
#include "kernel/tsc.h"
#include "sys/mem.h"
#include "sys/structs.h"
#include "sys/xlat.h"
#include "inspect/render.h"
#include "trace/number.h"
#include "proxy/internal.h"

/* Did the task's own instruction raise sig (a fault: SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP, SIGSYS from the kernel, si_code > 0), rather
 * than a process or a timer?  Replay lets the program raise it again
 * instead of sending it ("sync" in dios-trace(5)). */
static bool
signal_is_fault(pid_t tid, int sig)
{
	siginfo_t si;

	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE && sig != SIGTRAP &&
	    sig != SIGSYS)
		return false;
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0)
		return false;
	return si.si_code > 0;
}

/* SIGSYS from the filter for a call of another ABI (filter.c): its name
 * for the message, or NULL when sig is no such signal. */
static const char *
other_abi_call(pid_t tid, int sig, char *buf, size_t len)
{
	siginfo_t si;

	if (sig != SIGSYS || ptrace(PTRACE_GETSIGINFO, tid, 0, &si) < 0 || si.si_code != 1 /* SYS_SECCOMP */ ||
	    (si.si_arch == AUDIT_ARCH_X86_64 && !(si.si_syscall & __X32_SYSCALL_BIT)))
		return NULL;
	char *name = si.si_arch == AUDIT_ARCH_I386 ?
	    seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, si.si_syscall) : NULL;
	if (si.si_arch == AUDIT_ARCH_I386)
		snprintf(buf, len, "a 32-bit system call (int $0x80: i386 %s, number %d)",
		    name ? name : "call", si.si_syscall);
	else
		snprintf(buf, len, "a system call of another ABI (audit arch %#x, number %#x)",
		    (unsigned)si.si_arch, (unsigned)si.si_syscall);
	free(name);
	return buf;
}

/* Is signal sig one the task's process catches (a handler)?  The others
 * are taken where they come: they end or stop the process, or nothing. */
static bool
signal_caught(pid_t tid, int sig)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "SigCgt: %llx", &mask) == 1) {
			found = true;
			break;
		}
	fclose(f);
	return found && sig >= 1 && sig <= 64 && (mask >> (sig - 1) & 1);
}

/* Is the task where a call left it (the instruction before the one it
 * resumes at is a syscall: no code of its own ran since)? */
static bool
at_call_boundary(pid_t tid)
{
	struct user_regs_struct regs;
	unsigned char insn[2];

	return regs_get(tid, &regs) == 0 && regs.rip >= 2 &&
	    mem_read(tid, regs.rip - 2, insn, sizeof insn) == 0 && insn[0] == 0x0f && insn[1] == 0x05;
}

/* A signal the program catches that came while the task ran its own code
 * (a timer's, a child's SIGCHLD, another thread's tgkill): replay can give
 * a signal only at a call, so the recording takes it at one too: it is
 * held back now and sent again at the task's next call, before it
 * (POSIX lets an asynchronous signal wait; its handler runs where replay
 * runs it).  True when sig was held back. */
static bool
defer_signal(struct task *t, int sig)
{
	struct ptask *pt = PT(t);

	if (pt->resend == sig) {
		pt->resend = 0;
		return false;	/* sent again at a call: taken now */
	}
	if (pt->ndeferred == (int)(sizeof pt->deferred / sizeof *pt->deferred) ||
	    !signal_caught(t->tid, sig) || at_call_boundary(t->tid))
		return false;
	for (int i = 0; i < pt->ndeferred; i++)
		if (pt->deferred[i] == sig && sig < SIGRTMIN)
			return true;	/* a standard signal already pending: one */
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &pt->deferred_info[pt->ndeferred]) < 0)
		return false;
	pt->deferred[pt->ndeferred++] = sig;
	return true;
}

/* Sends the first signal t holds back again, with the siginfo it came
 * with, to be taken as it comes (here: where the task is; else before
 * the call it is at). */
static void
resend_first(struct task *t, bool here)
{
	struct ptask *pt = PT(t);
	int sig = pt->deferred[0];

	pt->resend = sig;
	pt->resend_here = here;
	pt->resend_info = pt->deferred_info[0];
	pt->deferred_ticks = 0;
	memmove(pt->deferred, pt->deferred + 1, (size_t)--pt->ndeferred * sizeof *pt->deferred);
	memmove(pt->deferred_info, pt->deferred_info + 1, (size_t)pt->ndeferred * sizeof *pt->deferred_info);
	syscall(SYS_tgkill, pt->tgid ? pt->tgid : t->tid, t->tid, sig);
}

/* At a call of a task with signals held back: the first is sent to it
 * now, before the call, which comes again after the handler (as replay
 * delivers a signal before a call).  True when one was sent. */
bool
proxy_send_deferred(struct task *t)
{
	struct ptask *pt = PT(t);
	struct user_regs_struct regs;

	if (pt->ndeferred == 0 || regs_get(t->tid, &regs) < 0)
		return false;
	regs.rax = regs.orig_rax;
	regs.orig_rax = (uint64_t)-1;
	regs.rip -= 2;
	if (regs_set(t->tid, &regs) < 0)
		return false;
	resend_first(t, false);
	return true;
}

int
proxy_signal(struct module *m, struct kernel *k, struct task *t, int sig)
{
	struct proxy *p = m->state;
	char sb[16], what[160];

	if (other_abi_call(t->tid, sig, what, sizeof what)) {
		snprintf(p->abort_msg, sizeof p->abort_msg, "the program made %s, which dios cannot "
		    "record (only x86_64 calls are); the recording stops here", what);
		p->st.aborted = p->abort_msg;
		k->stop = true;
		return 0;
	}

	if (sig == SIGSEGV) {
		struct user_regs_struct regs;
		bool rdtscp;
		int len;
		uint32_t aux;
		if (regs_get(t->tid, &regs) == 0 && (len = tsc_insn(t->tid, &regs, &rdtscp)) > 0) {
			uint64_t v = tsc_read(&aux);
			tsc_complete(&regs, len, v, aux);
			if (regs_set(t->tid, &regs) == 0) {
				emit(p, json_pack("{s:o, s:o, s:s, s:o, s:o}", "seq", json_uint64(proxy_seq(p)),
				    "tid", json_int64(t->vtid), "event", rdtscp ? "rdtscp" : "rdtsc",
				    "value", json_uint64(v), "aux", json_int64(aux)));
				return 0;
			}
		}
	}
	bool fault = signal_is_fault(t->tid, sig);
	bool resent = !fault && PT(t)->resend == sig;
	bool here = resent && PT(t)->resend_here;
	if (resent)
		PT(t)->resend_here = false;
	if (!fault && defer_signal(t, sig))
		return 0;	/* held back until its next call */
	if (resent)	/* what it came with, not dios's tgkill */
		ptrace(PTRACE_SETSIGINFO, t->tid, 0, &PT(t)->resend_info);
	json_t *ev = json_pack("{s:o, s:o, s:s, s:s}", "seq", json_uint64(proxy_seq(p)),
	    "tid", json_int64(t->vtid), "event", "signal", "sig", signal_name(sig, sb));
	siginfo_t si;
	if (ev && resent && !here)
		json_object_set_new(ev, "before_call", json_true());
	if (ev && fault)
		json_object_set_new(ev, "sync", json_true());
	else if (ev && ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) == 0) {
		/* what a SA_SIGINFO handler reads (who sent it, how, a child's
		 * status): replay gives the program the same */
		json_t *info = st_encode(&st_siginfo, &si);
		if (info)
			json_object_set_new(ev, "info", info);
	}
	emit(p, ev);
	return sig;
}

void
proxy_signal_tick(struct kernel *k)
{
	/* A task that held a signal back and ran on for two ticks without a
	 * call (a loop that waits for the signal's handler): the signal is
	 * sent where it is, as it came; never a hang. */
	for (struct task *t = k->tasks; t; t = t->next) {
		struct ptask *pt = t->mod;
		if (pt == NULL || pt->ndeferred == 0) {
			if (pt)
				pt->deferred_ticks = 0;
			continue;
		}
		if (++pt->deferred_ticks >= 2 && !pt->resend)
			resend_first(t, true);
	}
}
