/* sigmidcode: signals that come while the program runs its own code, far
 * from any call: an interval timer's SIGALRM, caught, during a loop that
 * makes a call now and then.  The handler counts; the loop stops after the
 * fifth and prints how far it got.  When recording the timer fires
 * wherever the loop is; a replay can deliver a signal only at a call, so
 * the recording must take it at one too (the next), or the replay's count
 * of rounds is another.  With "spin", a loop with no call at all waits for
 * one alarm: the recording must not hold that signal back for ever.
 * Exits 13.
 */
#include "progs.h"
#include <signal.h>
#include <sys/time.h>

static volatile sig_atomic_t hits;

static void
on_alarm(int sig)
{
	(void)sig;
	hits++;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	volatile unsigned long spin = 0;
	unsigned long rounds = 0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	if (argc > 1 && strcmp(argv[1], "spin") == 0) {
		struct itimerval once = { { 0, 0 }, { 0, 100000 } };
		setitimer(ITIMER_REAL, &once, NULL);
		while (hits == 0)
			spin++;
		printf("woken by the alarm\n");
		return 13;
	}
	setitimer(ITIMER_REAL, &it, NULL);
	while (hits < 5) {
		for (int i = 0; i < 20000; i++)
			spin += (unsigned long)i;
		rounds++;
		if (rounds % 4 == 0)
			(void)getppid();	/* a call now and then */
	}
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	printf("5 alarms after %lu rounds\n", rounds);
	return 13;
}
