/* contwake: a thread wakes the main one out of pselect with a signal whose
 * handler it set (SIGCONT, as gpg-agent does, or the signal named by
 * argv[1]); pselect must end with EINTR, the handler having run, not start
 * again.  Exits 24.
 */
#include "progs.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/select.h>

static int sig;
static volatile sig_atomic_t got;

static void
on_signal(int s)
{
	(void)s;
	got++;
}

static void *
waker(void *arg)
{
	struct timespec ts = { 0, 50000000 };
	nanosleep(&ts, NULL);
	kill(getpid(), sig);
	return arg;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, none;
	pthread_t t;
	int p[2];
	fd_set r;

	progs_init();
	sig = argc > 1 ? atoi(argv[1]) : SIGCONT;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, sig);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&none);
	if (pipe(p) < 0 || pthread_create(&t, NULL, waker, NULL) != 0)
		return 1;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	R("pselect (woken by a signal)", pselect(p[0] + 1, &r, NULL, NULL, NULL, &none));
	printf("  the handler ran %d time(s)\n", (int)got);
	pthread_join(t, NULL);
	return 24;
}
