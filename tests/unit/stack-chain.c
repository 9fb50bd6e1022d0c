/* stack-chain.c: a chain of calls main -> outer -> middle -> inner for
 * tests/unit/test-stack.c, which traces it and unwinds it where inner stops:
 * at raise(SIGSTOP) (`stack-chain signal`) or at getppid's entry
 * (`stack-chain syscall`).  Built twice, with frame pointers and without.
 * The test finds the lines of the calls by their "@name" comments. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STEP __attribute__((noinline, noclone))

volatile int sink;	/* keeps each call from becoming a jump */

STEP int
inner(int sys)
{
	int r;

	if (sys)
		r = (int)getppid();	/* @inner-syscall */
	else
		r = raise(SIGSTOP);	/* @inner-signal */
	sink++;
	return r + sink;
}

STEP int
middle(int sys)
{
	int r = inner(sys);	/* @middle */
	sink++;
	return r + sink;
}

STEP int
outer(int sys)
{
	int r = middle(sys);	/* @outer */
	sink++;
	return r + sink;
}

int
main(int argc, char **argv)
{
	int sys = argc > 1 && strcmp(argv[1], "syscall") == 0;
	int r = outer(sys);	/* @main */

	return r < 0 ? 1 : 0;
}
