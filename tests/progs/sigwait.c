/* sigwait: signals taken by a wait instead of a delivery, which no stop
 * shows: SIGUSR1 and SIGRTMIN blocked, queued to itself (kill, sigqueue
 * with a value), seen pending (sigpending), then taken by sigwaitinfo
 * and sigtimedwait, which then times out; and a child's SIGCHLD, blocked
 * and taken by sigwaitinfo after the child exits.  Prints what it got.
 * Exits 16.
 */
#include "progs.h"
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

static void
show_pending(const char *when)
{
	sigset_t p;

	sigemptyset(&p);
	if (sigpending(&p) < 0) {
		printf("sigpending (%s) = -1 %s\n", when, ename(errno));
		return;
	}
	printf("pending %s: USR1 %s, RTMIN %s\n", when, sigismember(&p, SIGUSR1) ? "yes" : "no",
	    sigismember(&p, SIGRTMIN) ? "yes" : "no");
}

int
main(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec ten_ms = { 0, 10000000 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	show_pending("at first");
	kill(getpid(), SIGUSR1);
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 7 });
	show_pending("after kill and sigqueue");
	sigdelset(&set, SIGCHLD);
	for (int i = 0; i < 2; i++) {
		int s = sigwaitinfo(&set, &si);
		printf("sigwaitinfo = %s, code %s, value %d\n", s == SIGUSR1 ? "SIGUSR1" : s == SIGRTMIN ?
		    "SIGRTMIN" : "?", si.si_code == SI_USER ? "SI_USER" : si.si_code == SI_QUEUE ? "SI_QUEUE" :
		    "?", s == SIGRTMIN ? si.si_value.sival_int : 0);
	}
	show_pending("after the waits");
	int s = sigtimedwait(&set, &si, &ten_ms);
	printf("sigtimedwait on nothing = %d %s\n", s, s < 0 ? ename(errno) : "");
	pid_t c = fork();
	if (c == 0)
		_exit(4);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	s = sigwaitinfo(&set, &si);
	printf("sigwaitinfo = %s, code %s, status %d\n", s == SIGCHLD ? "SIGCHLD" : "?",
	    si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status);
	int st = 0;
	pid_t w = waitpid(c, &st, 0);
	printf("waitpid: %s, status %d\n", w == c ? "the child" : "?", WEXITSTATUS(st));
	return 16;
}
