/* static.c: a static program without a C library, for traces/static.json.zst:
 * it prints its process id, the time, a random number and the first line
 * of /etc/hostname as recorded, then exits with status 3. */
#include "tiny.h"

struct ts { long sec, nsec; };

void _start(void) __attribute__((noreturn));

static void __attribute__((noreturn, used))
start_c(void)
{
	char b[24], buf[64];
	struct ts t;
	unsigned long r = 0;
	long fd, n = 0;

	put("static: pid ");
	put(num((unsigned long)sys3(SYS_getpid, 0, 0, 0), b));
	sys3(SYS_clock_gettime, 0, (long)&t, 0);
	put(", time ");
	put(num((unsigned long)t.sec, b));
	sys3(SYS_getrandom, (long)&r, sizeof r, 0);
	put(", random ");
	put(num(r % 1000000, b));
	fd = sys3(SYS_openat, -100, (long)"/etc/hostname", 0);
	if (fd >= 0) {
		n = sys3(SYS_read, fd, (long)buf, sizeof buf - 1);
		sys3(SYS_close, fd, 0, 0);
	}
	buf[n > 0 ? n : 0] = '\0';
	for (long i = 0; buf[i]; i++)
		if (buf[i] == '\n')
			buf[i] = '\0';
	put(", host ");
	put(buf);
	put("\n");
	for (;;)
		sys3(SYS_exit_group, 3, 0, 0);
}

/* The stack is 16-byte aligned at entry; calls expect it 8 bytes off. */
__asm__(".globl _start\n_start:\n\txor %rbp, %rbp\n\tand $-16, %rsp\n\tcall start_c\n\thlt\n");
