/* segvcatch: a program that catches its own faults (the JVM at startup,
 * programs that probe memory): a SIGSEGV handler that recovers with
 * siglongjmp, three times, then a SIGFPE the same way.  Replay must let
 * the program raise each fault itself, where it did.  Exits 9.
 */
#include "progs.h"
#include <setjmp.h>
#include <signal.h>

static sigjmp_buf jb;

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	printf("%s at %p, code %d\n", sig == SIGSEGV ? "SIGSEGV" : "SIGFPE",
	    sig == SIGSEGV ? si->si_addr : NULL, si->si_code);
	siglongjmp(jb, 1);
}

int
main(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	volatile int zero = 0;

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	for (int i = 0; i < 3; i++) {
		if (sigsetjmp(jb, 1) == 0)
			*(volatile int *)(long)(16 + 8 * i) = 1;
		else
			printf("recovered %d, pid %d\n", i, getpid() > 0);
	}
	if (sigsetjmp(jb, 1) == 0)
		printf("%d\n", 1 / zero);
	else
		printf("recovered from SIGFPE, ppid %d\n", getppid() > 0);
	fflush(stdout);
	return 9;
}
