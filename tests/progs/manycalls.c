/* manycalls: N (argv[1]) intercepted calls in a loop, alternately getppid
 * and clock_gettime, for tests/memory.sh.  Prints the sum of what they
 * returned.  Exits 0.
 */
#include "progs.h"
#include <time.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, sum = 0;
	struct timespec ts;

	for (long i = 0; i < n; i++) {
		if (i & 1) {
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
			sum += ts.tv_nsec & 0xff;
		} else
			sum += syscall(SYS_getppid);
	}
	printf("%ld calls, sum %ld\n", n, sum);
	return 0;
}
