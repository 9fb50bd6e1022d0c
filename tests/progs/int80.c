/* int80: a 32-bit system call through int $0x80 (i386 getpid, 20) from a
 * 64-bit program, after printing a line.  dios-record refuses it by name.
 * Exits 0 natively.
 */
#include "progs.h"

int
main(void)
{
	long ret;

	printf("before the 32-bit call\n");
	fflush(stdout);
	__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	printf("getpid through int $0x80: %s\n", ret > 0 ? "a pid" : "failed");
	return 0;
}
