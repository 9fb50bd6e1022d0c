/* siginfo: what SA_SIGINFO handlers read of the signals they get (the
 * sender, the code, a queued value, a child's status), and the glibc
 * paths that check it: pthread_cancel (SIGCANCEL, taken only from the
 * process itself with SI_TKILL) and setuid in a threaded process
 * (SIGSETXID to every thread).  Replay must give the handlers what the
 * recording gave them.  Exits 19.
 */
#include "progs.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t got;
static volatile int code, from_self, status, value, from;

static void
on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	got = sig;
	code = si->si_code;
	from_self = si->si_pid == getpid();
	from = si->si_pid;
	status = si->si_status;
	value = si->si_value.sival_int;
}

static void
show(const char *what)
{
	printf("%s: got %s code %d%s value %d\n", what, got ? strsignal(got) : "nothing", code,
	    from_self ? " from itself" : "", code == -1 ? value : 0);
	got = 0;
}

static void *
blocked_reader(void *arg)
{
	char c;
	(void)arg;
	for (;;)
		read(*(int *)arg, &c, 1);	/* a cancellation point */
	return NULL;
}

static void *
idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int
main(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	progs_init();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);

	raise(SIGUSR1);
	show("raise(SIGUSR1)");
	kill(getpid(), SIGUSR2);
	show("kill(self, SIGUSR2)");
	sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 42 });
	show("sigqueue(self, SIGRTMIN, 42)");
	struct itimerval it = { .it_value = { 0, 20000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	while (!got)
		pause();
	show("setitimer");

	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("child exit: got %s code %d status %d, from the child %s\n", got ? strsignal(got) : "nothing",
	    code, status, from == pid ? "yes" : "no");
	got = 0;
	waitpid(pid, NULL, 0);

	int fds[2];
	pthread_t th;
	if (pipe(fds) < 0 || pthread_create(&th, NULL, blocked_reader, &fds[0]) != 0)
		return 1;
	usleep(20000);
	printf("pthread_cancel = %d\n", pthread_cancel(th));
	void *res = NULL;
	int j = pthread_join(th, &res);
	printf("pthread_join = %d, %s\n", j, res == PTHREAD_CANCELED ? "cancelled" : "ended");

	pthread_t th2;
	if (pthread_create(&th2, NULL, idle, NULL) != 0)
		return 1;
	R("setgid(getgid()) with two threads", setgid(getgid()));
	R("setuid(getuid()) with two threads", setuid(getuid()));
	return 19;
}
