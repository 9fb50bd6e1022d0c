/* posixtimer: POSIX timers.  One with SIGEV_THREAD, whose expiries glibc
 * turns into a new thread each (a helper thread takes the timer's signal
 * with sigtimedwait, then starts a thread for the callback): many short
 * threads, whose first stop may come before their creator's clone event.
 * Then one with SIGEV_SIGNAL, taken with sigwaitinfo (SI_TIMER).  Exits 21.
 */
#include "progs.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>

static volatile int hits;

static void
tick(union sigval v)
{
	(void)v;
	__sync_fetch_and_add(&hits, 1);
}

int
main(void)
{
	timer_t t, t2;
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = tick };

	progs_init();
	if (R("timer_create (SIGEV_THREAD)", timer_create(CLOCK_MONOTONIC, &ev, &t)) < 0)
		return 1;
	struct itimerspec it = { { 0, 3000000 }, { 0, 3000000 } };
	R("timer_settime", timer_settime(t, 0, &it, NULL));
	while (hits < 5)
		usleep(1000);
	R("timer_delete", timer_delete(t));
	printf("the callback ran 5 times or more\n");

	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	struct sigevent e2 = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2 };
	R("timer_create (SIGEV_SIGNAL)", timer_create(CLOCK_REALTIME, &e2, &t2));
	struct itimerspec i2 = { { 0, 0 }, { 0, 2000000 } };
	R("timer_settime", timer_settime(t2, 0, &i2, NULL));
	siginfo_t si;
	int s = R("sigwaitinfo", sigwaitinfo(&m, &si));
	printf("  signal %s, code %s\n", s == SIGUSR2 ? "SIGUSR2" : "other", si.si_code == SI_TIMER ? "SI_TIMER" : "other");
	R("timer_getoverrun", timer_getoverrun(t2));
	return 21;
}
