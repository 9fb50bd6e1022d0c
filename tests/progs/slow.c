/* slow: 40 iterations of: read the clock, print a line, sleep 100 ms; about
 * 4 s in all (tests/truncated.sh kills its recorder half-way).  Exits 10.
 */
#include "progs.h"
#include <time.h>

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 40;
	struct timespec ts, req = { 0, 100 * 1000 * 1000 };
	char line[96];

	for (int i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		int len = snprintf(line, sizeof line, "iteration %d at %lld.%09ld\n", i,
		    (long long)ts.tv_sec, ts.tv_nsec);
		if (write(1, line, len) != len)
			return 99;
		nanosleep(&req, NULL);
	}
	write(2, "slow: done\n", 11);
	return 10;
}
