/* dynamic.c: a dynamic program without a C library, for
 * traces/dynamic.json.zst: the kernel loads its interpreter (the dynamic
 * loader), which relocates it and jumps to _start.  It prints its
 * arguments and the time, then exits with status 4. */
#include "tiny.h"

struct ts { long sec, nsec; };

void _start(void) __attribute__((noreturn));

static void __attribute__((noreturn, used))
start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char b[24];
	struct ts t;

	put("dynamic:");
	for (long i = 0; i < argc; i++) {
		put(" ");
		put(argv[i]);
	}
	sys3(SYS_clock_gettime, 0, (long)&t, 0);
	put(", time ");
	put(num((unsigned long)t.sec, b));
	put("\n");
	for (;;)
		sys3(SYS_exit_group, 4, 0, 0);
}

__asm__(".globl _start\n_start:\n\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall start_c\n\thlt\n");
