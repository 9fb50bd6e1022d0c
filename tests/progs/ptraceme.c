/* ptraceme: asks to be traced (PTRACE_TRACEME), which cannot work under
 * dios: dios-record stops there (tests/bad-input.sh). */
#include "progs.h"
#include <sys/ptrace.h>

int
main(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		printf("ptraceme: %s\n", strerror(errno));
	return 0;
}
