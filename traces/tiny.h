/* tiny.h: raw x86_64 Linux system calls for the freestanding programs of
 * traces/ (no C library, so their traces stay small). */
#ifndef TINY_H
#define TINY_H

static inline long
sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
	    : "rcx", "r11", "memory");
	return ret;
}

#define SYS_read 0
#define SYS_write 1
#define SYS_close 3
#define SYS_getpid 39
#define SYS_exit_group 231
#define SYS_clock_gettime 228
#define SYS_openat 257
#define SYS_getrandom 318

static inline unsigned long
slen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static inline void
put(const char *s)
{
	sys3(SYS_write, 1, (long)s, (long)slen(s));
}

/* The decimal digits of v, into b (at least 24 bytes). */
static inline char *
num(unsigned long v, char *b)
{
	char *p = b + 23;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	return p;
}

#endif
