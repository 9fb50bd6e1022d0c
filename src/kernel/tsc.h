/* tsc.h: rdtsc and rdtscp made visible: the program runs with
 * PR_SET_TSC(PR_TSC_SIGSEGV), so each read of the time-stamp counter stops
 * with SIGSEGV; dios answers it (record: the real counter; replay: the
 * recorded value) and steps over the instruction.  Owner: src/kernel/tsc.c. */
#ifndef DIOS_TSC_H
#define DIOS_TSC_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* When the instruction at regs->rip of tid is rdtsc or rdtscp, returns its
 * length (2 or 3) and sets *is_rdtscp; 0 otherwise. */
int tsc_insn(pid_t tid, const struct user_regs_struct *regs, bool *is_rdtscp);
/* Completes the instruction in regs: counter value and (rdtscp) aux. */
void tsc_complete(struct user_regs_struct *regs, int len, uint64_t value, uint32_t aux);
/* Reads the counter here (the supervisor may). */
uint64_t tsc_read(uint32_t *aux);
/* Traps the counter in dios itself as well.  When only the program has it
 * trapped, every switch between dios and the program flips CR4.TSD, which
 * costs a VM exit on many hypervisors (measured: 22 -> 40 us per recorded
 * call); with both trapped nothing flips.  dios reads the counter only
 * through tsc_read.  0 or -errno. */
int tsc_trap_self(void);

#endif
