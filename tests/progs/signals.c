/* signals: alarm() and pause(), an interval timer, a POSIX timer, raise(),
 * and kill() of a child that handles the signal, each printing what its
 * handler saw.
 *	signals		(exits 5)
 */
#include "progs.h"
#include <signal.h>
#include <time.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t alrm, usr1, term;

static void on_alrm(int s) { (void)s; alrm++; }
static void on_usr1(int s) { (void)s; usr1++; }
static void on_term(int s) { (void)s; term++; }

int
main(void)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int st;
	pid_t p;

	signal(SIGALRM, on_alrm);
	signal(SIGUSR1, on_usr1);
	setvbuf(stdout, NULL, _IONBF, 0);

	R("alarm(1)", alarm(1));
	R("pause()", pause());
	printf("after pause: %d alarm(s)\n", (int)alrm);

	struct itimerval it = { { 0, 20000 }, { 0, 20000 } };
	R("setitimer", setitimer(ITIMER_REAL, &it, NULL));
	while (alrm < 4)
		nanosleep(&tick, NULL);
	memset(&it, 0, sizeof it);
	R("setitimer(off)", setitimer(ITIMER_REAL, &it, NULL));
	printf("interval timer: %d alarms\n", (int)alrm);

	timer_t tm;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	struct itimerspec its = { { 0, 0 }, { 0, 30 * 1000 * 1000 } };
	R("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &tm));
	R("timer_settime", timer_settime(tm, 0, &its, NULL));
	while (usr1 < 1)
		nanosleep(&tick, NULL);
	R("timer_delete", timer_delete(tm));
	printf("posix timer: %d SIGUSR1\n", (int)usr1);

	R("raise(SIGUSR1)", raise(SIGUSR1));
	printf("after raise: %d SIGUSR1\n", (int)usr1);

	/* a child that waits for SIGTERM in sigsuspend */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if ((p = fork()) == 0) {
		signal(SIGTERM, on_term);
		sigset_t none;
		sigemptyset(&none);
		while (!term)
			sigsuspend(&none);
		printf("child: got SIGTERM\n");
		_exit(6);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	nanosleep(&tick, NULL);
	R("kill(child, SIGTERM)", kill(p, SIGTERM));
	R("waitpid", waitpid(p, &st, 0) == p);
	printf("child exited with %d\n", WEXITSTATUS(st));
	return 5;
}
