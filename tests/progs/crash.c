/* crash: prints, then dies of SIGSEGV (a store through a null pointer, no
 * system call involved): dios-record and dios-replay must both exit 139
 * (128 + SIGSEGV), as the shell reports the native run.
 */
#include "progs.h"
#include <stdint.h>

int
main(void)
{
	progs_init();
	printf("pid %d, about to crash\n", getpid());
	fprintf(stderr, "crash: writing through a null pointer\n");
	*(volatile int *)(uintptr_t)0 = 1;
	printf("still alive?\n");
	return 0;
}
