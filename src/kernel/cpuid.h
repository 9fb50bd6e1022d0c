/* cpuid.h: the cpuid instruction made visible: from its first call after
 * each exec (after the dynamic loader's own cpuids, which cost a stop each
 * and are the same in record and replay on one machine), the task runs
 * with cpuid faulting on (arch_prctl ARCH_SET_CPUID 0, where the processor
 * has it), so each cpuid stops with SIGSEGV; dios answers it
 * with the processor's own values minus RDRAND and RDSEED (so libraries
 * take their random bytes from getrandom, which is recorded, as rr does)
 * and minus the APIC ids (which name the CPU it ran on), in record and
 * replay alike, and steps over it.  Owner: src/kernel/cpuid.c. */
#ifndef DIOS_CPUID_H
#define DIOS_CPUID_H
#include <stdbool.h>
#include <sys/types.h>
#include <sys/user.h>

/* Turns cpuid faulting on in task tid, at the seccomp stop of its first
 * call after an exec (the exec turned it off), and resumes it to make that
 * call again.  0 or -ENODEV (the processor cannot): resumed; -EAGAIN: not
 * a call that can be made again (try at the next); -errno: not resumed. */
int cpuid_arm(pid_t tid);
/* At a SIGSEGV stop of tid with registers regs: when the instruction at
 * regs->rip is cpuid, completes it in regs and returns true. */
bool cpuid_complete(pid_t tid, struct user_regs_struct *regs);

#endif
