/* tsc.c: emulation of rdtsc and rdtscp. */
#include "config.h"
#include <string.h>
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

	__asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(c));
	*aux = c;
	return (uint64_t)hi << 32 | lo;
}
