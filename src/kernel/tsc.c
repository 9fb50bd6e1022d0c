/* tsc.c: emulation of rdtsc and rdtscp. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <ucontext.h>
#include <string.h>
#include <sys/prctl.h>
#include "kernel/tracee.h"
#include "kernel/tsc.h"

int
tsc_insn(pid_t tid, const struct user_regs_struct *regs, bool *is_rdtscp)
{
	unsigned char b[3];

	if (mem_read(tid, regs->rip, b, sizeof b) < 0)
		return 0;
	if (b[0] == 0x0f && b[1] == 0x31) {
		*is_rdtscp = false;
		return 2;
	}
	if (b[0] == 0x0f && b[1] == 0x01 && b[2] == 0xf9) {
		*is_rdtscp = true;
		return 3;
	}
	return 0;
}

void
tsc_complete(struct user_regs_struct *regs, int len, uint64_t value, uint32_t aux)
{
	regs->rax = value & 0xffffffffu;
	regs->rdx = value >> 32;
	if (len == 3)
		regs->rcx = aux;
	regs->rip += (uint64_t)len;
}

uint64_t
tsc_read(uint32_t *aux)
{
	uint32_t lo, hi, c;

	/* dios runs with the counter trapped too (tsc_trap_self): allow it
	 * for this one read. */
	prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0);
	__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0);
	*aux = c;
	return (uint64_t)hi << 32 | lo;
}

/* dios's own reads of the counter (the vDSO's clocks in libraries) arrive
 * here: complete them and go on. */
static void
on_own_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	greg_t *g = uc->uc_mcontext.gregs;
	const unsigned char *ip = (const unsigned char *)g[REG_RIP];
	int len = 0;

	if (ip[0] == 0x0f && ip[1] == 0x31)
		len = 2;
	else if (ip[0] == 0x0f && ip[1] == 0x01 && ip[2] == 0xf9)
		len = 3;
	if (len == 0) {
		signal(SIGSEGV, SIG_DFL);	/* a real crash: die of it */
		return;
	}
	uint32_t aux;
	uint64_t v = tsc_read(&aux);
	g[REG_RAX] = (greg_t)(v & 0xffffffffu);
	g[REG_RDX] = (greg_t)(v >> 32);
	if (len == 3)
		g[REG_RCX] = (greg_t)aux;
	g[REG_RIP] += len;
	(void)sig;
	(void)si;
}

int
tsc_trap_self(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_own_segv;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	if (sigaction(SIGSEGV, &sa, NULL) < 0)
		return -errno;
	return prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) < 0 ? -errno : 0;
}
