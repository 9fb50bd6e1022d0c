/* sigint: prints its pid and a line every 10 ms, for up to 10 seconds, in
 * the hope of being interrupted (tests/procs.sh sends SIGINT halfway).
 *	sigint		(exits 0 only if nobody interrupts it)
 */
#include "progs.h"
#include <signal.h>
#include <time.h>

int
main(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	/* a shell starts background commands with SIGINT ignored */
	signal(SIGINT, SIG_DFL);
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("pid %d\n", (int)getpid());
	for (int i = 0; i < 1000; i++) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		printf("line %d at %ld.%09ld\n", i, (long)now.tv_sec, now.tv_nsec);
		nanosleep(&tick, NULL);
	}
	return 0;
}
