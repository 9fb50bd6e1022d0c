/* clock.c: benchmark loop of clock reads.  Calls clock_gettime N times
 * (default 100000).  Natively these never enter the kernel (vDSO); under dios
 * each one is an intercepted system call.  Prints a checksum.
 *
 * Usage: clock [N]
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
	struct timespec ts;
	unsigned long sum = 0;

	if (n <= 0) {
		fprintf(stderr, "usage: clock [N]\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sum += (unsigned long)ts.tv_nsec;
	}
	printf("%ld clock reads, checksum %lu\n", n, sum);
	return 0;
}
