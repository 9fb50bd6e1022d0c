/* cpuid.c: cpuid faulting and the answers to cpuid (cpuid.h). */
#include "config.h"
#include <cpuid.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include "kernel/cpuid.h"
#include "kernel/tracee.h"

#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

/* At the seccomp stop of a call: arch_prctl(ARCH_SET_CPUID, 0) runs in its
 * place, then the task goes back onto the syscall instruction, resumed, to
 * make its call again (a new seccomp stop). */
int
cpuid_arm(pid_t tid)
{
	struct user_regs_struct at, back;
	uint64_t a[6] = { ARCH_SET_CPUID, 0, 0, 0, 0, 0 };
	long ret;
	int e;

	unsigned char insn[2];

	if ((e = regs_get(tid, &at)) < 0)
		return e;
	/* only a call made by a syscall instruction can be made again so (not
	 * one of the vsyscall page, nor int $0x80): the next one, then */
	if (at.rip >= 0xffffffffff600000ULL || mem_read(tid, at.rip - 2, insn, sizeof insn) < 0 ||
	    insn[0] != 0x0f || insn[1] != 0x05)
		return -EAGAIN;
	if ((e = remote_syscall_at_entry(tid, &at, SYS_arch_prctl, a, &ret)) < 0)
		return e;
	back = at;
	back.rip = at.rip - 2;
	back.rax = at.orig_rax;
	if ((e = regs_set(tid, &back)) < 0)
		return e;
	if (ptrace(PTRACE_CONT, tid, 0, 0) < 0)
		return -errno;
	return ret == -ENODEV || ret == -EINVAL ? -ENODEV : 0;
}

bool
cpuid_complete(pid_t tid, struct user_regs_struct *regs)
{
	unsigned char b[2];
	unsigned leaf, sub, a, bx, c, d;

	if (mem_read(tid, regs->rip, b, sizeof b) < 0 || b[0] != 0x0f || b[1] != 0xa2)
		return false;
	leaf = (unsigned)regs->rax;
	sub = (unsigned)regs->rcx;
	__cpuid_count(leaf, sub, a, bx, c, d);
	if (leaf == 1) {
		c &= ~(1u << 30);		/* RDRAND */
		bx &= 0x00ffffffu;		/* the initial APIC id */
	} else if (leaf == 7 && sub == 0) {
		bx &= ~(1u << 18);		/* RDSEED */
	} else if (leaf == 0xb || leaf == 0x1f) {
		d = 0;				/* the x2APIC id */
	}
	regs->rax = a;
	regs->rbx = bx;
	regs->rcx = c;
	regs->rdx = d;
	regs->rip += 2;
	return true;
}
